"""The C engine on the host (HostEngine) against TFLM on the four MLPerf Tiny models:
100 random int8 inputs each, outputs identical bit for bit; arena no larger than TFLM's."""
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "host"))

from tinydev.engine import EngineError, HostEngine  # noqa: E402

MODELS = Path(os.environ.get("TINYDEV_MLPERF_DIR", "/work/shared/models/mlperf-tiny"))
NAMES = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"]
CASES = 100

runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")


def model_bytes(name):
    path = MODELS / f"{name}.tflite"
    if not path.exists():
        pytest.skip(f"{path} not found (set TINYDEV_MLPERF_DIR)")
    return path.read_bytes()


def tflm_arena_total(interpreter):
    """TFLM's 'Arena allocation total' from print_allocations (printed by C++ to fd 2)."""
    r, w = os.pipe()
    saved = os.dup(2)
    sys.stderr.flush()
    os.dup2(w, 2)
    try:
        interpreter.print_allocations()
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(w)
        os.close(saved)
    with os.fdopen(r) as f:
        text = f.read()
    m = re.search(r"Arena allocation total (\d+) bytes", text)
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("kernels", ["auto", "portable"])
@pytest.mark.parametrize("name", NAMES)
def test_bit_exact_against_tflm(name, kernels):
    data = model_bytes(name)
    eng = HostEngine(data, kernels=kernels)
    ref = runtime.Interpreter.from_bytes(data)
    spec = eng.input_details(0)
    assert spec["dtype"] == np.int8
    rng = np.random.default_rng(1234)
    mismatches = []
    for case in range(CASES):
        x = rng.integers(-128, 128, size=spec["shape"], dtype=np.int8)
        eng.set_input(0, x)
        eng.invoke()
        ref.set_input(x, 0)
        ref.invoke()
        for o in range(eng.num_outputs):
            ours, theirs = eng.get_output(o), ref.get_output(o)
            if ours.dtype != theirs.dtype or not np.array_equal(ours, theirs):
                mismatches.append((case, o))
    assert not mismatches, f"{len(mismatches)} of {CASES} outputs differ from TFLM: {mismatches[:5]}"


@pytest.mark.parametrize("name", NAMES)
def test_arena_not_larger_than_tflm(name):
    data = model_bytes(name)
    eng = HostEngine(data)
    total = tflm_arena_total(runtime.Interpreter.from_bytes(data))
    if total is None:
        pytest.skip("TFLM did not report its arena")
    assert eng.arena_size <= total, f"ours {eng.arena_size} B > TFLM {total} B"


def test_arena_too_small_names_bytes_needed():
    data = model_bytes("kws_ref_model")
    needed = HostEngine(data).arena_size
    with pytest.raises(EngineError) as info:
        HostEngine(data, arena_size=needed - 16)
    assert info.value.bytes_needed == needed
    assert str(needed) in str(info.value)


def test_exact_arena_is_enough():
    data = model_bytes("kws_ref_model")
    eng = HostEngine(data, arena_size=HostEngine(data).arena_size)
    eng.set_input(0, np.zeros(eng.input_details(0)["shape"], np.int8))
    eng.invoke()


def test_wrong_input_rejected():
    eng = HostEngine(model_bytes("kws_ref_model"))
    with pytest.raises(ValueError):
        eng.set_input(0, np.zeros(3, np.int8))
    with pytest.raises(ValueError):
        eng.set_input(0, np.zeros(eng.input_details(0)["shape"], np.float32))


def test_truncated_model_is_an_error():
    data = model_bytes("kws_ref_model")
    for cut in (0, 7, 64, len(data) // 2):
        with pytest.raises(EngineError):
            HostEngine(data[:cut])
