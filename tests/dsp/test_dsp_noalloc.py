"""The hot path allocates nothing: every per-frame call works with the heap locked (as in an IRQ)."""
from devrun import run


def test_hot_path_runs_with_heap_locked(dsp_device):
    body = """\
import micropython
f = dsp.RFFT(512, window=dsp.HANN); m = dsp.MFCC(); v = dsp.Vibration(256, 1000, bands=((1, 50),))
r = dsp.Ring(1024)
x = array.array('f', range(512)); p = array.array('f', bytearray(4 * 257)); c = array.array('f', bytearray(4 * 514))
fr = array.array('h', range(480)); mf = array.array('f', bytearray(4 * 13)); lm = array.array('f', bytearray(4 * 40))
s = array.array('f', range(768)); vo = array.array('f', bytearray(4 * v.n_out))
q = array.array('b', bytearray(13)); chunk = array.array('h', range(320)); raw = bytearray(640)
micropython.heap_lock()
try:
    for _ in range(3):
        f.power(x, p); f.magnitude(x, p); f.rfft(x, c)
        m.mfcc(fr, mf); m.logmel(fr, lm); m.melspec(fr, lm); m.power(fr, p)
        v.features(s, vo)
        r.write(chunk); r.write(raw); r.frame(fr, 320); r.read(chunk); len(r); r.available()
        dsp.quantize(mf, q, 0.5, 3)
        dsp.window(p, dsp.HAMMING)
    ok = True
finally:
    micropython.heap_unlock()
print('ok', ok)
"""
    assert run(dsp_device, body)["_lines"] == ["ok True"]
