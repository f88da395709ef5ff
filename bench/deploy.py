"""`tinydev deploy` against `mpremote fs cp -r`, in the same run, on fresh VIRT_M4 boards.

Two trees, each on its own board:
  - "app": the vibration app (device/app.py as main.py), six framework modules under lib/ and the
    vibration model bundle (10 files);
  - "app + framework": the app, the whole device framework as files (what deploy sends to a stock
    MicroPython firmware, without tinydev frozen in) and the bundle.
Both tools run as the commands a user types (a new process each time, so both pay their
start-up), on the same board: deploy syncs the tree to /, mpremote copies it to /mp. Measured:
  - full deploy from scratch (a fresh disk image): wall time and throughput = tree bytes / time;
  - a second run with nothing changed (median of --repeat runs; mpremote's cp compares sha256 on
    the board too and answers "Up to date");
  - the same no-change deploy against `mpremote fs cp -r --force` (copies every file again);
  - one changed module (deploy only; mpremote would hash and skip the rest the same way).

    .venv/bin/python bench/deploy.py [--firmware build/VIRT_M4/firmware.elf] [--repeat 3]
"""
import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "host"))

LIB_MODULES = ("alarms.py", "board.py", "config.py", "model.py", "pipeline.py", "drivers/mpu6050.py")
TREES = ("app", "app + framework")


def make_tree(folder, kind="app"):
    folder = Path(folder)
    (folder / "lib" / "kit").mkdir(parents=True)
    (folder / "models").mkdir()
    shutil.copy(REPO / "device" / "app.py", folder / "main.py")
    framework = REPO / "device" / "tinydev"
    modules = LIB_MODULES if kind == "app" else [str(p.relative_to(framework)) for p in sorted(framework.rglob("*.py"))]
    for name in modules:
        dest = folder / "lib" / "kit" / (Path(name).name if kind == "app" else name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(framework / name, dest)
    for name in ("vibration.tflite", "vibration.json"):
        shutil.copy(REPO / "models" / "vibration" / name, folder / "models" / name)
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def timed(args):
    began = time.monotonic()
    proc = subprocess.run(args, check=False, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - began
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, args))}\n{proc.stdout}{proc.stderr}")
    return seconds, proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firmware", help="VIRT_M4 firmware.elf (default: tinydev firmware build)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each no-change case (median)")
    args = parser.parse_args()

    from rich.console import Console
    from tinydev.firmware.build import build_firmware
    from tinydev.vboard import qemu

    console = Console()
    firmware = args.firmware or build_firmware("VIRT_M4", quiet=True).firmware
    for kind in TREES:
        console.print(measure(kind, firmware, args.repeat, qemu))


def measure(kind, firmware, repeat, qemu):
    """One tree on a fresh board: a rich table of both tools' times, and the verdicts under it."""
    import json

    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    work = Path(tempfile.mkdtemp(prefix="tinydev-bench-deploy-"))
    n_files, tree_bytes = make_tree(work / "app", kind)
    tree = str(work / "app")
    info = qemu.start("VIRT_M4", firmware=firmware, base=work / "vboard")
    port = info.port
    deploy = [sys.executable, "-m", "tinydev.cli", "deploy", "--json", "--port", port, tree]
    mpremote = [sys.executable, "-m", "mpremote", "connect", port, "fs", "cp", "-r", tree + "/.", ":/mp"]
    try:
        ours_full, out = timed(deploy)
        sent = json.loads(out)["bytes_sent"]
        theirs_full, _ = timed(mpremote)
        ours_same, theirs_same = [], []
        for _ in range(repeat):
            seconds, out = timed(deploy)
            assert json.loads(out)["written"] == [], out
            ours_same.append(seconds)
            seconds, out = timed(mpremote)
            assert "Up to date" in out, out
            theirs_same.append(seconds)
        theirs_force, _ = timed(mpremote[:-2] + ["--force"] + mpremote[-2:])
        module = work / "app" / "lib" / "kit" / "config.py"
        module.write_text(module.read_text() + "\n_BENCH_EDIT = 1\n")
        ours_one, out = timed(deploy)
        assert len(json.loads(out)["written"]) == 1, out
    finally:
        qemu.stop("VIRT_M4", base=work / "vboard")
        shutil.rmtree(work, ignore_errors=True)

    ours_nc, theirs_nc = statistics.median(ours_same), statistics.median(theirs_same)
    table = Table(title=f"{kind}: deploy vs mpremote fs cp -r on VIRT_M4 ({n_files} files, {tree_bytes / 1024:.1f} KB)")
    for col in ("case", "tinydev deploy", "mpremote fs cp -r", "deploy speed-up"):
        table.add_column(col, justify="left" if col == "case" else "right")
    table.add_row("full, from scratch (s)", f"{ours_full:.2f}", f"{theirs_full:.2f}", f"{theirs_full / ours_full:.1f}x")
    table.add_row("full, throughput (tree KB/s)", f"{tree_bytes / 1024 / ours_full:.1f}", f"{tree_bytes / 1024 / theirs_full:.1f}",
                  f"{theirs_full / ours_full:.1f}x")
    table.add_row(f"no change, median of {repeat} (s)", f"{ours_nc:.2f}", f"{theirs_nc:.2f}", f"{theirs_nc / ours_nc:.1f}x")
    table.add_row("no change vs cp -r --force (s)", f"{ours_nc:.2f}", f"{theirs_force:.2f}", f"{theirs_force / ours_nc:.1f}x")
    table.add_row("one module changed (s)", f"{ours_one:.2f}", "-", "-")
    lines = [(f"deploy sent {sent / 1024:.1f} KB of files (.py compiled to .mpy) for the {tree_bytes / 1024:.1f} KB tree; "
             "both tools run as new processes (Python start-up included).")]
    for name, theirs in (("fs cp -r (mpremote skips files whose sha256 matches, too)", theirs_nc),
                         ("fs cp -r --force (copies every file)", theirs_force)):
        lines.append(f"no-change target, >= 10x faster than mpremote {name}: "
                     f"{'met' if theirs / ours_nc >= 10 else 'NOT met'} ({theirs / ours_nc:.1f}x)")
    return Group(table, Text("\n".join(lines) + "\n"))


if __name__ == "__main__":
    main()
