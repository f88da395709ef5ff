"""Differential tests of the "extra" ops (everything but the core's CONV/DW/FC/POOL/RESHAPE/
SOFTMAX/ADD) and of the architectures in arch_models.py: our HostEngine vs TFLM, bit for bit.

Each op test builds one model per (op, seed) holding several independent branches (one random
case each: shapes, axes, alphas...), converted full-int8 (or float) with a seeded representative
dataset and cached on disk, then runs seeded random inputs through both engines.

Fast subset: 2 seeds x a few branches per op. TINYDEV_FULL=1 (or -m slow) runs more seeds.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import arch_models as am
import ref

GEN = "extra-4"  # bump when a spec below changes


def _tf():
    return ref.require_tf()


# ---------------------------------------------------------------------------------------------
# random cases: each returns (input shapes, fn(list of tensors) -> tensor or tuple of tensors)
# ---------------------------------------------------------------------------------------------
def _shape(rng, rmin=1, rmax=4, dmax=6):
    rank = int(rng.integers(rmin, rmax + 1))
    return [1] + [int(rng.integers(1, dmax + 1)) for _ in range(rank - 1)] if rank > 1 else [int(rng.integers(2, 9))]


def _unary(make):
    def spec(rng):
        s = _shape(rng)
        return [s], make(rng)
    return spec


def _act_leaky(rng):
    alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, 0.5]))
    tf = _tf()
    return lambda t: tf.nn.leaky_relu(t[0], alpha)


def _bcast_pair(rng):
    a = _shape(rng, 2, 5, 5)
    b = [d if rng.random() < 0.6 else 1 for d in a]
    b = b[int(rng.integers(0, len(b))):] or [a[-1]]  # right-aligned, maybe lower rank
    return (a, b) if rng.random() < 0.5 else (b, a)


def _binary(op):
    def spec(rng):
        tf = _tf()
        a, b = _bcast_pair(rng)
        f = {"sub": tf.subtract, "mul": tf.multiply}[op]
        if rng.random() < 0.3:  # constant second operand (the converter keeps it as an int8 tensor)
            c = rng.uniform(-2, 2, size=b).astype(np.float32)
            return [a], lambda t: f(t[0], tf.constant(c))
        return [a, b], lambda t: f(t[0], t[1])
    return spec


def _reduce(op):
    def spec(rng):
        tf = _tf()
        s = _shape(rng, 2, 4, 7)
        n = len(s)
        if n == 4 and rng.random() < 0.5:
            axes = [1, 2]  # global pooling
        else:
            k = int(rng.integers(1, n))
            axes = sorted(rng.choice(np.arange(1, n), size=k, replace=False).tolist())
            axes = [a - n if rng.random() < 0.3 else a for a in axes]
        keep = bool(rng.random() < 0.5)
        f = tf.reduce_mean if op == "mean" else tf.reduce_max
        return [s], lambda t: f(t[0], axis=axes, keepdims=keep)
    return spec


def _concat(rng):
    tf = _tf()
    s = _shape(rng, 2, 4, 5)
    axis = int(rng.integers(1, len(s)))
    n = int(rng.integers(2, 4))
    shapes = []
    for _ in range(n):
        t = list(s)
        t[axis] = int(rng.integers(1, 5))
        shapes.append(t)
    ax = axis - len(s) if rng.random() < 0.3 else axis
    return shapes, lambda t: tf.concat(list(t), axis=ax)


def _pack(rng):
    tf = _tf()
    s = _shape(rng, 1, 3, 5)
    n = int(rng.integers(2, 4))
    axis = int(rng.integers(0, len(s) + 1))
    return [s] * n, lambda t: tf.stack(list(t), axis=axis)


def _pad(v2):
    def spec(rng):
        tf = _tf()
        s = _shape(rng, 2, 4, 5)
        pads = [[0, 0]] + [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in s[1:]]
        if all(p == [0, 0] for p in pads):
            pads[-1] = [1, 0]
        if v2:
            cv = float(rng.uniform(-1, 1))
            return [s], lambda t: tf.pad(t[0], pads, constant_values=cv)
        return [s], lambda t: tf.pad(t[0], pads)
    return spec


def _transpose(rng):
    tf = _tf()
    s = _shape(rng, 2, 5, 4)
    perm = [0] + (1 + rng.permutation(len(s) - 1)).tolist()
    if perm == sorted(perm):
        perm = [0] + perm[1:][::-1]
    return [s], lambda t: tf.transpose(t[0], perm)


def _strided_slice(rng):
    s = _shape(rng, 2, 4, 8)
    idx = [slice(None)]
    for d in s[1:]:
        r = rng.random()
        if r < 0.15:
            idx.append(int(rng.integers(-d, d)))  # shrink axis
        elif r < 0.3:
            idx.append(slice(None))
        else:
            step = int(rng.choice([1, 1, 2, 3, -1, -2]))
            b = None if rng.random() < 0.3 else int(rng.integers(-d, d))
            e = None if rng.random() < 0.3 else int(rng.integers(-d - 1, d + 1))
            idx.append(slice(b, e, step))
    key = tuple(idx)

    def f(t):
        y = t[0][key]
        return y

    # the slice must not be empty (the converter folds empty slices away)
    if np.zeros(s)[key].size == 0:
        return _strided_slice(rng)
    return [s], f


def _space_to_batch_spec(padded):
    """SPACE_TO_BATCH_ND cases. TFLM pads with an uninitialised value (its op data never sets
    output_offset), so padded cases are checked against the TFLite interpreter instead, whose
    zero-point padding our engine follows; TFLM sees only unpadded ones."""
    def spec(rng):
        tf = _tf()
        if rng.random() < 0.3:  # 3-D (Conv1D with dilation)
            b = int(rng.integers(2, 4))
            h = b * int(rng.integers(1, 4))
            p0 = int(rng.integers(0, 3)) if padded else 0
            p1 = ((-(h + p0)) % b + b * int(rng.integers(0, 2))) if padded else 0
            return [[1, h, int(rng.integers(1, 5))]], lambda t: tf.space_to_batch_nd(t[0], [b], [[p0, p1]])
        bh, bw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        h, w = bh * int(rng.integers(1, 4)), bw * int(rng.integers(1, 4))
        pt, pl = (int(rng.integers(0, 3)), int(rng.integers(0, 3))) if padded else (0, 0)
        pb, pr = (-(h + pt)) % bh, (-(w + pl)) % bw
        if padded and pt + pb + pl + pr == 0:
            pt, pb = bh, 0
        return ([[1, h, w, int(rng.integers(1, 5))]],
                lambda t: tf.space_to_batch_nd(t[0], [bh, bw], [[pt, pb], [pl, pr]]))
    return spec


def _batch_to_space(rng):
    tf = _tf()
    bh, bw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    ct = int(rng.integers(0, min(2, h * bh - 1) + 1))
    cl = int(rng.integers(0, min(2, w * bw - 1) + 1))
    cb = int(rng.integers(0, min(2, h * bh - ct - 1) + 1))
    cr = int(rng.integers(0, min(2, w * bw - cl - 1) + 1))
    return ([[bh * bw, h, w, int(rng.integers(1, 5))]],
            lambda t: tf.batch_to_space(t[0], [bh, bw], [[ct, cb], [cl, cr]]))


def _expand_dims(rng):
    tf = _tf()
    s = [None] + _shape(rng, 2, 3, 5)[1:]
    axis = int(rng.integers(1, len(s) + 1))
    return [s], lambda t: tf.expand_dims(t[0], axis)


def _squeeze(rng):
    """The converter keeps SQUEEZE only when other dimensions are dynamic (else it is RESHAPE)."""
    tf = _tf()
    c = int(rng.integers(1, 6))
    if rng.random() < 0.5:
        return [[None, None, 1, c]], lambda t: tf.squeeze(tf.nn.relu(t[0]), [2])
    return [[None, 1, None]], lambda t: tf.squeeze(tf.nn.relu(t[0]), [1])


def _resize(method):
    def spec(rng):
        tf = _tf()
        h, w, c = int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        oh, ow = int(rng.integers(1, 11)), int(rng.integers(1, 11))
        mode = int(rng.integers(0, 3))  # v2 (half-pixel centres), v1 align_corners, v1 plain
        v1 = tf.compat.v1.image
        if method == "nearest":
            fs = [lambda t: tf.image.resize(t[0], (oh, ow), method="nearest"),
                  lambda t: v1.resize_nearest_neighbor(t[0], (oh, ow), align_corners=True),
                  lambda t: v1.resize_nearest_neighbor(t[0], (oh, ow))]
        else:
            fs = [lambda t: tf.image.resize(t[0], (oh, ow), method="bilinear"),
                  lambda t: v1.resize_bilinear(t[0], (oh, ow), align_corners=True),
                  lambda t: v1.resize_bilinear(t[0], (oh, ow))]
        return [[1, h, w, c]], fs[mode]
    return spec


def _split(kind):
    def spec(rng):
        tf = _tf()
        s = _shape(rng, 2, 4, 4)
        axis = int(rng.integers(1, len(s)))
        if kind == "unpack":
            return [s], lambda t: tuple(tf.unstack(t[0], axis=axis))
        n = int(rng.integers(2, 4))
        if kind == "split":
            s[axis] = n * int(rng.integers(1, 3))
            return [s], lambda t: tuple(tf.split(t[0], n, axis=axis))
        sizes = [int(rng.integers(1, 4)) for _ in range(n)]
        s[axis] = sum(sizes)
        return [s], lambda t: tuple(tf.split(t[0], sizes, axis=axis))
    return spec


def _shape_op(rng):
    tf = _tf()
    s = [None] + _shape(rng, 2, 4, 5)[1:]
    return [s], lambda t: (tf.nn.relu(t[0]), tf.shape(t[0]))


def _tile(rng):
    tf = _tf()
    s = _shape(rng, 2, 4, 4)
    m = [1] + [int(rng.integers(1, 4)) for _ in s[1:]]
    return [s], lambda t: tf.tile(t[0], m)


def _quantize(rng):
    """int8 -> int8 QUANTIZE: LOGISTIC and TANH have fixed output quantisations, so concatenating
    them (with the input) makes the converter requantise."""
    tf = _tf()
    s = _shape(rng, 2, 3, 6)
    return [s], lambda t: tf.concat([tf.sigmoid(t[0]), tf.tanh(t[0]), t[0]], axis=-1)


def _float_io(rng):
    """float32 in/out: QUANTIZE float->int8 at the input, DEQUANTIZE at the output."""
    tf = _tf()
    s = _shape(rng, 2, 3, 6)
    f = rng.choice(["sigmoid", "relu", "tanh"])
    return [s], lambda t: getattr(tf.nn, f)(t[0])


SPECS = {
    "LOGISTIC": _unary(lambda rng: (lambda t: _tf().sigmoid(t[0]))),
    "TANH": _unary(lambda rng: (lambda t: _tf().tanh(t[0]))),
    "RELU": _unary(lambda rng: (lambda t: _tf().nn.relu(t[0]))),
    "RELU6": _unary(lambda rng: (lambda t: _tf().nn.relu6(t[0]))),
    "LEAKY_RELU": _unary(_act_leaky),
    "HARD_SWISH": _unary(lambda rng: (lambda t: t[0] * _tf().nn.relu6(t[0] + 3.0) / 6.0)),
    "SUB": _binary("sub"),
    "MUL": _binary("mul"),
    "MEAN": _reduce("mean"),
    "REDUCE_MAX": _reduce("max"),
    "CONCATENATION": _concat,
    "PACK": _pack,
    "PAD": _pad(False),
    "PADV2": _pad(True),
    "TRANSPOSE": _transpose,
    "STRIDED_SLICE": _strided_slice,
    "SPACE_TO_BATCH_ND": _space_to_batch_spec(False),
    "BATCH_TO_SPACE_ND": _batch_to_space,
    "EXPAND_DIMS": _expand_dims,
    "SHAPE": _shape_op,
    "SQUEEZE": _squeeze,
    "SPLIT": _split("split"),
    "SPLIT_V": _split("split_v"),
    "UNPACK": _split("unpack"),
    "RESIZE_NEAREST_NEIGHBOR": _resize("nearest"),
    "RESIZE_BILINEAR": _resize("bilinear"),
    "QUANTIZE": _quantize,
}
# ops whose float32 path is checked too (float model: no quantisation at all)
FLOAT_OPS = ["LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "SUB", "MUL", "MEAN",
             "REDUCE_MAX", "CONCATENATION", "PACK", "PAD", "PADV2", "TRANSPOSE", "STRIDED_SLICE",
             "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR",
             "SPLIT", "SPLIT_V", "UNPACK"]
BRANCHES = 4


def build_op_model(op: str, seed: int, branches: int = BRANCHES, int8: bool = True, float_io: bool = False,
                   spec=None):
    """One model with `branches` independent random cases of `op`; cached by parameters."""
    spec = spec or SPECS[op]
    params = {"gen": GEN, "op": op, "seed": seed, "branches": branches, "int8": int8, "float_io": float_io}

    def build():
        tf = _tf()
        rng = np.random.default_rng(seed)
        cases = [spec(rng) for _ in range(branches)]
        shapes, fns, slices = [], [], []
        for s, fn in cases:
            slices.append((len(shapes), len(shapes) + len(s)))
            shapes += s
            fns.append(fn)
        scale = float(rng.choice([0.5, 1.0, 2.0, 4.0]))
        offset = float(rng.uniform(-1, 1))

        def f(*xs):
            outs = []
            for (a, b), fn in zip(slices, fns):
                y = fn(list(xs[a:b]))
                outs += list(y) if isinstance(y, tuple) else [y]
            return tuple(outs)

        def rep(r):
            return [(r.standard_normal([1 if d is None else d for d in s]) * scale + offset).astype(np.float32)
                    for s in shapes]

        with ref._quiet_fds():
            m = am.convert_function(f, [(s, tf.float32) for s in shapes], seed=seed, int8=int8, rep_fn=rep,
                                    float_io=float_io)
        return m, {"ops": am.op_names(m)}

    return ref.cached(params, build)


def _seeds(n_fast, n_full):
    return list(range(n_full if ref.FULL else n_fast))


def _check(model, meta, op, seed):
    assert op in meta["ops"], f"the converter did not emit {op} (got {meta['ops']})"
    ref.compare(model, n_inputs=3, seed=seed, label=f"{op} seed {seed} ({meta['ops']})")


@pytest.mark.parametrize("seed", _seeds(2, 12))
@pytest.mark.parametrize("op", sorted(SPECS))
def test_op_int8(op, seed):
    ref.require_tflm()
    model, meta = build_op_model(op, seed)
    _check(model, meta, op, seed)


@pytest.mark.parametrize("seed", _seeds(1, 6))
@pytest.mark.parametrize("op", FLOAT_OPS)
def test_op_float(op, seed):
    ref.require_tflm()
    model, meta = build_op_model(op, 100 + seed, int8=False)
    _check(model, meta, op, seed)


@pytest.mark.parametrize("seed", _seeds(2, 8))
def test_quantize_dequantize_float_io(seed):
    ref.require_tflm()
    model, meta = build_op_model("FLOAT_IO", 200 + seed, float_io=True, spec=_float_io)
    assert "QUANTIZE" in meta["ops"] and "DEQUANTIZE" in meta["ops"], meta["ops"]
    ref.compare(model, n_inputs=3, seed=seed, label=f"float I/O {meta['ops']}")


# ---- exhaustive int8 activations: all 256 input values, many quantisations ---------------------
@pytest.mark.parametrize("seed", _seeds(3, 24))
def test_activations_exhaustive(seed):
    """Every int8 input value through LOGISTIC/TANH/LEAKY_RELU/HARD_SWISH/RELU/RELU6."""
    ref.require_tflm()
    tf = _tf()
    rng = np.random.default_rng(1000 + seed)
    scale = float(rng.choice([0.1, 0.3, 1, 3, 8, 20]))
    offset = float(rng.uniform(-3, 3))
    alpha = float(rng.choice([0.01, 0.2, 0.3, 1.5]))
    params = {"gen": GEN, "exhaustive": seed}

    def build():
        fns = [tf.sigmoid, tf.tanh, lambda t: tf.nn.leaky_relu(t, alpha), lambda t: t * tf.nn.relu6(t + 3) / 6,
               tf.nn.relu, tf.nn.relu6]
        shapes = [(1, 256)] * len(fns)

        def f(*xs):
            return tuple(fn(x) for fn, x in zip(fns, xs))

        def rep(r):
            return [(r.standard_normal(s) * scale + offset).astype(np.float32) for s in shapes]

        with ref._quiet_fds():
            m = am.convert_function(f, [(s, tf.float32) for s in shapes], seed=seed, rep_fn=rep)
        return m, {"ops": am.op_names(m)}

    model, meta = ref.cached(params, build)
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    ref.compare(model, inputs=[[x] * 6], label=f"exhaustive activations {meta['ops']}")


# ---- vs the TFLite interpreter: TILE (not in TFLM) and padded SPACE_TO_BATCH_ND -----------------
def _tflite_compare(model, seed):
    tf = _tf()
    HostEngine, _ = ref.require_engine()
    with ref._quiet_fds():
        it = tf.lite.Interpreter(model_content=model)
        it.allocate_tensors()
    eng = HostEngine(model)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        for k, d in enumerate(it.get_input_details()):  # model input order, as HostEngine's
            if d["dtype"] == np.int8:
                x = rng.integers(-128, 128, size=d["shape"], dtype=np.int8)
            else:
                x = rng.standard_normal(d["shape"]).astype(d["dtype"])
            it.set_tensor(d["index"], x)
            eng.set_input(k, x)
        it.invoke()
        eng.invoke()
        for k, d in enumerate(it.get_output_details()):
            np.testing.assert_array_equal(eng.get_output(k), it.get_tensor(d["index"]))


@pytest.mark.parametrize("seed", _seeds(2, 6))
def test_tile_vs_tflite(seed):
    model, meta = build_op_model("TILE", seed, spec=_tile)
    assert "TILE" in meta["ops"]
    _tflite_compare(model, seed)


@pytest.mark.parametrize("int8", [True, False])
@pytest.mark.parametrize("seed", _seeds(1, 6))
def test_space_to_batch_padded_vs_tflite(seed, int8):
    model, meta = build_op_model("SPACE_TO_BATCH_ND_PADDED", 300 + seed, int8=int8, spec=_space_to_batch_spec(True))
    assert "SPACE_TO_BATCH_ND" in meta["ops"]
    _tflite_compare(model, seed)


# ---- TRANSPOSE_CONV via Keras Conv2DTranspose / Conv1DTranspose ---------------------------------
def _tconv_model(seed: int, float_model: bool = False):
    params = {"gen": GEN, "tconv": seed, "float": float_model}

    def build():
        ref.require_tf()
        import keras
        keras.utils.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        L = keras.layers
        inputs, outputs = [], []
        for _ in range(3):
            h, w, c = int(rng.integers(2, 7)), int(rng.integers(2, 7)), int(rng.integers(1, 5))
            i = keras.Input((h, w, c), batch_size=1)
            y = L.Conv2DTranspose(int(rng.integers(1, 6)), (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
                                  strides=(int(rng.integers(1, 4)), int(rng.integers(1, 3))),
                                  padding=str(rng.choice(["same", "valid"])), use_bias=bool(rng.random() < 0.7),
                                  bias_initializer="random_normal")(i)
            inputs.append(i)
            outputs.append(y)
        model = keras.Model(inputs, outputs)
        if float_model:
            with ref._quiet_fds():
                m = am.convert_keras(model, [tuple(t.shape[1:]) for t in inputs], seed=seed, int8=False)
        else:  # ref.convert feeds the representative data by input name (model input order differs)
            m = ref.convert(model, seed=seed)
        return m, {"ops": am.op_names(m)}

    return ref.cached(params, build)


@pytest.mark.parametrize("seed", _seeds(2, 10))
def test_transpose_conv_int8(seed):
    ref.require_tflm()
    model, meta = _tconv_model(seed)
    _check(model, meta, "TRANSPOSE_CONV", seed)


@pytest.mark.parametrize("seed", _seeds(1, 4))
def test_transpose_conv_float(seed):
    ref.require_tflm()
    model, meta = _tconv_model(50 + seed, float_model=True)
    _check(model, meta, "TRANSPOSE_CONV", seed)


# ---- float sine model (TFLM hello world): float FULLY_CONNECTED + fused RELU ------------------
def test_sine_float_exact():
    """Our Keras re-creation of TFLM's hello-world model: float outputs identical to TFLM's."""
    ref.require_tflm()
    with ref._quiet_fds():
        model = am.sine_float(batch=1)
    assert am.op_names(model) == ["FULLY_CONNECTED"]
    x = np.linspace(0, 2 * np.pi, 64, dtype=np.float32)
    res = ref.compare(model, inputs=[[np.array([[v]], np.float32)] for v in x], label="sine float")
    ys = np.array([o[0].ravel()[0] for o in res.ours])
    assert np.mean(np.abs(ys - np.sin(x))) < 0.2  # it did learn the sine


def test_sine_float_tflm_bundled():
    """The sine_float.tflite that ships with tflite-micro's Python package, if present."""
    runtime = ref.require_tflm()
    p = os.path.join(os.path.dirname(runtime.__file__), "sine_float.tflite")
    if not os.path.exists(p):
        pytest.skip("tflite-micro has no bundled sine_float.tflite")
    with open(p, "rb") as f:
        model = f.read()
    x = np.linspace(0, 2 * np.pi, 64, dtype=np.float32)
    ref.compare(model, inputs=[[np.array([[v]], np.float32)] for v in x], label="TFLM sine_float.tflite")


