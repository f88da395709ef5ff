"""LSM6DSOX and BMI270 drivers against their emulators, on UNIX (sim bus) and VIRT_M4 (machine.I2C
with attached emulated devices): init sequence, chip id, scaling, FIFO order, watermark and
data-ready interrupts, FIFO overflow -> reported and realigned, NACK -> SensorError("bus") ->
recovery, the motion gate (wake-on-motion) and, for the BMI270, the config-blob upload protocol
with the blob from the installed micropython-bmi270 package (never in this repo)."""
import json
import subprocess

import pytest

from test_framework_util import DEVICE, make_replay

CHECKS = r'''
import json, time, array
from tinydev.board import Board
from tinydev.sim.replay import Replay
from tinydev.drivers import SensorError
if PART == "lsm6dsox":
    from tinydev.sim.lsm6dsox import LSM6DSOXSim as Sim
    from tinydev.drivers.lsm6dsox import LSM6DSOX as Drv
    ADDR, RATE, REGS = 0x6A, 416, (0x10, 0x12, 0x07, 0x09, 0x0A, 0x0D, 0x56, 0x5C)
else:
    from tinydev.sim.bmi270 import BMI270Sim as Sim
    from tinydev.drivers.bmi270 import BMI270 as Drv
    ADDR, RATE, REGS = 0x68, 400, (0x40, 0x41, 0x48, 0x49, 0x53, 0x58, 0x7C, 0x7D)

b = Board()
i2c = b.i2c()
pin = b.pin(7)
out = {}

def sim_for(faults=(), replay=None):
    i2c.detach(ADDR) if hasattr(i2c, "detach") else None
    s = Sim(Replay(replay or REPLAY), int_pin=pin)
    for f in faults:
        s.inject(*f)
    i2c.attach(ADDR, s)
    return s

def drv(**kw):
    if PART == "bmi270":
        kw.setdefault("config_blob", BLOB)
    kw.setdefault("rate", RATE)
    return Drv(i2c, ADDR, int_pin=pin, **kw)

# 1. init sequence
s = sim_for()
d = drv(range_g=4, watermark=40)
d.init()
out["init"] = {"part": d.part, "rate": d.rate, "regs": [s.regs[r] for r in REGS], "scan": i2c.scan()}
if PART == "bmi270":
    out["init"]["uploads"] = s.uploads
    out["init"]["upload_errors"] = s.upload_errors

# 2. the wrong chip at the address
from tinydev.sim.mpu6050 import MPU6050Sim
i2c.attach(ADDR, MPU6050Sim(Replay(REPLAY), part="mpu6886"))
try:
    drv().init()
    out["wrong_chip"] = None
except SensorError as e:
    out["wrong_chip"] = [e.kind, str(e)]

# 3. scaling: the replay is at 8192 LSB/g (+-4 g); z = 1 g
sc = {}
for g in (2, 4, 8, 16):
    s = sim_for()
    d = drv(range_g=g)
    d.init()
    time.sleep_ms(20)
    sc[str(g)] = [d.lsb_per_g, d.read_raw()[2], d.read_accel()[2]]
out["scaling"] = sc

# 4. FIFO order + watermark interrupt
s = sim_for()
d = drv(range_g=4, watermark=40)
hits = []
def h(p):
    hits.append(time.ticks_ms())
d.irq(h)
d.init()
t0 = time.ticks_ms()
while not hits and time.ticks_diff(time.ticks_ms(), t0) < 1000:
    s.advance()
    time.sleep_ms(2)
dt = time.ticks_diff(hits[0], t0) if hits else None
n0 = d.fifo_count()
buf = array.array("h", bytearray(6 * 200))
n = d.read_fifo_into(buf)
rp = Replay(REPLAY)
# the chip samples the replay (500 Hz) at its own rate: each FIFO sample is the replay sample
# 1 or 2 after the previous one (500/416, 500/400), in order, none repeated or out of place
k = [i for i in range(600) if rp.sample(i) == (buf[0], buf[1], buf[2])]
ok = bool(k) and n > 1
p = k[0] if k else 0
for j in range(1, n):
    m = [c for c in (p + 1, p + 2) if rp.sample(c) == (buf[3 * j], buf[3 * j + 1], buf[3 * j + 2])]
    if not m:
        ok = False
        break
    p = m[0]
out["fifo"] = {"irqs": len(hits), "irq_ms": dt, "count_at_irq": n0, "read": n, "consecutive": ok, "after": d.fifo_count()}

# 5. data-ready interrupt
s = sim_for()
d = drv(data_ready=True)
hits.clear()
d.irq(h)
d.init()
for _ in range(5):
    time.sleep_ms(10)
    s.advance()
    if hits:
        d.irq_status()
        if PART == "lsm6dsox":
            d.read_raw()
out["data_ready"] = len(hits)

# 6. overflow: nobody reads for long enough to fill the FIFO
s = sim_for()
d = drv()
d.init()
full_ms = d.FIFO_BYTES // 6 * 1000 // d.rate
time.sleep_ms(full_ms + 300)
try:
    d.read_fifo_into(buf)
    out["overflow"] = None
except SensorError as e:
    out["overflow"] = [e.kind, str(e), d.fifo_count()]
time.sleep_ms(60)
n = d.read_fifo_into(buf)
out["after_overflow"] = [n, buf[2], buf[3 * n - 1] if n else None]

# 7. NACK 0.3..0.5 s after attach: reported, then recovered by re-init
s = sim_for(faults=[("nack", 0.3, 0.5)])
d = drv(watermark=40)
d.init()
time.sleep_ms(max(0, 350 - s.now_us() // 1000))
res = {}
try:
    d.fifo_count()
    res["error"] = None
except SensorError as e:
    res["error"] = [e.kind, str(e)]
res["recover_during"] = d.recover(attempts=1)
time.sleep_ms(max(0, 560 - s.now_us() // 1000))
res["recover_after"] = d.recover(attempts=1)
time.sleep_ms(30)
res["count_after"] = d.fifo_count()
res["stats"] = s.stats
if PART == "bmi270":
    res["uploads"] = s.uploads
out["nack"] = res

# 8. motion gate: still replay part -> no interrupt; motion -> the interrupt + motion status
s = sim_for(replay=GATE_REPLAY)
d = drv(watermark=40)
hits.clear()
d.irq(h)
d.init()
time.sleep_ms(20)
d.read_fifo_into(buf)
d.motion_gate(True, 40)
hits.clear()
t0 = s.now_us()
while not hits and s.now_us() < 1500000:
    s.advance()
    time.sleep_ms(5)
t_wake = s.now_us() // 1000
st = d.irq_status() if hits else 0
n_before = d.fifo_count()
st2 = d.motion_gate(False)
out["gate"] = {"hits": len(hits), "wake_ms": t_wake, "motion": bool(st & d.MOTION_BITS),
               "fifo_kept": n_before}

if PART == "bmi270":
    # 9. blob problems are reported, not hidden
    bl = {}
    for name, path in (("missing", "/no/such/blob.bin"), ("short", SHORT_BLOB)):
        s = sim_for()
        try:
            drv(config_blob=path).init()
            bl[name] = None
        except SensorError as e:
            bl[name] = [e.kind, str(e), s.uploads]
    out["blob"] = bl
print("RESULT " + json.dumps(out))
'''


