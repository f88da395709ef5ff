# Alarms: a small manager with rate limit and cool-down in front of pluggable sinks.
# Sinks get every event dict; each decides what to do ({"event": "alarm"|"clear"|...}).
import json
import sys
import os


class SerialSink:
    """One JSON object per line on the REPL serial port (for `tinydev monitor`)."""

    def __init__(self, stream=None):
        self.stream = stream

    def __call__(self, ev):
        line = json.dumps(ev)
        if self.stream is None:
            print(line)
        else:
            self.stream.write(line + "\n")


class LogSink:
    """Append JSON lines to a file; rotate to .1, .2 ... when it passes max_bytes."""

    def __init__(self, path, max_bytes=8192, keep=2):
        self.path = path
        self.max = max_bytes
        self.keep = keep
        d = path[:path.rfind("/")]
        if d:
            try:
                os.mkdir(d)
            except OSError:
                pass
        try:
            self.size = os.stat(path)[6]
        except OSError:
            self.size = 0

    def _rotate(self):
        for i in range(self.keep - 1, 0, -1):
            try:
                os.rename("%s.%d" % (self.path, i), "%s.%d" % (self.path, i + 1))
            except OSError:
                pass
        try:
            os.rename(self.path, self.path + ".1")
        except OSError:
            pass
        self.size = 0

    def __call__(self, ev):
        line = json.dumps(ev) + "\n"
        if self.size + len(line) > self.max:
            self._rotate()
        with open(self.path, "a") as f:
            f.write(line)
        self.size += len(line)


class PinSink:
    """A pin (LED, relay) that is on while any alarm is active."""

    def __init__(self, pin, active_high=True):
        self.pin = pin
        self.on = 1 if active_high else 0
        self.active = set()
        pin.value(1 - self.on)

    def __call__(self, ev):
        e = ev.get("event")
        if e == "alarm":
            self.active.add(ev["kind"] + str(ev.get("fault")))
        elif e == "clear":
            self.active.discard(ev["kind"] + str(ev.get("fault")))
        else:
            return
        self.pin.value(self.on if self.active else 1 - self.on)


class BuzzerSink:
    """A piezo on a PWM pin: beeps while an alarm is active (needs machine.PWM)."""

    def __init__(self, pin, freq=2000, duty=32768):
        from machine import PWM   # ImportError on ports without PWM: the caller skips the sink
        self.pwm = PWM(pin, freq=freq, duty_u16=0)
        self.duty = duty
        self.active = set()

    def __call__(self, ev):
        e = ev.get("event")
        if e == "alarm":
            self.active.add(ev["kind"] + str(ev.get("fault")))
        elif e == "clear":
            self.active.discard(ev["kind"] + str(ev.get("fault")))
        else:
            return
        self.pwm.duty_u16(self.duty if self.active else 0)


class Alarms:
    def __init__(self, sinks=(), rate_limit_ms=1000, cooldown_ms=5000):
        self.sinks = list(sinks)
        self.rate_limit = rate_limit_ms
        self.cooldown = cooldown_ms
        self.active = {}       # kind -> t_ms raised
        self.last = {}         # kind -> t_ms of the last emitted alarm
        self.quiet_until = {}  # kind -> t_ms when the cool-down ends
        self.count = 0
        self.suppressed = 0
        self.by_kind = {}

    def emit(self, ev):
        for s in self.sinks:
            try:
                s(ev)
            except Exception as e:   # a broken sink must not stop the others
                sys.print_exception(e)

    def alarm(self, kind, t_ms, score=None, **info):
        """Raise an alarm; returns True when it was emitted (not rate-limited / cooling down)."""
        key = kind + ":" + info["fault"] if "fault" in info else kind
        if key in self.active:
            return False
        last = self.last.get(key)
        if (last is not None and t_ms - last < self.rate_limit) or t_ms < self.quiet_until.get(key, -1):
            self.suppressed += 1
            return False
        self.active[key] = t_ms
        self.last[key] = t_ms
        self.count += 1
        self.by_kind[key] = self.by_kind.get(key, 0) + 1
        ev = {"event": "alarm", "kind": kind, "t_ms": t_ms}
        if score is not None:
            ev["score"] = round(score, 4)
        ev.update(info)
        self.emit(ev)
        return True

    def clear(self, kind, t_ms, **info):
        key = kind + ":" + info["fault"] if "fault" in info else kind
        if key not in self.active:
            return False
        t0 = self.active.pop(key)
        self.quiet_until[key] = t_ms + self.cooldown
        ev = {"event": "clear", "kind": kind, "t_ms": t_ms, "dur_ms": t_ms - t0}
        ev.update(info)
        self.emit(ev)
        return True


def from_config(acfg, board=None):
    sinks = []
    if acfg.get("serial", True):
        sinks.append(SerialSink())
    if acfg.get("log"):
        try:
            sinks.append(LogSink(acfg["log"], acfg.get("log_max", 8192), acfg.get("log_keep", 2)))
        except OSError:
            pass
    pin = acfg.get("led_pin")
    if pin is None and board is not None:
        pin = getattr(board, "LED", None)
    if pin is not None:
        try:
            from machine import Pin
            sinks.append(PinSink(Pin(pin, Pin.OUT)))
        except (ImportError, AttributeError):
            pass
    bz = acfg.get("buzzer_pin")
    if bz is None and board is not None:
        bz = getattr(board, "BUZZER", None)
    if bz is not None:
        try:
            from machine import Pin
            sinks.append(BuzzerSink(Pin(bz, Pin.OUT)))
        except (ImportError, AttributeError):
            pass
    return Alarms(sinks, acfg.get("rate_limit_ms", 1000), acfg.get("cooldown_ms", 5000))
