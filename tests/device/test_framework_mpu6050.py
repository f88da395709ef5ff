"""MPU6050/MPU6886 driver against its emulator, on UNIX (sim bus) and VIRT_M4 (machine.I2C with
an attached emulated device): init sequence, WHO_AM_I, scaling, FIFO reads, interrupts, FIFO
overflow, NACK fault -> reported SensorError -> recovery by re-init."""
import json
import subprocess

import pytest

from test_framework_util import DEVICE, make_replay

# Runs on the board. REPLAY is the replay path; prints one JSON object per check.
CHECKS = r'''
import json, time, array
from tinydev.board import Board
from tinydev.sim.replay import Replay
from tinydev.sim.mpu6050 import MPU6050Sim
from tinydev.drivers.mpu6050 import MPU6050
from tinydev.drivers import SensorError

b = Board()
i2c = b.i2c()
pin = b.pin(7)
out = {}

def sim_for(part, faults=()):
    i2c.detach(0x68) if hasattr(i2c, "detach") else None
    s = MPU6050Sim(Replay(REPLAY), part=part, int_pin=pin)
    for f in faults:
        s.inject(*f)
    i2c.attach(0x68, s)
    return s

# 1. init sequence and WHO_AM_I on both parts
for part in ("mpu6050", "mpu6886"):
    s = sim_for(part)
    d = MPU6050(i2c, 0x68, int_pin=pin, rate=500, range_g=4, watermark=64 if part == "mpu6886" else 0)
    d.init()
    r = s.regs
    out["init_" + part] = {"part": d.part, "pwr1": r[0x6B], "pwr2": r[0x6C], "div": r[0x19], "cfg": r[0x1A],
        "acfg": r[0x1C], "fifo_en": r[0x23], "user": r[0x6A], "int_en": r[0x38], "pincfg": r[0x37],
        "wm": (r[0x60] << 8) | r[0x61], "scan": i2c.scan()}
try:
    s = sim_for("mpu6050")
    MPU6050(i2c, 0x68, expect="mpu6886").init()
    out["whoami_mismatch"] = None
except SensorError as e:
    out["whoami_mismatch"] = [e.kind, str(e)]

# 2. scaling: the replay is at 8192 LSB/g (+-4 g); the driver asks for every range
sc = {}
for g in (2, 4, 8, 16):
    s = sim_for("mpu6886")
    d = MPU6050(i2c, 0x68, rate=500, range_g=g)
    d.init()
    time.sleep_ms(20)
    sc[str(g)] = [d.lsb_per_g, d.read_raw()[2], d.read_accel()[2]]
out["scaling"] = sc

# 3. FIFO reads + watermark interrupt (virtual time drives the emulator)
s = sim_for("mpu6886")
d = MPU6050(i2c, 0x68, int_pin=pin, rate=500, range_g=4, watermark=50)
hits = []
def h(p):
    hits.append(time.ticks_ms())
d.irq(h)
d.init()
t0 = time.ticks_ms()
while len(hits) < 1 and time.ticks_diff(time.ticks_ms(), t0) < 1000:
    s.advance()
    time.sleep_ms(5)
dt = time.ticks_diff(hits[0], t0) if hits else None
n0 = d.fifo_count()
buf = array.array("h", bytearray(6 * 100))
n = d.read_fifo_into(buf)
rp = Replay(REPLAY)
# the FIFO holds consecutive replay samples: find the first one in the replay
first = (buf[0], buf[1], buf[2])
k = [i for i in range(200) if rp.sample(i) == first]
ok = bool(k) and all(tuple(buf[3 * j:3 * j + 3]) == rp.sample(k[0] + j) for j in range(n))
out["fifo"] = {"irqs": len(hits), "irq_ms": dt, "count_at_irq": n0, "read": n, "consecutive": ok,
               "after": d.fifo_count()}

# 4. data-ready interrupt on the MPU6050 (no watermark on that part)
s = sim_for("mpu6050")
d = MPU6050(i2c, 0x68, int_pin=pin, rate=100, data_ready=True)
hits.clear()
d.irq(h)
d.init()
for _ in range(5):
    time.sleep_ms(10)
    s.advance()
    if hits:
        d.irq_status()
out["data_ready"] = len(hits)

# 5. FIFO overflow: nobody reads for 0.5 s at 500 Hz (170 samples fit)
s = sim_for("mpu6050")
d = MPU6050(i2c, 0x68, rate=500)
d.init()
time.sleep_ms(500)
try:
    d.read_fifo_into(buf)
    out["overflow"] = None
except SensorError as e:
    out["overflow"] = [e.kind, str(e), d.fifo_count()]
time.sleep_ms(40)
n = d.read_fifo_into(buf)
out["after_overflow"] = [n, buf[2]]

# 6. NACK fault (from 0.3 s to 0.5 s after attach): SensorError("bus"), then recovery by re-init
s = sim_for("mpu6886", faults=[("nack", 0.3, 0.5)])
d = MPU6050(i2c, 0x68, rate=500, watermark=64)
d.init()
time.sleep_ms(350 - s.now_us() // 1000)
res = {}
try:
    d.fifo_count()
    res["error"] = None
except SensorError as e:
    res["error"] = [e.kind, str(e)]
res["recover_during"] = d.recover(attempts=1)
time.sleep_ms(200)
res["recover_after"] = d.recover(attempts=1)
time.sleep_ms(30)
res["count_after"] = d.fifo_count()
res["stats"] = s.stats
res["errors"] = d.errors
out["nack"] = res
print("RESULT " + json.dumps(out))
'''


