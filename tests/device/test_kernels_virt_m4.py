"""The arm_dsp kernels on VIRT_M4 (Cortex-M4 with DSP): the four MLPerf Tiny models, fixed int8
inputs, outputs identical bit for bit to TFLM's; the portable set in the same way, and the arm_dsp
set must take fewer instructions. Uses the bench firmwares (tinydev.bench: 2 MB heap so that VWW
and AD01 load; TINYML_KERNELS=auto|portable) on private virtual boards."""
import numpy as np
import pytest

from tinydev import bench

pytestmark = pytest.mark.slow

pytest.importorskip("tflite_micro")

N_INPUTS = 3


@pytest.fixture(scope="module")
def cases():
    try:
        models = bench.load_models()
    except Exception as e:  # the models are not part of the repository
        pytest.skip(str(e))
    inputs = {n: bench.make_inputs(m, N_INPUTS, seed=99) for n, m in models.items()}
    refs = {n: bench.tflm_outputs(m, inputs[n]) for n, m in models.items()}
    return models, inputs, refs


@pytest.fixture(scope="module")
def results(cases):
    models, inputs, _ = cases
    return {k: bench.run_virt_m4(bench.build_bench_firmware(k, jobs=2), models, inputs) for k in bench.KERNEL_SETS}


@pytest.mark.parametrize("kernels", bench.KERNEL_SETS)
@pytest.mark.parametrize("name", bench.MODEL_NAMES)
def test_bit_exact_against_tflm(results, cases, kernels, name):
    _, _, refs = cases
    r = results[kernels][name]
    assert r.error is None, r.error
    assert len(r.outputs) == N_INPUTS
    for case, (ours, ref) in enumerate(zip(r.outputs, refs[name])):
        theirs = ref[0].astype(np.int8).tobytes()
        assert ours[0] == theirs, (f"{name} input {case}: {np.frombuffer(ours[0], np.int8)[:16]} "
                                   f"!= TFLM {np.frombuffer(theirs, np.int8)[:16]}")


@pytest.mark.parametrize("name", bench.MODEL_NAMES)
def test_arm_dsp_takes_fewer_instructions(results, name):
    fast, portable = results["auto"][name].median_insn, results["portable"][name].median_insn
    assert fast and portable and fast < portable, (fast, portable)
