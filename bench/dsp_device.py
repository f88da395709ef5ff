# Runs ON the device (VIRT_M4 or the UNIX firmware): times each tinyml.dsp feature against a
# straightforward pure-MicroPython version of the same computation, in the same run.
# Prints one line per feature: "@BENCH name c_us py_us max_rel_diff" (diff of the two outputs).
import array
import gc
import math
import time

import tinyml

dsp = tinyml.dsp
PI2 = 2 * math.pi


def timed(fn, reps):
    gc.collect()
    fn()  # warm up (and make sure it works)
    t0 = time.ticks_us()
    for _ in range(reps):
        fn()
    return time.ticks_diff(time.ticks_us(), t0) / reps


def rel_diff(a, b):
    peak = max(abs(v) for v in b) or 1.0
    return max(abs(x - y) for x, y in zip(a, b)) / peak


# ---- pure MicroPython reference implementations ------------------------------------------------

def twiddles(n):
    return ([math.cos(PI2 * k / n) for k in range(n // 2)], [math.sin(PI2 * k / n) for k in range(n // 2)])


def py_fft(re, im, tw):
    """In-place iterative radix-2 complex FFT (lists of floats)."""
    n = len(re)
    cos_t, sin_t = tw
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    size = 2
    while size <= n:
        half = size >> 1
        step = n // size
        for k in range(half):
            wr = cos_t[k * step]
            wi = -sin_t[k * step]
            for s in range(k, n, size):
                t = s + half
                tr = wr * re[t] - wi * im[t]
                ti = wr * im[t] + wi * re[t]
                re[t] = re[s] - tr
                im[t] = im[s] - ti
                re[s] += tr
                im[s] += ti
        size <<= 1


def hann(n):
    # array, not list: read once per sample, and a list of 2048 boxed floats would crowd the heap
    w = array.array('f', bytearray(4 * n))
    for i in range(n):
        w[i] = 0.5 - 0.5 * math.cos(PI2 * i / n)
    return w


def py_power(x, win, tw, out):
    n = len(x)
    re = [x[i] * win[i] for i in range(n)]
    im = [0.0] * n
    py_fft(re, im, tw)
    for k in range(n // 2 + 1):
        out[k] = re[k] * re[k] + im[k] * im[k]


class PyMfcc:
    """KWS MFCC as in tinydev.ml.features: tables built once, like the C object."""

    def __init__(self, sr=16000, frame_len=480, n_fft=512, n_mels=40, n_mfcc=13, fmin=20.0, fmax=4000.0):
        self.frame_len, self.n_fft, self.n_mels, self.n_mfcc = frame_len, n_fft, n_mels, n_mfcc
        self.win = hann(frame_len)
        self.tw = twiddles(n_fft)
        mel = lambda f: 2595.0 * math.log10(1.0 + f / 700.0)
        imel = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
        lo, hi = mel(fmin), mel(fmax)
        pts = [imel(lo + i * (hi - lo) / (n_mels + 1)) for i in range(n_mels + 2)]
        pts[0], pts[-1] = fmin, fmax
        self.bank = []  # per band: (first bin, weights)
        for b in range(n_mels):
            l, c, r = pts[b], pts[b + 1], pts[b + 2]
            ws = []
            first = None
            for k in range(n_fft // 2 + 1):
                f = k * sr / n_fft
                w = (f - l) / (c - l) if l < f <= c else ((r - f) / (r - c) if c < f < r else 0.0)
                if w > 0.0:
                    first = k if first is None else first
                    ws.append(w)
            self.bank.append((first or 0, ws))
        self.dct = [[(math.sqrt(1.0 / n_mels) if k == 0 else math.sqrt(2.0 / n_mels))
                     * math.cos(math.pi * k * (2 * i + 1) / (2 * n_mels)) for i in range(n_mels)]
                    for k in range(n_mfcc)]

    def logmel(self, frame, out):
        n = self.n_fft
        scale = 1.0 / (32768.0 * n)
        win = self.win
        re = [frame[i] * scale * win[i] for i in range(self.frame_len)] + [0.0] * (n - self.frame_len)
        im = [0.0] * n
        py_fft(re, im, self.tw)
        p = [re[k] * re[k] + im[k] * im[k] for k in range(n // 2 + 1)]
        for b, (first, ws) in enumerate(self.bank):
            e = 0.0
            for j, w in enumerate(ws):
                e += w * p[first + j]
            out[b] = math.log(e + 1e-10)

    def mfcc(self, frame, out):
        lm = [0.0] * self.n_mels
        self.logmel(frame, lm)
        for k, row in enumerate(self.dct):
            acc = 0.0
            for i in range(self.n_mels):
                acc += row[i] * lm[i]
            out[k] = acc


def py_vibration(samples, n, axes, fs, bands, win, tw, out):
    j = 0
    for a in range(axes):
        x = [samples[i * axes + a] for i in range(n)]
        mean = sum(x) / n
        d = [v - mean for v in x]
        s2 = s4 = peak = 0.0
        for v in d:
            v2 = v * v
            s2 += v2
            s4 += v2 * v2
            if abs(v) > peak:
                peak = abs(v)
        m2 = s2 / n
        rms = math.sqrt(m2)
        out[j] = rms
        out[j + 1] = peak
        out[j + 2] = peak / rms if rms > 0 else 0.0
        out[j + 3] = (s4 / n) / (m2 * m2) if m2 > 0 else 0.0
        j += 4
        if bands:
            re = [d[i] * win[i] for i in range(n)]
            im = [0.0] * n
            py_fft(re, im, tw)
            for lo, hi in bands:
                e = 0.0
                for k in range(n // 2 + 1):
                    f = k * fs / n
                    if lo <= f < hi:
                        e += re[k] * re[k] + im[k] * im[k]
                out[j] = e / n
                j += 1


class PyRing:
    def __init__(self, cap):
        self.buf = array.array('h', bytearray(2 * cap))
        self.cap, self.head, self.tail = cap, 0, 0

    def write(self, src):
        n = min(len(src), self.cap - (self.head - self.tail))
        for i in range(n):
            self.buf[(self.head + i) % self.cap] = src[i]
        self.head += n
        return n

    def frame(self, dst, hop):
        if self.head - self.tail < max(len(dst), hop):
            return False
        for i in range(len(dst)):
            dst[i] = self.buf[(self.tail + i) % self.cap]
        self.tail += hop
        return True


def py_quantize(x, out, scale, zp):
    for i in range(len(x)):
        v = x[i] / scale
        r = math.floor(abs(v) + 0.5)
        q = (-r if v < 0 else r) + zp
        out[i] = -128 if q < -128 else (127 if q > 127 else q)


# ---- the benchmark -------------------------------------------------------------------------------

def signal(n, seed=1):
    # A chirp plus a little pseudo-random noise, as int16.
    s = seed
    out = array.array('h', bytearray(2 * n))
    for i in range(n):
        s = (s * 1103515245 + 12345) & 0x7FFFFFFF
        t = i / 16000
        v = 0.5 * math.sin(PI2 * (200 * t + 20000 * t * t)) + ((s >> 8) % 1000 - 500) / 20000
        out[i] = int(v * 32767)
    return out


def report(name, c_us, py_us, diff):
    print('@BENCH %s %.1f %.1f %.2e' % (name, c_us, py_us, diff))


def to_float(x16, scale):
    x = array.array('f', bytearray(4 * len(x16)))
    for i in range(len(x16)):
        x[i] = x16[i] * scale
    return x


def bench_fft(n, c_reps, py_reps):
    gc.collect()
    x = to_float(signal(n), 1 / 32768)
    f = dsp.RFFT(n, window=dsp.HANN)
    out_c = array.array('f', bytearray(4 * (n // 2 + 1)))
    out_p = [0.0] * (n // 2 + 1)
    win, tw = hann(n), twiddles(n)
    c = timed(lambda: f.power(x, out_c), c_reps)
    p = timed(lambda: py_power(x, win, tw, out_p), py_reps)
    report('fft_power_%d' % n, c, p, rel_diff(out_c, out_p))


def bench_mfcc(c_reps, py_reps):
    gc.collect()
    frame = signal(480, 7)
    m = dsp.MFCC()
    pm = PyMfcc()
    for name, meth, n in (('mfcc_kws_13', 'mfcc', 13), ('logmel_kws_40', 'logmel', 40)):
        out_c = array.array('f', bytearray(4 * n))
        out_p = [0.0] * n
        cf, pf = getattr(m, meth), getattr(pm, meth)
        c = timed(lambda: cf(frame, out_c), c_reps)
        p = timed(lambda: pf(frame, out_p), py_reps)
        report(name, c, p, rel_diff(out_c, out_p))


def bench_vibration(n, bands, c_reps, py_reps):
    fs, axes = 1000.0, 3
    gc.collect()
    x = to_float(signal(n * axes, 3), 1 / 16384)
    v = dsp.Vibration(n, fs, bands=bands, axes=axes)
    out_c = array.array('f', bytearray(4 * v.n_out))
    out_p = [0.0] * v.n_out
    win, tw = hann(n), twiddles(n)
    c = timed(lambda: v.features(x, out_c), c_reps)
    p = timed(lambda: py_vibration(x, n, axes, fs, bands, win, tw, out_p), py_reps)
    report('vibration_%dx3_%dbands' % (n, len(bands)), c, p, rel_diff(out_c, out_p))


def bench_ring(c_reps, py_reps):
    chunk = signal(320, 5)
    r, pr = dsp.Ring(1024), PyRing(1024)
    fr_c, fr_p = array.array('h', bytearray(960)), array.array('h', bytearray(960))
    r.write(signal(160)), pr.write(signal(160))

    def c_step():
        r.write(chunk)
        r.frame(fr_c, 320)

    def p_step():
        pr.write(chunk)
        pr.frame(fr_p, 320)

    c = timed(c_step, c_reps)
    p = timed(p_step, py_reps)
    report('ring_write320_frame480', c, p, rel_diff(fr_c, fr_p))


def bench_quantize(c_reps, py_reps):
    x = array.array('f', [((i * 37) % 200 - 100) / 3.0 for i in range(49 * 13)])
    q_c, q_p = array.array('b', bytearray(len(x))), array.array('b', bytearray(len(x)))
    c = timed(lambda: dsp.quantize(x, q_c, 0.37, -5), c_reps)
    p = timed(lambda: py_quantize(x, q_p, 0.37, -5), py_reps)
    report('quantize_637', c, p, rel_diff(q_c, q_p))


bench_fft(256, 20, 2)
bench_fft(512, 20, 2)
bench_fft(2048, 10, 1)
bench_mfcc(20, 2)
bench_vibration(256, (), 20, 2)
bench_vibration(256, ((5, 50), (50, 150), (150, 300), (300, 500)), 20, 2)
bench_ring(50, 5)
bench_quantize(50, 3)
print('@DONE')
