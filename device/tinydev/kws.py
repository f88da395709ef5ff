# Keyword spotting on the device: the keyword bundle (models/keyword: <base>.tflite + <base>.json)
# and the streaming detector, exactly as docs/model-bundle.md / tinydev.ml.keyword.detector define
# them:
#   per hop: one MFCC frame (tinyml.dsp.MFCC with the manifest's parameters), z = (c - mean) *
#   inv_std per coefficient, tinyml.dsp.quantize into a ring of the last `frames` frames;
#   every `stride_frames` frames (once `frames` are buffered): copy the ring oldest first into the
#   model input, invoke, p = (q_out[wake_index] - zero_point) * scale;
#   score = sum of the last `smooth` p / smooth (missing ones count 0); wake when score >=
#   thresholds.wake, then skip `refractory_invocations` invocations and clear the history.
# The manifest is verified (sha256, input spec) by tinydev.model before the model loads.
import array
import math
import tinyml
from tinydev.model import ModelError, verify, compile_transform, apply_transform

_WINDOWS = {"hann": "HANN", "hamming": "HAMMING", "none": "NONE"}


class KeywordBundle:
    def __init__(self, base, arena=None):
        self.man = man = verify(base)
        self.name = man["name"]
        f = man.get("features", {})
        if f.get("kind") != "mfcc":
            raise ModelError("model %s has %r features; the wake app computes MFCCs" % (base, f.get("kind")))
        self.features = f
        self.rate = f.get("sample_rate", 16000)
        self.frame_len = f.get("frame_len", 480)
        self.hop = f.get("hop", 320)
        self.n_mfcc = f.get("n_mfcc", 13)
        self.frames = f["frames"]
        wname = _WINDOWS.get(str(f.get("window", "hann")).lower())
        if wname is None:
            raise ModelError("unknown MFCC window %r" % f.get("window"))
        try:
            self.mfcc = tinyml.dsp.MFCC(sample_rate=self.rate, frame_len=self.frame_len, n_fft=f.get("n_fft", 512),
                                        n_mels=f.get("n_mels", 40), n_mfcc=self.n_mfcc, fmin=f.get("fmin", 20),
                                        fmax=f.get("fmax", 4000), window=getattr(tinyml.dsp, wname))
        except ValueError as e:
            raise ModelError("model %s: MFCC parameters refused: %s" % (base, e))
        try:
            self.model = tinyml.Model(base + ".tflite") if arena is None else tinyml.Model(base + ".tflite", arena=arena)
        except Exception as e:
            raise ModelError("model %s.tflite does not load: %s" % (base, e))
        spec = self.model.inputs[0]
        want = man["input"]
        if list(spec.shape) != list(want["shape"]) or spec.dtype != want.get("dtype", spec.dtype):
            raise ModelError("model input is %s %s but the manifest says %s %s" % (
                spec.dtype, list(spec.shape), want.get("dtype"), want["shape"]))
        if spec.dtype != "int8":
            raise ModelError("keyword model input must be int8, not %s" % spec.dtype)
        n = 1
        for d in spec.shape:
            n *= d
        if n != self.frames * self.n_mfcc:
            raise ModelError("model input holds %d values, the features give %d frames x %d = %d"
                             % (n, self.frames, self.n_mfcc, self.frames * self.n_mfcc))
        self.in_scale = spec.scale
        self.in_zp = spec.zero_point
        out = self.model.outputs[0]
        self.out_scale = out.scale
        self.out_zp = out.zero_point
        self.out_int8 = out.dtype == "int8"
        self.labels = man.get("labels", [])
        self.wake_phrase = man.get("wake_phrase", "wake")
        wi = man.get("wake_index")
        if wi is None:
            wi = self.labels.index("wake") if "wake" in self.labels else len(self.labels) - 1
        n_out = 1
        for d in out.shape:
            n_out *= d
        if not 0 <= wi < n_out:
            raise ModelError("wake_index %d outside the model's %d outputs" % (wi, n_out))
        self.wake_index = wi
        th = man.get("thresholds", {})
        if "wake" not in th:
            raise ModelError("manifest %s.json has no thresholds.wake" % base)
        self.threshold = th["wake"]
        det = man.get("detector", {})
        self.stride = det.get("stride_frames", 4)
        self.smooth = det.get("smooth", 3)
        r = det.get("refractory_invocations")
        if r is None:
            r = int(math.ceil(det.get("refractory_s", 1.5) * self.rate / (self.stride * self.hop)))
        self.refractory = r
        self.steps = compile_transform(f.get("transform"), self.n_mfcc)
        self.window_samples = self.frame_len + (self.frames - 1) * self.hop


class KeywordDetector:
    """Frames in (int16 arrays of frame_len), wake decisions out. Allocates nothing per frame."""

    def __init__(self, bundle, smooth=None, threshold=None, stride=None, refractory=None):
        b = self.b = bundle
        self.smooth = smooth or b.smooth
        self.threshold = b.threshold if threshold is None else threshold
        self.stride = stride or b.stride
        self.refractory = b.refractory if refractory is None else refractory
        self.c = array.array("f", bytearray(4 * b.n_mfcc))
        self.win = bytearray(b.frames * b.n_mfcc)       # int8 frames, circular
        self.mv = memoryview(self.win)
        self.hist = array.array("f", bytearray(4 * self.smooth))
        self._in = b.model.input(0)
        self._out = b.model.output(0)
        self.invocations = 0
        self.frames_total = 0
        self.last_p = 0.0
        self.last_score = 0.0
        self.max_score = 0.0
        self.reset()

    def reset(self):
        """Start over (a new sound after silence): empty frame ring and posterior history."""
        self.head = 0
        self.nfr = 0
        self.n_hist = 0
        self.skip = 0

    def push(self, frame):
        """One audio frame; returns the smoothed score when this frame fired a wake, else None."""
        b = self.b
        C = b.n_mfcc
        b.mfcc.mfcc(frame, self.c)
        apply_transform(b.steps, self.c)
        h = self.head
        tinyml.dsp.quantize(self.c, self.mv[h * C:(h + 1) * C], b.in_scale, b.in_zp)
        self.head = (h + 1) % b.frames
        self.nfr += 1
        self.frames_total += 1
        if self.nfr < b.frames or (self.nfr - b.frames) % self.stride:
            return None
        if self.skip:
            self.skip -= 1
            return None
        return self._invoke()

    def _invoke(self):
        b = self.b
        C = b.n_mfcc
        k = (b.frames - self.head) * C
        inp = self._in
        inp[0:k] = self.mv[self.head * C:]
        if k < len(self.win):
            inp[k:] = self.mv[:self.head * C]
        b.model.invoke()
        v = self._out[b.wake_index]
        p = (v - b.out_zp) * b.out_scale if b.out_int8 else v
        self.invocations += 1
        self.last_p = p
        hs = self.hist
        # the last `smooth` posteriors; missing ones count 0
        if self.n_hist < self.smooth:
            hs[self.n_hist] = p
            self.n_hist += 1
        else:
            for i in range(self.smooth - 1):
                hs[i] = hs[i + 1]
            hs[self.smooth - 1] = p
        s = 0.0
        for i in range(self.n_hist):
            s += hs[i]
        s /= self.smooth
        self.last_score = s
        if s > self.max_score:
            self.max_score = s
        if s >= self.threshold:
            self.n_hist = 0
            self.skip = self.refractory
            return s
        return None
