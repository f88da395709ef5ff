"""Running mpremote as the transport: the same commands users know, on the port we resolved."""
import subprocess
import sys

from .port import resolve_port


def mpremote_args(port, *args):
    return [sys.executable, "-m", "mpremote", "connect", resolve_port(port), *args]


def run_mpremote(port, *args):
    """Run mpremote attached to this terminal; return its exit code."""
    return subprocess.call(mpremote_args(port, *args))
