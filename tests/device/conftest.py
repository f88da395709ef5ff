"""Fixtures for tests on the virtual boards: a running VIRT_M4 and a way to talk to it."""
import subprocess
import sys

import pytest

from tinydev.vboard import qemu

MPREMOTE = [sys.executable, "-m", "mpremote"]


def mpremote(port, *args, timeout=120, check=True):
    """Run mpremote against the board; return its stdout (stderr goes into the failure message)."""
    proc = subprocess.run(MPREMOTE + ["connect", port, *args], capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"mpremote {' '.join(args)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.stdout


@pytest.fixture(scope="session")
def vboard_base(tmp_path_factory):
    """A private state folder (disk image, pid file) so tests never touch the user's board."""
    return tmp_path_factory.mktemp("vboard")


@pytest.fixture(scope="session")
def vboard(virt_m4_fw, vboard_base):
    """A running VIRT_M4 board for the whole session; stopped at the end."""
    info = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=vboard_base)
    yield info
    qemu.stop("VIRT_M4", base=vboard_base)


@pytest.fixture
def run_on_board(vboard):
    """Run MicroPython source on the VIRT_M4 board and return what it printed."""
    def run(source, timeout=120):
        return mpremote(vboard.port, "exec", source, timeout=timeout)

    return run
