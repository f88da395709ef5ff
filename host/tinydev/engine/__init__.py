"""The tinyml C inference engine on the host, through ctypes.

    from tinydev.engine import HostEngine, EngineError
    eng = HostEngine(model_bytes)            # arena sized exactly; arena_size=N to force one
    eng.set_input(0, x); eng.invoke(); y = eng.get_output(0)

The library is the firmware's engine source compiled by the host cc (see hostlib.py).
"""
from __future__ import annotations

from .engine import EngineError, HostEngine
from .hostlib import HostLibError, build_hostlib

__all__ = ["EngineError", "HostEngine", "HostLibError", "build_hostlib"]
