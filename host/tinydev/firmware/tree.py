"""A board's working copy of MicroPython: the source with the board's patches applied.

The user's tree (or the cached pristine one) is never modified: each board gets a copy keyed by
the source identity and the patches, with the big read-only parts (lib/, docs/) symlinked.
"""
import hashlib
import shutil
import subprocess
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir

_SYMLINKED = {"lib", "docs", ".git"}


def board_patches(board_dir):
    """The board's patch files, in the order they apply."""
    return sorted(Path(board_dir, "patches").glob("*.patch"))


def _tree_key(source, patches):
    digest = hashlib.sha256(source.identity.encode())
    digest.update(str(source.path).encode())
    for patch in patches:
        digest.update(patch.name.encode() + b"\0" + patch.read_bytes())
    return digest.hexdigest()[:16]


def patched_tree(source, board, board_dir, log=print):
    """Return a MicroPython tree with the board's patches applied (made once, then reused)."""
    patches = board_patches(board_dir)
    if not patches:
        return source.path
    dest = cache_dir("trees") / f"{board}-{_tree_key(source, patches)}"
    if (dest / ".tinydev-patched").exists():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for entry in source.path.iterdir():
        target = dest / entry.name
        if entry.name in _SYMLINKED:
            target.symlink_to(entry)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target)
    for patch in patches:
        log(f"applying {patch.name}")
        proc = subprocess.run(["patch", "-p1", "-N", "-s", "-i", str(patch)], cwd=dest, capture_output=True, text=True)
        if proc.returncode != 0:
            shutil.rmtree(dest, ignore_errors=True)
            detail = (proc.stdout + proc.stderr).strip().splitlines()
            raise TinydevError(
                f"patch {patch.name} does not apply to MicroPython at {source.path}: {detail[0] if detail else 'failed'}",
                "the patches are written for MicroPython 1.26.1",
            )
    (dest / ".tinydev-patched").write_text("\n".join(p.name for p in patches) + "\n")
    return dest
