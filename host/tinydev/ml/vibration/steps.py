"""The pipeline's steps on disk: train -> convert -> check -> verify -> report.

Layout: <work>/data-<hash>.npz (raw features), <work>/float.keras and <work>/train.json (recipe,
error weights, float threshold), <bundle>/<name>.tflite + <name>.json (+ a replay), <work>/verify.json,
<report>/ (report.md, metrics.json, PNGs).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import features as F
from ..bundle import read_bundle, write_bundle
from ..data import vibration as V
from ..progress import bar, console
from ..step_files import load_json as _load_json
from ..step_files import write_json as _json
from . import dataset
from . import model as M
from .recipe import Recipe

# --- train -------------------------------------------------------------------------------------

def train(cfg, work: Path) -> dict:
    data = dataset.load(cfg, work)
    recipe = Recipe.fit(data["train"], cfg.window, cfg.hop, cfg.bands)
    xt, xv = recipe.transform(data["train"]), recipe.transform(data["val"])
    model, history = M.train(xt, xv, cfg)
    model.save(work / "float.keras")
    weights = M.error_weights(model, xt)
    th = M.threshold(M.float_scores(model, xv, weights), cfg.threshold_quantile, cfg.threshold_margin)
    info = {"config": cfg.as_dict(), "features": recipe.to_manifest(), "weights": weights.tolist(),
            "float_threshold": th, "history": history}
    _json(work / "train.json", info)
    console.print(f"trained: val loss {history['val_loss'][-1]:.4f}, float threshold {th:.3f}")
    return info


def _float_model(work):
    from ..tf_setup import tensorflow

    return tensorflow().keras.models.load_model(work / "float.keras")


# --- convert -----------------------------------------------------------------------------------

def _representative(x_train, seed):
    """Normal features, plus 5 % stretched 2.5x so the int8 input range keeps room for faults
    (a fault's feature past the range would be clipped before the model sees it)."""
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(x_train))[:500]
    stretched = x_train[pick[:25]] * 2.5
    return np.concatenate([x_train[pick], stretched]).astype(np.float32)


def int8_scores(tflite: bytes, x: np.ndarray, weights, progress=None):
    """(scores, quantised inputs, outputs) of the int8 model on our engine, as on the device."""
    from ...engine import HostEngine
    from ..verify_engines import engine_outputs

    e = HostEngine(tflite)
    inp, out = e.input_details(0), e.output_details(0)
    q = F.quantize_s8(x, inp["scale"], inp["zero_point"])
    y = engine_outputs(tflite, q, progress)
    return M.int8_scores(q, y, inp, out, weights), q, y


def _spec(d):
    return {"shape": list(d["shape"]), "dtype": str(d["dtype"]), "scale": float(d["scale"]),
            "zero_point": int(d["zero_point"])}


def convert(cfg, work: Path, bundle_dir: Path) -> Path:
    from ...engine import HostEngine
    from ..int8_convert import to_int8_tflite

    info = _load_json(work / "train.json")
    data = dataset.load(cfg, work)
    recipe = Recipe.from_manifest(info["features"])
    xt, xv = recipe.transform(data["train"]), recipe.transform(data["val"])
    with console.status("converting to int8"):
        tflite = to_int8_tflite(_float_model(work), _representative(xt, cfg.seed), cfg.seed)
    weights = np.array(info["weights"], np.float32)
    scores, _, _ = int8_scores(tflite, xv, weights)
    th = M.threshold(scores, cfg.threshold_quantile, cfg.threshold_margin)
    e = HostEngine(tflite)
    manifest = {
        "version": cfg.version, "task": "anomaly",
        "input": _spec(e.input_details(0)), "output": _spec(e.output_details(0)),
        "features": info["features"],
        "labels": ["normal", "anomaly"], "fault_kinds": list(V.FAULTS),
        "thresholds": {"anomaly": th},
        "score": {"kind": "weighted_mse",
                  "recipe": "x[i] = (q_in[i] - input.zero_point) * input.scale; "
                            "y[i] = (q_out[i] - output.zero_point) * output.scale; "
                            "score = sum(weights[i] * (y[i] - x[i])^2) / n",
                  "weights": [float(w) for w in weights]},
        "decision": {"rule": "anomaly when score > thresholds.anomaly", "consecutive": cfg.consecutive},
        "training": {"generator": "tinydev.ml.data.vibration", "config": cfg.size,
                     "threshold_rule": f"quantile {cfg.threshold_quantile} of int8 scores on "
                                       f"{len(xv)} validation normal windows x {cfg.threshold_margin}",
                     "seed": cfg.seed},
    }
    path = write_bundle(bundle_dir, cfg.name, tflite, manifest)
    samples, segs = V.stream(V.demo_segments(), "stream", cfg.seed + 7)
    V.write_replay(bundle_dir / f"{cfg.name}-replay", samples, segs)
    console.print(f"bundle: {path} ({len(tflite)} bytes), int8 threshold {th:.3f}")
    return path


