"""The keyword pipeline's steps on disk: train -> convert -> check -> verify (report in report.py).

Layout: <work>/data-<hash>.npz (MFCCs of clips and streams), <work>/float.keras and
<work>/train.json (recipe, history), <bundle>/<name>.tflite + <name>.json, <work>/scores.npz
(int8 posteriors on the val/test data), <work>/verify.json, <report>/ (report.md, metrics.json, PNGs).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import features as F
from ..bundle import read_bundle, write_bundle
from ..progress import bar, console
from ..step_files import load_json as _load_json
from ..step_files import write_json as _json
from . import dataset
from . import detector as D
from . import model as M
from . import tail as T
from .recipe import Recipe

# --- train -------------------------------------------------------------------------------------

def train(cfg, work: Path) -> dict:
    """Trains on the clips and the training stream's windows; with `mine_minutes`, then mines hard
    negatives with that model (mine_hard_negatives) and trains again from the start with them."""
    data = dataset.load(cfg, work)
    recipe = Recipe.fit(data["train_x"], cfg.frames)
    xt, xv = recipe.transform(data["train_x"]), recipe.transform(data["val_x"])
    xs, ys = dataset.stream_windows(recipe.transform(data["train_stream"]), data["train_stream_speech"], cfg.frames,
                                    cfg.train_stream_stride)
    x, y = np.concatenate([xt, xs]), np.concatenate([data["train_y"], ys])
    model, history = M.train(x, y, xv, data["val_y"], cfg, len(dataset.LABELS))
    info = {"config": cfg.as_dict(), "features": recipe.to_manifest()}
    if cfg.mine_minutes:
        console.print(f"first training: val accuracy {history['val_accuracy'][-1]:.4f}; mining hard negatives")
        xm, ym, info["mining"] = mine_hard_negatives(model, recipe, cfg, work)
        info["mining"]["first_history"] = history
        model, history = M.train(np.concatenate([x, xm]), np.concatenate([y, ym]), xv, data["val_y"], cfg,
                                 len(dataset.LABELS))
    model.save(work / "float.keras")
    info["history"] = history
    _json(work / "train.json", info)
    console.print(f"trained: val accuracy {history['val_accuracy'][-1]:.4f}")
    return info


MINING_BLOCK = 16384  # windows scored at once: memory stays that of one block, however long the stream


def mine_hard_negatives(model, recipe, cfg, work: Path):
    """The windows of the mining background (dataset.mining: training voices, no wake phrase) on
    which `model` gives the wake class >= mine_min_score, the mine_max highest; labelled unknown or
    background by their speech, as the training stream's. Returns (x, y, summary)."""
    mfcc, speech = dataset.mining(cfg, work)
    x, frames, stride = recipe.transform(mfcc), cfg.frames, cfg.mine_stride
    count = max(0, (len(x) - frames) // stride + 1)
    p, y = np.empty(count, np.float32), np.empty(count, np.int8)
    with bar("scoring mining windows", count) as update:
        for first in range(0, count, MINING_BLOCK):  # window i covers frames [i * stride, i * stride + frames)
            a, b = first * stride, min(len(x), (first + MINING_BLOCK - 1) * stride + frames)
            w, y_block = dataset.stream_windows(x[a:b], speech[a:b], frames, stride)
            p[first:first + len(w)] = model.predict(w[:, :, None, :], batch_size=2048, verbose=0)[:, dataset.WAKE]
            y[first:first + len(w)] = y_block
            update(first + len(w))
    pick = np.argsort(-p, kind="stable")[:min(cfg.mine_max, int(np.sum(p >= cfg.mine_min_score)))]
    above = {str(t): int(np.sum(p >= t)) for t in (0.05, 0.2, 0.5, 0.9)}
    summary = {"windows": count, "minutes": float(cfg.mine_minutes), "confusables": bool(cfg.mine_confusables),
               "picked": int(len(pick)), "picked_unknown": int(np.sum(y[pick] == dataset.LABELS.index("unknown"))),
               "above": above, "lowest_picked_score": float(p[pick[-1]]) if len(pick) else None}
    console.print(f"mined {len(pick)} of {count} windows; wake posterior "
                  + ", ".join(f">= {t}: {n}" for t, n in above.items()))
    return x[(pick * stride)[:, None] + np.arange(frames)], y[pick], summary


def _float_model(work):
    from ..tf_setup import tensorflow

    return tensorflow().keras.models.load_model(work / "float.keras")


# --- int8 inference as on the device -----------------------------------------------------------

def quantize(recipe, mfcc, inp):
    return F.quantize_s8(recipe.transform(mfcc), inp["scale"], inp["zero_point"])


def int8_outputs(tflite: bytes, q: np.ndarray, description: str = "int8 model") -> np.ndarray:
    """Outputs (n, classes) int8 of our engine on quantised windows (n, frames, 13)."""
    from ...engine import HostEngine

    e = HostEngine(tflite)
    shape = e.input_details(0)["shape"]
    out = np.empty((len(q), int(np.prod(e.output_details(0)["shape"]))), np.int8)
    with bar(description, len(q)) as update:
        for i, x in enumerate(q):
            e.set_input(0, x.reshape(shape))
            e.invoke()
            out[i] = e.get_output(0).reshape(-1)
            if i % 500 == 0:
                update(i)
    return out


def stream_posteriors(tflite, recipe, inp, out_spec, mfcc_stream, cfg, description):
    """Wake posteriors of the device's detector over a stream (one per `stride` frames)."""
    qf = quantize(recipe, mfcc_stream, inp)
    w, ends = D.windows(qf, cfg.frames, cfg.stride)
    y = int8_outputs(tflite, w, description)
    return D.wake_posterior(y, out_spec, dataset.WAKE), ends


def choose_threshold(cfg, p_val_stream):
    """On the validation background stream only: the larger of (a) its highest smoothed score times
    a margin and (b) the threshold at which a Gumbel law fitted to its per-`tail_block_s` maxima
    (tail.gumbel_threshold) predicts `tail_target_per_day` wakes per day; clamped to
    [min_threshold, max_threshold]. Returns (threshold, peak, tail threshold)."""
    sm = D.smoothed(p_val_stream, cfg.smooth)
    peak = float(sm.max()) if len(sm) else 0.0
    per_block = round(cfg.tail_block_s / (cfg.stride * 0.02))
    mx = T.block_maxima(sm, per_block)
    tail = T.gumbel_threshold(mx, cfg.tail_block_s, cfg.tail_target_per_day) if len(mx) >= 5 else 0.0
    th = min(max(peak * cfg.threshold_margin, tail, cfg.min_threshold), cfg.max_threshold)
    return th, peak, tail


# --- convert -----------------------------------------------------------------------------------

def _representative(x_train, y_train, seed, n=600):
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(x_train))[:n]
    return x_train[pick][:, :, None, :].astype(np.float32)


