# Emulated I2S MEMS microphone (INMP441 / ICS-43434) for the virtual boards, fed by a WAV replay
# (16-bit PCM mono, e.g. 16 kHz). It produces what the chip puts on the wire: 24-bit two's
# complement samples, MSB first, left-justified in 32-bit slots (the low 8 bits are 0), mono (L/R
# tied low, left slot). The 24-bit value carries the WAV sample in its top 16 bits and 8 bits of
# sub-LSB detail below (a fixed pseudo-random pattern), so a converter that keeps bits 31..16 gets
# the WAV sample back exactly. With bits=16 it hands out the 16-bit samples as they are.
#
# Where it sits:
#  - VIRT_M4: machine.I2S(0, ...).attach(sim): the board's I2S paces delivery in board time and
#    calls sim.readinto(mv) for every due block, sim.skip(nbytes) when the reader fell behind.
#  - UNIX: I2S below, a pure-Python stand-in for machine.I2S with the same attach() protocol, the
#    same overrun rule, and the IRQ-callback mode of the esp32/stm32/rp2 ports (i2s.irq(handler)
#    makes readinto() non-blocking; its service() task is the "DMA" that fills the buffer when its
#    samples are due and calls the handler).
#
# Faults, in stream time (seconds of the replay; the stream is paced by the board, so this is
# board time since the stream started): inject(kind, start_s, end_s) with kind
#   "drop"   the data line carries nothing: every slot is 0 (unpowered / unclocked mic, broken SD)
#   "stuck"  every slot repeats the last value (a frozen DMA buffer, a latched data line)
#   "noclk"  (UNIX stand-in only) the bit clock stops: no frames are delivered at all
import time
import struct
import micropython

try:
    import asyncio
except ImportError:
    asyncio = None


class WavError(ValueError):
    pass


