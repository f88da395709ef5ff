"""Synthetic speech for keyword spotting: Debian's espeak-ng over many voices, speeds and pitches,
mixed with noise, music-like tones and room reverberation at set SNRs. Nothing is downloaded.

Speech
  * `espeak-ng --stdout -v <language>+<variant> -s <words/min> -p <pitch 0-99> <text>`, 22.05 kHz
    int16, resampled to 16 kHz by FFT (band-limited: zero the bins above 8 kHz, inverse FFT) and
    trimmed to its active part (|x| above 1 % of the peak, with 40 ms kept either side).
  * A voice is a (language, variant) pair: English accents (en-us, en-gb, Scottish, Caribbean,
    RP, ...) and other languages reading the same English text (a foreign-accented speaker), times
    espeak's voice variants (male 1-8, female 1-5, klatt formant voices, named voices) and, for
    training only, 40 generated variants with random formants and pitch (espeak_variants).
  * Texts: the wake phrase (default "hi assistant", a few punctuations of it, so prosody varies),
    confusable words and phrases ("hi", "assistant", "assistance", "my assistant", "high
    resistance", ...), random words and random sentences from a small grammar. The background
    streams never contain the wake phrase (no utterance there starts with "assistant", so "... hi"
    followed by "assistant ..." cannot happen by concatenation); an everyday stream
    (`confusables=False`) has no confusable phrase either.
  * Speed 125-205 words/min, pitch 25-75, drawn per utterance.

Held-out voices: languages and variants are split three ways (SPLIT_LANGS, SPLIT_VARIANTS). Train
uses train-language x train-variant voices only (the train languages plus TRAIN_EXTRA_LANGS, about
90 more espeak-ng languages reading the English text, so training hears ~2300 voices); validation voices have a validation language or a
validation variant; test voices have a test language or a test variant, so every test voice is
either an accent or a voice quality that training and validation never heard.

Who says the wake phrase: espeak-ng reads English text with each language's own letter-to-sound
rules, so many voices do not say "hi assistant" when given it (h-dropping West Midlands English
says "I assistant", a hard negative; Spanish, Portuguese and French say "ee assistant", Danish,
Dutch and Swedish "he assistant"). Wake utterances therefore come only from voices whose
transcription of the phrase keeps its words (says_wake, wake_voices); every voice speaks the
non-wake speech.

Acoustic scene (`noise`, `reverb`, `mix`)
  * Noise kinds: white, pink (1/f), brown (1/f^2), mains hum (50 or 60 Hz with harmonics and a
    little noise), fan (low-passed noise plus a blade-rate tone), music (notes of an equal-tempered
    scale with 3-8 harmonics, attack/decay envelopes, a bass line and chords at 60-160 bpm), and
    babble-like modulated noise (speech-shaped noise with a 3-6 Hz syllable-rate envelope).
  * Reverb: a synthetic room impulse response, a direct path then exponentially decaying noise
    with RT60 0.15-0.8 s and 2-20 ms pre-delay, direct-to-reverberant ratio 0-12 dB; applied to
    half of the utterances.
  * SNR is speech power over the active part of the utterance against the noise's mean power.
    The SNR values of training, validation and test are disjoint sets (SPLIT_SNRS): test SNRs are
    levels the model never trained on.
  * The level of each clip is drawn so its peak lies between -35 and -1 dBFS.
  * Context (training clips, keyword.dataset): an utterance may have the end of another before it
    and/or the start of another after it, 0.05-0.6 s away (with_context), as in a stream.

Everything is seeded: the same (split, seed, counts) always gives the same samples. Synthesised
utterances are cached under the tinydev cache dir (`cache_dir("speech")`), one .npz per batch.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import espeak_variants

FS = 16000
ESPEAK_FS = 22050
WAKE = "hi assistant"
SYNTH_VERSION = 1  # bump when synthesis or trimming changes, to drop stale caches

# --- voices ---------------------------------------------------------------------------------------

SPLIT_LANGS = {
    "train": ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "de", "fr-fr", "es", "sv", "pl"),
    "val": ("en-gb-x-gbclan", "da", "pt"),
    "test": ("en-029", "en-us-nyc", "en-gb-x-gbcwmd", "nl", "it"),
}
# More training accents (train only; validation and test voices are unchanged): every other espeak-ng
# language reading the English text, except the validation and test languages, their close
# relatives (af: Dutch; pt-br: Portuguese) and the languages whose voices spell Latin text letter by
# letter or mangle it (utterances of "hi assistant" 1.4-3.3 s long: ba, be, cv, he, hyw, ja, jbo,
# kok, ky, mi, my, nog, py, qdb, quc, shn; chr-US-Qaaa-x-west gives no audio).
TRAIN_EXTRA_LANGS = (
    "am", "an", "ar", "as", "az", "bg", "bn", "bpy", "bs", "ca", "cmn", "cmn-latn-pinyin", "cs", "cy", "el",
    "eo", "es-419", "et", "eu", "fa", "fa-latn", "fi", "fr-be", "fr-ch", "ga", "gd", "gn", "grc", "gu", "hak",
    "haw", "hi", "hr", "ht", "hu", "hy", "ia", "id", "io", "is", "ka", "kk", "kl", "kn", "ko", "ku", "la", "lb",
    "lfn", "lt", "ltg", "lv", "mk", "ml", "mr", "ms", "mt", "nb", "nci", "ne", "om", "or", "pa", "pap", "piqd",
    "qu", "qya", "ro", "ru", "ru-lv", "sd", "si", "sjn", "sk", "sl", "smj", "sq", "sr", "sw", "ta", "te", "th",
    "tk", "tn", "tr", "tt", "ug", "uk", "ur", "uz", "vi", "vi-vn-x-central", "vi-vn-x-south", "yue")
SPLIT_VARIANTS = {
    "train": ("", "m1", "m2", "m4", "m7", "f1", "f3", "f5", "klatt", "klatt2", "klatt4", "Alex", "Andy",
              "Annie", "ed", "john", "max", "steph", "robert", "grandma", "Mr", "croak", "whisper"),
    "val": ("m5", "f2", "klatt6", "Gene", "paul", "Lee"),
    "test": ("m3", "m6", "f4", "klatt3", "anika", "david", "Denis", "linda", "travis", "norbert"),
}
# Generated vocal tracts (espeak_variants), with the training languages only: validation and test
# voices are espeak-ng's own.
TRAIN_GENERATED_VARIANTS = espeak_variants.names()
SPLIT_SNRS = {  # dB
    "train": (0.0, 5.0, 10.0, 15.0, 20.0, 30.0),
    "val": (3.0, 12.0, 25.0),
    "test": (2.0, 7.0, 13.0, 18.0, 40.0),
}
SPLITS = ("train", "val", "test")


def voices(split: str) -> list[str]:
    """espeak-ng voice names (language+variant) of a split; see the module docstring."""
    L, V = SPLIT_LANGS, SPLIT_VARIANTS
    if split == "train":
        pairs = [(lang, v) for lang in L["train"] + TRAIN_EXTRA_LANGS for v in V["train"] + TRAIN_GENERATED_VARIANTS]
    elif split == "val":
        pairs = [(lang, v) for lang in L["val"] for v in V["train"] + V["val"]]
        pairs += [(lang, v) for lang in L["train"] for v in V["val"]]
    elif split == "test":
        pairs = [(lang, v) for lang in L["test"] for v in V["train"] + V["val"] + V["test"]]
        pairs += [(lang, v) for lang in L["train"] + L["val"] for v in V["test"]]
    else:
        raise ValueError(f"split must be one of {SPLITS}")
    return [lang + (f"+{v}" if v else "") for lang, v in pairs]


# --- who says the wake phrase ---------------------------------------------------------------------

REFERENCE_LANG = "en-us"  # the wake phrase's pronunciation as the user means it


@functools.lru_cache(maxsize=None)
def phonemes(text: str, lang: str) -> str:
    """espeak-ng's phoneme transcription (-x) of `text` in `lang`, without stress, length, pause,
    syllable and language-switch marks: what the voice will actually say."""
    r = subprocess.run(["espeak-ng", "-q", "-x", "-v", lang, text], check=True, capture_output=True, text=True,
                       timeout=30)
    return re.sub(r"\([^)]*\)|[',_|!:;#?%=\-\s\d]", "", r.stdout)


def _edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[-1]


@functools.lru_cache(maxsize=None)
def says_wake(lang: str, wake: str) -> bool:
    """Whether a language's voices say the wake phrase when they read it. espeak-ng reads the text
    with the language's own letter-to-sound rules, and for many languages that changes the words:
    h-dropping accents (West Midlands English) read "hi" as "I" (a hard negative: "I assistant"),
    Spanish, Portuguese and French as "ee", Danish, Dutch, Swedish and many more as "he". A clip of
    such a voice labelled "wake" does not hold the phrase (and "I assistant" is taught as not the
    phrase). So a voice says the phrase when every word's transcription starts with the
    reference's (en-us) first phoneme and is within an edit distance of 40 % of the reference's
    length (at least 1): accents that keep the words ("haI assistant" in Italian, German
    "asIstAnt") pass."""
    for word in wake.strip().lower().split():
        ref, got = phonemes(word, REFERENCE_LANG), phonemes(word, lang)
        if got[:1] != ref[:1] or _edit_distance(got, ref) > max(1, round(0.4 * len(ref))):
            return False
    return True


def wake_voices(split: str, wake: str) -> list[str]:
    """The split's voices (voices()) whose language says the wake phrase (says_wake)."""
    vs = [v for v in voices(split) if says_wake(v.partition("+")[0], wake)]
    if not vs:
        raise ValueError(f"no {split} voice says {wake!r} (espeak-ng reads it differently in every {split} language)")
    return vs


