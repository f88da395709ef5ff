"""Small Keras models of the architectures TinyML uses, converted to full-int8 TFLite.

One function per architecture; each returns the .tflite bytes (int8 in, int8 out,
TFLITE_BUILTINS_INT8, representative dataset), seeded so the bytes are reproducible.
Conversions are cached on disk keyed by (name, kwargs, TF version): converting takes seconds.

`op_names(model_bytes)` lists the builtin op codes a model uses; `python arch_models.py`
prints the survey (which ops the converter emits for each architecture).
"""
import hashlib
import os

import numpy as np

# Shared with ref.py's cache ($TINYDEV_MODEL_CACHE or ~/.cache/tinydev/engine-models).
CACHE_DIR = os.environ.get("TINYDEV_MODEL_CACHE") or os.path.join(
    os.path.expanduser("~"), ".cache", "tinydev", "engine-models")


def _tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    return tf


def _cached(key, build):
    tf = _tf()
    h = hashlib.sha256(f"{key}|{tf.__version__}".encode()).hexdigest()[:20]
    path = os.path.join(CACHE_DIR, h + ".tflite")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read()
    data = build()
    os.makedirs(CACHE_DIR, exist_ok=True)
    tmp = path + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return data


def convert_keras(model, input_shapes, seed=0, n_rep=32, int8=True, rep_scale=1.0):
    """Full-int8 conversion with a seeded representative dataset (float when int8=False)."""
    tf = _tf()
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(seed)

        # Keyed by input name: a list is matched to the inputs in an order that depends on their
        # names (seen with TF 2.21: inputs "a", "b" were fed as "b", "a"), not on model.inputs.
        names = [t.name for t in model.inputs]

        def rep():
            for _ in range(n_rep):
                yield {n: (rng.standard_normal((1,) + tuple(s)) * rep_scale).astype(np.float32)
                       for n, s in zip(names, input_shapes)}

        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    return bytes(conv.convert())


def convert_function(fn, input_specs, seed=0, n_rep=32, int8=True, rep_scale=1.0, rep_fn=None, float_io=False):
    """Convert a tf.function (input_specs: list of (shape, dtype)) like convert_keras.

    float_io=True keeps float32 model inputs/outputs (the converter adds QUANTIZE/DEQUANTIZE)."""
    tf = _tf()
    sig = [tf.TensorSpec(s, d) for s, d in input_specs]
    fn = tf.autograph.experimental.do_not_convert(fn)
    cf = tf.function(fn, input_signature=sig).get_concrete_function()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([cf])
    if int8:
        rng = np.random.default_rng(seed)

        def rep():
            for _ in range(n_rep):
                if rep_fn is not None:
                    yield rep_fn(rng)
                else:
                    yield [(rng.standard_normal([1 if d is None else d for d in s]) * rep_scale).astype(np.float32)
                           for s, _ in input_specs]

        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if not float_io:
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
    return bytes(conv.convert())


def op_names(model_bytes):
    """Builtin op names used by a model, in order of first use."""
    from tensorflow.lite.python import schema_py_generated as s
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}
    m = s.Model.GetRootAsModel(model_bytes, 0)
    codes = []
    for i in range(m.OperatorCodesLength()):
        oc = m.OperatorCodes(i)
        codes.append(max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode()))
    out = []
    for si in range(m.SubgraphsLength()):
        g = m.Subgraphs(si)
        for oi in range(g.OperatorsLength()):
            n = names.get(codes[g.Operators(oi).OpcodeIndex()], "?")
            if n not in out:
                out.append(n)
    return out


def _keras_arch(name, build, input_shapes, seed, batch=None, **kw):
    """batch=1 fixes the batch dimension, which lets the converter fold the shape arithmetic
    (SHAPE/GATHER/REDUCE_PROD/PACK) that Keras 3 emits for Flatten/Reshape with a dynamic batch."""
    def make():
        import keras
        keras.utils.set_random_seed(seed)
        model = build(keras, lambda shape: keras.Input(shape, batch_size=batch))
        return convert_keras(model, input_shapes, seed=seed, int8=kw.get("int8", True))
    return _cached(f"{name}|{seed}|{batch}|{sorted(kw.items())}", make)


# --- architectures -----------------------------------------------------------------------------

