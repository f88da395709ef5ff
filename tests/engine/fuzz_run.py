"""Build and run the libFuzzer harness of the model loader (cmodules/tinyml/engine/fuzz/fuzz_model.c).

    python tests/engine/fuzz_run.py --seconds 120                 # build (cached) + fuzz 2 minutes
    python tests/engine/fuzz_run.py --seconds 1200 --workdir /tmp/fz --json /tmp/fz/stats.json
    python tests/engine/fuzz_run.py --replay crash-1234            # rerun one input (debugging)

The harness is built with clang -fsanitize=fuzzer,address,undefined (-fno-sanitize-recover, so
UB aborts) from every engine C file, cached by a hash of the sources. The corpus is seeded with
the committed tiny per-op models (fuzz/corpus/), the inputs that once crashed or hung the engine
(fuzz/regressions/), the MLPerf Tiny models and seeded mutants of them (truncations and bit flips). The run is niced (nice -n 19) and single-process.

Exit status 0 when the run ended without a crash, leak, UB report, timeout or OOM; 1 otherwise
(artifacts stay in <workdir>/artifacts/). ``--json`` writes the figures: execs, exec/s, coverage
(edges), features, corpus size, artifacts.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ENGINE = REPO / "cmodules" / "tinyml" / "engine"
HARNESS = ENGINE / "fuzz" / "fuzz_model.c"
SEED_DIR = ENGINE / "fuzz" / "corpus"
REGRESSION_DIR = ENGINE / "fuzz" / "regressions"
ENGINE_DIRS = ("", "ops", "kernels/*")

CFLAGS = ["-std=c99", "-g", "-O1", "-fno-omit-frame-pointer", "-fsanitize=fuzzer,address,undefined",
          "-fno-sanitize-recover=undefined", "-DFUZZ_MAX_ARENA=16384"]


def mlperf_dir() -> Path:
    sys.path.insert(0, str(HERE))
    from ref import MLPERF_DIR

    return MLPERF_DIR


def engine_sources(root: Path = ENGINE) -> list[Path]:
    out: list[Path] = []
    for sub in ENGINE_DIRS:
        out += sorted(root.glob(f"{sub}/*.c") if sub else root.glob("*.c"))
    return out


def clang() -> str | None:
    for name in ("clang", "clang-14", "clang-15", "clang-16"):
        p = shutil.which(name)
        if p:
            return p
    return None


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tinydev" / "fuzz"


def can_build_fuzzer() -> str | None:
    """None if clang can link a -fsanitize=fuzzer binary here, else the reason it cannot."""
    cc = clang()
    if not cc:
        return "clang not installed (apt-get install clang libclang-rt-14-dev)"
    d = cache_root()
    d.mkdir(parents=True, exist_ok=True)
    src = d / "probe.c"
    src.write_text("#include <stdint.h>\n#include <stddef.h>\n"
                   "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
    r = subprocess.run([cc, "-fsanitize=fuzzer,address,undefined", str(src), "-o", str(d / "probe")],
                       capture_output=True, text=True)
    if r.returncode:
        return ("clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev): "
                + r.stderr.strip()[-300:])
    return None


def build(force: bool = False, extra_flags: tuple[str, ...] = (), quiet: bool = True) -> Path:
    """Compile the harness (cached by the hash of compiler, flags, harness and engine sources)."""
    cc = clang()
    if not cc:
        raise RuntimeError("clang not found")
    sources = engine_sources()
    flags = CFLAGS + list(extra_flags) + [f"-I{ENGINE}"]
    h = hashlib.sha256(" ".join([cc] + flags).encode())
    for p in [HARNESS] + sources + sorted(ENGINE.rglob("*.h")):
        h.update(str(p.relative_to(ENGINE)).encode())
        h.update(p.read_bytes())
    out_dir = cache_root() / h.hexdigest()[:16]
    exe = out_dir / "fuzz_model"
    if exe.exists() and not force:
        return exe
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f"fuzz_model.{os.getpid()}.tmp"
    cmd = ["nice", "-n", "10", cc, *flags, str(HARNESS), *map(str, sources), "-lm", "-o", str(tmp)]
    if not quiet:
        print("building:", " ".join(cmd[:8]), "...", file=sys.stderr)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("building the fuzz harness failed:\n" + r.stderr[-4000:])
    os.replace(tmp, exe)
    return exe


def mutants(data: bytes, rng: random.Random, n_trunc: int, n_flip: int) -> list[tuple[str, bytes]]:
    """Truncations (at random points, plus the first bytes) and single/multi bit flips."""
    out = []
    cuts = sorted({rng.randrange(1, len(data)) for _ in range(n_trunc)} | {4, 8, 16})
    for c in cuts[:n_trunc + 3]:
        out.append((f"trunc{c}", data[:c]))
    for i in range(n_flip):
        b = bytearray(data)
        # flips concentrated in the first KB (tables, vtables, offsets) half of the time
        for _ in range(rng.choice((1, 1, 2, 4))):
            pos = rng.randrange(min(len(b), 1024)) if rng.random() < 0.5 else rng.randrange(len(b))
            b[pos] ^= 1 << rng.randrange(8)
        out.append((f"flip{i}", bytes(b)))
    return out


def make_corpus(workdir: Path, seed: int = 0, n_trunc: int = 4, n_flip: int = 8) -> Path:
    """<workdir>/corpus: the tiny seed models, the MLPerf models and their mutants (kept if the
    directory already exists: a resumed session reuses what the fuzzer found)."""
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    seeds = sorted(SEED_DIR.glob("*.tflite")) + sorted(mlperf_dir().glob("*.tflite"))
    # inputs that once crashed or hung the engine: the fuzzer starts from them too
    regressions = sorted(REGRESSION_DIR.glob("*"))
    for p in seeds + regressions:
        data = p.read_bytes()
        (corpus / (p.name if p.parent != REGRESSION_DIR else "regression." + p.name)).write_bytes(data)
        if p.parent not in (SEED_DIR, REGRESSION_DIR):
            for tag, m in mutants(data, rng, n_trunc, n_flip):
                (corpus / f"{p.stem}.{tag}").write_bytes(m)
    return corpus


STAT_RE = re.compile(r"#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)(?: lim: \d+)? exec/s: (\d+)")
DONE_RE = re.compile(r"Done (\d+) runs in (\d+) second")


def parse_log(text: str) -> dict:
    stats: dict = {}
    for m in STAT_RE.finditer(text):
        stats.update(execs=int(m.group(1)), cov=int(m.group(3)), ft=int(m.group(4)),
                     corpus_units=int(m.group(5)), corpus_size=m.group(6), exec_per_s=int(m.group(7)))
    m = DONE_RE.search(text)
    if m:
        stats["execs"] = int(m.group(1))
        stats["seconds"] = int(m.group(2))
    for key in ("stat::number_of_executed_units", "stat::average_exec_per_sec", "stat::peak_rss_mb",
                "stat::new_units_added"):
        mm = re.search(re.escape(key) + r":\s*(\d+)", text)
        if mm:
            stats[key.split("::")[1]] = int(mm.group(1))
    stats["sanitizer_reports"] = len(re.findall(r"ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:", text))
    return stats


def run(seconds: int, workdir: Path, seed: int = 0, timeout: int = 25, rss_mb: int = 2048,
        extra: tuple[str, ...] = (), exe: Path | None = None, log_to: Path | None = None,
        runs: int = 0) -> dict:
    """Fuzz for ``seconds`` (and at most ``runs`` inputs when runs > 0: with a fixed seed and a
    fresh corpus that makes the run reproducible); returns the figures and the artifacts
    (crash-/leak-/timeout-/oom-)."""
    exe = exe or build()
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(workdir, seed)
    art = workdir / "artifacts"
    art.mkdir(exist_ok=True)
    before = set(art.iterdir())
    cmd = ["nice", "-n", "19", str(exe), f"-max_total_time={seconds}", f"-timeout={timeout}",
           f"-rss_limit_mb={rss_mb}", f"-seed={seed or 1}", f"-artifact_prefix={art}/",
           "-print_final_stats=1", "-detect_leaks=1", *([f"-runs={runs}"] if runs > 0 else []),
           *extra, str(corpus)]
    env = dict(os.environ, ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:allocator_may_return_null=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    t0 = time.time()
    log_to = log_to or (workdir / "fuzz.log")
    with open(log_to, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env,
                           timeout=seconds + max(600, seconds))
    text = log_to.read_text(errors="replace")
    stats = parse_log(text)
    stats.update(returncode=r.returncode, wall_seconds=round(time.time() - t0, 1),
                 artifacts=sorted(str(p) for p in set(art.iterdir()) - before),
                 corpus_files=len(list(corpus.iterdir())), log=str(log_to), command=" ".join(cmd))
    stats["ok"] = r.returncode == 0 and not stats["artifacts"] and stats["sanitizer_reports"] == 0
    return stats


def replay(exe: Path, path: Path) -> int:
    return subprocess.run([str(exe), str(path)]).returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/tinydev-fuzz"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=25, help="per-input timeout (s)")
    ap.add_argument("--runs", type=int, default=0, help="stop after this many inputs (0: time only)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--replay", type=Path, help="run the harness on one file and exit")
    ap.add_argument("extra", nargs="*", help="extra libFuzzer flags (after --)")
    a = ap.parse_args(argv)
    why = can_build_fuzzer()
    if why:
        print(why, file=sys.stderr)
        return 2
    exe = build(quiet=False)
    print("harness:", exe)
    if a.build_only:
        return 0
    if a.replay:
        return replay(exe, a.replay)
    stats = run(a.seconds, a.workdir, seed=a.seed, timeout=a.timeout, extra=tuple(a.extra), exe=exe, runs=a.runs)
    print(json.dumps(stats, indent=1))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(stats, indent=1))
    return 0 if stats["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
