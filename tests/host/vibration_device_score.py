# MicroPython: the vibration bundle's recipe as the device runs it (only json, math, array and
# tinyml), over a replay file; prints the scores as JSON. Usage: micropython this.py BUNDLE_DIR
import array
import json
import math
import sys

import tinyml

d = sys.argv[1]
man = json.load(open(d + "/vibration.json"))
f, inp, out, sc = man["features"], man["input"], man["output"], man["score"]
t = f["transform"]
n_feat = len(t["mean"])
vib = tinyml.dsp.Vibration(f["window"], f["sample_rate"], bands=[tuple(b) for b in f["bands"]], axes=f["axes"])
m = tinyml.Model(d + "/vibration.tflite")
raw = array.array("f", [0.0] * n_feat)
z = array.array("f", [0.0] * n_feat)
qin = array.array("b", [0] * n_feat)  # our copy: the arena may reuse the input tensor during invoke
mean, inv_std, w, off = t["mean"], t["inv_std"], sc["weights"], t["offset"]


def score(window):
    vib.features(window, raw)
    for i in range(n_feat):
        z[i] = (math.log(raw[i] + off) - mean[i]) * inv_std[i]
    tinyml.dsp.quantize(z, qin, inp["scale"], inp["zero_point"])
    m.input(0)[:] = qin
    m.invoke()
    qo = m.output(0)
    s = 0.0
    for i in range(n_feat):
        e = (qo[i] - out["zero_point"]) * out["scale"] - (qin[i] - inp["zero_point"]) * inp["scale"]
        s += w[i] * e * e
    return s / n_feat


n = f["window"] * f["axes"]
buf = array.array("h", [0] * n)
src = open(d + "/vibration-replay.bin", "rb")
pos, scores = 0, []
while True:
    src.seek(pos)
    if src.readinto(buf) != 2 * n:
        break
    scores.append(score(buf))
    pos += 2 * f["hop"] * f["axes"]
print(json.dumps(scores))
