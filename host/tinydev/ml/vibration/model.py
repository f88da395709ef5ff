"""The anomaly model: a small dense autoencoder over the standardised features. Its score is the
mean squared reconstruction error; normal operation reconstructs well, faults do not."""
from __future__ import annotations

import numpy as np

from ..progress import bar
from ..tf_setup import tensorflow


def build(n_features: int, hidden, lo, hi, seed: int = 0):
    """Dense autoencoder whose output is bounded per feature to [lo, hi] (the normal range plus a
    margin): mid + half * tanh(.). A fault that pushes a feature past anything normal then cannot
    be reconstructed, however well it lies along a normal direction (e.g. a larger 1x)."""
    tf = tensorflow(seed)
    keras = tf.keras
    inp = keras.Input((n_features,), name="features")
    h = inp
    for i, width in enumerate(hidden):
        last = i == len(hidden) - 1  # linear bottleneck: no dead units in the code layer
        h = keras.layers.Dense(width, activation=None if last else "relu", name=f"enc{i}")(h)
    for i, width in enumerate(reversed(hidden[:-1])):
        h = keras.layers.Dense(width, activation="relu", name=f"dec{i}")(h)
    h = keras.layers.Dense(n_features, activation="tanh", name="reconstruction")(h)
    mid, half = (np.asarray(hi) + np.asarray(lo)) / 2, (np.asarray(hi) - np.asarray(lo)) / 2
    out = keras.layers.Rescaling(half.astype(np.float32), mid.astype(np.float32), name="bounds")(h)
    return keras.Model(inp, out, name="vibration_autoencoder")


def train(x_train, x_val, cfg):
    """Fit on normal features only; returns the Keras model and the loss history."""
    tf = tensorflow(cfg.seed)
    keras = tf.keras
    lo, hi = x_train.min(0) - cfg.bound_margin, x_train.max(0) + cfg.bound_margin
    model = build(x_train.shape[1], cfg.hidden, lo, hi, cfg.seed)
    model.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="mse")
    lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=8, min_lr=1e-4, verbose=0)
    with bar("training", cfg.epochs) as update:
        class Progress(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                update(epoch + 1, f"loss {logs['loss']:.4f} val {logs['val_loss']:.4f}")

        hist = model.fit(x_train, x_train, validation_data=(x_val, x_val), epochs=cfg.epochs,
                         batch_size=cfg.batch, shuffle=True, verbose=0, callbacks=[Progress(), lr])
    return model, {k: [float(v) for v in vals] for k, vals in hist.history.items()}


def float_scores(model, x, weights):
    """Score of the float model on float inputs."""
    y = model.predict(np.asarray(x, np.float32), batch_size=1024, verbose=0)
    return weighted_scores(x, y, weights)


def error_weights(model, x_normal):
    """Per-feature weights 1 / var(residual) on normal data: a feature the model reconstructs
    precisely (rms, band energies) counts more than a noisy one (kurtosis)."""
    y = model.predict(np.asarray(x_normal, np.float32), batch_size=1024, verbose=0)
    return (1.0 / np.maximum(np.var(y - x_normal, axis=0), 1e-4)).astype(np.float32)


def weighted_scores(x, y, weights):
    """score = mean_i(w_i * (y_i - x_i)^2), in float32 like the device."""
    d = np.asarray(y, np.float32) - np.asarray(x, np.float32)
    return np.mean(np.asarray(weights, np.float32) * d * d, axis=1, dtype=np.float32)


def dequantize(q, spec):
    return (q.astype(np.float32) - np.float32(spec["zero_point"])) * np.float32(spec["scale"])


def int8_scores(q_in, q_out, inp, out, weights):
    """The device's score: weighted squared difference of the dequantised input and output."""
    return weighted_scores(dequantize(q_in, inp), dequantize(q_out, out), weights)


def threshold(normal_scores, quantile, margin):
    return float(np.quantile(normal_scores, quantile) * margin)
