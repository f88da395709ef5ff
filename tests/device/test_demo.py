"""`tinydev demo`, the main job of a fresh machine, end to end on its own VIRT_M4 board: the
firmware, the board, `tinydev deploy` of the app + model + recording (cut to its first fault),
the run with live events, the summary and the plot. A second run deploys nothing new."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _demo(out_dir):
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-m", "tinydev.cli", "demo", "--faults", "1", "--out", str(out_dir)],
                          check=False, capture_output=True, text=True, timeout=900, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow
def test_demo_deploys_runs_and_reports(virt_m4_fw, tmp_path):
    out = _demo(tmp_path)
    assert "tinydev deploy" in out and "sha256 verified on the board" in out, out
    assert "detected imbalance" in out, out
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    alarms = [e for e in events if e["event"] == "alarm" and e["kind"] == "anomaly"]
    summary = next(e for e in events if e["event"] == "summary")
    # the recording: normal running, then imbalance from 2.0 s: one alarm, 20-50 ms after onset
    assert len(alarms) == 1 and 2000 < alarms[0]["t_ms"] < 2050, alarms
    assert summary["faults"] == {} and summary["windows"] > 500, summary
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert (tmp_path / "app" / "main.py").read_bytes() == (REPO / "device" / "app.py").read_bytes()

    again = _demo(tmp_path)   # the board's disk persists: everything is on it already
    assert "nothing changed: no file written" in again, again
    assert "detected imbalance" in again, again
