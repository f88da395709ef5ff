"""Shared helpers for the engine's differential tests (our HostEngine vs TensorFlow Lite Micro).

Used by test_ops_generated.py (core ops), test_ops_extra.py (the other ops) and the fuzz/footprint
tooling. Import it as ``from ref import ...`` (tests/engine/conftest.py puts this folder on sys.path).

The three things most tests need:

    model = convert(keras_model, seed=1)            # full-int8 .tflite bytes (cached if key= given)
    outs  = tflm_run(model, inputs)                 # reference outputs (list of int8 arrays)
    compare(model, n_inputs=3, seed=0)              # raises AssertionError on any bit difference

Everything that needs TensorFlow or tflite-micro imports it lazily, so collecting tests is cheap
and a missing prerequisite becomes a skip with an obvious reason (see ``require_*``).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MLPERF_DIR = Path(os.environ.get("TINYDEV_MLPERF_DIR", REPO.parent / "shared" / "models" / "mlperf-tiny"))
if not MLPERF_DIR.is_dir():  # CI: a copy of shared/ lies beside the clone
    for cand in (REPO.parent / "shared" / "models" / "mlperf-tiny", Path("/work/shared/models/mlperf-tiny")):
        if cand.is_dir():
            MLPERF_DIR = cand
            break

# TINYDEV_FULL=1: the full (slow) runs: >= 1000 generated cases, long fuzzing, thousands of mutants.
FULL = os.environ.get("TINYDEV_FULL", "") not in ("", "0")

# Bump when the generators change in a way that changes the produced models.
GENERATOR_VERSION = "4"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

if str(REPO / "host") not in sys.path:
    sys.path.insert(0, str(REPO / "host"))


# --------------------------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------------------------
def _skip(reason: str):
    import pytest

    pytest.skip(reason)


def require_tf():
    """Import tensorflow (+keras) or skip the test with a clear reason."""
    try:
        import tensorflow as tf  # noqa: F401
        import keras  # noqa: F401
    except Exception as e:  # pragma: no cover - depends on the machine
        _skip(f"PREREQUISITE MISSING: tensorflow/keras not importable ({e!r}); "
              "install the 'train' extra (pip install -e .[train])")
    return tf


def require_tflm():
    """Import tflite-micro's Python runtime or skip with a clear reason."""
    try:
        from tflite_micro.python.tflite_micro import runtime
    except Exception as e:  # pragma: no cover
        _skip(f"PREREQUISITE MISSING: tflite-micro not importable ({e!r}); pip install tflite-micro")
    return runtime


def require_engine():
    """Import our host engine (tinydev.engine) or skip with a clear reason."""
    try:
        from tinydev.engine import EngineError, HostEngine
    except Exception as e:
        _skip(f"ENGINE MISSING: tinydev.engine not importable ({e!r}); "
              "the host library is built from cmodules/tinyml/engine by host/tinydev/engine/hostlib.py")
    return HostEngine, EngineError


def cmsis_include() -> Path | None:
    """CMSIS-Core headers (cmsis_gcc.h) for the arm_dsp kernels: MicroPython's lib/cmsis/inc."""
    cands = []
    for env in ("TINYDEV_CMSIS_INC", "MICROPY_DIR"):
        if os.environ.get(env):
            cands += [Path(os.environ[env]), Path(os.environ[env]) / "lib" / "cmsis" / "inc"]
    cands += sorted((Path.home() / ".cache" / "tinydev" / "micropython").glob("*/lib/cmsis/inc"))
    for c in cands:
        if (c / "cmsis_gcc.h").exists():
            return c
    try:  # the firmware tooling's own copy (fetched like a firmware build would)
        from tinydev.firmware.source import get_source

        c = Path(get_source(log=lambda *a, **k: None).path) / "lib" / "cmsis" / "inc"
        if (c / "cmsis_gcc.h").exists():
            return c
    except Exception:
        pass
    return None


def mlperf_models() -> list[Path]:
    return sorted(MLPERF_DIR.glob("*.tflite")) if MLPERF_DIR.is_dir() else []


