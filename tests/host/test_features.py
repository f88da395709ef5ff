"""The host twin (tinydev.ml.features) against its own definition, independently of the device."""
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))
from tinydev.ml import features as F  # noqa: E402


def test_windows_are_periodic():
    n = 480
    assert np.allclose(F.window(F.HANN, n), np.hanning(n + 1)[:-1])
    assert np.allclose(F.window(F.HAMMING, n), np.hamming(n + 1)[:-1])
    assert np.array_equal(F.window(F.NONE, 5), np.ones(5))
    with pytest.raises(ValueError):
        F.window(9, 4)


def test_mel_scale_is_htk():
    assert F.hz_to_mel(700.0) == pytest.approx(2595 * np.log10(2))
    assert F.mel_to_hz(F.hz_to_mel(1234.5)) == pytest.approx(1234.5)
    p = F.mel_points(40, 20.0, 4000.0)
    assert p[0] == 20.0 and p[-1] == 4000.0
    assert np.allclose(np.diff(F.hz_to_mel(p)), np.diff(F.hz_to_mel(p))[0])


def test_filterbank_triangles():
    cfg = dataclasses.replace(F.KWS, fmin=0.0, fmax=8000.0)
    bank = F.mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmin, cfg.fmax)
    f = np.arange(257) * 16000 / 512
    p = F.mel_points(40, 0.0, 8000.0)
    assert bank.shape == (40, 257) and bank.max() <= 1.0 and bank.min() >= 0.0
    # Adjacent triangles overlap so that between the first and last centre the weights sum to 1.
    inner = (f >= p[1]) & (f <= p[-2])
    assert np.allclose(bank[:, inner].sum(axis=0), 1.0)
    # Each band is zero outside (p_b, p_b+2).
    for b in range(40):
        assert not bank[b, (f <= p[b]) | (f >= p[b + 2])].any()


def test_dct_is_orthonormal_dct2():
    d = F.dct_matrix(40, 40)
    assert np.allclose(d @ d.T, np.eye(40))
    x = np.random.default_rng(0).standard_normal(40)
    # Unnormalised DCT-II via FFT of the mirrored sequence, then the ortho scaling.
    y = np.fft.fft(np.concatenate([x, x[::-1]]))[:40] * np.exp(-1j * np.pi * np.arange(40) / 80)
    ref = np.real(y) / 2 * np.sqrt(2 / 40)
    ref[0] /= np.sqrt(2)
    assert np.allclose(d @ x, ref)


def test_mfcc_of_silence_is_the_eps_floor():
    c = F.mfcc(np.zeros(480, np.int16))
    assert c[0] == pytest.approx(np.log(F.LOGMEL_EPS) * np.sqrt(40))
    assert np.allclose(c[1:], 0, atol=1e-9)


def test_frame_power_scaling():
    """A full-scale bin-centred sine with no window: |X/n|^2 = 1/4 at its bin."""
    cfg = F.MelConfig(frame_len=512, window=F.NONE)
    x = np.sin(2 * np.pi * 32 * np.arange(512) / 512)
    assert F.frame_power(x, cfg)[32] == pytest.approx(0.25)


def test_vibration_known_values():
    n, fs = 1024, 1024.0
    t = np.arange(n) / fs
    s = np.stack([2.0 * np.sin(2 * np.pi * 64 * t) + 5.0, np.zeros(n), np.sign(np.sin(2 * np.pi * 8 * t + 0.1))], 1)
    v = F.vibration_features(s, fs, bands=((60, 70), (100, 200))).reshape(3, -1)
    rms, peak, crest, kurt, b0, b1 = v[0]
    assert rms == pytest.approx(np.sqrt(2)) and peak == pytest.approx(2.0, rel=1e-6)
    assert crest == pytest.approx(np.sqrt(2), rel=1e-6) and kurt == pytest.approx(1.5)
    # Parseval with the Hann window: sum over the full spectrum of |X|^2/n = sum((w d)^2).
    assert b0 == pytest.approx(np.sum((F.window(F.HANN, n) * 2 * np.sin(2 * np.pi * 64 * t)) ** 2) / 2, rel=1e-6)
    assert b1 < 1e-20
    assert np.array_equal(v[1], np.zeros(6))  # all-zero axis: crest and kurtosis defined as 0
    assert v[2][3] == pytest.approx(1.0)      # square wave: kurtosis 1


def test_frames():
    assert F.frames(np.arange(10), 4, 3).tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    assert F.frames(np.arange(10), 2, 4).tolist() == [[0, 1], [4, 5]]
    assert F.frames(np.arange(3), 4, 1).shape == (0, 4)
    assert F.mfcc_stream(np.zeros(16000, np.int16)).shape == (49, 13)


def test_quantize_rounding():
    x = np.array([0.5, 1.5, -0.5, -1.5, 2.49, 126.6, -300, np.nan], np.float32)
    assert F.quantize_s8(x, 1.0).tolist() == [1, 2, -1, -2, 2, 127, -128, 0]
    assert F.quantize_s8([1.0], 0.5, -128).tolist() == [-126]


def test_bad_arguments():
    with pytest.raises(ValueError, match="power of two"):
        F.rfft(np.zeros(100))
    with pytest.raises(ValueError, match="fmax"):
        F.MelConfig(fmax=9000)
    with pytest.raises(TypeError):
        F.to_float(np.zeros(4, np.int32))
    with pytest.raises(ValueError, match="frame must hold 480"):
        F.mfcc(np.zeros(479, np.int16))


def test_max_rel_error():
    assert F.max_rel_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert F.max_rel_error([1.0, 2.0001], [1.0, 2.0]) == pytest.approx(5e-5)
    assert F.max_rel_error([0.0], [0.0]) == 0 and F.max_rel_error([1e-9], [0.0]) == float("inf")
