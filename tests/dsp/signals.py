"""Real-looking test signals: sines, chirps, noise, silence, clipping (int16 audio, float32)."""
import numpy as np

SR = 16000


def _to_i16(x):
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


def audio(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """int16 frames of length n, by name."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    chirp_phase = 2 * np.pi * (100 * t + 0.5 * (7000 - 100) / (n / SR) * t**2)
    return {
        "sine_440": _to_i16(0.5 * np.sin(2 * np.pi * 440 * t)),
        "sine_1k_bin": _to_i16(0.3 * np.sin(2 * np.pi * 1000 * t)),
        "sine_7k": _to_i16(0.8 * np.sin(2 * np.pi * 7000 * t + 0.3)),
        "chirp": _to_i16(0.6 * np.sin(chirp_phase)),
        "noise": _to_i16(0.3 * rng.standard_normal(n)),
        "noise_1lsb": rng.integers(-1, 2, n).astype(np.int16),
        "silence": np.zeros(n, np.int16),
        "clipped": _to_i16(np.clip(3.0 * np.sin(2 * np.pi * 300 * t), -1.0, 0.99997)),
        "full_scale_square": np.where(np.sin(2 * np.pi * 250 * t) >= 0, 32767, -32768).astype(np.int16),
        "dc_offset_speech_like": _to_i16(0.1 + 0.2 * np.sin(2 * np.pi * 180 * t)
                                         * (1 + np.sin(2 * np.pi * 4 * t)) + 0.02 * rng.standard_normal(n)),
        "impulse": np.eye(1, n, n // 3, dtype=np.int16)[0] * 20000,
    }


def float_frames(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    return {
        "f_noise": rng.standard_normal(n).astype(np.float32),
        "f_sine": (0.7 * np.sin(2 * np.pi * 1234.5 * t)).astype(np.float32),
        "f_zero": np.zeros(n, np.float32),
        "f_big": (1e4 * rng.standard_normal(n)).astype(np.float32),
    }


def speech_like(seconds: float, seed: int = 2) -> np.ndarray:
    """A continuous int16 recording: gliding harmonics with syllable envelope, noise, a gap."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f0 = 140 + 40 * np.sin(2 * np.pi * 1.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    env = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2
    x = 0.3 * env * voiced + 0.01 * rng.standard_normal(n)
    x[n // 2:n // 2 + 2000] = 0  # a stretch of digital silence
    return _to_i16(x)


def vibration(n: int, fs: float, seed: int = 3) -> dict[str, np.ndarray]:
    """(n, 3) float32 accelerometer windows in g, by name."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    quiet = np.stack([0.002 * rng.standard_normal(n), 0.002 * rng.standard_normal(n),
                      1.0 + 0.002 * rng.standard_normal(n)], axis=1)
    unbalance = quiet + np.stack([0.3 * np.sin(2 * np.pi * 24.5 * t), 0.2 * np.cos(2 * np.pi * 24.5 * t),
                                  0.05 * np.sin(2 * np.pi * 49 * t)], axis=1)
    bearing = quiet.copy()
    hits = (np.arange(n) % max(1, int(fs / 87.0))) == 0
    ring = np.convolve(hits.astype(float), np.exp(-np.arange(16) / 3.0) * np.sin(np.arange(16) * 2.1))[:n]
    bearing[:, 0] += 0.8 * ring
    bearing[:, 1] += 0.3 * ring
    return {
        "quiet": quiet.astype(np.float32),
        "unbalance": unbalance.astype(np.float32),
        "bearing": bearing.astype(np.float32),
        "noise": rng.standard_normal((n, 3)).astype(np.float32),
        "rest": np.tile(np.array([0, 0, 1.0], np.float32), (n, 1)),
        "zeros": np.zeros((n, 3), np.float32),
        "clipped": np.clip(4 * rng.standard_normal((n, 3)), -2, 2).astype(np.float32),
    }