# --- texts ----------------------------------------------------------------------------------------

CONFUSABLES = ("hi", "high", "hey", "hello", "hi there", "assistant", "assistance", "my assistant",
               "the assistant", "an assistant", "hi sister", "high resistance", "hi system", "hire",
               "a distant", "insistent", "hi stan", "hi sis", "consistent", "hey you", "hi tina",
               "high distance", "this is it", "assist", "persistent", "hi how are you")
WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "zero", "one", "two",
         "three", "four", "five", "six", "seven", "eight", "nine", "ten", "house", "bird", "cat", "dog",
         "tree", "water", "music", "light", "window", "kitchen", "morning", "evening", "weather",
         "coffee", "table", "garden", "yellow", "orange", "purple", "forward", "backward", "follow",
         "learn", "visual", "happy", "marvin", "sheila", "wow", "bed", "open", "close", "please",
         "thanks", "minute", "alarm", "timer", "volume", "station", "system", "instant", "distance",
         "sister", "history", "machine", "engine", "sensor", "battery", "message", "tomorrow",
         "yesterday", "monday", "friday", "number", "paper", "pencil", "computer", "program",
         "tonight", "maybe", "always", "never", "quiet", "louder", "faster", "slower", "start")
_SUBJ = ("I", "we", "you", "they", "the man", "my friend", "the children", "our neighbour", "the dog",
         "somebody", "the teacher", "the driver", "she", "he")
