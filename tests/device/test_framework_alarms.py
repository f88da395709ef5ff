"""Alarms (rate limit, cool-down, sinks, log rotation), config defaults/merge and the model
manifest checks, on the UNIX firmware with the framework from the checkout."""
import json
import subprocess

from test_framework_util import DEVICE

SCRIPT = r'''
import json, os
from tinydev.alarms import Alarms, LogSink, PinSink
from tinydev.sim.bus import Pin
from tinydev import config
from tinydev.model import compile_transform, apply_transform, verify, ModelError
import array
out = {}
got = []
led = Pin(2, Pin.OUT)
a = Alarms([got.append, LogSink(TMP + "/log/a.log", max_bytes=300, keep=2), PinSink(led)],
           rate_limit_ms=1000, cooldown_ms=2000)
r = [a.alarm("anomaly", 0, 0.9), a.alarm("anomaly", 100, 0.9)]   # second: still active
out["led_on"] = led.value()
r.append(a.clear("anomaly", 500))
out["led_off"] = led.value()
r.append(a.alarm("anomaly", 1200, 0.8))     # in the cool-down (until 2500)
r.append(a.alarm("anomaly", 2600, 0.8))     # allowed again
r.append(a.alarm("sensor_fault", 2600, fault="bus", msg="x"))
r.append(a.alarm("sensor_fault", 2601, fault="stuck", msg="y"))   # other fault: its own key
out["r"] = r
out["events"] = got
out["count"] = a.count
out["suppressed"] = a.suppressed
for i in range(10):
    a.emit({"event": "x", "i": i})
out["logs"] = sorted(os.listdir(TMP + "/log"))
cfg = config.load(TMP + "/none.json")
out["default_model"] = cfg["model"]
with open(TMP + "/c.json", "w") as f:
    json.dump({"pipeline": {"smooth": 5}, "extra": 1}, f)
cfg = config.load(TMP + "/c.json")
out["merged"] = [cfg["pipeline"]["smooth"], cfg["pipeline"]["hysteresis"], cfg["extra"]]
st = compile_transform({"recipe": "..", "offset": 1.0, "mean": [1.0, 2.0], "inv_std": [2.0, 0.5]}, 2)
x = array.array("f", [0.0, 6.389056])
apply_transform(st, x)
out["transform"] = [x[0], x[1]]
try:
    compile_transform({"median": [1]}, 1)
except ModelError as e:
    out["bad_key"] = str(e)
try:
    verify(TMP + "/nomodel")
except ModelError as e:
    out["missing"] = str(e)
print("RESULT " + json.dumps(out))
'''


def test_alarms_config_manifest_unix(unix_fw, tmp_path):
    script = tmp_path / "a.py"
    script.write_text(f"TMP = {str(tmp_path)!r}\n" + SCRIPT)
    p = subprocess.run([str(unix_fw), str(script)], capture_output=True, text=True, timeout=60,
                       env={"MICROPYPATH": f"{DEVICE}:.frozen"})
    assert p.returncode == 0, p.stdout + p.stderr
    out = json.loads([ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")][0][7:])
    assert out["r"] == [True, False, True, False, True, True, True]
    assert out["led_on"] == 1 and out["led_off"] == 0
    ev = out["events"]
    assert ev[0] == {"event": "alarm", "kind": "anomaly", "t_ms": 0, "score": 0.9}
    assert ev[1]["event"] == "clear" and ev[1]["dur_ms"] == 500
    assert ev[3]["kind"] == "sensor_fault" and ev[3]["fault"] == "bus"
    assert out["count"] == 4 and out["suppressed"] == 1
    assert out["logs"] == ["a.log", "a.log.1", "a.log.2"]          # rotated, 2 kept
    assert out["default_model"] == "/models/vibration"
    assert out["merged"] == [5, 0.8, 1]
    assert abs(out["transform"][0] - (0.0 - 1.0) * 2.0) < 1e-5      # (ln(0+1) - 1) * 2
    assert abs(out["transform"][1] - (2.0 - 2.0) * 0.5) < 1e-5      # ln(7.389) = 2
    assert "unsupported transform key 'median'" in out["bad_key"]
    assert "no model at" in out["missing"]
