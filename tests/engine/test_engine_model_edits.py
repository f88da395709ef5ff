"""The engine on edited copies of an MLPerf model: unsupported ops and types are named, broken
headers are refused with a byte offset, and constant data stored after the flatbuffer
(Buffer.offset/size, as large-model writers do) gives the same outputs as inline data."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "host"))

from tinydev.engine import EngineError, HostEngine  # noqa: E402

MODELS = Path(os.environ.get("TINYDEV_MLPERF_DIR", "/work/shared/models/mlperf-tiny"))
flatbuffers = pytest.importorskip("flatbuffers")
schema = pytest.importorskip("tensorflow.lite.python.schema_py_generated")

UNSUPPORTED, MALFORMED_OR_BAD = 2, (1, 4)


@pytest.fixture(scope="module")
def kws():
    path = MODELS / "kws_ref_model.tflite"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path.read_bytes()


def unpack(data):
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))


def pack(model):
    b = flatbuffers.Builder(1 << 16)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run(eng, x):
    eng.set_input(0, x)
    eng.invoke()
    return eng.get_output(0)


def test_repacked_model_still_runs(kws):
    eng = HostEngine(pack(unpack(kws)))
    assert eng.ops[0] == "CONV_2D"


def test_unsupported_op_is_named(kws):
    m = unpack(kws)
    m.operatorCodes[m.subgraphs[0].operators[3].opcodeIndex].builtinCode = schema.BuiltinOperator.CUMSUM
    m.operatorCodes[m.subgraphs[0].operators[3].opcodeIndex].deprecatedBuiltinCode = 127
    with pytest.raises(EngineError) as info:
        HostEngine(pack(m))
    assert info.value.code == UNSUPPORTED
    assert "CUMSUM" in str(info.value)
    assert info.value.op_index >= 0


def test_unsupported_tensor_type_is_named(kws):
    m = unpack(kws)
    out = m.subgraphs[0].operators[0].outputs[0]
    m.subgraphs[0].tensors[out].type = schema.TensorType.STRING
    with pytest.raises(EngineError) as info:
        HostEngine(pack(m))
    assert info.value.tensor_index == out
    assert f"tensor {out}" in str(info.value)


def test_wrong_schema_version(kws):
    m = unpack(kws)
    m.version = 2
    with pytest.raises(EngineError) as info:
        HostEngine(pack(m))
    assert info.value.code in MALFORMED_OR_BAD and "version" in str(info.value)
    assert info.value.offset > 0


def test_wrong_file_identifier(kws):
    data = bytearray(kws)
    data[4:8] = b"XXXX"
    with pytest.raises(EngineError) as info:
        HostEngine(bytes(data))
    assert "TFL3" in str(info.value) and info.value.offset == 4


def test_buffers_after_the_flatbuffer(kws):
    m = unpack(kws)
    blobs = {}
    for i, buf in enumerate(m.buffers):
        if buf.data is not None and len(buf.data):
            blobs[i] = bytes(np.asarray(buf.data, dtype=np.uint8))
            buf.data, buf.offset, buf.size = None, 1, len(blobs[i])
    head_len = len(pack(m))
    pos, tail = (head_len + 15) & ~15, b""
    for i, blob in blobs.items():
        m.buffers[i].offset = pos + len(tail)
        tail += blob + b"\0" * (-len(blob) % 16)
    head = pack(m)
    assert len(head) == head_len
    edited = head + b"\0" * (pos - head_len) + tail
    ours, theirs = HostEngine(edited), HostEngine(kws)
    rng = np.random.default_rng(5)
    for _ in range(10):
        x = rng.integers(-128, 128, size=theirs.input_details(0)["shape"], dtype=np.int8)
        assert np.array_equal(run(ours, x), run(theirs, x))


def test_buffer_offset_past_the_end_is_refused(kws):
    m = unpack(kws)
    i = next(i for i, b in enumerate(m.buffers) if b.data is not None and len(b.data))
    m.buffers[i].data, m.buffers[i].offset, m.buffers[i].size = None, 1 << 40, 64
    with pytest.raises(EngineError) as info:
        HostEngine(pack(m))
    assert info.value.code in MALFORMED_OR_BAD
