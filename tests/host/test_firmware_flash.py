"""`tinydev firmware flash`: images are checked before a board is touched; errors say what to do."""
import json
import subprocess
import sys

import pytest

from tinydev.errors import TinydevError
from tinydev.firmware.flash import check_images, flash_plan


def _esp_image(chip_id):
    header = bytearray(24)
    header[0] = 0xE9
    header[12:14] = chip_id.to_bytes(2, "little")
    return bytes(header) + b"\x00" * 1000


def test_merged_image_for_esp32_s3_is_accepted(tmp_path):
    image = tmp_path / "firmware.bin"
    image.write_bytes(_esp_image(9))
    plan = flash_plan(image)
    assert plan == [(0, image)]
    check_images(plan)


def test_image_for_another_chip_is_refused(tmp_path):
    image = tmp_path / "firmware.bin"
    image.write_bytes(_esp_image(5))
    with pytest.raises(TinydevError, match="built for ESP32-C3, not ESP32-S3"):
        check_images(flash_plan(image))


def test_not_an_image_is_refused(tmp_path):
    image = tmp_path / "app.elf"
    image.write_bytes(b"\x7fELF" + b"\x00" * 100)
    with pytest.raises(TinydevError, match="not an ESP firmware image"):
        check_images(flash_plan(image))


def test_esp_idf_build_folder_gives_offsets(tmp_path):
    (tmp_path / "bootloader").mkdir()
    (tmp_path / "partition_table").mkdir()
    (tmp_path / "bootloader" / "bootloader.bin").write_bytes(_esp_image(9))
    (tmp_path / "partition_table" / "partition-table.bin").write_bytes(b"\xaa\x50" + b"\x00" * 100)
    (tmp_path / "micropython.bin").write_bytes(_esp_image(9))
    (tmp_path / "flasher_args.json").write_text(json.dumps({"flash_files": {
        "0x0": "bootloader/bootloader.bin", "0x8000": "partition_table/partition-table.bin", "0x10000": "micropython.bin"}}))
    plan = flash_plan(tmp_path)
    assert [offset for offset, _ in plan] == [0x0, 0x8000, 0x10000]
    check_images(plan)


def test_no_chip_on_the_port_is_one_clear_line(tmp_path):
    image = tmp_path / "firmware.bin"
    image.write_bytes(_esp_image(9))
    proc = subprocess.run([sys.executable, "-m", "tinydev.cli", "firmware", "flash", "--port", str(tmp_path / "ttyNONE"),
                           "--firmware", str(image)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("error: no ESP chip answered")
