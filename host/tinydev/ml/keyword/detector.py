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
