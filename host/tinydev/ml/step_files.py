"""The JSON files one `tinydev model` step leaves for the next (shared by every scenario)."""
import json
from pathlib import Path

from ..errors import TinydevError


def write_json(path, obj):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(obj, indent=1) + "\n")


def load_json(path):
    if not Path(path).exists():
        raise TinydevError(f"missing {path}", "run the earlier `tinydev model` steps first")
    return json.loads(Path(path).read_text())
