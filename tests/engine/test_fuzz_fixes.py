"""The loader refuses the corrupt models the fuzzer found (docs/fuzzing.md, findings 2, 3 and 6),
with an EngineError naming the tensor, instead of undefined behaviour or a near-endless invoke.

Each case is an edit of one of the tiny seed models (fuzz/corpus/). The same edited models are
kept in fuzz/regressions/ (so libFuzzer starts from them and test_fuzz.py::test_fuzz_regressions
replays them through the ASan/UBSan harness); rewrite them with

    python tests/engine/test_fuzz_fixes.py --write
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "host"))

from tinydev.engine import EngineError, HostEngine  # noqa: E402

SEEDS = REPO / "cmodules" / "tinyml" / "engine" / "fuzz" / "corpus"
REGRESSIONS = REPO / "cmodules" / "tinyml" / "engine" / "fuzz" / "regressions"
BAD_MODEL = 4


def _schema():
    flatbuffers = pytest.importorskip("flatbuffers")
    schema = pytest.importorskip("tensorflow.lite.python.schema_py_generated")
    return flatbuffers, schema


def edit(seed: str, fn) -> bytes:
    flatbuffers, schema = _schema()
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel((SEEDS / f"{seed}.tflite").read_bytes(), 0))
    fn(m.subgraphs[0], schema)
    b = flatbuffers.Builder(1 << 14)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _scale(tensor: int, value: float):
    def fn(sg, schema):
        sg.tensors[tensor].quantization.scale = [value]
    return fn


def _channel_scale(tensor: int, channel: int, value: float):
    def fn(sg, schema):
        q = sg.tensors[tensor].quantization
        scales = np.array(q.scale, dtype=np.float32)
        scales[channel] = value
        q.scale = scales
    return fn


def _no_quant(tensor: int):
    def fn(sg, schema):
        sg.tensors[tensor].quantization = None
    return fn


def _opt(**kw):
    def fn(sg, schema):
        for k, v in kw.items():
            setattr(sg.operators[0].builtinOptions, k, v)
    return fn


def _filter_shape(shape):
    def fn(sg, schema):
        t = sg.tensors[2]
        t.shape = np.array(shape, dtype=np.int32)
        t.buffer = 0  # no data: an (empty) activation tensor
        t.quantization.scale = [t.quantization.scale[0]]
        t.quantization.zeroPoint = [0]
        t.quantization.quantizedDimension = 0
    return fn


# name -> (seed model, edit, tensor the error must name (None: it must load), words of the message)
CASES = {
    # finding 2: scale 0 / NaN / inf / negative reached tml_quantize_one (0/0 -> NaN -> int: UB)
    "zero_scale_maxpool.tflite": ("maxpool", _scale(1, 0.0), 1, "scale"),
    "nan_scale_out_maxpool.tflite": ("maxpool", _scale(1, math.nan), 1, "scale"),
    "inf_scale_in_maxpool.tflite": ("maxpool", _scale(0, math.inf), 0, "scale"),
    "neg_scale_maxpool.tflite": ("maxpool", _scale(1, -0.5), 1, "scale"),
    "noquant_maxpool.tflite": ("maxpool", _no_quant(1), 1, "quantisation"),
    "nan_filter_scale_dwconv.tflite": ("dwconv_mult2", _channel_scale(2, 1, math.nan), 2, "scale"),
    "zero_filter_scale_dwconv.tflite": ("dwconv_mult2", _scale(2, 0.0), 2, "scale"),  # per-tensor
    # one per-channel weight scale of 0 (an all-zero channel, as TFLite's older quantiser writes
    # it): TFLM runs such a model, so do we (the channel's requantisation multiplier is 0)
    "zero_channel_scale_dwconv.tflite": ("dwconv_mult2", _channel_scale(2, 1, 0.0), None, ""),
    # a tiny positive (subnormal) scale is legal for the loader: round(6 / scale) saturates
    # (zero_point + INT32_MAX overflowed before the fix)
    "tiny_scale_maxpool_relu.tflite": ("maxpool", _scale(1, 1e-45), None, ""),
    # finding 3: (filter - 1) * dilation and in + stride - effective overflowed int32
    "huge_dilation_dwconv.tflite": ("dwconv_mult2", _opt(dilationHFactor=0x40000000), 2, "dilation"),
    "huge_dilation_w_dwconv.tflite": ("dwconv_mult2", _opt(dilationWFactor=0x7FFFFFFF), 2, "dilation"),
    "huge_stride_conv.tflite": ("conv_valid_s2", _opt(strideH=0x7FFFFFFF), 3, "output size"),
    "huge_pool_filter.tflite": ("maxpool", _opt(filterHeight=0x7FFFFFFF, strideH=0x7FFFFFFF), 1, "pool"),
    # finding 6: an empty filter 1x50332416x0x4 made the depthwise kernel loop 5e9 times
    "empty_huge_filter_dwconv.tflite": ("dwconv_mult2", _filter_shape([1, 50332416, 0, 4]), 2, "empty tensor"),
    "empty_filter_dwconv.tflite": ("dwconv_mult2", _filter_shape([1, 3, 0, 4]), 2, "no elements"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corrupt_model_is_refused(name):
    seed, fn, tensor, words = CASES[name]
    data = edit(seed, fn)
    if tensor is None:
        eng = HostEngine(data)
        eng.set_input(0, np.full(eng.input_details(0)["shape"], 3, dtype=np.int8))
        eng.invoke()
        return
    with pytest.raises(EngineError) as info:
        HostEngine(data).invoke()
    e = info.value
    assert e.code == BAD_MODEL, str(e)
    assert e.tensor_index == tensor, str(e)
    assert words in str(e), str(e)
    assert f"tensor {tensor}" in str(e)


def test_zero_channel_scale_matches_tflm():
    """The one accepted zero scale (a constant per-channel weight) runs bit-exact with TFLM."""
    sys.path.insert(0, str(HERE))
    from ref import compare, require_tflm

    require_tflm()
    compare(edit(*CASES["zero_channel_scale_dwconv.tflite"][:2]), n_inputs=5, seed=3,
            label="dwconv with a zero channel scale", kernel_sets=("auto", "portable"))


def test_regression_files_are_current():
    """fuzz/regressions/ holds every case above (rerun this file with --write after a change)."""
    missing = [n for n in CASES if not (REGRESSIONS / n).exists()]
    assert not missing, f"run python tests/engine/test_fuzz_fixes.py --write: {missing}"


def test_legal_model_scales_unchanged():
    """The seed models (converter output) still load and run: their scales are all > 0."""
    for p in sorted(SEEDS.glob("*.tflite")):
        eng = HostEngine(p.read_bytes())
        eng.invoke()


if __name__ == "__main__":
    if "--write" in sys.argv:
        for name, (seed, fn, _, _) in sorted(CASES.items()):
            (REGRESSIONS / name).write_bytes(edit(seed, fn))
            print("wrote", REGRESSIONS / name)
