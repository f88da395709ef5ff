"""`tinydev firmware build`: a build from scratch, a cached rebuild, and errors that say what to do."""
import os
import subprocess
import sys
import time

import pytest

from tinydev.errors import TinydevError
from tinydev.firmware.build import build_firmware

TINYDEV = [sys.executable, "-m", "tinydev.cli"]


@pytest.mark.slow
def test_unix_build_from_scratch_then_cached(tmp_path):
    out = tmp_path / "build-unix"
    first = build_firmware("UNIX", quiet=True, out_dir=out)
    assert not first.cached and first.firmware == out / "micropython"
    run = subprocess.run([str(first.firmware), "-c", "import tinyml, tinydev, asyncio; print(tinyml.__version__)"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and run.stdout.strip() == "0.1.0", run.stderr

    started = time.monotonic()
    second = build_firmware("UNIX", quiet=True, out_dir=out)
    assert second.cached and second.firmware == first.firmware
    assert time.monotonic() - started < 10


def test_cli_prints_firmware_path_last(unix_fw):
    proc = subprocess.run(TINYDEV + ["firmware", "build", "--board", "UNIX"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(unix_fw)


def test_not_a_micropython_tree_is_one_clear_line(tmp_path):
    proc = subprocess.run(TINYDEV + ["firmware", "build", "--board", "UNIX", "--micropython", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("error:") and "not a MicroPython source tree" in lines[-1]
    assert "Traceback" not in proc.stderr


def test_wrong_micropython_version_is_refused(tmp_path):
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "mpconfig.h").write_text(
        "#define MICROPY_VERSION_MAJOR 1\n#define MICROPY_VERSION_MINOR 22\n#define MICROPY_VERSION_MICRO 0\n")
    with pytest.raises(TinydevError, match="1.22.0, tinydev needs 1.26.1"):
        build_firmware("UNIX", micropython=str(tmp_path), quiet=True, out_dir=tmp_path / "out")


def test_missing_cross_compiler_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no arm-none-eabi-gcc, no make
    with pytest.raises(TinydevError) as err:
        build_firmware("VIRT_M4", quiet=True, out_dir=tmp_path / "out")
    assert "arm-none-eabi-gcc not found" in str(err.value) and "apt-get install gcc-arm-none-eabi" in str(err.value)


def test_esp32_s3_without_esp_idf_stops_clearly(monkeypatch):
    monkeypatch.delenv("IDF_PATH", raising=False)
    with pytest.raises(TinydevError, match="ESP-IDF not found"):
        build_firmware("ESP32_S3", quiet=True)


def test_unknown_board(tmp_path):
    with pytest.raises(TinydevError, match="unknown board 'PICO'"):
        build_firmware("PICO", quiet=True, out_dir=tmp_path)


@pytest.mark.skipif(not os.environ.get("IDF_PATH"), reason="ESP-IDF is not installed: ESP32_S3 is checked for completeness instead")
def test_esp32_s3_builds_with_esp_idf():
    assert build_firmware("ESP32_S3", quiet=True).firmware.exists()
