"""The streaming detector, exactly as the device runs it (and as the manifest's `detector` says).

Per 20 ms hop the device computes one MFCC frame, normalises and quantises it into a ring of the
last `frames` frames. Every `stride` frames (once the ring is full) it copies the ring, oldest
first, into the model input and invokes the model; the wake posterior is
p = (q_out[wake] - output.zero_point) * output.scale. The smoothed score is the mean of the last
`smooth` posteriors, missing ones (right after start-up or a wake) counted as 0. A wake fires when the smoothed score
is >= threshold; then the detector ignores `refractory_s` seconds (those invocations are skipped)
and clears its posterior history.
"""
from __future__ import annotations

import numpy as np


def windows(q_frames: np.ndarray, frames: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """The model inputs the device builds from a stream of quantised frames (n, 13): (count, frames,
    13) windows and the index of each window's newest frame."""
    n = len(q_frames)
    ends = np.arange(frames - 1, n, stride)
    idx = ends[:, None] - frames + 1 + np.arange(frames)[None, :]
    return q_frames[idx], ends


def wake_posterior(q_out: np.ndarray, out_spec: dict, wake: int) -> np.ndarray:
    return ((q_out[:, wake].astype(np.float32) - np.float32(out_spec["zero_point"]))
            * np.float32(out_spec["scale"]))


def smoothed(p: np.ndarray, smooth: int) -> np.ndarray:
    """Running mean over the last `smooth` posteriors (without refractory resets)."""
    c = np.concatenate([[0.0], np.cumsum(p, dtype=np.float64)])
    k = np.arange(1, len(p) + 1)
    lo = np.maximum(0, k - smooth)
    return ((c[k] - c[lo]) / smooth).astype(np.float32)


def detect(p: np.ndarray, smooth: int, threshold: float, refractory: int) -> list[int]:
    """Invocation indices where a wake fires (the device's rule, with refractory and reset)."""
    fires, hist, skip = [], [], 0
    for i, v in enumerate(p):
        if skip:
            skip -= 1
            continue
        hist.append(float(v))
        if len(hist) > smooth:
            hist.pop(0)
        if sum(hist) / smooth >= threshold:
            fires.append(i)
            hist, skip = [], refractory
    return fires


def refractory_invocations(refractory_s: float, stride: int, hop_s: float = 0.02) -> int:
    return int(np.ceil(refractory_s / (stride * hop_s)))


# --- extrapolating the false-wake rate below what a stream can count --------------------------------

EULER_GAMMA = 0.5772156649015329


def logit(s):
    s = np.clip(np.asarray(s, np.float64), 1e-6, 1 - 1e-6)
    return np.log(s / (1 - s))


def block_maxima(score: np.ndarray, per_block: int) -> np.ndarray:
    """Maxima of the smoothed score over consecutive blocks of `per_block` invocations (whole blocks)."""
    n = len(score) // per_block
    return np.asarray(score[: n * per_block], np.float64).reshape(n, per_block).max(1)


def gumbel_fit(maxima: np.ndarray) -> tuple[float, float]:
    """(mu, beta) of a Gumbel law fitted by moments to the logits of block maxima (the scores live in
    (0, 1) and bunch up near 1; their logits have an unbounded upper tail, the Gumbel domain)."""
    z = logit(maxima)
    beta = max(float(np.std(z)) * np.sqrt(6) / np.pi, 1e-3)
    return float(np.mean(z)) - EULER_GAMMA * beta, beta


def gumbel_rate_per_day(maxima: np.ndarray, block_s: float, threshold: float) -> float:
    """Expected wakes per day at `threshold`: P(a block's maximum >= threshold) under the fitted
    Gumbel law, times blocks per day (for rare exceedances, at most one wake per block)."""
    mu, beta = gumbel_fit(maxima)
    p = -np.expm1(-np.exp(-(float(logit(threshold)) - mu) / beta))
    return float(p * 86400.0 / block_s)


def gumbel_threshold(maxima: np.ndarray, block_s: float, per_day: float) -> float:
    """The threshold at which the fitted Gumbel law predicts `per_day` wakes per day."""
    mu, beta = gumbel_fit(maxima)
    p = per_day * block_s / 86400.0
    z = mu - beta * np.log(-np.log1p(-p))
    return float(1 / (1 + np.exp(-z)))


def declustered_peaks(score: np.ndarray, gap: int, count: int) -> np.ndarray:
    """The `count` largest peaks of the smoothed score, one per event: the largest value, then the
    largest at least `gap` invocations away from every peak taken so far, ... (descending)."""
    taken = np.zeros(len(score), bool)
    out = []
    for i in np.argsort(-np.asarray(score), kind="stable"):
        if taken[max(0, i - gap):i + gap + 1].any():
            continue
        taken[i] = True
        out.append(float(score[i]))
        if len(out) == count:
            break
    return np.array(out)


def pot_rate_per_day(score: np.ndarray, hours: float, threshold: float, k: int, gap: int) -> float:
    """Peaks over threshold (the tail-only estimate of extreme-value statistics): the logits of the
    k largest declustered peaks above the (k+1)-th, u, are taken as exponential (a generalised Pareto
    law with shape 0), so the rate of peaks above x is k / hours * exp(-(x - u) / sigma), sigma their
    mean excess over u. Unlike the Gumbel fit to all block maxima it does not let quiet blocks
    (noise only) widen the tail."""
    z = logit(declustered_peaks(score, gap, k + 1))
    if len(z) < k + 1:
        return float("nan")
    u = z[k]
    sigma = max(float(np.mean(z[:k] - u)), 1e-3)
    return float(k / hours * 24 * np.exp(-(float(logit(threshold)) - u) / sigma))