# --------------------------------------------------------------------------------------------
# conversion (Keras -> full-int8 TFLite), with a cache keyed by the model's parameters
# --------------------------------------------------------------------------------------------
def cache_dir() -> Path:
    """Where generated .tflite files are kept: $TINYDEV_MODEL_CACHE or ~/.cache/tinydev/engine-models."""
    d = os.environ.get("TINYDEV_MODEL_CACHE")
    p = Path(d) if d else Path.home() / ".cache" / "tinydev" / "engine-models"
    p.mkdir(parents=True, exist_ok=True)
    return p


def cache_key(params) -> str:
    """Stable key for a JSON-able description of a model (+ generator and TF versions)."""
    try:
        import tensorflow as tf

        tfv = tf.__version__
    except Exception:
        tfv = "?"
    blob = json.dumps({"p": params, "gen": GENERATOR_VERSION, "tf": tfv}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def cached(params, build: Callable[[], tuple[bytes, dict]]) -> tuple[bytes, dict]:
    """Return (model_bytes, meta) for ``params`` from the cache, or build, store and return them.

    ``build`` returns (model_bytes, meta) where meta is JSON-able (e.g. which output is which case).
    """
    key = cache_key(params)
    d = cache_dir()
    mpath, jpath = d / f"{key}.tflite", d / f"{key}.json"
    if mpath.exists() and jpath.exists():
        return mpath.read_bytes(), json.loads(jpath.read_text())
    model, meta = build()
    tmp = d / f"{key}.{os.getpid()}.tmp"
    tmp.write_bytes(model)
    os.replace(tmp, mpath)
    tmp.write_text(json.dumps(meta, default=str))
    os.replace(tmp, jpath)
    return model, meta


def representative(input_shapes: Sequence[Sequence[int]], seed: int, n: int = 32,
                   ranges: Sequence[tuple[float, float]] | None = None, names: Sequence[str] | None = None):
    """A seeded representative-dataset generator: uniform samples in a per-input range.

    With ``names`` (the signature's input names) each sample is a dict: the calibrator's list
    form follows the converted model's input order, which is not the Keras order.
    """
    rng = np.random.default_rng(seed)
    if ranges is None:
        ranges = [(-1.0, 1.0)] * len(input_shapes)
    samples = [[rng.uniform(lo, hi, size=tuple(s)).astype(np.float32) for s, (lo, hi) in zip(input_shapes, ranges)]
               for _ in range(n)]

    def gen():
        for s in samples:
            yield dict(zip(names, s)) if names else s

    return gen


def convert(keras_model, seed: int = 0, n_rep: int = 32, ranges=None, rep=None) -> bytes:
    """Keras model -> full-int8 .tflite bytes (int8 in/out, per-channel weights, builtin int8 ops only).

    The representative dataset is seeded (``seed``), so conversion is deterministic for a given
    model and seed. ``ranges`` gives a (lo, hi) float range per input; ``rep`` overrides the
    generator entirely.
    """
    tf = require_tf()
    if rep is None:
        shapes = [tuple(int(d) for d in t.shape) for t in keras_model.inputs]
        names = [t.name for t in keras_model.inputs]
        rep = representative(shapes, seed, n_rep, ranges, names=names)
    conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with _quiet_fds():
        return bytes(conv.convert())


@contextlib.contextmanager
def _quiet_fds():
    """Silence the converter's C++ chatter on fd 1/2 (restored afterwards, also on error)."""
    if os.environ.get("TINYDEV_VERBOSE"):
        yield
        return
    saved = [os.dup(1), os.dup(2)]
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [devnull]:
            os.close(fd)


def signature_io_map(model_bytes: bytes) -> tuple[list[str], list[str]]:
    """Signature names of the model's inputs and outputs, in the model's own I/O order.

    The converter orders inputs/outputs of a multi-input Keras model arbitrarily; the signature
    ('serving_default') keeps Keras's names (input layer names, 'output_<k>'), so this maps each
    model input/output position back to the Keras tensor it came from.
    """
    tf = require_tf()
    import warnings

    with warnings.catch_warnings(), _quiet_fds():
        warnings.simplefilter("ignore")
        ip = tf.lite.Interpreter(model_content=model_bytes)
        sig = ip._get_full_signature_list()["serving_default"]
        in_idx = [d["index"] for d in ip.get_input_details()]
        out_idx = [d["index"] for d in ip.get_output_details()]
    inv_in = {v: k for k, v in sig["inputs"].items()}
    inv_out = {v: k for k, v in sig["outputs"].items()}
    return [inv_in[i] for i in in_idx], [inv_out[i] for i in out_idx]


# --------------------------------------------------------------------------------------------
# flatbuffer peeking (op list) without TF: uses tflite-micro's bundled schema if present
# --------------------------------------------------------------------------------------------
def model_ops(model_bytes: bytes) -> list[str]:
    """Builtin op names of subgraph 0, in execution order (via TF's flatbuffer analyzer)."""
    tf = require_tf()
    import warnings

    with warnings.catch_warnings(), _quiet_fds():
        warnings.simplefilter("ignore")
        ip = tf.lite.Interpreter(model_content=model_bytes)
        ops = ip._get_ops_details()
    return [o["op_name"] for o in ops]


def min_int8_scale(model_bytes: bytes) -> float:
    """Smallest quantisation scale of the model's int8 activation tensors (1.0 if none).

    A collapsed range (scale ~1e-8, e.g. ReLU after all-negative calibration data) makes TFLM
    abort() the process while preparing, so generators must not hand such models to it."""
    tf = require_tf()
    import warnings

    with warnings.catch_warnings(), _quiet_fds():
        warnings.simplefilter("ignore")
        ip = tf.lite.Interpreter(model_content=model_bytes)
        scales = [d["quantization"][0] for d in ip.get_tensor_details()
                  if d["dtype"] == np.int8 and d["quantization"][0] > 0]
    return float(min(scales)) if scales else 1.0


def degenerate_tensors(model_bytes: bytes, below: float) -> list[str]:
    """Names of int8 tensors whose scale is positive but below ``below`` (collapsed ranges)."""
    tf = require_tf()
    import warnings

    with warnings.catch_warnings(), _quiet_fds():
        warnings.simplefilter("ignore")
        ip = tf.lite.Interpreter(model_content=model_bytes)
        return [d["name"] for d in ip.get_tensor_details()
                if d["dtype"] == np.int8 and 0 < d["quantization"][0] < below]


def output_scales(model_bytes: bytes) -> list[float]:
    """Quantisation scale of each model output, in the model's output order."""
    tf = require_tf()
    import warnings

    with warnings.catch_warnings(), _quiet_fds():
        warnings.simplefilter("ignore")
        ip = tf.lite.Interpreter(model_content=model_bytes)
        return [float(d["quantization"][0]) for d in ip.get_output_details()]


_TFLM_PROBE = """
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
b = open(sys.argv[1], 'rb').read()
it = runtime.Interpreter.from_bytes(b, arena_size=max(len(b) * 10, 8 << 20))
i = 0
while True:
    try:
        d = it.get_input_details(i)
    except Exception:
        break
    it.set_input(np.zeros(tuple(d['shape']), d['dtype']), i)
    i += 1
it.invoke()
print('TFLM-OK')
"""


def tflm_survives(model_bytes: bytes, timeout: float = 300) -> str | None:
    """None if TFLM loads and invokes the model in a subprocess; else what went wrong.

    TFLM abort()s on some models (e.g. a requantisation multiplier out of range), which would
    take the whole pytest process with it; generators call this before handing models to Tflm."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".tflite") as f:
        f.write(model_bytes)
        f.flush()
        try:
            r = subprocess.run([sys.executable, "-c", _TFLM_PROBE, f.name], capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"TFLM did not finish in {timeout} s"
    if r.returncode == 0 and "TFLM-OK" in r.stdout:
        return None
    return f"TFLM exit {r.returncode}: " + (r.stderr + r.stdout)[-600:]


# --------------------------------------------------------------------------------------------
# running: TFLM (reference) and our HostEngine
# --------------------------------------------------------------------------------------------
def _np_dtype(d) -> np.dtype:
    return np.dtype(d)


class Tflm:
    """A TFLM interpreter on one model, reusable for several inputs."""

    def __init__(self, model_bytes: bytes, arena_size: int | None = None):
        runtime = require_tflm()
        if arena_size is None:
            arena_size = max(len(model_bytes) * 10, 8 << 20)
        self._it = runtime.Interpreter.from_bytes(bytes(model_bytes), arena_size=arena_size)
        self.model_bytes = model_bytes
        self.input_details = self._probe(self._it.get_input_details)
        self.output_details = self._probe(self._it.get_output_details)

    @staticmethod
    def _probe(get) -> list[dict]:
        # the wrapper has no I/O count: probe until it refuses (it prints the refusal from C++)
        out = []
        with _quiet_fds():
            while True:
                try:
                    d = get(len(out))
                except Exception:
                    break
                out.append(_details(d))
        return out

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        for i, x in enumerate(inputs):
            self._it.set_input(np.ascontiguousarray(x), i)
        self._it.invoke()
        return [np.array(self._it.get_output(i), copy=True) for i in range(len(self.output_details))]


def _details(d) -> dict:
    q = d.get("quantization_parameters", {})
    scales = list(np.atleast_1d(q.get("scales", [])))
    zps = list(np.atleast_1d(q.get("zero_points", [])))
    return dict(shape=tuple(int(s) for s in d["shape"]), dtype=np.dtype(d["dtype"]),
                scale=float(scales[0]) if scales else 0.0, zero_point=int(zps[0]) if zps else 0)


def tflm_run(model_bytes: bytes, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run TFLM once on ``inputs`` (list, model input order); returns the outputs."""
    return Tflm(model_bytes).run(inputs)


class Engine:
    """Our HostEngine on one model (thin wrapper matching Tflm's interface)."""

    def __init__(self, model_bytes: bytes, arena_size: int | None = None, engine_cls=None,
                 kernels: str | None = None):
        if engine_cls is None:
            engine_cls, _ = require_engine()
        kw = {} if kernels in (None, "auto") else {"kernels": kernels}
        self.eng = engine_cls(bytes(model_bytes), arena_size=arena_size, **kw)
        self.input_details = [self.eng.input_details(i) for i in range(self.eng.num_inputs)]
        self.output_details = [self.eng.output_details(i) for i in range(self.eng.num_outputs)]

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        for i, x in enumerate(inputs):
            self.eng.set_input(i, np.ascontiguousarray(x))
        self.eng.invoke()
        return [np.array(self.eng.get_output(i), copy=True) for i in range(self.eng.num_outputs)]


def engine_run(model_bytes: bytes, inputs: Sequence[np.ndarray], engine_cls=None) -> list[np.ndarray]:
    return Engine(model_bytes, engine_cls=engine_cls).run(inputs)


def random_inputs(details: Sequence[dict], rng: np.random.Generator) -> list[np.ndarray]:
    """Uniform random tensors over the dtype's full range, one per input detail."""
    out = []
    for d in details:
        dt = np.dtype(d["dtype"])
        if dt.kind in "iu":
            info = np.iinfo(dt)
            out.append(rng.integers(info.min, int(info.max) + 1, size=d["shape"], dtype=dt))
        else:
            out.append(rng.standard_normal(d["shape"]).astype(dt))
    return out


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------
@dataclass
class Mismatch:
    output: int
    input_set: int
    what: str
    n_diff: int = 0
    max_abs: int = 0
    first: tuple = ()
    ours: object = None
    ref: object = None
    kernels: str = "auto"

    def __str__(self):
        s = f"output {self.output}, input set {self.input_set}: {self.what}"
        if self.kernels != "auto":
            s = f"[{self.kernels} kernels] " + s
        if self.n_diff:
            s += (f" ({self.n_diff} elements differ, max |diff| {self.max_abs}, first at {self.first}: "
                  f"ours {self.ours} vs TFLM {self.ref})")
        return s


def diff_arrays(ours: np.ndarray, ref: np.ndarray, output: int = 0, input_set: int = 0) -> Mismatch | None:
    """None if bit-identical (shape, dtype, values), else a Mismatch describing the difference."""
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    if ours.dtype != ref.dtype:
        return Mismatch(output, input_set, f"dtype {ours.dtype} != TFLM {ref.dtype}")
    if ours.shape != ref.shape:
        return Mismatch(output, input_set, f"shape {ours.shape} != TFLM {ref.shape}")
    if ours.tobytes() == ref.tobytes():
        return None
    d = ours.astype(np.int64) - ref.astype(np.int64) if ours.dtype.kind in "iu" else ours - ref
    nz = np.argwhere(ours != ref) if ours.dtype.kind in "iu" else np.argwhere(~(ours == ref))
    first = tuple(int(v) for v in nz[0]) if len(nz) else ()
    return Mismatch(output, input_set, "values differ", n_diff=int(len(nz)),
                    max_abs=int(np.max(np.abs(d))) if ours.dtype.kind in "iu" else float(np.nanmax(np.abs(d))),
                    first=first, ours=ours[first].item() if first else None,
                    ref=ref[first].item() if first else None)


@dataclass
class CompareResult:
    """Outcome of running one model on both engines with several inputs."""
    ours: list = field(default_factory=list)        # per input set: list of outputs (or None)
    ref: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)  # list[Mismatch]
    engine_error: str | None = None                 # our engine refused the model / failed

    def for_output(self, k: int) -> list[Mismatch]:
        return [m for m in self.mismatches if m.output == k]

    @property
    def ok(self) -> bool:
        return self.engine_error is None and not self.mismatches


