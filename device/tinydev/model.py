# Model bundles: <base>.tflite + <base>.json (the manifest). The manifest is checked before the
# model loads: the file's sha256 must match, and the input spec must match the model's tensor.
#   {"name", "sha256", "input": {"shape", "dtype", "scale", "zero_point"},
#    "features": {"kind": "vibration", "sample_rate", "window", "hop", "bands", "axes",
#                 "transform": {...}}, "thresholds": {"anomaly": ..}, "score": {...}}
import json
import math
import array

try:
    import hashlib
except ImportError:
    hashlib = None


class ModelError(Exception):
    pass


def _exists(path):
    try:
        open(path, "rb").close()
        return True
    except OSError:
        return False


def sha256_file(path):
    if hashlib is None or not hasattr(hashlib, "sha256"):
        return None
    h = hashlib.sha256()
    buf = bytearray(1024)
    mv = memoryview(buf)
    with open(path, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(mv[:n])
    d = h.digest()
    return "".join("%02x" % b for b in d)


def read_manifest(base):
    mpath = base + ".json"
    try:
        with open(mpath) as f:
            return json.load(f)
    except OSError:
        raise ModelError("no model manifest at %s (deploy the bundle: %s.tflite + %s.json)" % (mpath, base, base))
    except ValueError as e:
        raise ModelError("model manifest %s is not valid JSON: %s" % (mpath, e))


def verify(base, man=None):
    """Check the bundle; returns the manifest. Raises ModelError with the reason."""
    tpath = base + ".tflite"
    if not _exists(tpath):
        raise ModelError("no model at %s" % tpath)
    if man is None:
        man = read_manifest(base)
    for k in ("name", "sha256", "input"):
        if k not in man:
            raise ModelError("manifest %s.json lacks %r" % (base, k))
    got = sha256_file(tpath)
    if got is None:
        raise ModelError("this port has no hashlib.sha256: cannot verify %s, refusing to load" % tpath)
    if got != man["sha256"].lower():
        raise ModelError("model %s refused: sha256 %s does not match the manifest's %s (file tampered or stale)"
                         % (tpath, got[:16] + "..", man["sha256"][:16] + ".."))
    return man


# --- feature transform: an elementwise recipe from the manifest -------------------------------
# Either {"steps": [{"op": "log1p"}, {"op": "sub", "values": [...]}, ...]} or the short form
# (docs/model-bundle.md): {"offset": o, "mean": [...], "inv_std": [...]} meaning
# z = (ln(x + offset) - mean) * inv_std; also "log": true|"log1p"|"log10" (+ "eps"), "std",
# "scale", "clip": [lo, hi]; "recipe" is a human-readable note. Applied in the order: log, mean,
# std, inv_std, scale, clip. Ops: log (ln(x + eps)), log1p, log10, sqrt, add, sub, mul, div, clip.
_OPS = ("log", "log1p", "log10", "sqrt", "add", "sub", "mul", "div", "clip")
_SHORT = ("log", "eps", "offset", "mean", "std", "inv_std", "scale", "clip", "recipe")


def compile_transform(tr, n):
    if not tr:
        return []
    if "steps" in tr:
        steps = tr["steps"]
    else:
        for k in tr:
            if k not in _SHORT:
                raise ModelError("unsupported transform key %r (known: %s)" % (k, ", ".join(_SHORT)))
        steps = []
        lg = tr.get("log", "offset" in tr)
        if lg:
            steps.append({"op": "log1p" if lg == "log1p" else ("log10" if lg == "log10" else "log"),
                          "eps": tr.get("offset", tr.get("eps", 1e-12))})
        if "mean" in tr:
            steps.append({"op": "sub", "values": tr["mean"]})
        if "std" in tr:
            steps.append({"op": "div", "values": tr["std"]})
        if "inv_std" in tr:
            steps.append({"op": "mul", "values": tr["inv_std"]})
        if "scale" in tr:
            steps.append({"op": "mul", "values": tr["scale"]})
        if "clip" in tr:
            steps.append({"op": "clip", "lo": tr["clip"][0], "hi": tr["clip"][1]})
    out = []
    for s in steps:
        op = s.get("op")
        if op not in _OPS:
            raise ModelError("unsupported transform op %r (known: %s)" % (op, ", ".join(_OPS)))
        v = s.get("values", s.get("value"))
        if v is not None:
            if not isinstance(v, (list, tuple)):
                v = [v] * n
            if len(v) != n:
                raise ModelError("transform %s has %d values for %d features" % (op, len(v), n))
            v = array.array("f", v)
        out.append((op, v, s.get("eps", 1e-12), s.get("lo"), s.get("hi")))
    return out


def apply_transform(steps, x):
    n = len(x)
    for op, v, eps, lo, hi in steps:
        for i in range(n):
            a = x[i]
            if op == "log":
                a = math.log(a + eps)
            elif op == "log1p":
                a = math.log(1 + a)
            elif op == "log10":
                a = math.log(a + eps) * 0.4342944819
            elif op == "sqrt":
                a = math.sqrt(a) if a > 0 else 0.0
            elif op == "add":
                a += v[i]
            elif op == "sub":
                a -= v[i]
            elif op == "mul":
                a *= v[i]
            elif op == "div":
                a /= v[i]
            elif op == "clip":
                a = lo if a < lo else (hi if a > hi else a)
            x[i] = a


class Bundle:
    """A verified model with its feature recipe and scoring. score(features) -> float."""

    def __init__(self, base, arena=None):
        import tinyml
        self.man = man = verify(base)
        self.name = man["name"]
        try:
            self.model = tinyml.Model(base + ".tflite") if arena is None else tinyml.Model(base + ".tflite", arena=arena)
        except Exception as e:
            raise ModelError("model %s.tflite does not load: %s" % (base, e))
        spec = self.model.inputs[0]
        want = man["input"]
        if list(spec.shape) != list(want["shape"]) or spec.dtype != want.get("dtype", spec.dtype):
            raise ModelError("model input is %s %s but the manifest says %s %s" % (
                spec.dtype, list(spec.shape), want.get("dtype"), want["shape"]))
        self.in_scale = spec.scale
        self.in_zp = spec.zero_point
        self.int8 = spec.dtype == "int8"
        n = 1
        for d in spec.shape:
            n *= d
        self.n_in = n
        f = man.get("features", {})
        self.features = f
        self.steps = compile_transform(f.get("transform"), n)
        self.threshold = man.get("thresholds", {}).get("anomaly", 0.5)
        self.decision = man.get("decision", {})
        sc = man.get("score", {})
        self.score_kind = sc.get("kind", "output")
        self.score_index = sc.get("index", 0)
        if self.score_kind not in ("output", "one_minus", "mse", "mae", "weighted_mse"):
            raise ModelError("unsupported score kind %r" % self.score_kind)
        out = self.model.outputs[0]
        self.out_scale = out.scale
        self.out_zp = out.zero_point
        self.out_int8 = out.dtype == "int8"
        self.weights = None
        if self.score_kind == "weighted_mse":
            w = sc.get("weights")
            if w is None or len(w) != n:
                raise ModelError("score weighted_mse needs %d weights" % n)
            self.weights = array.array("f", w)
        if self.score_kind in ("mse", "mae", "weighted_mse"):
            m = 1
            for d in out.shape:
                m *= d
            if m != n:
                raise ModelError("reconstruction score needs output size %d == input size %d" % (m, n))
        self.x = array.array("f", bytearray(4 * n))   # transformed features (model units)
        self.q = array.array("b", bytearray(n))       # our copy of the int8 input (the arena may be reused)
        self._in = self.model.input(0)
        self._out = self.model.output(0)

    def score(self, feats):
        """features (float array, len n_in) -> anomaly score. Allocates nothing per call but
        the returned float. Reconstruction scores compare the output with the (dequantised)
        input the model actually saw."""
        import tinyml
        x = self.x
        x[:] = feats
        apply_transform(self.steps, x)
        q = self.q
        if self.int8:
            tinyml.dsp.quantize(x, q, self.in_scale, self.in_zp)
            self._in[:] = q
        else:
            self._in[:] = x
        self.model.invoke()
        o = self._out
        k = self.score_kind
        if k == "output" or k == "one_minus":
            v = o[self.score_index]
            if self.out_int8:
                v = (v - self.out_zp) * self.out_scale
            return 1.0 - v if k == "one_minus" else v
        acc = 0.0
        n = len(x)
        w = self.weights
        for i in range(n):
            v = o[i]
            if self.out_int8:
                v = (v - self.out_zp) * self.out_scale
            xi = (q[i] - self.in_zp) * self.in_scale if self.int8 else x[i]
            d = v - xi
            d = abs(d) if k == "mae" else d * d
            acc += d * w[i] if w is not None else d
        return acc / n
