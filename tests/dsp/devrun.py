"""Run MicroPython snippets that use tinyml.dsp on a device and get arrays back.

The same script runs on the UNIX firmware (a subprocess, files in a host temp dir) and on a board
through mpremote (files on the board's filesystem, copied with `mpremote cp`). Arrays travel as
raw little-endian files, so a board's heap only ever holds the arrays themselves:
  inputs : `_in(typecode, 'name')`  reads <dir>/in_name.bin into an array
  outputs: `_out('name', arr)`      prints `@OUT name <hex>` lines, 128 items each (the board to
                                    host direction of a qemu UART is fast; uploads are ~3 KB/s,
                                    so tests send a board fewer inputs: see `pick`)
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

PRELUDE = """\
import array, tinyml
try:
    from binascii import hexlify
except ImportError:
    from ubinascii import hexlify
dsp = tinyml.dsp
_DIR = {dir!r}
def _in(tc, name):
    with open(_DIR + '/in_' + name + '.bin', 'rb') as f:
        data = f.read()
    return array.array(tc, data)
def _out(name, a):
    m = memoryview(a)
    if not len(m):
        print('@OUT', name, '')
    for i in range(0, len(m), 128):  # items; hexlify sees the slice's raw bytes
        print('@OUT', name, hexlify(m[i:i + 128]).decode())
"""

TYPECODE = {np.dtype(np.int16): "h", np.dtype(np.float32): "f", np.dtype(np.int8): "b",
            np.dtype(np.uint8): "B"}


class DeviceError(RuntimeError):
    pass


def _check(p: subprocess.CompletedProcess, what: str) -> str:
    # UBSan reports and carries on, so its messages on stderr count as failures too.
    sanitizer = "runtime error:" in (p.stderr or "") or "Sanitizer" in (p.stderr or "")
    if p.returncode != 0 or sanitizer or "Traceback (most recent call last)" in p.stdout:
        raise DeviceError(f"{what} failed:\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
    return p.stdout


class UnixDevice:
    """The UNIX firmware as a device: one process per script, files in a host temp dir."""

    def __init__(self, firmware):
        self.firmware = str(firmware)

    full = True  # fast: every test signal

    def session(self, inputs: dict[str, bytes], script_for) -> str:
        with tempfile.TemporaryDirectory(prefix="dsp-") as d:
            for name, data in inputs.items():
                Path(d, f"in_{name}.bin").write_bytes(data)
            script = Path(d, "script.py")
            script.write_text(script_for(d))
            p = subprocess.run([self.firmware, "-X", "heapsize=8M", str(script)], capture_output=True,
                               text=True, timeout=300)
            return _check(p, "device script")


class MpremoteDevice:
    """A board (e.g. VIRT_M4 under qemu) on a serial port, through mpremote."""

    DIR = "/dsp_t"
    full = False  # uploads are slow: tests send a representative subset of their signals

    def __init__(self, port: str, mpremote: str = "mpremote"):
        self.port = port
        self.mpremote = mpremote

    def _mpremote(self, *args: str, timeout: float = 900) -> str:
        p = subprocess.run([self.mpremote, "connect", self.port, *args], capture_output=True, text=True,
                           timeout=timeout)
        return _check(p, "mpremote " + " ".join(args[:3]))

    def session(self, inputs: dict[str, bytes], script_for) -> str:
        with tempfile.TemporaryDirectory(prefix="dsp-") as d:
            files = []
            for name, data in inputs.items():
                Path(d, f"in_{name}.bin").write_bytes(data)
                files.append(str(Path(d, f"in_{name}.bin")))
            script = Path(d, "script.py")
            script.write_text(script_for(self.DIR))
            # One connection: clear the folder, upload inputs, run.
            cmd = ["exec", f"import os\ntry:\n for f in os.listdir('{self.DIR}'): os.remove('{self.DIR}/'+f)\n"
                           f"except OSError:\n os.mkdir('{self.DIR}')"]
            if files:
                cmd += ["+", "cp", *files, f":{self.DIR}/"]
            cmd += ["+", "run", str(script)]
            return self._mpremote(*cmd)


def pick(device, signals: dict, keep) -> dict:
    """All signals on a fast device; on a slow one only those named in `keep`."""
    return signals if device.full else {k: v for k, v in signals.items() if k in keep}


def run(device, body: str, outputs: dict[str, np.dtype] | None = None, **inputs) -> dict:
    """Run `body` with each input array bound to its name; return {output name: ndarray}
    plus "_lines": the other printed lines. Output dtypes default to float32; `outputs` maps a
    name (or its prefix before the first '.') to another dtype."""
    data = {}
    binds = ""
    for name, a in inputs.items():
        a = np.ascontiguousarray(a)
        data[name] = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        binds += f"{name} = _in('{TYPECODE[a.dtype]}', '{name}')\n"
    text = device.session(data, lambda d: PRELUDE.format(dir=d) + binds + body)
    result: dict = {"_lines": []}
    raw: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("@OUT "):
            parts = line.split(" ")
            raw.setdefault(parts[1], []).append(parts[2] if len(parts) > 2 else "")
        else:
            result["_lines"].append(line)
    for name, chunks in raw.items():
        dtype = (outputs or {}).get(name, (outputs or {}).get(name.split(".")[0], np.float32))
        result[name] = np.frombuffer(bytes.fromhex("".join(chunks)), dtype=dtype)
    return result

