"""Generated per-op models: our HostEngine must be bit-exact with TFLM on every case.

Each case is one random op instance (shape, strides, padding, dilation, channel multiplier,
fused activation, broadcasting, ...; see op_models.py). Cases are packed 16 to a model (8 for
the CNN-like 'mix' chains), each model converted once and cached, and run on 3 random int8
input sets through TFLM and through our engine built with each kernel set (fast/, portable/,
arm_dsp/ with emulated SIMD).

Default (CI): one model per op, ~136 cases, a couple of minutes. TINYDEV_FULL=1: 8 models per op,
1088 cases. TINYDEV_SEED=<n> draws a different family of cases (default 0).

A failing case names its spec; the model is saved under <cache>/failing/ and the case is rebuilt
alone to tell a kernel bug (reproduces alone) from a planner/interpreter bug (only in company).
"""
from __future__ import annotations

import functools
import json
import os
import zlib

import numpy as np
import pytest

import op_models as om
import ref
from ref import FULL

pytestmark = pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")

BASE_SEED = int(os.environ.get("TINYDEV_SEED", "0"))
N_MODELS = 8 if FULL else 1
N_INPUTS = 3
BRANCHES = {"mix": 8}
DEFAULT_BRANCHES = 16
_isolations_left = [20]
# every case runs on each kernel set of the host library (fast/ = what a PC picks, the portable
# reference kernels, the Cortex-M arm_dsp kernels with emulated SIMD); TINYDEV_KERNELS=auto,... narrows
KERNEL_SETS = tuple(os.environ.get("TINYDEV_KERNELS", ",".join(ref.ALL_KERNEL_SETS)).split(","))


def n_branches(op: str) -> int:
    return BRANCHES.get(op, DEFAULT_BRANCHES)


def _seed(op: str, m: int) -> int:
    return (zlib.crc32(op.encode()) ^ (BASE_SEED * 1000003) ^ (m * 7919)) & 0x7FFFFFFF


@functools.lru_cache(maxsize=None)
def specs_for(op: str, m: int) -> tuple:
    rng = np.random.default_rng(_seed(op, m))
    return tuple(om.gen_specs(op, rng, n_branches(op)))


@functools.lru_cache(maxsize=None)
def model_for(op: str, m: int):
    ref.require_tf()
    return om.build_model(list(specs_for(op, m)), seed=_seed(op, m), op=op)


@functools.lru_cache(maxsize=None)
def result_for(op: str, m: int) -> ref.CompareResult:
    model, meta = model_for(op, m)
    if meta.get("tflm_problem"):
        raise RuntimeError(f"TFLM itself fails on the generated {op}-m{m} model, so it cannot be "
                           f"the reference: {meta['tflm_problem']}")
    ref.require_tflm()
    ref.require_engine()
    return ref.run_both(model, n_inputs=N_INPUTS, seed=_seed(op, m) + 1, kernel_sets=KERNEL_SETS)


CASES = [(op, m, b) for op in om.OPS for m in range(N_MODELS) for b in range(n_branches(op))]


def _isolate(spec: dict) -> str:
    """Rebuild one case alone and rerun it: says whether the mismatch is the op's own."""
    if _isolations_left[0] <= 0:
        return "(not re-run alone: isolation budget used up)"
    _isolations_left[0] -= 1
    try:
        model, _ = om.build_model([spec], seed=1)
        res = ref.run_both(model, n_inputs=N_INPUTS, seed=2, kernel_sets=KERNEL_SETS)
    except Exception as e:  # pragma: no cover - diagnostics only
        return f"(re-run alone failed: {e!r})"
    if res.ok:
        return "alone: bit-exact (so the fault shows only beside other cases: planner/arena?)"
    p = ref.save_failing(model, {"spec": spec}, f"alone-{ref.cache_key(spec)}")
    what = res.engine_error or "; ".join(str(mm) for mm in res.mismatches[:3])
    return f"alone: ALSO FAILS ({what}); single-case model saved at {p}"


@pytest.mark.parametrize("op,m,b", CASES, ids=[f"{op}-m{m}-c{b:02d}" for op, m, b in CASES])
def test_generated_case(op, m, b):
    res = result_for(op, m)
    model, meta = model_for(op, m)
    spec = meta["specs"][b]   # as built (the converter may have forced a tamer variant)
    positions = meta["out_pos"][str(b)]
    mism = [mm for mm in res.mismatches if mm.output in positions]
    if res.engine_error or mism:
        name = f"{op}-m{m}-seed{BASE_SEED}"
        p = ref.save_failing(model, {"specs": list(specs_for(op, m)), "meta": meta}, name)
        lines = [f"case {op}-m{m}-c{b:02d} differs from TFLM",
                 "spec: " + json.dumps(spec),
                 f"model ({len(positions)} of {len(meta['out_pos'])} outputs are this case's: "
                 f"{positions}) saved at {p}"]
        if res.engine_error:
            lines.append("engine error: " + res.engine_error)
        lines += [str(mm) for mm in mism[:6]]
        lines.append(_isolate(spec))
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("op,m", [(op, m) for op in om.OPS for m in range(N_MODELS)],
                         ids=[f"{op}-m{m}" for op in om.OPS for m in range(N_MODELS)])
def test_generated_model_has_expected_ops(op, m):
    """The generator tests what it claims: the converted model holds the op under test and
    nothing outside the engine's core op set (no QUANTIZE/PAD/... sneaking in)."""
    _, meta = model_for(op, m)
    required, allowed = om.EXPECTED_OPS[op]
    ops = set(meta["ops"])
    assert required <= ops, f"{op}: model lacks {required - ops}; has {sorted(ops)}"
    assert ops <= allowed, f"{op}: unexpected ops {sorted(ops - allowed)} in the generated model"
    assert len(meta["out_pos"]) == n_branches(op)


def test_case_count():
    """The full run covers >= 1000 generated cases (the engine issue's 'Done means')."""
    n = len(CASES)
    if FULL:
        assert n >= 1000, n
    else:
        assert n >= 100, n