def _check(out, part):
    r = out["init"]
    assert r["part"] == part
    if part == "lsm6dsox":
        ctrl1, ctrl3, wtm, bdr, mode, int1, tap0, wud = r["regs"]
        assert r["rate"] == 416 and ctrl1 == (6 << 4) | (2 << 2)       # 416 Hz, +-4 g
        assert ctrl3 == 0x44 and wtm == 40 and bdr == 6 and mode == 6   # BDU|IF_INC, continuous
        assert int1 == 0x18 and tap0 == 0x01 and wud == 0x10            # FIFO_TH|FIFO_OVR
        assert r["scan"] == [0x6A]
    else:
        acc_conf, acc_range, fc0, fc1, io, mapd, pwr_conf, pwr_ctrl = r["regs"]
        assert r["rate"] == 400 and acc_conf == 0xA0 | 10 and acc_range == 1
        assert fc0 == 0 and fc1 == 0x40 and io == 0x0A and mapd == 0x03
        assert pwr_conf == 0 and pwr_ctrl == 0x04
        assert r["uploads"] == 1 and r["upload_errors"] == [], r
        assert r["scan"] == [0x68]
    kind, msg = out["wrong_chip"]
    assert kind == "id" and ("WHO_AM_I" in msg or "CHIP_ID" in msg), msg
    for g, (lsb, raw, acc) in out["scaling"].items():
        assert lsb == {"2": 16384, "4": 8192, "8": 4096, "16": 2048}[g]
        assert abs(raw - lsb) < 0.05 * lsb, (g, raw, lsb)
        assert abs(acc - 1.0) < 0.05
    f = out["fifo"]
    assert f["irqs"] >= 1 and f["count_at_irq"] >= 40, f
    per = 1000 / (416 if part == "lsm6dsox" else 400)
    assert 40 * per - 10 <= f["irq_ms"] <= 40 * per + 30, f
    assert f["read"] >= f["count_at_irq"] and f["consecutive"], f
    assert out["data_ready"] >= 3
    kind, msg, left = out["overflow"]
    assert kind == "overflow" and "FIFO" in msg and left <= 2, out["overflow"]
    n, z0, zn = out["after_overflow"]
    assert n >= 10 and abs(z0 - 8192) < 500 and abs(zn - 8192) < 500     # aligned frames again
    r = out["nack"]
    assert r["error"][0] == "bus" and "I2C" in r["error"][1]
    assert r["recover_during"] is False and r["recover_after"] is True
    assert r["count_after"] > 0 and r["stats"]["resets"] == 1 and r["stats"]["nacks"] >= 2
    if part == "bmi270":
        assert r["uploads"] == 2                                       # the blob again after the reset
    g = out["gate"]
    assert g["hits"] >= 1 and g["motion"], g
    assert 1000 <= g["wake_ms"] <= 1100, g                             # motion starts at 1.0 s
    assert g["fifo_kept"] > 0, g
    if part == "bmi270":
        b = out["blob"]
        assert b["missing"][0] == "init" and "micropython-bmi270" in b["missing"][1]
        assert b["short"][0] == "init" and "not 8192" in b["short"][1]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("imus")
    rp = make_replay(d / "drv.bin", secs=4, segments=[(0, 4, "normal")], seed=3)
    gate = make_replay(d / "gate.bin", secs=2, segments=[(0, 1, "still"), (1, 2, "anomaly")], seed=4)
    import sys
    sys.path.insert(0, str(DEVICE.parent / "host"))
    from tinydev.link.bmi270 import install_blob
    blob = install_blob(d / "bmi270_config.bin")
    short = d / "short.bin"
    short.write_bytes(blob.read_bytes()[:4096])
    return rp, gate, blob, short


