"""Board definitions that cannot be compiled here (ESP32_S3) are still checked for consistency,
and the C module's cmake wiring is exercised by a stand-in for the esp32 port's cmake."""
import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ESP = REPO / "boards" / "ESP32_S3"
FLASH_BYTES = 8 * 1024 * 1024


def _partitions():
    rows = []
    with open(ESP / "partitions-8MiB-models.csv") as f:
        for row in csv.reader(line for line in f if line.strip() and not line.startswith("#")):
            name, kind, subtype, offset, size = (c.strip() for c in row[:5])
            rows.append((name, kind, subtype, int(offset, 0), int(size, 0)))
    return rows


def test_partition_table_fits_8mib_without_overlaps():
    rows = _partitions()
    end = 0x9000  # the bootloader and partition table come first
    for name, kind, _, offset, size in rows:
        assert offset >= end, f"{name} overlaps the partition before it"
        if kind == "app":
            assert offset % 0x10000 == 0, f"app partition {name} must be 64 KiB aligned"
        else:
            assert offset % 0x1000 == 0, f"{name} must be 4 KiB aligned"
        end = offset + size
    assert end <= FLASH_BYTES
    names = {r[0]: r for r in rows}
    assert names["factory"][4] >= 2 * 1024 * 1024, "room for the firmware"
    assert names["romfs"][2] == "0x8f" and names["romfs"][4] >= 1024 * 1024, "room for model bundles"
    assert "vfs" in names, "the esp32 port mounts its filesystem from the partition named vfs"


def test_sdkconfig_selects_8mb_flash_octal_psram_and_240mhz():
    cmake = (ESP / "mpconfigboard.cmake").read_text()
    sdk = (ESP / "sdkconfig.board").read_text()
    assert "CONFIG_ESPTOOLPY_FLASHSIZE_8MB=y" in sdk
    assert "boards/sdkconfig.spiram_oct" in cmake and "boards/sdkconfig.240mhz" in cmake
    assert "set(IDF_TARGET esp32s3)" in cmake
    assert "partitions-8MiB-models.csv" in cmake


def test_esp32_manifest_needs_no_micropython_lib():
    for manifest in (ESP / "manifest.py", REPO / "boards" / "manifest_common.py"):
        assert "require(" not in re.sub(r"#.*", "", manifest.read_text())


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_cmake_wiring_of_the_c_module(tmp_path):
    # The esp32 port includes USER_C_MODULES into a project that has an INTERFACE library `usermod`.
    (tmp_path / "CMakeLists.txt").write_text(f"""
cmake_minimum_required(VERSION 3.16)
project(usermod_check C)
add_library(usermod INTERFACE)
include({REPO}/cmodules/micropython.cmake)
get_target_property(srcs usermod_tinyml INTERFACE_SOURCES)
get_target_property(incs usermod_tinyml INTERFACE_INCLUDE_DIRECTORIES)
file(WRITE ${{CMAKE_BINARY_DIR}}/sources.txt "${{srcs}}")
file(WRITE ${{CMAKE_BINARY_DIR}}/includes.txt "${{incs}}")
""")
    proc = subprocess.run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "b")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    sources = set((tmp_path / "b" / "sources.txt").read_text().split(";"))
    # Every folder the make build globs for every target must be in the cmake build too
    # (target-specific kernels, such as arm_dsp/, are selected separately).
    mk = (REPO / "cmodules" / "tinyml" / "micropython.mk").read_text()
    folders = set(re.findall(r"\$\(wildcard \$\(TINYML_DIR\)/?([\w/]*?)/?\*\.c\)", mk)) - {"engine/kernels/arm_dsp"}
    assert "engine/ops" in folders
    expected = {str(p) for f in folders for p in (REPO / "cmodules" / "tinyml" / f).glob("*.c")}
    assert expected <= sources, f"missing from cmake: {sorted(expected - sources)[:5]}"
