"""Continuous KWS features on VIRT_M4: I2S reads fill a dsp.Ring, frames of 480 every 320 samples
are sliced off and turned into MFCCs, with no gap and no overrun, well inside real time.
The board sends its audio back, so the host twin checks every frame's MFCC."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dsp"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))

from devrun import MpremoteDevice, run  # noqa: E402
from tinydev.ml import features as F  # noqa: E402

BODY = """\
import time
from machine import I2S

class Source:  # stands in for the microphone: a rising buzz plus noise, integer arithmetic
    def __init__(self):
        self.n = 0
        self.s = 12345
    def readinto(self, buf):
        a = array.array('h', bytearray(len(buf)))
        for i in range(len(a)):
            self.s = (self.s * 1103515245 + 12345) & 0x7fffffff
            a[i] = ((self.n * (self.n >> 6)) & 0x3fff) - 0x2000 + ((self.s >> 16) & 0xff) - 128
            self.n += 1
        memoryview(buf)[:] = bytes(a)
        return len(buf)

i2s = I2S(0, mode=I2S.RX, bits=16, format=I2S.MONO, rate=16000, ibuf=8192)
i2s.attach(Source())
ring = dsp.Ring(2048)
mfcc = dsp.MFCC()
chunk = bytearray(640)            # 320 samples = one 20 ms hop per read
frame = array.array('h', bytearray(960))
c = array.array('f', bytearray(52))
audio = bytearray()
feats = bytearray()
busy = 0
for _ in range(50):               # one second
    i2s.readinto(chunk)
    audio += chunk
    ring.write(chunk)
    while ring.frame(frame, 320):
        t0 = time.ticks_us()
        mfcc.mfcc(frame, c)
        busy += time.ticks_diff(time.ticks_us(), t0)
        feats += bytes(c)
_out('audio', audio)
_out('feats', feats)
print('stats', ring.dropped(), busy)
"""


@pytest.mark.vboard
@pytest.mark.slow
def test_i2s_ring_mfcc_stream_on_virt_m4(request):
    # A board the caller started (TINYDEV_PORT), else the session's private VIRT_M4.
    port = os.environ.get("TINYDEV_PORT") or request.getfixturevalue("vboard").port
    out = run(MpremoteDevice(port, str(Path(sys.executable).with_name("mpremote"))), BODY, {"audio": np.int16})
    audio = out["audio"]
    assert len(audio) == 16000
    got = out["feats"].reshape(-1, 13)
    want = F.mfcc_stream(audio)
    assert got.shape == want.shape == (49, 13)  # every frame, none lost or doubled
    for g, w in zip(got, want):
        assert F.max_rel_error(g, w) <= 1e-4
    stats = [ln for ln in out["_lines"] if ln.startswith("stats")][0].split()
    dropped, busy_us = int(stats[1]), int(stats[2])
    assert dropped == 0
    # 49 MFCC frames in one second of audio: under 2 % of the time at the emulated speed.
    assert busy_us < 20_000, busy_us
    print(f"MFCC busy {busy_us} us per second of audio ({busy_us / 49:.0f} us per frame)")
