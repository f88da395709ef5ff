"""The vibration model pipeline end to end in its quick configuration (`tinydev model run
vibration --config quick`): data, training, int8 conversion, check, verify, report. Targets are
looser than the full run's (small test sets); the full run's report holds the real numbers."""
import json
import math
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
from tinydev.ml.data import vibration as V

pytestmark = pytest.mark.timeout(900)  # ~40 s of CPU; generous for a loaded machine


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("vib")
    r = CliRunner().invoke(model, ["run", "vibration", "--config", "quick", "--work", str(work)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    bundle = work / "bundle"
    return {"work": work, "bundle": bundle, "manifest": json.loads((bundle / "vibration.json").read_text()),
            "metrics": json.loads((work / "report" / "metrics.json").read_text())}


def test_generator_is_seeded_and_in_sensor_units():
    a = V.windows("inner_race", 4, "test", seed=5)
    assert np.array_equal(a, V.windows("inner_race", 4, "test", seed=5))
    assert not np.array_equal(a, V.windows("inner_race", 4, "test", seed=6))
    assert a.dtype == np.int16 and a.shape == (4, 512, 3)
    g = V.windows("normal", 8, "train").astype(float) / V.LSB_PER_G
    assert 0.9 < np.linalg.norm(g.mean(1), axis=1).mean() < 1.1  # gravity: 1 g


def test_bearing_frequencies_from_geometry():
    assert V.BEARING.bpfo(30.0) == pytest.approx(107.55, abs=0.05)
    assert V.BEARING.bpfi(30.0) == pytest.approx(162.45, abs=0.05)


def test_replay_files(tmp_path):
    samples, segs = V.stream([("normal", 0.5), ("outer_race", 0.25)], seed=1)
    binp, jsonp = V.write_replay(tmp_path / "r", samples, segs)
    meta = json.loads(jsonp.read_text())
    assert meta["sample_rate"] == 1600 and meta["lsb_per_g"] == 8192 and meta["axes"] == 3
    assert binp.stat().st_size == 1200 * 3 * 2
    assert [s["kind"] for s in meta["segments"]] == ["normal", "outer_race"]
    assert meta["segments"][1] == {"start": 800, "end": 1200, "kind": "outer_race"}
    back, _ = V.read_replay(tmp_path / "r")
    assert np.array_equal(back, samples)


def test_bundle_manifest(run):
    m, bundle = run["manifest"], run["bundle"]
    tflite = (bundle / "vibration.tflite").read_bytes()
    import hashlib

    assert m["sha256"] == hashlib.sha256(tflite).hexdigest()
    assert len(tflite) <= 8192
    assert m["task"] == "anomaly" and m["input"]["dtype"] == "int8" and m["output"]["dtype"] == "int8"
    f = m["features"]
    assert f["kind"] == "vibration" and f["sample_rate"] == 1600 and f["axes"] == 3
    n = f["axes"] * (4 + len(f["bands"]))
    assert m["input"]["shape"] == [1, n] and len(f["transform"]["mean"]) == n == len(m["score"]["weights"])
    assert m["thresholds"]["anomaly"] > 0


def _device_style_score(raw, m):
    """The manifest's recipe with nothing but math and lists, the way the device does it."""
    t, inp = m["features"]["transform"], m["input"]
    z = [(math.log(x + t["offset"]) - mu) * k for x, mu, k in zip(raw, t["mean"], t["inv_std"])]
    q = F.quantize_s8(np.array(z, np.float32), inp["scale"], inp["zero_point"])
    return q


def test_manifest_recipe_reproduces_the_model_input(run):
    from tinydev.ml.vibration.recipe import Recipe

    m = run["manifest"]
    w = V.windows("looseness", 3, "test", seed=9)
    recipe = Recipe.from_manifest(m["features"])
    for win in w:
        raw = F.vibration_features(win, 1600, recipe.bands, 3)
        ours = F.quantize_s8(recipe.transform(raw[None])[0], m["input"]["scale"], m["input"]["zero_point"])
        assert np.abs(ours.astype(int) - _device_style_score(raw, m).astype(int)).max() <= 1


def test_model_runs_on_the_firmware_engine(run):
    c = run["metrics"]["check"]
    assert c["unsupported"] == [] and c["arena_bytes"] > 0 and c["flash_bytes"] <= 8192


def test_verify_bit_exact(run):
    v = run["metrics"]["verify"]
    assert v["tflm_vs_engine"]["bit_exact"]
    if v["tflm_vs_unix_firmware"] is not None:
        assert v["tflm_vs_unix_firmware"]["bit_exact"]
    assert v["decisions"]["agreement"] >= 0.98


def test_quick_model_separates_faults(run):
    m = run["metrics"]
    assert m["false_alarm_rate"] <= 0.02
    assert m["detection_rate"] >= 0.95
    faults = [r for r in m["replay"] if r["kind"] != "normal"]
    assert sum(r["alarm"] for r in faults) >= len(faults) - 1


def test_report_files(run):
    rep = run["work"] / "report"
    for name in ("report.md", "roc.png", "score_histograms.png", "confusion.png", "replay_scores.png"):
        assert (rep / name).stat().st_size > 0
    assert "false alarms" in (rep / "report.md").read_text()


def test_device_recipe_on_unix_firmware(run):
    """The manifest's recipe in MicroPython (json/math/array + tinyml) gives the host's scores."""
    import subprocess

    from tinydev.ml.vibration.recipe import Recipe, raw_features, stream_windows
    from tinydev.ml.vibration.steps import int8_scores, unix_firmware

    fw = unix_firmware()
    if fw is None:
        pytest.skip("no build/UNIX/micropython")
    script = Path(__file__).with_name("vibration_device_score.py")
    r = subprocess.run([str(fw), str(script), str(run["bundle"])], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    dev = np.array(json.loads(r.stdout.strip().splitlines()[-1]))
    m = run["manifest"]
    recipe = Recipe.from_manifest(m["features"])
    x, _ = V.read_replay(run["bundle"] / "vibration-replay")
    feats = raw_features(stream_windows(x, recipe.window, recipe.hop), V.FS, recipe.bands)
    host, _, _ = int8_scores((run["bundle"] / "vibration.tflite").read_bytes(), recipe.transform(feats),
                             np.array(m["score"]["weights"], np.float32))
    assert len(dev) == len(host)
    assert np.allclose(dev, host, rtol=1e-4, atol=1e-5)
    th = m["thresholds"]["anomaly"]
    assert np.array_equal(dev > th, host > th)
