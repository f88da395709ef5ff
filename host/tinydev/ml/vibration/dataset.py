"""The pipeline's data: windows from the generator, turned into raw features, cached as .npz."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..data import vibration as V
from ..progress import bar
from .recipe import raw_features, stream_windows

_DATA_KEYS = ("window", "hop", "bands", "train_normal", "val_normal", "test_normal", "test_fault",
              "stream_minutes", "seed")
_GENERATOR_VERSION = 1  # bump when the generator's physics changes, to drop stale caches


def _key(cfg):
    d = {k: cfg.as_dict()[k] for k in _DATA_KEYS} | {"gen": _GENERATOR_VERSION}
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _featurise(kind, count, split, cfg):
    with bar(f"{split} {kind}", count) as update:
        w = V.windows(kind, count, split, cfg.seed, cfg.window)
        update(count // 4, "generated")
        f = raw_features(w, V.FS, cfg.bands, progress=lambda i: update(count // 4 + i * 3 // 4))
    return f


def normal_stream(cfg):
    """A normal-only stream (one machine, speed and load change every 20 s), as windows' features."""
    seconds = cfg.stream_minutes * 60
    segs = [("normal", 20.0)] * max(1, int(round(seconds / 20.0)))
    samples, _ = V.stream(segs, "stream", cfg.seed + 1)
    w = stream_windows(samples, cfg.window, cfg.hop)
    with bar("stream normal", len(w)) as update:
        return raw_features(w, V.FS, cfg.bands, progress=update), len(samples) / V.FS


def load(cfg, workdir: Path) -> dict:
    """Raw features of every split: train/val normal, test normal + faults with labels, stream."""
    path = Path(workdir) / f"data-{_key(cfg)}.npz"
    if path.exists():
        return dict(np.load(path))
    d = {"train": _featurise("normal", cfg.train_normal, "train", cfg),
         "val": _featurise("normal", cfg.val_normal, "val", cfg)}
    tests, labels = [_featurise("normal", cfg.test_normal, "test", cfg)], [np.zeros(cfg.test_normal, np.int8)]
    for i, kind in enumerate(V.FAULTS, 1):
        tests.append(_featurise(kind, cfg.test_fault, "test", cfg))
        labels.append(np.full(cfg.test_fault, i, np.int8))
    d["test"], d["test_kind"] = np.concatenate(tests), np.concatenate(labels)
    d["stream"], seconds = normal_stream(cfg)
    d["stream_seconds"] = np.array(seconds)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **d)
    return d
