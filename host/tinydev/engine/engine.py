"""HostEngine: one model on the C engine, with numpy in and out."""
from __future__ import annotations

import ctypes as C
import time
from functools import lru_cache

import numpy as np

from . import _ctypes as T
from .hostlib import build_hostlib


class EngineError(Exception):
    """An engine status: .code (int), .status (name), .op_index, .tensor_index, .offset, .bytes_needed."""

    def __init__(self, message: str, code: int = 0, op_index: int = -1, tensor_index: int = -1,
                 offset: int = 0, bytes_needed: int = 0, op_name: str | None = None):
        super().__init__(message)
        self.code = code
        self.status = T.STATUS_NAMES.get(code, str(code))
        self.op_index = op_index
        self.op_name = op_name
        self.tensor_index = tensor_index
        self.offset = offset
        self.bytes_needed = bytes_needed


@lru_cache(maxsize=6)
def _library(sanitize: bool = False, kernels: str = "auto") -> C.CDLL:
    return T.load(build_hostlib(sanitize=sanitize, kernels=kernels))


def format_error(lib: C.CDLL, it, code: int) -> EngineError:
    """An EngineError whose message names the op, tensor and byte offset of the failure."""
    e = lib.tml_last_error(it).contents
    reason = (e.reason or b"failed").decode()
    parts = [f"{T.STATUS_NAMES.get(code, code)}: {reason}"]
    op_name = None
    if e.op_index >= 0:
        op_name = lib.tml_builtin_name(e.builtin_code).decode()
        parts.append(f"op #{e.op_index} {op_name}")
    if e.tensor_index >= 0:
        parts.append(f"tensor {e.tensor_index}")
    if e.offset:
        parts.append(f"byte offset {e.offset}")
    if code == T.TML_ERR_ARENA and e.bytes_needed:
        parts.append(f"{e.bytes_needed} bytes needed")
    return EngineError(", ".join(parts), code=code, op_index=e.op_index, tensor_index=e.tensor_index,
                       offset=e.offset, bytes_needed=e.bytes_needed, op_name=op_name)


class HostEngine:
    """One model loaded into the C engine.

    arena_size=None sizes the arena exactly (the planner's number); a smaller one raises
    EngineError naming the bytes needed. kernels="portable" runs the reference kernels instead of
    the optimised set the firmware would pick ("auto").
    """

    def __init__(self, model_bytes: bytes, arena_size: int | None = None, sanitize: bool = False,
                 kernels: str = "auto"):
        self._lib = lib = _library(sanitize, kernels)
        data = bytes(model_bytes)
        # The engine reads the model in place: keep our buffer alive as long as the engine.
        self._model = (C.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        self._it = C.create_string_buffer(lib.tml_interpreter_size())
        self._check(lib.tml_init(self._it, self._model, len(data)))
        work_size = lib.tml_plan_workspace(self._it)
        work = C.create_string_buffer(work_size)
        self._check(lib.tml_plan(self._it, work, work_size))
        needed = lib.tml_arena_needed(self._it)
        size = needed if arena_size is None else int(arena_size)
        if size < 0:
            raise ValueError("arena_size must be >= 0")
        self._arena = C.create_string_buffer(max(size, 1))
        self._check(lib.tml_allocate(self._it, self._arena, size))
        self.arena_size = needed
        self.num_inputs = lib.tml_graph_input_count(self._it)
        self.num_outputs = lib.tml_graph_output_count(self._it)
        self.ops = [lib.tml_op_name(self._it, i).decode() for i in range(lib.tml_op_count(self._it))]
        head, persistent, tensors = C.c_size_t(), C.c_size_t(), C.c_size_t()
        lib.tml_arena_usage(self._it, C.byref(head), C.byref(persistent), C.byref(tensors))
        # bytes of the arena by use: engine bookkeeping, op data, planned tensors + scratch
        self.arena_usage = dict(head=head.value, persistent=persistent.value, tensors=tensors.value)
        # Per-op time of the last invoke, in microseconds of the host clock.
        self._ticks = (C.c_uint32 * max(len(self.ops), 1))()
        self._clock = T.CLOCK_FN(lambda _user: time.perf_counter_ns() // 1000 & 0xFFFFFFFF)
        lib.tml_set_profiler(self._it, self._clock, None, self._ticks)

    def _check(self, code: int) -> None:
        if code != 0:
            raise format_error(self._lib, self._it, code)

    def _tensor(self, output: bool, i: int) -> T.Tensor:
        count = self.num_outputs if output else self.num_inputs
        if not 0 <= i < count:
            raise IndexError(f"{'output' if output else 'input'} {i} out of range (model has {count})")
        t = T.Tensor()
        fn = self._lib.tml_graph_output if output else self._lib.tml_graph_input
        self._check(fn(self._it, i, C.byref(t)))
        return t

    @staticmethod
    def _details(t: T.Tensor) -> dict:
        dtype = T.TENSOR_TYPES.get(t.type)
        return dict(shape=tuple(t.dims[: t.ndims]), dtype=np.dtype(dtype) if dtype else None,
                    scale=float(t.scale), zero_point=int(t.zero_point))

    def input_details(self, i: int) -> dict:
        return self._details(self._tensor(False, i))

    def output_details(self, i: int) -> dict:
        return self._details(self._tensor(True, i))

    def _view(self, t: T.Tensor) -> np.ndarray:
        d = self._details(t)
        buf = (C.c_uint8 * t.bytes).from_address(t.data)
        return np.frombuffer(buf, dtype=d["dtype"]).reshape(d["shape"])

    def set_input(self, i: int, value) -> None:
        t = self._tensor(False, i)
        d = self._details(t)
        arr = np.asarray(value)
        if arr.dtype != d["dtype"]:
            raise ValueError(f"input {i} wants {d['dtype']}, got {arr.dtype}")
        if arr.size != int(np.prod(d["shape"], dtype=np.int64)):
            raise ValueError(f"input {i} wants shape {d['shape']} ({t.bytes} bytes), got shape {arr.shape}")
        self._view(t)[...] = arr.reshape(d["shape"])

    def invoke(self) -> None:
        self._check(self._lib.tml_invoke(self._it))

    def profile(self) -> list[tuple[str, int]]:
        """(op name, microseconds) for each op of the last invoke."""
        return [(name, int(self._ticks[i])) for i, name in enumerate(self.ops)]

    def get_output(self, i: int) -> np.ndarray:
        return self._view(self._tensor(True, i)).copy()

    def get_input(self, i: int) -> np.ndarray:
        return self._view(self._tensor(False, i)).copy()