class Wav:
    """Reader of 16-bit PCM mono WAV files, in chunks (a long replay never has to fit in RAM)."""

    def __init__(self, path):
        self.path = path
        f = self._f = open(path, "rb")
        hdr = f.read(12)
        if len(hdr) < 12 or hdr[0:4] != b"RIFF" or hdr[8:12] != b"WAVE":
            raise WavError("%s is not a RIFF/WAVE file" % path)
        self.rate = None
        pos = 12
        while True:
            ch = f.read(8)
            if len(ch) < 8:
                raise WavError("%s has no data chunk" % path)
            cid, size = ch[0:4], struct.unpack("<I", ch[4:8])[0]
            pos += 8
            if cid == b"fmt ":
                fmt = f.read(size)
                tag, chans, rate = struct.unpack_from("<HHI", fmt, 0)
                bits = struct.unpack_from("<H", fmt, 14)[0]
                if tag not in (1, 0xFFFE) or chans != 1 or bits != 16:
                    raise WavError("%s: need 16-bit PCM mono, got format %d, %d channel(s), %d bits"
                                   % (path, tag, chans, bits))
                self.rate = rate
            elif cid == b"data":
                if self.rate is None:
                    raise WavError("%s: data before fmt chunk" % path)
                self.data_off = pos
                self.n = size // 2
                break
            else:
                f.seek(size + (size & 1), 1)
            pos += size + (size & 1)
        self.pos = 0

    @property
    def duration(self):
        return self.n / self.rate

    def seek(self, i):
        self.pos = i
        self._f.seek(self.data_off + 2 * min(i, self.n))

    def readinto(self, buf):
        """Next samples (int16 LE) into buf; returns the number of samples (0 at the end)."""
        k = min(len(buf) // 2, self.n - self.pos)
        if k <= 0:
            return 0
        got = self._f.readinto(memoryview(buf)[:2 * k]) // 2
        self.pos += got
        return got

    def close(self):
        self._f.close()


_VIPER = '''
@micropython.viper
def _pack32(src: ptr16, dst: ptr32, n: int, seed: int) -> int:
    # slot = (x << 16) | (d << 8): 24-bit sample x * 256 + d, left-justified; d is sub-LSB detail
    s = seed                     # xorshift16 (small constants: viper ints are machine words)
    for i in range(n):
        s ^= (s << 7) & 0xFFFF
        s ^= s >> 9
        s ^= (s << 8) & 0xFFFF
        dst[i] = (src[i] << 16) | ((s & 0xFF) << 8)
    return s


@micropython.viper
def _fill32(dst: ptr32, n: int, v: int):
    for i in range(n):
        dst[i] = v


@micropython.viper
def _fill16(dst: ptr16, n: int, v: int):
    for i in range(n):
        dst[i] = v
'''


def _pack32_py(src, dst, n, seed):
    s = seed
    for i in range(n):
        s ^= (s << 7) & 0xFFFF
        s ^= s >> 9
        s ^= (s << 8) & 0xFFFF
        x = src[2 * i] | (src[2 * i + 1] << 8)
        struct.pack_into("<I", dst, 4 * i, (x << 16) | ((s & 0xFF) << 8))
    return s


def _fill_py(size):
    def f(dst, n, v):
        fmt = "<i" if size == 4 else "<h"
        for i in range(n):
            struct.pack_into(fmt, dst, size * i, v)
    return f


def _native(src, names, fallback):
    # compiled at import, not frozen (see tinydev.drivers.i2s_mic._native)
    g = {"micropython": micropython}
    try:
        exec(src, g)
        return [g[k] for k in names]
    except (SyntaxError, NotImplementedError, ValueError):
        return fallback


_pack32, _fill32, _fill16 = _native(_VIPER, ("_pack32", "_fill32", "_fill16"),
                                    (_pack32_py, _fill_py(4), _fill_py(2)))


class I2SMicSim:
    """The microphone's side of the I2S link. wav: path or Wav. bits: slot width the host's I2S
    is configured for (32: 24-bit in 32-bit slots, 16: plain 16-bit). Past the end of the replay
    it keeps delivering silence (zeros in the top 16 bits, sub-LSB detail below), or loops."""

    def __init__(self, wav, bits=32, loop=False, seed=1):
        if bits not in (16, 32):
            raise ValueError("bits must be 16 or 32")
        self.wav = Wav(wav) if isinstance(wav, str) else wav
        self.rate = self.wav.rate
        self.bits = bits
        self.frame = bits // 8
        self.loop = loop
        self.faults = []               # [kind, start_sample, end_sample]
        self.pos = 0                   # frames delivered or skipped (stream time = pos / rate)
        self._seed = seed
        self._pcm = bytearray(512)     # 256 samples per step
        self._last = 0                 # last slot value (for "stuck")
        self._ended = None
        self.finished = False
        self.stats = {"frames": 0, "skipped": 0, "dropped": 0, "stuck": 0, "noclk": 0}
        self.busy_us = 0               # CPU time spent here (stands in for the DMA, not the app)

    # --- faults and time --------------------------------------------------------------------
    def inject(self, kind, start_s, end_s):
        if kind not in ("drop", "stuck", "noclk"):
            raise ValueError("fault kind must be drop, stuck or noclk")
        self.faults.append([kind, int(start_s * self.rate), int(end_s * self.rate)])

    def fault_at(self, i):
        for f in self.faults:
            if f[1] <= i < f[2]:
                return f[0]
        return None

    def _next_boundary(self, i):
        # first sample index > i where the fault state may change
        b = 1 << 30
        for f in self.faults:
            if i < f[1] < b:
                b = f[1]
            if i < f[2] < b:
                b = f[2]
        return b

    @property
    def elapsed_s(self):
        return self.pos / self.rate

    def ended(self):
        """An asyncio.Event set once the replay has been delivered to its end."""
        if self._ended is None:
            self._ended = asyncio.Event()
            if self.finished:
                self._ended.set()
        return self._ended

    def _check_end(self):
        if not self.finished and self.pos >= self.wav.n:
            self.finished = True
            if self._ended is not None:
                self._ended.set()

    # --- the I2S device protocol --------------------------------------------------------------
    def skip(self, nbytes):
        """The host's I2S lost nbytes (overrun): the mic kept talking, nobody listened."""
        k = nbytes // self.frame
        self.pos += k
        self.stats["skipped"] += k
        self._check_end()

    def readinto(self, buf):
        t0 = time.ticks_us()
        mv = memoryview(buf)
        nf = len(buf) // self.frame
        done = 0
        while done < nf:
            i = self.pos
            kind = self.fault_at(i)
            k = min(nf - done, len(self._pcm) // 2, self._next_boundary(i) - i)
            out = mv[done * self.frame:(done + k) * self.frame]
            if kind == "drop":
                (_fill32 if self.bits == 32 else _fill16)(out, k, 0)
                self._last = 0
                self.stats["dropped"] += k
            elif kind == "stuck":
                (_fill32 if self.bits == 32 else _fill16)(out, k, self._last)
                self.stats["stuck"] += k
            else:
                self._read_pcm(i, k)
                if self.bits == 32:
                    self._seed = _pack32(self._pcm, out, k, self._seed)
                    self._last = struct.unpack_from("<i", out, 4 * (k - 1))[0]
                else:
                    out[:] = memoryview(self._pcm)[:2 * k]
                    self._last = struct.unpack_from("<h", out, 2 * (k - 1))[0]
            self.pos += k
            done += k
        self.stats["frames"] += nf
        self._check_end()
        self.busy_us += time.ticks_diff(time.ticks_us(), t0)
        return nf * self.frame

    def _read_pcm(self, i, k):
        w = self.wav
        if self.loop and w.n:
            i %= w.n
        if w.pos != i:
            w.seek(i)
        got = w.readinto(memoryview(self._pcm)[:2 * k])
        if got < k:
            if self.loop and w.n:
                w.seek(0)
                got += w.readinto(memoryview(self._pcm)[2 * got:2 * k])
            for j in range(2 * got, 2 * k):
                self._pcm[j] = 0


class I2S:
    """machine.I2S stand-in for the unix port (RX only), same attach() protocol as VIRT_M4's.
    Blocking readinto() paces delivery on time.ticks_us; a reader more than ibuf behind loses the
    oldest frames (the source's skip() is told). irq(handler) switches to the callback mode of the
    hardware ports: readinto(buf) returns 0 at once and service() (an asyncio task, the DMA)
    fills buf when its frames are due, then calls handler(i2s)."""
    RX = 0
    TX = 1
    MONO = 0
    STEREO = 1
    _peers = {}     # id -> source, kept across re-init like the board's peripheral
    _objs = {}      # one object per id, as machine.I2S(id) on the hardware ports

    def __new__(cls, id, **kw):
        o = cls._objs.get(id)
        if o is None:
            o = cls._objs[id] = object.__new__(cls)
        return o

    def __init__(self, id, *, sck=None, ws=None, sd=None, mck=None, mode=0, bits=16, format=0,
                 rate=16000, ibuf=8192):
        self.id = id
        self._handler = None
        self._pending = None
        self.init(mode=mode, bits=bits, format=format, rate=rate, ibuf=ibuf)

    def init(self, *, sck=None, ws=None, sd=None, mck=None, mode=0, bits=16, format=0, rate=16000,
             ibuf=8192):
        if mode != I2S.RX:
            raise ValueError("the stand-in I2S is RX only")
        if bits not in (16, 32) or format not in (0, 1) or rate <= 0 or ibuf <= 0:
            raise ValueError("invalid I2S parameters")
        self.bits = bits
        self.rate = rate
        self.frame = bits // 8 * (2 if format else 1)
        self.ibuf_frames = max(1, ibuf // self.frame)
        self.active = True
        self._t0 = time.ticks_us()
        self._done = 0              # frames handed out (or lost) since init
        self._pending = None
        self.overruns = 0

    def deinit(self):
        self.active = False
        self._pending = None

    def attach(self, source):
        I2S._peers[self.id] = source

    def irq(self, handler):
        self._handler = handler

    def _due(self):
        el = time.ticks_diff(time.ticks_us(), self._t0)
        due = el * self.rate // 1000000 - self._done
        lost = due - self.ibuf_frames
        if lost > 0:
            self._done += lost
            due -= lost
            self.overruns += 1
            src = I2S._peers.get(self.id)
            if src is not None and hasattr(src, "skip"):
                src.skip(lost * self.frame)
        return due

    def _clock_stopped(self):
        src = I2S._peers.get(self.id)
        return src is not None and hasattr(src, "fault_at") and src.fault_at(src.pos) == "noclk"

    def _deliver(self, mv, frames):
        src = I2S._peers.get(self.id)
        n = frames * self.frame
        if src is None:
            for i in range(n):
                mv[i] = 0
        else:
            src.readinto(mv[:n])
        self._done += frames
        return n

    def readinto(self, buf):
        if not self.active:
            raise ValueError("I2S not in RX mode")
        mv = memoryview(buf)
        frames = len(buf) // self.frame
        if self._handler is not None:
            self._pending = mv[:frames * self.frame]
            return 0
        while self._due() < frames or self._clock_stopped():
            if self._clock_stopped():
                self._t0 = time.ticks_add(self._t0, 1000)   # no clock: the stream does not advance
                self._peers[self.id].pos += self.rate // 1000
                self._peers[self.id].stats["noclk"] += self.rate // 1000
            time.sleep_ms(1)
        return self._deliver(mv, frames)

    async def service(self):
        """The DMA of the callback mode: fill the pending buffer when due, call the handler."""
        while True:
            p = self._pending
            if p is None or not self.active:
                await asyncio.sleep_ms(5)
                continue
            frames = len(p) // self.frame
            missing = frames - self._due()
            if self._clock_stopped():
                src = self._peers[self.id]
                step = self.rate // 100
                self._t0 = time.ticks_add(self._t0, 10000)
                src.pos += step
                src.stats["noclk"] += step
                await asyncio.sleep_ms(10)
                continue
            if missing > 0:
                await asyncio.sleep_ms(max(1, missing * 1000 // self.rate))
                continue
            self._pending = None
            self._deliver(p, frames)
            if self._handler is not None:
                self._handler(self)