# Kernel sets the host library can be built with (hostlib.KERNEL_SETS): "auto" is what the
# firmware picks on this CPU (fast/ on a PC), "portable" the reference kernels, and
# "arm_dsp_emulated" the Cortex-M DSP kernels with plain-C models of the SIMD instructions.
ALL_KERNEL_SETS = ("auto", "portable", "arm_dsp_emulated")


def run_both(model_bytes: bytes, n_inputs: int = 3, seed: int = 0, inputs=None, engine_cls=None,
             arena_size: int | None = None, kernel_sets: Sequence[str] = ("auto",)) -> CompareResult:
    """Run ``n_inputs`` seeded random input sets (or the given ``inputs``: a list of lists)
    through TFLM and our engine (once per kernel set); collect every difference (does not raise)."""
    ref = Tflm(model_bytes)
    res = CompareResult()
    rng = np.random.default_rng(seed)
    if inputs is None:
        inputs = [random_inputs(ref.input_details, rng) for _ in range(n_inputs)]
    res.inputs = inputs
    res.ref = [ref.run(x) for x in inputs]
    errors = []
    for ks in kernel_sets:
        tag = "" if ks == "auto" else f"[{ks} kernels] "
        try:
            eng = Engine(model_bytes, arena_size=arena_size, engine_cls=engine_cls, kernels=ks)
        except Exception as e:
            errors.append(f"{tag}load: {type(e).__name__}: {e}")
            continue
        if len(eng.output_details) != len(ref.output_details):
            errors.append(f"{tag}{len(eng.output_details)} outputs, TFLM has {len(ref.output_details)}")
        for s, x in enumerate(inputs):
            try:
                o = eng.run(x)
            except Exception as e:
                errors.append(f"{tag}invoke (input set {s}): {type(e).__name__}: {e}")
                if ks == kernel_sets[0]:
                    res.ours.append(None)
                continue
            if ks == kernel_sets[0]:
                res.ours.append(o)
            for k, (a, b) in enumerate(zip(o, res.ref[s])):
                m = diff_arrays(a, b, k, s)
                if m is not None:
                    m.kernels = ks
                    res.mismatches.append(m)
    res.engine_error = "; ".join(errors) if errors else None
    return res


