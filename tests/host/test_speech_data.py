"""The keyword pipeline's speech data (tinydev.ml.data.speech): who may say the wake phrase,
the generated training voice variants, and wake phrases among other speech."""
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))

from tinydev.ml.data import espeak_variants as EV
from tinydev.ml.data import speech as S

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def test_wake_clips_come_only_from_voices_that_say_the_phrase():
    # espeak-ng reads "hi" with the language's own rules: "I" in h-dropping West Midlands English (a
    # hard negative, "I assistant"), "ee" in Portuguese, "he" in Danish and Dutch; Italian keeps "haI".
    assert S.phonemes("hi", "en-gb-x-gbcwmd") == "aI" and S.phonemes("hi", "nl") == "hi"
    assert S.says_wake("en-us", "hi assistant") and S.says_wake("it", "hi assistant")
    assert not any(S.says_wake(lang, "hi assistant") for lang in ("en-gb-x-gbcwmd", "pt", "da", "nl", "es"))
    test_wake = S.wake_voices("test", "hi assistant")
    assert set(test_wake) < set(S.voices("test")) and not any(v.startswith("en-gb-x-gbcwmd") for v in test_wake)
    assert any(v.startswith("en-us-nyc") for v in test_wake)  # held-out accents that keep the phrase stay
    js = S.jobs("test", ["hi assistant"] * 50, 3, wake="hi assistant")
    assert {j[1] for j in js} <= set(test_wake)
    assert [j[1] for j in S.jobs("test", ["yes"] * 50, 3)] != [j[1] for j in js]  # other speech: every voice


def test_generated_variants_are_new_training_voices(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYDEV_CACHE", str(tmp_path))
    assert EV.variant_text(3) == EV.variant_text(3) != EV.variant_text(4)
    train, held_out = set(S.voices("train")), set(S.voices("val")) | set(S.voices("test"))
    assert {f"en-us+{n}" for n in EV.names()} <= train
    assert not any(EV.is_generated(v.partition("+")[2]) for v in held_out)
    a, b = S.synth("hi assistant", "en-us+tdv3", 160, 50), S.synth("hi assistant", "en-us+tdv7", 160, 50)
    plain = S.synth("hi assistant", "en-us", 160, 50)
    assert np.array_equal(a, S.synth("hi assistant", "en-us+tdv3", 160, 50))  # seeded, cached data dir reused
    assert 0.4 < len(a) / S.FS < 1.5 and np.abs(a).max() > 0.1
    n = min(len(a), len(b), len(plain))
    assert not np.allclose(a[:n], plain[:n]) and not np.allclose(a[:n], b[:n])
    data = EV.data_path() / "espeak-ng-data"
    assert (data / "voices" / "!v" / "tdv3").read_text() == EV.variant_text(3)
    assert not (data / "voices" / "mb").exists()  # espeak-ng lists at most 349 voices
    last = subprocess.run(["espeak-ng", f"--path={data.parent}", "--stdout", "-v", f"en-us+{EV.names()[-1]}",
                           "hi"], capture_output=True, check=True)
    assert b"maximum number" not in last.stderr and len(last.stdout) > 1000  # every variant fits the list
    assert (data / "voices" / "!v" / "m3").is_symlink()  # the installed data is linked, not copied


def test_wake_phrase_among_other_speech_stays_whole():
    rng = np.random.default_rng(0)
    utt, before, after = np.full(16000, 0.5), np.full(20000, 0.2), np.full(9000, 0.3)
    for k in range(60):
        x, start, end = S.with_context(utt, before if k % 3 != 1 else None, after if k % 3 != 0 else None, rng)
        assert end - start == len(utt) and np.all(x[start:end] == 0.5)
        gap_before = start - (np.nonzero(x[:start])[0][-1] + 1 if np.any(x[:start]) else 0)
        assert (k % 3 == 1 and start == 0) or 0.05 * S.FS <= gap_before <= 0.6 * S.FS
        window = S.place_span(x, start, end, 20640, rng)
        assert np.sum(window == 0.5) == len(utt)  # the phrase is wholly inside the model's window
        clip, snr = S.clip(utt, 20640, "train", rng, context=(before, after))
        assert clip.dtype == np.int16 and len(clip) == 20640 and snr in S.SPLIT_SNRS["train"]


def test_everyday_background_has_no_confusable_phrase():
    rng = np.random.default_rng(1)
    everyday = [S.unknown_text(rng, stream=True, confusables=False) for _ in range(600)]
    rng = np.random.default_rng(1)
    stress = [S.unknown_text(rng, stream=True) for _ in range(600)]
    confusable = set(S.CONFUSABLES) | {"the " + c for c in S.CONFUSABLES}
    assert not confusable & set(everyday)
    assert 0.12 < sum(t in confusable for t in stress) / len(stress) < 0.28  # about 20 %


def test_training_stream_windows_are_labelled_by_the_speech_in_them():
    from tinydev.ml.keyword import config as C
    from tinydev.ml.keyword import dataset

    x, _, spans = S.background_stream("train", 20, 4, workers=2, spans=True)
    assert len(spans) >= 3 and all(0 <= a < b <= len(x) for a, b in spans)
    assert all(b1 < a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))  # in order, with gaps
    n = 1 + (len(x) - 480) // 320
    in_speech = np.zeros(len(x), bool)
    for a, b in spans:
        in_speech[a:b] = True
    speech = np.array([in_speech[320 * i:320 * i + 480].any() for i in range(n)])  # frame i: [320 i, 320 i + 480)
    mfcc, _, seconds, flags = dataset.stream(C.CI, "train", 20 / 60, seed=4)  # the same stream
    assert seconds == 20 and len(mfcc) == n and np.array_equal(flags, speech)
    frames = np.arange(n, dtype=np.float32)[:, None] * np.ones(13, np.float32)
    w, y = dataset.stream_windows(frames, speech, 64, 8)
    assert len(w) == len(y) == len(range(63, n, 8)) and np.array_equal(w[:, -1, 0], np.arange(63, n, 8))
    want = [speech[int(e) - 63:int(e) + 1].sum() >= 5 for e in w[:, -1, 0]]
    assert list(y == dataset.LABELS.index("unknown")) == want
    assert 0 < np.mean(want) < 1  # both kinds occur: speech and the gaps between utterances
    assert set(y.tolist()) <= {dataset.LABELS.index("unknown"), dataset.LABELS.index("background")}


def test_synthesis_cache_is_keyed_by_the_espeak_version(tmp_path, monkeypatch):
    # another espeak-ng release says the same text differently: its utterances must not come from
    # the cache another release filled
    monkeypatch.setenv("TINYDEV_CACHE", str(tmp_path))
    assert S.espeak_version().startswith("eSpeak NG")
    job = [("yes", "en-us", 160, 50)]
    first = S.synth_many(job)
    assert len(list((tmp_path / "speech").glob("utt-*.npz"))) == 1
    assert np.array_equal(S.synth_many(job)[0], first[0])      # same release: a cache hit, no new file
    assert len(list((tmp_path / "speech").glob("utt-*.npz"))) == 1
    monkeypatch.setattr(S, "espeak_version", lambda: "eSpeak NG text-to-speech: 9.99")
    S.synth_many(job)
    assert len(list((tmp_path / "speech").glob("utt-*.npz"))) == 2
