# Idle time in lightsleep. asyncio blocks in one place only, its I/O queue's wait_io_event(dt)
# (dt: ms until the next timer is due, -1 for none). IdleSleep wraps that call: when every task
# waits and the next timer is at least min_ms away, the chip sleeps (machine.lightsleep) until
# that timer, or until a wake pin (the IMU's INT line, an ext0 wake source on ESP32) ends the
# sleep early. No task changes and nothing polls; the time slept is counted, beside the
# pipeline's DutyMeter. Sleeps are cut to max_ms so the REPL (Ctrl-C) and timers stay live.
#   idle = power.for_board(board, cfg["power"], wake=[(imu.pin, 1, pipe.on_irq)])
#   idle and idle.install()      ...      idle.uninstall(); idle.report(elapsed_us)
import time


class IdleSleep:
    def __init__(self, sleep_ms, wake=(), min_ms=5, max_ms=1000, name="lightsleep", pin_woke=None):
        if not 0 < min_ms <= max_ms:
            raise ValueError("power: need 0 < min_ms <= max_ms, not %r..%r" % (min_ms, max_ms))
        self.sleep_ms = sleep_ms
        self.wake = [w for w in wake if w[0] is not None]   # (pin, active level, handler)
        self.min_ms = min_ms
        self.max_ms = max_ms
        self.name = name
        self.pin_woke = pin_woke      # () -> True when a wake pin ended the sleep (ESP32: wake_reason)
        self.sleeps = 0
        self.slept_us = 0
        self.pin_wakes = 0
        self._undo = None

    def install(self):
        from asyncio import core
        q = core._io_queue
        orig = q.wait_io_event

        def wait_io_event(dt):
            if 0 <= dt < self.min_ms:
                return orig(dt)
            orig(0)          # first what is ready now (a flag an IRQ handler has set)
            t = core._task_queue.peek()
            if t is not None:
                dt = time.ticks_diff(t.ph_key, core.ticks())
                if dt < self.min_ms:
                    return orig(max(0, dt))
            self._sleep(self.max_ms if dt < 0 else min(dt, self.max_ms))
            orig(0)

        q.wait_io_event = wait_io_event
        self._undo = (q, orig)
        return self

    def uninstall(self):
        if self._undo:
            q, orig = self._undo
            try:
                del q.wait_io_event      # back to the class's method
            except (AttributeError, KeyError):
                q.wait_io_event = orig
            self._undo = None

    def _sleep(self, ms):
        t0 = time.ticks_us()
        self.sleep_ms(ms)
        self.slept_us += time.ticks_diff(time.ticks_us(), t0)
        self.sleeps += 1
        # A wake pin may have ended the sleep without its edge interrupt having run (on ESP32
        # the GPIO matrix is clock-gated in light sleep): the wake cause or the level says so.
        by_pin = self.pin_woke() if self.pin_woke else False
        for pin, level, handler in self.wake:
            if by_pin or pin.value() == level:
                self.pin_wakes += 1
                handler(pin)

    def report(self, elapsed_us):
        return {"sleep_mode": self.name, "slept_ms": self.slept_us // 1000, "sleeps": self.sleeps,
                "pin_wakes": self.pin_wakes,
                "slept": round(self.slept_us / elapsed_us, 5) if elapsed_us else 0}


def for_board(board, pcfg, wake=()):
    """The IdleSleep for this board with config `power` (None when "lightsleep" is off).

    ESP32: machine.lightsleep, the first wake pin armed with esp32.wake_on_ext0 (an RTC GPIO,
    0-21 on the S3); ports with machine.lightsleep (rp2, stm32) wake on any pin interrupt by
    themselves. Virtual boards: the emulated sensor keeps its own clock as an asyncio timer, so
    sleeping until the next timer (time.sleep_ms: QEMU idles in WFI) is the same as sleeping
    until its INT pin may change."""
    pcfg = pcfg or {}
    if not pcfg.get("lightsleep"):
        return None
    lo, hi = pcfg.get("min_ms", 5), pcfg.get("max_ms", 1000)
    if getattr(board, "sim", False):
        return IdleSleep(time.sleep_ms, wake, lo, hi, name="sim-lightsleep")
    import machine
    if not hasattr(machine, "lightsleep"):
        raise OSError("power.lightsleep: this port has no machine.lightsleep; set it false")
    import sys
    pins = [w[0] for w in wake if w[0] is not None]
    if sys.platform == "esp32" and pins:
        import esp32
        try:
            esp32.wake_on_ext0(pin=pins[0], level=esp32.WAKEUP_ANY_HIGH)
        except ValueError as e:
            raise OSError("power.lightsleep: %s cannot wake the chip (%s); wire INT to an RTC GPIO "
                          "(0-21 on the ESP32-S3) or set lightsleep false" % (pins[0], e))
        return IdleSleep(machine.lightsleep, [w for w in wake if w[0] is pins[0]], lo, hi,
                         pin_woke=lambda: machine.wake_reason() == machine.EXT0_WAKE)
    if sys.platform == "esp32" and hi > 50:
        # nothing can end the sleep early: keep it shorter than the pipeline's hop
        hi = max(lo, 50)
    return IdleSleep(machine.lightsleep, wake, lo, hi)
