"""Extrapolating the detector's false-wake rate below what a stream can count: extreme-value
statistics of the smoothed wake score (detector.smoothed) on a background stream, in logits.

Three estimates, from the same peaks: an exponential tail over the k largest declustered peaks
(peaks over threshold with a generalised Pareto shape of 0) with a bootstrap interval; a generalised
Pareto law with its shape fitted, with a profile-likelihood upper bound; and a Gumbel law on block
maxima (used by the threshold rule, steps.choose_threshold).
"""
from __future__ import annotations

import numpy as np

EULER_GAMMA = 0.5772156649015329


def logit(s):
    s = np.clip(np.asarray(s, np.float64), 1e-6, 1 - 1e-6)
    return np.log(s / (1 - s))


def expit(z):
    """The score whose logit is z."""
    return 1 / (1 + np.exp(-np.asarray(z, np.float64)))


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
    return float(expit(mu - beta * np.log(-np.log1p(-p))))


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


def pot_fit(peaks: np.ndarray, k: int) -> tuple[float, np.ndarray] | None:
    """Peaks over threshold on a stream's declustered peaks (declustered_peaks, descending):
    (u, excesses), u the logit of the (k+1)-th and excesses the logits of the k largest minus u;
    None if there are fewer than k + 1 peaks."""
    z = logit(peaks[: k + 1])
    if len(z) < k + 1:
        return None
    return float(z[k]), z[:k] - z[k]


def exp_tail_rate(k, hours: float, u: float, sigma, threshold: float):
    """Wakes per day at `threshold` when peak logits above u (k of them in `hours`) are exponential
    with mean excess sigma (a generalised Pareto law with shape 0); k and sigma may be arrays."""
    return np.asarray(k) / hours * 24 * np.exp(-(float(logit(threshold)) - u) / np.maximum(sigma, 1e-3))


def pot_rate_per_day(peaks: np.ndarray, hours: float, threshold: float, k: int) -> float:
    """Peaks over threshold (the tail-only estimate of extreme-value statistics) on a stream's
    declustered peaks: the logits of the k largest above the (k+1)-th, u, are taken as exponential
    (a generalised Pareto law with shape 0), so the rate of peaks above x is
    k / hours * exp(-(x - u) / sigma), sigma their mean excess over u. Unlike the Gumbel fit to all
    block maxima it does not let quiet blocks (noise only) widen the tail."""
    fit = pot_fit(peaks, k)
    if fit is None:
        return float("nan")
    u, y = fit
    return float(exp_tail_rate(k, hours, u, float(np.mean(y)), threshold))


def pot_interval(peaks: np.ndarray, hours: float, threshold: float, k: int, conf: float = 0.9,
                 draws: int = 4000, seed: int = 0) -> tuple[float, float]:
    """A bootstrap `conf` interval of pot_rate_per_day: the k excesses resampled with replacement
    (sigma's uncertainty) and the count of peaks above u drawn from Poisson(k) (the rate's); both
    dominate the estimate's spread. (nan, nan) if there are too few peaks."""
    fit = pot_fit(peaks, k)
    if fit is None:
        return float("nan"), float("nan")
    u, y = fit
    rng = np.random.default_rng(seed)
    sig = y[rng.integers(0, k, (draws, k))].mean(1)
    r = exp_tail_rate(rng.poisson(k, draws), hours, u, sig, threshold)
    a = (1 - conf) / 2
    return float(np.quantile(r, a)), float(np.quantile(r, 1 - a))


def _gpd_loglik(y: np.ndarray, xi: float, log_sigma: np.ndarray) -> np.ndarray:
    """Log-likelihood of excesses y under GPD(xi, sigma) for each log sigma (-inf off the support)."""
    s = np.exp(log_sigma)[:, None]
    if abs(xi) < 1e-9:
        return -len(y) * log_sigma - (y[None, :] / s).sum(1)
    z = 1 + xi * y[None, :] / s
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = -len(y) * log_sigma - (1 + 1 / xi) * np.log(z).sum(1)
    return np.where((z > 0).all(1), ll, -np.inf)


_XI_GRID = np.round(np.arange(-0.9, 1.0001, 0.01), 2)
CHI2_1_90 = 2.705543454095404  # 90 % quantile of chi-squared with 1 degree of freedom


def _gpd_grid(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihood of excesses y on a grid: rows xi of _XI_GRID, columns sigma (2 % steps around
    mean(y)); returns (log-likelihood matrix, sigmas)."""
    y = np.asarray(y, np.float64)
    ls = np.log(max(float(np.mean(y)), 1e-6)) + np.arange(-3.0, 3.0, 0.02)
    return np.array([_gpd_loglik(y, float(xi), ls) for xi in _XI_GRID]), np.exp(ls)


def gpd_survival(x, xi, sigma) -> np.ndarray:
    """P(excess > x) under GPD(xi, sigma), arguments broadcast (at least 1-D); 0 beyond a bounded
    tail's end (xi < 0)."""
    x, xi, sigma = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, np.float64)) for v in (x, xi, sigma)))
    out = np.exp(-x / sigma)
    nz = np.abs(xi) >= 1e-9
    z = 1 + xi[nz] * x[nz] / sigma[nz]
    out[nz] = np.where(z > 0, np.maximum(z, 1e-300) ** (-1 / xi[nz]), 0.0)
    return out


def gpd_fit(y: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (shape xi, scale sigma) of a generalised Pareto law for excesses y > 0, on a
    grid (xi in [-0.9, 1] by 0.01). xi < 0: a bounded tail (it ends sigma / -xi above the base), which
    the exponential (xi = 0) overstates; xi > 0: a heavier tail, which it understates."""
    ll, sig = _gpd_grid(y)
    i, j = np.unravel_index(int(np.argmax(ll)), ll.shape)
    return float(_XI_GRID[i]), float(sig[j])


def gpd_shape_interval(y: np.ndarray) -> tuple[float, float]:
    """The 90 % profile-likelihood interval of the shape: the xi whose best log-likelihood is within
    chi2(1, 0.9) / 2 of the maximum (the grid's ends when the data cannot rule them out)."""
    ll, _ = _gpd_grid(y)
    prof = ll.max(1)
    ok = _XI_GRID[prof >= prof.max() - CHI2_1_90 / 2]
    return float(ok.min()), float(ok.max())


def gpd_survival_upper(y: np.ndarray, x: float) -> float:
    """The 90 % profile-likelihood upper bound of P(excess > x): the largest survival among the
    (xi, sigma) whose log-likelihood is within chi2(1, 0.9) / 2 of the maximum (the profile
    likelihood of a function of the parameters is its range over that region). As a two-sided
    interval's end it is a 95 % one-sided bound."""
    ll, sig = _gpd_grid(y)
    ok = ll >= ll.max() - CHI2_1_90 / 2
    surv = gpd_survival(x, _XI_GRID[:, None], sig[None, :])
    return float(surv[ok].max())
