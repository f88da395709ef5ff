# Emulated PDM microphone for the virtual boards, fed by a PDM replay file (.pdm, written on the
# host by tinydev.pdm: a 2nd-order sigma-delta bitstream of a WAV). It sits where the I2S MEMS
# mic's emulator sits (sim/i2s_mic.py: attach() to machine.I2S on VIRT_M4, to the pure-Python I2S
# stand-in on UNIX) and serves the words an I2S peripheral in 16-bit stereo RX mode receives when
# its bit clock drives a PDM mic: frames of 4 bytes (two little-endian 16-bit words, each MSB
# first) at bit rate / 32 frames per second. drivers/pdm_mic.py and tinyml.dsp.PDM run on top
# unchanged.
#
# File: b"TDPDM1\0\0", bit rate and data bytes (little-endian uint32), then the words.
# Faults (inject(kind, start_s, end_s), stream time): "drop" (DATA low: every bit 0), "stuck"
# (DATA latched high: every bit 1), "noclk" (UNIX stand-in only: no frames at all). Past the end
# of the replay the line idles at 1010... (mid-scale silence), or the replay loops.
import struct

from tinydev.sim.i2s_mic import I2SMicSim

MAGIC = b"TDPDM1\0\0"
FRAME = 4


class PdmFile:
    """Reader of .pdm replays in chunks: n frames of 4 bytes at `rate` frames/s."""

    def __init__(self, path):
        self.path = path
        f = self._f = open(path, "rb")
        hdr = f.read(16)
        if len(hdr) < 16 or hdr[:8] != MAGIC:
            raise ValueError("%s is not a PDM replay (written by tinydev.pdm.write_replay)" % path)
        bit_rate, size = struct.unpack("<II", hdr[8:16])
        if bit_rate % 32:
            raise ValueError("%s: bit rate %d is not a multiple of 32" % (path, bit_rate))
        self.bit_rate = bit_rate
        self.rate = bit_rate // 32
        self.n = size // FRAME
        self.pos = 0

    @property
    def duration(self):
        return self.n / self.rate

    def seek(self, i):
        self.pos = i
        self._f.seek(16 + FRAME * min(i, self.n))

    def readinto(self, buf):
        k = min(len(buf) // FRAME, self.n - self.pos)
        if k <= 0:
            return 0
        got = self._f.readinto(memoryview(buf)[:FRAME * k]) // FRAME
        self.pos += got
        return got

    def close(self):
        self._f.close()


_LINE = {0: bytes(256), 0xFF: b"\xff" * 256, 0xAA: b"\xaa" * 256}


def _fill(mv, v):
    c = _LINE[v]
    j = 0
    while j < len(mv):
        m = min(256, len(mv) - j)
        mv[j:j + m] = c[:m]
        j += m


class PDMMicSim(I2SMicSim):
    """The PDM mic's side of the link (fault windows, skip(), ended() as I2SMicSim's; positions
    are I2S frames)."""

    def __init__(self, replay, loop=False):
        self.wav = PdmFile(replay) if isinstance(replay, str) else replay
        self.rate = self.wav.rate            # I2S frames per second
        self.bit_rate = self.wav.bit_rate
        self.bits = 16
        self.frame = FRAME
        self.loop = loop
        self.faults = []
        self.pos = 0
        self._ended = None
        self.finished = False
        self.stats = {"frames": 0, "skipped": 0, "dropped": 0, "stuck": 0, "noclk": 0}
        self.busy_us = 0

    def readinto(self, buf):
        mv = memoryview(buf)
        nf = len(buf) // FRAME
        done = 0
        while done < nf:
            i = self.pos
            kind = self.fault_at(i)
            k = min(nf - done, self._next_boundary(i) - i)
            out = mv[done * FRAME:(done + k) * FRAME]
            if kind == "drop":
                _fill(out, 0)
                self.stats["dropped"] += k
            elif kind == "stuck":
                _fill(out, 0xFF)
                self.stats["stuck"] += k
            else:
                self._read(i, out, k)
            self.pos += k
            done += k
        self.stats["frames"] += nf
        self._check_end()
        return nf * FRAME

    def _read(self, i, out, k):
        w = self.wav
        if self.loop and w.n:
            i %= w.n
        if w.pos != i:
            w.seek(i)
        got = w.readinto(out)
        while got < k:
            if self.loop and w.n:
                w.seek(0)
                got += w.readinto(out[FRAME * got:])
                continue
            _fill(out[FRAME * got:FRAME * k], 0xAA)   # idle line after the replay: 1010...
            break
