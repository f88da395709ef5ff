"""Synthetic 3-axis accelerometer data of a rotating machine: normal operation and five faults.

The machine: a motor driving a 7-blade fan through a flexible coupling, on 6205 deep-groove ball
bearings; the accelerometer sits on the drive-end bearing housing. Axes: x horizontal radial,
y vertical radial, z axial. Sampled at 1600 Hz (a BMI270's 1.6 kHz output data rate) and stored
as the counts of an MPU6050 at +-4 g (8192 LSB/g, int16, saturating). Everything is seeded:
the same (split, seed, kind) always gives the same samples.

Physics of one window (amplitudes are peak values in g unless a velocity is given; a velocity v
in mm/s rms at frequency f is the acceleration sqrt(2) v 2 pi f / 9.81 g, the way ISO 10816
states vibration severity):

* Speed: shaft frequency f_r drifts linearly by up to +-0.5 % over a window; the shaft angle
  theta(t) = 2 pi * integral of f_r, so every order (1x, 2x, BPFO...) stays coherent with it.
* Normal operation
  - residual imbalance: a force rotating with the shaft, 1x in x and y 90 degrees apart (y is
    stiffer: gain 0.6-0.9), 10 % in z; 0.3-1.2 mm/s, the "good" zone of ISO 10816-1 class I;
  - residual misalignment: 2x at 20-50 % of the 1x acceleration;
  - fan blade pass: 7x (and 14x at 30 %), 0.005-0.02 g * load * (f_r / 30 Hz)^2;
  - flow and friction: white noise through three structural modes (f_n = 160, 370, 610 Hz
    +-8 %, damping 2-6 %), each with its own direction, 0.01-0.03 g rms * load * (f_r / 30 Hz);
  - gravity: 1 g, mostly on y, the sensor tilted by up to 5 degrees;
  - sensor: white noise of a density 150-600 ug/sqrt(Hz) (MPU6050 datasheet: 400) over the
    fs/2 band, then rounding to counts.
* Faults (severity uniform in the range given; all are "developed" faults, ISO zone C/D)
  - imbalance: an extra rotating 1x force, 3-12 mm/s at 1x;
  - misalignment: axial 1x and 2x (the hallmark: strong axial 2x) plus radial 2x and 3x,
    2.5-8 mm/s at 2x;
  - looseness: the machine rattles on its feet: 1x..10x harmonics falling as 1/k, half orders
    0.5x 1.5x 2.5x, and one impact per revolution into the structural modes (0.2-0.8 g), mostly
    vertical; 2-6 mm/s at 1x;
  - outer-race defect: impacts at BPFO = (n/2) f_r (1 - (d/D) cos phi) into the housing
    resonance (f_n 420-700 Hz, damping 3-8 %); each impact jittered by 1 % of its period (the
    rolling elements slip); steady amplitude, because the defect sits still in the load zone;
    impact response peak 0.3-1.5 g;
  - inner-race defect: impacts at BPFI = (n/2) f_r (1 + (d/D) cos phi), amplitude-modulated
    once per revolution as the defect turns through the load zone (Stribeck load distribution,
    q(psi) = (1 - (1 - cos psi) / (2 eps))^1.5 with eps = 0.5, zero outside), which puts
    sidebands at +-f_r around BPFI and its harmonics; peak 0.4-2.0 g.
  Bearing 6205: n = 9 balls, d = 7.94 mm, D = 39.04 mm, phi = 0, so BPFO = 3.585 f_r and
  BPFI = 5.415 f_r. At 1.6 kHz the real kHz bearing resonances are out of band; the housing
  resonance modelled here is the one a low-rate MEMS sensor sees.

Held-out data: the splits differ in seeds and in speed and sensor-noise intervals (SPLITS), so
the "test" split measures speeds and noise levels that training never saw.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FS = 1600               # Hz: the IMU's output data rate
LSB_PER_G = 8192        # MPU6050 at +-4 g
AXES = 3
G = 9.80665
KINDS = ("normal", "imbalance", "misalignment", "looseness", "outer_race", "inner_race")
FAULTS = KINDS[1:]
PREROLL = 256           # samples synthesised and dropped so resonances start in steady state
CROSSFADE = 32          # samples of equal-power crossfade between stream segments


@dataclass(frozen=True)
class Bearing:
    """Rolling-element bearing geometry; defaults are a 6205."""

    balls: int = 9
    ball_mm: float = 7.94
    pitch_mm: float = 39.04
    contact_deg: float = 0.0

    def _ratio(self):
        return self.ball_mm / self.pitch_mm * np.cos(np.radians(self.contact_deg))

    def bpfo(self, fr):
        return self.balls / 2 * fr * (1 - self._ratio())

    def bpfi(self, fr):
        return self.balls / 2 * fr * (1 + self._ratio())


BEARING = Bearing()


@dataclass(frozen=True)
class Conditions:
    """Intervals the operating point is drawn from (uniform over their union)."""

    speed_hz: tuple
    noise_ug: tuple
    load: tuple = ((0.3, 1.0),)


_TRAIN = Conditions(speed_hz=((15, 19), (23, 27), (31, 35), (39, 43), (47, 50)),
                    noise_ug=((150, 260), (380, 520)))
# Unseen speeds (the gaps between training speeds) and unseen noise levels (between and above).
_HELD_OUT = Conditions(speed_hz=((19, 23), (27, 31), (35, 39), (43, 47)),
                       noise_ug=((260, 380), (520, 600)))
SPLITS = {"train": _TRAIN, "val": _TRAIN, "test": _HELD_OUT, "stream": _HELD_OUT}
_SPLIT_ID = {"train": 1, "val": 2, "test": 3, "stream": 4}


def _uniform_in(rng, intervals, size):
    """Uniform draws over a union of intervals."""
    iv = np.asarray(intervals, dtype=np.float64)
    widths = iv[:, 1] - iv[:, 0]
    pick = rng.choice(len(iv), size=size, p=widths / widths.sum())
    return iv[pick, 0] + rng.random(size) * widths[pick]


def _vel_to_acc(v_mm_s, f):
    """Peak acceleration (g) of a sine with velocity v (mm/s rms) at f (Hz)."""
    return np.sqrt(2) * v_mm_s * 1e-3 * 2 * np.pi * f / G


# --- parameters --------------------------------------------------------------------------------

def _machine(rng, b):
    """What stays fixed for one machine: structure, residual faults, sensor mounting."""
    u = lambda lo, hi: rng.uniform(lo, hi, b)
    shapes = np.array([[0.9, 0.4, 0.2], [0.3, 0.9, 0.3], [0.3, 0.3, 0.9]])
    return dict(
        mode_f=np.stack([160 * u(0.92, 1.08), 370 * u(0.92, 1.08), 610 * u(0.92, 1.08)], 1),
        mode_zeta=rng.uniform(0.02, 0.06, (b, 3)),
        mode_dir=shapes[None] * rng.uniform(0.7, 1.3, (b, 3, 3)),
        residual_v=u(0.3, 1.2), stiff=u(0.6, 0.9), ratio2=u(0.2, 0.5), blade=u(0.005, 0.02),
        flow=u(0.01, 0.03), tilt=rng.uniform(-5, 5, (b, 2)),
        housing_f=u(420, 700), housing_zeta=u(0.03, 0.08),
    )


def _operating(rng, b, cond: Conditions):
    """What changes from window to window: speed, load, the sensor's noise."""
    return dict(speed=_uniform_in(rng, cond.speed_hz, b), load=_uniform_in(rng, cond.load, b),
                noise_ug=_uniform_in(rng, cond.noise_ug, b), drift=rng.uniform(-0.005, 0.005, b),
                phase=rng.uniform(0, 2 * np.pi, (b, 8)))


