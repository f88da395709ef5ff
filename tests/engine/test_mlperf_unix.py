"""tinyml.Model on the UNIX firmware against TFLM: the KWS model on fixed inputs must give the
same int8 outputs bit for bit. The firmware is the session's UNIX build (`unix_fw` fixture, or
$TINYDEV_UNIX_FW)."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

MODELS = Path(os.environ.get("TINYDEV_MLPERF_DIR", "/work/shared/models/mlperf-tiny"))

runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")

# Inputs the firmware can regenerate without numpy: a few patterns over the int8 range.
PATTERNS = {
    "zeros": "0",
    "ramp": "(i * 7) % 256 - 128",
    "alternate": "127 if i % 2 else -128",
    "lcg": "((i * 1103515245 + 12345) >> 8) % 256 - 128",
}

SCRIPT = """
import tinyml, json
m = tinyml.Model({path!r})
results = {{}}
for name, expr in {patterns!r}.items():
    v = m.input(0)
    for i in range(len(v)):
        v[i] = eval(expr, {{'i': i}})
    m.invoke()
    results[name] = list(m.output(0))
print(json.dumps({{'arena': m.arena_size, 'ops': list(m.ops), 'outputs': results}}))
"""


@pytest.fixture
def fw(unix_fw):
    return str(unix_fw)


def run_fw(fw, script, tmp_path):
    path = tmp_path / "run.py"
    path.write_text(script)
    proc = subprocess.run([fw, str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pattern(expr, n):
    return np.array([eval(expr, {"i": i}) for i in range(n)], dtype=np.int8)


def test_kws_matches_tflm(fw, tmp_path):
    model = MODELS / "kws_ref_model.tflite"
    if not model.exists():
        pytest.skip(f"{model} not found")
    got = run_fw(fw, SCRIPT.format(path=str(model), patterns=PATTERNS), tmp_path)
    ref = runtime.Interpreter.from_bytes(model.read_bytes())
    shape = ref.get_input_details(0)["shape"]
    for name, expr in PATTERNS.items():
        x = pattern(expr, int(np.prod(shape))).reshape(shape)
        ref.set_input(x, 0)
        ref.invoke()
        want = ref.get_output(0).reshape(-1).tolist()
        assert got["outputs"][name] == want, f"pattern {name}: firmware {got['outputs'][name]} vs TFLM {want}"
    assert got["ops"][0] == "CONV_2D" and got["ops"][-1] == "SOFTMAX"


def test_errors_are_python_exceptions(fw, tmp_path):
    model = MODELS / "ad01_int8.tflite"
    script = f"""
import tinyml
b = open({str(model)!r}, 'rb').read()
out = []
try:
    tinyml.Model(b, arena=bytearray(64))
except MemoryError as e:
    out.append('MemoryError:' + str(e))
try:
    tinyml.Model(b[:200])
except ValueError as e:
    out.append('ValueError:' + str(e))
m = tinyml.Model(b)
out.append('ok:%d' % m.arena_size)
print(repr(out))
"""
    path = tmp_path / "err.py"
    path.write_text(script)
    proc = subprocess.run([fw, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    text = proc.stdout
    assert "MemoryError:" in text and "bytes needed" in text
    assert "ValueError:" in text
    assert "ok:" in text


def test_unsupported_op_is_not_implemented_error(fw, tmp_path):
    flatbuffers = pytest.importorskip("flatbuffers")
    schema = pytest.importorskip("tensorflow.lite.python.schema_py_generated")
    data = (MODELS / "ad01_int8.tflite").read_bytes()
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    code = m.operatorCodes[m.subgraphs[0].operators[2].opcodeIndex]
    code.builtinCode, code.deprecatedBuiltinCode = schema.BuiltinOperator.CUMSUM, 127
    b = flatbuffers.Builder(1 << 16)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    edited = tmp_path / "edited.tflite"
    edited.write_bytes(bytes(b.Output()))
    script = f"""
import tinyml
try:
    tinyml.Model({str(edited)!r})
except NotImplementedError as e:
    print('NotImplementedError:', e)
"""
    path = tmp_path / "unsup.py"
    path.write_text(script)
    proc = subprocess.run([fw, str(path)], capture_output=True, text=True, timeout=60)
    assert "NotImplementedError:" in proc.stdout and "CUMSUM" in proc.stdout, proc.stdout + proc.stderr


def test_model_api(fw, tmp_path):
    model = MODELS / "kws_ref_model.tflite"
    script = f"""
import tinyml, json
m = tinyml.Model({str(model)!r})
spec = m.inputs[0]
v = m.input(0)
out = {{'shape': list(spec.shape), 'dtype': spec.dtype, 'zp': spec.zero_point, 'len': len(v),
       'out_dtype': m.outputs[0].dtype, 'arena': m.arena_size, 'nops': len(m.ops),
       'supported': list(tinyml.ops())}}
p = m.predict([0.0] * len(v))
out['predict_len'] = len(p)
out['predict_sum'] = sum(p)
prof = m.profile()
out['profile'] = [[name, us] for name, us in prof]
own = bytearray(m.arena_size + 64)
m2 = tinyml.Model(open({str(model)!r}, 'rb').read(), arena=own)
# Like TFLM, the planner reuses input memory during invoke: write the input before each invoke.
for mm in (m, m2):
    w = mm.input(0)
    for i in range(len(w)):
        w[i] = (i * 5) % 256 - 128
    mm.invoke()
out['same'] = list(m2.output(0)) == list(m.output(0))
print(json.dumps(out))
"""
    got = run_fw(fw, script, tmp_path)
    assert got["shape"] == [1, 49, 10, 1] and got["dtype"] == "int8" and got["len"] == 490
    assert got["out_dtype"] == "int8" and got["nops"] == 13
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX", "ADD"} <= set(got["supported"])
    assert got["predict_len"] == 12 and abs(got["predict_sum"] - 1.0) < 0.05
    assert [name for name, _ in got["profile"]][0] == "CONV_2D" and len(got["profile"]) == 13
    assert all(us >= 0 for _, us in got["profile"])
    assert got["same"]
