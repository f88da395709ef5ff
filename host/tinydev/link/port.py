"""Which board to talk to: an explicit port, else the running virtual board, else mpremote's auto;
and a connection to it through mpremote's transport."""
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


def open_transport(port=None):
    """An mpremote SerialTransport on the resolved port ("auto": the first USB serial board)."""
    import serial.tools.list_ports
    from mpremote.transport import TransportError
    from mpremote.transport_serial import SerialTransport

    device = resolve_port(port)
    if device == "auto":
        found = [p.device for p in sorted(serial.tools.list_ports.comports()) if p.vid is not None and p.pid is not None]
        if not found:
            raise TinydevError("no board: no USB serial device found", "pass --port")
        device = found[0]
    elif device.startswith("port:"):
        device = device[len("port:"):]
    try:
        return SerialTransport(device, baudrate=115200)
    except TransportError as exc:
        raise TinydevError(f"{exc.args[0]} (it may be in use by another program, e.g. mpremote)",
                           "close the other program, or pass --port") from None
