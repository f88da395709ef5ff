"""The false-wake extrapolations of the keyword report (tinydev.ml.keyword.tail and report._tail)
on synthetic scores whose tail is known, and the chunked everyday background they run on."""
import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))
pytest.importorskip("matplotlib")

from tinydev.ml.keyword import dataset
from tinydev.ml.keyword import report as R
from tinydev.ml.keyword import tail as T
from tinydev.ml.keyword.config import CI


def _gpd(rng, xi, sigma, n):
    """GPD(xi, sigma) samples by inversion."""
    u = rng.uniform(size=n)
    return sigma * np.expm1(-xi * np.log(u)) / xi if xi else rng.exponential(sigma, n)


def _events_score(rng, hours, per_hour, base, xi, sigma, spacing=80):
    """A quiet smoothed score with isolated events (`spacing` invocations apart) whose logits are
    base + GPD(xi, sigma); returns (score, events per day above a logit x as a function)."""
    n = int(hours * per_hour)
    score = np.full(n * spacing, 0.01)
    score[spacing // 2::spacing] = 1 / (1 + np.exp(-(base + _gpd(rng, xi, sigma, n))))

    def per_day(x):
        y = x - base
        tail = np.exp(-y / sigma) if xi == 0 else max(1 + xi * y / sigma, 0.0) ** (-1 / xi)
        return per_hour * 24 * tail
    return score, per_day


def test_pot_interval_covers_the_true_rate():
    """Exponential tails (200 events/h, logits 2 + Exp(0.7)) over 10 h: the 90 % bootstrap interval
    of the k = 20 estimate at logit 6 (15.8/day) holds the true rate in about 90 % of 40 streams,
    and always holds its own estimate."""
    th = 1 / (1 + np.exp(-6.0))
    hits = 0
    for r in range(40):
        score, per_day = _events_score(np.random.default_rng(100 + r), 10.0, 200, 2.0, 0.0, 0.7)
        peaks = T.declustered_peaks(score, 19, 21)
        lo, hi = T.pot_interval(peaks, 10.0, th, 20, draws=2000)
        assert lo <= T.pot_rate_per_day(peaks, 10.0, th, 20) <= hi
        hits += lo <= per_day(6.0) <= hi
    assert 30 <= hits <= 40
    lo, hi = T.pot_interval(T.declustered_peaks(score[:300], 19, 21), 1.0, th, 20)
    assert np.isnan(lo) and np.isnan(hi)  # too few peaks


@pytest.mark.parametrize("xi", [0.0, 0.25])
def test_gpd_upper_bound_covers_the_true_rate(xi):
    """The fitted tail's upper bound of wakes per day at 0.99 (95 % bounds on the rate of peaks over
    the base and on the tail beyond it), on 12 h streams of 40 events/h with logits 2 + GPD(xi, 0.7):
    at least the true rate in most of 20 streams."""
    x = float(T.logit(0.99))
    covered = 0
    for r in range(20):
        score, per_day = _events_score(np.random.default_rng(200 + r), 12.0, 40, 2.0, xi, 0.7)
        t = R._tail(score, CI, 0.99, 12.0, 19)["tail"]
        covered += t["shape"]["per_day_upper"] >= per_day(x)
    assert covered >= 18


def test_gpd_survival():
    x = np.array([0.0, 1.0, 2.0])
    assert np.allclose(T.gpd_survival(x, 0.0, 0.5), np.exp(-x / 0.5))
    assert np.allclose(T.gpd_survival(x, 0.5, 1.0), (1 + 0.5 * x) ** -2)
    assert np.allclose(T.gpd_survival(x, -0.5, 1.0), [1.0, 0.25, 0.0])  # ends at sigma / 0.5 = 2
    assert T.gpd_survival(3.0, np.array([[-0.5], [0.0]]), np.array([1.0, 2.0])).shape == (2, 2)


@pytest.mark.parametrize("xi", [-0.3, 0.0, 0.25])
def test_gpd_fit_recovers_the_shape(xi):
    y = _gpd(np.random.default_rng(7), xi, 0.7, 600)
    fit_xi, sigma = T.gpd_fit(y)
    lo, hi = T.gpd_shape_interval(y)
    assert fit_xi == pytest.approx(xi, abs=0.1) and sigma == pytest.approx(0.7, rel=0.15)
    assert lo <= xi <= hi and lo <= fit_xi <= hi and hi - lo < 0.35
    if xi:
        assert (hi < 0) if xi < 0 else (lo > 0)  # 600 excesses tell a bounded or heavy tail from exponential


def test_tail_of_a_bounded_background(tmp_path):
    """A background whose peaks have a bounded tail (shape -0.3, ending at logit 2 + 0.7 / 0.3 = 4.33,
    a score of 0.987): the report finds a negative shape, says the exponential estimate leans high,
    and its numbers, sentence and plot are made."""
    score, per_day = _events_score(np.random.default_rng(3), 12.0, 40, 2.0, -0.3, 0.7)
    hours, gap, th = 12.0, 19, 0.99
    t = R._tail(score, CI, th, hours, gap)["tail"]
    assert per_day(float(T.logit(th))) == 0.0
    sh = t["shape"]
    assert sh["xi_interval_90"][1] < 0 and sh["end_score"] < th and sh["per_day"] == 0.0
    assert sh["per_day_upper"] > 0  # the region the data allow still holds tails that reach 0.99
    k = str(t["pot_quoted_k"])
    lo, hi = t["pot_interval_90"]
    assert 0 < lo <= t["pot_per_day"][k] <= hi  # the exponential's positive (high-leaning) estimate
    stream = {"hours": hours, "false_wakes": 0, "false_wakes_per_day": 0.0, "false_wakes_per_day_95_upper": 6.0,
              "max_smoothed_score": float(score.max()), "tail": t}
    levels, per_day_counted = R._counted_curve(score, hours, gap)
    assert levels[0] == pytest.approx(score.max()) and per_day_counted[0] == pytest.approx(24 / hours)
    assert len(levels) == 400 and np.all(np.diff(levels) <= 0) and np.all(np.diff(per_day_counted) > 0)
    assert t["pot_base_score"] == pytest.approx(levels[20])
    text = R._tail_sentence("Everyday", stream, th)
    assert "leans high" in text and f"{t['pot_per_day'][k]:.3g}/day" in text
    assert "90 % interval" in R._false_wake_rows("everyday", stream)[1]
    R._plot_tail({"everyday": (stream, score)}, th, gap, tmp_path / "false_wakes.png")
    assert (tmp_path / "false_wakes.png").stat().st_size > 10_000


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_everyday_background_is_made_in_chunks_and_cached(tmp_path):
    cfg = dataclasses.replace(CI, test_everyday_minutes=0.5, everyday_chunk_minutes=0.2)
    mfcc, seconds = dataset.everyday(cfg, tmp_path)
    assert seconds == pytest.approx(30.0, abs=0.01)
    first, _, s0, _ = dataset.stream(cfg, "test", 0.2, seed=150, confusables=False)
    last, _, s2, _ = dataset.stream(cfg, "test", 0.1, seed=152, confusables=False)
    assert s0 == pytest.approx(12.0) and s2 == pytest.approx(6.0)
    assert np.array_equal(mfcc[:len(first)], first) and np.array_equal(mfcc[-len(last):], last)
    assert len(mfcc) > len(first) + len(last)  # the middle chunk is there too
    files = list(tmp_path.glob("everyday-*.npz"))
    assert len(files) == 1
    again, s = dataset.everyday(cfg, tmp_path)
    assert np.array_equal(again, mfcc) and s == seconds
    longer = dataclasses.replace(cfg, test_everyday_minutes=0.6)
    assert dataset._key(longer, dataset._EVERYDAY_KEYS) != dataset._key(cfg, dataset._EVERYDAY_KEYS)
    assert dataset._key(longer) == dataset._key(cfg)  # the training data does not depend on it