_VERB = ("want", "need", "like", "found", "bought", "saw", "painted", "moved", "cleaned", "lost",
         "sold", "carried", "opened", "closed", "forgot", "remember", "cooked", "fixed")
_OBJ = ("the red car", "a cup of tea", "the old house", "the keys", "some bread", "the green door",
        "a new phone", "the window", "the garden fence", "two tickets", "the blue box", "my coat",
        "the big table", "a small boat", "the radio", "ten apples", "the letter", "the lamp")
_TAIL = ("", "", "yesterday", "this morning", "last week", "again", "after lunch", "in the kitchen",
         "before dinner", "at the station", "very quickly", "on monday", "for my sister")
_QUEST = ("what time is it", "where is the station", "how is the weather today", "can you hear me",
          "turn the lights off", "play some music", "set a timer for ten minutes", "is it going to rain",
          "call my mother", "what is the temperature", "open the window please", "who is at the door")


# Hard negatives for training only (dataset: `train_hard`): the wake phrase's second word after
# another first word, "hi" before another word, and "assistant" inside other phrases.
_NOT_HI = ("my", "the", "an", "hey", "high", "hire", "by", "why", "I", "oh", "bye", "a", "your", "our", "her",
           "his", "their", "that", "this", "one", "fine", "nice", "kind", "sky", "buy", "tie", "pie", "eye")
_ASSISTISH = ("assistant", "assistants", "assistance", "a sister", "resistant", "insistent", "consistent",
              "persistent", "distant", "system", "sister", "instant", "assist", "existent", "a distant")
