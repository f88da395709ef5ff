"""Fixtures for the engine tests (differential vs TFLM, fuzzing, footprint, compilers).

tests/engine/ is put on sys.path so the tests share helpers with ``from ref import ...``.
Set TINYDEV_FULL=1 for the full (slow, >= 1000 generated cases) run.
"""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from ref import FULL  # noqa: E402


@pytest.fixture(scope="session")
def full_run():
    """True when TINYDEV_FULL=1: run every generated case, not the CI subset."""
    return FULL
