"""device/apps/wake.py end to end: espeak-ng speech over background noise and music-like tones,
played by the emulated I2S microphone; the app must raise "wake" on the wake phrase and not on
other words or background (UNIX, and VIRT_M4 through mpremote).

The keyword bundle: the ML engineer's models/keyword (or TINYDEV_KEYWORD_BUNDLE) when present
(*_real_bundle tests, skipped otherwise), and a small one trained here on espeak-ng speech
(mic_util.make_keyword_bundle, cached by the hash of mic_util.py). The test scenes use voices
neither training set of this file saw (mic_util.TEST_VOICES)."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

import mic_util as U
from test_framework_util import run_unix

APP = U.DEVICE / "apps" / "wake.py"
LATE_MS = 1500      # a wake may come up to this long after the phrase ends (window + smoothing)


@pytest.fixture(scope="session")
def test_bundle():
    src = (Path(U.__file__)).read_bytes()
    d = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinydev" / "test-keyword" / \
        hashlib.sha256(src).hexdigest()[:16]
    base = d / "keyword"
    if not base.with_suffix(".json").exists():
        tmp = d.with_name(d.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        U.make_keyword_bundle(tmp / "keyword")
        shutil.rmtree(d, ignore_errors=True)
        tmp.rename(d)
    return base


# The committed model finds 65 % of held-out wake phrases in a stream (models/keyword/report), so a
# test that it wakes on both phrases of this scene would assert luck: a phrase's smoothed score can
# peak just around the 0.99 threshold, depending on the stride phase. With the real bundle the device
# must wake on at least one and never outside them; the test bundle on both.
REAL_BUNDLE_MIN_WAKES = 1


def _real_bundle():
    d = Path(os.environ.get("TINYDEV_KEYWORD_BUNDLE", U.REPO / "models" / "keyword"))
    base = d / "keyword"
    return base if base.with_suffix(".tflite").exists() and base.with_suffix(".json").exists() else None


@pytest.fixture(scope="session")
def scenes(tmp_path_factory):
    d = tmp_path_factory.mktemp("wake")
    wake, wake_spans, other_spans = U.wake_scene(d / "wake.wav")
    bg, bg_spans = U.background_scene(d / "bg.wav")
    return {"wake": (wake, wake_spans, other_spans), "bg": (bg, bg_spans)}


def events(text):
    return [json.loads(ln) for ln in text.splitlines() if ln.strip().startswith("{")]


def run_app_unix(fw, tmp_path, cfg):
    cfgp = tmp_path / "config.json"
    cfgp.write_text(json.dumps(cfg))
    p = run_unix(fw, APP, cwd=tmp_path, env_extra={"TINYDEV_CONFIG": str(cfgp)})
    assert p.returncode == 0 and "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return events(p.stdout)


def check_wake(evs, wake_spans, min_wakes=None):
    """Wake alarms only from a phrase's start to LATE_MS after its end, at most one per phrase, and
    at least `min_wakes` of them (default: every phrase)."""
    summ = [e for e in evs if e["event"] == "summary"]
    assert len(summ) == 1, evs
    wakes = [e for e in evs if e["event"] == "alarm" and e["kind"] == "wake"]
    caught = [next((i for i, (a, b) in enumerate(wake_spans) if a * 1000 <= w["t_ms"] <= b * 1000 + LATE_MS), None)
              for w in wakes]
    assert None not in caught and len(set(caught)) == len(caught), (wakes, wake_spans)
    assert len(wakes) >= (len(wake_spans) if min_wakes is None else min_wakes), (wakes, wake_spans, summ)
    lat = [w["t_ms"] - int(wake_spans[i][1] * 1000) for w, i in zip(wakes, caught)]
    assert not [e for e in evs if e.get("kind") == "sensor_fault"], evs
    return lat, summ[0]


def check_background(evs):
    summ = [e for e in evs if e["event"] == "summary"]
    assert len(summ) == 1, evs
    assert not [e for e in evs if e["event"] == "alarm" and e["kind"] == "wake"], evs
    assert summ[0]["invocations"] > 0          # the gate did open on the words: the model said no
    return summ[0]


# --- UNIX ---------------------------------------------------------------------------------------

def test_wake_unix_keyword(unix_fw, test_bundle, scenes, tmp_path):
    wav, spans, _ = scenes["wake"]
    evs = run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav)},
                                           "alarms": {"log": str(tmp_path / "log/alarms.log")}})
    lat, s = check_wake(evs, spans)
    assert s["mic"]["lost"] == 0 and s["mic"]["ring_dropped"] == 0, s
    log = [json.loads(x) for x in (tmp_path / "log/alarms.log").read_text().splitlines()]
    assert [e["t_ms"] for e in log if e["event"] == "alarm"] == [e["t_ms"] for e in evs if e["event"] == "alarm"]
    print("UNIX wake latency after phrase end (ms)", lat, "duty", s["duty"], "awake_ms", s["awake_ms"])


def test_wake_unix_background(unix_fw, test_bundle, scenes, tmp_path):
    wav, _ = scenes["bg"]
    s = check_background(run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav)},
                                                          "alarms": {"log": None}}))
    print("UNIX background: invocations", s["invocations"], "max score", s["max_score"], "duty", s["duty"])


def test_wake_unix_matches_host_detector(unix_fw, test_bundle, scenes, tmp_path):
    """Ungated (the periodic baseline), the app runs the manifest's detector on the same frames as
    the host twin (TFLite interpreter): the same invocations fire."""
    wav, spans, _ = scenes["wake"]
    # The emulated I2S runs on real time: on a loaded machine the app can fall more than ibuf
    # behind and lose audio (as a real I2S would), and then it sees other frames than the twin.
    # Such a run is measured (the lost counts), not guessed, and run again, three times at most.
    for _ in range(3):
        evs = run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav), "gate": False},
                                               "alarms": {"log": None}})
        s = [e for e in evs if e["event"] == "summary"][0]
        lost = s["sim"]["skipped"] + s["mic"]["lost"] + s["mic"]["ring_dropped"]
        if not lost:
            break
    assert not lost, ("audio lost in every run: the machine is too loaded for a real-time replay", s)
    x, _ = U.read_wav(wav)
    host, _ = U.host_detect(test_bundle, x)
    assert s["detection_ms"] == [t for t, _ in host], (s["detection_ms"], host)
    n_frames = 1 + (len(x) - 480) // 320
    assert abs(s["frames"] - n_frames) <= 40, (s["frames"], n_frames)   # every frame (up to the last block)


def test_wake_unix_mic_fault(unix_fw, test_bundle, scenes, tmp_path):
    """A microphone dropout between the phrases is a sensor_fault alarm, recovered; wakes go on."""
    wav, spans, _ = scenes["wake"]
    evs = run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav)},
                                           "mic": {"faults": [{"kind": "drop", "start": 5.2, "end": 6.0}]},
                                           "alarms": {"log": None}})
    f = [e for e in evs if e["event"] == "alarm" and e["kind"] == "sensor_fault"]
    assert len(f) == 1 and f[0]["fault"] == "nodata" and 5200 <= f[0]["t_ms"] <= 5600, evs
    rec = [e for e in evs if e["event"] == "recovered"]
    assert len(rec) == 1 and 6000 <= rec[0]["t_ms"] <= 6400, evs
    wakes = [e for e in evs if e["event"] == "alarm" and e["kind"] == "wake"]
    assert len(wakes) == 2 and all(a * 1000 <= w["t_ms"] <= b * 1000 + LATE_MS for (a, b), w in zip(spans, wakes)), wakes


def test_wake_unix_bad_model(unix_fw, test_bundle, scenes, tmp_path):
    wav, _, _ = scenes["wake"]
    evs = run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(tmp_path / "none/keyword"), "replay": str(wav)}})
    assert evs[0]["event"] == "error" and "no model" in evs[0]["msg"], evs
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(test_bundle.with_suffix(".json"), bad / "keyword.json")
    blob = bytearray(test_bundle.with_suffix(".tflite").read_bytes())
    blob[len(blob) // 3] ^= 0x10
    (bad / "keyword.tflite").write_bytes(bytes(blob))
    evs = run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(bad / "keyword"), "replay": str(wav)}})
    assert evs[0]["event"] == "error" and "refused" in evs[0]["msg"] and "sha256" in evs[0]["msg"], evs


def test_wake_unix_gate_saves_work(unix_fw, test_bundle, tmp_path):
    """A quiet room with one short word in 12 s: the gate wakes the detector once, and the model
    runs on a fraction of the windows the ungated (periodic) app runs on."""
    import numpy as np
    x, _ = U.scene([(6.0, U.espeak("hello there", *U.TEST_VOICES[0]))], 12.0, np.random.default_rng(9), bg_level=60.0)
    wav = U.write_wav(tmp_path / "sparse.wav", x)
    gated = check_background(run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav)},
                                                              "alarms": {"log": None}}))
    always = check_background(run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(test_bundle), "replay": str(wav),
                                                                         "gate": False}, "alarms": {"log": None}}))
    assert gated["mic"]["gate_opens"] == 1, gated
    assert gated["invocations"] <= 0.4 * always["invocations"], (gated["invocations"], always["invocations"])
    assert gated["frames"] <= 0.4 * always["frames"], (gated["frames"], always["frames"])
    print("UNIX sparse scene: invocations gated", gated["invocations"], "ungated", always["invocations"],
          "frames", gated["frames"], always["frames"], "awake_ms", gated["awake_ms"], always["awake_ms"])


@pytest.mark.skipif(_real_bundle() is None, reason="no models/keyword bundle yet")
def test_wake_unix_real_bundle(unix_fw, scenes, tmp_path):
    base = _real_bundle()
    wav, spans, _ = scenes["wake"]
    lat, s = check_wake(run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(base), "replay": str(wav)},
                                                         "alarms": {"log": None}}), spans, REAL_BUNDLE_MIN_WAKES)
    bg, _ = scenes["bg"]
    s2 = check_background(run_app_unix(unix_fw, tmp_path, {"wake": {"model": str(base), "replay": str(bg)},
                                                           "alarms": {"log": None}}))
    print("UNIX real bundle: latency", lat, "background max score", s2["max_score"])


# --- VIRT_M4 ------------------------------------------------------------------------------------

def _put_bundle(port, base):
    from board_link import mpremote
    mpremote(port, "fs", "mkdir", ":/models", check=False)
    mpremote(port, "fs", "mkdir", ":/replay", check=False)
    U.upload(port, base.with_suffix(".tflite"), "/models/keyword.tflite")
    U.upload(port, base.with_suffix(".json"), "/models/keyword.json")


def _run_virt_m4(port, tmp_path, cfg):
    from board_link import mpremote
    c = tmp_path / "config.json"
    c.write_text(json.dumps(cfg))
    mpremote(port, "fs", "cp", str(c), ":/config.json")
    try:
        out = mpremote(port, "run", str(APP), timeout=300)
    finally:
        mpremote(port, "fs", "rm", ":/config.json", check=False)
    assert "Traceback" not in out, out
    return events(out)


def _virt_m4_keyword_and_background(port, base, scenes, tmp_path, min_wakes=None):
    _put_bundle(port, base)
    wav, spans, _ = scenes["wake"]
    U.upload(port, wav, "/replay/wake.wav")
    lat, s = check_wake(_run_virt_m4(port, tmp_path, {"alarms": {"log": None}}), spans, min_wakes)
    assert s["mic"]["lost"] == 0 and s["mic"]["ring_dropped"] == 0 and s["mic"]["overflows"] == 0, s
    bg, _ = scenes["bg"]
    U.upload(port, bg, "/replay/wake.wav")
    gated = check_background(_run_virt_m4(port, tmp_path, {"alarms": {"log": None}}))
    always_evs = _run_virt_m4(port, tmp_path, {"alarms": {"log": None}, "wake": {"gate": False}})
    always = check_background(always_evs)
    # gated, the detector catches up on the pre-roll when a sound starts, so gaps shorter than the
    # pre-roll (one model window) save nothing: on this dense scene it is about the same work. On a
    # loaded host the ungated run can fall behind QEMU's real-time I2S clock and lose audio to
    # overruns (reported in mic.lost): those windows count as run.
    stride = next(e for e in always_evs if e["event"] == "start")["stride"]
    missed = always["mic"]["lost"] // (320 * stride)       # 320 samples = one 20 ms MFCC frame
    assert gated["invocations"] <= always["invocations"] + missed + 1, (gated, always)
    return lat, s, gated, always


@pytest.mark.slow
def test_wake_virt_m4(fast_vboard, test_bundle, scenes, tmp_path):
    vboard = fast_vboard
    lat, s, gated, always = _virt_m4_keyword_and_background(vboard.port, test_bundle, scenes, tmp_path)
    print("VIRT_M4 wake latency after phrase end (ms)", lat, "summary", s)
    print("VIRT_M4 background gated awake_ms", gated["awake_ms"], "duty", gated["duty"], "invocations",
          gated["invocations"], "| ungated awake_ms", always["awake_ms"], "duty", always["duty"],
          "invocations", always["invocations"])


@pytest.mark.slow
@pytest.mark.skipif(_real_bundle() is None, reason="no models/keyword bundle yet")
def test_wake_virt_m4_real_bundle(fast_vboard, scenes, tmp_path):
    vboard = fast_vboard
    lat, s, gated, always = _virt_m4_keyword_and_background(vboard.port, _real_bundle(), scenes, tmp_path,
                                                            REAL_BUNDLE_MIN_WAKES)
    print("VIRT_M4 real bundle: latency", lat, "gated", gated, "ungated", always)
