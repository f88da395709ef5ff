"""Where things are: the project tree (boards/, cmodules/, device/) and the cache."""
import os
from pathlib import Path

from .errors import TinydevError

_MARKERS = ("boards", "cmodules", "device")


def _is_project(path):
    return all((path / m).is_dir() for m in _MARKERS)


def project_root():
    """The tinydev project tree: $TINYDEV_ROOT, else the tree around the cwd, else around this package."""
    env = os.environ.get("TINYDEV_ROOT")
    if env:
        root = Path(env).resolve()
        if not _is_project(root):
            raise TinydevError(f"TINYDEV_ROOT={env} is not a tinydev tree", "it needs boards/, cmodules/ and device/")
        return root
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for path in (start, *start.parents):
            if _is_project(path):
                return path
    raise TinydevError("cannot find the tinydev tree (boards/, cmodules/, device/)", "run from a checkout or set TINYDEV_ROOT")


def cache_dir(*parts):
    """A directory under the tinydev cache ($TINYDEV_CACHE, else ~/.cache/tinydev), created on demand."""
    base = Path(os.environ.get("TINYDEV_CACHE") or Path.home() / ".cache" / "tinydev")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_dir(board, flavour=""):
    """Where a board's firmware is built: <project>/build/<BOARD>[-flavour]."""
    name = board + (f"-{flavour}" if flavour else "")
    return project_root() / "build" / name
