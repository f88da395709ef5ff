"""`tinydev firmware flash`: write an ESP32-S3 build with esptool's Python API.

Accepts a merged image (written at 0x0) or an ESP-IDF build folder (bootloader, partition table
and app at the offsets in its flasher_args.json). Images are checked before the board is touched:
each must be an ESP image for the ESP32-S3, and the chip on the port must be one.
"""
import json
from pathlib import Path

from ..errors import TinydevError

ESP_IMAGE_MAGIC = 0xE9
CHIP_IDS = {0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6"}
TARGET_CHIP = "ESP32-S3"


def image_chip(data, name):
    """The chip an ESP image is built for, from its extended header (byte 12: chip id)."""
    if len(data) < 24 or data[0] != ESP_IMAGE_MAGIC:
        raise TinydevError(f"{name} is not an ESP firmware image (no 0xE9 magic byte)", "pass firmware.bin or the ESP-IDF build folder")
    chip_id = int.from_bytes(data[12:14], "little")
    return CHIP_IDS.get(chip_id, f"unknown chip id {chip_id}")


def flash_plan(firmware):
    """[(offset, path)] to write, from a merged .bin or an ESP-IDF build folder."""
    path = Path(firmware)
    if path.is_dir():
        args_file = path / "flasher_args.json"
        if not args_file.exists():
            raise TinydevError(f"{path} has no flasher_args.json", "pass an ESP-IDF build folder or a merged firmware.bin")
        files = json.loads(args_file.read_text())["flash_files"]
        return sorted((int(offset, 16), path / name) for offset, name in files.items())
    if not path.is_file():
        raise TinydevError(f"{path} does not exist", "build it with `tinydev firmware build --board ESP32_S3`")
    return [(0x0, path)]


def check_images(plan):
    """Refuse images that are not ESP32-S3 images; the partition table is not an ESP image."""
    for offset, path in plan:
        data = path.read_bytes()
        if offset == 0x8000 and data[:2] == b"\xaa\x50":  # partition table magic
            continue
        chip = image_chip(data, path.name)
        if chip != TARGET_CHIP:
            raise TinydevError(f"{path.name} is built for {chip}, not {TARGET_CHIP}", "build with --board ESP32_S3")


def flash(port, firmware, baud=460800):
    """Detect the chip on `port`, check it matches the images, write them, and reset the chip."""
    from esptool import cmds

    plan = flash_plan(firmware)
    check_images(plan)
    try:
        esp = cmds.detect_chip(port, baud=115200)
    except Exception as exc:  # esptool raises its own error types, OSError and serial errors
        raise TinydevError(f"no ESP chip answered on {port}: {' '.join(str(exc).split())}", "check the cable and port; hold BOOT while pressing RESET") from None
    try:
        if esp.CHIP_NAME != TARGET_CHIP:
            raise TinydevError(f"the chip on {port} is {esp.CHIP_NAME}, the image is for {TARGET_CHIP}")
        esp = cmds.run_stub(esp)
        if baud != 115200:
            esp.change_baud(baud)
        cmds.attach_flash(esp)
        cmds.write_flash(esp, [(offset, str(path)) for offset, path in plan])
        cmds.reset_chip(esp, "hard-reset")
    finally:
        esp._port.close()
    return plan
