# I2S mic driver against its emulator, run on the board (UNIX firmware or VIRT_M4 via mpremote).
# The test prepends WAV (path of the 16 kHz mono int16 test replay), STALL_MS (event-loop stall, longer
# than the I2S ibuf), NOCLK (the stand-in's stopped-clock fault) and RADIUS (samples searched around a
# claimed stream position). Prints RESULT {json}.
import gc
import json
import time
import array
import struct
import asyncio
from tinydev.board import Board
from tinydev.sim.i2s_mic import I2SMicSim, Wav
from tinydev.drivers import SensorError

out = {}
RATE = 16000


_ref = Wav(WAV)


def wav_samples(start, n):
    _ref.seek(start)
    b = bytearray(2 * n)
    got = _ref.readinto(b)
    return array.array("h", b[:2 * got])


def mismatches(got, start):
    # compare got (array 'h') with the WAV from sample `start`, in chunks
    bad = 0
    first = None
    i = 0
    while i < len(got):
        k = min(2048, len(got) - i)
        ref = wav_samples(start + i, k)
        if len(ref) == k and bytes(ref) == bytes(memoryview(got)[i:i + k]):
            i += k
            continue
        for j in range(k):
            if j >= len(ref) or got[i + j] != ref[j]:
                bad += 1
                if first is None:
                    first = start + i + j
        i += k
    return bad, first


# 1. the emulator's wire format: 24-bit left-justified in 32-bit slots
s = I2SMicSim(WAV, bits=32)
raw = bytearray(4 * 1000)
s.readinto(raw)
ref = wav_samples(0, 1000)
low_zero = all(raw[4 * i] == 0 for i in range(1000))
top_ok = all(struct.unpack_from("<i", raw, 4 * i)[0] >> 16 == ref[i] for i in range(1000))
sub = sum(1 for i in range(1000) if raw[4 * i + 1] != 0)
out["format"] = {"low8_zero": low_zero, "top16_is_wav": top_ok, "sub_lsb_nonzero": sub}
s16 = I2SMicSim(WAV, bits=16)
raw16 = bytearray(2 * 1000)
s16.readinto(raw16)
out["format16"] = bytes(raw16) == bytes(ref)

# 2. blocking reads through the board's I2S: exact conversion, shift 16 and shift 12 (gain)
conv = {}
for shift in (16, 12):
    b = Board()
    mic = b.mic(replay=WAV, shift=shift, preroll=2000)
    mic.init()
    got = array.array("h", bytearray(2 * 4000))
    mic.read_into(got)
    twin = I2SMicSim(WAV, bits=32)      # same seed: the same slots the driver saw
    r = bytearray(4 * 4000)
    twin.readinto(r)
    bad = 0
    for i in range(4000):
        v = struct.unpack_from("<i", r, 4 * i)[0] >> shift
        v = 32767 if v > 32767 else (-32768 if v < -32768 else v)
        if got[i] != v:
            bad += 1
    conv[str(shift)] = {"bad": bad, "wav_bad": mismatches(got, 0)[0] if shift == 16 else None,
                        "lost": mic.stats["lost"], "sat": sum(1 for v in got if v in (32767, -32768))}
    mic.deinit()
out["convert"] = conv


# 3. streaming task (irq mode on UNIX, asyncio stream mode on VIRT_M4) into the ring: no gaps,
#    then a stall of the event loop (overflow reported, recovered, stream realigned), then
#    injected faults (drop, stuck; noclk on the stand-in) reported and recovered, then the gate.
def locate(first, claimed, radius=4096):
    """WAV index where the samples `first` (array 'h', 32 of them) occur, searched around claimed."""
    lo = max(0, claimed - radius)
    ref = bytes(wav_samples(lo, 2 * radius + len(first)))
    key = bytes(first)
    i = ref.find(key) if hasattr(ref, "find") else -1
    if i < 0:
        for d in range(0, len(ref) - len(key) + 1, 2):
            if ref[d:d + len(key)] == key:
                i = d
                break
    return None if i < 0 else lo + i // 2


def in_faults(i, faults):
    for k, a, e in faults:
        if a * RATE <= i < e * RATE:
            return True
    return False


async def stream(secs, stall_at=None, stall_ms=0, faults=(), gate_db=None, hold_ms=800):
    gc.collect()
    b = Board(cfg={"mic": {"faults": [{"kind": k, "start": a, "end": e} for k, a, e in faults]}})
    mic = b.mic(replay=WAV, gate_db=gate_db, gate_ratio=4.0, hold_ms=hold_ms, preroll=4000, fault_ms=64,
                retry_ms=300)
    evs = []
    mic.on_event = lambda kind, info: evs.append([kind, info, mic.t_ms()])
    buf = array.array("h", bytearray(2 * 1024))
    segs = []  # [claimed pos, samples, actual WAV pos, mismatches outside fault windows, unlocated samples]
    closed_max = [0]
    mic.init()
    task = asyncio.create_task(mic.run())
    t0 = time.ticks_ms()
    stalled = False
    while time.ticks_diff(time.ticks_ms(), t0) < secs * 1000:
        try:
            await asyncio.wait_for_ms(mic.wait(), 100)
        except asyncio.TimeoutError:
            pass
        if not mic.gate:
            closed_max[0] = max(closed_max[0], mic.ring.available())
            if gate_db is not None:
                continue        # gated: the consumer only reads while the gate is open
        while mic.ring.available() >= 32:
            pos = mic.stream_pos()
            n = mic.ring.read(buf)
            got = array.array("h", memoryview(buf)[:n])
            if segs and segs[-1][0] + segs[-1][1] == pos:
                sg = segs[-1]
                sg[1] += n
            else:
                sg = [pos, n, None, 0, 0]
                segs.append(sg)
            if sg[2] is None:
                # find where this segment is in the WAV (its start may hold fault-boundary samples)
                at = locate(memoryview(got)[n - 32:n], pos + sg[1] - 32, radius=RADIUS)
                if at is None:
                    sg[4] += n          # not located (yet): counted, never silently passed
                    continue
                sg[2] = at - (sg[1] - 32)
            start = sg[2] + sg[1] - n
            ref = wav_samples(start, n)
            if bytes(ref) != bytes(got):
                sg[3] += sum(1 for j in range(n) if (j >= len(ref) or got[j] != ref[j]) and not in_faults(start + j, faults))
        if stall_at is not None and not stalled and time.ticks_diff(time.ticks_ms(), t0) > stall_at * 1000:
            stalled = True
            time.sleep_ms(stall_ms)      # blocks the event loop: nobody drains the I2S
    mic.stop()
    await asyncio.sleep_ms(50)
    return {"segments": segs, "stats": mic.stats, "mode": mic.mode, "closed_max": closed_max[0],
            "events": [[k, i.get("fault", i.get("open")), i.get("t_ms", t), i.get("msg", "")] for k, i, t in evs],
            "sim": b.sim_mic.stats}


async def main():
    out["stream"] = await stream(2.5)
    out["overflow"] = await stream(3.0, stall_at=1.0, stall_ms=STALL_MS)
    out["faults"] = await stream(3.2, faults=[("drop", 1.0, 1.6), ("stuck", 2.2, 2.5)])
    if NOCLK:
        out["noclk"] = await stream(2.0, faults=[("noclk", 0.8, 1.3)])
    out["gate"] = await stream(5.0, gate_db=-40.0, hold_ms=500)

asyncio.run(main())
print("RESULT " + json.dumps(out))
