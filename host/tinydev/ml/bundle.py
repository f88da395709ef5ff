"""Model bundle: a directory with <name>.tflite and its <name>.json manifest (see docs/model-bundle.md)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import TinydevError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(directory, name: str, tflite: bytes, manifest: dict) -> Path:
    """Write both files; the manifest gets name and the tflite's sha256. Returns the manifest path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.tflite").write_bytes(tflite)
    m = {"name": name} | manifest | {"sha256": sha256(tflite), "bytes": len(tflite)}
    path = d / f"{name}.json"
    path.write_text(json.dumps(m, indent=1) + "\n")
    return path


def read_bundle(directory, name: str) -> tuple[bytes, dict]:
    """The tflite bytes and manifest, after checking the sha256 the manifest names."""
    d = Path(directory)
    tfl, man = d / f"{name}.tflite", d / f"{name}.json"
    if not tfl.exists() or not man.exists():
        raise TinydevError(f"no model bundle {name} in {d}", "run `tinydev model convert` first")
    data, m = tfl.read_bytes(), json.loads(man.read_text())
    if m.get("sha256") != sha256(data):
        raise TinydevError(f"{tfl}: sha256 does not match its manifest", "convert again")
    return data, m
