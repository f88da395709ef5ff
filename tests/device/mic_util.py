"""Helpers for the microphone / wake-app tests (no tests here): WAV files, a fast upload to
VIRT_M4, espeak-ng speech, and a small keyword bundle trained here with TensorFlow (tests only)."""
import base64
import hashlib
import json
import subprocess
import wave
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEVICE = REPO / "device"
RATE = 16000


def write_wav(path, x, rate=RATE):
    x = np.clip(np.round(np.asarray(x, np.float64)), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(x.tobytes())
    return Path(path)


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").copy(), w.getframerate()


def upload(port, local, remote, chunk=12000):
    """Copy a file to the board: zlib + base64 in chunks over one raw-REPL session, inflated on
    the board with deflate.DeflateIO (mpremote fs cp sends binary as escaped bytes, ~4x slower
    over VIRT_M4's 10 KB/s serial input). The board's sha256 of the result is checked."""
    from mpremote.transport_serial import SerialTransport

    data = Path(local).read_bytes()
    z = base64.b64encode(zlib.compress(data, 9))
    t = SerialTransport(port, baudrate=115200)
    try:
        t.enter_raw_repl(soft_reset=False)
        t.exec("import binascii, deflate, hashlib\nf = open('/_up.z', 'wb')")
        for i in range(0, len(z), chunk):
            t.exec("f.write(binascii.a2b_base64(%r))" % z[i:i + chunk])
        t.exec("f.close()\n"
               "src = open('/_up.z', 'rb')\nd = deflate.DeflateIO(src, deflate.ZLIB)\n"
               "h = hashlib.sha256()\nb = bytearray(2048)\n"
               "with open(%r, 'wb') as o:\n"
               "    while True:\n"
               "        n = d.readinto(b)\n"
               "        if not n:\n"
               "            break\n"
               "        o.write(b[:n])\n"
               "        h.update(b[:n])\n"
               "src.close()\nimport os\nos.remove('/_up.z')" % remote)
        got = t.exec("print(binascii.hexlify(h.digest()).decode())").decode().strip()
        t.exit_raw_repl()
    finally:
        t.close()
    want = hashlib.sha256(data).hexdigest()
    if got != want:
        raise AssertionError(f"upload of {local} to {remote}: sha256 {got} != {want}")


# --- speech --------------------------------------------------------------------------------

def resample(x, src_rate, dst_rate=RATE):
    """Band-limited resampling by FFT (zero the bins above the new Nyquist, inverse FFT)."""
    x = np.asarray(x, np.float64)
    n_out = int(round(len(x) * dst_rate / src_rate))
    X = np.fft.rfft(x)
    keep = n_out // 2 + 1
    Y = np.zeros(keep, complex)
    k = min(keep, len(X))
    Y[:k] = X[:k]
    return np.fft.irfft(Y, n_out) * (n_out / len(x))


def espeak(text, voice="en", speed=150, pitch=50, tmp=None):
    """espeak-ng -w out.wav, resampled to 16 kHz float (int16 scale), leading/trailing silence cut."""
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".wav", dir=tmp) as f:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", f.name, text],
                       check=True, capture_output=True)
        x, rate = read_wav(f.name)
    y = resample(x.astype(np.float64), rate)
    a = np.abs(y)
    on = np.nonzero(a > 0.02 * a.max())[0]
    return y[max(0, on[0] - 320):on[-1] + 320] if len(on) else y


def background(n, rng, level=300.0):
    """Room-like background: brown-ish noise plus a slow hum and a soft tone pair (music-like)."""
    t = np.arange(n) / RATE
    w = rng.standard_normal(n)
    b = np.cumsum(w)
    b -= np.convolve(b, np.ones(400) / 400, mode="same")
    b = b / (np.std(b) + 1e-9)
    tone = 0.5 * np.sin(2 * np.pi * (220 + 20 * np.sin(2 * np.pi * 0.2 * t)) * t) + 0.3 * np.sin(2 * np.pi * 330 * t)
    return level * (0.7 * b + 0.4 * rng.standard_normal(n) + tone + 0.3 * np.sin(2 * np.pi * 50 * t))


def scene(parts, seconds, rng, bg_level=300.0, speech_rms=3000.0):
    """A stream with speech placed on a background. parts: [(start_s, utterance float array)].
    Returns (int16 array, [(start_s, end_s)] of each part)."""
    n = int(seconds * RATE)
    x = background(n, rng, bg_level)
    spans = []
    for start, u in parts:
        u = u / (np.sqrt(np.mean(u ** 2)) + 1e-9) * speech_rms
        i = int(start * RATE)
        j = min(n, i + len(u))
        x[i:j] += u[:j - i]
        spans.append((start, j / RATE))
    return np.clip(np.round(x), -32768, 32767).astype(np.int16), spans


# --- a small keyword bundle, the manifest format of tinydev.ml.keyword (tests only) ----------

