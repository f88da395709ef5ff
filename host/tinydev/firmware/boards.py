"""The boards tinydev builds, and what each needs from make (or idf.py) and the host."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Board:
    name: str
    port: str  # directory under ports/
    artifact: str  # file the build makes, relative to the build dir
    compiler: str  # the compiler that must be on PATH
    install_hint: str
    make_vars: dict = field(default_factory=dict)  # extra make variables; {root}, {board_dir}, {build} are filled in

    def board_dir(self, root):
        return root / "boards" / self.name


BOARDS = {
    "UNIX": Board(
        name="UNIX",
        port="unix",
        artifact="micropython",
        compiler="cc",
        install_hint="apt-get install build-essential pkg-config",
        make_vars={"VARIANT_DIR": "{board_dir}", "FROZEN_MANIFEST": "{board_dir}/manifest.py"},
    ),
    "VIRT_M4": Board(
        name="VIRT_M4",
        port="qemu",
        artifact="firmware.elf",
        compiler="arm-none-eabi-gcc",
        install_hint="apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm",
        make_vars={"BOARD": "VIRT_M4", "BOARD_DIR": "{board_dir}", "FROZEN_MANIFEST": "{board_dir}/manifest.py"},
    ),
    "ESP32_S3": Board(
        name="ESP32_S3",
        port="esp32",
        artifact="firmware.bin",
        compiler="idf.py",
        install_hint="install ESP-IDF 5.x (5.2 to 5.4) and run `. $IDF_PATH/export.sh`",
    ),
}


def get_board(name):
    from ..errors import TinydevError

    try:
        return BOARDS[name.upper()]
    except KeyError:
        raise TinydevError(f"unknown board {name!r}", "choose one of " + ", ".join(BOARDS)) from None