def _spec(d):
    return {"shape": [int(v) for v in d["shape"]], "dtype": str(d["dtype"]), "scale": float(d["scale"]),
            "zero_point": int(d["zero_point"])}


def convert(cfg, work: Path, bundle_dir: Path) -> Path:
    from ...engine import HostEngine
    from ..int8_convert import to_int8_tflite

    info = _load_json(work / "train.json")
    data = dataset.load(cfg, work)
    recipe = Recipe.from_manifest(info["features"])
    xt = recipe.transform(data["train_x"])
    with console.status("converting to int8"):
        tflite = to_int8_tflite(_float_model(work), _representative(xt, data["train_y"], cfg.seed), cfg.seed,
                                per_channel=cfg.per_channel)
    e = HostEngine(tflite)
    inp, out = _spec(e.input_details(0)), _spec(e.output_details(0))
    # Threshold on validation data only: the validation background stream through the detector.
    p_val, _ = stream_posteriors(tflite, recipe, inp, out, data["val_stream"], cfg, "val stream")
    th, peak, tail = choose_threshold(cfg, p_val)
    refr = D.refractory_invocations(cfg.refractory_s, cfg.stride)
    manifest = {
        "version": cfg.version, "task": "keyword",
        "input": inp, "output": out,
        "features": info["features"],
        "labels": list(dataset.LABELS), "wake_phrase": cfg.wake, "wake_index": dataset.WAKE,
        "thresholds": {"wake": th},
        "detector": {
            "stride_frames": cfg.stride, "smooth": cfg.smooth, "refractory_s": cfg.refractory_s,
            "refractory_invocations": refr,
            "rule": ("every stride_frames MFCC frames (once `frames` are buffered) invoke on the last `frames` "
                     "frames, oldest first; p = (q_out[wake_index] - output.zero_point) * output.scale; "
                     "score = sum of the last `smooth` p / smooth (missing ones count 0); wake when "
                     "score >= thresholds.wake, then skip refractory_invocations invocations and clear the "
                     "history"),
        },
        "training": {"generator": "tinydev.ml.data.speech (espeak-ng)", "config": cfg.size, "seed": cfg.seed,
                     "threshold_rule": (f"on {float(data['val_stream_seconds']) / 60:.1f} min of validation "
                                        f"background: the larger of its max smoothed score ({peak:.4f}) x "
                                        f"{cfg.threshold_margin} and the score at which a Gumbel law fitted to the "
                                        f"logits of its {cfg.tail_block_s:g} s maxima predicts "
                                        f"{cfg.tail_target_per_day:g} wakes/day ({tail:.4f}), clamped to "
                                        f"[{cfg.min_threshold}, {cfg.max_threshold}]; validation data only")},
    }
    path = write_bundle(bundle_dir, cfg.name, tflite, manifest)
    console.print(f"bundle: {path} ({len(tflite)} bytes), wake threshold {th:.3f} (val stream peak {peak:.3f})")
    return path