_AFTER_HI = ("sister", "system", "distance", "instant", "resistance", "stan", "tina", "there", "everyone",
             "how are you", "again", "a sister", "insistent", "persistent", "consistent", "distant", "listen")


def hard_negative_text(rng) -> str:
    r = rng.random()
    if r < 0.45:
        return f"{rng.choice(_NOT_HI)} {rng.choice(_ASSISTISH)}"
    if r < 0.75:
        pool = _AFTER_HI + WORDS
        return f"hi {pool[rng.integers(len(pool))]}"
    w = WORDS[rng.integers(len(WORDS))]
    forms = (f"the assistant is {w}", f"call the assistant {w}", f"my assistant said {w}",
             f"{w} assistant", f"{w} my assistant", f"an assistant {w}", f"assistant {w}")
    return forms[rng.integers(len(forms))]


def sentence(rng) -> str:
    if rng.random() < 0.3:
        return str(rng.choice(_QUEST))
    parts = [rng.choice(_SUBJ), rng.choice(_VERB), rng.choice(_OBJ), rng.choice(_TAIL)]
    return " ".join(str(p) for p in parts if p)


def wake_texts(wake: str) -> tuple:
    """Spellings of the wake phrase: same words, different punctuation (espeak's prosody follows)."""
    w = wake.strip()
    return (w, w.capitalize(), w + ".", w + "!", w.replace(" ", ", ", 1) if " " in w else w + "?")


def unknown_text(rng, stream: bool = False, confusables: bool = True) -> str:
    """A non-wake utterance: a confusable (20 %), 1-3 random words (40 %) or a sentence (40 %);
    without `confusables`, words take the confusables' share."""
    r = rng.random()
    if r < 0.2 and confusables:
        t = str(rng.choice(CONFUSABLES))
        if stream and t.split()[0] == "assistant":
            t = "the " + t
        return t
    if r < 0.6:
        return " ".join(str(w) for w in rng.choice(WORDS, rng.integers(1, 4)))
    return sentence(rng)


# --- synthesis ------------------------------------------------------------------------------------

def resample_22050_to_16000(x: np.ndarray) -> np.ndarray:
    """Band-limited FFT resampling (zero-padded so the circular wrap stays in the padding)."""
    n = len(x)
    pad = n + 2048
    m = round(pad * FS / ESPEAK_FS)
    spec = np.fft.rfft(np.asarray(x, np.float64), pad)[: m // 2 + 1]
    y = np.fft.irfft(spec, m) * (m / pad)
    return y[: round(n * FS / ESPEAK_FS)]


def trim(x: np.ndarray, rel: float = 0.01, keep_s: float = 0.04) -> np.ndarray:
    if not len(x):
        return x
    on = np.nonzero(np.abs(x) > rel * np.abs(x).max())[0]
    if not len(on):
        return x[:0]
    k = int(keep_s * FS)
    return x[max(0, on[0] - k): on[-1] + k]


@functools.lru_cache(maxsize=None)
def espeak_version() -> str:
    """espeak-ng's version ("eSpeak NG text-to-speech: 1.51", without the data path): part of every
    cache key, as another release says the same text differently."""
    r = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True, timeout=30)
    return r.stdout.strip().split("  Data at")[0]


