"""Run MicroPython's own test suite (tests/run-tests.py of the same source tree) on our builds."""
import re
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TEST_DIRS = ("basics", "float", "micropython", "extmod")

# Tests left out, each with the reason (they need what the build has not got).
NEEDS_UNITTEST = "imports unittest from micropython-lib, which Debian's source package does not ship"


@dataclass
class SuiteResult:
    performed: int
    passed: int
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    excluded: dict = field(default_factory=dict)
    output: str = ""


def tests_dir():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))
    from tinydev.firmware.source import get_source

    return get_source(log=lambda *_: None).path / "tests"


def excluded_tests(tests, extra=None):
    """Tests that cannot run on a build from Debian's source, mapped to the reason."""
    out = {}
    for d in TEST_DIRS:
        for path in sorted((tests / d).glob("*.py")):
            if re.search(r"^\s*(import|from) unittest", path.read_text(errors="replace"), re.M):
                out[f"{d}/{path.name}"] = NEEDS_UNITTEST
    out.update(extra or {})
    return out


def _limit_open_files():
    # select_poll_fd.py expects the 1024-descriptor limit of MicroPython's own CI.
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def run_suite(target_args, env, extra_excluded=None, jobs=2, timeout=1800):
    tests = tests_dir()
    excluded = excluded_tests(tests, extra_excluded)
    pattern = "|".join(re.escape(name) for name in excluded)
    args = [sys.executable, "run-tests.py", f"-j{jobs}", *target_args]
    if pattern:
        args += ["-e", f"({pattern})$"]
    args += ["-d", *TEST_DIRS]
    proc = subprocess.run(args, cwd=tests, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=_limit_open_files)
    out = proc.stdout + proc.stderr

    def count(label):
        m = re.search(rf"^(\d+) tests {label}", out, re.M)
        return int(m.group(1)) if m else 0

    def names(label):
        m = re.search(rf"^\d+ tests {label}: (.*)$", out, re.M)
        return m.group(1).split() if m else []

    return SuiteResult(count("performed"), count("passed"), names("skipped"), names("failed"), excluded, out)
