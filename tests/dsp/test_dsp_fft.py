"""tinyml.dsp.RFFT on the device vs the host twin: every size, window and input type."""
import numpy as np
import pytest

import signals
from devrun import pick, run
from tinydev.ml import features as F

TOL = 1e-4  # max |device - host| / max |host|, see features.max_rel_error


@pytest.mark.parametrize("n", F.FFT_SIZES)
def test_rfft_matches_twin(dsp_device, n):
    rng = np.random.default_rng(n)
    inputs = pick(dsp_device, {
        "noise_f": rng.standard_normal(n).astype(np.float32),
        "dc_f": np.full(n, 0.25, np.float32),
        **{k: v for k, v in signals.audio(n, seed=n).items()},
    }, ("noise_f", "chirp", "sine_1k_bin", "clipped", "silence"))
    body = ""
    for name in inputs:
        for win, wname in ((F.NONE, "NONE"), (F.HANN, "HANN"), (F.HAMMING, "HAMMING")):
            body += (f"f = dsp.RFFT({n}, window=dsp.{wname})\n"
                     f"c = array.array('f', bytearray(4 * ({n} + 2)))\n"
                     f"p = array.array('f', bytearray(4 * ({n}//2 + 1)))\n"
                     f"m = array.array('f', bytearray(4 * ({n}//2 + 1)))\n"
                     f"f.rfft({name}, c); f.power({name}, p); f.magnitude({name}, m)\n"
                     f"_out('{name}.{win}.c', c); _out('{name}.{win}.p', p); _out('{name}.{win}.m', m)\n")
    out = run(dsp_device, body, **inputs)
    for name, x in inputs.items():
        for win in (F.NONE, F.HANN, F.HAMMING):
            ref = F.rfft(x, win)
            c = out[f"{name}.{win}.c"]
            got = c[0::2] + 1j * c[1::2]
            assert F.max_rel_error(got, ref) <= TOL, (name, win)
            assert F.max_rel_error(out[f"{name}.{win}.p"], np.abs(ref) ** 2) <= TOL, (name, win)
            assert F.max_rel_error(out[f"{name}.{win}.m"], np.abs(ref)) <= TOL, (name, win)


def test_window_fill_matches_twin(dsp_device):
    body = ""
    for n in (1, 7, 480, 512):
        for kind, kname in ((F.HANN, "HANN"), (F.HAMMING, "HAMMING"), (F.NONE, "NONE")):
            body += (f"w = array.array('f', bytearray(4 * {n})); dsp.window(w, dsp.{kname})\n"
                     f"_out('w{n}.{kind}', w)\n")
    out = run(dsp_device, body)
    for n in (1, 7, 480, 512):
        for kind in (F.HANN, F.HAMMING, F.NONE):
            np.testing.assert_allclose(out[f"w{n}.{kind}"], F.window(kind, n), atol=1e-6)


def test_wrong_window_is_caught(dsp_device):
    """The comparison has teeth: a symmetric Hann, or Hamming for Hann, fails the 1e-4 bound."""
    x = signals.audio(512)["noise"]
    out = run(dsp_device, "f = dsp.RFFT(512, window=dsp.HANN)\n"
              "p = array.array('f', bytearray(4 * 257)); f.power(x, p); _out('p', p)\n", x=x)
    good = F.power_spectrum(x, F.HANN)
    assert F.max_rel_error(out["p"], good) <= TOL
    symmetric = np.abs(np.fft.rfft(F.to_float(x) * np.hanning(512))) ** 2
    assert F.max_rel_error(out["p"], symmetric) > 10 * TOL
    assert F.max_rel_error(out["p"], F.power_spectrum(x, F.HAMMING)) > 100 * TOL