# --- check -------------------------------------------------------------------------------------

def check(cfg, bundle_dir: Path):
    from ..tflite_check import check_model
    from ..vibration.steps import unix_firmware

    tflite, _ = read_bundle(bundle_dir, cfg.name)
    return check_model(tflite, unix_firmware())


# --- verify ------------------------------------------------------------------------------------

def verify(cfg, work: Path, bundle_dir: Path, tflm_count: int = 3000, unix_count: int = 1000) -> dict:
    from ..verify_engines import bit_exact, tflm_outputs, unix_firmware_outputs
    from ..vibration.steps import unix_firmware

    tflite, man = read_bundle(bundle_dir, cfg.name)
    data = dataset.load(cfg, work)
    recipe = Recipe.from_manifest(man["features"])
    inp = man["input"]
    rng = np.random.default_rng(cfg.seed)
    q_test = quantize(recipe, data["test_x"], inp)
    pick = rng.permutation(len(q_test))[:tflm_count]
    sw, _ = D.windows(quantize(recipe, data["test_stream"], inp), cfg.frames, cfg.stride)
    spick = rng.permutation(len(sw))[: max(1, tflm_count // 3)]
    q = np.concatenate([q_test[pick], sw[spick],
                        rng.integers(-128, 128, (200,) + q_test.shape[1:]).astype(np.int8)])  # off-distribution
    ours = int8_outputs(tflite, q, "our engine")
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
    # int8 vs float decisions (argmax) on the whole held-out test set.
    y8 = int8_outputs(tflite, q_test, "int8 on test clips")
    fm = _float_model(work)
    pf = fm.predict(recipe.transform(data["test_x"])[:, :, None, :], batch_size=512, verbose=0)
    d8, df, y = y8.argmax(1), pf.argmax(1), data["test_y"]
    result["decisions"] = {"agreement": float(np.mean(d8 == df)), "windows": len(y),
                           "int8_accuracy": float(np.mean(d8 == y)), "float_accuracy": float(np.mean(df == y))}
    _json(work / "verify.json", result)
    return result
