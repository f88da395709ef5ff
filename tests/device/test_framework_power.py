"""tinydev.power.IdleSleep on the UNIX firmware: asyncio's idle wait becomes a lightsleep until the
next timer, a wake pin ends it early and runs its handler, short waits are left alone, and
uninstall gives asyncio its own wait back. (The app with lightsleep on VIRT_M4 is in
test_framework_duty.py.) The "lightsleep" here is the stand-in for machine.lightsleep with an ext0
wake source: it sleeps, and if the wake pin goes high meanwhile it returns early, as the chip does."""
import subprocess

SCRIPT = r'''
import time, asyncio
from tinydev.power import IdleSleep

class WakePin:                      # the IMU's INT line, as the wake source sees it
    level = 0
    def value(self):
        return self.level

pin = WakePin()
flag = asyncio.ThreadSafeFlag()
calls = []

def lightsleep(ms, rise_after_ms=None):
    calls.append(ms)
    if rise_after_ms is not None and rise_after_ms < ms:
        time.sleep_ms(rise_after_ms)
        pin.level = 1               # the sensor's interrupt ends the sleep early
    else:
        time.sleep_ms(ms)

state = {"rise": None}
idle = IdleSleep(lambda ms: lightsleep(ms, state["rise"]), wake=[(pin, 1, lambda p: flag.set())],
                 min_ms=5, max_ms=400)

async def waits(timeout_ms):
    t0 = time.ticks_ms()
    try:
        await asyncio.wait_for_ms(flag.wait(), timeout_ms)
        how = "flag"
    except asyncio.TimeoutError:
        how = "timeout"
    return how, time.ticks_diff(time.ticks_ms(), t0)

async def main():
    from asyncio import core
    own = core._io_queue.wait_io_event
    idle.install()
    # 1. nothing happens: sleeps (cut to max_ms) until the 1 s timeout
    how, ms = await waits(1000)
    print("R1", how, ms, len(calls), max(calls), idle.pin_wakes)
    # 2. the pin rises 30 ms into the sleep: the waiting task runs at once
    del calls[:]
    state["rise"] = 30
    how, ms = await waits(1000)
    print("R2", how, ms, len(calls), idle.pin_wakes)
    pin.level = 0
    state["rise"] = None
    # 3. a 3 ms timer (< min_ms): no lightsleep
    del calls[:]
    await asyncio.sleep_ms(3)
    print("R3", len(calls))
    idle.uninstall()
    print("R4", core._io_queue.wait_io_event == own, idle.report(2000000)["sleeps"] > 0)

asyncio.run(main())
'''


def _lines(unix_fw):
    proc = subprocess.run([str(unix_fw), "-c", SCRIPT], check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return {ln.split()[0]: ln.split()[1:] for ln in proc.stdout.splitlines() if ln.startswith("R")}


def test_idle_sleep_until_timer_or_wake_pin(unix_fw):
    r = _lines(unix_fw)
    how, ms, n, longest, pin_wakes = r["R1"]
    assert how == "timeout" and 990 <= int(ms) < 1150, r["R1"]
    assert int(n) >= 3 and int(longest) <= 400 and pin_wakes == "0", r["R1"]   # slept, in slices of max_ms
    how, ms, n, pin_wakes = r["R2"]
    assert how == "flag" and 25 <= int(ms) < 150 and pin_wakes == "1", r["R2"]  # woken by the pin, not the timer
    assert r["R3"] == ["0"], r["R3"]
    assert r["R4"] == ["True", "True"], r["R4"]
