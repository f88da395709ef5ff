"""The VIRT_M4 board itself: the features its README promises, on the QEMU command line it
documents. Each test starts its own QEMU with a disk image in a temp dir and stops it after."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.vboard, pytest.mark.slow]

QEMU = "qemu-system-arm"


class Board:
    def __init__(self, firmware, disk, cwd):
        cmd = [QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none",
               "-semihosting-config", f"enable=on,target=native,arg=firmware,arg=disk={disk}",
               "-icount", "shift=0", "-serial", "pty", "-kernel", str(firmware)]
        self.log = open(cwd / "qemu.log", "w+")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.port = None
        deadline = time.monotonic() + 20
        while self.port is None and time.monotonic() < deadline:
            self.log.seek(0)
            m = re.search(r"redirected to (/dev/pts/\d+)", self.log.read())
            self.port = m and m.group(1)
            time.sleep(0.05)
        assert self.port, "QEMU did not open its pty"

    def mpremote(self, *args, timeout=60):
        out = subprocess.run([sys.executable, "-m", "mpremote", "connect", self.port, *args],
                             capture_output=True, text=True, timeout=timeout)
        assert out.returncode == 0, out.stderr + out.stdout
        return out.stdout

    def exec_json(self, code):
        """Run code on the board; it prints one JSON line last."""
        return json.loads(self.mpremote("exec", code).strip().splitlines()[-1])

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def board_factory(virt_m4_fw, tmp_path):
    if subprocess.run(["which", QEMU], capture_output=True).returncode != 0:
        pytest.skip(f"{QEMU} not installed")
    boards = []

    def start():
        b = Board(virt_m4_fw, tmp_path / "disk.img", tmp_path)
        boards.append(b)
        return b

    yield start
    for b in boards:
        b.stop()


def test_cpu_time_and_memory(board_factory):
    b = board_factory()
    r = b.exec_json("""
import sys, os, gc, time, machine, json
def loop():
    t = time.ticks_us()
    x = 0.0
    for i in range(500):
        x += i * 1.5
    return time.ticks_diff(time.ticks_us(), t)
d1, d2 = loop(), loop()
t = time.ticks_ms(); time.sleep_ms(50); slept = time.ticks_diff(time.ticks_ms(), t)
print(json.dumps({"platform": sys.platform, "machine": os.uname().machine, "heap": gc.mem_free() + gc.mem_alloc(),
    "d1": d1, "d2": d2, "slept": slept, "freq": machine.freq(), "f": 2 ** 0.5,
    "arch": sys.implementation._mpy >> 10}))
""")
    assert r["platform"] == "qemu" and "Cortex-M4F" in r["machine"]
    assert 280_000 < r["heap"] < 320_000
    assert abs(r["d1"] - r["d2"]) <= 1
    assert 50 <= r["slept"] <= 52
    assert r["freq"] == 25_000_000
    assert abs(r["f"] - 1.41421) < 1e-4
    assert r["arch"] & 0xF == 7  # MP_NATIVE_ARCH_ARMV7EMSP


def test_asyncio_pins_i2c_i2s(board_factory):
    b = board_factory()
    r = b.exec_json("""
import asyncio, time, json
from machine import Pin, I2C, I2S
log = []
async def task(name, ms):
    for i in range(3):
        log.append(name)
        await asyncio.sleep_ms(ms)
async def main():
    await asyncio.gather(task("a", 10), task("b", 15))
asyncio.run(main())

hits = []
p = Pin(5, Pin.IN, Pin.PULL_DOWN)
p.irq(lambda pin: hits.append(pin.value()), trigger=Pin.IRQ_RISING)
p.drive(1); p.drive(0); p.drive(1)
time.sleep_ms(2)

class Dev:
    regs = bytearray(range(16)); ptr = 0
    def write(self, data):
        self.ptr = data[0]
        self.regs[self.ptr:self.ptr + len(data) - 1] = data[1:]
    def read(self, n):
        return bytes(self.regs[self.ptr:self.ptr + n])
i2c = I2C(0)
i2c.attach(0x68, Dev())
i2c.writeto_mem(0x68, 4, b"\\x55")
try:
    I2C(0).readfrom(0x10, 1); nack = None
except OSError as e:
    nack = e.errno

class Src:
    def readinto(self, buf):
        buf[:] = b"\\x01" * len(buf)
mic = I2S(0, mode=I2S.RX, bits=16, format=I2S.MONO, rate=16000, ibuf=4096)
mic.attach(Src())
buf = bytearray(3200)
t = time.ticks_ms(); mic.readinto(buf); mic.readinto(buf); took = time.ticks_diff(time.ticks_ms(), t)
mic.deinit()
print(json.dumps({"log": "".join(log), "hits": hits, "scan": I2C(0).scan(),
    "mem": list(i2c.readfrom_mem(0x68, 3, 3)), "nack": nack, "i2s_ms": took, "i2s": buf[0]}))
""")
    assert r["log"] == "ababab"
    assert r["hits"] == [1, 1]
    assert r["scan"] == [0x68]
    assert r["mem"] == [3, 0x55, 5]
    assert r["nack"] == 19  # ENODEV
    assert 195 <= r["i2s_ms"] <= 215  # 2 x 100 ms of 16 kHz mono
    assert r["i2s"] == 1


def test_filesystem_persists_and_main_runs(board_factory, tmp_path):
    b = board_factory()
    (tmp_path / "main.py").write_text("print('main.py ran')\n")
    b.mpremote("fs", "cp", str(tmp_path / "main.py"), ":main.py")
    b.mpremote("exec", "with open('/data.txt', 'w') as f: f.write('kept')")
    b.stop()
    b = board_factory()
    r = b.exec_json("import os, json; print(json.dumps([sorted(os.listdir('/')), open('/data.txt').read()]))")
    assert r == [["data.txt", "main.py"], "kept"]
    import serial

    with serial.Serial(b.port, timeout=0.2) as s:
        s.write(b"\x03\x02\x04")  # friendly REPL, then soft reset: main.py runs again
        out = b""
        deadline = time.monotonic() + 10
        while b"main.py ran" not in out and time.monotonic() < deadline:
            out += s.read(256)
    assert b"main.py ran" in out


def test_ctrl_c_interrupts_busy_loop(board_factory):
    import serial

    b = board_factory()
    with serial.Serial(b.port, timeout=0.2) as s:
        s.write(b"\x03\x02")
        time.sleep(0.5)
        s.read(4096)
        s.write(b"while True: pass\r\n\r\n")
        time.sleep(1.0)
        s.write(b"\x03")
        out = b""
        deadline = time.monotonic() + 10
        while b"KeyboardInterrupt" not in out and time.monotonic() < deadline:
            out += s.read(256)
    assert b"KeyboardInterrupt" in out
