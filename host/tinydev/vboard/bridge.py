"""The virtual board's serial port: a pty that stays connected to QEMU's UART.

QEMU's own `-serial pty` notices a reopened pty only on a 1-second poll, so every new
connection (each mpremote or tinydev command) waited up to a second for the board's first
answer. Here QEMU's UART is a unix socket and this process, started beside QEMU, owns a pty
pair for as long as the board runs: clients open the pty's slave end (/dev/pts/N) as before,
and bytes flow at once. Like a USB-serial adapter, output with no client attached is dropped
(the board never stalls on an unread port); with a client attached it waits for the client.

    python -m tinydev.vboard.bridge SOCKET PORT_FILE
It writes the pty's path to PORT_FILE once it is connected to SOCKET, and exits when QEMU
closes the socket.
"""
import errno
import os
import select
import socket
import sys
import time
import tty

IDLE_POLL_S = 0.005  # how often to look for a client while none has the pty open


def open_pty():
    """(master fd, slave path), the slave end raw (no echo, no line editing) for every client."""
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)  # only clients hold the slave: the master then sees POLLHUP when none does
    os.set_blocking(master, False)
    return master, path


def connect(path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _poll_flags(fd):
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLOUT)
    events = p.poll(0)
    return events[0][1] if events else 0


def to_client(master, data):
    """Write all of data to the client, waiting while it reads; drop it when no client is left."""
    view = memoryview(data)
    while view:
        if _poll_flags(master) & select.POLLHUP:
            return
        try:
            view = view[os.write(master, view):]
        except BlockingIOError:
            select.select([], [master], [], 0.05)
        except OSError as exc:  # EIO: the client closed its end meanwhile
            if exc.errno != errno.EIO:
                raise
            return


def pump(sock, master):
    """Copy bytes both ways until QEMU closes the socket."""
    while True:
        flags = _poll_flags(master)
        attached = not flags & select.POLLHUP
        readable = [sock, master] if attached else [sock]
        ready, _, _ = select.select(readable, [], [], None if attached else IDLE_POLL_S)
        if sock in ready:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:  # QEMU stopped
                return
            if not data:
                return
            if attached:
                to_client(master, data)
        if master in ready:
            try:
                data = os.read(master, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                if exc.errno != errno.EIO:  # EIO: the last client has just closed the pty
                    raise
                continue
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                return


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: python -m tinydev.vboard.bridge SOCKET PORT_FILE")
    sock_path, port_file = argv
    sock = connect(sock_path)
    master, path = open_pty()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(path)
    os.replace(tmp, port_file)
    try:
        pump(sock, master)
    finally:
        os.close(master)
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:])
