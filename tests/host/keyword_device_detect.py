# MicroPython: the keyword bundle's detector as the device runs it (only json, array and tinyml):
# per 20 ms hop one MFCC frame in C, normalised and quantised into a ring of `frames` frames; every
# `stride_frames` frames the ring (oldest first) goes into the model; the wake posterior is
# smoothed and thresholded as the manifest's `detector` says.
# Usage: micropython this.py BUNDLE_DIR AUDIO.raw (int16 LE, 16 kHz) OUT_PREFIX
# Writes OUT_PREFIX.in (every model input) and OUT_PREFIX.out (every output); prints the fires as
# JSON: {"invocations": n, "fires": [invocation index, ...]}.
import array
import json
import sys

import tinyml

d, audio, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
man = json.load(open(d + "/keyword.json"))
f, inp, out, det = man["features"], man["input"], man["output"], man["detector"]
th, wake = man["thresholds"]["wake"], man["wake_index"]
mean, inv_std = f["transform"]["mean"], f["transform"]["inv_std"]
T, C, hop, flen = f["frames"], f["n_mfcc"], f["hop"], f["frame_len"]
mf = tinyml.dsp.MFCC(sample_rate=f["sample_rate"], frame_len=flen, n_fft=f["n_fft"], n_mels=f["n_mels"],
                     n_mfcc=C, fmin=f["fmin"], fmax=f["fmax"])
m = tinyml.Model(d + "/keyword.tflite")
frame = array.array("h", [0] * flen)
c = array.array("f", [0.0] * C)
z = array.array("f", [0.0] * C)
q = array.array("b", [0] * C)
ring = array.array("b", [0] * (T * C))
win = array.array("b", [0] * (T * C))
src = open(audio, "rb")
fin, fout = open(prefix + ".in", "wb"), open(prefix + ".out", "wb")
stride, smooth, refr = det["stride_frames"], det["smooth"], det["refractory_invocations"]
hist, skip, fires, n_inv, k = [], 0, [], 0, 0
while True:
    src.seek(2 * k * hop)
    if src.readinto(frame) != 2 * flen:
        break
    mf.mfcc(frame, c)
    for i in range(C):
        z[i] = (c[i] - mean[i]) * inv_std[i]
    tinyml.dsp.quantize(z, q, inp["scale"], inp["zero_point"])
    slot = k % T
    ring[slot * C:(slot + 1) * C] = q
    if k >= T - 1 and (k - (T - 1)) % stride == 0:
        s0 = (k + 1) % T  # the oldest frame's slot
        win[0:(T - s0) * C] = ring[s0 * C:]
        win[(T - s0) * C:] = ring[:s0 * C]
        m.input(0)[:] = win
        m.invoke()
        o = m.output(0)
        fin.write(win)
        fout.write(bytes(o))
        if skip:
            skip -= 1
        else:
            hist.append((o[wake] - out["zero_point"]) * out["scale"])
            if len(hist) > smooth:
                hist.pop(0)
            if sum(hist) / smooth >= th:
                fires.append(n_inv)
                hist, skip = [], refr
        n_inv += 1
    k += 1
fin.close()
fout.close()
print(json.dumps({"invocations": n_inv, "fires": fires}))
