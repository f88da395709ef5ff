"""Run one int8 model on TFLM, on our C engine and on the UNIX firmware, on the same inputs."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np


def engine_outputs(tflite: bytes, inputs: np.ndarray, progress=None) -> np.ndarray:
    from ..engine import HostEngine

    e = HostEngine(tflite)
    shape = e.input_details(0)["shape"]
    out = []
    for i, x in enumerate(inputs):
        e.set_input(0, x.reshape(shape))
        e.invoke()
        out.append(e.get_output(0).reshape(-1))
        if progress and i % 500 == 0:
            progress(i)
    return np.array(out)


def tflm_outputs(tflite: bytes, inputs: np.ndarray, progress=None) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(tflite)
    shape = it.get_input_details(0)["shape"]
    out = []
    for i, x in enumerate(inputs):
        it.set_input(x.reshape(shape), 0)
        it.invoke()
        out.append(np.array(it.get_output(0)).reshape(-1))
        if progress and i % 500 == 0:
            progress(i)
    return np.array(out)


_UNIX_SCRIPT = """
import tinyml
m = tinyml.Model({model!r})
n = {n_in}
src = open({inputs!r}, "rb")
dst = open({outputs!r}, "wb")
buf = bytearray(n)
while src.readinto(buf) == n:
    m.input(0)[:] = buf
    m.invoke()
    dst.write(bytes(m.output(0)))
dst.close()
print("ops", m.ops)
"""


def unix_firmware_outputs(firmware: Path, tflite: bytes, inputs: np.ndarray, out_len: int) -> np.ndarray:
    """Outputs of `import tinyml; tinyml.Model(path)` in the UNIX firmware, fed through files."""
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "m.tflite").write_bytes(tflite)
        inputs = np.ascontiguousarray(inputs, np.int8)
        (t / "in.bin").write_bytes(inputs.tobytes())
        script = _UNIX_SCRIPT.format(model=str(t / "m.tflite"), n_in=inputs[0].size, inputs=str(t / "in.bin"),
                                     outputs=str(t / "out.bin"))
        (t / "run.py").write_text(script)
        r = subprocess.run([str(firmware), "-X", "heapsize=4M", str(t / "run.py")], capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"UNIX firmware failed: {(r.stderr or r.stdout).strip()[-500:]}")
        return np.frombuffer((t / "out.bin").read_bytes(), np.int8).reshape(-1, out_len)


def bit_exact(a: np.ndarray, b: np.ndarray) -> dict:
    a, b = np.asarray(a), np.asarray(b)
    same_rows = np.all(a == b, axis=1) if a.shape == b.shape else np.zeros(len(a), bool)
    return {"inputs": len(a), "identical": int(same_rows.sum()),
            "max_abs_diff": int(np.max(np.abs(a.astype(int) - b.astype(int)))) if a.shape == b.shape else None,
            "bit_exact": bool(a.shape == b.shape and same_rows.all())}
