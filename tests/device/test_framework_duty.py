"""Duty cycle with one event a minute (issue 6): device/app.py on VIRT_M4 with the ML engineer's
vibration bundle, the emulated MPU6886 and the framework's DutyMeter.

The event is 3 s of the bundle's replay (1 s normal running, then 2 s of imbalance); each minute
the machine runs that once and is at rest for the other 57 s (Replay loops + gap_s). With the
motion gate the pipeline sleeps in wake-on-motion mode while the machine rests; the periodic
loop (gate off: always sampling, reading the FIFO and inferring) is measured on the same replay
without the rest. The duty ratio is duty(gated, one event a minute) / duty(periodic), both from
the summary's DutyMeter numbers (awake_ms / elapsed).

Runs on a private QEMU with -icount shift=0,sleep=off: idle virtual time passes at once, awake
time is still counted instruction by instruction, so the numbers are the same as in real time."""
import json
import os
from pathlib import Path

import numpy as np
import pytest
from test_framework_util import DEVICE, REPO

EVENT = (6400, 11200)     # samples of the bundle replay: 1 s normal + 2 s imbalance at 1600 Hz


@pytest.fixture(scope="module")
def real_bundle():
    d = Path(os.environ.get("TINYDEV_VIBRATION_BUNDLE", REPO / "models" / "vibration"))
    if not (d / "vibration.tflite").exists() or not (d / "vibration-replay.bin").exists():
        pytest.skip(f"no vibration bundle with replay in {d}")
    return d


@pytest.fixture(scope="module")
def event_replay(real_bundle, tmp_path_factory):
    meta = json.loads((real_bundle / "vibration-replay.json").read_text())
    sig = np.fromfile(real_bundle / "vibration-replay.bin", "<i2").reshape(-1, 3)
    a, b = EVENT
    kinds = [(s["start"], s["end"], s["kind"]) for s in meta["segments"]]
    segs = []
    for s0, s1, kind in kinds:
        lo, hi = max(s0, a), min(s1, b)
        if lo < hi:
            segs.append({"start": lo - a, "end": hi - a, "kind": kind})
    assert [s["kind"] for s in segs] == ["normal", "imbalance"]
    d = tmp_path_factory.mktemp("duty")
    p = d / "event.bin"
    sig[a:b].astype("<i2").tofile(p)
    ev = dict(meta, samples=b - a, segments=segs)
    p.with_suffix(".json").write_text(json.dumps(ev))
    return p



def _events(text):
    return [json.loads(x) for x in text.splitlines() if x.strip().startswith("{")]


def _run(port, tmp_path, cfg):
    from board_link import mpremote
    c = tmp_path / "config.json"
    c.write_text(json.dumps(cfg))
    mpremote(port, "fs", "cp", str(c), ":/config.json")
    out = mpremote(port, "run", str(DEVICE / "app.py"), timeout=1800)
    assert "Traceback" not in out, out
    evs = _events(out)
    summ = [e for e in evs if e["event"] == "summary"]
    assert len(summ) == 1, out
    return evs, summ[0]


@pytest.mark.slow
def test_duty_one_event_a_minute_virt_m4(fast_vboard, real_bundle, event_replay, tmp_path):
    from board_link import mpremote
    port = fast_vboard.port
    for d in (":/models", ":/replay"):
        mpremote(port, "fs", "mkdir", d, check=False)
    mpremote(port, "fs", "cp", str(real_bundle / "vibration.tflite"), ":/models/vibration.tflite")
    mpremote(port, "fs", "cp", str(real_bundle / "vibration.json"), ":/models/vibration.json")
    mpremote(port, "fs", "cp", str(event_replay), ":/replay/vibration.bin", timeout=300)
    mpremote(port, "fs", "cp", str(event_replay.with_suffix(".json")), ":/replay/vibration.json")
    base = {"alarms": {"log": None}}

    # periodic loop: no gate, the machine running all the time (the event, 3 times)
    _, per = _run(port, tmp_path, dict(base, pipeline={"gate_motion_mg": 0}, sim={"loops": 3}))
    assert per["sleeps"] == 0 and per["windows"] > 800, per
    # event driven: one event a minute for two minutes
    evs_g, gated = _run(port, tmp_path, dict(base, sim={"loops": 2, "gap_s": 57}))
    # the same, idle time in lightsleep (tinydev.power around asyncio's idle wait)
    evs_l, slept = _run(port, tmp_path, dict(base, sim={"loops": 2, "gap_s": 57}, power={"lightsleep": True}))
    mpremote(port, "fs", "rm", ":/config.json")

    assert gated["virtual_s"] >= 119, gated
    assert gated["sleeps"] >= 2, gated                 # slept at rest after each event
    # every event's fault still raises its alarm (1 s into the event)
    onsets = [k * 60000 + 1000 for k in range(2)]
    alarms = [e for e in evs_g if e["event"] == "alarm" and e["kind"] == "anomaly"]
    assert len(alarms) == 2, evs_g
    lat = [a["t_ms"] - o for a, o in zip(alarms, onsets)]
    assert all(0 <= x < 2000 for x in lat), lat
    assert not [e for e in evs_g if e.get("kind") == "sensor_fault"], evs_g
    ratio = gated["duty"] / per["duty"]
    print("periodic", per)
    print("gated", gated)
    print("duty periodic %.4f gated %.4f ratio %.4f latencies %s" % (per["duty"], gated["duty"], ratio, lat))
    assert ratio < 0.10, (ratio, per, gated)

    # lightsleep: the same alarms, as soon after onset (within one 10 ms hop), and the idle
    # time is spent asleep
    print("lightsleep", slept)
    alarms_l = [e for e in evs_l if e["event"] == "alarm" and e["kind"] == "anomaly"]
    lat_l = [a["t_ms"] - o for a, o in zip(alarms_l, onsets)]
    print("latencies gated %s, with lightsleep %s" % (lat, lat_l))
    assert len(alarms_l) == len(alarms) and all(abs(a - b) <= 10 for a, b in zip(lat_l, lat)), (lat_l, lat)
    assert not [e for e in evs_l if e.get("kind") == "sensor_fault"], evs_l
    assert slept["sleep_mode"] == "sim-lightsleep" and slept["sleeps"] >= 119, slept   # max_ms 1000
    elapsed_ms = slept["awake_ms"] + slept["asleep_ms"]
    print("asleep in lightsleep %.4f of the time, awake %.4f" % (slept["slept"], slept["duty"]))
    assert slept["slept"] > 0.9, slept
    assert slept["slept_ms"] <= slept["asleep_ms"] and slept["slept_ms"] + slept["awake_ms"] <= elapsed_ms, slept