def conv1d(seed=0, batch=None):
    """Conv1D + MaxPooling1D + Flatten + Dense classifier (vibration / audio frames)."""
    def b(k, inp):
        L = k.layers
        i = inp((64, 3))
        x = L.Conv1D(8, 5, activation="relu")(i)
        x = L.MaxPooling1D(2)(x)
        x = L.Conv1D(8, 3, padding="same", activation="relu")(x)
        x = L.Flatten()(x)
        x = L.Dense(4, activation="softmax")(x)
        return k.Model(i, x)
    return _keras_arch("conv1d", b, [(64, 3)], seed, batch=batch)


def tcn_dilated(seed=0, batch=None):
    """Dilated, causal TCN with residual blocks (Conv1D dilation 1/2/4, causal padding)."""
    def b(k, inp):
        L = k.layers
        i = inp((64, 4))
        x = L.Conv1D(8, 1)(i)
        for d in (1, 2, 4):
            y = L.Conv1D(8, 3, dilation_rate=d, padding="causal", activation="relu")(x)
            y = L.Conv1D(8, 3, dilation_rate=d, padding="causal")(y)
            x = L.Activation("relu")(L.Add()([x, y]))
        x = L.Lambda(lambda t: t[:, -1, :])(x)
        x = L.Dense(3)(x)
        return k.Model(i, x)
    return _keras_arch("tcn_dilated", b, [(64, 4)], seed, batch=batch)


def tcn_same_dilated(seed=0, batch=None):
    """Dilated Conv1D with 'same' padding (non-causal TCN)."""
    def b(k, inp):
        L = k.layers
        i = inp((32, 2))
        x = L.Conv1D(6, 3, dilation_rate=2, padding="same", activation="relu")(i)
        x = L.Conv1D(6, 3, dilation_rate=4, padding="valid")(x)
        x = L.GlobalAveragePooling1D()(x)
        x = L.Dense(2)(x)
        return k.Model(i, x)
    return _keras_arch("tcn_same_dilated", b, [(32, 2)], seed, batch=batch)


def global_pools(seed=0, batch=None):
    """GlobalMaxPooling1D/2D and GlobalAveragePooling1D/2D heads, concatenated."""
    def b(k, inp):
        L = k.layers
        i = inp((16, 16, 3))
        x = L.Conv2D(8, 3, activation="relu")(i)
        a = L.GlobalMaxPooling2D()(x)
        c = L.GlobalAveragePooling2D()(x)
        i2 = inp((20, 3))
        y = L.Conv1D(8, 3)(i2)
        d = L.GlobalMaxPooling1D()(y)
        e = L.GlobalAveragePooling1D()(y)
        x = L.Concatenate()([a, c, d, e])
        x = L.Dense(4)(x)
        return k.Model([i, i2], x)
    return _keras_arch("global_pools", b, [(16, 16, 3), (20, 3)], seed, batch=batch)


def separable(seed=0, batch=None):
    """SeparableConv2D / SeparableConv1D / DepthwiseConv2D with BatchNorm and ReLU6."""
    def b(k, inp):
        L = k.layers
        i = inp((16, 16, 3))
        x = L.SeparableConv2D(8, 3, padding="same")(i)
        x = L.BatchNormalization()(x)
        x = L.ReLU(6.0)(x)
        x = L.DepthwiseConv2D(3, strides=2, padding="same")(x)
        x = L.BatchNormalization()(x)
        x = L.ReLU()(x)
        x = L.Reshape((64, 8))(x)
        x = L.SeparableConv1D(8, 3, padding="same", activation="relu")(x)
        x = L.GlobalAveragePooling1D()(x)
        x = L.Dense(3)(x)
        return k.Model(i, x)
    return _keras_arch("separable", b, [(16, 16, 3)], seed, batch=batch)


def dense_autoencoder(seed=0, batch=None):
    """Dense autoencoder (anomaly detection, MLPerf-Tiny AD style, with BatchNorm)."""
    def b(k, inp):
        L = k.layers
        i = inp((40,))
        x = i
        for n in (32, 8, 32):
            x = L.Dense(n)(x)
            x = L.BatchNormalization()(x)
            x = L.Activation("relu")(x)
        x = L.Dense(40)(x)
        return k.Model(i, x)
    return _keras_arch("dense_autoencoder", b, [(40,)], seed, batch=batch)


def conv_autoencoder(seed=0, batch=None):
    """Conv2D encoder, Conv2DTranspose + UpSampling2D decoder, sigmoid output."""
    def b(k, inp):
        L = k.layers
        i = inp((16, 16, 1))
        x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(i)
        x = L.MaxPooling2D(2)(x)
        x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
        x = L.UpSampling2D(2)(x)
        x = L.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
        return k.Model(i, x)
    return _keras_arch("conv_autoencoder", b, [(16, 16, 1)], seed, batch=batch)


