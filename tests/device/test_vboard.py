"""`tinydev vboard`: QEMU lifecycle, the pty that mpremote talks to, and a disk that persists."""
import os
import subprocess
import sys
import time

import serial

from board_link import mpremote
from tinydev.vboard import qemu

TINYDEV = [sys.executable, "-m", "tinydev.cli"]


def _cli(*args, env=None):
    return subprocess.run(TINYDEV + list(args), capture_output=True, text=True, timeout=120, env=env)


def test_start_status_stop_through_the_cli(virt_m4_fw, tmp_path):
    env = {**os.environ, "TINYDEV_CACHE": str(tmp_path)}
    started = _cli("vboard", "start", "--firmware", str(virt_m4_fw), env=env)
    assert started.returncode == 0, started.stderr
    port = started.stdout.strip()
    assert port.startswith("/dev/pts/")
    try:
        status = _cli("vboard", "status", env=env)
        assert status.returncode == 0 and port in status.stdout
        pid = int(status.stdout.split("pid ")[1].split(",")[0])
        assert "2" in mpremote(port, "exec", "print(1 + 1)")
        again = _cli("vboard", "start", "--firmware", str(virt_m4_fw), env=env)  # idempotent
        assert again.stdout.strip() == port
        script = tmp_path / "hello.py"
        script.write_text("print('answer', 6 * 7)\n")
        ran = _cli("run", str(script), env=env)  # no --port: the running virtual board
        assert ran.returncode == 0 and "answer 42" in ran.stdout, ran.stderr
    finally:
        stopped = _cli("vboard", "stop", env=env)
    assert stopped.stdout.strip() == "stopped"
    assert not qemu._alive(pid), "QEMU still runs after stop"
    assert _cli("vboard", "status", env=env).returncode == 1
    assert _cli("vboard", "stop", env=env).stdout.strip() == "not running"
    no_board = _cli("run", str(script), env=env)
    assert no_board.returncode == 1 and "no board" in no_board.stderr


def test_files_survive_a_restart(virt_m4_fw, tmp_path):
    source = tmp_path / "data.txt"
    source.write_text("kept across restarts\n")
    board = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=tmp_path)
    try:
        mpremote(board.port, "fs", "cp", str(source), ":data.txt")
    finally:
        qemu.stop("VIRT_M4", base=tmp_path)
    assert (tmp_path / "VIRT_M4" / qemu.DISK_NAME).stat().st_size > 0  # the image lives on the host
    board = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=tmp_path)
    try:
        assert mpremote(board.port, "exec", "print(open('data.txt').read())").strip() == "kept across restarts"
    finally:
        qemu.stop("VIRT_M4", base=tmp_path)


def test_mpremote_run_a_script(vboard, tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys\nprint('running on', sys.implementation._machine)\n")
    out = mpremote(vboard.port, "run", str(script))
    assert "running on" in out and "Cortex-M4F" in out


def test_friendly_repl_over_the_pty(vboard):
    with serial.Serial(vboard.port, 115200, timeout=0.2) as ser:
        ser.write(b"\r\x03\x02")  # interrupt, leave raw mode: the friendly REPL
        time.sleep(0.3)
        ser.reset_input_buffer()
        ser.write(b"6 * 7\r")
        seen = b""
        deadline = time.monotonic() + 10
        while b"42" not in seen and time.monotonic() < deadline:
            seen += ser.read(64)
    assert b"42" in seen


def test_ctrl_c_interrupts_a_running_loop(vboard):
    with serial.Serial(vboard.port, 115200, timeout=0.2) as ser:
        ser.write(b"\r\x03\x02")
        time.sleep(0.3)
        ser.write(b"n = 0\rwhile True: n += 1\r\r")
        seen = b""
        deadline = time.monotonic() + 20
        while b"KeyboardInterrupt" not in seen and time.monotonic() < deadline:
            if b"... \r\n" in seen:  # the loop has been entered: interrupt it (again, if it was early)
                ser.write(b"\x03")
            seen += ser.read(128)
        ser.write(b"print('n', n > 0)\r")
        while b"n True" not in seen and time.monotonic() < deadline:
            seen += ser.read(128)
    assert b"KeyboardInterrupt" in seen
    assert b"n True" in seen  # the loop really ran, and the board is still alive


def test_start_fails_clearly_on_a_bad_firmware(tmp_path):
    bogus = tmp_path / "bogus.elf"
    bogus.write_bytes(b"not an elf")
    result = _cli("vboard", "start", "--firmware", str(bogus), env={**os.environ, "TINYDEV_CACHE": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error:")
