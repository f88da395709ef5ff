"""Full-int8 TFLite conversion (int8 input and output) with a representative dataset."""
from __future__ import annotations

import numpy as np

from .tf_setup import tensorflow


def to_int8_tflite(keras_model, representative: np.ndarray, seed: int = 0, per_channel: bool = True) -> bytes:
    """Convert; every op int8 (TFLITE_BUILTINS_INT8), so the graph runs on our engine. With
    per_channel=False the convolutions get one weight scale per tensor too (no per-output-channel
    scales and int64 zero points: ~12 bytes of flash less per output channel)."""
    tf = tensorflow(seed)
    conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rep = np.asarray(representative, np.float32)

    def gen():
        for row in rep:
            yield [row[None, :]]

    conv.representative_dataset = gen
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    # Per-tensor dense weights: per-channel scales and int64 zero points would cost ~12 bytes per
    # output unit, a third of this model's flash.
    conv._experimental_disable_per_channel_quantization_for_dense_layers = True
    if not per_channel:
        conv._experimental_disable_per_channel = True
    return strip(bytes(conv.convert()))


def strip(tflite: bytes) -> bytes:
    """Drop tensor names, signatures and metadata: the engine and TFLM need none of them."""
    from tensorflow.lite.tools import flatbuffer_utils as fu

    m = fu.convert_bytearray_to_object(bytearray(tflite))
    fu.strip_strings(m)
    for md in m.metadata or []:
        m.buffers[md.buffer].data = None
    m.metadata, m.signatureDefs = None, None
    return bytes(fu.convert_object_to_bytearray(m))