def _check(out):
    for part, who_pwr in (("mpu6050", 0), ("mpu6886", 0x40)):
        r = out["init_" + part]
        assert r["part"] == part
        assert r["pwr1"] == 0x01 and r["pwr2"] == 0x07
        assert r["div"] == 1                       # 1 kHz / (1 + 1) = 500 Hz
        assert r["cfg"] & 7 == 1 and r["cfg"] & 0x40 == who_pwr
        assert r["acfg"] == 1 << 3                 # +-4 g
        assert r["fifo_en"] == 0x08 and r["user"] == 0x40
        assert r["pincfg"] == 0x20
        assert r["int_en"] & 0x10                  # FIFO overflow interrupt
        assert r["scan"] == [0x68]
    assert out["init_mpu6886"]["wm"] == 64 * 6 and out["init_mpu6050"]["wm"] == 0
    kind, msg = out["whoami_mismatch"]
    assert kind == "id" and "WHO_AM_I is 0x68" in msg
    for g, (lsb, raw, acc) in out["scaling"].items():
        assert lsb == 16384 // int(g) * 2 // 2 or lsb == {"2": 16384, "4": 8192, "8": 4096, "16": 2048}[g]
        assert abs(raw - lsb) < 0.05 * lsb, (g, raw, lsb)   # z = 1 g (+ 10 mg noise)
        assert abs(acc - 1.0) < 0.05
    f = out["fifo"]
    assert f["irqs"] >= 1 and f["count_at_irq"] >= 50
    assert 90 <= f["irq_ms"] <= 130, f            # 50 samples at 500 Hz = 100 ms
    # read_fifo_into() reads the count again: a sample may land (2 ms at 500 Hz) during the I2C wire time
    assert f["count_at_irq"] <= f["read"] <= f["count_at_irq"] + 2 and f["consecutive"], f
    assert out["data_ready"] >= 3
    kind, msg, left = out["overflow"]
    assert kind == "overflow" and "FIFO overflow" in msg and left <= 2
    n, z = out["after_overflow"]
    assert n >= 10 and abs(z - 8192) < 500        # realigned: z axis is ~1 g again
    r = out["nack"]
    assert r["error"][0] == "bus" and "I2C" in r["error"][1]
    assert r["recover_during"] is False and r["recover_after"] is True
    assert r["count_after"] > 0 and r["stats"]["resets"] == 1 and r["stats"]["nacks"] >= 2


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    d = tmp_path_factory.mktemp("mpu")
    return make_replay(d / "drv.bin", secs=4, segments=[(0, 4, "normal")], seed=3)


def _result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError("no RESULT line in:\n" + text)


def test_mpu6050_driver_unix(unix_fw, replay, tmp_path):
    script = tmp_path / "checks.py"
    script.write_text(f"REPLAY = {str(replay)!r}\n" + CHECKS)
    p = subprocess.run([str(unix_fw), str(script)], capture_output=True, text=True, timeout=120,
                       env={"MICROPYPATH": f"{DEVICE}:.frozen"})
    assert p.returncode == 0, p.stdout + p.stderr
    _check(_result(p.stdout))


@pytest.mark.slow
def test_mpu6050_driver_virt_m4(vboard, replay, tmp_path):
    from board_link import mpremote
    mpremote(vboard.port, "fs", "mkdir", ":/replay", check=False)
    mpremote(vboard.port, "fs", "cp", str(replay), ":/replay/drv.bin")
    mpremote(vboard.port, "fs", "cp", str(replay.with_suffix(".json")), ":/replay/drv.json")
    script = tmp_path / "checks.py"
    script.write_text("REPLAY = '/replay/drv.bin'\n" + CHECKS)
    _check(_result(mpremote(vboard.port, "run", str(script), timeout=300)))