_SEVERITY = {  # the fault's main amplitude, uniform in this range (see the module docstring)
    "normal": (0.0, 0.0), "imbalance": (3.0, 12.0), "misalignment": (2.5, 8.0),
    "looseness": (2.0, 6.0), "outer_race": (0.3, 1.5), "inner_race": (0.4, 2.0),
}


def draw_params(rng, kind: str, b: int, cond: Conditions) -> dict:
    p = _machine(rng, b) | _operating(rng, b, cond)
    p["kind"] = kind
    p["severity"] = rng.uniform(*_SEVERITY[kind], b)
    p["impact"] = rng.uniform(0.2, 0.8, b)  # looseness: impact per revolution, g
    return p


# --- synthesis ---------------------------------------------------------------------------------

def _resonate(x, fn, zeta, fs, norm):
    """x (B, L) through a 2nd-order resonance (circular, so the preroll absorbs the wrap).

    norm="rms": unit rms gain for white noise; norm="peak": a unit impulse rings with peak 1.
    """
    L = x.shape[1]
    r = np.fft.rfftfreq(L, 1 / fs)[None, :] / fn[:, None]
    h = 1.0 / (1 - r * r + 2j * zeta[:, None] * r)
    if norm == "rms":
        h /= np.sqrt(np.mean(np.abs(h) ** 2, axis=1, keepdims=True) * 2)
    else:
        h /= np.abs(np.fft.irfft(h, L)).max(axis=1, keepdims=True)
    return np.fft.irfft(np.fft.rfft(x) * h, L)


