# I2S MEMS microphone driver (InvenSense INMP441, TDK ICS-43434) over machine.I2S.
#
# The parts send 24-bit two's complement samples, MSB first, left-justified in 32-bit slots (the
# low 8 bits are 0); with L/R tied low the data is in the left slot and the host reads MONO. The
# driver reads 32-bit slots and converts them to int16: sample = sat16(slot >> shift), shift 16
# keeps the top 16 of the 24 bits (exact, no rounding), a smaller shift is digital gain (the
# INMP441 is -26 dBFS at 94 dB SPL, so quiet speech sits near -60 dBFS) with saturation.
#
# Streaming: run() is an asyncio task that keeps the I2S DMA drained, converts each block (viper,
# no allocation), writes it into a tinyml.dsp.Ring and computes the block's level. Two ways to
# wait for data, picked from what the port's machine.I2S offers:
#   "irq":    i2s.irq(callback) + non-blocking readinto (esp32, stm32, rp2, mimxrt; the UNIX stand-in)
#   "stream": asyncio.StreamReader(i2s) (the extmod asyncio mode; VIRT_M4)
# The sound-energy gate (level over an absolute threshold and over the tracked noise floor, with a
# hold time) decides when the consumer is woken: while it is closed only a pre-roll of audio is
# kept, so MFCC and model cost nothing between sounds.
#
# Faults (reported, never fatal; the task keeps running and recovers):
#   "overflow"  samples lost: the I2S DMA overran (detected by counting frames against the clock:
#               a reader more than ibuf behind has lost data) or the ring was full (consumer slow);
#               the ring is cleared so no frame spans the gap
#   "nodata"    the data line is silent (every 32-bit slot exactly 0 for fault_ms: a live MEMS mic
#               always has self-noise in its low bits) or no frames at all arrive for nodata_ms
#   "stuck"     every slot identical for fault_ms (latched data line, frozen DMA)
# A fault that lasts retry_ms re-initialises the I2S peripheral (recover()); when live audio comes
# back the fault clears. on_event(kind, info) receives {"fault"|"recovered"|"gate"} events.
import time
import array
import micropython
from tinydev.drivers import SensorError

try:
    import asyncio
except ImportError:
    asyncio = None

try:
    import tinyml
    _dsp = tinyml.dsp
except (ImportError, AttributeError):
    _dsp = None


_VIPER = '''
@micropython.viper
def _conv32(src: ptr16, dst: ptr16, n: int, shift: int, st: ptr32) -> int:
    # src: n 32-bit little-endian slots seen as 2n half-words (low, high). st: [zero slots,
    # repeats of the previous slot, prev low, prev high]. Returns sum |sample|.
    zeros = 0
    same = 0
    pl = st[2]
    ph = st[3]
    acc = 0
    up = 16 - shift
    for i in range(n):
        lo = int(src[2 * i])
        hu = int(src[2 * i + 1])
        if lo == 0 and hu == 0:
            zeros += 1
        if lo == pl and hu == ph:
            same += 1
        pl = lo
        ph = hu
        h = hu
        if h & 0x8000:
            h -= 0x10000
        v = (h << up) + (lo >> shift)
        if v > 32767:
            v = 32767
        elif v < -32768:
            v = -32768
        dst[i] = v
        acc += v if v >= 0 else 0 - v
    st[0] = st[0] + zeros
    st[1] = st[1] + same
    st[2] = pl
    st[3] = ph
    return acc


@micropython.viper
def _conv16(src: ptr16, dst: ptr16, n: int, shift: int, st: ptr32) -> int:
    # 16-bit slots: copy (shift ignored), same statistics as _conv32
    zeros = 0
    same = 0
    p = st[2]
    acc = 0
    for i in range(n):
        u = int(src[i])
        if u == 0:
            zeros += 1
        if u == p:
            same += 1
        p = u
        dst[i] = u
        v = u
        if v & 0x8000:
            v = 0x10000 - v
        acc += v
    st[0] = st[0] + zeros
    st[1] = st[1] + same
    st[2] = p
    return acc
'''