def conv_autoencoder_bilinear(seed=0, batch=None):
    """conv_autoencoder with UpSampling2D(interpolation="bilinear"): RESIZE_BILINEAR instead of
    the TILE that nearest upsampling becomes (TFLM has no TILE)."""
    def b(k, inp):
        L = k.layers
        i = inp((16, 16, 1))
        x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(i)
        x = L.MaxPooling2D(2)(x)
        x = L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
        x = L.UpSampling2D(2, interpolation="bilinear")(x)
        x = L.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
        return k.Model(i, x)
    return _keras_arch("conv_autoencoder_bilinear", b, [(16, 16, 1)], seed, batch=batch)


def conv1d_autoencoder(seed=0, batch=None):
    """Conv1D autoencoder with UpSampling1D and Conv1DTranspose."""
    def b(k, inp):
        L = k.layers
        i = inp((32, 2))
        x = L.Conv1D(8, 3, padding="same", activation="relu")(i)
        x = L.MaxPooling1D(2)(x)
        x = L.UpSampling1D(2)(x)
        x = L.Conv1DTranspose(4, 3, strides=2, padding="same")(x)
        x = L.Conv1D(2, 3, padding="same", activation="tanh")(x)
        return k.Model(i, x)
    return _keras_arch("conv1d_autoencoder", b, [(32, 2)], seed, batch=batch)


def residual(seed=0, batch=None):
    """ResNet-style residual blocks with BatchNorm folding and a projection shortcut."""
    def b(k, inp):
        L = k.layers
        i = inp((16, 16, 3))
        x = L.Conv2D(8, 3, padding="same")(i)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        y = L.Conv2D(8, 3, padding="same")(x)
        y = L.BatchNormalization()(y)
        y = L.Activation("relu")(y)
        y = L.Conv2D(8, 3, padding="same")(y)
        y = L.BatchNormalization()(y)
        x = L.Activation("relu")(L.Add()([x, y]))
        y = L.Conv2D(16, 3, strides=2, padding="same")(x)
        s = L.Conv2D(16, 1, strides=2)(x)
        x = L.Activation("relu")(L.Add()([s, y]))
        x = L.AveragePooling2D(2)(x)
        x = L.Flatten()(x)
        x = L.Dense(5, activation="softmax")(x)
        return k.Model(i, x)
    return _keras_arch("residual", b, [(16, 16, 3)], seed, batch=batch)


def activations(seed=0, batch=None):
    """Sigmoid, tanh, LeakyReLU, hard_swish, ReLU6, ELU? (MobileNetV3-ish head)."""
    def b(k, inp):
        L = k.layers
        i = inp((24,))
        x = L.Dense(16)(i)
        a = L.Activation("sigmoid")(x)
        t = L.Activation("tanh")(x)
        l = L.LeakyReLU(0.2)(x)
        h = L.Activation("hard_swish")(x)
        r = L.ReLU(6.0)(x)
        x = L.Concatenate()([a, t, l, h, r])
        x = L.Dense(4)(x)
        return k.Model(i, x)
    return _keras_arch("activations", b, [(24,)], seed, batch=batch)


def squeeze_excite(seed=0, batch=None):
    """Squeeze-and-excitation block (GAP, Dense, sigmoid, Multiply) and a Subtract branch."""
    def b(k, inp):
        L = k.layers
        i = inp((8, 8, 8))
        s = L.GlobalAveragePooling2D(keepdims=True)(i)
        s = L.Dense(4, activation="relu")(s)
        s = L.Dense(8, activation="sigmoid")(s)
        x = L.Multiply()([i, s])
        y = L.Conv2D(8, 1)(i)
        x = L.Subtract()([x, y])
        x = L.GlobalAveragePooling2D()(x)
        return k.Model(i, x)
    return _keras_arch("squeeze_excite", b, [(8, 8, 8)], seed, batch=batch)


def padding_cropping(seed=0, batch=None):
    """ZeroPadding1D/2D, Cropping1D/2D, Permute, Reshape."""
    def b(k, inp):
        L = k.layers
        i = inp((12, 12, 2))
        x = L.ZeroPadding2D(((1, 2), (0, 1)))(i)
        x = L.Conv2D(4, 3)(x)
        x = L.Cropping2D(((1, 0), (0, 1)))(x)
        x = L.Permute((2, 1, 3))(x)
        x = L.Reshape((-1, 4))(x)
        x = L.ZeroPadding1D(2)(x)
        x = L.Cropping1D((1, 3))(x)
        x = L.Conv1D(2, 3)(x)
        x = L.Flatten()(x)
        return k.Model(i, x)
    return _keras_arch("padding_cropping", b, [(12, 12, 2)], seed, batch=batch)


