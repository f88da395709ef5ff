"""Generated espeak-ng voice variants for training: random vocal tracts.

espeak-ng's own ~60 variant files are few, and a held-out variant with unusual formants (say F1 at
half its usual frequency) is a voice quality no training variant is near. Vocal tract length
perturbation (Jaitly and Hinton 2013) is the usual remedy for real speech; for a formant
synthesiser the direct form is to draw the formants themselves. Each generated variant ("tdv<i>",
seeded by i) scales formants 0-5 in frequency (60-140 %), strength and width, and draws pitch,
flutter, roughness, voicing and consonant strength, within espeak-ng's documented variant keywords.
They are used for training voices only (speech.TRAIN_GENERATED_VARIANTS).

espeak-ng finds variants only in its data directory, so the variants go into a directory of
symbolic links to the installed data (nothing copied, nothing of the system changed) plus the
generated files, and synthesis of a generated variant passes `--path` to it.
"""
from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import numpy as np

PREFIX = "tdv"
COUNT = 40
VERSION = 2  # bump when the generator changes (part of the data directory's name)


def names(count: int = COUNT) -> tuple[str, ...]:
    return tuple(f"{PREFIX}{i}" for i in range(count))


def is_generated(variant: str) -> bool:
    return re.fullmatch(PREFIX + r"\d+", variant) is not None


def variant_text(i: int) -> str:
    """The variant file of generated variant i (seeded by i)."""
    rng = np.random.default_rng([VERSION, 77, i])
    male = rng.random() < 0.5
    base = int(rng.uniform(70, 130) if male else rng.uniform(140, 240))
    lines = ["language variant", f"name {PREFIX}{i}", f"gender {'male' if male else 'female'}",
             f"pitch {base} {base + int(rng.uniform(20, 110))}"]
    for f in range(6):
        lines.append(f"formant {f} {int(rng.uniform(60, 140))} {int(rng.uniform(70, 130))} {int(rng.uniform(70, 140))}")
    if rng.random() < 0.5:
        lines.append(f"flutter {int(rng.integers(0, 12))}")
    if rng.random() < 0.3:
        lines.append(f"roughness {int(rng.integers(1, 5))}")
    lines.append(f"voicing {int(rng.uniform(60, 180))}")
    lines.append(f"consonants {int(rng.uniform(60, 150))}")
    if rng.random() < 0.25:
        lines.append(f"klatt {int(rng.integers(1, 7))}")
    return "\n".join(lines) + "\n"


def system_data_dir() -> Path:
    """Where the installed espeak-ng keeps its data ("Data at: ..." of --version)."""
    out = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True).stdout
    m = re.search(r"Data at:\s*(\S+)", out)
    if not m:
        raise RuntimeError(f"espeak-ng --version does not say where its data is: {out.strip()!r}")
    return Path(m.group(1))


_lock = threading.Lock()  # synth_many calls synth (and so this) from several threads


def data_path(count: int = COUNT) -> Path:
    with _lock:
        return _make_data_path(count)


def _link_entries(src: Path, dst: Path, skip=()):
    """A symbolic link in dst to every entry of src not named in skip (kept if already there)."""
    for entry in src.iterdir():
        if entry.name not in skip and not (dst / entry.name).exists():
            (dst / entry.name).symlink_to(entry)


def _make_data_path(count: int) -> Path:
    """A directory for `espeak-ng --path`: links to the installed data plus the generated variants;
    made once under the tinydev cache (its name depends on the generator version and count)."""
    from ...paths import cache_dir

    root = cache_dir("espeak", f"v{VERSION}-{count}")
    data = root / "espeak-ng-data"
    done = root / "complete"
    if done.exists():
        return root
    src = system_data_dir()
    variants = data / "voices" / "!v"
    variants.mkdir(parents=True, exist_ok=True)
    _link_entries(src, data, skip=("voices",))
    # espeak-ng lists at most 349 voices; the MBROLA ones (voices/mb, 90 of them, unusable without
    # the mbrola program) are left out so the languages and all variants fit.
    _link_entries(src / "voices", data / "voices", skip=("!v", "mb"))
    _link_entries(src / "voices" / "!v", variants)
    for i in range(count):
        (variants / f"{PREFIX}{i}").write_text(variant_text(i))
    done.write_text("ok\n")
    return root