def _conv32_py(src, dst, n, shift, st):
    mv = memoryview(src)
    acc = 0
    for i in range(n):
        lo = mv[4 * i] | (mv[4 * i + 1] << 8)
        hu = mv[4 * i + 2] | (mv[4 * i + 3] << 8)
        if lo == 0 and hu == 0:
            st[0] += 1
        if lo == st[2] and hu == st[3]:
            st[1] += 1
        st[2] = lo
        st[3] = hu
        h = hu - 0x10000 if hu & 0x8000 else hu
        v = (h << (16 - shift)) + (lo >> shift)
        v = 32767 if v > 32767 else (-32768 if v < -32768 else v)
        dst[i] = v
        acc += abs(v)
    return acc


def _conv16_py(src, dst, n, shift, st):
    mv = memoryview(src)
    acc = 0
    for i in range(n):
        u = mv[2 * i] | (mv[2 * i + 1] << 8)
        if u == 0:
            st[0] += 1
        if u == st[2]:
            st[1] += 1
        st[2] = u
        v = u - 0x10000 if u & 0x8000 else u
        dst[i] = v
        acc += abs(v)
    return acc


def _native(src, names, fallback):
    # The viper code is compiled when the module is imported, not frozen: a frozen .mpy with
    # native code is tied to the -march mpy-cross was given (the UNIX firmware freezes without
    # one). Ports without a native emitter get the (slow) pure-Python versions.
    g = {"micropython": micropython}
    try:
        exec(src, g)
        return [g[k] for k in names]
    except (SyntaxError, NotImplementedError, ValueError):
        return fallback


_conv32, _conv16 = _native(_VIPER, ("_conv32", "_conv16"), (_conv32_py, _conv16_py))


def _db(level):
    # mean |x| (int16 units) -> dBFS of a full-scale sine's mean |x| (2/pi): close to RMS dBFS
    import math
    return 20 * math.log10(max(level, 0.01) / (32768 * 0.6366))


