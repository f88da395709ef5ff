"""The demo's shorter replay: the recording cut to its first N faults, sample-exact."""
import json

import numpy as np
from tinydev.demo.run import cut_replay

RATE = 100
SEGMENTS = [{"start": 0, "end": 500, "kind": "normal"}, {"start": 500, "end": 800, "kind": "a"},
            {"start": 800, "end": 1000, "kind": "normal"}, {"start": 1000, "end": 1300, "kind": "b"},
            {"start": 1300, "end": 1500, "kind": "normal"}, {"start": 1500, "end": 1800, "kind": "c"},
            {"start": 1800, "end": 2000, "kind": "normal"}]


def recording(tmp_path):
    n = 2000
    data = np.stack([np.arange(n), -np.arange(n), np.full(n, 7)], 1).astype("<i2")  # x = sample index
    path = tmp_path / "rec.bin"
    data.tofile(path)
    sidecar = {"sample_rate": RATE, "axes": 3, "samples": n, "lsb_per_g": 8192, "segments": SEGMENTS}
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path, sidecar


def test_cut_to_two_faults(tmp_path):
    path, sidecar = recording(tmp_path)
    cut, meta = cut_replay(path, sidecar, 2, tmp_path, lead_s=2.0)
    x = np.fromfile(cut, dtype="<i2").reshape(-1, 3)[:, 0]
    assert x[0] == 300 and x[-1] == 1499 and len(x) == meta["samples"] == 1200
    assert [(s["kind"], s["start"], s["end"]) for s in meta["segments"]] == [
        ("normal", 0, 200), ("a", 200, 500), ("normal", 500, 700), ("b", 700, 1000), ("normal", 1000, 1200)]
    assert json.loads(cut.with_suffix(".json").read_text()) == meta
    assert meta["lsb_per_g"] == 8192 and meta["cut_from"] == {"file": "rec.bin", "start": 300, "end": 1500}


def test_all_faults_or_zero_keeps_the_recording(tmp_path):
    path, sidecar = recording(tmp_path)
    assert cut_replay(path, sidecar, 0, tmp_path) == (path, sidecar)
    assert cut_replay(path, sidecar, 3, tmp_path) == (path, sidecar)
    _, meta = cut_replay(path, sidecar, 1, tmp_path, lead_s=10.0)  # the lead stops at the start
    assert meta["segments"][0] == {"start": 0, "end": 500, "kind": "normal"} and meta["samples"] == 1000
