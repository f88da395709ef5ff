"""Run MicroPython snippets that use tinyml.dsp on a device and get arrays back.

The same script text runs on the UNIX firmware (a subprocess) and on a board through mpremote,
so data travels as hex in the script and in printed lines:
  inputs : `name = _in('f', '<hex>')`           (an array with the given typecode)
  outputs: `_out('name', arr)` prints `@OUT name <hex>`; the host decodes it with a numpy dtype.
"""
from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np

PRELUDE = """\
import array, tinyml
try:
    from binascii import hexlify, unhexlify
except ImportError:
    from ubinascii import hexlify, unhexlify
dsp = tinyml.dsp
def _in(tc, h):
    return array.array(tc, unhexlify(h))
def _out(name, a):
    print('@OUT', name, hexlify(bytes(a)).decode())
"""

TYPECODE = {np.dtype(np.int16): "h", np.dtype(np.float32): "f", np.dtype(np.int8): "b",
            np.dtype(np.uint8): "B"}


def literal(name: str, a: np.ndarray) -> str:
    """Script line that recreates array `a` (int16, float32, int8 or uint8) as `name`."""
    a = np.ascontiguousarray(a)
    return f"{name} = _in('{TYPECODE[a.dtype]}', '{a.tobytes().hex()}')\n"


class DeviceError(RuntimeError):
    pass


class UnixDevice:
    """The UNIX firmware as a device: one process per script."""

    def __init__(self, firmware):
        self.firmware = str(firmware)

    def exec(self, script: str, timeout: float = 120) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(script)  # a file, not -c: scripts with data outgrow one argv string
        try:
            p = subprocess.run([self.firmware, "-X", "heapsize=8M", f.name], capture_output=True,
                               text=True, timeout=timeout)
        finally:
            os.unlink(f.name)
        if p.returncode != 0:
            raise DeviceError(f"device script failed:\n{p.stdout[-600:]}\n{p.stderr[-2000:]}")
        return p.stdout


class MpremoteDevice:
    """A board (e.g. VIRT_M4 under qemu) on a serial port, through mpremote."""

    def __init__(self, port: str):
        self.port = port

    def exec(self, script: str, timeout: float = 600) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(script)
            path = f.name
        try:
            p = subprocess.run(["mpremote", "connect", self.port, "run", path], capture_output=True,
                               text=True, timeout=timeout)
        finally:
            os.unlink(path)
        if p.returncode != 0 or "Traceback" in p.stdout:
            raise DeviceError(f"device script failed:\n{p.stdout[-600:]}\n{p.stderr[-2000:]}")
        return p.stdout


def run(device, body: str, outputs: dict[str, np.dtype] | None = None, **inputs) -> dict:
    """Run `body` with `inputs` bound as arrays; return {name: ndarray or text lines}."""
    script = PRELUDE + "".join(literal(k, v) for k, v in inputs.items()) + body
    text = device.exec(script)
    result: dict = {"_lines": []}
    for line in text.splitlines():
        if line.startswith("@OUT "):
            _, name, hx = line.split(" ", 2)
            dtype = (outputs or {}).get(name.split(".")[0], np.float32)
            result[name] = np.frombuffer(bytes.fromhex(hx.strip()), dtype=dtype)
        else:
            result["_lines"].append(line)
    return result
