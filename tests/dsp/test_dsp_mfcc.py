"""tinyml.dsp.MFCC on the device vs the host twin (power, mel energies, log-mel, MFCC)."""
import dataclasses

import numpy as np
import pytest

import signals
from devrun import pick, run
from tinydev.ml import features as F

TOL = 1e-4  # max |device - host| / max |host|, see features.max_rel_error

CONFIGS = {
    "kws13": F.KWS,
    "kws10": dataclasses.replace(F.KWS, n_mfcc=10),
    "kws_full_band_hamming": dataclasses.replace(F.KWS, fmin=0.0, fmax=8000.0, window=F.HAMMING),
    "small": F.MelConfig(sample_rate=8000, frame_len=200, hop=80, n_fft=256, n_mels=20, n_mfcc=12,
                         fmin=60.0, fmax=3800.0, window=F.HANN),
    "big": F.MelConfig(sample_rate=44100, frame_len=2048, hop=1024, n_fft=2048, n_mels=128, n_mfcc=20,
                       fmin=0.0, fmax=22050.0, window=F.NONE),
}


def ctor(cfg: F.MelConfig) -> str:
    return (f"dsp.MFCC(sample_rate={cfg.sample_rate}, frame_len={cfg.frame_len}, n_fft={cfg.n_fft}, "
            f"n_mels={cfg.n_mels}, n_mfcc={cfg.n_mfcc}, fmin={cfg.fmin!r}, fmax={cfg.fmax!r}, "
            f"window={cfg.window})")


def device_features(device, cfg, frames: dict):
    body = f"m = {ctor(cfg)}\n"
    body += (f"p = array.array('f', bytearray(4 * {cfg.n_fft // 2 + 1}))\n"
             f"e = array.array('f', bytearray(4 * {cfg.n_mels}))\n"
             f"l = array.array('f', bytearray(4 * {cfg.n_mels}))\n"
             f"c = array.array('f', bytearray(4 * {cfg.n_mfcc}))\n")
    for name in frames:
        body += (f"m.power({name}, p); m.melspec({name}, e); m.logmel({name}, l); m.mfcc({name}, c)\n"
                 f"_out('{name}.p', p); _out('{name}.e', e); _out('{name}.l', l); _out('{name}.c', c)\n")
    return run(device, body, **frames)


@pytest.mark.parametrize("cfg_name", CONFIGS)
def test_mfcc_matches_twin(dsp_device, cfg_name):
    cfg = CONFIGS[cfg_name]
    frames = pick(dsp_device, {**signals.audio(cfg.frame_len), **signals.float_frames(cfg.frame_len)},
                  ("sine_440", "sine_7k", "chirp", "noise", "silence", "clipped", "f_noise"))
    out = device_features(dsp_device, cfg, frames)
    worst = {}
    for name, x in frames.items():
        mel_scale = max(F.frame_power(x, cfg).max(), np.abs(F.melspec(x, cfg)).max())
        for key, ref in (("p", F.frame_power(x, cfg)), ("e", F.melspec(x, cfg)),
                         ("l", F.logmel(x, cfg)), ("c", F.mfcc(x, cfg))):
            # Mel energies on the scale of the power they are made of (features.max_rel_error).
            scale = mel_scale if key == "e" else None
            err = F.max_rel_error(out[f"{name}.{key}"], ref, scale)
            worst[key] = max(worst.get(key, 0.0), err)
            assert err <= TOL, (cfg_name, name, key, err)
    print(cfg_name, worst)


def test_wrong_mel_edge_is_caught(dsp_device):
    """A filter bank whose top edge is off by 1 % (or bottom edge by 20 Hz) fails the bound."""
    frames = {k: v for k, v in signals.audio(480).items() if k in ("noise", "chirp")}
    out = device_features(dsp_device, F.KWS, frames)
    for name, x in frames.items():
        assert F.max_rel_error(out[f"{name}.e"], F.melspec(x, F.KWS)) <= TOL
        for wrong in (dataclasses.replace(F.KWS, fmax=3960.0), dataclasses.replace(F.KWS, fmin=40.0)):
            assert F.max_rel_error(out[f"{name}.e"], F.melspec(x, wrong)) > 10 * TOL, (name, wrong)
            assert F.max_rel_error(out[f"{name}.c"], F.mfcc(x, wrong)) > 10 * TOL, (name, wrong)


def test_wrong_window_is_caught_in_mfcc(dsp_device):
    x = signals.audio(480)["noise"]
    out = device_features(dsp_device, F.KWS, {"x": x})
    assert F.max_rel_error(out["x.c"], F.mfcc(x, F.KWS)) <= TOL
    assert F.max_rel_error(out["x.c"], F.mfcc(x, dataclasses.replace(F.KWS, window=F.HAMMING))) > 10 * TOL


def test_streaming_mfcc_without_gaps(dsp_device):
    """A recording fed to a Ring in uneven chunks (like I2S reads) and sliced 480/320 on the device
    gives exactly the host's frames, and their MFCCs match mfcc_stream."""
    sig = signals.speech_like(1.0 if dsp_device.full else 0.5)
    rng = np.random.default_rng(5)
    cuts = np.cumsum(rng.integers(1, 700, 200))
    cuts = cuts[cuts < len(sig)]
    body = """\
r = dsp.Ring(2048)
m = dsp.MFCC()
fr = array.array('h', bytearray(2 * 480))
c = array.array('f', bytearray(4 * 13))
frames = bytearray()
feats = bytearray()
start = 0
def drain():
    global frames, feats
    while r.frame(fr, 320):
        m.mfcc(fr, c)
        frames += bytes(fr)
        feats += bytes(c)
for end in list(cuts) + [len(sig)]:
    chunk = memoryview(sig)[start:end]
    assert r.write(chunk) == len(chunk)
    start = end
    drain()
_out('frames', frames); _out('feats', feats); print('dropped', r.dropped())
"""
    out = run(dsp_device, body, {"frames": np.int16}, sig=sig, cuts=cuts.astype(np.int16)
              if cuts.max() < 32768 else cuts.astype(np.float32))
    want_frames = F.frames(sig, 480, 320)
    got_frames = out["frames"].reshape(-1, 480)
    assert got_frames.shape == want_frames.shape
    assert np.array_equal(got_frames, want_frames)
    got = out["feats"].reshape(-1, 13)
    want = F.mfcc_stream(sig)
    for g, w in zip(got, want):
        assert F.max_rel_error(g, w) <= TOL
    assert "dropped 0" in out["_lines"]
