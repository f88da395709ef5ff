# One JSON config file on the device (/config.json by default); missing file or keys fall back
# to DEFAULTS (nested dicts are merged key by key).
import json

PATH = "/config.json"

DEFAULTS = {
    "board": None,                  # profile name; None = detect from the platform
    "model": "/models/vibration",   # bundle base path: <base>.tflite + <base>.json
    "replay": "/replay/vibration.bin",
    "imu": {"rate": 1000, "range_g": 4, "watermark": 128},
    "pipeline": {
        "smooth": None,             # moving average over this many window scores (None: 1 if
                                    # the manifest has a "decision" rule, else 3)
        "debounce": None,           # consecutive (smoothed) scores over threshold to raise
                                    # (None: the manifest's decision.consecutive, else 2)
        "release": 3,               # consecutive scores under threshold to clear
        "hysteresis": 0.8,          # clear below threshold * hysteresis
        "irq_timeout_ms": 0,        # watchdog for a missed interrupt; 0 = between watermark and FIFO full
        "hop": None,                # decision hop in samples (None: the manifest's features.hop) ...
        "hop_ms": 10,               # ... at most this long: overlapping windows, low latency
        "gate_motion_mg": 24,       # motion gate: wake-on-motion threshold (0: no gate, always on)
        "gate_still_mg": 8,         # still = every axis' window rms under this ...
        "gate_idle_ms": 500,        # ... for this long: the IMU goes to wake-on-motion, the task sleeps
        "gate_timeout_ms": 60000,   # while gated, wake this often anyway to check the chip answers
    },
    "power": {                      # tinydev.power: idle time in machine.lightsleep
        "lightsleep": False,        # on ESP32-S3 the USB serial drops while asleep: on for
                                    # battery use, off while developing at the REPL
        "min_ms": 5,                # sleep only when the next timer is at least this far
        "max_ms": 1000,             # wake at least this often (REPL Ctrl-C, health checks)
    },
    "alarms": {
        "serial": True,
        "log": "/log/alarms.log",
        "log_max": 8192,
        "log_keep": 2,
        "led_pin": None,
        "buzzer_pin": None,
        "rate_limit_ms": 1000,      # at most one alarm per kind in this interval
        "cooldown_ms": 1000,        # after an alarm clears, same kind is quiet this long
    },
    "sim": {"part": "mpu6886", "faults": []},
    # microphone (tinydev.drivers.i2s_mic) and the keyword wake-up app (device/apps/wake.py)
    "mic": {
        "shift": 16,                # int16 = slot >> shift (16: exact top 16 of the 24 bits; less = gain)
        "gate_db": -50.0,           # sound-energy gate: block level (dBFS) that wakes the app
        "gate_ratio": 4.0,          # ... and at least this times the tracked noise floor (0: off)
        "hold_ms": 800,             # the gate stays open this long after the last loud block
        "faults": [],               # virtual boards: [{"kind": "drop"|"stuck", "start": s, "end": s}]
    },
    "wake": {
        "model": "/models/keyword",   # keyword bundle base path: <base>.tflite + <base>.json
        "replay": "/replay/wake.wav", # virtual boards: 16 kHz mono int16 WAV fed to the emulated mic
        "threshold": None,            # None: the manifest's thresholds.wake
        "smooth": None,               # None: the manifest's detector.smooth
        "stride": None,               # None: the manifest's detector.stride_frames
        "gate": True,                 # False: stream MFCC + model all the time (the periodic baseline)
    },
}


def _merge(base, over):
    out = {}
    for k, v in base.items():
        if isinstance(v, dict) and isinstance(over.get(k), dict):
            out[k] = _merge(v, over[k])
        elif k in over:
            out[k] = over[k]
        else:
            out[k] = v
    for k, v in over.items():
        if k not in out:
            out[k] = v
    return out


def load(path=PATH, overrides=None):
    """The config dict: DEFAULTS, then the file (if present), then overrides."""
    cfg = DEFAULTS
    try:
        with open(path) as f:
            cfg = _merge(cfg, json.load(f))
    except OSError:
        pass
    except ValueError as e:
        raise ValueError("config %s is not valid JSON: %s" % (path, e))
    if overrides:
        cfg = _merge(cfg, overrides)
    return cfg
