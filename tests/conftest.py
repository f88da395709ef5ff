"""Shared fixtures: firmware builds and virtual boards, built once per test session.

Firmware comes from `tinydev firmware build` (cached by input hash), or from the paths in
TINYDEV_UNIX_FW / TINYDEV_VIRT_M4_FW when a caller has built it already (as .ci/run does).
"""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "host"))


def _firmware(board, env_var):
    path = os.environ.get(env_var)
    if path:
        return Path(path)
    from tinydev.firmware.build import build_firmware

    return build_firmware(board, quiet=True).firmware


@pytest.fixture(scope="session")
def unix_fw():
    """Path of the UNIX firmware (the unix-port `micropython` with tinyml and the framework)."""
    return _firmware("UNIX", "TINYDEV_UNIX_FW")


@pytest.fixture(scope="session")
def virt_m4_fw():
    """Path of the VIRT_M4 firmware.elf (qemu mps2-an386)."""
    return _firmware("VIRT_M4", "TINYDEV_VIRT_M4_FW")
