"""The arm_dsp kernels' logic on the host: compiled with plain-C models of SMLAD/SXTB16/SXTAB16
(kernels/arm_dsp/tml_arm_emulate.h) and run on the MLPerf Tiny models, outputs identical bit for
bit to TFLM's. The real instructions are checked on VIRT_M4 (tests/device/test_kernels_virt_m4.py)."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "host"))

from tinydev.engine import HostEngine  # noqa: E402

MODELS = Path(os.environ.get("TINYDEV_MLPERF_DIR", "/work/shared/models/mlperf-tiny"))
NAMES = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"]
CASES = 20

runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")


@pytest.mark.parametrize("name", NAMES)
def test_arm_dsp_emulated_bit_exact(name):
    path = MODELS / f"{name}.tflite"
    if not path.exists():
        pytest.skip(f"{path} not found (set TINYDEV_MLPERF_DIR)")
    data = path.read_bytes()
    eng = HostEngine(data, kernels="arm_dsp_emulated")
    ref = runtime.Interpreter.from_bytes(data)
    rng = np.random.default_rng(7)
    bad = []
    for case in range(CASES):
        x = rng.integers(-128, 128, size=eng.input_details(0)["shape"], dtype=np.int8)
        eng.set_input(0, x)
        eng.invoke()
        ref.set_input(x, 0)
        ref.invoke()
        if not np.array_equal(eng.get_output(0), ref.get_output(0)):
            bad.append(case)
    assert not bad, f"{len(bad)} of {CASES} outputs differ from TFLM: {bad[:5]}"