def _impacts(rng, theta, times_s, amp, fs):
    """An impulse train (B, L): impacts at times_s (B, K) with amplitudes amp (B, K)."""
    b, L = theta.shape
    idx = np.rint(times_s * fs).astype(np.int64)
    ok = (idx >= 0) & (idx < L)
    out = np.zeros((b, L))
    rows = np.broadcast_to(np.arange(b)[:, None], idx.shape)
    np.add.at(out, (rows[ok], idx[ok]), amp[ok])
    return out


def _bearing(rng, p, theta, t, fs, inner):
    """Impacts of a race defect, ringing the housing resonance."""
    fr = p["speed"]
    bpf = BEARING.bpfi(fr) if inner else BEARING.bpfo(fr)
    k = np.arange(int(np.ceil(t[-1] * bpf.max())) + 2)[None, :]
    period = 1 / bpf[:, None]
    times = (k + rng.random((len(fr), 1))) * period + rng.normal(0, 0.01, (len(fr), k.size)) * period
    amp = p["severity"][:, None] * (1 + 0.1 * rng.standard_normal(times.shape))
    if inner:  # load-zone modulation once per revolution (Stribeck, eps = 0.5)
        idx = np.clip(np.rint(times * fs).astype(np.int64), 0, theta.shape[1] - 1)
        psi = np.take_along_axis(theta, idx, 1) + p["phase"][:, 7:8]
        amp = amp * np.clip(1 - (1 - np.cos(psi)) / (2 * 0.5), 0, None) ** 1.5
    ring = _resonate(_impacts(rng, theta, times, amp, fs), p["housing_f"], p["housing_zeta"], fs, "peak")
    return ring[..., None] * np.array([0.5, 1.0, 0.2])  # load acts vertically


def _order(theta, k, phase):
    return np.cos(k * theta + phase[:, None])


def machine_vibration(p: dict, n: int, rng, fs: int = FS) -> np.ndarray:
    """(B, n, 3) acceleration in g of the machine (no gravity, no sensor noise)."""
    b, L = len(p["speed"]), n + PREROLL
    t = np.arange(L) / fs
    fr = p["speed"][:, None]
    inst = fr * (1 + p["drift"][:, None] * (t / t[-1] - 0.5))
    theta = 2 * np.pi * np.cumsum(inst, axis=1) / fs
    ph = p["phase"]
    sig = np.zeros((b, L, 3))

    def radial(a, k, phase, stiff=p["stiff"], axial=0.1):  # a force rotating at order k
        sig[..., 0] += a[:, None] * _order(theta, k, phase)
        sig[..., 1] += (a * stiff)[:, None] * np.sin(k * theta + phase[:, None])
        sig[..., 2] += (a * axial)[:, None] * _order(theta, k, phase + 1.0)

    a1 = _vel_to_acc(p["residual_v"], p["speed"])
    radial(a1, 1, ph[:, 0])
    radial(a1 * p["ratio2"], 2, ph[:, 1])
    blade = p["blade"] * p["load"] * (p["speed"] / 30) ** 2
    radial(blade, 7, ph[:, 2], axial=0.3)
    if (14 * p["speed"]).max() < 0.49 * fs:
        radial(0.3 * blade, 14, ph[:, 3], axial=0.3)
    flow = p["flow"] * p["load"] * (p["speed"] / 30)
    for m in range(3):
        w = _resonate(rng.standard_normal((b, L)), p["mode_f"][:, m], p["mode_zeta"][:, m], fs, "rms")
        sig += (flow[:, None] * w)[..., None] * p["mode_dir"][:, None, m, :]

    kind, sev = p["kind"], p["severity"]
    if kind == "imbalance":
        radial(_vel_to_acc(sev, p["speed"]), 1, ph[:, 4])
    elif kind == "misalignment":
        a2 = _vel_to_acc(sev, 2 * p["speed"])
        sig[..., 2] += (a2 * 0.6)[:, None] * _order(theta, 1, ph[:, 4]) + a2[:, None] * _order(theta, 2, ph[:, 5])
        radial(0.6 * a2, 2, ph[:, 6], axial=0.0)
        radial(0.25 * a2, 3, ph[:, 7], axial=0.0)
    elif kind == "looseness":
        a = _vel_to_acc(sev, p["speed"])
        direction = np.array([0.5, 1.0, 0.3])
        for k in (0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10):
            if (k * p["speed"]).max() >= 0.49 * fs:
                continue
            gain = (0.5 if k % 1 else 1.0) / max(k, 1)
            phase = rng.uniform(0, 2 * np.pi, b)
            sig += (gain * a[:, None] * _order(theta, k, phase))[..., None] * direction
        rev = np.floor((theta + ph[:, 4:5]) / (2 * np.pi))
        hits = np.diff(rev, axis=1, prepend=rev[:, :1]) * p["impact"][:, None]
        for m in range(3):
            ring = _resonate(hits, p["mode_f"][:, m], p["mode_zeta"][:, m], fs, "peak")
            sig += ring[..., None] * direction / 3
    elif kind in ("outer_race", "inner_race"):
        sig += _bearing(rng, p, theta, t, fs, inner=kind == "inner_race")
    return sig[:, PREROLL:]


