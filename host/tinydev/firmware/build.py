"""`tinydev firmware build`: MicroPython + tinyml + the frozen framework, for one board.

A build is cached by a hash of its inputs (MicroPython source identity, the board folder,
cmodules/, device/, the make variables and the compiler): when nothing changed, the previous
firmware is returned at once; otherwise make runs incrementally in the board's build folder.
"""
import hashlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import TinydevError
from ..paths import build_dir, cache_dir, project_root
from .boards import get_board
from .source import get_source
from .tree import patched_tree

_INPUT_DIRS = ("cmodules", "device")
_ERROR_LINE = re.compile(r"(error:|Error \d+|\*\*\*|[Ee]rror in manifest|No such file)")
_COMPILE_LINE = re.compile(r"^(CC|CXX|AS|LINK|MPY|GEN|QSTR|FREEZE)\s+(\S+)")


@dataclass
class BuildResult:
    board: str
    firmware: Path
    cached: bool
    seconds: float
    log: Path


def _hash_tree(digest, path):
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        digest.update(file.read_bytes())


def _compiler_version(compiler):
    try:
        return subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def input_hash(root, board, source, make_vars):
    digest = hashlib.sha256()
    digest.update(f"{source.identity}|{board.name}|{sorted(make_vars.items())}|{_compiler_version(board.compiler)}".encode())
    _hash_tree(digest, board.board_dir(root))
    digest.update((root / "boards" / "manifest_common.py").read_bytes())
    for name in _INPUT_DIRS:
        _hash_tree(digest, root / name)
    return digest.hexdigest()


class _Reporter:
    """Progress for long builds: a spinner with the file being compiled, or nothing when quiet."""

    def __init__(self, quiet):
        self.quiet = quiet
        self._progress = None
        self._task = None

    def __enter__(self):
        if not self.quiet:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task("starting")
        return self

    def __exit__(self, *exc):
        if self._progress:
            self._progress.__exit__(*exc)

    def step(self, text):
        if self._progress:
            self._progress.update(self._task, description=text)
            self._progress.console.print(f"[dim]·[/dim] {text}")

    def detail(self, text):
        if self._progress:
            self._progress.update(self._task, description=text)


def _run_make(args, log_path, reporter, what):
    """Run make, streaming its output to the log and the newest compiled file to the progress line."""
    compiled = 0
    with open(log_path, "a") as log:
        log.write("$ " + " ".join(args) + "\n")
        log.flush()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        for line in proc.stdout:
            log.write(line)
            match = _COMPILE_LINE.match(line)
            if match:
                compiled += 1
                reporter.detail(f"{what}: {compiled} steps, {match.group(1)} {Path(match.group(2)).name}")
        proc.wait()
    if proc.returncode != 0:
        lines = Path(log_path).read_text(errors="replace").splitlines()
        first_error = next((ln.strip() for ln in lines if _ERROR_LINE.search(ln)), lines[-1] if lines else "")
        raise TinydevError(f"{what} failed: {first_error}", f"full log: {log_path}")


def _require_tools(board):
    for tool in (board.compiler, "make", "patch"):
        if shutil.which(tool) is None:
            raise TinydevError(f"{tool} not found, needed to build {board.name}", board.install_hint if tool == board.compiler else f"apt-get install {tool}")


def _build_mpy_cross(tree, source, log_path, reporter, jobs):
    """mpy-cross, built once per MicroPython source outside the tree (the tree stays untouched)."""
    key = hashlib.sha256(f"{source.identity}|{source.path}".encode()).hexdigest()[:16]
    out = cache_dir("mpy-cross") / key
    binary = out / "mpy-cross"
    if not binary.exists():
        reporter.step("building mpy-cross")
        _run_make(["make", "-C", str(tree / "mpy-cross"), f"-j{jobs}", f"BUILD={out}"], log_path, reporter, "mpy-cross")
    return binary


