"""The feature recipe the device repeats exactly: per 20 ms hop, tinyml.dsp.MFCC().mfcc(frame) (the
definition is tinydev.ml.features.mfcc, KWS defaults), then per coefficient
z = (c - mean) * inv_std, then tinyml.dsp.quantize with the model's input scale; the model sees the
last `frames` quantised frames, oldest first."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import features as F

CFG = F.KWS


def window_samples(frames: int, cfg: F.MelConfig = CFG) -> int:
    """Samples that give exactly `frames` frames."""
    return cfg.frame_len + (frames - 1) * cfg.hop


_BANK, _DCT = {}, {}


def mfcc_frames(frames_i16: np.ndarray, cfg: F.MelConfig = CFG) -> np.ndarray:
    """(n, frame_len) int16 frames to (n, n_mfcc) MFCCs: features.mfcc, vectorised (same float64 ops)."""
    key = (cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmin, cfg.fmax)
    if key not in _BANK:
        _BANK[key] = F.mel_filterbank(*key)
        _DCT[key] = F.dct_matrix(cfg.n_mfcc, cfg.n_mels)
    x = F.to_float(np.asarray(frames_i16)) * F.window(cfg.window, cfg.frame_len)
    p = np.abs(np.fft.rfft(x, cfg.n_fft, axis=1) / cfg.n_fft) ** 2
    return np.log(p @ _BANK[key].T + F.LOGMEL_EPS) @ _DCT[key].T


def clip_mfcc(clips: np.ndarray, frames: int, cfg: F.MelConfig = CFG, chunk: int = 256) -> np.ndarray:
    """(n, samples) int16 clips to (n, frames, n_mfcc) float32 MFCCs."""
    idx = np.arange(frames)[:, None] * cfg.hop + np.arange(cfg.frame_len)[None, :]
    out = np.empty((len(clips), frames, cfg.n_mfcc), np.float32)
    for i in range(0, len(clips), chunk):
        c = clips[i:i + chunk]
        fr = c[:, idx].reshape(-1, cfg.frame_len)
        out[i:i + chunk] = mfcc_frames(fr, cfg).reshape(len(c), frames, cfg.n_mfcc)
    return out


def stream_mfcc(samples: np.ndarray, cfg: F.MelConfig = CFG, chunk: int = 20000, progress=None) -> np.ndarray:
    """(n_frames, n_mfcc) float32 MFCCs of a stream, framed as the device's Ring.frame(out, hop)."""
    s = np.asarray(samples)
    n = 0 if len(s) < cfg.frame_len else 1 + (len(s) - cfg.frame_len) // cfg.hop
    out = np.empty((n, cfg.n_mfcc), np.float32)
    base = np.arange(cfg.frame_len)[None, :]
    for i in range(0, n, chunk):
        j = min(n, i + chunk)
        out[i:j] = mfcc_frames(s[np.arange(i, j)[:, None] * cfg.hop + base], cfg)
        if progress:
            progress(j)
    return out


@dataclass
class Recipe:
    frames: int
    mean: np.ndarray
    inv_std: np.ndarray
    cfg: F.MelConfig = CFG

    def transform(self, mfcc):
        """MFCCs (..., n_mfcc) to the model's float input, float32 like the device."""
        return ((np.asarray(mfcc, np.float32) - self.mean.astype(np.float32)) * self.inv_std.astype(np.float32)
                ).astype(np.float32)

    def to_manifest(self):
        c = self.cfg
        return {
            "kind": "mfcc", "sample_rate": c.sample_rate, "frame_len": c.frame_len, "hop": c.hop, "n_fft": c.n_fft,
            "n_mels": c.n_mels, "n_mfcc": c.n_mfcc, "fmin": c.fmin, "fmax": c.fmax,
            "window": {F.HANN: "hann", F.HAMMING: "hamming", F.NONE: "none"}[c.window],
            "frames": self.frames, "window_samples": window_samples(self.frames, c),
            "units": "int16 audio scaled by 1/32768",
            "definition": "tinydev.ml.features.mfcc == tinyml.dsp.MFCC().mfcc (KWS defaults)",
            "layout": "model input [1, frames, 1, n_mfcc]: frames oldest first, each n_mfcc quantised coefficients",
            "transform": {
                "recipe": "z[c] = (mfcc[c] - mean[c]) * inv_std[c]; then quantize with input scale/zero_point",
                "mean": [float(v) for v in self.mean],
                "inv_std": [float(v) for v in self.inv_std],
            },
        }

    @classmethod
    def fit(cls, mfcc_train, frames):
        x = np.asarray(mfcc_train, np.float64).reshape(-1, CFG.n_mfcc)
        return cls(frames, x.mean(0).astype(np.float32), (1.0 / np.maximum(x.std(0), 1e-3)).astype(np.float32))

    @classmethod
    def from_manifest(cls, m):
        t = m["transform"]
        return cls(m["frames"], np.array(t["mean"], np.float32), np.array(t["inv_std"], np.float32))
