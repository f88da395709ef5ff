"""MicroPython's own test suite (basics, float, micropython, extmod) on the UNIX firmware."""
import os

import pytest

from micropython_suite import run_suite


@pytest.mark.slow
def test_micropython_suite_on_unix(unix_fw, tmp_path):
    mpy_cross = next((p for p in (os.environ.get("MICROPY_MPYCROSS"),) if p), None)
    env = {**os.environ, "MICROPY_MICROPYTHON": str(unix_fw)}
    if mpy_cross:
        env["MICROPY_MPYCROSS"] = mpy_cross
    result = run_suite([], env)
    print(f"UNIX: {result.performed} performed, {result.passed} passed, {len(result.skipped)} skipped, "
          f"{len(result.failed)} failed, {len(result.excluded)} excluded")
    assert result.failed == [], result.output[-3000:]
    assert result.performed > 800 and result.passed == result.performed
