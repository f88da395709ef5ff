"""The pipeline's data: clips built from espeak-ng utterances (tinydev.ml.data.speech), as MFCCs,
and MFCCs of the background streams; cached as .npz in the work dir (keyed by the config), the
synthesised utterances in the tinydev cache. The long everyday background (hours, for the false-wake
estimate) has a file of its own, so its length can change without making the training data again."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..data import speech as S
from ..progress import bar
from . import detector as D
from .recipe import CFG, clip_mfcc, stream_mfcc, window_samples

LABELS = ("background", "unknown", "wake")
WAKE = LABELS.index("wake")
_DATA_KEYS = ("wake", "frames", "train_wake", "train_unknown", "train_hard", "val_wake", "val_unknown", "test_wake",
              "test_unknown", "wake_reuse", "unknown_reuse", "background_fraction", "val_stream_minutes",
              "test_stream_minutes", "wake_stream_count", "context_p", "train_stream_minutes", "seed")
_EVERYDAY_KEYS = ("wake", "test_everyday_minutes", "everyday_chunk_minutes", "seed")
_MINING_KEYS = ("wake", "mine_minutes", "mine_confusables", "everyday_chunk_minutes", "seed")
_DATA_VERSION = 8


def _key(cfg, keys=_DATA_KEYS):
    d = {k: cfg.as_dict()[k] for k in keys} | {"v": _DATA_VERSION, "synth": S.SYNTH_VERSION,
                                                      "espeak": S.espeak_version()}
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _utterances(cfg, split):
    """(wake utterances, unknown utterances, their jobs): the unknown ones end with `<split>_hard`
    hard negatives (speech.hard_negative_text; training only), synthesised as a separate batch."""
    n_w, n_u = getattr(cfg, f"{split}_wake"), getattr(cfg, f"{split}_unknown")
    rng = np.random.default_rng([cfg.seed, S.SPLITS.index(split), 1])
    wt = S.wake_texts(cfg.wake)
    wake_texts = [wt[rng.integers(len(wt))] for _ in range(n_w)]
    js = S.jobs(split, wake_texts, cfg.seed, wake=cfg.wake)  # only voices that say the phrase
    js += S.jobs(split, [S.unknown_text(rng) for _ in range(n_u)], cfg.seed + 1)
    utts = S.synth_many(js, f"espeak-ng {split}", cfg.workers)
    n_h = getattr(cfg, f"{split}_hard", 0)
    if n_h:
        rng = np.random.default_rng([cfg.seed, S.SPLITS.index(split), 4])
        hj = S.jobs(split, [S.hard_negative_text(rng) for _ in range(n_h)], cfg.seed + 13)
        utts, js = utts + S.synth_many(hj, f"espeak-ng {split} hard negatives", cfg.workers), js + hj
    return utts[:n_w], utts[n_w:], js


def _clip_chunk(args):
    """Clips and their MFCCs for one chunk of (utterance or None, context or None) items, its own
    seeded rng."""
    utts, length, split, seed, frames = args
    rng = np.random.default_rng(seed)
    clips = np.empty((len(utts), length), np.int16)
    snr = np.empty(len(utts), np.float32)
    for i, (u, ctx) in enumerate(utts):
        clips[i], snr[i] = S.clip(u, length, split, rng, context=ctx)
    return clip_mfcc(clips, frames), snr


_CONTEXT_EXCLUDES = {"hi", "high", "hey", "hire", "assistant", "assistants", "assistance", "assist"}


def _contexts(cfg, split, items, unknown, unknown_jobs):
    """Per item, None or the (before, after) neighbouring speech of S.with_context: training speech
    clips only, a `context_p` share of them (augmentation; validation and test clips stay as they
    were). Neighbours are unknown utterances with no wake-like word, so no context makes a wake
    phrase out of an unknown clip ("hi" ... "assistant")."""
    out = [None] * len(items)
    if split != "train" or not cfg.context_p:
        return out
    pool = [u for u, j in zip(unknown, unknown_jobs)
            if not set(j[0].lower().replace(",", " ").replace(".", " ").split()) & _CONTEXT_EXCLUDES]
    rng = np.random.default_rng([cfg.seed, S.SPLITS.index(split), 6])
    for i, it in enumerate(items):
        if it[0] is None or rng.random() >= cfg.context_p:
            continue
        side = rng.integers(3)  # before, after, both
        before = pool[rng.integers(len(pool))] if side != 1 else None
        after = pool[rng.integers(len(pool))] if side != 0 else None
        out[i] = (before, after)
    return out


def split_clips(cfg, split, chunk: int = 250):
    """(mfcc (n, frames, 13) float32, labels, snr, voice index, voices) of one split. Chunks of
    clips are made on two processes (each chunk seeded by its index, so the result does not depend
    on the number of processes)."""
    import multiprocessing as mp

    wake, unknown, js = _utterances(cfg, split)
    length = window_samples(cfg.frames)
    items = [(u, 2, j[1]) for u, j in zip(wake, js) for _ in range(cfg.wake_reuse)]
    items += [(u, 1, j[1]) for u, j in zip(unknown, js[len(wake):]) for _ in range(cfg.unknown_reuse)]
    n_bg = round(len(items) * cfg.background_fraction / (1 - cfg.background_fraction))
    items += [(None, 0, "") for _ in range(n_bg)]
    ctx = _contexts(cfg, split, items, unknown, js[len(wake):])
    tasks = [(list(zip([it[0] for it in items[i:i + chunk]], ctx[i:i + chunk])), length, split,
              [cfg.seed, S.SPLITS.index(split), 2, i // chunk], cfg.frames) for i in range(0, len(items), chunk)]
    mfcc, snr = [], []
    with bar(f"{split} clips + MFCC", len(items)) as update, mp.get_context("fork").Pool(2) as pool:
        for k, (m, s) in enumerate(pool.imap(_clip_chunk, tasks)):
            mfcc.append(m)
            snr.append(s)
            update(min(len(items), (k + 1) * chunk))
    labels = np.array([it[1] for it in items], np.int8)
    voices = sorted({it[2] for it in items})
    vidx = np.array([voices.index(it[2]) for it in items], np.int16)
    return np.concatenate(mfcc), labels, np.concatenate(snr), vidx, voices


def stream(cfg, split, minutes, inserts=0, seed=0, confusables=True):
    """MFCCs of a background stream; with inserts > 0, that many held-out wake phrases placed in it
    (events: their (start, end) in samples). `seed` is added to cfg.seed (streams of a split differ by
    it); without `confusables` the speech holds no confusable phrase (speech.unknown_text). Returns
    (mfcc, events, seconds, per-frame flag: the frame overlaps speech)."""
    wake_utts = None
    if inserts:
        rng = np.random.default_rng([cfg.seed, S.SPLITS.index(split), 3])
        wt = S.wake_texts(cfg.wake)
        wake_utts = S.synth_many(S.jobs(split, [wt[rng.integers(len(wt))] for _ in range(inserts)], cfg.seed + 7,
                                        wake=cfg.wake),
                                 f"espeak-ng {split} wake inserts", cfg.workers)
    samples, events, spans = S.background_stream(split, minutes * 60, cfg.seed + (50 if inserts else seed),
                                                 speech_fraction=0.3 if inserts else 0.5, workers=cfg.workers,
                                                 inserts=wake_utts, spans=True, confusables=confusables)
    n = 1 + (len(samples) - 480) // 320
    with bar(f"{split} stream MFCC", n) as update:
        m = stream_mfcc(samples, progress=update)
    return m, np.array(events, np.int64).reshape(-1, 2), len(samples) / S.FS, speech_frames(spans, n)


def speech_frames(spans, n: int, hop: int = CFG.hop, frame_len: int = CFG.frame_len) -> np.ndarray:
    """Per frame of a stream (frame i holds samples [hop i, hop i + frame_len)): does it overlap one
    of the (start, end) sample spans?"""
    speech = np.zeros(n, bool)
    for a, b in spans:
        speech[max(0, (a - frame_len) // hop + 1):min(n, (b - 1) // hop + 1)] = True
    return speech


def stream_windows(x_frames, speech, frames, stride, min_speech_frames=5):
    """Training windows from a background stream (normalised frames (n, 13)): the detector's windows
    (one every `stride` frames), labelled unknown when >= `min_speech_frames` of its frames (0.1 s)
    overlap speech, else background. None of them holds the wake phrase."""
    w, ends = D.windows(x_frames, frames, stride)
    c = np.concatenate([[0], np.cumsum(speech)])
    y = np.where(c[ends + 1] - c[ends + 1 - frames] >= min_speech_frames, LABELS.index("unknown"),
                 LABELS.index("background"))
    return w, y.astype(np.int8)


def _save(path: Path, d: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **d)
    tmp.replace(path)


def load(cfg, workdir: Path) -> dict:
    path = Path(workdir) / f"data-{_key(cfg)}.npz"
    if path.exists():
        return dict(np.load(path, allow_pickle=False))
    d = {}
    for split in S.SPLITS:
        m, y, snr, v, voices = split_clips(cfg, split)
        d[f"{split}_x"], d[f"{split}_y"], d[f"{split}_snr"], d[f"{split}_voice"] = m, y, snr, v
        d[f"{split}_voices"] = np.array(voices)
    d["train_stream"], _, s, d["train_stream_speech"] = stream(cfg, "train", cfg.train_stream_minutes, seed=200)
    d["val_stream"], _, s, _ = stream(cfg, "val", cfg.val_stream_minutes)
    d["val_stream_seconds"] = np.array(s)
    d["test_stream"], _, s, _ = stream(cfg, "test", cfg.test_stream_minutes)
    d["test_stream_seconds"] = np.array(s)
    minutes = cfg.wake_stream_count * 8 / 60
    d["wake_stream"], d["wake_events"], s, _ = stream(cfg, "test", minutes, inserts=cfg.wake_stream_count)
    d["wake_stream_seconds"] = np.array(s)
    _save(path, d)
    return d


def _chunked_stream(cfg, split, minutes, seed0, confusables, progress):
    """`minutes` of background made as consecutive independent streams of `everyday_chunk_minutes`
    (seeds seed0, seed0 + 1, ...; a chunk boundary is one more change of the noise bed), so memory
    stays that of one chunk however long the whole is. Returns (mfcc, per-frame speech flag, seconds)."""
    if not minutes > 0:
        raise ValueError(f"a {split} background of {minutes} minutes: the config asks for none")
    parts, flags, seconds, done, i = [], [], 0.0, 0.0, 0
    while done < minutes - 1e-9:
        chunk = round(min(cfg.everyday_chunk_minutes, minutes - done), 6)
        m, _, s, sp = stream(cfg, split, chunk, seed=seed0 + i, confusables=confusables)
        parts.append(m)
        flags.append(sp)
        seconds, done, i = seconds + s, done + chunk, i + 1
        progress(done, minutes)
    return np.concatenate(parts), np.concatenate(flags), seconds


def _note_chunk(what):
    from ..progress import console

    return lambda done, total: console.print(f"{what}: {done:g} of {total:g} min")


def everyday(cfg, workdir: Path) -> tuple[np.ndarray, float]:
    """MFCCs and seconds of the held-out everyday background (test voices, no confusable phrase):
    `test_everyday_minutes` in chunks (_chunked_stream, seeds 150, 151, ...)."""
    path = Path(workdir) / f"everyday-{_key(cfg, _EVERYDAY_KEYS)}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            return z["mfcc"], float(z["seconds"])
    mfcc, _, seconds = _chunked_stream(cfg, "test", cfg.test_everyday_minutes, 150, False,
                                       _note_chunk("everyday background"))
    _save(path, {"mfcc": mfcc, "seconds": np.array(seconds)})
    return mfcc, seconds


def mining(cfg, workdir: Path) -> tuple[np.ndarray, np.ndarray]:
    """MFCCs and per-frame speech flags of the hard-negative mining background: training voices,
    confusable phrases if `mine_confusables` (as in the training stream), `mine_minutes` in chunks
    (seeds 400, 401, ...; the training stream is seed 200). No wake phrase: every window is a negative."""
    path = Path(workdir) / f"mining-{_key(cfg, _MINING_KEYS)}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            return z["mfcc"], z["speech"]
    mfcc, speech, _ = _chunked_stream(cfg, "train", cfg.mine_minutes, 400, cfg.mine_confusables,
                                      _note_chunk("mining background"))
    _save(path, {"mfcc": mfcc, "speech": speech})
    return mfcc, speech
