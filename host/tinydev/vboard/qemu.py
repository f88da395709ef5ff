"""Start, stop and query the VIRT_M4 virtual board.

QEMU runs detached in its own session (so stopping it kills nothing else and leaves nothing
behind), with `-icount shift=0` (one instruction = 1 ns of virtual time: deterministic timing),
the UART on a pty for mpremote (kept connected by tinydev.vboard.bridge, so a new connection
gets its answer at once), and a per-board disk image that the firmware's littlefs keeps across
restarts. State (pids, port) lives in a small JSON file beside the image.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir

QEMU = "qemu-system-arm"
MACHINE = "mps2-an386"
DISK_NAME = "vfs.img"


@dataclass
class BoardInfo:
    board: str
    pid: int
    port: str
    disk: str
    firmware: str
    started: float
    bridge_pid: int = 0
    uart_socket: str = ""


def state_dir(board, base=None):
    path = Path(base) / board if base else cache_dir("vboard", board)
    path.mkdir(parents=True, exist_ok=True)
    return path


def qemu_command(firmware, disk, fast_idle=False, uart_socket=None):
    """The QEMU command line of the VIRT_M4 board (boards/VIRT_M4/README.md explains each part).

    The firmware opens its disk image through semihosting; its path is the `disk=` argument.
    The UART is QEMU's own pty, or with uart_socket a unix socket for tinydev.vboard.bridge."""
    icount = "shift=0,sleep=off" if fast_idle else "shift=0"
    serial = ["-serial", "pty"]
    if uart_socket:
        serial = ["-chardev", f"socket,id=uart0,path={uart_socket},server=on,wait=off", "-serial", "chardev:uart0"]
    return [
        QEMU, "-M", MACHINE, "-nographic", "-monitor", "none",
        "-semihosting-config", f"enable=on,target=native,arg=firmware,arg=disk={disk}",
        "-icount", icount, *serial, "-kernel", str(firmware),
    ]


def _alive(pid):
    """True while the QEMU process runs (a zombie waiting for a reaper has ended)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return QEMU.encode() in cmdline and state not in ("Z", "X")


def _read_state(path):
    try:
        info = BoardInfo(**json.loads((path / "state.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return info if _alive(info.pid) else None


def status(board="VIRT_M4", base=None):
    """BoardInfo of the running board, or None."""
    return _read_state(state_dir(board, base))


def _first_error(log_path):
    """The line of QEMU's log that says what went wrong (not the register dump after it)."""
    lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    for line in lines:
        if "qemu" in line.lower() or "error" in line.lower():
            return line[:200]
    return lines[-1][:200] if lines else "no output"


def _wait_for_pty(port_file, procs, log_path, timeout):
    """The bridge's pty path, once it has connected to QEMU's UART socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists():
            return port_file.read_text().strip()
        for name, proc in procs:
            if proc.poll() is not None:
                raise TinydevError(f"{name} exited at start: {_first_error(log_path)}", f"see {log_path}")
        time.sleep(0.02)
    raise TinydevError("the virtual board's serial pty did not appear", f"see {log_path}")


def _wait_for_repl(port, proc, log_path, timeout):
    """Interrupt whatever main.py does and wait for the friendly REPL prompt."""
    import serial

    deadline = time.monotonic() + timeout
    try:
        with serial.Serial(port, 115200, timeout=0.2) as ser:
            seen = b""
            while time.monotonic() < deadline and proc.poll() is None:
                ser.write(b"\r\x03\x02")
                seen = (seen + ser.read(256))[-512:]
                if b">>> " in seen:
                    return
    except (OSError, serial.SerialException):
        pass
    if proc.poll() is not None:
        raise TinydevError(f"QEMU stopped while the board booted: {_first_error(log_path)}", f"see {log_path}")
    raise TinydevError(f"the virtual board on {port} did not answer with a REPL prompt", f"check the firmware; see {log_path}")


def start(board="VIRT_M4", firmware=None, fast_idle=False, base=None, timeout=30):
    """Start the board (or return the one already running) and return its BoardInfo."""
    if shutil.which(QEMU) is None:
        raise TinydevError(f"{QEMU} not found", "apt-get install qemu-system-arm")
    folder = state_dir(board, base)
    running = _read_state(folder)
    if running:
        return running
    if firmware is None:
        from ..firmware.build import build_firmware

        firmware = build_firmware(board, quiet=True).firmware
    firmware = Path(firmware).resolve()
    log_path = folder / "qemu.log"
    # A short socket path: unix sockets allow ~100 bytes, a test's tmp folder can be longer.
    uart_socket = Path(tempfile.mkdtemp(prefix="tdvb-")) / "uart"
    port_file = folder / "port"
    port_file.unlink(missing_ok=True)
    with open(log_path, "w") as log, open(folder / "bridge.log", "w") as bridge_log:
        proc = subprocess.Popen(
            qemu_command(firmware, folder / DISK_NAME, fast_idle, uart_socket), cwd=folder, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        bridge = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("bridge.py")), str(uart_socket), str(port_file)],
            stdin=subprocess.DEVNULL, stdout=bridge_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        port = _wait_for_pty(port_file, (("QEMU", proc), ("the serial bridge", bridge)), log_path, timeout)
        info = BoardInfo(board, proc.pid, port, str(folder / DISK_NAME), str(firmware), time.time(), bridge.pid, str(uart_socket))
        (folder / "state.json").write_text(json.dumps(asdict(info)))
        _wait_for_repl(port, proc, log_path, timeout)
    except BaseException:
        _kill(proc.pid)
        _kill(bridge.pid, is_ours=_is_bridge)
        shutil.rmtree(uart_socket.parent, ignore_errors=True)
        raise
    return info


def _is_bridge(pid):
    try:
        return b"bridge.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _kill(pid, grace=5.0, is_ours=None):
    alive = is_ours or _alive
    if not pid or not alive(pid):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child: poll /proc instead
                done = 0 if alive(pid) else pid
            if done == pid or not alive(pid):
                return
            time.sleep(0.05)


def stop(board="VIRT_M4", base=None):
    """Stop the board if it runs; True when something was stopped. The disk image stays."""
    folder = state_dir(board, base)
    info = _read_state(folder)
    (folder / "state.json").unlink(missing_ok=True)
    if info is None:
        return False
    _kill(info.pid)
    _kill(info.bridge_pid, is_ours=_is_bridge)  # it ends by itself when QEMU closes the socket
    if info.uart_socket:
        shutil.rmtree(Path(info.uart_socket).parent, ignore_errors=True)
    return True
