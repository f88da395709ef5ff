# PDM mic driver (tinydev.drivers.pdm_mic) on the emulated PDM mic (tinydev.sim.pdm_mic), run on
# the board (UNIX firmware or VIRT_M4 via mpremote). The test prepends PDM (path of the .pdm replay),
# SECS (stream length) and FAULTS ([kind, start_s, end_s], for the second stream). Prints the
# streams' audio as `@SEG <name> <stream pos> <hex>` lines (one per contiguous ring read run) and
# RESULT {json} with events and stats.
# ruff: noqa: F821  (PDM, SECS and FAULTS are prepended by the test)
import array
import asyncio
import gc
import json
import time
from binascii import hexlify

from tinydev.board import Board

out = {}


async def stream(name, secs, faults=()):
    gc.collect()
    b = Board(cfg={"mic": {"part": "pdm", "faults": [{"kind": k, "start": a, "end": e} for k, a, e in faults]}})
    mic = b.mic(replay=PDM, gate_db=None, preroll=2000, fault_ms=64, retry_ms=100)
    evs = []
    mic.on_event = lambda kind, info: evs.append([kind, info.get("fault", info.get("open")), info.get("t_ms"),
                                                  info.get("msg", "")])
    buf = array.array("h", bytearray(2 * 1024))
    nxt = None
    mic.init()
    task = asyncio.create_task(mic.run())
    t0 = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), t0) < secs * 1000:
        try:
            await asyncio.wait_for_ms(mic.wait(), 100)
        except asyncio.TimeoutError:
            pass
        while mic.ring.available():
            pos = mic.stream_pos()
            n = mic.ring.read(buf)
            if pos != nxt:
                print()
                print("@SEG", name, pos, end=" ")
            print(hexlify(memoryview(buf)[:n]).decode(), end="")
            nxt = pos + n
    print()
    mic.stop()
    await asyncio.sleep_ms(50)
    task.cancel()
    return {"stats": mic.stats, "events": evs, "sim": b.sim_mic.stats, "type": type(mic).__name__}


async def main():
    out["clean"] = await stream("clean", SECS)
    out["faults"] = await stream("faults", SECS, FAULTS)

asyncio.run(main())
print("RESULT " + json.dumps(out))
