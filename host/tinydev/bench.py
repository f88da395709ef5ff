"""`tinydev bench`: inference cost of the tinyml engine on the MLPerf Tiny models.

For each model and each kernel set (the optimised set the target selects, and the portable
reference forced with TINYML_KERNELS=portable), measured in the same run:
- VIRT_M4 (QEMU, -icount shift=0, so 1 us of ticks_us = 1000 instructions): instructions per
  inference, instructions per MAC, milliseconds estimated at one instruction per cycle for an
  ESP32-S3 at 240 MHz and a Cortex-M4 at 120 MHz, the optimised/portable ratio, and whether the
  outputs equal TFLM's bit for bit;
- x86 (the host library, i.e. the same engine sources compiled by the host cc): time per invoke()
  of our engine next to TFLM's Python interpreter on the same inputs (medians, calls interleaved
  so machine load hits both alike) and the ratio.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import TinydevError
from .paths import project_root

MODEL_NAMES = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]
SHORT = {"kws_ref_model": "KWS", "vww_96_int8": "VWW", "pretrainedResnet_quant": "ResNet (IC)", "ad01_int8": "AD01"}
CLOCKS = {"ESP32-S3@240MHz": 240e6, "Cortex-M4@120MHz": 120e6}
KERNEL_SETS = ("auto", "portable")  # make TINYML_KERNELS values; "auto" is arm_dsp on VIRT_M4
# The bench firmwares get a 2 MB heap so that VWW (333 KB) and AD01 (277 KB) load from the
# filesystem into RAM next to their arenas; the standard VIRT_M4 heap (300 KB, an ESP32-S3 without
# PSRAM) cannot hold them. The heap size does not change the instructions an inference takes.
BENCH_HEAP = 2 * 1024 * 1024


def models_dir() -> Path:
    return Path(os.environ.get("TINYDEV_MLPERF_DIR", "/work/shared/models/mlperf-tiny"))


def load_models(names=None) -> dict[str, bytes]:
    out = {}
    for name in names or MODEL_NAMES:
        path = models_dir() / f"{name}.tflite"
        if not path.exists():
            raise TinydevError(f"{path} not found", "set TINYDEV_MLPERF_DIR to the MLPerf Tiny models")
        out[name] = path.read_bytes()
    return out


def count_macs(model: bytes) -> int:
    """Multiply-accumulates of one inference: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED."""
    import tensorflow as tf

    it = tf.lite.Interpreter(model_content=model)
    shapes = {t["index"]: t["shape"] for t in it.get_tensor_details()}
    macs = 0
    for op in it._get_ops_details():
        name, ins, outs = op["op_name"], op["inputs"], op["outputs"]
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        out_elems = int(np.prod(shapes[outs[0]]))
        f = shapes[ins[1]]
        if name == "CONV_2D":
            macs += out_elems * int(f[1] * f[2] * f[3])
        elif name == "DEPTHWISE_CONV_2D":
            macs += out_elems * int(f[1] * f[2])
        else:
            macs += out_elems * int(f[1])
    return macs


def make_inputs(model: bytes, n: int, seed: int = 1234) -> list[np.ndarray]:
    """n fixed random int8 inputs for input 0 (seeded per model size: the same every run)."""
    from .engine import HostEngine

    spec = HostEngine(model).input_details(0)
    rng = np.random.default_rng(seed + len(model))
    return [rng.integers(-128, 128, size=spec["shape"], dtype=np.int8) for _ in range(n)]


def tflm_outputs(model: bytes, inputs) -> list[list[np.ndarray]]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model)
    result = []
    for x in inputs:
        it.set_input(x, 0)
        it.invoke()
        result.append([np.array(it.get_output(0))])
    return result


# ---- x86: our engine (host library) next to TFLM ------------------------------------------------

@dataclass
class HostResult:
    ours_ms: float
    tflm_ms: float
    runs: int
    exact: bool


def host_compare(model: bytes, inputs, budget_s: float = 3.0, max_runs: int = 200) -> HostResult:
    """Median time of invoke() alone, ours and TFLM's calls interleaved; outputs compared too."""
    from tflite_micro.python.tflite_micro import runtime

    from .engine import HostEngine

    eng = HostEngine(model)
    ref = runtime.Interpreter.from_bytes(model)
    exact = True
    for x in inputs:
        eng.set_input(0, x)
        eng.invoke()
        ref.set_input(x, 0)
        ref.invoke()
        exact &= bool(np.array_equal(eng.get_output(0), ref.get_output(0)))
    ours, theirs = [], []
    started = time.perf_counter()
    i = 0
    while i < max_runs and (i < 11 or time.perf_counter() - started < budget_s):
        x = inputs[i % len(inputs)]
        eng.set_input(0, x)
        ref.set_input(x, 0)
        t0 = time.perf_counter()
        eng.invoke()
        t1 = time.perf_counter()
        ref.invoke()
        t2 = time.perf_counter()
        ours.append(t1 - t0)
        theirs.append(t2 - t1)
        i += 1
    return HostResult(statistics.median(ours) * 1e3, statistics.median(theirs) * 1e3, i, exact)