def to_counts(acc_g, p: dict, rng, fs: int = FS) -> np.ndarray:
    """Add gravity (tilted mount) and sensor noise, then round to MPU6050 counts (int16)."""
    a, c = np.radians(p["tilt"][:, 0]), np.radians(p["tilt"][:, 1])
    gravity = np.stack([np.sin(a), np.cos(a) * np.cos(c), np.sin(c)], 1)[:, None, :]
    sigma = (p["noise_ug"] * 1e-6 * np.sqrt(fs / 2))[:, None, None]
    g = acc_g + gravity + sigma * rng.standard_normal(acc_g.shape)
    return np.clip(np.rint(g * LSB_PER_G), -32768, 32767).astype(np.int16)


# --- datasets ----------------------------------------------------------------------------------

def windows(kind: str, count: int, split: str, seed: int = 0, n: int = 512, batch: int = 256,
            severity_scale: float = 1.0) -> np.ndarray:
    """(count, n, 3) int16 windows of one kind; each window is an independent machine and
    operating point drawn from the split's conditions. severity_scale shrinks the fault (the
    same draws otherwise), for sweeps towards incipient faults."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    rng = np.random.default_rng([seed, _SPLIT_ID[split], KINDS.index(kind)])
    out = np.empty((count, n, AXES), np.int16)
    for i in range(0, count, batch):
        p = draw_params(rng, kind, min(batch, count - i), SPLITS[split])
        p["severity"] = p["severity"] * severity_scale
        out[i:i + batch] = to_counts(machine_vibration(p, n, rng), p, rng)
    return out


def stream(segments, split: str = "stream", seed: int = 0):
    """One machine running through segments [(kind, seconds), ...]: speed and load change per
    segment, joined by a short equal-power crossfade. Returns (int16 (N, 3), segment list)."""
    rng = np.random.default_rng([seed, _SPLIT_ID[split], 99])
    machine = _machine(rng, 1)
    cond = SPLITS[split]
    noise_ug = _uniform_in(rng, cond.noise_ug, 1)
    lengths = [int(round(sec * FS)) for _, sec in segments]
    total = sum(lengths)
    acc = np.zeros((total + CROSSFADE, AXES))
    fade = np.sin(np.linspace(0, np.pi / 2, CROSSFADE))[:, None]
    spans, pos = [], 0
    for (kind, _), ln in zip(segments, lengths):
        p = machine | _operating(rng, 1, cond) | dict(kind=kind, severity=rng.uniform(*_SEVERITY[kind], 1),
                                                      impact=rng.uniform(0.2, 0.8, 1))
        s = machine_vibration(p, ln + CROSSFADE, rng)[0]
        if pos:
            s[:CROSSFADE] *= fade
        s[ln:] *= fade[::-1]
        acc[pos:pos + ln + CROSSFADE] += s
        spans.append({"start": pos, "end": pos + ln, "kind": kind})
        pos += ln
    p = machine | dict(noise_ug=noise_ug)
    return to_counts(acc[None, :total], p, rng)[0], spans


# --- replay files for the device emulator --------------------------------------------------------

def write_replay(path_stem, samples: np.ndarray, segments) -> tuple[Path, Path]:
    """<stem>.bin (int16 little-endian, interleaved x y z) and <stem>.json (the sidecar)."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    a = np.asarray(samples, dtype="<i2").reshape(-1, AXES)
    binp, jsonp = stem.with_suffix(".bin"), stem.with_suffix(".json")
    binp.write_bytes(a.tobytes())
    meta = {"sample_rate": FS, "lsb_per_g": LSB_PER_G, "axes": AXES, "samples": len(a),
            "segments": [dict(s) for s in segments]}
    jsonp.write_text(json.dumps(meta, indent=1) + "\n")
    return binp, jsonp


def read_replay(path_stem) -> tuple[np.ndarray, dict]:
    stem = Path(path_stem)
    meta = json.loads(stem.with_suffix(".json").read_text())
    data = np.frombuffer(stem.with_suffix(".bin").read_bytes(), dtype="<i2").reshape(-1, meta["axes"])
    return data, meta


def demo_segments(seconds_per_fault: float = 3.0, normal_between: float = 2.0, lead: float = 5.0):
    """normal, then each fault with normal in between, then normal: the replay's script."""
    segs = [("normal", lead)]
    for f in FAULTS:
        segs += [(f, seconds_per_fault), ("normal", normal_between)]
    return segs
