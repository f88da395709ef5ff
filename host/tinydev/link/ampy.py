"""`--transport ampy`: run a script with adafruit-ampy's Pyboard, the fallback for boards whose
raw-REPL paste mode misbehaves (ampy writes the script in plain raw REPL, 32 bytes at a time).

Unlike `ampy run` (which gives up after 10 s without output) the output is followed until the
script ends; Ctrl-C interrupts the script on the board."""
import sys
from pathlib import Path

from ..errors import TinydevError
from .port import resolve_port


def _write(out):
    def consume(data):
        data = data.replace(b"\x04", b"")
        if data:
            out.write(data)
            out.flush()

    return consume


def run_file(port, file, follow=True, out=None):
    """Run FILE on the board through ampy; return 0, or 1 when the script raised."""
    try:
        from ampy.pyboard import Pyboard, PyboardError
    except ImportError:
        raise TinydevError("adafruit-ampy is not installed", "pip install adafruit-ampy") from None
    device = resolve_port(port)
    if device == "auto":
        raise TinydevError("--transport ampy needs a port", "pass --port")
    out = out or sys.stdout.buffer
    source = Path(file).read_bytes()
    try:
        board = Pyboard(device, baudrate=115200)
    except PyboardError as exc:
        raise TinydevError(f"ampy: {exc.args[0]} (it may be in use by another program)") from None
    try:
        board.enter_raw_repl()
        board.exec_raw_no_follow(source)
        if not follow:
            return 0
        try:
            _, err = board.follow(None, data_consumer=_write(out))
        except KeyboardInterrupt:
            board.serial.write(b"\x03")
            _, err = board.follow(5, data_consumer=_write(out))
            return 130
        if err:
            out.write(err)
            out.flush()
            return 1
        return 0
    except PyboardError as exc:
        raise TinydevError(f"ampy: {' '.join(str(a) for a in exc.args)}") from None
    finally:
        try:
            if follow:
                board.exit_raw_repl()
        finally:
            board.close()