class I2SMic:
    PARTS = ("inmp441", "ics43434", "i2s")

    def __init__(self, make_i2s, rate=16000, bits=32, shift=16, ibuf=8192, block=None, ring=None,
                 mode=None, gate_db=-50.0, gate_ratio=4.0, hold_ms=800, preroll=16000, fault_ms=64,
                 nodata_ms=250, retry_ms=500, part="inmp441", slot=None):
        """make_i2s(): builds the configured machine.I2S (RX, `bits`, MONO, `rate`, `ibuf`); it is
        called again by recover(). ring: a tinyml.dsp.Ring('h') or its capacity (default: preroll
        + 0.5 s). block: samples per read (default ibuf / 4 bytes, the DMA block)."""
        if bits not in (16, 32):
            raise ValueError("bits must be 16 or 32")
        if not 8 <= shift <= 16:
            raise ValueError("shift must be in 8..16")
        self.part = part
        self._make = make_i2s
        self.rate = rate
        self.bits = bits
        self.slot = slot or bits // 8     # bytes per sample read (drivers/pdm_mic.py: decimation / 8)
        self.shift = shift
        self.ibuf_frames = ibuf // self.slot
        self.block = block or max(64, self.ibuf_frames // 4)
        if _dsp is None:
            raise OSError("tinyml.dsp is needed for the microphone ring buffer")
        if ring is None or isinstance(ring, int):
            ring = _dsp.Ring(ring or (preroll + rate // 2))
        self.ring = ring
        self.preroll = preroll
        self.mode = mode
        self.gate_db = gate_db          # None: no gate, the consumer is woken for every block
        self.gate_abs = 0 if gate_db is None else 32768 * 0.6366 * 10 ** (gate_db / 20)
        self.gate_ratio = gate_ratio
        self.hold_ms = hold_ms
        self.fault_frames = max(1, fault_ms * rate // 1000)
        self.nodata_ms = nodata_ms
        self.retry_ms = retry_ms
        self.on_event = None
        self.i2s = None
        self._raw = bytearray(self.block * self.slot)
        self._pcm = array.array("h", bytearray(2 * self.block))
        self._st = array.array("i", [0, 0, -1, -1])
        self._trash = array.array("h", bytearray(2 * 256))
        self.flag = asyncio.ThreadSafeFlag() if asyncio else None
        self.running = False
        self._duty = None
        self._irq_err = None
        self._irq_blocks = 0
        self.stats = {"frames": 0, "blocks": 0, "lost": 0, "ring_dropped": 0, "overflows": 0,
                      "faults": 0, "reinits": 0, "gate_opens": 0, "trimmed": 0}
        self._reset_state()

    # --- setup --------------------------------------------------------------------------------
    def _reset_state(self):
        self.level = 0.0
        self.floor = None
        self.gate = False
        self._gate_until = 0
        self.fault = None
        self._fault_since = 0
        self._retry_from = 0
        self._win_frames = 0
        self._win_zero = 0
        self._win_same = 0
        self._st[0] = 0
        self._st[1] = 0
        self._t0 = None
        self._got = 0               # frames received since _t0 (+ frames accounted as lost)
        self._ring_drop0 = self.ring.dropped()
        self._window_fault = None
        self._bad_kind = None
        self._bad_frames = 0

    def init(self):
        """Configure the I2S peripheral and start counting from now."""
        if self.i2s is not None:
            try:
                self.i2s.deinit()
            except Exception:
                pass
        self.i2s = self._make()
        self._sreader = None
        self._armed = False
        self._reset_state()
        self._t0 = time.ticks_us()      # the stream starts now (frames due from here on)
        self._got = 0
        self.ring.clear()
        return self

    def recover(self):
        """Re-initialise the I2S peripheral (a hung DMA, a glitched clock). The stream clock
        restarts; a fault being reported stays reported until live audio comes back."""
        self.stats["reinits"] += 1
        keep = self.fault, self._fault_since, self._retry_from
        self.init()
        self.fault, self._fault_since, self._retry_from = keep
        if self.mode == "irq" and self.running:
            self._arm()
        return True

    def deinit(self):
        self.running = False
        if self.i2s is not None:
            self.i2s.deinit()

    # --- time ---------------------------------------------------------------------------------
    def t_ms(self):
        """Stream time of the newest sample (ms since the first block, lost samples included)."""
        return self.stats["frames"] * 1000 // self.rate + self.stats["lost"] * 1000 // self.rate

    def stream_pos(self):
        """Stream index (samples since init, lost ones included) of the oldest sample in the ring."""
        return self.stats["frames"] + self.stats["lost"] - self.ring.available()

    def _now_ms(self):
        return time.ticks_ms()

    # --- one block ----------------------------------------------------------------------------
    def _convert(self, nbytes):
        n = nbytes // self.slot
        if self.bits == 32:
            acc = _conv32(self._raw, self._pcm, n, self.shift, self._st)
        else:
            acc = _conv16(self._raw, self._pcm, n, 0, self._st)
        return n, acc

    def _account(self, n):
        """Frames received vs the clock: more than ibuf behind means the DMA overran."""
        now = time.ticks_us()
        if self._t0 is None:
            self._t0 = time.ticks_add(now, -n * 1000000 // self.rate)
        self._got += n
        el = time.ticks_diff(now, self._t0)
        lag = el * self.rate // 1000000 - self._got
        # right after a read the DMA holds at most ibuf - block frames (it overruns at ibuf and
        # the read took a block); beyond that (+5 ms of timing slack) frames were lost
        base = self.ibuf_frames - self.block
        if lag > base + max(32, self.rate // 200):
            lost = lag - base
            self._got += lost
            return lost
        if el > 60000000:            # rebase now and then (ticks wrap, long runs)
            self._t0 = time.ticks_add(self._t0, el - (el % 1000000))
            self._got -= (el - (el % 1000000)) * self.rate // 1000000
        return 0

    def _ingest(self, nbytes):
        """Convert and file one block; returns (lost, fault kind or None)."""
        n, acc = self._convert(nbytes)
        if n == 0:
            return (0, 0), None
        st = self.stats
        st["blocks"] += 1
        lost = self._account(n)
        st["frames"] += n
        self.level = acc / n
        # a block that is all zero slots (no data) or all one value (stuck) never reaches the
        # ring; it is reported as a fault once such blocks span fault_frames
        z, same = self._st[0], self._st[1]
        self._st[0] = 0
        self._st[1] = 0
        bk = "nodata" if z >= n else ("stuck" if same >= n else None)
        if bk is None or bk != self._bad_kind:
            self._bad_frames = 0
        self._bad_kind = bk
        if bk is not None:
            self._bad_frames += n
        # (a fault already reported stays on while blocks are still bad, e.g. right after re-init)
        kind = bk if self._bad_frames >= self.fault_frames or (bk is not None and self.fault == bk) else None
        self._window_fault = kind
        if lost:
            st["lost"] += lost
            self.ring.clear()        # the samples before the gap must not meet the ones after it
        if bk is None:
            taken = self.ring.write(memoryview(self._pcm)[:n])
        else:
            taken = n
            self.ring.clear()        # faulty audio is not kept; the ring restarts after it
        d = self.ring.dropped() - self._ring_drop0
        if d:
            st["ring_dropped"] += d
            self._ring_drop0 = self.ring.dropped()
        if taken < n and not d:
            d = n - taken
        return (lost, d), kind

    def _gate_update(self, kind):
        lvl = self.level
        if kind is not None:
            return False
        if self.floor is None:
            self.floor = lvl
        now = self._now_ms()
        loud = self.gate_db is None or lvl >= self.gate_abs and (not self.gate_ratio or lvl >= self.floor * self.gate_ratio)
        if loud:
            self._gate_until = time.ticks_add(now, self.hold_ms)
        elif not self.gate:
            # noise floor: follows drops at once, rises slowly (~2 s), only while closed
            if lvl < self.floor:
                self.floor = lvl
            else:
                self.floor += (lvl - self.floor) * self.block / (2 * self.rate)
        was = self.gate
        self.gate = loud or (was and time.ticks_diff(self._gate_until, now) > 0)
        if self.gate and not was:
            self.stats["gate_opens"] += 1
            self._event("gate", {"open": True, "level_db": round(_db(lvl), 1),
                                 "floor_db": round(_db(self.floor), 1)})
        elif was and not self.gate:
            self._event("gate", {"open": False})
        return self.gate

    def _trim(self):
        # gate closed: keep only the pre-roll (the audio just before a sound starts)
        r = self.ring
        extra = r.available() - self.preroll
        while extra > 0:
            k = r.read(self._trash if extra >= len(self._trash) else memoryview(self._trash)[:extra])
            self.stats["trimmed"] += k
            extra -= k

    def _event(self, kind, info):
        if self.on_event is not None:
            self.on_event(kind, info)

    def _set_fault(self, kind, msg):
        if self.fault != kind:
            self.stats["faults"] += 1
            self.fault = kind
            self._fault_since = self._retry_from = self._now_ms()
            self._event("fault", {"fault": kind, "msg": msg, "t_ms": self.t_ms()})

    def _clear_fault(self):
        if self.fault is not None:
            k = self.fault
            self.fault = None
            self._event("recovered", {"fault": k, "t_ms": self.t_ms(),
                                      "down_ms": time.ticks_diff(self._now_ms(), self._fault_since)})

    def _process(self, nbytes):
        """After a read: convert, account, detect faults, gate; wake the consumer. Returns the
        SensorError for this block or None (the streaming task reports it, read_into raises)."""
        (lost, rdrop), kind = self._ingest(nbytes)
        err = None
        if lost or rdrop:
            self.stats["overflows"] += 1
            if rdrop:
                self.ring.clear()    # the newest samples were dropped: no frame may span the gap
            if lost:
                err = SensorError("overflow", "I2S overrun: about %d samples (%d ms) lost, reader too slow"
                                  % (lost, lost * 1000 // self.rate))
            else:
                err = SensorError("overflow", "mic ring full: %d samples dropped, consumer too slow" % rdrop)
        elif kind == "nodata":
            err = SensorError("nodata", "no data from the %s: every I2S slot is 0 (mic unpowered, "
                                        "clock or SD line broken)" % self.part)
        elif kind == "stuck":
            err = SensorError("stuck", "%s output stuck: every I2S slot is identical" % self.part)
        self._gate_update(kind)
        if not self.gate:
            self._trim()
        return err

    # --- blocking use ---------------------------------------------------------------------------
    def read_into(self, out, wait=True):
        """Blocking: fill out (array('h')) with the next len(out) samples, bypassing the ring.
        Raises SensorError on a fault (after the block was converted; the next call goes on)."""
        if self.i2s is None:
            self.init()
        done = 0
        mv = memoryview(out)
        while done < len(out):
            k = min(self.block, len(out) - done)
            nb = self.i2s.readinto(memoryview(self._raw)[:k * self.slot])
            if nb == 0:
                raise SensorError("nodata", "no I2S data")
            (lost, rdrop), kind = self._ingest(nb)
            n = nb // self.slot
            mv[done:done + n] = memoryview(self._pcm)[:n]
            done += n
            if lost:
                self.stats["overflows"] += 1
                raise SensorError("overflow", "I2S overrun: about %d samples lost" % lost)
            if kind is not None:
                raise SensorError(kind, "%s fault: %s" % (self.part, kind))
        self.ring.clear()
        return done

    # --- streaming task -----------------------------------------------------------------------
    def _pick_mode(self):
        if self.mode is None:
            self.mode = "irq" if hasattr(self.i2s, "irq") else "stream"
        return self.mode

    def _irq(self, i2s):
        # callback mode: runs scheduled (soft IRQ) once the DMA filled self._raw; converts the
        # block into the ring, re-arms the next read at once, and wakes the task
        d = self._duty
        if d:
            d.wake()
        err = self._process(len(self._raw))
        if self._irq_err is None:
            self._irq_err = err
        self._irq_blocks += 1
        if self.running:
            self._arm()
        if d:
            d.sleep()
        self.flag.set()

    def _arm(self):
        self.i2s.irq(self._irq)
        self._armed = True
        self.i2s.readinto(self._raw)

    def _report(self, err):
        if err is None:
            if self.fault is not None:
                self._clear_fault()
            return
        if err.kind == "overflow":
            self.stats["faults"] += 1
            self._event("fault", {"fault": "overflow", "msg": str(err), "t_ms": self.t_ms()})
            self._event("recovered", {"fault": "overflow", "t_ms": self.t_ms(), "down_ms": 0})
            return
        self._set_fault(err.kind, str(err))
        if time.ticks_diff(self._now_ms(), self._retry_from) >= self.retry_ms:
            self._retry_from = self._now_ms()
            self.recover()

    async def run(self, duty=None):
        """The streaming task. duty: a DutyMeter (wake()/sleep() around the work) or None.
        Consumers await self.wait() and read frames from self.ring."""
        if self.i2s is None:
            self.init()
        self.running = True
        self._duty = duty
        mode = self._pick_mode()
        svc = None
        if mode == "irq":
            if hasattr(self.i2s, "service"):            # the UNIX stand-in's DMA engine
                svc = asyncio.create_task(self.i2s.service())
            self._irq_err = None
            self._irq_blocks = 0
            self._arm()
        timeouts = 0
        try:
            while self.running:
                wait_ms = self.nodata_ms if timeouts == 0 else 2 * self.block * 1000 // self.rate + 10
                if mode == "irq":
                    try:
                        await asyncio.wait_for_ms(self._wait_irq(), wait_ms)
                    except asyncio.TimeoutError:
                        pass
                    got = self._irq_blocks      # blocks may have come in while the wait timed out
                    if not self.running:
                        break
                    if duty:
                        duty.wake()
                    err = self._irq_err
                    self._irq_err = None
                    self._irq_blocks = 0
                else:
                    if self._sreader is None:
                        self._sreader = asyncio.StreamReader(self.i2s)
                    try:
                        got = await asyncio.wait_for_ms(self._sreader.readinto(self._raw), wait_ms)
                    except asyncio.TimeoutError:
                        got = 0
                    if not self.running:
                        break
                    if duty:
                        duty.wake()
                    err = self._process(got) if got else None
                if not got:
                    timeouts += 1
                    if timeouts < 2:
                        # a stalled event loop also times out: look once more before reporting
                        if duty:
                            duty.sleep()
                        continue
                    err = SensorError("nodata", "no I2S frames for %d ms (clock stopped?)" % self.nodata_ms)
                else:
                    timeouts = 0
                self._report(err)
                if self.gate or self.fault:
                    self.flag_consumer()
                if duty:
                    duty.sleep()
        finally:
            if svc is not None:
                self.i2s.deinit()
                svc.cancel()

    async def _wait_irq(self):
        await self.flag.wait()

    # consumer wake-up: a second flag so the driver's own IRQ flag is not stolen
    def flag_consumer(self):
        self.data.set()

    def stop(self):
        self.running = False
        self.flag.set()
        self.data.set()

    @property
    def data(self):
        d = getattr(self, "_data", None)
        if d is None:
            d = self._data = asyncio.ThreadSafeFlag()
        return d

    async def wait(self):
        """Sleep until the gate is open (or a fault) and new audio is in the ring."""
        await self.data.wait()

    def level_db(self):
        return _db(self.level)
