"""What a .tflite costs and whether our firmware runs it: ops, parameters, MACs, flash, arena."""
from __future__ import annotations

import ctypes as C
from dataclasses import dataclass, field

import numpy as np


def engine_supported_ops() -> list[str]:
    """The op names in the engine's registry (the same list as the firmware's tinyml.ops())."""
    from ..engine.engine import _library

    reg = (C.c_void_p * 256).in_dll(_library(), "tml_op_registry")
    names = []
    for ptr in reg:
        if not ptr:
            break
        names.append(C.cast(ptr, C.POINTER(C.c_char_p))[0].decode())  # tml_op_t.name comes first
    return names


def firmware_ops(firmware) -> list[str]:
    """tinyml.ops() of a UNIX firmware build: what the firmware itself says it runs."""
    import subprocess

    r = subprocess.run([str(firmware), "-c", "import tinyml; print(' '.join(tinyml.ops()))"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"UNIX firmware: {(r.stderr or r.stdout).strip()[-300:]}")
    return r.stdout.split()


@dataclass
class ModelCheck:
    flash_bytes: int
    ops: list
    params: int
    macs: int
    arena_bytes: int | None
    unsupported: list = field(default_factory=list)
    load_error: str | None = None
    firmware_unsupported: list | None = None  # None: no UNIX firmware build to ask

    @property
    def ok(self):
        return not self.unsupported and self.load_error is None and not self.firmware_unsupported


def _graph(tflite: bytes):
    from tensorflow.lite.tools import flatbuffer_utils as fu

    m = fu.convert_bytearray_to_object(bytearray(tflite))
    names = {i: fu.opcode_to_name(m, i) for i in range(len(m.operatorCodes))}
    return m, names


def check_model(tflite: bytes, firmware=None) -> ModelCheck:
    m, opnames = _graph(tflite)
    g = m.subgraphs[0]
    ops, macs, params = [], 0, 0
    const = {i for i, t in enumerate(g.tensors) if m.buffers[t.buffer].data is not None}
    for i in const:
        params += int(np.prod(g.tensors[i].shape))
    for op in g.operators:
        name = opnames[op.opcodeIndex]
        ops.append(name)
        out = g.tensors[op.outputs[0]]
        if name == "FULLY_CONNECTED":
            w = g.tensors[op.inputs[1]].shape
            macs += int(np.prod(out.shape)) * int(w[1])
        elif name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            w = g.tensors[op.inputs[1]].shape
            per_out = int(np.prod(w[1:])) if name == "CONV_2D" else int(w[1] * w[2])
            macs += int(np.prod(out.shape)) * per_out
        else:  # elementwise and data movement: one operation per output element
            macs += int(np.prod(out.shape))
    supported = set(engine_supported_ops())
    unsupported = sorted({o for o in ops if o not in supported})
    arena, err = None, None
    try:
        from ..engine import HostEngine

        arena = HostEngine(tflite).arena_size
    except Exception as exc:  # the engine names the op/tensor; report it rather than crash
        err = str(exc)
    fw_missing = None
    if firmware is not None:
        have = set(firmware_ops(firmware))
        fw_missing = sorted({o for o in ops if o not in have})
    return ModelCheck(len(tflite), ops, params, macs, arena, unsupported, err, fw_missing)
