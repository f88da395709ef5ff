# Runs ON the device (VIRT_M4): the host (tinydev.bench) prepends `JOBS = [(model_path, [input
# files]), ...]`. For each model: load it, then per input file copy the bytes into input 0,
# time invoke() alone with ticks_us (on VIRT_M4 under -icount shift=0, 1 us = 1000 instructions)
# and print the outputs for the host to compare with TFLM.
# Lines: "@INSN model input_file us", "@OUT model input_file output_index hex", "@ERR model msg",
# "@PROF model op_name us" (the last inference, summed per op type).
import binascii
import gc
import time

import tinyml


def run(path, inputs):
    gc.collect()
    try:
        m = tinyml.Model(path)
    except Exception as e:  # e.g. MemoryError: the table says why the model did not run
        print("@ERR", path, repr(e))
        return
    print("@ARENA", path, m.arena_size)
    view = m.input(0)
    n_out = len(m.outputs)
    for name in inputs:
        with open(name, "rb") as f:
            view[:] = f.read()
        gc.collect()
        t0 = time.ticks_us()
        m.invoke()
        dt = time.ticks_diff(time.ticks_us(), t0)
        print("@INSN", path, name, dt)
        for o in range(n_out):
            print("@OUT", path, name, o, binascii.hexlify(bytes(m.output(o))).decode())
    # Per op type, for the last inference (the profiler's per-op microseconds = kilo-instructions).
    per = {}
    for op, us in m.profile():
        per[op] = per.get(op, 0) + us
    for op in per:
        print("@PROF", path, op, per[op])
    del m, view
    gc.collect()


for _path, _inputs in JOBS:  # noqa: F821 (prepended by the host)
    run(_path, _inputs)
print("@DONE")
