# PDM MEMS microphone (e.g. the XIAO ESP32S3 Sense's MSM261D3526H1CPM) over machine.I2S in standard
# RX mode: MicroPython's machine.I2S has no PDM mode, so the I2S bit clock drives the mic's clock
# (sck = the mic's CLK pin, sd = its DATA pin, ws = a spare pin nothing listens to) and every bit of
# the received words is one PDM sample. 16-bit stereo at rate * decimation / 32 frames/s gives a
# bit clock of rate * decimation: 1.024 MHz for 16 kHz PCM with decimation 64. The words arrive
# little-endian in memory, each MSB first; tinyml.dsp.PDM (CIC + DC blocker, in C) turns them into
# int16 PCM, streaming across reads.
#
# PDMMic is I2SMic (drivers/i2s_mic.py) with another converter: the same ring, gate, streaming
# task, overrun accounting, fault reporting and recovery, with the stream counted in PCM samples
# (one "slot" = decimation / 8 bytes of words). Faults: "nodata" when every bit of a block is 0
# (mic unpowered, DATA stuck low, no clock), "stuck" when every bit is 1 (DATA latched high).
# shift (as for the I2S mic: 16 = unity, smaller is gain) maps to the decimator's gain bits.
from tinydev.drivers.i2s_mic import I2SMic, _dsp


class PDMMic(I2SMic):
    PARTS = ("pdm",)

    def __init__(self, make_i2s, rate=16000, decimation=64, order=5, hpf=10, shift=16, ibuf=16384,
                 part="pdm", **kw):
        """make_i2s(): builds machine.I2S (RX, 16 bits, STEREO, rate * decimation // 32 Hz,
        `ibuf`) with sck on the mic's CLK and sd on its DATA. Other options as I2SMic."""
        if _dsp is None or not hasattr(_dsp, "PDM"):
            raise OSError("the PDM microphone needs tinyml.dsp.PDM (firmware with the tinyml module)")
        if not 7 <= shift <= 16:
            raise ValueError("shift must be in 7..16 (gain 0..9 bits)")
        self.pdm = _dsp.PDM(decimation, order=order, hpf=hpf, gain=16 - shift)
        self.decimation = decimation
        super().__init__(make_i2s, rate=rate, bits=16, shift=max(shift, 8), ibuf=ibuf, part=part,
                         slot=decimation // 8, **kw)

    def init(self):
        super().init()
        self.pdm.reset()          # a new bitstream: no history from before the (re)start
        return self

    def _convert(self, nbytes):
        p = self.pdm
        n = p.decode(self._raw if nbytes == len(self._raw) else memoryview(self._raw)[:nbytes], self._pcm)
        ones = p.ones()
        st = self._st
        st[0] = n if ones == 0 else 0               # all bits 0: "nodata"
        st[1] = n if ones == 8 * nbytes else 0      # all bits 1: "stuck"
        return n, p.level()
