"""Engine footprint: code size on Cortex-M4F and arena bytes per MLPerf Tiny model vs TFLM.

    python bench/footprint.py [--json out.json] [--no-tflm]

Code size: every engine C file compiled with
    arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
                      -ffunction-sections -fdata-sections
and measured two ways with arm-none-eabi-size:
  - objects: the sum of `text` (code + rodata) over all object files, per folder;
  - linked:  a minimal program that loads, plans, allocates and invokes a model, linked with
    --gc-sections (nano newlib), minus the same program without the engine: what the engine
    really adds to a firmware image, libgcc/libm helpers included; once with every op, once with
    only the core ops (a filtered copy of tml_ops_registry.c).

Arena: HostEngine.arena_size (exact) and its parts (head: tensor pointers + nodes; persistent op
data; planned tensors + scratch) next to TFLM's RecordingMicroAllocator totals (head = planned
tensors, tail = persistent), captured from print_allocations() in a subprocess. Both are 64-bit
host builds, so pointer-holding structures are 8-byte on both sides; on a 32-bit MCU the head
(mostly pointers) shrinks, the tensor part does not.
Goals: engine <= 32 KB, arena <= TFLM's.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENGINE = REPO / "cmodules" / "tinyml" / "engine"
sys.path.insert(0, str(REPO / "host"))
sys.path.insert(0, str(REPO / "tests" / "engine"))

ARM = ["-Os", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
       "-ffunction-sections", "-fdata-sections", "-std=c99"]
CODE_GOAL = 32 * 1024
CORE_OPS = {"add", "average_pool_2d", "conv_2d", "depthwise_conv_2d", "fully_connected", "max_pool_2d",
            "reshape", "softmax"}

MAIN_C = r"""
#include <stddef.h>
#include <stdint.h>
#ifdef WITH_ENGINE
#include "tml_interpreter.h"
static tml_interpreter_t it;
static uint8_t arena[96 * 1024] __attribute__((aligned(16)));
extern const uint8_t model_data[];
extern const size_t model_len;
#endif
volatile int sink;
int main(void) {
#ifdef WITH_ENGINE
    if (tml_init(&it, model_data, model_len) == TML_OK &&
        tml_allocate(&it, arena, sizeof arena) == TML_OK) {
        tml_tensor_t t;
        tml_graph_input(&it, 0, &t);
        sink = tml_invoke(&it);
        tml_graph_output(&it, 0, &t);
        sink += (int)tml_op_count(&it) + (int)tml_arena_needed(&it);
        sink += tml_op_name(&it, 0)[0] + (int)tml_last_error(&it)->status;
    }
#endif
    return sink;
}
#ifdef WITH_ENGINE
const uint8_t model_data[4] = {0};
const size_t model_len = 4;
#endif
"""


def engine_sources() -> list[Path]:
    out: list[Path] = []
    for pat in ("*.c", "ops/*.c", "kernels/*/*.c"):
        out += sorted(ENGINE.glob(pat))
    return out


def arm_flags() -> list[str]:
    from ref import cmsis_include

    flags = ARM + [f"-I{ENGINE}"]
    inc = cmsis_include()
    if inc is not None:
        flags.append(f"-I{inc}")
    else:  # without CMSIS-Core the arm_dsp set cannot build: measure the fast/ set instead
        flags.append("-DTML_KERNELS_NO_ARM_DSP")
    return flags


def size_text(paths: list[Path]) -> dict[Path, tuple[int, int, int]]:
    r = subprocess.run(["arm-none-eabi-size", *map(str, paths)], capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines()[1:]:
        f = line.split()
        out[Path(f[5])] = (int(f[0]), int(f[1]), int(f[2]))
    return out


def code_size(tmp: Path) -> dict:
    flags = arm_flags()
    objs = []
    for src in engine_sources():
        rel = src.relative_to(ENGINE)
        obj = tmp / (str(rel).replace("/", "__") + ".o")
        subprocess.run(["arm-none-eabi-gcc", *flags, "-c", str(src), "-o", str(obj)], check=True,
                       capture_output=True, text=True)
        objs.append((rel, obj))
    sizes = size_text([o for _, o in objs])
    by_dir: dict[str, int] = {}
    total_text = total_data = total_bss = 0
    for rel, obj in objs:
        t, d, b = sizes[obj]
        key = str(rel.parent) if str(rel.parent) != "." else "core"
        by_dir[key] = by_dir.get(key, 0) + t
        total_text += t
        total_data += d
        total_bss += b
    res = dict(objects_text=total_text, objects_data=total_data, objects_bss=total_bss, by_dir=by_dir,
               kernels="arm_dsp" if not any("NO_ARM_DSP" in f for f in flags) else "fast")
    # linked, gc-sections: the engine's real contribution to an image
    main = tmp / "main.c"
    main.write_text(MAIN_C)
    link = ["--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections"]
    try:
        base = tmp / "base.elf"
        full = tmp / "engine.elf"
        subprocess.run(["arm-none-eabi-gcc", *flags, *link, str(main), "-o", str(base), "-lm"],
                       check=True, capture_output=True, text=True)
        subprocess.run(["arm-none-eabi-gcc", *flags, *link, "-DWITH_ENGINE", str(main),
                        *map(str, engine_sources()), "-o", str(full), "-lm"],
                       check=True, capture_output=True, text=True)
        # the same with only the core ops (the MLPerf Tiny set) in the registry: a text filter
        # of tml_ops_registry.c, so --gc-sections drops the other ops and their kernels
        reg = ENGINE / "tml_ops_registry.c"
        core_reg = tmp / "tml_ops_registry_core.c"
        keep = re.compile(r"&tml_op_(\w+),")
        core_reg.write_text("\n".join(
            ln for ln in reg.read_text().splitlines()
            if not (keep.search(ln) and keep.search(ln).group(1) not in CORE_OPS)) + "\n")
        core = tmp / "engine_core.elf"
        srcs = [core_reg if p == reg else p for p in engine_sources()]
        subprocess.run(["arm-none-eabi-gcc", *flags, *link, "-DWITH_ENGINE", str(main),
                        *map(str, srcs), "-o", str(core), "-lm"], check=True, capture_output=True, text=True)
        s = size_text([base, full, core])
        res["linked_text"] = s[full][0] - s[base][0]
        res["linked_data"] = s[full][1] - s[base][1]
        res["linked_bss_without_arena"] = s[full][2] - s[base][2] - 96 * 1024
        res["linked_core_text"] = s[core][0] - s[base][0]
    except subprocess.CalledProcessError as e:
        res["linked_error"] = (e.stderr or "")[-500:]
    return res


TFLM_SCRIPT = r"""
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
b = open(sys.argv[1], 'rb').read()
it = runtime.Interpreter.from_bytes(b)
d = it.get_input_details(0)
it.set_input(np.zeros(tuple(d['shape']), d['dtype']), 0)
it.invoke()
it.print_allocations()
"""


def tflm_arena(model: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", TFLM_SCRIPT, str(model)], capture_output=True, text=True,
                       timeout=600)
    text = r.stdout + r.stderr
    out = {}
    for key in ("total", "head", "tail"):
        m = re.search(rf"Arena allocation {key} (\d+) bytes", text)
        if m:
            out[key] = int(m.group(1))
    return out


def arenas(with_tflm: bool) -> list[dict]:
    from ref import mlperf_models
    from tinydev.engine import HostEngine

    rows = []
    for p in mlperf_models():
        eng = HostEngine(p.read_bytes())
        row = dict(model=p.name, ours=eng.arena_size, **{f"ours_{k}": v for k, v in
                                                           getattr(eng, "arena_usage", {}).items()})
        if with_tflm:
            t = tflm_arena(p)
            row.update({f"tflm_{k}": v for k, v in t.items()})
        rows.append(row)
    return rows


def markdown(code: dict, rows: list[dict]) -> str:
    L = ["## Engine code size (arm-none-eabi-gcc -Os, Cortex-M4F, kernels: "
         f"{code['kernels']})", "",
         "| part | text+rodata (bytes) |", "| --- | ---: |"]
    for k, v in sorted(code["by_dir"].items()):
        L.append(f"| {k} | {v} |")
    L.append(f"| **all objects** | **{code['objects_text']}** |")
    if "linked_text" in code:
        L.append(f"| **linked, --gc-sections (engine's share of an image)** | **{code['linked_text']}** |")
    if "linked_core_text" in code:
        L.append(f"| linked, core ops only ({', '.join(sorted(CORE_OPS))}) | {code['linked_core_text']} |")
    goal = code.get("linked_text", code["objects_text"])
    L += ["", f"Goal <= {CODE_GOAL} B, all ops: {'met' if goal <= CODE_GOAL else 'NOT met'} ({goal} B)"
          + (f"; core ops only: {'met' if code['linked_core_text'] <= CODE_GOAL else 'NOT met'} "
             f"({code['linked_core_text']} B)" if "linked_core_text" in code else "") + "; "
          f".data {code['objects_data']} B, .bss {code['objects_bss']} B (objects).", ""]
    L += ["## Arena per MLPerf Tiny model (bytes, 64-bit host builds of both)", "",
          "| model | ours | ours: head | ours: persistent | ours: tensors | TFLM total | TFLM head | TFLM tail | ours/TFLM |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        tt = r.get("tflm_total")
        ratio = f"{r['ours'] / tt:.2f}" if tt else "-"
        L.append(f"| {r['model']} | {r['ours']} | {r.get('ours_head', '-')} | {r.get('ours_persistent', '-')} | "
                 f"{r.get('ours_tensors', '-')} | {tt or '-'} | {r.get('tflm_head', '-')} | "
                 f"{r.get('tflm_tail', '-')} | {ratio} |")
    return "\n".join(L)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-tflm", action="store_true")
    a = ap.parse_args(argv)
    if shutil.which("arm-none-eabi-gcc") is None:
        print("arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        code = code_size(Path(d))
    rows = arenas(not a.no_tflm)
    print(markdown(code, rows))
    if a.json:
        a.json.write_text(json.dumps(dict(code=code, arenas=rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
