"""The keyword model: a small temporal CNN over [frames, 13] normalised MFCCs; three classes
(background, unknown speech, wake phrase), softmax output. Every layer converts to an op our
engine runs (MEAN and SUB for the window's cepstral mean normalisation, CONV_2D with batch norm and ReLU fused,
MEAN, FULLY_CONNECTED, SOFTMAX);
`tinydev model check` confirms it."""
from __future__ import annotations

import numpy as np

from ..progress import bar
from ..tf_setup import tensorflow


def build(frames: int, n_mfcc: int, n_classes: int, channels: int, blocks: int, seed: int,
          input_noise: float, dropout: float):
    """Temporal CNN: the 13 MFCCs are the channels of a convolution over time (TC-ResNet's layout,
    Choi et al. 2019, without the residual adds), written as Conv2D on a [frames, 1, 13] image so
    it converts to plain CONV_2D ops. A 5-tap conv with stride 2, then `blocks` 3-tap convs, the
    first two with stride 2 (receptive field 49 frames, about 1 s, for 4 blocks); batch norm folded,
    ReLU fused; mean over time; dense; softmax."""
    tf = tensorflow(seed)
    L = tf.keras.layers
    inp = tf.keras.Input((frames, 1, n_mfcc), name="mfcc")
    reg = tf.keras.regularizers.l2(2e-4)
    # Cepstral mean normalisation over the window, inside the graph (MEAN over time, then a
    # broadcasting SUB): each coefficient minus its mean over the window's frames, so the level
    # (c0) and a fixed channel colouring (room, microphone, voice timbre) drop out. The device
    # feeds the same per-frame normalised MFCCs as before; the model does the rest.
    x = L.Subtract(name="cmn")([inp, L.GlobalAveragePooling2D(keepdims=True, name="window_mean")(inp)])
    # Training-only regularisers (identity at inference, so not in the .tflite): noise on the
    # normalised MFCCs and whole-coefficient dropout, against memorising the training voices.
    x = L.GaussianNoise(input_noise)(x)
    x = L.SpatialDropout2D(0.1)(x)
    x = L.Conv2D(channels, (5, 1), strides=(2, 1), padding="same", use_bias=False, kernel_regularizer=reg)(x)
    x = L.ReLU()(L.BatchNormalization(momentum=0.9)(x))
    for b in range(blocks):
        x = L.Conv2D(channels, (3, 1), strides=(2, 1) if b < 2 else (1, 1), padding="same", use_bias=False,
                     kernel_regularizer=reg)(x)
        x = L.ReLU()(L.BatchNormalization(momentum=0.9)(x))
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dropout(dropout)(x)
    out = L.Dense(n_classes, activation="softmax", name="posteriors")(x)
    return tf.keras.Model(inp, out, name="kws_tcn")


def time_mask(x: np.ndarray, rng, p: float = 0.5, max_width: int = 10) -> np.ndarray:
    """SpecAugment-style time masking (Park et al. 2019) on normalised MFCC windows (n, frames, C):
    for a fraction p of the windows, a random run of 1..max_width frames is replaced by the window's
    mean (zero after the model's cepstral mean normalisation). A copy; seeded by rng."""
    x = x.copy()
    n, t = x.shape[:2]
    for i in np.nonzero(rng.random(n) < p)[0]:
        w = int(rng.integers(1, max_width + 1))
        s = int(rng.integers(0, t - w + 1))
        x[i, s:s + w] = x[i].mean(0)
    return x


def train(x_train, y_train, x_val, y_val, cfg, n_classes=3):
    tf = tensorflow(cfg.seed)
    keras = tf.keras
    model = build(x_train.shape[1], x_train.shape[2], n_classes, cfg.channels, cfg.blocks, cfg.seed,
                  cfg.input_noise, cfg.dropout)
    steps = cfg.epochs * int(np.ceil(len(x_train) / cfg.batch))
    sched = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(sched), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng([cfg.seed, 5])
    history = {}
    with bar("training", cfg.epochs) as update:
        for epoch in range(cfg.epochs):  # a fresh time-masked copy of the training set per epoch
            xa = time_mask(x_train, rng)[:, :, None, :]
            h = model.fit(xa, y_train, validation_data=(x_val[:, :, None, :], y_val), initial_epoch=epoch,
                          epochs=epoch + 1, batch_size=cfg.batch, shuffle=True, verbose=0)
            for k, vals in h.history.items():
                history.setdefault(k, []).extend(float(v) for v in vals)
            update(epoch + 1, f"loss {history['loss'][-1]:.3f} acc {history['accuracy'][-1]:.3f} "
                              f"val {history['val_accuracy'][-1]:.3f}")
    return model, history
