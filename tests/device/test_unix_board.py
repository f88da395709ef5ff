"""The UNIX board: the unix port with tinyml and the frozen framework, as tests and simulations use it."""
import subprocess


def _run(fw, source):
    proc = subprocess.run([str(fw), "-c", source], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_imports_tinyml_and_the_frozen_framework(unix_fw):
    out = _run(unix_fw, "import tinyml, tinydev, asyncio; print(tinyml.__version__, tinydev.__version__, type(tinyml.ops).__name__)")
    assert out.split()[:2] == ["0.1.0", "0.1.0"]


def test_framework_is_frozen_not_read_from_disk(unix_fw, tmp_path):
    # Run from an empty folder with no device/ on the path: the import must come from the firmware.
    proc = subprocess.run([str(unix_fw), "-c", "import tinydev; print(tinydev.__file__)"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env={"MICROPYPATH": ".frozen"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "tinydev/__init__.py"  # frozen modules carry their path inside the manifest
