"""ctypes mirror of the engine's C API (tml_interpreter.h, tml_op.h)."""
from __future__ import annotations

import ctypes as C
from pathlib import Path

MAX_DIMS = 6

STATUS_NAMES = {
    0: "ok",
    1: "malformed model",
    2: "unsupported op",
    3: "unsupported type",
    4: "bad model",
    5: "arena too small",
    6: "bad argument",
}
TML_ERR_ARENA = 5

# TFLite TensorType -> numpy dtype name
TENSOR_TYPES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16",
                9: "int8", 10: "float64", 12: "uint64", 15: "uint32", 16: "uint16"}


class Error(C.Structure):
    _fields_ = [("status", C.c_int), ("op_index", C.c_int32), ("builtin_code", C.c_int32),
                ("tensor_index", C.c_int32), ("offset", C.c_uint32), ("bytes_needed", C.c_uint32),
                ("reason", C.c_char_p)]


class Tensor(C.Structure):
    _fields_ = [("data", C.c_void_p), ("channel_scales", C.c_void_p), ("channel_zero_points", C.c_void_p),
                ("bytes", C.c_uint32), ("dims", C.c_int32 * MAX_DIMS), ("scale", C.c_float),
                ("zero_point", C.c_int32), ("num_channels", C.c_int32), ("quantized_dimension", C.c_int32),
                ("index", C.c_int32), ("type", C.c_uint8), ("ndims", C.c_uint8), ("is_const", C.c_uint8),
                ("is_variable", C.c_uint8)]


CLOCK_FN = C.CFUNCTYPE(C.c_uint32, C.c_void_p)


def load(path: Path) -> C.CDLL:
    lib = C.CDLL(str(path))
    p, sz, st = C.c_void_p, C.c_size_t, C.c_int
    sig = {
        "tml_interpreter_size": ([], sz),
        "tml_last_error": ([p], C.POINTER(Error)),
        "tml_init": ([p, p, sz], st),
        "tml_plan_workspace": ([p], sz),
        "tml_plan": ([p, p, sz], st),
        "tml_arena_needed": ([p], sz),
        "tml_allocate": ([p, p, sz], st),
        "tml_invoke": ([p], st),
        "tml_graph_input_count": ([p], C.c_uint32),
        "tml_graph_output_count": ([p], C.c_uint32),
        "tml_graph_input": ([p, C.c_uint32, C.POINTER(Tensor)], st),
        "tml_graph_output": ([p, C.c_uint32, C.POINTER(Tensor)], st),
        "tml_op_count": ([p], C.c_uint32),
        "tml_op_builtin": ([p, C.c_uint32], C.c_int32),
        "tml_op_name": ([p, C.c_uint32], C.c_char_p),
        "tml_builtin_name": ([C.c_int], C.c_char_p),
        "tml_arena_usage": ([p, C.POINTER(sz), C.POINTER(sz), C.POINTER(sz)], None),
        "tml_set_profiler": ([p, CLOCK_FN, p, C.POINTER(C.c_uint32)], None),
    }
    for name, (args, res) in sig.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = res
    return lib
