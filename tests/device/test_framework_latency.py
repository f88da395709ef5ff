"""Detection latency of the real vibration bundle (issue 6 mission: < 50 ms from fault onset to
alarm, in virtual time), app.py with the default config (decision hop 10 ms, the manifest's
2-window confirmation), no false alarm on normal parts.

The replay is cut from the bundle's: for each of the five faults, the 2 s of normal running
before its onset and its first second (15 s, so VIRT_M4 runs it in minutes on a private QEMU
with -icount shift=0,sleep=off). Every fault must alarm 0-50 ms after its onset (virtual time
on VIRT_M4), nothing may alarm in a normal part, and there is no sensor fault."""
import json
import os
from pathlib import Path

import numpy as np
import pytest

from test_framework_util import DEVICE, REPO

NORMAL, FAULT = 3200, 1600          # samples (1600 Hz): 2 s before each onset, 1 s of the fault


@pytest.fixture(scope="module")
def onset_replay(tmp_path_factory):
    d = Path(os.environ.get("TINYDEV_VIBRATION_BUNDLE", REPO / "models" / "vibration"))
    if not (d / "vibration.tflite").exists() or not (d / "vibration-replay.bin").exists():
        pytest.skip(f"no vibration bundle with replay in {d}")
    meta = json.loads((d / "vibration-replay.json").read_text())
    sig = np.fromfile(d / "vibration-replay.bin", "<i2").reshape(-1, 3)
    chunks, segs, pos = [], [], 0
    for s in meta["segments"]:
        if s["kind"] == "normal":
            continue
        a = s["start"]
        assert a >= NORMAL and s["end"] - a >= FAULT
        chunks.append(sig[a - NORMAL:a + FAULT])
        segs += [{"start": pos, "end": pos + NORMAL, "kind": "normal"},
                 {"start": pos + NORMAL, "end": pos + NORMAL + FAULT, "kind": s["kind"]}]
        pos += NORMAL + FAULT
    out = tmp_path_factory.mktemp("latency") / "onsets.bin"
    np.concatenate(chunks).astype("<i2").tofile(out)
    out.with_suffix(".json").write_text(json.dumps(dict(meta, samples=pos, segments=segs)))
    return d, out


def check(evs, meta, limit_ms):
    rate = meta["sample_rate"]
    segs = [(s["start"] * 1000 / rate, s["end"] * 1000 / rate, s["kind"]) for s in meta["segments"]]
    alarms = [e for e in evs if e["event"] == "alarm" and e["kind"] == "anomaly"]
    lat = []
    for a, b, kind in segs:
        if kind == "normal":
            continue
        hit = [e for e in alarms if a <= e["t_ms"] < b]
        assert hit, (kind, a, evs)
        lat.append(hit[0]["t_ms"] - a)
    for e in alarms:
        kind = next(k for a, b, k in segs if a <= e["t_ms"] < b + 1)
        assert kind != "normal", ("false alarm", e)
    assert not [e for e in evs if e.get("kind") == "sensor_fault"], evs
    assert all(0 <= x < limit_ms for x in lat), lat
    return lat



@pytest.mark.slow
def test_latency_real_bundle_virt_m4(fast_vboard, onset_replay, tmp_path):
    from board_link import mpremote
    bundle, replay = onset_replay
    port = fast_vboard.port
    for d in (":/models", ":/replay"):
        mpremote(port, "fs", "mkdir", d, check=False)
    mpremote(port, "fs", "cp", str(bundle / "vibration.tflite"), ":/models/vibration.tflite")
    mpremote(port, "fs", "cp", str(bundle / "vibration.json"), ":/models/vibration.json")
    mpremote(port, "fs", "cp", str(replay), ":/replay/vibration.bin", timeout=300)
    mpremote(port, "fs", "cp", str(replay.with_suffix(".json")), ":/replay/vibration.json")
    c = tmp_path / "config.json"
    c.write_text(json.dumps({"alarms": {"log": None}}))
    mpremote(port, "fs", "cp", str(c), ":/config.json")
    out = mpremote(port, "run", str(DEVICE / "app.py"), timeout=1800)
    mpremote(port, "fs", "rm", ":/config.json")
    assert "Traceback" not in out, out
    evs = [json.loads(x) for x in out.splitlines() if x.strip().startswith("{")]
    start = evs[0]
    assert start["event"] == "start" and start["hop"] == 16 and start["window"] == 512, start
    lat = check(evs, json.loads(replay.with_suffix(".json").read_text()), 50)
    print("VIRT_M4 latencies_ms", lat, [e for e in evs if e["event"] == "summary"])
