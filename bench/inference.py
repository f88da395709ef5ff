"""Inference benchmark: `python bench/inference.py [--model NAME] [--no-device] [--no-host]`,
the same as `tinydev bench` (host/tinydev/bench.py explains what is measured and how)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "host"))

from tinydev.cli import bench_command  # noqa: E402

if __name__ == "__main__":
    bench_command(prog_name="bench/inference.py")