# ---- VIRT_M4: instructions per inference ---------------------------------------------------------

@dataclass
class DeviceResult:
    insn: list[int] = field(default_factory=list)      # one per input
    outputs: list[list[bytes]] = field(default_factory=list)
    arena: int | None = None
    profile: dict[str, int] = field(default_factory=dict)  # op type -> instructions (last inference)
    error: str | None = None

    @property
    def median_insn(self) -> int | None:
        return int(statistics.median(self.insn)) if self.insn else None


def build_bench_firmware(kernels: str, jobs: int | None = None):
    """The VIRT_M4 firmware with one kernel set (cached by inputs like any build)."""
    from .firmware.build import build_firmware

    out = project_root() / "build" / f"VIRT_M4-bench-{kernels}"
    return build_firmware("VIRT_M4", quiet=True, jobs=jobs, out_dir=out,
                          extra_make_vars={"TINYML_KERNELS": kernels, "MICROPY_HEAP_SIZE": str(BENCH_HEAP)}).firmware


def _mpremote(port: str, *args: str, timeout: float = 900) -> str:
    cmd = [sys.executable, "-m", "mpremote", "connect", port, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise TinydevError(f"mpremote {' '.join(args[:2])} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
    return proc.stdout


def _device_files(port: str) -> dict[str, int]:
    out = _mpremote(port, "exec", "import os\nfor n in os.listdir():\n print('@F', n, os.stat(n)[6])")
    return {p[1]: int(p[2]) for p in (line.split() for line in out.splitlines()) if len(p) == 3 and p[0] == "@F"}


def run_virt_m4(firmware: Path, models: dict[str, bytes], inputs: dict[str, list[np.ndarray]]) -> dict[str, DeviceResult]:
    """Copy the models and inputs to a private VIRT_M4 board, run bench/inference_device.py, parse.

    The board's disk image persists in build/bench-vboard: the serial link moves a few KB/s, so
    files already there (names carry a content hash) are not copied again."""
    import hashlib

    from .vboard.qemu import start, stop

    results = {name: DeviceResult() for name in models}
    # A private board (other users' VIRT_M4 keeps running); TINYDEV_BENCH_VBOARD picks another.
    base = Path(os.environ.get("TINYDEV_BENCH_VBOARD") or project_root() / "build" / "bench-vboard")
    with tempfile.TemporaryDirectory(prefix="tinydev-bench-") as tmp:
        tmp = Path(tmp)
        jobs, files = [], {}
        for name, data in models.items():
            fn = f"{name}-{hashlib.sha256(data).hexdigest()[:8]}.tflite"
            files[fn] = data
            ins = []
            for x in inputs[name]:
                raw = x.tobytes()
                ins.append(f"in-{hashlib.sha256(raw).hexdigest()[:12]}.bin")
                files[ins[-1]] = raw
            jobs.append((fn, ins))
        script = tmp / "bench_run.py"
        device_src = (project_root() / "bench" / "inference_device.py").read_text()
        script.write_text(f"JOBS = {jobs!r}\n" + device_src)
        info = start("VIRT_M4", firmware=firmware, base=base, timeout=60)
        try:
            have = _device_files(info.port)
            copies = []
            for fn, data in files.items():
                if have.get(fn) != len(data):
                    (tmp / fn).write_bytes(data)
                    copies += ["fs", "cp", str(tmp / fn), f":{fn}", "+"]
            if copies:
                _mpremote(info.port, *copies[:-1])
            text = _mpremote(info.port, "run", str(script))
        finally:
            stop("VIRT_M4", base=base)
    names = {fn: n for (fn, _), n in zip(jobs, models)}
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] not in ("@INSN", "@OUT", "@ERR", "@ARENA", "@PROF") or parts[1] not in names:
            continue
        r = results[names[parts[1]]]
        if parts[0] == "@INSN":
            r.insn.append(int(parts[3]) * 1000)  # us -> instructions (icount shift=0)
            r.outputs.append([])
        elif parts[0] == "@OUT":
            r.outputs[-1].append(bytes.fromhex(parts[4]))
        elif parts[0] == "@PROF":
            r.profile[parts[2]] = int(parts[3]) * 1000
        elif parts[0] == "@ARENA":
            r.arena = int(parts[2])
        else:
            r.error = line.split(None, 2)[2]
    if "@DONE" not in text:
        for r in results.values():
            r.error = r.error or "the device script did not finish: " + text.strip()[-200:]
    return results


def device_exact(result: DeviceResult, reference: list[list[np.ndarray]]) -> bool | None:
    if result.error or not result.outputs:
        return None
    return all(len(o) == len(ref) and all(a == b.astype(np.int8).tobytes() for a, b in zip(o, ref))
               for o, ref in zip(result.outputs, reference)) and len(result.outputs) == len(reference)


# ---- the table ------------------------------------------------------------------------------------

def _fmt(v, spec=",", none="-"):
    return none if v is None else format(v, spec)


def run_bench(names=None, n_inputs: int = 3, device: bool = True, host: bool = True, jobs: int | None = 2,
              echo=print) -> dict:
    models = load_models(names)
    inputs = {n: make_inputs(m, n_inputs) for n, m in models.items()}
    refs = {n: tflm_outputs(m, inputs[n]) for n, m in models.items()}
    macs = {n: count_macs(m) for n, m in models.items()}
    report: dict = {"macs": macs, "device": {}, "host": {}}
    if device:
        for kernels in KERNEL_SETS:
            echo(f"VIRT_M4: building/running the '{kernels}' kernel set ...")
            fw = build_bench_firmware(kernels, jobs)
            report["device"][kernels] = run_virt_m4(fw, models, inputs)
        echo("")
        echo("VIRT_M4 (QEMU mps2-an386, Cortex-M4F, -icount shift=0): instructions per inference "
             f"(median of {n_inputs} fixed inputs); ms are ESTIMATES at 1 instruction/cycle")
        echo("  (the ESP32-S3 column applies these Cortex-M4 counts to 240 MHz; the S3 itself runs fast/ or ESP-NN)")
        echo(f"  bench firmwares have a {BENCH_HEAP // 1024} KB heap: VWW (333 KB) and AD01 (277 KB) plus their arenas "
             "do not fit the standard 300 KB VIRT_M4 heap; the heap size does not change instruction counts")
        head = (f"{'model':12} {'MACs':>10} {'kernels':9} {'instructions':>13} {'insn/MAC':>8} "
                + " ".join(f"{'est ms ' + c:>24}" for c in CLOCKS) + f" {'opt/port':>8} {'TFLM-exact':>10}")
        echo(head)
        echo("-" * len(head))
        for n in models:
            port = report["device"]["portable"][n].median_insn
            for kernels in KERNEL_SETS:
                r = report["device"][kernels][n]
                label = "arm_dsp" if kernels == "auto" else kernels
                if r.error:
                    echo(f"{SHORT[n]:12} {macs[n]:>10,} {label:9} not run: {r.error}")
                    continue
                ins = r.median_insn
                ms = " ".join(f"{ins / hz * 1e3:>24.2f}" for hz in CLOCKS.values())
                ratio = f"{ins / port:.3f}" if port and kernels != "portable" else "1"
                exact = {True: "yes", False: "NO", None: "-"}[device_exact(r, refs[n])]
                echo(f"{SHORT[n]:12} {macs[n]:>10,} {label:9} {ins:>13,} {ins / macs[n]:>8.2f} {ms} {ratio:>8} {exact:>10}")
        echo("Where the instructions go (last inference, per op type):")
        for n in models:
            for kernels in KERNEL_SETS:
                prof = report["device"][kernels][n].profile
                total = sum(prof.values()) or 1
                top = sorted(prof.items(), key=lambda kv: -kv[1])[:4]
                label = "arm_dsp" if kernels == "auto" else kernels
                echo(f"  {SHORT[n]:12} {label:9} " + ", ".join(f"{op} {v / total:.0%}" for op, v in top))
        echo("")
    if host:
        echo("x86 (host library, same engine sources, cc -O2): time per invoke(), median, calls interleaved")
        head = f"{'model':12} {'ours ms':>9} {'TFLM ms':>9} {'ours/TFLM':>9} {'runs':>5} {'TFLM-exact':>10}"
        echo(head)
        echo("-" * len(head))
        for n, m in models.items():
            h = host_compare(m, inputs[n])
            report["host"][n] = h
            echo(f"{SHORT[n]:12} {h.ours_ms:>9.3f} {h.tflm_ms:>9.3f} {h.ours_ms / h.tflm_ms:>9.3f} {h.runs:>5} "
                 f"{'yes' if h.exact else 'NO':>10}")
    return report
