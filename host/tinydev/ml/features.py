"""THE definition of tinydev's features, in numpy.

Training uses these functions; the device computes the same numbers in C (``tinyml.dsp``,
cmodules/tinyml/dsp). Where this module and the C code disagree, this module is right.

Conventions (the C follows them exactly):

* Samples: int16 audio is scaled by 1/32768 before anything else (``to_float``); float input is
  used as given. Vibration int16 samples are used as raw counts (no scaling).
* Windows are PERIODIC (DFT-even): ``hann[i] = 0.5 - 0.5 cos(2 pi i / n)``,
  ``hamming[i] = 0.54 - 0.46 cos(2 pi i / n)``.
* FFT: ``numpy.fft.rfft`` without normalisation; power ``|X|^2``, magnitude ``|X|``.
* Mel: HTK scale ``2595 log10(1 + f / 700)``; ``n_mels + 2`` points equally spaced in mel from
  ``fmin`` to ``fmax``; triangular filters with peak 1 (no area normalisation) evaluated at the
  bin frequencies ``k * sample_rate / n_fft``; band b rises on ``(p_b, p_b+1]`` and falls on
  ``(p_b+1, p_b+2)``.
* Frame power (for mel): ``P[k] = |X[k] / n_fft|^2`` with X the rfft of the windowed frame
  zero-padded to n_fft; dividing by n_fft keeps levels, and the meaning of eps, the same for
  every FFT size (a full-scale sine gives about 0.06 in its peak bin for the KWS setup).
* Log-mel: natural log, ``ln(E + LOGMEL_EPS)`` with ``LOGMEL_EPS = 1e-10``.
* MFCC: orthonormal DCT-II (``scipy.fft.dct(norm="ortho")``) of log-mel, first ``n_mfcc``.
* Vibration (per axis, over the window): ``d = x - mean(x)``; rms, peak ``max|d|``, crest
  ``peak/rms``, Pearson kurtosis ``mean(d^4)/mean(d^2)^2`` (crest and kurtosis are 0 when rms is
  0); band energy ``sum(|rfft(hann * d)|^2) / n`` over bins with ``lo <= f_k < hi``, where the
  bin frequencies and band edges are float32 (``f_k = float32(k) * float32(fs) / float32(n)``)
  so bin membership is the same bit for bit on the device.
* Fixed point: ``quantize_s8`` computes ``x / scale`` and the rounding in float32, half away from
  zero, then adds the zero point and saturates to int8: identical to the device.

The device computes in float32, this module in float64. Compare float features with
``max_rel_error``: the error relative to the largest magnitude of the reference vector, because
float32 rounding on values far below the peak is not a feature error. One refinement: mel
energies are linear in the power spectrum and inherit its absolute error, so they are compared
on the larger of their own peak and the frame's peak bin power
(``scale=max(frame_power(x).max(), melspec(x).max())``); otherwise a tone
outside fmin..fmax, whose in-range energies are 120 dB down, would measure float32 noise. The
device stays below 1e-4 on these measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOGMEL_EPS = 1e-10  # -100 dB re a full-scale band: below int16 noise, above float32 round-off

NONE, HANN, HAMMING = 0, 1, 2  # same numbers as tinyml.dsp.NONE/HANN/HAMMING

FFT_SIZES = tuple(2**i for i in range(6, 12))  # 64 .. 2048


# --- basics -----------------------------------------------------------------------------------

def to_float(samples) -> np.ndarray:
    """int16 audio to float64 in [-1, 1); float input passes through as float64."""
    a = np.asarray(samples)
    if a.dtype == np.int16:
        return a.astype(np.float64) / 32768.0
    if a.dtype.kind == "f":
        return a.astype(np.float64)
    raise TypeError(f"samples must be int16 or float, got {a.dtype}")


def window(kind: int, n: int) -> np.ndarray:
    """Periodic window of length n (NONE, HANN or HAMMING)."""
    if n < 1:
        raise ValueError("window length must be >= 1")
    phase = 2.0 * np.pi * np.arange(n) / n
    if kind == NONE:
        return np.ones(n)
    if kind == HANN:
        return 0.5 - 0.5 * np.cos(phase)
    if kind == HAMMING:
        return 0.54 - 0.46 * np.cos(phase)
    raise ValueError("window kind must be NONE, HANN or HAMMING")


def _check_fft_size(n: int) -> None:
    if n not in FFT_SIZES:
        raise ValueError("FFT size must be a power of two in 64..2048")


def rfft(x, win: int = NONE) -> np.ndarray:
    """Complex spectrum X[0..n/2] of n samples (int16 scaled), after the window."""
    x = to_float(x)
    _check_fft_size(len(x))
    return np.fft.rfft(x * window(win, len(x)))


def power_spectrum(x, win: int = NONE) -> np.ndarray:
    return np.abs(rfft(x, win)) ** 2


def magnitude_spectrum(x, win: int = NONE) -> np.ndarray:
    return np.abs(rfft(x, win))


# --- mel / MFCC -------------------------------------------------------------------------------

def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_points(n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """The n_mels + 2 filter edges in Hz; the ends are exactly fmin and fmax."""
    p = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    p[0], p[-1] = fmin, fmax
    return p


def mel_filterbank(sample_rate: float, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Dense (n_mels, n_fft/2+1) triangular filter matrix (peak 1, no area normalisation)."""
    if not (0 <= fmin < fmax <= sample_rate / 2):
        raise ValueError("need 0 <= fmin < fmax <= sample_rate/2")
    f = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    p = mel_points(n_mels, fmin, fmax)
    bank = np.zeros((n_mels, len(f)))
    for b in range(n_mels):
        lo, c, hi = p[b], p[b + 1], p[b + 2]
        rise = (f > lo) & (f <= c)
        fall = (f > c) & (f < hi)
        bank[b, rise] = (f[rise] - lo) / (c - lo)
        bank[b, fall] = (hi - f[fall]) / (hi - c)
    return bank


