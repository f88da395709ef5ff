"""Bad arguments raise ValueError/TypeError with a message that names the problem."""
import pytest

from devrun import run

CASES = [
    # (expression, exception, words in the message)
    ("dsp.RFFT(100)", "ValueError", "power of two in 64..2048"),
    ("dsp.RFFT(32)", "ValueError", "power of two in 64..2048"),
    ("dsp.RFFT(4096)", "ValueError", "power of two in 64..2048"),
    ("dsp.RFFT(512, window=7)", "ValueError", "window must be"),
    ("F.power(array.array('d', [0] * 64), P)", "TypeError", "x must be an int16 ('h') or float32 ('f')"),
    ("F.power(array.array('i', [0] * 64), P)", "TypeError", "x must be an int16"),
    ("F.power([0.0] * 64, P)", "TypeError", "buffer"),
    ("F.power(array.array('f', [0] * 63), P)", "ValueError", "x must hold 64 values, got 63"),
    ("F.power(bytearray(127), P)", "ValueError", "odd byte count"),
    ("F.power(X, array.array('f', [0] * 32))", "ValueError", "out must hold 33 values, got 32"),
    ("F.power(X, array.array('h', [0] * 33))", "TypeError", "out must be a float32"),
    ("F.power(X, b'\\x00' * 132)", "TypeError", ""),  # read-only output
    ("F.rfft(X, array.array('f', [0] * 64))", "ValueError", "out must hold 66 values"),
    ("F.power(memoryview(bytearray(130))[1:129], P)", "ValueError", "aligned"),
    ("dsp.MFCC(n_fft=500)", "ValueError", "n_fft must be a power of two"),
    ("dsp.MFCC(frame_len=600)", "ValueError", "frame_len must be in 1..n_fft"),
    ("dsp.MFCC(n_mels=0)", "ValueError", "n_mels"),
    ("dsp.MFCC(n_mfcc=41)", "ValueError", "n_mfcc must be in 0..n_mels"),
    ("dsp.MFCC(fmax=9000)", "ValueError", "fmax <= sample_rate/2"),
    ("dsp.MFCC(fmin=-1)", "ValueError", "0 <= fmin"),
    ("dsp.MFCC(fmin=4000, fmax=4000)", "ValueError", "fmin < fmax"),
    ("dsp.MFCC(sample_rate=0)", "ValueError", "sample_rate"),
    ("M.mfcc(array.array('h', [0] * 479), C)", "ValueError", "frame must hold 480 values, got 479"),
    ("M.mfcc(array.array('h', [0] * 480), array.array('f', [0] * 10))", "ValueError", "out must hold 13"),
    ("M.mfcc(array.array('b', [0] * 480), C)", "TypeError", "frame must be"),
    ("dsp.MFCC(n_mfcc=0).mfcc(array.array('h', [0] * 480), C)", "ValueError", "n_mfcc=0"),
    ("dsp.Vibration(100, 1000, bands=((1, 2),))", "ValueError", "power of two"),
    ("dsp.Vibration(256, 0)", "ValueError", "fs must be > 0"),
    ("dsp.Vibration(256, 1000, bands=((5, 5),))", "ValueError", "0 <= lo < hi"),
    ("dsp.Vibration(256, 1000, bands=((5,),))", "ValueError", ""),
    ("dsp.Vibration(256, 1000, axes=0)", "ValueError", "axes"),
    ("V.features(array.array('f', [0] * 255), VO)", "ValueError", "samples must hold 768 values, got 255"),
    ("dsp.Ring(0)", "ValueError", "capacity"),
    ("dsp.Ring(8, 'd')", "ValueError", "typecode must be"),
    ("R.write(array.array('f', [0] * 2))", "TypeError", "items must be 2 bytes"),
    ("R.write(bytearray(3))", "ValueError", "whole number of items"),
    ("R.frame(array.array('h', [0] * 4), 0)", "ValueError", "hop must be"),
    ("R.frame(array.array('h', [0] * 9), 1)", "ValueError", "frame must hold 1..capacity"),
    ("dsp.quantize(array.array('f', [1]), array.array('b', [0]), 0)", "ValueError", "scale must be > 0"),
    ("dsp.quantize(array.array('f', [1]), array.array('b', [0]), 1, 200)", "ValueError", "zero_point"),
    ("dsp.quantize(array.array('f', [1]), array.array('h', [0]), 1)", "TypeError", "int8"),
    ("dsp.quantize(array.array('f', [1, 2]), array.array('b', [0]), 1)", "ValueError", "out must hold 2"),
    ("dsp.window(array.array('f'), dsp.HANN)", "ValueError", "empty"),
    ("dsp.window(array.array('f', [0]), 9)", "ValueError", "window kind"),
]


def test_bad_arguments_raise_clear_errors(dsp_device):
    body = """\
F = dsp.RFFT(64); P = array.array('f', [0] * 33); X = array.array('f', [0] * 64)
M = dsp.MFCC(); C = array.array('f', [0] * 13)
V = dsp.Vibration(256, 1000); VO = array.array('f', [0] * 12)
R = dsp.Ring(8)
for i, expr in enumerate(CASES):
    try:
        eval(expr)
        print('%d|none|' % i)
    except Exception as e:
        print('%d|%s|%s' % (i, type(e).__name__, e))
"""
    body = "CASES = %r\n" % [c[0] for c in CASES] + body
    lines = run(dsp_device, body)["_lines"]
    assert len(lines) == len(CASES), lines
    for line, (expr, exc, words) in zip(lines, CASES):
        _, got_exc, msg = line.split("|", 2)
        assert got_exc == exc, (expr, got_exc, msg)
        assert words in msg, (expr, msg)


@pytest.mark.parametrize("n", [64, 2048])
def test_valid_edges_accepted(dsp_device, n):
    lines = run(dsp_device, f"f = dsp.RFFT({n}); print(f.n, f.n_bins)\n")["_lines"]
    assert lines == [f"{n} {n // 2 + 1}"]