WAKE = "hi assistant"
OTHERS = ["hello", "high", "assistance", "a distant island", "hi there", "my system", "instant",
          "the weather is nice", "open the window", "sister", "what time is it", "hide", "resistant",
          "I insist", "turn on the light", "hi", "see you tomorrow", "a sister asked", "hey",
          "how are you doing", "the assistant manager", "hire a system", "this is it", "good morning",
          "nice to meet you", "where is the station", "play some music", "I missed the bus", "thank you",
          "what is the time now", "is this your seat", "a tiny distance", "high and dry", "we are listening",
          "turn it off", "cancel that", "music", "the history of science", "sixty seconds", "why not"]
# hard negatives: parts of the wake phrase and words that sound like it
CONFUSABLE = ["hi", "hi there", "high", "hey", "hi, how are you", "assistant", "hi sister", "I assist",
              "hi, it is me", "a system"]
TRAIN_VOICES = [lang + var for lang in ("en", "en-us", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd")
                for var in ("", "+m1", "+m3", "+m5", "+m7", "+f1", "+f2", "+f4", "+f5", "+klatt", "+klatt3",
                            "+Adam", "+Annie", "+Andy", "+Belinda", "+david", "+Gene", "+iven2", "+linda",
                            "+max", "+michel", "+steph", "+travis", "+victor")]
FRAMES = 64


def _mfcc_frames(x):
    """(n_frames, 13) MFCCs of a stream, framed as the device's Ring.frame(out, 320): the host
    twin tinydev.ml.features.mfcc (KWS defaults), vectorised over frames."""
    import sys
    sys.path.insert(0, str(REPO / "host"))
    from tinydev.ml import features as F
    c = F.KWS
    s = np.asarray(x, np.int16)
    n = 0 if len(s) < c.frame_len else 1 + (len(s) - c.frame_len) // c.hop
    fr = s[np.arange(n)[:, None] * c.hop + np.arange(c.frame_len)[None, :]]
    bank = F.mel_filterbank(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.fmax)
    dct = F.dct_matrix(c.n_mfcc, c.n_mels)
    p = np.abs(np.fft.rfft(F.to_float(fr) * F.window(c.window, c.frame_len), c.n_fft, axis=1) / c.n_fft) ** 2
    return (np.log(p @ bank.T + F.LOGMEL_EPS) @ dct.T).astype(np.float32)


def make_keyword_bundle(base, seed=0, log=print):
    """Train a small int8 keyword model (background / unknown / wake) on espeak-ng speech over
    noise, in the manifest format the device reads (tinydev.kws). Returns the manifest."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    win = 480 + (FRAMES - 1) * 320
    clips, labels = [], []
    jobs = []
    for v in TRAIN_VOICES:
        for _ in range(2):
            sp_, p_ = int(rng.integers(110, 190)), int(rng.integers(25, 75))
            jobs.append((2, WAKE, v, sp_, p_))
            for _ in range(4):
                jobs.append((1, OTHERS[rng.integers(len(OTHERS))], v, sp_, p_))
            jobs.append((1, CONFUSABLE[rng.integers(len(CONFUSABLE))], v, sp_, p_))
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as ex:
        utts = list(ex.map(lambda j: espeak(j[1], j[2], j[3], j[4]), jobs))
    for (lab, text, v, sp, p), u in zip(jobs, utts):
        if lab == 2:
            for _ in range(2):
                clips.append(_place(u, win, rng)); labels.append(2)
            # the wake phrase cut short ("hi", "hi assi") counts as unknown: the detector must
            # wait for the whole phrase
            clips.append(_place(u[:int(len(u) * rng.uniform(0.3, 0.6))], win, rng)); labels.append(1)
            clips.append(_place(None, win, rng)); labels.append(0)
        else:
            clips.append(_place(u, win, rng)); labels.append(1)
    X = np.stack([_mfcc_frames(c) for c in clips])
    y = np.array(labels)
    mean = X.reshape(-1, 13).mean(0)
    inv_std = 1.0 / np.maximum(X.reshape(-1, 13).std(0), 1e-3)
    Z = ((X - mean) * inv_std).astype(np.float32)[..., None]
    log(f"keyword test model: {len(y)} clips ({np.bincount(y).tolist()})")
    tf.keras.utils.set_random_seed(seed)  # Python, NumPy and TF: Keras 3's initialisers too, so the same model each time
    m = tf.keras.Sequential([
        tf.keras.Input((FRAMES, 13, 1)),
        tf.keras.layers.Conv2D(12, (5, 3), strides=(2, 1), activation="relu"),
        tf.keras.layers.Conv2D(16, (3, 3), strides=(2, 2), activation="relu"),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Dense(24, activation="relu"),
        tf.keras.layers.Dense(3, activation="softmax")])
    m.compile(tf.keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(Z, y, epochs=50, batch_size=32, verbose=0, shuffle=True)
    acc = float(m.evaluate(Z, y, verbose=0)[1])
    log(f"keyword test model: train accuracy {acc:.3f}")
    conv = tf.lite.TFLiteConverter.from_keras_model(m)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([Z[i:i + 1]] for i in range(0, len(Z), 2))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    blob = conv.convert()
    it = tf.lite.Interpreter(model_content=blob)
    i_d, o_d = it.get_input_details()[0], it.get_output_details()[0]
    spec = lambda d: {"shape": [int(v) for v in d["shape"]], "dtype": "int8",
                      "scale": float(d["quantization"][0]), "zero_point": int(d["quantization"][1])}
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".tflite").write_bytes(blob)
    man = {
        "name": "keyword-test", "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob), "task": "keyword",
        "input": spec(i_d), "output": spec(o_d),
        "features": {"kind": "mfcc", "sample_rate": 16000, "frame_len": 480, "hop": 320, "n_fft": 512,
                     "n_mels": 40, "n_mfcc": 13, "fmin": 20, "fmax": 4000, "window": "hann", "frames": FRAMES,
                     "window_samples": win,
                     "transform": {"recipe": "z[c] = (mfcc[c] - mean[c]) * inv_std[c]",
                                   "mean": [float(v) for v in mean], "inv_std": [float(v) for v in inv_std]}},
        "labels": ["background", "unknown", "wake"], "wake_phrase": WAKE, "wake_index": 2,
        "thresholds": {"wake": 0.85},
        "detector": {"stride_frames": 4, "smooth": 3, "refractory_s": 1.5, "refractory_invocations": 19},
        "training": {"note": "tests/device/mic_util.py: espeak-ng voices " + ", ".join(TRAIN_VOICES),
                     "train_accuracy": acc},
    }
    base.with_suffix(".json").write_text(json.dumps(man))
    return man


def _place(u, win, rng):
    x = background(win, rng, rng.uniform(100, 600))
    if u is not None:
        u = u / (np.sqrt(np.mean(u ** 2)) + 1e-9) * rng.uniform(1500, 5000)
        u = u[:win]
        i = int(rng.integers(0, win - len(u) + 1))
        x[i:i + len(u)] += u
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


# --- test scenes and the host twin of the device detector ----------------------------------

TEST_VOICES = [("en-gb-scotland", 150, 45), ("en-029", 140, 60), ("en-us-nyc", 160, 40)]


def wake_scene(path, seed=3, seconds=12.0):
    """Background with other speech and two wake phrases in voices the model never heard.
    Returns (path, wake spans [(start_s, end_s)], other spans)."""
    rng = np.random.default_rng(seed)
    (v1, s1, p1), (v2, s2, p2), (v3, s3, p3) = TEST_VOICES
    parts = [(1.2, espeak("what time is it", v3, s3, p3)),
             (3.6, espeak(WAKE, v1, s1, p1)),
             (6.4, espeak("hello, my sister is resistant", v2, s2, p2)),
             (9.4, espeak(WAKE, v2, s2, p2))]
    x, spans = scene(parts, seconds, rng)
    write_wav(path, x)
    return Path(path), [spans[1], spans[3]], [spans[0], spans[2]]


def background_scene(path, seed=4, seconds=12.0):
    """Background, music-like tones and other words only (no wake phrase)."""
    rng = np.random.default_rng(seed)
    (v1, s1, p1), (v2, s2, p2), (v3, s3, p3) = TEST_VOICES
    parts = [(0.8, espeak("hello there", v1, s1, p1)), (3.0, espeak("a distant island", v2, s2, p2)),
             (5.5, espeak("high", v3, s3, p3)), (7.0, espeak("the assistance was instant", v1, s1, p1)),
             (9.8, espeak("hi", v2, s2, p2))]
    x, spans = scene(parts, seconds, rng, bg_level=500.0)
    write_wav(path, x)
    return Path(path), spans


def host_detect(base, x):
    """The device's detector on the host (TFLite interpreter), ungated: [(t_ms, score)]."""
    import tensorflow as tf
    man = json.loads(Path(base).with_suffix(".json").read_text())
    f, det = man["features"], man["detector"]
    m = _mfcc_frames(x)
    z = (m - np.array(f["transform"]["mean"], np.float32)) * np.array(f["transform"]["inv_std"], np.float32)
    i_s, o_s = man["input"], man["output"]
    q = np.clip(np.round(z / i_s["scale"]) + i_s["zero_point"], -128, 127).astype(np.int8)
    it = tf.lite.Interpreter(model_path=str(Path(base).with_suffix(".tflite")))
    it.allocate_tensors()
    idx_i, idx_o = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    F, stride, smooth = f["frames"], det["stride_frames"], det["smooth"]
    fires, hist, skip, scores = [], [], 0, []
    for end in range(F - 1, len(q), stride):
        if skip:
            skip -= 1
            continue
        it.set_tensor(idx_i, q[end - F + 1:end + 1].reshape(i_s["shape"]))
        it.invoke()
        p = (float(it.get_tensor(idx_o)[0, man["wake_index"]]) - o_s["zero_point"]) * o_s["scale"]
        hist = (hist + [p])[-smooth:]
        s = sum(hist) / smooth
        scores.append(s)
        if s >= man["thresholds"]["wake"]:
            fires.append(((end * 320 + 480) * 1000 // 16000, s))
            hist, skip = [], det["refractory_invocations"]
    return fires, max(scores) if scores else 0.0
