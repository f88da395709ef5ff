"""The keyword model pipeline end to end in its CI configuration (`tinydev model run keyword
--config ci`): espeak-ng speech, MFCCs, training, int8 conversion, check, verify, report, on a
tiny data set (its accuracy is only meant to be well above chance; the full run's report in
models/keyword/report holds the real numbers). Also: the committed bundle (models/keyword) is
intact and runs bit-exact on the UNIX firmware, and the device's detector script
(keyword_device_detect.py) reproduces the host's features, outputs and wakes."""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))
pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

from click.testing import CliRunner
from tinydev.ml import features as F
from tinydev.ml.commands import model
from tinydev.ml.data import speech as S
from tinydev.ml.keyword import detector as D
from tinydev.ml.keyword import tail as T
from tinydev.ml.keyword.recipe import Recipe, clip_mfcc, stream_mfcc

pytestmark = [pytest.mark.timeout(900),  # ~2-3 min on a busy 2-core machine
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")]

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "models" / "keyword"


def _unix_firmware():
    from tinydev.ml.vibration.steps import unix_firmware

    return unix_firmware()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("kws")
    r = CliRunner().invoke(model, ["run", "keyword", "--config", "ci", "--work", str(work)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    bundle = work / "bundle"
    return {"work": work, "bundle": bundle, "manifest": json.loads((bundle / "keyword.json").read_text()),
            "metrics": json.loads((work / "report" / "metrics.json").read_text())}


def test_speech_is_seeded_16k_and_voices_are_held_out():
    a = S.synth("hi assistant", "en-us+m3", 160, 50)
    assert np.array_equal(a, S.synth("hi assistant", "en-us+m3", 160, 50))
    assert 0.4 < len(a) / S.FS < 1.5 and np.abs(a).max() > 0.1
    tr, va, te = (set(S.voices(s)) for s in S.SPLITS)
    assert not (tr & te) and not (tr & va) and not (va & te)
    assert not set(S.SPLIT_SNRS["train"]) & set(S.SPLIT_SNRS["test"])
    r1, r2 = np.random.default_rng(1), np.random.default_rng(1)
    c1, snr1 = S.clip(a, 20640, "test", r1)
    c2, snr2 = S.clip(a, 20640, "test", r2)
    assert np.array_equal(c1, c2) and snr1 == snr2 and snr1 in S.SPLIT_SNRS["test"] and c1.dtype == np.int16


def test_vectorised_mfcc_is_the_feature_definition():
    x = (np.random.default_rng(0).standard_normal(20640) * 3000).astype(np.int16)
    ours = clip_mfcc(x[None], 64)[0]
    ref = F.mfcc_stream(x)[:64]
    assert F.max_rel_error(ours, ref) < 1e-5
    assert np.allclose(stream_mfcc(x)[:64], ours, atol=1e-4)


def test_detector_rule():
    p = np.array([0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.0, 0.0, 0.9, 0.9, 0.9], np.float32)
    # smooth 3: the mean reaches 0.9 at index 3; then 2 invocations are skipped and history cleared.
    assert D.detect(p, 3, 0.85, 2) == [3, 10]
    assert D.detect(p, 3, 0.95, 2) == []
    assert D.smoothed(p, 3).max() == pytest.approx(0.9)


def test_false_wake_tail_extrapolation():
    """The Gumbel fit to block maxima (logits) and its two uses are consistent: the threshold that
    predicts r wakes/day predicts r at that threshold, and higher thresholds predict fewer."""
    rng = np.random.default_rng(0)
    mx = 1 / (1 + np.exp(-rng.gumbel(-2.0, 0.8, 200)))  # block maxima whose logits are Gumbel(-2, 0.8)
    mu, beta = T.gumbel_fit(mx)
    assert mu == pytest.approx(-2.0, abs=0.25) and beta == pytest.approx(0.8, abs=0.15)
    th = T.gumbel_threshold(mx, 30.0, 0.1)
    assert T.gumbel_rate_per_day(mx, 30.0, th) == pytest.approx(0.1, rel=1e-6)
    assert T.gumbel_rate_per_day(mx, 30.0, min(0.9999, th + 0.0001)) < 0.1 < T.gumbel_rate_per_day(mx, 30.0, th - 0.01)
    assert list(T.block_maxima(np.arange(10.0), 4)) == [3.0, 7.0]


def test_peaks_over_threshold_rate():
    """Peaks over threshold recovers a known rate: 2000 events in 10 hours, isolated (80 invocations
    apart), whose logits are 2 + Exp(scale 0.7), on a quiet score; events above logit 6 happen
    200 x exp(-4 / 0.7) times per hour, 15.8/day."""
    rng = np.random.default_rng(1)
    score = np.full(2000 * 80, 0.01)
    z = 2 + rng.exponential(0.7, 2000)
    score[40::80] = 1 / (1 + np.exp(-z))
    score[41::80] = score[40::80] * 0.9  # an event's shoulder, declustered away
    want = 200 * 24 * np.exp(-4 / 0.7)
    peaks = T.declustered_peaks(score, 19, 50)
    assert len(peaks) == 50 and np.array_equal(peaks, np.sort(score[40::80])[::-1][:50])
    th = 1 / (1 + np.exp(-6))
    top = T.declustered_peaks(score, 19, 401)
    assert T.pot_rate_per_day(top, 10.0, th, 400) == pytest.approx(want, rel=0.3)
    assert want / 3 < T.pot_rate_per_day(top, 10.0, th, 40) < want * 3  # few peaks: a rough estimate
    assert T.pot_rate_per_day(top, 10.0, 0.9999, 40) < T.pot_rate_per_day(top, 10.0, 0.999, 40)
    few = T.declustered_peaks(score[:300], 19, 21)
    assert np.isnan(T.pot_rate_per_day(few, 1.0, 0.99, 20))  # room for 15 peaks: too few for k = 20


def test_bundle_manifest(run):
    m, bundle = run["manifest"], run["bundle"]
    tflite = (bundle / "keyword.tflite").read_bytes()
    assert m["sha256"] == hashlib.sha256(tflite).hexdigest() and len(tflite) <= 16384
    assert m["task"] == "keyword" and m["labels"][m["wake_index"]] == "wake" and m["wake_phrase"] == "hi assistant"
    f = m["features"]
    assert f["kind"] == "mfcc" and f["sample_rate"] == 16000 and f["n_mfcc"] == 13 and f["hop"] == 320
    assert m["input"]["shape"] == [1, f["frames"], 1, 13] and m["input"]["dtype"] == "int8"
    d = m["detector"]
    assert d["stride_frames"] >= 1 and d["smooth"] >= 1 and "smooth" in d["rule"]
    assert 0 < m["thresholds"]["wake"] < 1 and "validation" in m["training"]["threshold_rule"]


def test_check_and_verify(run):
    c, v = run["metrics"]["check"], run["metrics"]["verify"]
    assert c["unsupported"] == [] and c["arena_bytes"] > 0 and c["flash_bytes"] <= 16384
    assert v["tflm_vs_engine"]["bit_exact"] and v["tflm_vs_engine"]["inputs"] > 100
    if _unix_firmware() is not None:
        assert c["firmware_unsupported"] == []
        assert v["tflm_vs_unix_firmware"]["bit_exact"]
    assert v["decisions"]["agreement"] >= 0.95


def test_ci_model_is_well_above_chance(run):
    m = run["metrics"]
    assert m["accuracy"] >= 0.6  # three classes: chance is 1/3
    assert m["auc"] >= 0.8
    for key in ("stream", "everyday_stream"):
        assert m[key]["invocations"] > 1000 and m[key]["hours"] > 0


def test_training_mined_hard_negatives(run):
    from tinydev.ml.keyword.config import CI

    info = json.loads((run["work"] / "train.json").read_text())
    mn = info["mining"]
    assert mn["windows"] > 1000 and mn["minutes"] == CI.mine_minutes
    assert min(CI.mine_max, mn["above"]["0.2"]) <= mn["picked"] <= CI.mine_max
    assert len(mn["first_history"]["loss"]) == len(info["history"]["loss"]) == CI.epochs  # trained twice
    assert run["metrics"]["mining"]["picked"] == mn["picked"]


def test_report_files(run):
    rep = run["work"] / "report"
    for name in ("report.md", "roc.png", "score_histograms.png", "confusion.png", "stream_scores.png",
                 "metrics.json"):
        assert (rep / name).stat().st_size > 0
    text = (rep / "report.md").read_text()
    assert "false wakes" in text and "How false wakes per day are estimated" in text


# --- the committed bundle ------------------------------------------------------------------------

def _committed():
    tfl, man = COMMITTED / "keyword.tflite", COMMITTED / "keyword.json"
    if not tfl.exists():
        pytest.fail("models/keyword/keyword.tflite is missing")
    return tfl.read_bytes(), json.loads(man.read_text())


def test_committed_bundle_is_intact():
    tflite, m = _committed()
    assert m["sha256"] == hashlib.sha256(tflite).hexdigest() and m["bytes"] == len(tflite) <= 16384
    metrics = json.loads((COMMITTED / "report" / "metrics.json").read_text())
    assert metrics["model_bytes"] == len(tflite)
    assert (COMMITTED / "report" / "report.md").exists()


def test_committed_bundle_bit_exact_on_unix_firmware():
    from tinydev.ml.verify_engines import bit_exact, tflm_outputs, unix_firmware_outputs

    fw = _unix_firmware()
    if fw is None:
        pytest.skip("no build/UNIX/micropython")
    tflite, m = _committed()
    rng = np.random.default_rng(3)
    shape = m["input"]["shape"][1:]
    q = rng.integers(-128, 128, (150, *shape)).astype(np.int8)
    dev = unix_firmware_outputs(fw, tflite, q, len(m["labels"]))
    assert bit_exact(tflm_outputs(tflite, q), dev)["bit_exact"]


def test_device_detector_script_matches_host():
    """keyword_device_detect.py on the UNIX firmware over 12 s of held-out audio with wake phrases:
    its features match the host's to 1 LSB, its outputs are TFLM's bit for bit, and on the host's
    own inputs the host's detector fires at the same invocations."""
    from tinydev.ml.keyword.steps import int8_outputs, quantize
    from tinydev.ml.verify_engines import tflm_outputs

    fw = _unix_firmware()
    if fw is None:
        pytest.skip("no build/UNIX/micropython")
    tflite, m = _committed()
    wake = S.synth_many(S.jobs("test", ["hi assistant", "hi assistant!", "Hi assistant"], 5), "wake")
    x, _ = S.background_stream("test", 12, 9, inserts=wake)
    import tempfile

    with tempfile.TemporaryDirectory() as t:
        t = Path(t)
        (t / "a.raw").write_bytes(x.astype("<i2").tobytes())
        r = subprocess.run([str(fw), "-X", "heapsize=4M", str(Path(__file__).with_name("keyword_device_detect.py")),
                            str(COMMITTED), str(t / "a.raw"), str(t / "dev")], check=False, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
        dev = json.loads(r.stdout.strip().splitlines()[-1])
        f = m["features"]
        qin = np.frombuffer((t / "dev.in").read_bytes(), np.int8).reshape(-1, f["frames"], f["n_mfcc"])
        qout = np.frombuffer((t / "dev.out").read_bytes(), np.int8).reshape(len(qin), -1)
    assert dev["invocations"] == len(qin) > 100
    host_q, _ = D.windows(quantize(Recipe.from_manifest(f), stream_mfcc(x), m["input"]), f["frames"],
                          m["detector"]["stride_frames"])
    assert host_q.shape == qin.shape
    diff = np.abs(host_q.astype(int) - qin)
    assert diff.max() <= 1 and np.mean(diff > 0) < 1e-3  # float32 on the device, float64 here
    assert np.array_equal(tflm_outputs(tflite, qin), qout)
    d = m["detector"]
    p = D.wake_posterior(qout, m["output"], m["wake_index"])
    assert D.detect(p, d["smooth"], m["thresholds"]["wake"], d["refractory_invocations"]) == dev["fires"]
    host_p = D.wake_posterior(int8_outputs(tflite, host_q), m["output"], m["wake_index"])
    assert np.abs(host_p - p).max() < 0.1