def synth(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """One utterance: float64 samples at 16 kHz in [-1, 1), trimmed."""
    variant = voice.partition("+")[2]
    path = [f"--path={espeak_variants.data_path()}"] if espeak_variants.is_generated(variant) else []
    r = subprocess.run(["espeak-ng", *path, "--stdout", "-v", voice, "-s", str(int(speed)), "-p", str(int(pitch)), text],
                       check=False, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"espeak-ng -v {voice}: {r.stderr.decode(errors='replace').strip()[-200:]}")
    raw = r.stdout[44:]  # RIFF header; the --stdout header's sizes are 0xffffffff, so skip it
    x = np.frombuffer(raw[: len(raw) // 2 * 2], "<i2").astype(np.float64) / 32768.0
    return trim(resample_22050_to_16000(x))


def jobs(split: str, texts: list, seed: int, wake: str | None = None) -> list[tuple]:
    """(text, voice, speed, pitch) per text, drawn from the split's voices; with `wake`, only from
    those that say that phrase (wake_voices)."""
    rng = np.random.default_rng([seed, SPLITS.index(split), 11])
    vs = wake_voices(split, wake) if wake else voices(split)
    return [(t, str(vs[rng.integers(len(vs))]), int(rng.integers(125, 206)), int(rng.integers(25, 76)))
            for t in texts]


def synth_many(job_list: list, description: str = "espeak-ng", workers: int = 3) -> list[np.ndarray]:
    """Synthesise every job (text, voice, speed, pitch), cached as one .npz per job list.

    espeak-ng runs as a subprocess, so a thread pool keeps both cores busy (and overlaps the
    voice-file loading) without pickling anything."""
    from ...paths import cache_dir
    from ..progress import bar

    key = hashlib.sha256(json.dumps([SYNTH_VERSION, espeak_version(), job_list]).encode()).hexdigest()[:16]
    path = cache_dir("speech") / f"utt-{key}.npz"
    if path.exists():
        z = np.load(path)
        s, offs = z["samples"], z["offsets"]
        return [s[offs[i]:offs[i + 1]].astype(np.float64) / 32768.0 for i in range(len(offs) - 1)]
    out = [None] * len(job_list)
    with bar(description, len(job_list)) as update, ThreadPoolExecutor(workers) as pool:
        for done, (i, x) in enumerate(pool.map(lambda ij: (ij[0], synth(*ij[1])), enumerate(job_list)), 1):
            out[i] = x
            if done % 16 == 0:
                update(done)
    q = [np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16) for x in out]
    offs = np.concatenate([[0], np.cumsum([len(x) for x in q])]).astype(np.int64)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, samples=np.concatenate(q) if q else np.zeros(0, np.int16), offsets=offs)
    tmp.replace(path)
    return [x.astype(np.float64) / 32768.0 for x in q]


# --- acoustic scene -------------------------------------------------------------------------------

NOISE_KINDS = ("white", "pink", "brown", "hum", "fan", "music", "babble")


def _colored(n, rng, exponent):
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    return np.fft.irfft(spec / f ** (exponent / 2), n)


def _lowpass(x, cutoff_hz):
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / FS)
    spec *= 1.0 / (1.0 + (f / cutoff_hz) ** 4)
    return np.fft.irfft(spec, len(x))


def _music(n, rng):
    t = np.arange(n) / FS
    out = np.zeros(n)
    bpm = rng.uniform(60, 160)
    beat = int(FS * 60 / bpm)
    root = rng.integers(40, 60)  # MIDI note of the key
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16])
    n_harm = int(rng.integers(3, 9))
    decay = rng.uniform(2.0, 8.0)
    for start in range(0, n, beat):
        for voice, octave, p in ((0, 12, 0.9), (1, 0, 0.6), (2, 0, 0.4)):  # melody, bass, chord
            if rng.random() > p:
                continue
            note = root + octave * (voice == 0) + scale[rng.integers(len(scale))] - 12 * (voice == 1)
            f0 = 440.0 * 2 ** ((note - 69) / 12)
            length = min(n - start, beat * int(rng.integers(1, 3)))
            tt = t[:length]
            env = (1 - np.exp(-tt * 200)) * np.exp(-tt * decay)
            tone = sum(np.sin(2 * np.pi * f0 * k * tt + rng.uniform(0, 6.3)) / k ** rng.uniform(1, 2)
                       for k in range(1, n_harm + 1) if f0 * k < FS / 2)
            out[start:start + length] += env * tone
    return out + 0.01 * np.std(out) * rng.standard_normal(n)


def noise(kind: str, n: int, rng) -> np.ndarray:
    """n samples of one noise kind, unit rms."""
    if kind == "white":
        x = rng.standard_normal(n)
    elif kind == "pink":
        x = _colored(n, rng, 1.0)
    elif kind == "brown":
        x = _colored(n, rng, 2.0)
    elif kind == "hum":
        t = np.arange(n) / FS
        f0 = 50.0 if rng.random() < 0.5 else 60.0
        x = sum(rng.uniform(0.1, 1) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.3)) for k in range(1, 8))
        x = x + 0.05 * rng.standard_normal(n)
    elif kind == "fan":
        t = np.arange(n) / FS
        x = _lowpass(rng.standard_normal(n), rng.uniform(300, 2000))
        x = x / (np.std(x) + 1e-12) + 0.5 * np.sin(2 * np.pi * rng.uniform(80, 400) * t)
    elif kind == "music":
        x = _music(n, rng)
    elif kind == "babble":
        x = _lowpass(_colored(n, rng, 1.0), rng.uniform(1500, 3500))
        t = np.arange(n) / FS
        env = 1.0 + 0.8 * np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 6.3)) * \
            np.sin(2 * np.pi * rng.uniform(0.2, 0.7) * t)
        x = x * env
    else:
        raise ValueError(f"noise kind must be one of {NOISE_KINDS}")
    return x / (np.std(x) + 1e-12)


