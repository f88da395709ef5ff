"""Talking to a board from device tests: mpremote in a subprocess.

A module of its own (not conftest) because every test folder has a conftest.py and
`from conftest import ...` would pick whichever one Python imported first.
"""
import subprocess
import sys

MPREMOTE = [sys.executable, "-m", "mpremote"]


def mpremote(port, *args, timeout=120, check=True):
    """Run mpremote against the board; return its stdout (stderr goes into the failure message)."""
    proc = subprocess.run(MPREMOTE + ["connect", port, *args], capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"mpremote {' '.join(args)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout
