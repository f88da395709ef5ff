"""tinyml.dsp.Vibration on the device vs the host twin, float32 (g) and int16 (counts) input."""
import numpy as np
import pytest

import signals
from devrun import pick, run
from tinydev.ml import features as F

TOL = 1e-4

CASES = {
    # n, fs, bands: band edges on and off bin frequencies, a band past Nyquist, a single-bin band
    "imu_1k": (256, 1000.0, ((0.0, 10.0), (10.0, 50.0), (50.0, 150.0), (150.0, 600.0), (23.4375, 27.34375))),
    "imu_1600": (512, 1600.0, ((5.0, 20.5), (20.5, 100.0), (100.0, 400.0), (400.0, 800.0))),
    "long_no_bands": (2048, 3200.0, ()),
    "odd_n_no_bands": (100, 400.0, ()),
    "fast_2048": (2048, 25600.0, ((1000.0, 3000.0), (3000.0, 12800.0))),
}


def compare(got, want, n_axes, n_bands):
    """Per feature kind (rms, peak, crest, kurtosis, band energies), relative to its largest value."""
    got = got.reshape(n_axes, -1)
    want = want.reshape(n_axes, -1)
    errs = {}
    for j, name in enumerate(F.VIB_STATS):
        errs[name] = F.max_rel_error(got[:, j], want[:, j])
    if n_bands:
        errs["bands"] = F.max_rel_error(got[:, 4:], want[:, 4:])
    return errs


@pytest.mark.parametrize("case", CASES)
def test_vibration_matches_twin(dsp_device, case):
    n, fs, bands = CASES[case]
    sigs = signals.vibration(n, fs)
    inputs = {k: v.reshape(-1) for k, v in sigs.items()}
    # int16 counts as an accelerometer FIFO gives them (16384 per g), clipped at full scale.
    inputs.update({k + "_i16": np.clip(np.round(v * 16384), -32768, 32767).astype(np.int16).reshape(-1)
                   for k, v in sigs.items()})
    keep = ("bearing", "rest", "noise_i16") if n >= 2048 else ("unbalance", "bearing", "rest", "noise_i16", "clipped_i16")
    inputs = pick(dsp_device, inputs, keep)
    n_out = 3 * (4 + len(bands))
    body = f"v = dsp.Vibration({n}, {fs!r}, bands={bands!r})\nassert v.n_out == {n_out}\n"
    body += f"o = array.array('f', bytearray(4 * {n_out}))\n"
    for name in inputs:
        body += f"v.features({name}, o); _out('{name}', o)\n"
    out = run(dsp_device, body, **inputs)
    for name, x in inputs.items():
        want = F.vibration_features(x, fs, bands)
        errs = compare(out[name], want, 3, len(bands))
        assert max(errs.values()) <= TOL, (case, name, errs)


def test_axes_and_silence(dsp_device):
    x = np.zeros(64 * 2, np.float32)
    rest = np.tile(np.array([0, 16384], np.int16), 64)  # at rest: gravity on one axis only
    out = run(dsp_device, "v = dsp.Vibration(64, 100, bands=((1, 10),), axes=2)\n"
              "o = array.array('f', bytearray(4 * 10))\n"
              "v.features(x, o); _out('x', o); v.features(rest, o); _out('rest', o)\n", x=x, rest=rest)
    assert np.array_equal(out["x"], np.zeros(10, np.float32))
    assert np.array_equal(out["rest"], np.zeros(10, np.float32))
    assert np.array_equal(F.vibration_features(rest, 100, ((1, 10),), axes=2), np.zeros(10))


def test_band_edges_are_decided_in_float32():
    """Edges exactly on a bin frequency include that bin in the upper band, as on the device."""
    assert F.band_bins(256, 1024.0, ((0, 20), (20, 40))) == [(0, 5), (5, 10)]
    assert F.band_bins(256, 1000.0, ((23.4375, 27.34375),)) == [(6, 7)]