def dct_matrix(n_mfcc: int, n_mels: int) -> np.ndarray:
    """Rows 0..n_mfcc-1 of the orthonormal DCT-II of size n_mels."""
    k = np.arange(n_mfcc)[:, None]
    i = np.arange(n_mels)[None, :]
    m = np.cos(np.pi * k * (2 * i + 1) / (2 * n_mels))
    m *= np.where(k == 0, np.sqrt(1.0 / n_mels), np.sqrt(2.0 / n_mels))
    return m


@dataclass(frozen=True)
class MelConfig:
    """Keyword-spotting defaults: 16 kHz, 30 ms frames in a 512 FFT, 20 ms hop, 40 bands."""

    sample_rate: int = 16000
    frame_len: int = 480
    hop: int = 320
    n_fft: int = 512
    n_mels: int = 40
    n_mfcc: int = 13
    fmin: float = 20.0
    fmax: float = 4000.0
    window: int = HANN

    def __post_init__(self):
        _check_fft_size(self.n_fft)
        if not 1 <= self.frame_len <= self.n_fft:
            raise ValueError("frame_len must be in 1..n_fft")
        if not 1 <= self.n_mels <= 128:
            raise ValueError("n_mels must be in 1..128")
        if not 0 <= self.n_mfcc <= self.n_mels:
            raise ValueError("n_mfcc must be in 0..n_mels")
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ValueError("need 0 <= fmin < fmax <= sample_rate/2")


KWS = MelConfig()


def frame_power(frame, cfg: MelConfig = KWS) -> np.ndarray:
    """|rfft(window * frame, n_fft) / n_fft|^2 (frame zero-padded to n_fft)."""
    x = to_float(frame)
    if len(x) != cfg.frame_len:
        raise ValueError(f"frame must hold {cfg.frame_len} samples, got {len(x)}")
    return np.abs(np.fft.rfft(x * window(cfg.window, cfg.frame_len), cfg.n_fft) / cfg.n_fft) ** 2


def melspec(frame, cfg: MelConfig = KWS) -> np.ndarray:
    bank = mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmin, cfg.fmax)
    return bank @ frame_power(frame, cfg)


def logmel(frame, cfg: MelConfig = KWS) -> np.ndarray:
    return np.log(melspec(frame, cfg) + LOGMEL_EPS)


def mfcc(frame, cfg: MelConfig = KWS) -> np.ndarray:
    return dct_matrix(cfg.n_mfcc, cfg.n_mels) @ logmel(frame, cfg)


