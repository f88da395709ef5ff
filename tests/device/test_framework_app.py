"""End to end: device/app.py (vibration anomaly detector) on the emulated IMU with a replay,
a model bundle, alarms as JSON lines, injected sensor faults, duty cycle. UNIX and VIRT_M4.

Most tests use a tiny model trained here (test_framework_util.make_model) on synthetic replays;
the *_real_bundle tests run the ML engineer's bundle and its replay (models/vibration/, or the
folder in TINYDEV_VIBRATION_BUNDLE) and skip when it is absent."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_framework_util import DEVICE, REPO, make_model, make_replay

ANOMALY = (6.0, 10.0)           # seconds, the replay's non-normal segment
FAULTS = [{"kind": "nack", "start": 2.0, "end": 2.6},
          {"kind": "stuck", "start": 3.5, "end": 4.5},
          {"kind": "noirq", "start": 12.0, "end": 13.5}]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory):
    d = tmp_path_factory.mktemp("bundle")
    make_model(d / "vibration")
    shutil.rmtree(d / "_train", ignore_errors=True)
    return d / "vibration"


@pytest.fixture(scope="session")
def replay(tmp_path_factory):
    d = tmp_path_factory.mktemp("replay")
    return make_replay(d / "vibration.bin", secs=16,
                       segments=[(0, ANOMALY[0], "normal"), (ANOMALY[0], ANOMALY[1], "anomaly"),
                                 (ANOMALY[1], 16, "normal")], seed=7)


def events(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def run_app_unix(fw, tmp_path, cfg):
    cfgp = tmp_path / "config.json"
    cfgp.write_text(json.dumps(cfg))
    p = subprocess.run([str(fw), str(DEVICE / "app.py")], capture_output=True, text=True, timeout=300,
                       env={"MICROPYPATH": f"{DEVICE}:.frozen", "TINYDEV_CONFIG": str(cfgp)}, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p.stdout, events(p.stdout)


def check_run(evs, faults=False):
    summ = [e for e in evs if e["event"] == "summary"]
    assert len(summ) == 1, evs
    s = summ[0]
    anomaly = [e for e in evs if e["event"] == "alarm" and e["kind"] == "anomaly"]
    # exactly one anomaly alarm, inside the anomaly segment, raised within 2 s of its onset
    assert len(anomaly) == 1, evs
    a = anomaly[0]
    latency = a["t_ms"] - ANOMALY[0] * 1000
    assert 0 <= latency <= 2000, a
    clear = [e for e in evs if e["event"] == "clear" and e["kind"] == "anomaly"]
    assert clear and ANOMALY[1] * 1000 <= clear[0]["t_ms"] <= ANOMALY[1] * 1000 + 3000, evs
    assert s["windows"] >= (40 if faults else 55)
    # the machine runs all the time in this replay: awake = one decision every 10 ms (hop_ms) plus the
    # emulated I2C; the one-event-a-minute duty target is test_framework_duty.py's
    assert s["duty"] < 0.3, s
    assert s["awake_ms"] + s["asleep_ms"] >= 15000
    if faults:
        sf = {e["fault"]: e for e in evs if e["event"] == "alarm" and e["kind"] == "sensor_fault"}
        assert set(sf) >= {"bus", "stuck", "irq"}, evs
        assert 2000 <= sf["bus"]["t_ms"] <= 2600
        assert 3500 <= sf["stuck"]["t_ms"] <= 3500 + 1500
        assert 12000 <= sf["irq"]["t_ms"] <= 13500
        rec = [e for e in evs if e["event"] == "recovered"]
        assert rec and rec[0]["fault"] == "bus" and 2600 <= rec[0]["t_ms"] <= 3200, evs
    else:
        # no injected faults: no bus/stuck faults. On the unix port the emulator runs on the host
        # clock, so a host stall (2 shared cores) can overflow the FIFO: tolerated there.
        bad = [e for e in evs if e.get("kind") == "sensor_fault" and e.get("fault") not in ("overflow", "irq")]
        assert not bad, evs
    return latency, s


def test_app_unix_replay(unix_fw, bundle, replay, tmp_path):
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(bundle), "replay": str(replay),
                                                "alarms": {"log": str(tmp_path / "log/alarms.log")}})
    latency, s = check_run(evs)
    log = (tmp_path / "log/alarms.log").read_text().splitlines()
    assert any(json.loads(x)["event"] == "alarm" for x in log)
    print("UNIX latency_ms", latency, "summary", s)


def test_app_unix_faults(unix_fw, bundle, replay, tmp_path):
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(bundle), "replay": str(replay), "alarms": {"log": None},
                                                "sim": {"faults": FAULTS}})
    print(out)
    latency, s = check_run(evs, faults=True)
    assert s["sim"]["resets"] == 1 and s["sim"]["lost_edges"] >= 1
    print("UNIX+faults latency_ms", latency, "summary", s)


def test_app_unix_mpu6050_timed(unix_fw, bundle, replay, tmp_path):
    """The emulated chip is an MPU6050 (no FIFO watermark): the pipeline drains on a timer."""
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(bundle), "replay": str(replay), "alarms": {"log": None},
                                                "sim": {"part": "mpu6050"}})
    assert evs[0]["event"] == "start" and evs[0]["imu"] == "mpu6050" and evs[0]["watermark"] == 0
    latency, s = check_run(evs)
    print("UNIX mpu6050 latency_ms", latency, "summary", s)


def test_app_unix_no_model(unix_fw, replay, tmp_path):
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(tmp_path / "nothing/vibration"), "replay": str(replay)})
    assert evs and evs[0]["event"] == "error" and evs[0]["kind"] == "model"
    assert "no model" in evs[0]["msg"] and "no usable model" in out


def test_app_unix_tampered_model(unix_fw, bundle, replay, tmp_path):
    bad = tmp_path / "m"
    bad.mkdir()
    shutil.copy(bundle.with_suffix(".json"), bad / "vibration.json")
    blob = bytearray(bundle.with_suffix(".tflite").read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (bad / "vibration.tflite").write_bytes(bytes(blob))
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(bad / "vibration"), "replay": str(replay)})
    assert evs[0]["event"] == "error" and "refused" in evs[0]["msg"] and "sha256" in evs[0]["msg"], evs


@pytest.mark.slow
def test_app_virt_m4_replay_with_faults(vboard, bundle, replay, tmp_path):
    from board_link import mpremote
    port = vboard.port
    for d in (":/models", ":/replay"):
        mpremote(port, "fs", "mkdir", d, check=False)
    mpremote(port, "fs", "cp", str(bundle.with_suffix(".tflite")), ":/models/vibration.tflite")
    mpremote(port, "fs", "cp", str(bundle.with_suffix(".json")), ":/models/vibration.json")
    mpremote(port, "fs", "cp", str(replay), ":/replay/vibration.bin", timeout=300)
    mpremote(port, "fs", "cp", str(replay.with_suffix(".json")), ":/replay/vibration.json")
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"sim": {"faults": FAULTS}}))
    mpremote(port, "fs", "cp", str(cfg), ":/config.json")
    out = mpremote(port, "run", str(DEVICE / "app.py"), timeout=300)
    assert "Traceback" not in out, out
    latency, s = check_run(events(out), faults=True)
    print("VIRT_M4 latency_ms", latency, "summary", s)
    mpremote(port, "fs", "rm", ":/config.json")


# --- the ML engineer's bundle (models/vibration/, or TINYDEV_VIBRATION_BUNDLE=<dir>) ------------

@pytest.fixture(scope="session")
def real_bundle():
    d = Path(os.environ.get("TINYDEV_VIBRATION_BUNDLE", REPO / "models" / "vibration"))
    if not (d / "vibration.tflite").exists() or not (d / "vibration-replay.bin").exists():
        pytest.skip(f"no vibration bundle with replay in {d}")
    return d


def check_real(evs, replay_meta):
    """Every fault segment raises an anomaly alarm; no alarm starts in a normal segment."""
    rate = replay_meta["sample_rate"]
    segs = [(s["start"] * 1000 / rate, s["end"] * 1000 / rate, s["kind"]) for s in replay_meta["segments"]]
    alarms = [e for e in evs if e["event"] == "alarm" and e["kind"] == "anomaly"]
    latencies = []
    for a, b, kind in segs:
        if kind == "normal":
            continue
        hit = [e for e in alarms if a <= e["t_ms"] < b]
        assert hit, (kind, a, b, evs)
        latencies.append(hit[0]["t_ms"] - a)
    for e in alarms:
        kind = next(k for a, b, k in segs if a <= e["t_ms"] < b + 1)
        assert kind != "normal", ("false alarm", e, evs)
    summ = [e for e in evs if e["event"] == "summary"][0]
    assert summ["alarms"] >= len(latencies)
    return latencies, summ


def test_app_unix_real_bundle(unix_fw, real_bundle, tmp_path):
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(real_bundle / "vibration"),
                                                "replay": str(real_bundle / "vibration-replay.bin"),
                                                "alarms": {"log": None}})
    meta = json.loads((real_bundle / "vibration-replay.json").read_text())
    latencies, s = check_real(evs, meta)
    print("UNIX real bundle latencies_ms", latencies, "summary", s)


# The real bundle on VIRT_M4 is covered by test_framework_latency.py (all five fault onsets and the
# normal parts between them, on a fast-idle board): the whole 30 s replay on a real-time board took
# over 15 minutes at the 10 ms decision hop.
