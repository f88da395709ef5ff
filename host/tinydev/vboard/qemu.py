"""Start, stop and query the VIRT_M4 virtual board.

QEMU runs detached in its own session (so stopping it kills nothing else and leaves nothing
behind), with `-icount shift=0` (one instruction = 1 ns of virtual time: deterministic timing),
the UART on a pty for mpremote, and a per-board disk image that the firmware's littlefs keeps
across restarts. State (pid, port) lives in a small JSON file beside the image.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir

QEMU = "qemu-system-arm"
MACHINE = "mps2-an386"
DISK_NAME = "vfs.img"
_PTY_LINE = re.compile(r"char device redirected to (/dev/pts/\d+)")


@dataclass
class BoardInfo:
    board: str
    pid: int
    port: str
    disk: str
    firmware: str
    started: float


def state_dir(board, base=None):
    path = Path(base) / board if base else cache_dir("vboard", board)
    path.mkdir(parents=True, exist_ok=True)
    return path


def qemu_command(firmware, disk, fast_idle=False):
    """The QEMU command line of the VIRT_M4 board (boards/VIRT_M4/README.md explains each part).

    The firmware opens its disk image through semihosting; its path is the `disk=` argument."""
    icount = "shift=0,sleep=off" if fast_idle else "shift=0"
    return [
        QEMU, "-M", MACHINE, "-nographic", "-monitor", "none",
        "-semihosting-config", f"enable=on,target=native,arg=firmware,arg=disk={disk}",
        "-icount", icount, "-serial", "pty", "-kernel", str(firmware),
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


def _wait_for_pty(log_path, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = _PTY_LINE.search(log_path.read_text(errors="replace"))
        if match:
            return match.group(1)
        if proc.poll() is not None:
            raise TinydevError(f"QEMU exited at start: {log_path.read_text(errors='replace').strip()[-300:]}")
        time.sleep(0.05)
    raise TinydevError("QEMU did not open its serial pty", f"see {log_path}")


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
        detail = log_path.read_text(errors="replace").strip().splitlines()
        raise TinydevError(f"QEMU stopped while the board booted: {detail[-1] if detail else 'no output'}", f"see {log_path}")
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
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            qemu_command(firmware, folder / DISK_NAME, fast_idle), cwd=folder, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        port = _wait_for_pty(log_path, proc, timeout)
        info = BoardInfo(board, proc.pid, port, str(folder / DISK_NAME), str(firmware), time.time())
        (folder / "state.json").write_text(json.dumps(asdict(info)))
        _wait_for_repl(port, proc, log_path, timeout)
    except BaseException:
        _kill(proc.pid)
        raise
    return info


def _kill(pid, grace=5.0):
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
                done = 0 if _alive(pid) else pid
            if done == pid or not _alive(pid):
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
    return True