def frames(signal, frame_len: int, hop: int) -> np.ndarray:
    """Frames the device's Ring.frame(out, hop) yields from a stream: every full frame, in order."""
    s = np.asarray(signal)
    if frame_len < 1 or hop < 1:
        raise ValueError("frame_len and hop must be >= 1")
    count = 0 if len(s) < max(frame_len, hop) else 1 + (len(s) - max(frame_len, hop)) // hop
    return np.stack([s[i * hop:i * hop + frame_len] for i in range(count)]) if count else \
        np.zeros((0, frame_len), s.dtype)


def mfcc_stream(signal, cfg: MelConfig = KWS) -> np.ndarray:
    """(n_frames, n_mfcc) MFCCs of a whole recording, framed with cfg.frame_len and cfg.hop."""
    return np.stack([mfcc(f, cfg) for f in frames(signal, cfg.frame_len, cfg.hop)])


# --- vibration --------------------------------------------------------------------------------

VIB_STATS = ("rms", "peak", "crest", "kurtosis")


def band_bins(n: int, fs: float, bands) -> list[tuple[int, int]]:
    """[first, end) bin range of each (lo, hi) band, decided in float32 like the device."""
    k = np.arange(n // 2 + 1, dtype=np.float32)
    f = k * np.float32(fs) / np.float32(n)
    out = []
    for lo, hi in bands:
        lo32, hi32 = np.float32(lo), np.float32(hi)
        if not (lo32 >= 0 and lo32 < hi32):
            raise ValueError("each band must be (lo, hi) with 0 <= lo < hi")
        first = int(np.count_nonzero(f < lo32))
        end = int(np.count_nonzero(f < hi32))
        out.append((first, max(first, end)))
    return out


def vibration_features(samples, fs: float, bands=(), axes: int = 3) -> np.ndarray:
    """Per axis [rms, peak, crest, kurtosis, band energies...] of interleaved samples.

    samples: n*axes values (x0 y0 z0 x1 ...) or an (n, axes) array; int16 used as raw counts.
    """
    a = np.asarray(samples)
    if a.dtype.kind not in "if":
        raise TypeError("samples must be int16 or float")
    a = a.astype(np.float64).reshape(-1, axes)
    n = a.shape[0]
    if bands:
        _check_fft_size(n)
        ranges = band_bins(n, fs, bands)
        win = window(HANN, n)
    out = []
    for ax in range(axes):
        d = a[:, ax] - a[:, ax].mean()
        m2 = np.mean(d * d)
        rms = np.sqrt(m2)
        peak = np.max(np.abs(d))
        crest = peak / rms if rms > 0 else 0.0
        kurt = np.mean(d**4) / m2**2 if m2 > 0 else 0.0
        row = [rms, peak, crest, kurt]
        if bands:
            p = np.abs(np.fft.rfft(d * win)) ** 2 / n
            row += [p[lo:hi].sum() for lo, hi in ranges]
        out.extend(row)
    return np.array(out)


# --- fixed point ------------------------------------------------------------------------------

def quantize_s8(x, scale: float, zero_point: int = 0) -> np.ndarray:
    """float32 features to int8, bit-identical to tinyml.dsp.quantize."""
    if not scale > 0:
        raise ValueError("scale must be > 0")
    v = np.asarray(x, dtype=np.float32) / np.float32(scale)
    r = np.floor(np.abs(v) + np.float32(0.5)).astype(np.float32)
    r = np.where(np.isnan(r), np.float32(0), np.minimum(r, np.float32(1000)))
    q = np.where(v < 0, -r.astype(np.int32), r.astype(np.int32)) + int(zero_point)
    return np.clip(q, -128, 127).astype(np.int8)


# --- comparison -------------------------------------------------------------------------------

def max_rel_error(got, ref, scale: float | None = None) -> float:
    """max |got - ref| / max |ref|: the error measure for device-vs-host float features.

    Relative to the vector's largest magnitude (or to `scale` when given), because float32
    rounding on values far below the peak is not a feature error. An all-zero reference must be
    matched exactly (0 or inf).
    """
    got = np.asarray(got)  # real or complex
    ref = np.asarray(ref)
    if got.shape != ref.shape:
        raise ValueError(f"shape {got.shape} != {ref.shape}")
    if scale is None:
        scale = np.max(np.abs(ref)) if ref.size else 0.0
    err = np.max(np.abs(got - ref)) if ref.size else 0.0
    if scale == 0:
        return 0.0 if err == 0 else float("inf")
    return float(err / scale)