def room_impulse(rng) -> np.ndarray:
    rt60 = rng.uniform(0.15, 0.8)
    n = int(rt60 * FS)
    pre = int(rng.uniform(0.002, 0.02) * FS)
    t = np.arange(n) / FS
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    drr = 10 ** (rng.uniform(0, 12) / 10)  # direct-to-reverberant energy ratio
    tail *= np.sqrt(1.0 / (drr * np.sum(tail**2)))
    h = np.zeros(pre + n)
    h[0] = 1.0
    h[pre:] += tail
    return h


def reverb(x: np.ndarray, rng) -> np.ndarray:
    h = room_impulse(rng)
    m = len(x) + len(h) - 1
    nfft = 1 << (m - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, nfft) * np.fft.rfft(h, nfft), nfft)[: len(x) + len(h) // 4]
    return y


def speech_power(x: np.ndarray) -> float:
    """Mean power over the active part (20 ms blocks within 30 dB of the loudest)."""
    b = 320
    n = len(x) // b
    if n == 0:
        return float(np.mean(x**2) + 1e-12)
    p = np.mean(x[: n * b].reshape(n, b) ** 2, axis=1)
    return float(np.mean(p[p > p.max() * 1e-3]) + 1e-12)


def to_int16(x: np.ndarray, rng, lo_dbfs: float = -35.0, hi_dbfs: float = -1.0) -> np.ndarray:
    peak = np.max(np.abs(x)) + 1e-12
    g = 10 ** (rng.uniform(lo_dbfs, hi_dbfs) / 20) / peak
    return np.clip(np.round(x * g * 32768.0), -32768, 32767).astype(np.int16)


def place(utt: np.ndarray, length: int, rng) -> np.ndarray:
    """The utterance at a random offset in `length` samples (wholly inside when it fits, else a
    random crop)."""
    out = np.zeros(length)
    if len(utt) <= length:
        off = int(rng.integers(0, length - len(utt) + 1))
        out[off:off + len(utt)] = utt
    else:
        off = int(rng.integers(0, len(utt) - length + 1))
        out[:] = utt[off:off + length]
    return out


def with_context(utt, before, after, rng) -> tuple[np.ndarray, int, int]:
    """`utt` after the end of `before` and before the start of `after` (either may be None): 0.3-1 s
    of each, 0.05-0.6 s away, within 6 dB of its level. In a stream people talk right up to the
    wake phrase, and a model that heard it only in silence misses it there. Returns (samples,
    start, end) of `utt` in them."""
    head, tail = [], []
    if before is not None:
        head = [before[-int(rng.uniform(0.3, 1.0) * FS):] * 10 ** (rng.uniform(-6, 6) / 20),
                np.zeros(int(rng.uniform(0.05, 0.6) * FS))]
    if after is not None:
        tail = [np.zeros(int(rng.uniform(0.05, 0.6) * FS)),
                after[:int(rng.uniform(0.3, 1.0) * FS)] * 10 ** (rng.uniform(-6, 6) / 20)]
    start = sum(len(h) for h in head)
    return np.concatenate(head + [utt] + tail), start, start + len(utt)


def place_span(x: np.ndarray, start: int, end: int, length: int, rng) -> np.ndarray:
    """`length` samples of x with x[start:end] wholly inside when it fits (else a random crop of it)."""
    if len(x) <= length:
        return place(x, length, rng)
    if end - start >= length:
        return place(x[start:end], length, rng)
    off = int(rng.integers(max(0, end - length), min(start, len(x) - length) + 1))
    return x[off:off + length].copy()


def clip(utt, length: int, split: str, rng, reverb_p: float = 0.5, context=None) -> tuple[np.ndarray, float]:
    """(clip, snr): `length` int16 samples of the utterance (or only noise for None), maybe
    reverberant, placed at random, over a noise at one of the split's SNRs (nan for noise only);
    random level. `context` (before, after): neighbouring speech around it (with_context)."""
    kind = NOISE_KINDS[rng.integers(len(NOISE_KINDS))]
    if utt is None:
        x = noise(kind, length, rng)
        if rng.random() < 0.2:  # a quiet room: noise far below full scale
            return to_int16(x, rng, -70, -40), float("nan")
        return to_int16(x, rng), float("nan")
    if context is None:
        u = reverb(utt, rng) if rng.random() < reverb_p else utt
        s, power = place(u, length, rng), speech_power(u)
    else:
        x, start, end = with_context(utt, *context, rng)
        u = reverb(x, rng) if rng.random() < reverb_p else x  # one room for all the talk
        s, power = place_span(u, start, end, length, rng), speech_power(u[start:end])
    snr = SPLIT_SNRS[split][rng.integers(len(SPLIT_SNRS[split]))]
    nz = noise(kind, length, rng) * np.sqrt(power / 10 ** (snr / 10))
    return to_int16(s + nz, rng), float(snr)


def background_stream(split: str, seconds: float, seed: int, speech_fraction: float = 0.5,
                      workers: int = 3, inserts: list | None = None, spans: bool = False,
                      confusables: bool = True) -> tuple:
    """A long int16 stream with no wake phrase (unless `inserts` gives utterances to place): non-wake
    speech by the split's voices from start to end (about half of the time, gaps 0.3-2.5 s; with
    inserts, `speech_fraction` budgets the other speech) over a noise bed that changes kind every 10-40 s, at the split's
    SNRs, half of the utterances reverberant. Returns (samples, events) where events lists the
    (start, end) sample range of every inserted utterance; with `spans`, (samples, events, spans)
    where spans lists that range for every utterance (to label the stream's windows)."""
    rng = np.random.default_rng([seed, SPLITS.index(split), 23])
    n = int(seconds * FS)
    if inserts:  # the old budget (2 s per utterance), which leaves room for every insert
        count = int(seconds * speech_fraction / 2.0) + 1
    else:  # more utterances than fit (one with its gap takes ~2.5-4 s), so speech lasts to the stream's end
        count = int(seconds / 1.5) + 1
    texts = [unknown_text(rng, stream=True, confusables=confusables) for _ in range(count)]
    utts = synth_many(jobs(split, texts, seed + 101), f"{split} stream speech", workers)
    out = np.zeros(n)
    # Noise bed, segment by segment, with a level that wanders within 20 dB.
    pos, level = 0, 1.0
    while pos < n:
        seg = min(n - pos, int(rng.uniform(10, 40) * FS))
        kind = NOISE_KINDS[rng.integers(len(NOISE_KINDS))]
        level = 10 ** rng.uniform(-1, 0)
        out[pos:pos + seg] = noise(kind, seg, rng) * level
        pos += seg
    bed_power = np.mean(out**2)
    # Speech, with gaps; each utterance scaled to a split SNR against the bed.
    pos, events, all_spans = int(rng.uniform(0.5, 2) * FS), [], []
    queue = [(u, False) for u in utts]
    if inserts:
        slots = rng.choice(len(queue) + 1, len(inserts), replace=False) if len(queue) + 1 >= len(inserts) else \
            np.arange(len(inserts))
        for s, u in sorted(zip(slots, inserts), key=lambda p: -p[0]):
            queue.insert(int(s), (u, True))
    for u, is_insert in queue:
        u = reverb(u, rng) if rng.random() < 0.5 else u
        if pos + len(u) >= n:
            break
        snr = SPLIT_SNRS[split][rng.integers(len(SPLIT_SNRS[split]))]
        g = np.sqrt(bed_power * 10 ** (snr / 10) / speech_power(u))
        out[pos:pos + len(u)] += g * u
        all_spans.append((pos, pos + len(u)))
        if is_insert:
            events.append((pos, pos + len(u)))
        gap = rng.uniform(0.3, 2.5) if not is_insert else rng.uniform(1.5, 3.0)
        pos += len(u) + int(gap * FS)
    peak = np.quantile(np.abs(out), 0.9999) + 1e-12
    out *= 10 ** (-6 / 20) / peak  # loud parts near -6 dBFS
    samples = np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16)
    return (samples, events, all_spans) if spans else (samples, events)
