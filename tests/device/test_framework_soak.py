"""Soak: the whole motion path (emulated MPU6886 -> driver -> event pipeline with the motion gate
-> model -> alarms) over thousands of events, on UNIX (>= 10,000) and VIRT_M4 (>= 1,000).

One event is a short replay looped back to back: the machine at rest (the pipeline sleeps in
wake-on-motion mode), it starts (motion interrupt), runs normally, an anomaly, normal again,
rest. Every loop must raise exactly one anomaly alarm inside its anomaly segment (no missed
alarm, none elsewhere), and the heap (gc.mem_free after gc.collect, sampled every few hundred
events after a warm-up) must stay within 1 %.

Fast time: on UNIX the pipeline runs on tinydev.sim.vtime (asyncio's clock jumps over idle
time); on VIRT_M4 a private QEMU with -icount shift=0,sleep=off (idle virtual time passes at
once), so only the CPU's busy time costs host time."""
import json
import os
import shutil
import subprocess

import pytest

from test_framework_util import DEVICE, make_model, make_replay

# replay loop: rest, machine starts, anomaly, normal, (rest again in the next loop)
EVENT = [(0.0, 0.5, "still"), (0.5, 0.6, "normal"), (0.6, 0.9, "anomaly"), (0.9, 1.1, "normal")]
WINDOW, HOP = 64, 16         # the soak's own tiny model: 128 ms windows, so an event is short

SOAK = r'''
import gc, json, time, asyncio
from tinydev.board import Board
from tinydev.model import Bundle
from tinydev.alarms import Alarms
from tinydev.pipeline import VibrationPipeline
from tinydev.sim.replay import Replay
from tinydev.sim.mpu6050 import MPU6050Sim
from tinydev.drivers.mpu6050 import MPU6050

vt = None
if VIRTUAL:
    from tinydev.sim.vtime import VirtualTime
    vt = VirtualTime().install()
board = Board()
i2c = board.i2c()
if I2C_FREQ != 400000:
    i2c.init(freq=I2C_FREQ)
pin = board.pin(4)
rp = Replay(REPLAY, loops=LOOPS)
sim = MPU6050Sim(rp, part="mpu6886", int_pin=pin, clock=vt.ticks_us if vt else None)
i2c.attach(0x68, sim)
bundle = Bundle(MODEL)
f = bundle.features
rate = f["sample_rate"]
imu = MPU6050(i2c, 0x68, int_pin=pin, rate=rate, range_g=4, watermark=PCFG["hop"], motion_mg=0)
imu.init()
loop_ms = rp.n_file * 1000 // rate
seg = [s for s in rp.segments if s["kind"] == "anomaly"][0]
a_ms, b_ms = seg["start"] * 1000 // rate, seg["end"] * 1000 // rate
hits = bytearray(LOOPS)
st = {"false": 0, "lat_max": 0, "lat_sum": 0, "clears": 0, "faults": 0}

def sink(ev):
    e = ev["event"]
    if e == "alarm" and ev["kind"] == "anomaly":
        i = ev["t_ms"] // loop_ms
        r = ev["t_ms"] - i * loop_ms
        if a_ms <= r < b_ms and i < LOOPS and not hits[i]:
            hits[i] = 1
            lat = r - a_ms
            st["lat_sum"] += lat
            if lat > st["lat_max"]:
                st["lat_max"] = lat
        else:
            st["false"] += 1
    elif e == "clear":
        st["clears"] += 1
    elif e == "alarm":
        st["faults"] += 1

alarms = Alarms([sink], rate_limit_ms=500, cooldown_ms=100)
pipe = VibrationPipeline(imu, bundle, alarms, PCFG, clock_ms=lambda: sim.now_us() // 1000)
heap = [0] * (LOOPS // CHECK)     # preallocated: the harness itself must not grow the heap
n_heap = 0

async def monitor():
    # after each block of events, at rest (the still part of a loop): collect, then measure
    global n_heap
    k = CHECK
    while k <= LOOPS:
        target = (k - 1) * loop_ms + EVENT_REST_MS
        while sim.now_us() // 1000 < target and not sim.finished:
            await asyncio.sleep_ms(max(1, target - sim.now_us() // 1000))
        gc.collect()
        heap[n_heap] = gc.mem_free()
        print("CHECK", k, heap[n_heap], sum(hits), st["false"], st["faults"])   # progress
        n_heap += 1
        k += CHECK

async def main():
    tasks = [asyncio.create_task(pipe.run()), asyncio.create_task(sim.run()), asyncio.create_task(monitor())]
    await sim.ended().wait()
    await asyncio.sleep_ms(pipe.period_ms)
    pipe.stop()
    await asyncio.sleep_ms(0)

t0 = time.ticks_ms()
asyncio.run(main())
gc.collect()
out = {"loops": LOOPS, "hit": sum(hits), "missed": LOOPS - sum(hits), "heap": heap[:n_heap],
       "mem_free_end": gc.mem_free(), "windows": pipe.windows, "sleeps": pipe.sleeps,
       "wakes": pipe.duty.wakes, "virtual_s": sim.elapsed // 1000000, "samples": sim.stats["samples"],
       "overflows": sim.stats["overflows"], "host_ms": time.ticks_diff(time.ticks_ms(), t0),
       "awake_ms": pipe.duty.awake_us // 1000, "sim_bus_ms": sim.bus_us // 1000}
out.update(st)
print("RESULT " + json.dumps(out))
'''