# --- check -------------------------------------------------------------------------------------

def check(cfg, bundle_dir: Path):
    from ..tflite_check import check_model

    tflite, _ = read_bundle(bundle_dir, cfg.name)
    return check_model(tflite, unix_firmware())


# --- verify ------------------------------------------------------------------------------------

def unix_firmware() -> Path | None:
    from ...paths import project_root

    try:
        p = project_root() / "build" / "UNIX" / "micropython"
    except Exception:
        return None
    return p if p.exists() else None


def verify(cfg, work: Path, bundle_dir: Path, unix_count: int = 2000) -> dict:
    from ..verify_engines import (
        bit_exact,
        engine_outputs,
        tflm_outputs,
        unix_firmware_outputs,
    )

    tflite, man = read_bundle(bundle_dir, cfg.name)
    data = dataset.load(cfg, work)
    recipe = Recipe.from_manifest(man["features"])
    x = recipe.transform(np.concatenate([data["test"], data["stream"]]))
    inp = man["input"]
    rng = np.random.default_rng(cfg.seed)
    q = np.concatenate([F.quantize_s8(x, inp["scale"], inp["zero_point"]),
                        rng.integers(-128, 128, (1000, x.shape[1])).astype(np.int8)])  # off-distribution too
    with bar("our engine", len(q)) as up:
        ours = engine_outputs(tflite, q, up)
    with bar("TFLM", len(q)) as up:
        ref = tflm_outputs(tflite, q, up)
    result = {"tflm_vs_engine": bit_exact(ref, ours)}
    fw = unix_firmware()
    if fw is not None:
        sub = q[rng.permutation(len(q))[:unix_count]]
        with console.status(f"UNIX firmware on {len(sub)} inputs"):
            dev = unix_firmware_outputs(fw, tflite, sub, ours.shape[1])
        result["tflm_vs_unix_firmware"] = bit_exact(tflm_outputs(tflite, sub), dev)
    else:
        result["tflm_vs_unix_firmware"] = None
    # int8 vs float decisions, each against its own threshold, on the held-out test set.
    weights = np.array(man["score"]["weights"], np.float32)
    xt = recipe.transform(data["test"])
    s8, _, _ = int8_scores(tflite, xt, weights)
    fm = _float_model(work)
    sf = M.float_scores(fm, xt, weights)
    # The float model's own threshold, by the same rule on the same validation windows.
    th_float = M.threshold(M.float_scores(fm, recipe.transform(data["val"]), weights), cfg.threshold_quantile,
                           cfg.threshold_margin)
    d8, df = s8 > man["thresholds"]["anomaly"], sf > th_float
    kinds = data["test_kind"]
    result["decisions"] = {"float_threshold": th_float, "agreement": float(np.mean(d8 == df)), "windows": len(xt),
                           "int8_accuracy": float(np.mean(d8 == (kinds > 0))),
                           "float_accuracy": float(np.mean(df == (kinds > 0)))}
    _json(work / "verify.json", result)
    return result