# ---- architectures: whole converted models --------------------------------------------------
FAST_ARCHS = ["conv1d", "tcn_dilated", "activations", "squeeze_excite", "conv_autoencoder_bilinear", "rnn_unrolled"]


def _arch_cases():
    out = []
    for name in am.ARCHITECTURES:
        if name in ("rnn", "sine_float"):
            continue
        for batch in (1, None):
            marks = [] if (name in FAST_ARCHS and batch == 1) else [pytest.mark.slow]
            out.append(pytest.param(name, batch, marks=marks, id=f"{name}-batch{batch}"))
    return out


@pytest.mark.parametrize("name,batch", _arch_cases())
def test_architecture(name, batch):
    ref.require_tflm()
    with ref._quiet_fds():
        model = am.ARCHITECTURES[name](batch=batch)
    err = am.tflm_runs(model)
    if err is not None:
        pytest.skip(f"TFLM itself cannot run {name} (batch={batch}): {err}; ops {am.op_names(model)}")
    if batch is None and "SPACE_TO_BATCH_ND" in am.op_names(model):
        pytest.skip("dynamic-batch dilated conv: TFLM's result depends on unsized tensors; convert with batch 1")
    ref.compare(model, n_inputs=3, seed=7, label=f"{name} batch={batch}")


# ---- the same models through the MicroPython binding of the UNIX firmware ---------------------
FW_ARCHS = ["squeeze_excite", "activations", "tcn_dilated", "global_pools", "padding_cropping", "separable",
            "conv_autoencoder_bilinear", "residual", "conv1d", "rnn_unrolled"]