def _result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError("no RESULT line in:\n" + text[-4000:])


def _script(part, replay, gate, blob, short):
    return (f"PART = {part!r}\nREPLAY = {str(replay)!r}\nGATE_REPLAY = {str(gate)!r}\n"
            f"BLOB = {str(blob)!r}\nSHORT_BLOB = {str(short)!r}\n" + CHECKS)


@pytest.mark.parametrize("part", ["lsm6dsox", "bmi270"])
def test_imu_driver_unix(unix_fw, files, part, tmp_path):
    rp, gate, blob, short = files
    script = tmp_path / "checks.py"
    script.write_text(_script(part, rp, gate, blob, short))
    p = subprocess.run([str(unix_fw), str(script)], capture_output=True, text=True, timeout=300,
                       env={"MICROPYPATH": f"{DEVICE}:.frozen"})
    assert p.returncode == 0, p.stdout + p.stderr
    _check(_result(p.stdout), part)


@pytest.mark.slow
@pytest.mark.parametrize("part", ["lsm6dsox", "bmi270"])
def test_imu_driver_virt_m4(vboard, files, part, tmp_path):
    from board_link import mpremote
    rp, gate, blob, short = files
    port = vboard.port
    for d in (":/replay", ":/lib"):
        mpremote(port, "fs", "mkdir", d, check=False)
    for src, dst in ((rp, "/replay/drv.bin"), (rp.with_suffix(".json"), "/replay/drv.json"),
                     (gate, "/replay/gate.bin"), (gate.with_suffix(".json"), "/replay/gate.json"),
                     (blob, "/lib/bmi270_config.bin"), (short, "/lib/bmi270_short.bin")):
        mpremote(port, "fs", "cp", str(src), ":" + dst, timeout=300)
    script = tmp_path / "checks.py"
    script.write_text(_script(part, "/replay/drv.bin", "/replay/gate.bin", "/lib/bmi270_config.bin",
                              "/lib/bmi270_short.bin"))
    _check(_result(mpremote(port, "run", str(script), timeout=600)), part)


# --- the app on the other parts (UNIX, the real bundle at 1600 Hz) --------------------------------

@pytest.fixture(scope="module")
def real_bundle():
    import os
    from pathlib import Path
    d = Path(os.environ.get("TINYDEV_VIBRATION_BUNDLE", DEVICE.parent / "models" / "vibration"))
    if not (d / "vibration.tflite").exists() or not (d / "vibration-replay.bin").exists():
        pytest.skip(f"no vibration bundle with replay in {d}")
    return d


def test_app_unix_bmi270_real_bundle(unix_fw, real_bundle, files, tmp_path):
    """app.py unchanged on an emulated BMI270 (blob uploaded from the package's file): every fault
    alarms, nothing on the normal parts, no sensor fault."""
    from test_framework_app import check_real, run_app_unix
    blob = files[2]
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(real_bundle / "vibration"),
                                                "replay": str(real_bundle / "vibration-replay.bin"),
                                                "alarms": {"log": None}, "sim": {"part": "bmi270"},
                                                "imu": {"config_blob": str(blob)}})
    assert evs[0]["event"] == "start" and evs[0]["imu"] == "bmi270" and evs[0]["rate"] == 1600, evs[0]
    meta = json.loads((real_bundle / "vibration-replay.json").read_text())
    latencies, s = check_real(evs, meta)
    assert not [e for e in evs if e.get("kind") == "sensor_fault" and e.get("fault") not in ("overflow", "irq")], evs
    print("UNIX BMI270 real bundle latencies_ms", latencies, "summary", s)


def test_app_unix_lsm6dsox_rate_refused(unix_fw, real_bundle, tmp_path):
    """The LSM6DSOX has no 1600 Hz ODR: the app says so instead of feeding the model 1666 Hz."""
    from test_framework_app import run_app_unix
    out, evs = run_app_unix(unix_fw, tmp_path, {"model": str(real_bundle / "vibration"),
                                                "replay": str(real_bundle / "vibration-replay.bin"),
                                                "alarms": {"log": None}, "sim": {"part": "lsm6dsox"}})
    assert evs and evs[0]["event"] == "error" and evs[0]["kind"] == "imu", evs
    assert "1666 Hz" in evs[0]["msg"] and "1600 Hz" in evs[0]["msg"], evs[0]
