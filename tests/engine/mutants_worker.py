"""Feed seeded mutants (truncations, bit flips, byte overwrites) of real models through HostEngine.

Run by test_fuzz.py in a subprocess with the ASan+UBSan flavour of the host library preloaded;
stands alone for debugging:

    LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \
        python tests/engine/mutants_worker.py --n 2000 --seed 0 --out /tmp/m.json

Each mutant must either load (and then invoke, when its arena is small) or raise EngineError with
a message. Anything else (another exception type, an empty message) is recorded as a failure; a
sanitizer report or a crash kills the process, and the progress file then names the mutant.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ref import MLPERF_DIR, REPO  # noqa: E402

sys.path.insert(0, str(REPO / "host"))
SEED_DIR = REPO / "cmodules" / "tinyml" / "engine" / "fuzz" / "corpus"
INVOKE_ARENA_LIMIT = 16384


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.random()
    b = bytearray(data)
    if kind < 0.25:
        cut = rng.randrange(0, len(b))
        return f"trunc@{cut}", bytes(b[:cut])
    if kind < 0.75:
        flips = []
        for _ in range(rng.choice((1, 1, 1, 2, 3, 8))):
            # the first KB holds the root table, vtables and most offsets
            pos = rng.randrange(min(len(b), 1024)) if rng.random() < 0.6 else rng.randrange(len(b))
            bit = rng.randrange(8)
            b[pos] ^= 1 << bit
            flips.append(f"{pos}.{bit}")
        return "flip@" + ",".join(flips), bytes(b)
    # overwrite a 4-byte word with an interesting value (offsets, counts, shapes)
    pos = rng.randrange(0, max(1, len(b) - 4)) & ~3
    val = rng.choice((0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, len(b), len(b) - 4,
                      rng.randrange(1 << 32)))
    b[pos:pos + 4] = int(val).to_bytes(4, "little")
    return f"word@{pos}={val:#x}", bytes(b)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--progress", type=Path)
    ap.add_argument("--no-sanitize", action="store_true")
    a = ap.parse_args(argv)

    import numpy as np

    from tinydev.engine import EngineError, HostEngine

    seeds = sorted(SEED_DIR.glob("*.tflite")) + sorted(MLPERF_DIR.glob("*.tflite"))
    blobs = [(p.name, p.read_bytes()) for p in seeds]
    rng = random.Random(a.seed)
    prog = open(a.progress or a.out.with_suffix(".progress"), "w", buffering=1)
    counts = collections.Counter()
    reasons = collections.Counter()
    failures = []
    t0 = time.time()
    for i in range(a.n):
        name, data = blobs[i % len(blobs)]
        tag, m = mutate(data, rng)
        prog.write(f"{i} {name} {tag}\n")
        try:
            eng = HostEngine(m, sanitize=not a.no_sanitize)
        except EngineError as e:
            counts["rejected"] += 1
            msg = str(e)
            reasons[msg.split(",")[0][:60]] += 1
            if not msg or getattr(e, "code", 0) == 0:
                failures.append(dict(i=i, seed=name, mutation=tag, problem=f"EngineError without message/code: {msg!r}"))
            continue
        except Exception as e:  # anything but EngineError is a defect of the binding or engine
            failures.append(dict(i=i, seed=name, mutation=tag, problem=f"{type(e).__name__}: {e}"))
            continue
        counts["loaded"] += 1
        if eng.arena_size > INVOKE_ARENA_LIMIT:
            continue
        try:
            for k in range(eng.num_inputs):
                d = eng.input_details(k)
                if d["dtype"] is None:
                    continue
                x = np.frombuffer(bytes(rng.randrange(256) for _ in range(int(np.prod(d["shape"], dtype=np.int64)) * d["dtype"].itemsize)),
                                  dtype=d["dtype"]).reshape(d["shape"])
                eng.set_input(k, x)
            eng.invoke()
            for k in range(eng.num_outputs):
                eng.get_output(k)
            counts["invoked"] += 1
        except EngineError as e:
            counts["invoke_rejected"] += 1
            reasons["invoke: " + str(e).split(",")[0][:50]] += 1
        except Exception as e:
            failures.append(dict(i=i, seed=name, mutation=tag, problem=f"invoke {type(e).__name__}: {e}"))
    summary = dict(n=a.n, seed=a.seed, seconds=round(time.time() - t0, 1), counts=dict(counts),
                   top_reasons=reasons.most_common(15), failures=failures[:50], n_failures=len(failures))
    a.out.write_text(json.dumps(summary, indent=1))
    prog.write("DONE\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
