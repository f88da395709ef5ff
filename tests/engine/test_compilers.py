"""Every engine C file (and dsp/) compiles warning-free as C99 under each toolchain we ship for.

    -std=c99 -Wall -Wextra -Werror -Os -c   with gcc, clang, arm-none-eabi-gcc (Cortex-M4F) and
                                             xtensa-lx106-elf-gcc (-mlongcalls)

Both kernel selections are compiled: the default one (fast/, or arm_dsp/ where the target has
the DSP extension) and -DTML_KERNELS_PORTABLE (reference kernels only). A compiler that is not
installed is skipped with the reason; CI installs all four.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ref import REPO, cmsis_include

TINYML = REPO / "cmodules" / "tinyml"
ENGINE = TINYML / "engine"
DSP = TINYML / "dsp"
SKIP_DIRS = {"fuzz", "tools"}   # the libFuzzer harness is clang-only by design

COMMON = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-Os", "-c", f"-I{ENGINE}", f"-I{DSP}", f"-I{TINYML}"]
COMPILERS = {
    "gcc": ["gcc"],
    "clang": ["clang"],
    "arm-none-eabi-gcc": ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
                          "-mfpu=fpv4-sp-d16", "-ffunction-sections", "-fdata-sections"],
    # Debian's lx106 gcc has no C library of its own: picolibc brings the headers
    "xtensa-lx106-elf-gcc": ["xtensa-lx106-elf-gcc", "-mlongcalls", "--specs=/usr/lib/xtensa-lx106-elf/picolibc.specs"],
}
NEEDS_FILE = {
    "xtensa-lx106-elf-gcc": (Path("/usr/lib/xtensa-lx106-elf/picolibc.specs"),
                             "apt-get install picolibc-xtensa-lx106-elf (its C library headers)"),
}
INSTALL_HINT = {
    "gcc": "apt-get install gcc",
    "clang": "apt-get install clang",
    "arm-none-eabi-gcc": "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi",
    "xtensa-lx106-elf-gcc": "apt-get install gcc-xtensa-lx106 picolibc-xtensa-lx106-elf",
}


_INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def _is_binding(p: Path, seen=None) -> bool:
    """MicroPython binding files (they include py/*.h, maybe through a local header) are not
    plain C: the firmware builds them."""
    seen = set() if seen is None else seen
    if p in seen or not p.exists():
        return False
    seen.add(p)
    for inc in _INC.findall(p.read_text(errors="replace")):
        if inc.startswith("py/"):
            return True
        if _is_binding(p.parent / inc, seen):
            return True
    return False



def c_sources() -> list[Path]:
    files = []
    for root in (ENGINE, DSP):
        if root.is_dir():
            files += [p for p in sorted(root.rglob("*.c"))
                      if not (set(p.relative_to(root).parts[:-1]) & SKIP_DIRS) and not _is_binding(p)]
    return files


def _compile(cmd: list[str], src: Path, out_dir: Path) -> tuple[Path, str] | None:
    obj = out_dir / (str(src.relative_to(TINYML)).replace(os.sep, "__") + ".o")
    r = subprocess.run(cmd + [str(src), "-o", str(obj)], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        return src, (r.stderr or r.stdout).strip()
    return None


@pytest.mark.parametrize("variant", ["default", "portable"])
@pytest.mark.parametrize("compiler", list(COMPILERS))
def test_engine_compiles_clean(compiler, variant, tmp_path):
    cmd = COMPILERS[compiler]
    if shutil.which(cmd[0]) is None:
        pytest.skip(f"PREREQUISITE MISSING: {cmd[0]} not installed ({INSTALL_HINT[compiler]})")
    if compiler in NEEDS_FILE and not NEEDS_FILE[compiler][0].exists():
        pytest.skip(f"PREREQUISITE MISSING: {NEEDS_FILE[compiler][0]} ({NEEDS_FILE[compiler][1]})")
    srcs = c_sources()
    assert len(srcs) > 10, f"expected the engine's C files under {ENGINE}"
    full = cmd + COMMON + (["-DTML_KERNELS_PORTABLE"] if variant == "portable" else [])
    if compiler == "arm-none-eabi-gcc" and variant == "default":
        inc = cmsis_include()
        if inc is None:
            pytest.skip("PREREQUISITE MISSING: CMSIS-Core headers (cmsis_gcc.h) for kernels/arm_dsp: "
                        "MicroPython's lib/cmsis/inc, fetched by `tinydev firmware build`")
        full.append(f"-I{inc}")
    with ThreadPoolExecutor(max_workers=2) as ex:
        results = [r for r in ex.map(lambda s: _compile(full, s, tmp_path), srcs) if r]
    if results:
        msg = [f"{compiler} ({variant}): {len(results)} of {len(srcs)} files fail "
               f"`{' '.join(full)}`:"]
        for src, err in results[:15]:
            msg.append(f"--- {src.relative_to(REPO)}\n{err[:1500]}")
        pytest.fail("\n".join(msg), pytrace=False)
