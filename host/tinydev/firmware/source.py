"""Getting MicroPython 1.26.1: a user's checkout, a git clone, or Debian's source package.

The order is the user's tree (--micropython / MICROPY_DIR), then a cached copy, then a shallow
`git clone` of the release tag (where there is network), then `apt-get source` of Debian's package
(which needs a deb-src entry for trixie or sid and applies Debian's patches).
"""
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir

MICROPYTHON_VERSION = "1.26.1"
GIT_URL = "https://github.com/micropython/micropython.git"
DEBIAN_PACKAGE = f"micropython={MICROPYTHON_VERSION}+ds-1"


@dataclass(frozen=True)
class Source:
    path: Path
    origin: str  # "user", "git" or "debian"
    identity: str  # what the build cache hashes: changes when the tree changes


def read_version(tree):
    """The MicroPython version of a source tree, from py/mpconfig.h, or None."""
    header = Path(tree) / "py" / "mpconfig.h"
    if not header.is_file():
        return None
    text = header.read_text(errors="replace")
    parts = [re.search(rf"#define MICROPY_VERSION_{k}\s+\(?(\d+)\)?", text) for k in ("MAJOR", "MINOR", "MICRO")]
    if not all(parts):
        return None
    return ".".join(p.group(1) for p in parts)


def _git_identity(tree):
    """HEAD plus a digest of uncommitted changes, so edits to a user's tree invalidate the cache."""
    try:
        head = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+{hash(dirty) & 0xFFFFFFFF:08x}" if dirty else head


def user_source(tree):
    tree = Path(tree).expanduser().resolve()
    version = read_version(tree)
    if version is None:
        raise TinydevError(f"{tree} is not a MicroPython source tree", "it needs py/mpconfig.h; check --micropython / MICROPY_DIR")
    if version != MICROPYTHON_VERSION:
        raise TinydevError(f"{tree} is MicroPython {version}, tinydev needs {MICROPYTHON_VERSION}", f"check out tag v{MICROPYTHON_VERSION}")
    identity = _git_identity(tree) or f"user:{tree}:{version}"
    return Source(tree, "user", identity)


def _try_git_clone(dest, log):
    if shutil.which("git") is None:
        return False
    log(f"cloning MicroPython v{MICROPYTHON_VERSION} ...")
    proc = subprocess.run(
        ["git", "clone", "--depth", "1", "--branch", f"v{MICROPYTHON_VERSION}", GIT_URL, str(dest)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    if proc.returncode != 0:
        shutil.rmtree(dest, ignore_errors=True)
        return False
    return True


def _try_debian_source(dest, log):
    if shutil.which("apt-get") is None:
        return False
    log(f"fetching Debian source package {DEBIAN_PACKAGE} ...")
    with tempfile.TemporaryDirectory(prefix="tinydev-apt-") as tmp:
        proc = subprocess.run(["apt-get", "source", "-q", DEBIAN_PACKAGE], cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            return False
        unpacked = [p for p in Path(tmp).iterdir() if p.is_dir() and p.name.startswith("micropython-")]
        if len(unpacked) != 1:
            return False
        shutil.move(str(unpacked[0]), dest)
    return True


def get_source(micropython_dir=None, log=print):
    """Find or fetch MicroPython 1.26.1 and return it as a Source."""
    tree = micropython_dir or os.environ.get("MICROPY_DIR")
    if tree:
        return user_source(tree)
    cached = cache_dir("micropython") / MICROPYTHON_VERSION
    if read_version(cached) != MICROPYTHON_VERSION:
        shutil.rmtree(cached, ignore_errors=True)
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        if not (_try_git_clone(partial, log) or _try_debian_source(partial, log)):
            raise TinydevError(
                f"cannot get MicroPython {MICROPYTHON_VERSION}: no network for git and no Debian source package",
                "add 'deb-src' for sid to apt's sources and run apt-get update, or pass --micropython DIR",
            )
        partial.rename(cached)
    origin = "git" if (cached / ".git").exists() else "debian"
    return Source(cached, origin, f"{origin}:{MICROPYTHON_VERSION}")
