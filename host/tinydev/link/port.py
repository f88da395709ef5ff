"""Which board to talk to: an explicit port, else the running virtual board, else mpremote's auto."""
from ..errors import TinydevError


def resolve_port(port=None, base=None):
    """The serial port (or mpremote URL) for a command.

    An explicit `port` wins; with none, a running VIRT_M4 virtual board is used; failing that,
    mpremote's `auto` (the first USB serial board it finds)."""
    if port:
        return port
    from ..vboard.qemu import status

    board = status("VIRT_M4", base)
    if board:
        return board.port
    from serial.tools import list_ports

    if any(p.vid for p in list_ports.comports()):
        return "auto"
    raise TinydevError("no board: none connected and no virtual board running", "pass --port, or run `tinydev vboard start`")
