"""PDM microphone twin: sigma-delta modulator, I2S word packing, replay files, and the decimator.

The decimator is the numpy twin of `tinyml.dsp.PDM` (cmodules/tinyml/dsp/tml_pdm.c), bit for bit:
CIC of order N and decimation R (uint32 modular integrators, exact comb output in 0..R^N), centred
and normalised to Q24, a one-pole DC blocker y = x - x1 + y1 - floor(y1 / 2^hpf), then
sat16(floor(y / 2^(9 - gain))). Bits arrive as the I2S peripheral delivers them in standard RX mode
with 16-bit slots: little-endian 16-bit words, each MSB first; a 1 bit is +1, a 0 bit -1.

The modulator is a 2nd-order error-feedback sigma-delta (NTF (1 - z^-1)^2), enough for a replay
whose decoded SNR is far above 40 dB at R = 64. Replay files (`.pdm`) are what the emulated PDM mic
(device/tinydev/sim/pdm_mic.py) serves: a 16-byte header (b"TDPDM1\\0\\0", bit rate and data bytes
as little-endian uint32) and the raw I2S words.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

MAGIC = b"TDPDM1\0\0"


def upsample(pcm: np.ndarray, factor: int) -> np.ndarray:
    """Band-limited upsampling by FFT (zero-stuffed spectrum), float in the input's units."""
    x = np.asarray(pcm, np.float64)
    n = len(x)
    X = np.fft.rfft(x)
    Y = np.zeros(n * factor // 2 + 1, complex)
    Y[:len(X)] = X
    if n % 2 == 0:
        Y[n // 2] *= 0.5          # split the Nyquist bin between its two images
    return np.fft.irfft(Y, n * factor) * factor


def modulate(x: np.ndarray) -> np.ndarray:
    """2nd-order sigma-delta: x in about [-0.7, 0.7] at the bit rate -> bits (uint8 0/1)."""
    out = np.empty(len(x), np.uint8)
    e1 = e2 = 0.0
    for i, v in enumerate(np.asarray(x, np.float64).tolist()):
        w = v - 2.0 * e1 + e2
        y = 1.0 if w >= 0.0 else -1.0
        e2 = e1
        e1 = y - w
        out[i] = y > 0
    return out


def pack_i2s(bits: np.ndarray) -> bytes:
    """Bits (first first) into 16-bit I2S words, MSB first, little-endian in memory."""
    b = np.asarray(bits, np.uint8)
    if len(b) % 16:
        raise ValueError("need whole 16-bit words")
    words = np.packbits(b.reshape(-1, 16), axis=1, bitorder="big")   # [hi byte, lo byte]
    return words[:, ::-1].tobytes()


def unpack_i2s(data: bytes) -> np.ndarray:
    w = np.frombuffer(data, "<u2")
    return ((w[:, None] >> np.arange(15, -1, -1, dtype=np.uint16)) & 1).astype(np.uint8).ravel()


def encode(pcm: np.ndarray, decimation: int = 64, scale: float = 1.0 / 32768) -> bytes:
    """PCM (e.g. int16 at 16 kHz) -> I2S words of a PDM bitstream at rate * decimation."""
    x = upsample(np.asarray(pcm, np.float64) * scale, decimation)
    bits = modulate(np.clip(x, -0.75, 0.75))
    pad = (-len(bits)) % 16
    if pad:
        bits = np.concatenate([bits, np.tile([1, 0], pad)[:pad].astype(np.uint8)])
    return pack_i2s(bits)


def write_replay(path, data: bytes, bit_rate: int) -> Path:
    path = Path(path)
    path.write_bytes(MAGIC + struct.pack("<II", bit_rate, len(data)) + data)
    return path


def read_replay(path) -> tuple[bytes, int]:
    raw = Path(path).read_bytes()
    if raw[:8] != MAGIC:
        raise ValueError(f"{path} is not a PDM replay (magic {raw[:8]!r})")
    rate, n = struct.unpack_from("<II", raw, 8)
    return raw[16:16 + n], rate


def decode(data: bytes, decimation: int = 64, order: int = 5, hpf: int = 10, gain: int = 0) -> np.ndarray:
    """The twin of tinyml.dsp.PDM(decimation, order=, hpf=, gain=).decode over the whole stream."""
    lg = int(decimation).bit_length() - 1
    if decimation not in (8, 16, 32, 64, 128) or not 2 <= order <= 5 or lg * order > 30:
        raise ValueError("unsupported decimation/order")
    s = unpack_i2s(data).astype(np.uint32)
    for _ in range(order):                       # integrators at the bit rate, mod 2^32
        s = np.cumsum(s, dtype=np.uint32)
    v = s[decimation - 1::decimation]
    for _ in range(order):                       # combs at the output rate, mod 2^32
        v = v - np.concatenate([np.zeros(1, np.uint32), v[:-1]])
    e = lg * order - 1
    c = v.astype(np.int64) - (1 << e)
    x = c << (24 - e) if e < 24 else c >> (e - 24)
    if hpf:
        y = np.empty_like(x)
        x1 = y1 = 0
        for i, xi in enumerate(x.tolist()):
            y1 = xi - x1 + y1 - (y1 >> hpf)
            x1 = xi
            y[i] = y1
        x = y
    return np.clip(x >> (9 - gain), -32768, 32767).astype(np.int16)


def snr_db(y: np.ndarray, rate: float, f0: float, skip: int = 0) -> tuple[float, float]:
    """(SNR in dB, measured frequency) of a tone in y: Blackman-Harris window, the tone's power
    within +-3 bins of the peak, noise everything else above 50 Hz (the DC blocker's region out)."""
    y = np.asarray(y[skip:], np.float64)
    n = len(y)
    w = np.blackman(n)
    P = np.abs(np.fft.rfft((y - y.mean()) * w)) ** 2
    f = np.fft.rfftfreq(n, 1 / rate)
    k = int(np.argmax(P * (f > 50)))
    sig = P[max(0, k - 3):k + 4].sum()
    noise = P[f > 50].sum() - sig
    fpk = float((P[k - 1:k + 2] * f[k - 1:k + 2]).sum() / P[k - 1:k + 2].sum())
    return 10 * np.log10(sig / max(noise, 1e-30)), fpk


def reference(pcm: np.ndarray, decimation: int = 64, order: int = 5, hpf: int = 10) -> np.ndarray:
    """What an ideal (unquantised) PDM path gives for `pcm`: the decoder's linear filters (CIC and
    DC blocker, same delay and droop) on the band-limited upsampled signal, in float int16 units.
    decode(encode(pcm)) minus this is the modulator's and the decimator's noise."""
    x = upsample(np.asarray(pcm, np.float64), decimation)
    h = np.ones(1)
    for _ in range(order):
        h = np.convolve(h, np.ones(decimation))
    h /= h.sum()
    y = np.convolve(x, h)[decimation - 1:len(x):decimation]
    if hpf:
        a = 1.0 - 2.0 ** -hpf
        out = np.empty_like(y)
        x1 = y1 = 0.0
        for i, xi in enumerate(y.tolist()):
            y1 = xi - x1 + a * y1
            x1 = xi
            out[i] = y1
        y = out
    return y