def compare(model_bytes: bytes, n_inputs: int = 3, seed: int = 0, inputs=None, label: str = "",
            engine_cls=None, kernel_sets: Sequence[str] = ("auto",)) -> CompareResult:
    """Assert our engine is bit-exact with TFLM on ``model_bytes`` for seeded random inputs.

    Raises AssertionError naming every mismatching output; returns the CompareResult otherwise.
    """
    res = run_both(model_bytes, n_inputs=n_inputs, seed=seed, inputs=inputs, engine_cls=engine_cls,
                   kernel_sets=kernel_sets)
    if not res.ok:
        lines = [f"engine differs from TFLM{(' on ' + label) if label else ''}:"]
        if res.engine_error:
            lines.append("  " + res.engine_error)
        lines += ["  " + str(m) for m in res.mismatches[:20]]
        if len(res.mismatches) > 20:
            lines.append(f"  ... and {len(res.mismatches) - 20} more")
        raise AssertionError("\n".join(lines))
    return res


def save_failing(model_bytes: bytes, meta: dict, name: str) -> Path:
    """Keep a failing model for the bug report (under the cache dir's 'failing/' folder)."""
    d = cache_dir() / "failing"
    d.mkdir(exist_ok=True)
    p = d / f"{name}.tflite"
    p.write_bytes(model_bytes)
    (d / f"{name}.json").write_text(json.dumps(meta, indent=1, default=str))
    return p


def iter_chunks(seq: Sequence, n: int) -> Iterable[Sequence]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
