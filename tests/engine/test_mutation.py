"""The differential harness catches a wrong kernel (mutation testing).

Each mutant is a copy of cmodules/tinyml/engine with one deliberate, plausible bug made by a text
substitution at test time (no #ifdef in the kernels): a rounding nudge off by a factor of two,
the input zero point added with the wrong sign, ... The copy is built as the host library
(hostlib honours TINYDEV_ENGINE_SRC) in a subprocess, run on the committed seed models against
TFLM, and the harness must report a mismatch. The unmutated engine must pass the same check
(the control), so the mismatch is the mutation's doing.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ref

HERE = Path(__file__).resolve().parent
ENGINE = ref.REPO / "cmodules" / "tinyml" / "engine"
SEEDS = ENGINE / "fuzz" / "corpus"
MODELS = ["conv_same_relu.tflite", "dwconv_mult2.tflite", "fc.tflite", "mix.tflite"]

# name: (file, regex, replacement, kernel set the bug lives in)
MUTANTS = {
    # requantisation that truncates instead of rounding (the reference kernels' RoundingDivideByPOT)
    "qmath-truncating-shift": ("kernels/tml_qmath.h", r"\(remainder > threshold \? 1 : 0\)", "0", "portable"),
    # the same in the fast set's fused requantisation (drops the 2^(r+30) rounding term)
    "fast-truncating-requant": ("kernels/fast/tml_fast.h", r" \+ \(\(int64_t\)1 << \(r \+ 30\)\)", "",
                                "auto"),
    # input zero point applied with the wrong sign in the reference convolution
    "conv-input-offset-sign": ("kernels/portable/conv.c", r"\(\(int32_t\)ip\[ic\] \+ p->input_offset\)",
                               "((int32_t)ip[ic] - p->input_offset)", "portable"),
}
# Note: halving the nudge of the high multiply (tml_srdhm's 1 << 30) is NOT caught on these
# models: it moves the Q31 product by one LSB, which the following rounding shift almost always
# absorbs. The bit-exact MLPerf and generated-case tests are what pin that detail down.

WORKER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import ref
out = {}
for name in sys.argv[4].split(","):
    data = open(sys.argv[2] + "/" + name, "rb").read()
    res = ref.run_both(data, n_inputs=3, seed=0, kernel_sets=(sys.argv[3],))
    out[name] = dict(ok=res.ok, error=res.engine_error, mismatches=[str(m) for m in res.mismatches[:3]],
                     n=len(res.mismatches))
print("RESULT " + json.dumps(out))
"""


def _check(engine_src: Path | None, kernels: str) -> dict:
    env = dict(os.environ)
    if engine_src is not None:
        env["TINYDEV_ENGINE_SRC"] = str(engine_src)
    r = subprocess.run([sys.executable, "-c", WORKER, str(HERE), str(SEEDS), kernels, ",".join(MODELS)],
                       capture_output=True, text=True, env=env, timeout=1800)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    assert r.returncode == 0 and line, f"worker failed (exit {r.returncode}):\n{r.stderr[-3000:]}"
    return json.loads(line[0][len("RESULT "):])


@pytest.fixture(scope="module", autouse=True)
def _prereqs():
    ref.require_tflm()
    ref.require_engine()


@pytest.mark.parametrize("kernels", sorted({m[3] for m in MUTANTS.values()}))
def test_control_unmutated_engine_passes(kernels):
    res = _check(None, kernels)
    bad = {k: v for k, v in res.items() if not v["ok"]}
    assert not bad, f"the unmutated engine must be bit-exact on the seed models: {bad}"


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_is_caught(name, tmp_path):
    rel, pattern, repl, kernels = MUTANTS[name]
    src = tmp_path / "engine"
    shutil.copytree(ENGINE, src, ignore=shutil.ignore_patterns("fuzz", "tools", "*.o"))
    f = src / rel
    text = f.read_text()
    new, n = re.subn(pattern, repl, text)
    assert n >= 1, (f"mutation site of {name!r} not found in {rel} (the kernel was refactored): "
                    f"update MUTANTS in {Path(__file__).name}")
    f.write_text(new)
    res = _check(src, kernels)
    caught = {k: v for k, v in res.items() if not v["ok"]}
    print(f"\n{name}: caught on {len(caught)}/{len(res)} seed models; e.g. "
          + json.dumps(next(iter(caught.values()), {}))[:300])
    assert caught, f"mutant {name!r} ({rel}: {pattern} -> {repl}) was NOT detected: {res}"
