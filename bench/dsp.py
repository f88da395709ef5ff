"""Benchmark tinyml.dsp in C against pure MicroPython, in the same run on the same device.

    python bench/dsp.py --port /dev/pts/N      # a VIRT_M4 under qemu -icount shift=0 (or any board)
    python bench/dsp.py --unix build/UNIX/micropython

bench/dsp_device.py runs on the device and times every feature both ways with time.ticks_us.
On VIRT_M4, qemu runs with `-icount shift=0`: one instruction is one ns of virtual time, so
1 us = 1000 instructions, and the counts are deterministic. On the UNIX build the numbers are
host wall-clock microseconds (ratios are still meaningful, absolute times are not).

Targets (issue 5): C >= 50x faster than MicroPython for FFT and MFCC, and one KWS MFCC frame
under 480k instructions (2 ms at 240 MHz). The exit status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEVICE_SCRIPT = Path(__file__).with_name("dsp_device.py")
MIN_RATIO = 50.0
MFCC_MAX_INSTRUCTIONS = 480_000
TARGET_RATIO = ("fft_power_", "mfcc_", "logmel_")


def run_on_device(port: str | None, unix: str | None) -> str:
    if unix:
        cmd = [unix, "-X", "heapsize=4M", str(DEVICE_SCRIPT)]
    else:
        mpremote = shutil.which("mpremote") or str(Path(sys.executable).with_name("mpremote"))
        cmd = [mpremote, "connect", port, "run", str(DEVICE_SCRIPT)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0 or "@DONE" not in p.stdout:
        raise SystemExit(f"benchmark failed on the device:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout


def parse(text: str) -> list[tuple[str, float, float, float]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("@BENCH "):
            _, name, c_us, py_us, diff = line.split()
            rows.append((name, float(c_us), float(py_us), float(diff)))
    return rows


def table(rows, instructions: bool) -> tuple[str, list[str]]:
    unit = "kinstr" if instructions else "us"
    # Under icount 1 us is 1000 instructions, so the microsecond numbers read as kinstr.
    lines = [f"{'feature':<28} {'C ' + unit:>11} {'MicroPython ' + unit:>17} {'ratio':>8} {'max rel diff':>13}"]
    lines.append("-" * len(lines[0]))
    missed = []
    for name, c_us, py_us, diff in rows:
        ratio = py_us / c_us if c_us > 0 else float("inf")
        lines.append(f"{name:<28} {c_us:>11.1f} {py_us:>17.1f} {ratio:>7.0f}x {diff:>13.1e}")
        if name.startswith(TARGET_RATIO) and ratio < MIN_RATIO:
            missed.append(f"{name}: C only {ratio:.0f}x faster (target {MIN_RATIO:.0f}x)")
        if instructions and name.startswith("mfcc_kws") and c_us * 1000 >= MFCC_MAX_INSTRUCTIONS:
            missed.append(f"{name}: {c_us * 1000:.0f} instructions (target < {MFCC_MAX_INSTRUCTIONS})")
    return "\n".join(lines), missed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", default=os.environ.get("TINYDEV_PORT"),
                    help="serial port of the board, e.g. the VIRT_M4 pty (default: $TINYDEV_PORT)")
    ap.add_argument("--unix", default=None, help="run on this UNIX firmware instead (wall-clock us)")
    args = ap.parse_args(argv)
    if not args.port and not args.unix:
        ap.error("give --port (or set TINYDEV_PORT) or --unix PATH")
    rows = parse(run_on_device(args.port, args.unix))
    instructions = not args.unix
    text, missed = table(rows, instructions)
    where = (f"{args.port} (qemu -icount shift=0: 1 us = 1000 instructions)" if instructions
             else f"{args.unix} (UNIX build: host wall-clock microseconds)")
    print(f"tinyml.dsp vs pure MicroPython on {where}")
    print(text)
    mfcc = [r for r in rows if r[0].startswith("mfcc_kws")]
    if instructions and mfcc:
        kinstr = mfcc[0][1]
        print(f"\nOne KWS MFCC frame: {kinstr * 1000:.0f} instructions = {kinstr * 1000 / 240e6 * 1e3:.3f} ms "
              f"at 240 MHz (1 instruction/cycle)")
    for m in missed:
        print("MISSED:", m)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
