"""tinyml.dsp.PDM (PDM bitstream -> int16 PCM) against its numpy twin tinydev.pdm.decode: bit-exact
on sigma-delta tones, random bitstreams and stuck lines, for each decimation/order/hpf/gain; a 1 kHz
tone from the 2nd-order modulator decodes with SNR >= 40 dB at the right frequency; odd-sized
chunks give exactly what one call gives; bad arguments raise naming the problem."""
import numpy as np
import pytest
from devrun import pick, run
from tinydev import pdm

RATE = 16000


def _tone(n, f=1000.0, amp=0.5, rate=RATE):
    t = np.arange(n) / rate
    return amp * 32768 * np.sin(2 * np.pi * f * t)


@pytest.fixture(scope="module")
def streams():
    rng = np.random.default_rng(11)
    t = np.arange(2048) / RATE
    speechy = 6000 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) + rng.normal(0, 800, len(t))
    return {
        "tone_1k": np.frombuffer(pdm.encode(_tone(2048)), np.uint8),
        "speechy": np.frombuffer(pdm.encode(speechy), np.uint8),
        "random": rng.integers(0, 256, 2048 * 8, dtype=np.uint8),
        "zeros": np.zeros(4096, np.uint8),
        "ones": np.full(4096, 255, np.uint8),
    }


CONFIGS = [(64, 5, 10, 0), (64, 4, 0, 0), (32, 5, 12, 3), (128, 4, 10, 0), (16, 3, 6, 9), (8, 2, 4, 1)]


def test_pdm_bit_exact_with_twin(dsp_device, streams):
    sigs = pick(dsp_device, streams, {"tone_1k", "ones"})
    body = f"cfgs = {CONFIGS!r}\n" + """\
for name in NAMES:
    src = globals()[name]
    for r, n, hpf, gain in cfgs:
        p = dsp.PDM(r, order=n, hpf=hpf, gain=gain)
        out = array.array('h', bytearray(2 * p.outputs(len(src))))
        k = p.decode(src, out)
        assert k == len(out), (k, len(out))
        _out('%s.%d_%d_%d_%d' % (name, r, n, hpf, gain), out)
        print('ones', name, '%d_%d_%d_%d' % (r, n, hpf, gain), p.ones(), p.level())
"""
    out = run(dsp_device, f"NAMES = {list(sigs)!r}\n" + body, {k: np.int16 for k in sigs}, **sigs)
    for name, src in sigs.items():
        data = src.tobytes()
        for r, n, hpf, gain in CONFIGS:
            want = pdm.decode(data, r, n, hpf, gain)
            got = out[f"{name}.{r}_{n}_{hpf}_{gain}"]
            assert np.array_equal(got, want), (name, r, n, hpf, gain, np.flatnonzero(got != want)[:5])
    ones = {(ln.split()[1], ln.split()[2]): (int(ln.split()[3]), int(ln.split()[4]))
            for ln in out["_lines"] if ln.startswith("ones ")}
    for name, src in sigs.items():
        o, level = ones[(name, "64_5_10_0")]
        assert o == int(np.unpackbits(src).sum())
        assert level == int(np.abs(pdm.decode(src.tobytes(), 64, 5, 10, 0).astype(np.int64)).sum())


def test_pdm_tone_snr_and_streaming(dsp_device):
    """1 kHz at -6 dBFS through the 2nd-order modulator: SNR >= 40 dB at 1 kHz (C output); chunks of
    odd word counts (and empty ones) give the one-call result exactly."""
    src = np.frombuffer(pdm.encode(_tone(4096)), np.uint8)
    rng = np.random.default_rng(3)
    sizes = (2 * rng.integers(0, 40, 1200)).astype(np.int16)   # even byte counts: 0..78 bytes
    body = """\
p = dsp.PDM(64)
whole = array.array('h', bytearray(2 * p.outputs(len(src))))
p.decode(src, whole)
_out('whole', whole)
p.reset()
parts = array.array('h', bytearray(2 * len(whole)))
buf = array.array('h', bytearray(2 * 16))
mv = memoryview(src)
pos = 0
start = 0
for size in list(sizes) + [len(src)]:
    end = min(start + size, len(src))
    k = p.decode(mv[start:end], buf)
    parts[pos:pos + k] = buf[:k]
    pos += k
    start = end
print('count', pos, len(whole))
_out('parts', parts)
"""
    out = run(dsp_device, body, {"whole": np.int16, "parts": np.int16}, src=src, sizes=sizes)
    assert f"count {len(out['whole'])} {len(out['whole'])}" in out["_lines"]
    assert np.array_equal(out["parts"], out["whole"])
    assert np.array_equal(out["whole"], pdm.decode(src.tobytes()))
    snr, f = pdm.snr_db(out["whole"], RATE, 1000, skip=512)
    print(f"PDM 1 kHz tone: SNR {snr:.1f} dB at {f:.1f} Hz")
    assert snr >= 40 and abs(f - 1000) < 5, (snr, f)


@pytest.mark.parametrize("expr,exc,words", [
    ("dsp.PDM(48)", "ValueError", "decimation 48 not supported"),
    ("dsp.PDM(256)", "ValueError", "decimation 256 not supported"),
    ("dsp.PDM(128, order=5)", "ValueError", "order <= 4"),
    ("dsp.PDM(64, order=6)", "ValueError", "order must be in 2..5"),
    ("dsp.PDM(64, hpf=2)", "ValueError", "hpf must be 0"),
    ("dsp.PDM(64, gain=10)", "ValueError", "gain must be in 0..9"),
    ("P.decode(bytearray(15), O)", "ValueError", "even byte count"),
    ("P.decode(array.array('f', [0] * 4), O)", "TypeError", "src must be bytes-like"),
    ("P.decode(bytearray(8 * 9), O)", "ValueError", "out must hold at least 9 samples, got 8"),
    ("P.decode(bytearray(16), array.array('f', [0] * 8))", "TypeError", "out must be an int16"),
    ("P.decode(bytearray(16), b'\\x00' * 16)", "TypeError", ""),
    ("P.outputs(-1)", "ValueError", "nbytes"),
])
def test_pdm_errors(dsp_device, expr, exc, words):
    body = f"""\
P = dsp.PDM(64)
O = array.array('h', [0] * 8)
try:
    {expr}
    print('NO ERROR')
except Exception as e:
    print('ERR', type(e).__name__, e)
"""
    line = run(dsp_device, body)["_lines"][-1]
    assert line.startswith(f"ERR {exc}") and words in line, line


def test_pdm_decode_with_heap_locked(dsp_device):
    """decode(), ones(), level() and reset() allocate nothing (as in an I2S IRQ callback)."""
    body = """\
import micropython
p = dsp.PDM(64)
src = bytearray(b'\\x96\\x69' * 1024); out = array.array('h', bytearray(2 * 256))
micropython.heap_lock()
try:
    for _ in range(3):
        n = p.decode(src, out); p.ones(); p.level(); p.outputs(len(src)); p.reset()
finally:
    micropython.heap_unlock()
print('ok', n)
"""
    assert run(dsp_device, body)["_lines"] == ["ok 256"]
