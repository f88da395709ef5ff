"""The BMI270's configuration blob, taken from the installed PyPI package micropython-bmi270
(MIT; module micropython_bmi270.config_file, list bmi270_config_file) at run time, never kept
in this repo. The board's driver (device/tinydev/drivers/bmi270.py) streams it from a file:
`install_blob()` writes that file on the host, `copy_to_board(port)` puts it on a board."""
from pathlib import Path

BOARD_PATH = "/lib/bmi270_config.bin"
SIZE = 8192


class BlobError(RuntimeError):
    pass


def blob() -> bytes:
    """The 8192-byte blob from the installed micropython-bmi270 package."""
    try:
        from micropython_bmi270.config_file import bmi270_config_file
    except ImportError as e:
        raise BlobError("the BMI270 config blob comes from the PyPI package micropython-bmi270, which is not "
                        "installed (pip install micropython-bmi270)") from e
    data = bytes(bmi270_config_file)
    if len(data) != SIZE:
        raise BlobError(f"micropython-bmi270 ships a {len(data)}-byte config blob, expected {SIZE}")
    return data


def install_blob(path) -> Path:
    """Write the blob to `path` (a host file, e.g. for the UNIX board or before a copy)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(blob())
    return p


def copy_to_board(port, tmp_dir, dest=BOARD_PATH):
    """Copy the blob to a board over mpremote (creates /lib)."""
    import subprocess
    import sys
    src = install_blob(Path(tmp_dir) / "bmi270_config.bin")
    mp = [sys.executable, "-m", "mpremote", "connect", port]
    subprocess.run(mp + ["fs", "mkdir", ":" + dest.rsplit("/", 1)[0]], capture_output=True)
    subprocess.run(mp + ["fs", "cp", str(src), ":" + dest], check=True, capture_output=True, timeout=300)
    return dest