def _require_idf(board):
    idf = shutil.which("idf.py")
    if idf is None or not os.environ.get("IDF_PATH"):
        raise TinydevError("ESP-IDF not found: ESP32_S3 firmware cannot be built on this machine", board.install_hint)
    return idf


def _build_esp32(root, board, source, reporter, log_path):
    idf = _require_idf(board)
    out = build_dir(board.name)
    tree = patched_tree(source, board.name, board.board_dir(root), log=reporter.step)
    reporter.step("building with idf.py (ESP-IDF)")
    _run_make(
        [idf, "-C", str(tree / "ports" / "esp32"), "-B", str(out),
         f"-DMICROPY_BOARD=ESP32_S3", f"-DMICROPY_BOARD_DIR={board.board_dir(root)}",
         f"-DUSER_C_MODULES={root / 'cmodules' / 'micropython.cmake'}", "build"],
        log_path, reporter, "idf.py build",
    )
    return out / board.artifact


def build_firmware(board_name, micropython=None, sanitize=False, quiet=False, jobs=None, force=False, out_dir=None,
                   extra_make_vars=None):
    """Build (or reuse) the firmware of one board and return a BuildResult.

    out_dir: where to build (default build/<BOARD>[-asan] in the project).
    extra_make_vars: more make variables (part of the cache key), e.g. {"TINYML_KERNELS": "portable"}."""
    started = time.monotonic()
    board = get_board(board_name)
    root = project_root()
    flavour = "asan" if sanitize else ""
    if sanitize and board.name != "UNIX":
        raise TinydevError("the ASan/UBSan flavour exists for the UNIX board only")
    out = Path(out_dir) if out_dir else build_dir(board.name, flavour)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "build.log"
    log_path.write_text("")
    jobs = jobs or os.cpu_count() or 2
    with _Reporter(quiet) as reporter:
        if board.name == "ESP32_S3":
            _require_idf(board)
            firmware = _build_esp32(root, board, get_source(micropython, log=reporter.step), reporter, log_path)
            return BuildResult(board.name, firmware, False, time.monotonic() - started, log_path)
        _require_tools(board)
        reporter.step("getting MicroPython source")
        source = get_source(micropython, log=reporter.step)
        board_dir = board.board_dir(root)
        fill = {"root": root, "board_dir": board_dir, "build": out}
        make_vars = {k: v.format(**fill) for k, v in board.make_vars.items()}
        make_vars.update(BUILD=str(out), USER_C_MODULES=str(root / "cmodules"))
        if sanitize:
            make_vars["TINYDEV_SANITIZE"] = "1"
        make_vars.update(extra_make_vars or {})
        digest = input_hash(root, board, source, make_vars)
        stamp = out / ".tinydev-inputs"
        firmware = out / board.artifact
        if not force and firmware.exists() and stamp.exists() and stamp.read_text() == digest:
            return BuildResult(board.name, firmware, True, time.monotonic() - started, log_path)
        tree = patched_tree(source, board.name, board_dir, log=reporter.step)
        mpy_cross = _build_mpy_cross(tree, source, log_path, reporter, jobs)
        make_vars.update(MICROPY_MPYCROSS=str(mpy_cross), MICROPY_MPYCROSS_DEPENDENCY=str(mpy_cross))
        reporter.step(f"building {board.name} ({board.port} port, MicroPython from {source.origin}: {source.path})")
        args = ["make", "-C", str(tree / "ports" / board.port), f"-j{jobs}"] + [f"{k}={v}" for k, v in make_vars.items()]
        stamp.unlink(missing_ok=True)
        # makemanifest may keep a frozen_content.c generated against an older qstr table, which then
        # redeclares qstrs that C code has since added: always have it written afresh.
        (out / "frozen_content.c").unlink(missing_ok=True)
        _run_make(args, log_path, reporter, f"{board.name} build")
        if not firmware.exists():
            raise TinydevError(f"the build finished but {firmware} is missing", f"full log: {log_path}")
        stamp.write_text(digest)
    return BuildResult(board.name, firmware, False, time.monotonic() - started, log_path)
