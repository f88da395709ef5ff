"""Regenerate the fuzzer's small seed models (cmodules/tinyml/engine/fuzz/corpus/).

The MLPerf Tiny models are big (50-330 KB) and slow to invoke under ASan (about 1 exec/s), so
the corpus also holds one tiny model per core op (and a CNN-like chain): those invoke in
microseconds and let the fuzzer reach every op's prepare and eval. Committed, so fuzzing needs
no TensorFlow; rerun this after changing op_models.py:

    python tests/engine/make_fuzz_corpus.py
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import op_models as om  # noqa: E402

OUT = HERE.parents[1] / "cmodules" / "tinyml" / "engine" / "fuzz" / "corpus"

SEEDS = {
    "conv_same_relu": dict(op="conv", shape=[1, 5, 5, 2], filters=3, kernel=[3, 3], strides=[1, 1],
                           dilation=[1, 1], padding="same", act="relu", bias=True, range=[-1, 1], wseed=1),
    "conv_valid_s2": dict(op="conv", shape=[1, 7, 6, 2], filters=2, kernel=[2, 3], strides=[2, 1],
                              dilation=[1, 1], padding="valid", act="relu6", bias=False, range=[-2, 1], wseed=2),
    "dwconv_mult2": dict(op="dwconv", shape=[1, 5, 5, 2], mult=2, kernel=[3, 3], strides=[1, 1],
                         dilation=[2, 2], padding="same", act="none", bias=True, range=[-1, 3], wseed=3),
    "fc": dict(op="fc", shape=[2, 12], units=5, act="relu", bias=True, range=[-1, 1], wseed=4),
    "avgpool": dict(op="avgpool", shape=[1, 6, 6, 3], pool=[2, 3], strides=[2, 2], padding="same",
                    act="none", range=[-1, 1]),
    "maxpool": dict(op="maxpool", shape=[1, 6, 5, 2], pool=[3, 2], strides=[1, 2], padding="valid",
                    act="relu", range=[-1, 1]),
    "add_bcast": dict(op="add", shape=[1, 3, 4, 2], shape_b=[1, 1, 4, 1], mode="inputs", act="none",
                      range=[-1, 1], range_b=[-3, 2], wseed=5),
    "softmax": dict(op="softmax", shape=[1, 10], range=[-4, 4]),
    "reshape": dict(op="reshape", shape=[1, 2, 3, 4], target=[4, 6], pre_add=True, range=[-1, 1], wseed=6),
    "mix": dict(op="mix", shape=[1, 8, 8, 2], layers=[
        dict(kind="conv", act="relu", bias=True, kernel=[3, 3], strides=[2, 2], dilation=[1, 1],
             padding="same", filters=4),
        dict(kind="dwconv", act="relu6", bias=True, kernel=[3, 3], strides=[1, 1], dilation=[1, 1],
             padding="same", mult=1),
        dict(kind="res", act="none", inner_act="relu"),
        dict(kind="avgpool", pool=[2, 2], strides=[2, 2], padding="valid", act="none")],
        tail=dict(units=3, act="none", softmax=True, flat=True), range=[-1, 1], wseed=7),
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, spec in SEEDS.items():
        model, meta = om.build_model([spec], seed=1, use_cache=False)
        (OUT / f"{name}.tflite").write_bytes(model)
        print(f"{name}: {len(model)} bytes, ops {meta['ops']}")


if __name__ == "__main__":
    main()
