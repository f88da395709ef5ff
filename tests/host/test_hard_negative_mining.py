"""Hard-negative mining of the keyword pipeline (steps.mine_hard_negatives on dataset.mining): the
mining background is training-voice speech made in chunks and cached apart from the training data,
and the windows mined from it are exactly the highest-scoring ones, labelled by their speech."""
import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))

from tinydev.ml.keyword import dataset
from tinydev.ml.keyword import steps
from tinydev.ml.keyword.config import CI
from tinydev.ml.keyword.recipe import Recipe

UNKNOWN, BACKGROUND = dataset.LABELS.index("unknown"), dataset.LABELS.index("background")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_mining_background_is_training_speech_made_in_chunks_and_cached(tmp_path):
    cfg = dataclasses.replace(CI, mine_minutes=0.3, everyday_chunk_minutes=0.2)
    mfcc, speech = dataset.mining(cfg, tmp_path)
    first, _, _, first_speech = dataset.stream(cfg, "train", 0.2, seed=400, confusables=cfg.mine_confusables)
    last, _, _, last_speech = dataset.stream(cfg, "train", 0.1, seed=401, confusables=cfg.mine_confusables)
    assert np.array_equal(mfcc, np.concatenate([first, last]))
    assert np.array_equal(speech, np.concatenate([first_speech, last_speech]))
    assert 0.2 < speech.mean() < 0.95  # talk with gaps, as the training stream
    assert len(list(tmp_path.glob("mining-*.npz"))) == 1
    again, again_speech = dataset.mining(cfg, tmp_path)
    assert np.array_equal(again, mfcc) and np.array_equal(again_speech, speech)
    longer = dataclasses.replace(cfg, mine_minutes=0.5)
    assert dataset._key(longer, dataset._MINING_KEYS) != dataset._key(cfg, dataset._MINING_KEYS)
    assert dataset._key(longer) == dataset._key(cfg)  # the training data does not depend on it


class _MeanScorer:
    """A stand-in for the first model: the wake posterior of a window is a logistic function of its
    mean, so which windows should be mined is known."""

    def predict(self, x, batch_size=None, verbose=0):
        wake = 1 / (1 + np.exp(-x.reshape(len(x), -1).mean(1) * 4))
        return np.stack([1 - wake, np.zeros_like(wake), wake], 1)


def _cached_mining_stream(cfg, work, frames):
    """A mining background written where dataset.mining looks: a ramp from quiet to loud frames
    (so later windows score higher), speech in frames 350-449 only (so the highest windows hold none)."""
    n = 600
    mfcc = np.repeat(np.linspace(-3, 3, n, dtype=np.float32)[:, None], 13, 1)
    speech = (np.arange(n) >= 350) & (np.arange(n) < 450)
    path = Path(work) / f"mining-{dataset._key(cfg, dataset._MINING_KEYS)}.npz"
    np.savez(path, mfcc=mfcc, speech=speech)
    return mfcc, speech


@pytest.mark.parametrize("mine_max, min_score, block", [(10_000, 0.6, 16384), (25, 0.1, 16384), (25, 0.1, 7)])
def test_mined_windows_are_the_highest_scoring_ones(tmp_path, monkeypatch, mine_max, min_score, block):
    monkeypatch.setattr(steps, "MINING_BLOCK", block)  # 7: scored in many blocks, same result
    frames = CI.frames
    cfg = dataclasses.replace(CI, mine_minutes=1.0, mine_stride=3, mine_max=mine_max, mine_min_score=min_score)
    mfcc, speech = _cached_mining_stream(cfg, tmp_path, frames)
    recipe = Recipe(frames, np.zeros(13, np.float32), np.ones(13, np.float32))
    x, y, summary = steps.mine_hard_negatives(_MeanScorer(), recipe, cfg, tmp_path)

    ends = np.arange(frames - 1, len(mfcc), cfg.mine_stride)
    scores = 1 / (1 + np.exp(-np.array([mfcc[e + 1 - frames:e + 1].mean() for e in ends]) * 4))
    above = np.sort(scores[scores >= min_score])[::-1]
    expect = above[:mine_max]
    assert summary["windows"] == len(ends) and summary["picked"] == len(expect) == len(x) > 0
    assert summary["above"]["0.5"] == int(np.sum(scores >= 0.5))
    got = 1 / (1 + np.exp(-x.reshape(len(x), -1).mean(1) * 4))
    np.testing.assert_allclose(got, expect, rtol=1e-5)  # the highest, highest first
    assert summary["lowest_picked_score"] == pytest.approx(expect[-1], rel=1e-5)
    # labels as the training stream's: unknown when >= 5 of the window's frames are speech
    last_frames = np.array([int(np.argmin(np.abs(mfcc[:, 0] - w[-1, 0]))) for w in x])
    speech_count = np.array([speech[e + 1 - frames:e + 1].sum() for e in last_frames])
    assert np.array_equal(y, np.where(speech_count >= 5, UNKNOWN, BACKGROUND))
    if mine_max < len(above):
        assert set(y) == {BACKGROUND}  # the loudest windows lie after the speech
    else:
        assert set(y) == {UNKNOWN, BACKGROUND}


def test_no_mining_background_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="asks for none"):
        dataset.mining(dataclasses.replace(CI, mine_minutes=0.0), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing cached
