"""Build the C inference engine (cmodules/tinyml/engine) as a host shared library.

The same C sources that go into the firmware are compiled with the host's cc into
``~/.cache/tinydev/hostlib/<hash>/libtml.so``; the hash covers every source file, the flags and
the compiler, so an edit anywhere rebuilds and an unchanged tree reuses the cached library.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# Kernel sets live in kernels/<set>/; each guards itself with the selection macros of
# kernels/tml_kernels.h, so all of them are compiled and the preprocessor picks.
ENGINE_DIRS = ("", "ops", "kernels/*")
BASE_FLAGS = ("-std=c99", "-O2", "-fPIC", "-shared", "-Wall", "-Wextra")
SANITIZE_FLAGS = ("-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                  "-fno-sanitize-recover=undefined")


class HostLibError(RuntimeError):
    """The host compiler failed or is missing."""


def engine_dir() -> Path:
    """The engine sources: $TINYDEV_ENGINE_SRC, else the repository's cmodules/tinyml/engine."""
    env = os.environ.get("TINYDEV_ENGINE_SRC")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "cmodules" / "tinyml" / "engine"


def engine_sources(root: Path | None = None) -> list[Path]:
    root = root or engine_dir()
    files: list[Path] = []
    for sub in ENGINE_DIRS:
        files += sorted(root.glob(f"{sub}/*.c" if sub else "*.c"))
    return files


def _headers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.h"))


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tinydev" / "hostlib"


def _compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise HostLibError("no C compiler found (set CC)")
    return cc


KERNEL_SETS = {"auto": (), "portable": ("-DTML_KERNELS_PORTABLE",), "fast": ("-DTML_KERNELS_NO_ARM_DSP",),
               # arm_dsp/ with plain-C models of SMLAD & co (kernels/arm_dsp/tml_arm_emulate.h)
               "arm_dsp_emulated": ("-DTML_ARM_DSP_EMULATE",)}


def build_hostlib(sanitize: bool = False, force: bool = False, kernels: str = "auto") -> Path:
    """Compile (or reuse) libtml.so and return its path.

    sanitize=True builds with ASan+UBSan (the process must then preload libasan).
    kernels: "auto" (what the firmware picks for this CPU: fast/ on a PC), "portable" (the
    reference kernels only) or "fast".
    """
    if kernels not in KERNEL_SETS:
        raise ValueError(f"kernels must be one of {sorted(KERNEL_SETS)}")
    root = engine_dir()
    sources = engine_sources(root)
    if not sources:
        raise HostLibError(f"no engine sources under {root}")
    cc = _compiler()
    flags = list(BASE_FLAGS) + (list(SANITIZE_FLAGS) if sanitize else [])
    flags += list(KERNEL_SETS[kernels]) + [f"-I{root}"]
    # TINYDEV_KERNELS=portable: the reference kernels only (for comparisons with the fast set).
    if os.environ.get("TINYDEV_KERNELS") == "portable":
        flags.append("-DTML_KERNELS_PORTABLE")
    digest = hashlib.sha256()
    digest.update(" ".join([cc] + flags).encode())
    for path in sources + _headers(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    out_dir = cache_root() / digest.hexdigest()[:16]
    lib = out_dir / ("libtml_san.so" if sanitize else "libtml.so")
    if lib.exists() and not force:
        return lib
    out_dir.mkdir(parents=True, exist_ok=True)
    # Build to a temporary name, then rename: concurrent test workers never see half a file.
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=out_dir)
    os.close(fd)
    cmd = [cc, *flags, "-o", tmp, *map(str, sources), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        os.unlink(tmp)
        raise HostLibError("building the engine failed:\n" + proc.stderr[-4000:])
    os.replace(tmp, lib)
    return lib
