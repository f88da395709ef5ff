"""Fixtures for the tinyml.dsp tests: `dsp_device` runs each test on every available device.

- unix:    the UNIX firmware from TINYDEV_UNIX_FW, else the shared `unix_fw` build.
- virt_m4: the board on TINYDEV_PORT (e.g. a running `tinydev vboard start`), else a private
           VIRT_M4 under qemu started from TINYDEV_VIRT_M4_FW / the shared `virt_m4_fw` build.
A device that is missing, or whose firmware lacks tinyml.dsp, is skipped with the reason.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))

from devrun import DeviceError, MpremoteDevice, UnixDevice, run  # noqa: E402


def _unix_device(request):
    fw = os.environ.get("TINYDEV_UNIX_FW")
    if not fw:
        try:
            fw = request.getfixturevalue("unix_fw")
        except Exception as e:  # the build tool may be missing or fail; say so
            pytest.skip(f"no UNIX firmware: set TINYDEV_UNIX_FW ({type(e).__name__}: {e})")
    if not Path(fw).exists():
        pytest.skip(f"UNIX firmware {fw} does not exist")
    p = subprocess.run([str(fw), "-c", "import tinyml; tinyml.dsp"], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"UNIX firmware {fw} has no tinyml.dsp")
    return UnixDevice(fw)


def _mpremote():
    return shutil.which("mpremote") or str(Path(sys.executable).with_name("mpremote"))


@pytest.fixture(scope="session")
def _virt_m4_port(request):
    """TINYDEV_PORT, or a private VIRT_M4 started for this session (stopped at its end)."""
    port = os.environ.get("TINYDEV_PORT")
    if port:
        yield port
        return
    if shutil.which("qemu-system-arm") is None:
        pytest.skip("no VIRT_M4: qemu-system-arm not installed and TINYDEV_PORT unset")
    fw = os.environ.get("TINYDEV_VIRT_M4_FW")
    if not fw:
        try:
            fw = request.getfixturevalue("virt_m4_fw")
        except Exception as e:
            pytest.skip(f"no VIRT_M4 firmware: set TINYDEV_VIRT_M4_FW or TINYDEV_PORT ({type(e).__name__}: {e})")
    from tinydev.vboard import qemu

    base = tempfile.mkdtemp(prefix="dsp-vboard-")
    info = qemu.start(firmware=fw, base=base)
    try:
        yield info.port
    finally:
        qemu.stop(base=base)
        shutil.rmtree(base, ignore_errors=True)


def _virt_m4_device(request):
    port = request.getfixturevalue("_virt_m4_port")
    dev = MpremoteDevice(port, _mpremote())
    try:
        run(dev, "print('ok')\n")
    except (DeviceError, subprocess.SubprocessError, OSError) as e:
        pytest.skip(f"VIRT_M4 on {port} has no tinyml.dsp or does not answer: {str(e)[:300]}")
    return dev


@pytest.fixture(scope="session", params=["unix", pytest.param("virt_m4", marks=[pytest.mark.vboard, pytest.mark.slow])])
def dsp_device(request):
    """A device with tinyml.dsp: each dsp test runs on the UNIX firmware and on VIRT_M4."""
    if request.param == "unix":
        return _unix_device(request)
    return _virt_m4_device(request)
