"""The feature recipe the device repeats exactly: tinyml.dsp.Vibration features, then per feature
z = (ln(x + offset) - mean) * inv_std, then tinyml.dsp.quantize with the model's input scale."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import features as F
from ..data import vibration as V

LOG_OFFSET = 1.0  # every feature is >= 0; +1 keeps ln finite for a silent axis


@dataclass
class Recipe:
    window: int
    hop: int
    bands: tuple
    mean: np.ndarray
    inv_std: np.ndarray
    axes: int = V.AXES
    sample_rate: int = V.FS

    @property
    def names(self):
        per_axis = list(F.VIB_STATS) + [f"band_{lo}_{hi}" for lo, hi in self.bands]
        return [f"{ax}_{n}" for ax in "xyz"[: self.axes] for n in per_axis]

    def transform(self, raw):
        """Raw features (..., n_features) to the model's float input, in float32 like the device."""
        x = np.log(np.asarray(raw, np.float32) + np.float32(LOG_OFFSET))
        return ((x - self.mean.astype(np.float32)) * self.inv_std.astype(np.float32)).astype(np.float32)

    def to_manifest(self):
        return {
            "kind": "vibration", "sample_rate": self.sample_rate, "window": self.window, "hop": self.hop,
            "bands": [list(b) for b in self.bands], "axes": self.axes, "units": "raw int16 counts",
            "layout": "per axis x, y, z: [rms, peak, crest, kurtosis, band energies...]",
            "names": self.names,
            "transform": {
                "recipe": "z[i] = (ln(x[i] + offset) - mean[i]) * inv_std[i]; then quantize with input scale/zero_point",
                "offset": LOG_OFFSET,
                "mean": [float(v) for v in self.mean],
                "inv_std": [float(v) for v in self.inv_std],
            },
        }

    @classmethod
    def fit(cls, raw_normal, window, hop, bands):
        x = np.log(np.asarray(raw_normal, np.float64) + LOG_OFFSET)
        mean = x.mean(0)
        inv_std = 1.0 / np.maximum(x.std(0), 1e-3)
        return cls(window, hop, tuple(tuple(b) for b in bands), mean.astype(np.float32), inv_std.astype(np.float32))

    @classmethod
    def from_manifest(cls, m):
        t = m["transform"]
        return cls(m["window"], m["hop"], tuple(tuple(b) for b in m["bands"]),
                   np.array(t["mean"], np.float32), np.array(t["inv_std"], np.float32), m["axes"], m["sample_rate"])


def raw_features(windows, fs, bands, progress=None):
    """(count, window, axes) int16 windows to (count, n_features) float64 raw features."""
    out = np.empty((len(windows), windows.shape[2] * (4 + len(bands))))
    for i, w in enumerate(windows):
        out[i] = F.vibration_features(w, fs, bands, windows.shape[2])
        if progress and (i % 256 == 255 or i == len(windows) - 1):
            progress(i + 1)
    return out


def stream_windows(samples, window, hop):
    """(count, window, axes) windows of a stream, as the device's ring buffer slices them."""
    n = (len(samples) - window) // hop + 1 if len(samples) >= window else 0
    idx = np.arange(n)[:, None] * hop + np.arange(window)[None, :]
    return samples[idx]
