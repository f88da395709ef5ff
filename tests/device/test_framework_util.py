"""Helpers for the device-framework tests (no tests here): synthetic replay files for the
emulated IMU, and a tiny vibration model bundle trained with TensorFlow (tests only)."""
import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEVICE = REPO / "device"

RATE = 500
LSB = 8192           # +-4 g
WINDOW, HOP = 256, 128
BANDS = [[5, 40], [40, 80], [80, 160], [160, 250]]


def make_replay(path, secs=10.0, segments=(), rate=RATE, lsb=LSB, seed=0):
    """Raw int16 LE x,y,z at `lsb` counts/g + JSON sidecar. segments: (start, end, kind); any
    kind other than "normal" adds a 120 Hz imbalance-like vibration and broadband knocks;
    "still" is a machine at rest (gravity and 1 mg of sensor noise only)."""
    rng = np.random.default_rng(seed)
    n = int(rate * secs)
    t = np.arange(n) / rate
    f0 = 50 + rng.uniform(-2, 2)
    x = 0.02 * np.sin(2 * np.pi * f0 * t) + 0.01 * rng.standard_normal(n)
    y = 0.02 * np.sin(2 * np.pi * f0 * t + 1) + 0.01 * rng.standard_normal(n)
    z = 1.0 + 0.01 * rng.standard_normal(n)
    segs = []
    for a, b, kind in segments:
        m = (t >= a) & (t < b)
        if kind == "still":
            x[m] = 0.001 * rng.standard_normal(m.sum())
            y[m] = 0.001 * rng.standard_normal(m.sum())
            z[m] = 1.0 + 0.001 * rng.standard_normal(m.sum())
        elif kind != "normal":
            x[m] += 0.25 * np.sin(2 * np.pi * 120 * t[m])
            z[m] += 0.15 * np.sin(2 * np.pi * 120 * t[m] + 0.5)
        segs.append({"start": int(a * rate), "end": int(b * rate), "kind": kind})
    d = (np.stack([x, y, z], 1) * lsb).round().clip(-32768, 32767).astype("<i2")
    path = Path(path)
    d.tofile(path)
    meta = {"sample_rate": rate, "lsb_per_g": lsb, "axes": 3, "samples": n, "segments": segs}
    path.with_suffix(".json").write_text(json.dumps(meta))
    return path


def _features(sig, rate=RATE, window=WINDOW, hop=HOP):
    import sys
    sys.path.insert(0, str(REPO / "host"))
    from tinydev.ml.features import vibration_features
    out = []
    for s in range(0, len(sig) - window + 1, hop):
        out.append(vibration_features(sig[s:s + window].reshape(-1), rate, BANDS, 3))
    return np.array(out, dtype=np.float32)


def make_model(base, seed=1, window=WINDOW, hop=HOP):
    """Train a tiny dense classifier normal-vs-anomaly on synthetic windows, convert to full
    int8 TFLite, write <base>.tflite + <base>.json (the bundle manifest). Returns the manifest."""
    import tensorflow as tf

    base = Path(base)
    tmp = base.parent / "_train"
    tmp.mkdir(parents=True, exist_ok=True)
    feats, labels = [], []
    for i in range(6):
        p = make_replay(tmp / f"n{i}.bin", secs=6, segments=[(0, 6, "normal")], seed=100 + i)
        sig = np.fromfile(p, "<i2").reshape(-1, 3)
        feats.append(_features(sig, window=window, hop=hop)); labels.append(np.zeros(len(feats[-1])))
        p = make_replay(tmp / f"a{i}.bin", secs=6, segments=[(0, 6, "anomaly")], seed=200 + i)
        sig = np.fromfile(p, "<i2").reshape(-1, 3)
        feats.append(_features(sig, window=window, hop=hop)); labels.append(np.ones(len(feats[-1])))
    X = np.concatenate(feats)
    y = np.concatenate(labels).astype(np.float32)
    eps = 1e-3
    L = np.log(X + eps)
    mean = L.mean(0)
    std = L.std(0) + 1e-3
    Z = ((L - mean) / std).astype(np.float32)
    tf.random.set_seed(seed)
    m = tf.keras.Sequential([tf.keras.Input((Z.shape[1],)), tf.keras.layers.Dense(8, activation="relu"),
                             tf.keras.layers.Dense(1, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy")
    m.fit(Z, y, epochs=60, batch_size=32, verbose=0)
    conv = tf.lite.TFLiteConverter.from_keras_model(m)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([Z[i:i + 1]] for i in range(0, len(Z), 3))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = conv.convert()
    interp = tf.lite.Interpreter(model_content=blob)
    inp = interp.get_input_details()[0]
    scale, zp = inp["quantization"]
    base.with_suffix(".tflite").write_bytes(blob)
    man = {
        "name": "vibration-test",
        "sha256": hashlib.sha256(blob).hexdigest(),
        "input": {"shape": [int(v) for v in inp["shape"]], "dtype": "int8", "scale": float(scale),
                  "zero_point": int(zp)},
        "features": {"kind": "vibration", "sample_rate": RATE, "window": window, "hop": hop,
                     "bands": BANDS, "axes": 3,
                     "transform": {"recipe": "z = (ln(x + offset) - mean) / std", "offset": eps, "mean": [float(v) for v in mean],
                                   "std": [float(v) for v in std]}},
        "thresholds": {"anomaly": 0.5},
        "score": {"kind": "output", "index": 0},
    }
    base.with_suffix(".json").write_text(json.dumps(man))
    return man


def run_unix(fw, script, cwd=None, timeout=300, env_extra=None):
    """Run a MicroPython script on the UNIX firmware with the framework from the checkout."""
    import os
    env = dict(os.environ, MICROPYPATH=f"{DEVICE}:.frozen")
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([str(fw), str(script)], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)
    return p


if __name__ == "__main__":
    import sys
    out = Path(sys.argv[1])
    (out / "models").mkdir(parents=True, exist_ok=True)
    (out / "replay").mkdir(parents=True, exist_ok=True)
    make_model(out / "models" / "vibration")
    make_replay(out / "replay" / "vibration.bin", secs=16, segments=[(0, 6, "normal"), (6, 10, "anomaly"), (10, 16, "normal")], seed=7)
