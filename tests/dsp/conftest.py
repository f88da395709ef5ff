"""Fixtures for the tinyml.dsp tests: a device that runs scripts on the UNIX firmware."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))

from devrun import UnixDevice  # noqa: E402


def _has_dsp(fw) -> bool:
    p = subprocess.run([str(fw), "-c", "import tinyml; tinyml.dsp"], capture_output=True)
    return p.returncode == 0


@pytest.fixture(scope="session")
def dsp_device(request):
    """UNIX firmware with tinyml.dsp: TINYDEV_UNIX_FW, else the shared `unix_fw` build."""
    fw = os.environ.get("TINYDEV_UNIX_FW")
    if not fw:
        try:
            fw = request.getfixturevalue("unix_fw")
        except Exception as e:  # the build tool may be missing or fail; say so
            pytest.skip(f"no UNIX firmware: set TINYDEV_UNIX_FW ({type(e).__name__}: {e})")
    if not Path(fw).exists():
        pytest.skip(f"UNIX firmware {fw} does not exist")
    if not _has_dsp(fw):
        pytest.skip(f"UNIX firmware {fw} has no tinyml.dsp")
    return UnixDevice(fw)
