"""The mpy-cross that matches a board's firmware, and .py -> .mpy with a small cache.

A firmware reports its bytecode format in `sys.implementation._mpy`: the low byte is the .mpy
version, bits 8-9 the sub-version, bits 10+ the native architecture. `tinydev firmware build`
builds mpy-cross from the same MicroPython source and caches it under the tinydev cache; any
mpy-cross there (or $TINYDEV_MPY_CROSS) whose `--version` says the same `mpy vX.Y` is used.
"""
import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir

# index = the architecture number in sys.implementation._mpy (py/persistentcode.h)
ARCHS = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp",
         "xtensa", "xtensawin", "rv32imc", "rv64imc")
_VERSION = re.compile(r"mpy v(\d+)\.(\d+)")


def decode_mpy_word(word):
    """(version, sub_version, arch name or None) of a firmware's sys.implementation._mpy."""
    arch = (word >> 10) & 0x3F
    return word & 0xFF, (word >> 8) & 3, ARCHS[arch] if arch < len(ARCHS) else None


def _version_of(binary):
    try:
        out = subprocess.run([str(binary), "--version"], check=False, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _candidates():
    env = os.environ.get("TINYDEV_MPY_CROSS")
    if env:
        yield Path(env)
    yield from sorted(cache_dir("mpy-cross").glob("*/mpy-cross"), key=lambda p: -p.stat().st_mtime)


class MpyCross:
    """Compiles sources for one firmware's .mpy format (version, sub-version, native arch)."""

    def __init__(self, mpy_word):
        self.version, self.sub, self.arch = decode_mpy_word(mpy_word)
        for binary in _candidates():
            if binary.is_file() and _version_of(binary) == (self.version, self.sub):
                self.binary = binary
                break
        else:
            raise TinydevError(
                f"no mpy-cross emitting mpy v{self.version}.{self.sub} (the board's firmware format)",
                "run `tinydev firmware build` (it builds the matching mpy-cross) or set TINYDEV_MPY_CROSS")
        self.identity = hashlib.sha256(self.binary.read_bytes()).hexdigest()[:16] + (self.arch or "")
        self._cache = cache_dir("deploy-mpy")

    def compile(self, source_bytes, name):
        """The .mpy bytes of `source_bytes`; `name` is the source name kept in tracebacks."""
        key = hashlib.sha256(f"{self.identity}|{name}|".encode() + source_bytes).hexdigest()
        cached = self._cache / f"{key}.mpy"
        if cached.is_file():
            return cached.read_bytes()
        with tempfile.TemporaryDirectory(prefix="tinydev-mpy-") as tmp:
            src = Path(tmp) / "src.py"
            out = Path(tmp) / "out.mpy"
            src.write_bytes(source_bytes)
            args = [str(self.binary), "-o", str(out), "-s", name]
            if self.arch:
                args.append(f"-march={self.arch}")
            proc = subprocess.run(args + [str(src)], check=False, capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise TinydevError(f"{name} does not compile: {detail[-1] if detail else 'mpy-cross failed'}",
                                   "fix the syntax error and deploy again")
            data = out.read_bytes()
        tmp_cached = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp_cached.write_bytes(data)
        tmp_cached.replace(cached)
        return data