PCFG = {"hop": HOP, "smooth": 1, "debounce": 2, "release": 3,
        "gate_motion_mg": 16, "gate_still_mg": 5, "gate_idle_ms": 150}


@pytest.fixture(scope="module")
def soak_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("soak")
    make_model(d / "vibration", window=WINDOW, hop=HOP)
    shutil.rmtree(d / "_train", ignore_errors=True)
    rp = make_replay(d / "event.bin", secs=EVENT[-1][1], segments=EVENT, seed=11)
    return d / "vibration", rp


def script(model, replay, loops, virtual, check, i2c_freq=400000):
    return (f"MODEL = {str(model)!r}\nREPLAY = {str(replay)!r}\nLOOPS = {loops}\nVIRTUAL = {virtual}\n"
            f"CHECK = {check}\nEVENT_REST_MS = 420\nI2C_FREQ = {i2c_freq}\nPCFG = {PCFG!r}\n" + SOAK)


def _result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError("no RESULT line in:\n" + text[-3000:])


def check_soak(r, loops):
    print("soak", {k: v for k, v in r.items() if k != "heap"}, "heap", r["heap"][:3], "...", r["heap"][-3:])
    assert r["loops"] == loops
    assert r["missed"] == 0 and r["hit"] == loops, r          # every event's alarm
    assert r["false"] == 0 and r["faults"] == 0, r              # nothing else
    assert r["clears"] >= loops - 1
    assert r["sleeps"] >= loops - 1                              # the gate slept between events
    assert r["overflows"] == 0 or r["sleeps"] > 0
    heap = r["heap"][1:]                                         # first block: warm-up
    assert len(heap) >= 5, r["heap"]
    spread = (max(heap) - min(heap)) / max(heap)
    assert spread <= 0.01, ("heap not stable", r["heap"])
    return spread


@pytest.mark.slow
def test_soak_unix(unix_fw, soak_files, tmp_path):
    loops = 10000
    model, replay = soak_files
    p = tmp_path / "soak.py"
    p.write_text(script(model, replay, loops, True, 500))
    proc = subprocess.run([str(unix_fw), "-X", "heapsize=2M", str(p)], capture_output=True, text=True,
                          timeout=1500, env={"MICROPYPATH": f"{DEVICE}:.frozen"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    spread = check_soak(_result(proc.stdout), loops)
    print("UNIX soak heap spread %.4f %%" % (100 * spread))


@pytest.mark.slow
def test_soak_virt_m4(fast_vboard, soak_files, tmp_path):
    from board_link import mpremote
    # The 1,000 events take ~10-25 min of emulation: run them with TINYDEV_FULL=1;
    # CI runs 200 (same checks: every alarm, heap flat within 1 %).
    loops = 1000 if os.environ.get("TINYDEV_FULL", "") not in ("", "0") else 200
    model, replay = soak_files
    port = fast_vboard.port
    for d in (":/models", ":/replay"):
        mpremote(port, "fs", "mkdir", d, check=False)
    mpremote(port, "fs", "cp", str(model.with_suffix(".tflite")), ":/models/soak.tflite")
    mpremote(port, "fs", "cp", str(model.with_suffix(".json")), ":/models/soak.json")
    mpremote(port, "fs", "cp", str(replay), ":/replay/soak.bin", timeout=300)
    mpremote(port, "fs", "cp", str(replay.with_suffix(".json")), ":/replay/soak.json")
    p = tmp_path / "soak.py"
    p.write_text(script("/models/soak", "/replay/soak.bin", loops, False, loops // 20))  # 20 heap samples
    spread = check_soak(_result(mpremote(port, "run", str(p), timeout=1500)), loops)
    print("VIRT_M4 soak heap spread %.4f %%" % (100 * spread))
