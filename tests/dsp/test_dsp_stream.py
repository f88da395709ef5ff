"""tinyml.dsp.Ring (the streaming ring and frame slicer) and dsp.quantize: exact, bit for bit."""
import numpy as np

from devrun import run
from tinydev.ml import features as F


def test_ring_frames_are_exact(dsp_device):
    """Uneven writes (as from IRQs), overlapping and gapped hops: frames equal features.frames."""
    rng = np.random.default_rng(7)
    sig = rng.integers(-32768, 32768, 5000).astype(np.int16)
    cuts = np.cumsum(rng.integers(0, 97, 400))
    cuts = cuts[cuts < len(sig)].astype(np.int16)
    body = """\
def slice_all(frame_len, hop, cap):
    r = dsp.Ring(cap)
    fr = array.array('h', bytearray(2 * frame_len))
    got = bytearray()
    start = 0
    for end in list(cuts) + [len(sig)]:
        taken = r.write(memoryview(sig)[start:end])
        assert taken == end - start, (taken, end - start)
        start = end
        while r.frame(fr, hop):
            got += bytes(fr)
    return got
for fl, hop, cap in ((480, 320, 1024), (256, 256, 360), (64, 100, 256), (5, 1, 128)):
    _out('f%d_%d' % (fl, hop), slice_all(fl, hop, cap))
"""
    out = run(dsp_device, body, {"f480_320": np.int16, "f256_256": np.int16, "f64_100": np.int16,
                                 "f5_1": np.int16}, sig=sig, cuts=cuts)
    for fl, hop in ((480, 320), (256, 256), (64, 100), (5, 1)):
        got = out[f"f{fl}_{hop}"].reshape(-1, fl)
        want = F.frames(sig, fl, hop)
        assert got.shape == want.shape, (fl, hop)
        assert np.array_equal(got, want), (fl, hop)


def test_ring_overflow_read_and_raw_bytes(dsp_device):
    body = """\
r = dsp.Ring(8)
print('w', r.write(array.array('h', range(5))), r.write(bytearray(b'\\x05\\x00\\x06\\x00\\x07\\x00\\x08\\x00\\x09\\x00')))
print('state', len(r), r.space(), r.dropped(), bool(r))
b = array.array('h', [0] * 3)
print('read', r.read(b), list(b), len(r))
print('wrap', r.write(array.array('h', [10, 11, 12])), len(r))
big = array.array('h', [0] * 8)
print('all', r.read(big), list(big))
r.write(array.array('h', [1, 2])); r.clear(); print('clear', len(r), bool(r))
f = dsp.Ring(4, 'f'); f.write(array.array('f', [0.5, 1.5])); fb = array.array('f', [0, 0])
print('float', f.frame(fb, 1), list(fb), len(f))
"""
    lines = run(dsp_device, body)["_lines"]
    assert lines == [
        "w 5 3", "state 8 0 2 True", "read 3 [0, 1, 2] 5", "wrap 3 8",
        "all 8 [3, 4, 5, 6, 7, 10, 11, 12]", "clear 0 False", "float True [0.5, 1.5] 1",
    ]


def test_quantize_is_bit_identical(dsp_device):
    rng = np.random.default_rng(11)
    x = np.concatenate([
        rng.standard_normal(500) * 40,
        np.arange(-130, 130, 0.5),                                  # ties: half away from zero
        np.array([1e30, -1e30, np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-30]),
        F.mfcc(rng.integers(-3000, 3000, 480).astype(np.int16)),  # real features
    ]).astype(np.float32)
    cases = ((1.0, 0), (0.5, -3), (0.37, 17), (2.5, -128), (1e-3, 127))
    body = "q = array.array('b', bytearray(len(x)))\n"
    for i, (scale, zp) in enumerate(cases):
        body += f"dsp.quantize(x, q, {scale!r}, {zp}); _out('q{i}', q)\n"
    out = run(dsp_device, body, {f"q{i}": np.int8 for i in range(len(cases))}, x=x)
    for i, (scale, zp) in enumerate(cases):
        assert np.array_equal(out[f"q{i}"], F.quantize_s8(x, scale, zp)), (scale, zp)