def rnn(seed=0, batch=None):
    """LSTM and GRU (keyword spotting / sequence models)."""
    def b(k, inp):
        L = k.layers
        i = inp((10, 4))
        x = L.LSTM(8, return_sequences=True, unroll=False)(i)
        x = L.GRU(6)(x)
        x = L.Dense(2)(x)
        return k.Model(i, x)
    return _keras_arch("rnn", b, [(10, 4)], seed, batch=batch)


def rnn_unrolled(seed=0, batch=None):
    """LSTM, GRU and SimpleRNN with unroll=True: they lower to UNPACK, FULLY_CONNECTED, SPLIT,
    LOGISTIC, TANH, MUL, ADD, SUB, STRIDED_SLICE (needs batch=1 to convert)."""
    def b(k, inp):
        L = k.layers
        i = inp((8, 4))
        x = L.LSTM(6, return_sequences=True, unroll=True)(i)
        x = L.GRU(5, return_sequences=True, unroll=True)(x)
        x = L.SimpleRNN(4, unroll=True)(x)
        x = L.Dense(2)(x)
        return k.Model(i, x)
    return _keras_arch("rnn_unrolled", b, [(8, 4)], seed, batch=batch)


def dense_3d(seed=0, batch=None):
    """Dense applied on a sequence (rank-3 input) and time-distributed-like heads."""
    def b(k, inp):
        L = k.layers
        i = inp((10, 6))
        x = L.Dense(8, activation="relu")(i)
        x = L.Conv1D(4, 1)(x)
        x = L.Flatten()(x)
        x = L.Dense(2)(x)
        return k.Model(i, x)
    return _keras_arch("dense_3d", b, [(10, 6)], seed, batch=batch)


def sine_float(seed=0, batch=None):
    """TFLM hello-world sine model: float Dense 1->16->16->1 with ReLU (not quantised), trained
    briefly on sin(x), x in [0, 2pi] as in the TFLM example."""
    def make():
        import keras
        keras.utils.set_random_seed(seed)
        L = keras.layers
        i = keras.Input((1,), batch_size=batch)
        x = L.Dense(16, activation="relu")(i)
        x = L.Dense(16, activation="relu")(x)
        x = L.Dense(1)(x)
        model = keras.Model(i, x)
        rng = np.random.default_rng(seed)
        xs = rng.uniform(0, 2 * np.pi, (1000, 1)).astype(np.float32)
        ys = (np.sin(xs) + 0.1 * rng.standard_normal(xs.shape)).astype(np.float32)
        model.compile(optimizer="adam", loss="mse")
        model.fit(xs, ys, epochs=150, batch_size=32, verbose=0)
        return convert_keras(model, [(1,)], seed=seed, int8=False)
    return _cached(f"sine_float_trained|{seed}|{batch}", make)


ARCHITECTURES = {
    f.__name__: f for f in (
        conv1d, tcn_dilated, tcn_same_dilated, global_pools, separable, dense_autoencoder,
        conv_autoencoder, conv_autoencoder_bilinear, conv1d_autoencoder, residual, activations, squeeze_excite,
        padding_cropping, rnn, rnn_unrolled, dense_3d, sine_float)
}


def tflm_runs(model_bytes):
    """None when TFLM (tflite-micro) allocates and invokes the model, else its error text."""
    from tflite_micro.python.tflite_micro import runtime
    try:
        it = runtime.Interpreter.from_bytes(model_bytes)
        it.invoke()
        return None
    except Exception as e:  # TFLM raises RuntimeError with its log
        return str(e).strip().splitlines()[-1][:120] if str(e).strip() else type(e).__name__


if __name__ == "__main__":
    import sys
    names = sys.argv[1:] or list(ARCHITECTURES)
    for n in names:
        for batch in (None, 1):
            try:
                m = ARCHITECTURES[n](batch=batch)
                err = tflm_runs(m)
                print(f"{n} [batch={batch}]: {', '.join(op_names(m))}"
                      f"{'' if err is None else '  (TFLM: ' + err + ')'}", flush=True)
            except Exception as e:  # the survey reports what fails to convert too
                print(f"{n} [batch={batch}]: CONVERSION FAILED: {type(e).__name__}: "
                      f"{str(e).splitlines()[0][:150]}", flush=True)