@pytest.mark.unix
@pytest.mark.slow
def test_architectures_on_unix_firmware(unix_fw, tmp_path):
    """tinyml.Model in the UNIX firmware gives TFLM's bytes on the architecture models."""
    import subprocess

    ref.require_tflm()
    lines = ["import tinyml"]
    expected = []
    for name in FW_ARCHS:
        with ref._quiet_fds():
            model = am.ARCHITECTURES[name](batch=1)
        (tmp_path / f"{name}.tflite").write_bytes(model)
        t = ref.Tflm(model)
        xs = ref.random_inputs(t.input_details, np.random.default_rng(3))
        expected.append(" ".join(o.tobytes().hex() for o in t.run(xs)))
        for i, x in enumerate(xs):
            (tmp_path / f"{name}.in{i}").write_bytes(x.tobytes())
        lines += [
            f"m = tinyml.Model(open('{tmp_path}/{name}.tflite', 'rb').read())",
            *[f"m.input({i})[:] = open('{tmp_path}/{name}.in{i}', 'rb').read()" for i in range(len(xs))],
            "m.invoke()",
            f"print(' '.join(bytes(m.output(k)).hex() for k in range({len(t.output_details)})))",
        ]
    script = tmp_path / "run.py"
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run([str(unix_fw), str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = out.stdout.strip().splitlines()
    for name, e, g in zip(FW_ARCHS, expected, got):
        assert g == e, f"{name}: firmware output differs from TFLM"
    assert len(got) == len(FW_ARCHS)
