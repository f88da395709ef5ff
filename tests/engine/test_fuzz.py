"""The model loader never crashes: seeded mutants through the sanitized HostEngine, and libFuzzer.

- test_mutated_models_never_crash: thousands of seeded truncations / bit flips / word overwrites
  of the MLPerf Tiny models and the tiny per-op seed models go through HostEngine built with
  ASan+UBSan (hostlib's sanitize flavour, -fno-sanitize-recover) in a subprocess; each must load
  (and invoke) or raise EngineError with a message. 3000 by default, 20000 with TINYDEV_FULL=1.
- test_libfuzzer_session (slow): builds fuzz/fuzz_model.c with clang -fsanitize=fuzzer,address,
  undefined and fuzzes with -seed=1 for TINYDEV_FUZZ_RUNS inputs (40000 by default, capped at
  TINYDEV_FUZZ_SECONDS = 120 s), or for TINYDEV_FUZZ_SECONDS when that is set; no crash, leak,
  UB, OOM or timeout.
- test_fuzz_regressions: every input in fuzz/regressions/ replays through the harness.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fuzz_run
from ref import FULL, REPO, mlperf_models

HERE = Path(__file__).resolve().parent
N_MUTANTS = int(os.environ.get("TINYDEV_MUTANTS", 20000 if FULL else 3000))
FUZZ_SECONDS = int(os.environ.get("TINYDEV_FUZZ_SECONDS", 1200 if FULL else 120))
# Inputs of the CI session (800 exec/s on average under ASan on a shared core: under a minute); with
# TINYDEV_FUZZ_SECONDS set explicitly the run is bounded by time only (a long session).
FUZZ_RUNS = int(os.environ.get("TINYDEV_FUZZ_RUNS", 0 if ("TINYDEV_FUZZ_SECONDS" in os.environ or FULL) else 40000))


def _asan_runtime() -> str | None:
    """The ASan runtime matching the compiler hostlib uses (the library needs it preloaded)."""
    sys.path.insert(0, str(REPO / "host"))
    try:
        from tinydev.engine import hostlib

        cc = hostlib._compiler()
    except Exception:
        cc = shutil.which("cc") or "gcc"
    name = "libclang_rt.asan-x86_64.so" if "clang" in Path(cc).name else "libasan.so"
    r = subprocess.run([cc, f"-print-file-name={name}"], capture_output=True, text=True)
    p = r.stdout.strip()
    return p if p and os.path.isabs(p) and os.path.exists(p) else None


def test_seed_corpus_present():
    seeds = sorted(fuzz_run.SEED_DIR.glob("*.tflite"))
    assert len(seeds) >= 8, f"fuzz seed models missing in {fuzz_run.SEED_DIR}"
    assert len(mlperf_models()) == 4, "the 4 MLPerf Tiny models are expected in shared/models/mlperf-tiny"


def test_mutated_models_never_crash(tmp_path):
    rt = _asan_runtime()
    if rt is None:
        pytest.skip("PREREQUISITE MISSING: no ASan runtime (libasan) for the host compiler")
    out = tmp_path / "mutants.json"
    prog = tmp_path / "mutants.progress"
    env = dict(os.environ, LD_PRELOAD=rt,
               ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    r = subprocess.run([sys.executable, str(HERE / "mutants_worker.py"), "--n", str(N_MUTANTS),
                        "--seed", "0", "--out", str(out), "--progress", str(prog)],
                       capture_output=True, text=True, env=env, timeout=3000)
    if r.returncode != 0 or not out.exists():
        last = prog.read_text().strip().splitlines()[-1:] if prog.exists() else ["?"]
        pytest.fail(f"the sanitized engine crashed (exit {r.returncode}) on mutant {last[0]!r} "
                    f"(index seed mutation; rerun mutants_worker.py with the same --seed to reproduce)\n"
                    f"--- stderr tail ---\n{r.stderr[-6000:]}", pytrace=False)
    s = json.loads(out.read_text())
    c = s["counts"]
    print(f"\nmutants: {s['n']} in {s['seconds']} s: {c}")
    assert s["n_failures"] == 0, json.dumps(s["failures"][:10], indent=1)
    # the mutants must exercise both paths, or the test proves nothing
    assert c.get("rejected", 0) > N_MUTANTS // 10, c
    assert c.get("loaded", 0) > N_MUTANTS // 10, c
    assert c.get("invoked", 0) > 0, c


@pytest.mark.slow
def test_libfuzzer_session(tmp_path):
    """A bounded, reproducible libFuzzer run: fixed -seed, fresh seeded corpus, at most FUZZ_RUNS
    inputs (so two runs on any machine explore the same inputs), FUZZ_SECONDS only as a cap for
    a very slow machine. Any crash, leak, UB report, OOM or per-input timeout fails the test:
    the bugs it used to find (scale 0 / NaN, tml_out_size overflow, the slow depthwise model)
    are fixed, and their inputs are replayed by test_fuzz_regressions."""
    why = fuzz_run.can_build_fuzzer()
    if why:
        pytest.skip("PREREQUISITE MISSING: " + why)
    exe = fuzz_run.build()
    stats = fuzz_run.run(FUZZ_SECONDS, tmp_path / "fuzz", seed=1, exe=exe, runs=FUZZ_RUNS)
    print("\nlibFuzzer:", json.dumps({k: stats.get(k) for k in
                                      ("execs", "exec_per_s", "cov", "ft", "corpus_units", "artifacts")}))
    if not stats["ok"]:
        log = Path(stats["log"]).read_text(errors="replace")
        pytest.fail(f"libFuzzer found a problem: artifacts {stats['artifacts']}, exit {stats['returncode']}\n"
                    f"replay: python tests/engine/fuzz_run.py --replay <artifact>\n--- log tail ---\n{log[-6000:]}",
                    pytrace=False)
    assert stats.get("execs", 0) > 100, stats
    assert stats.get("cov", 0) > 300, stats


REGRESSIONS = fuzz_run.ENGINE / "fuzz" / "regressions"
# Per-input limit of the replay: the slowest regression (slow_dwconv.tflite, 81 s under ASan
# before the fix) is refused at load now; every input finishes in milliseconds.
REPLAY_TIMEOUT = 20


@pytest.mark.parametrize("name", sorted(p.name for p in REGRESSIONS.glob("*")) or ["(none)"])
def test_fuzz_regressions(name):
    """Every input the fuzzer ever crashed on (or timed out on) replays cleanly and quickly
    through the sanitized harness. No xfails: a regression of a fixed bug fails here."""
    if name == "(none)":
        return
    why = fuzz_run.can_build_fuzzer()
    if why:
        pytest.skip("PREREQUISITE MISSING: " + why)
    exe = fuzz_run.build()
    r = subprocess.run([str(exe), f"-timeout={REPLAY_TIMEOUT}", str(REGRESSIONS / name)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, f"{name} still crashes (or times out in) the harness:\n{r.stderr[-3000:]}"
    assert "runtime error" not in r.stderr, r.stderr[-3000:]
