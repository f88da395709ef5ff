# What the register-level IMU emulators share (LSM6DSOX, BMI270, MPU6050/MPU6886): time from
# time.ticks_us (virtual under QEMU -icount), samples taken from a replay at the configured rate
# and full scale, a byte FIFO, an INT pin driven with pin.drive(level), the I2C device protocol
# (write(data) with data[0] the register, read(n)) with auto-increment, fault injection (nack /
# stuck / noirq) and an asyncio task that wakes only when the INT pin may change.
import time
import struct

try:
    import asyncio
except ImportError:
    asyncio = None

_ENODEV = 19


class SimIMU:
    NREGS = 128
    FIFO_SIZE = 1024

    def __init__(self, replay, int_pin=None, clock=None):
        self.replay = replay
        self.pin = int_pin
        self._clock = clock or time.ticks_us
        self.regs = bytearray(self.NREGS)
        self.fifo = bytearray(self.FIFO_SIZE)
        self.faults = []
        self.finished = False
        self.stats = {"samples": 0, "overflows": 0, "nacks": 0, "lost_edges": 0, "resets": 0}
        self.bus_us = 0
        self._last_tick = self._clock()
        self.elapsed = 0
        self._pin_level = 0
        self._ended = None
        self._in_nack = False
        self._ptr = 0
        self._reset()

    # --- time and faults ----------------------------------------------------------------------
    def now_us(self):
        t = self._clock()
        self.elapsed += time.ticks_diff(t, self._last_tick)
        self._last_tick = t
        return self.elapsed

    def fault_at(self, t):
        for f in self.faults:
            if f[1] <= t < f[2]:
                return f[0]
        return None

    def inject(self, kind, start_s, end_s):
        if kind not in ("nack", "stuck", "noirq"):
            raise ValueError("fault kind must be nack, stuck or noirq")
        self.faults.append([kind, int(start_s * 1000000), int(end_s * 1000000)])

    # --- hooks for the part -------------------------------------------------------------------
    def _reset(self):
        raise NotImplementedError

    def _rate(self):            # Hz, 0 when the accelerometer is off
        raise NotImplementedError

    def _lsb(self):             # counts per g at the configured full scale
        raise NotImplementedError

    def _sample(self, x, y, z):  # a new sample: data registers, FIFO, status flags
        raise NotImplementedError

    def _int_level(self):
        raise NotImplementedError

    def _wr(self, reg, v):      # one register write (after auto-increment)
        raise NotImplementedError

    def _rd(self, reg):         # one register read
        raise NotImplementedError

    def _wake_period_us(self):  # how soon the INT pin may change (None: only on bus access)
        return None

    # --- shared machinery ---------------------------------------------------------------------
    def _rebase(self):
        self._t_base = self.elapsed
        self._k = 0
        self._rate_hz = self._rate()

    def _fifo_push(self, data, stop_when_full):
        """Append bytes to the FIFO ring; returns False (and counts an overflow) when full."""
        n = len(data)
        if self._count + n > self.FIFO_SIZE:
            self.stats["overflows"] += 1
            if stop_when_full:
                return False
            drop = self._count + n - self.FIFO_SIZE   # the oldest whole words go
            self._head = (self._head + drop) % self.FIFO_SIZE
            self._count -= drop
        f = self.fifo
        i = (self._head + self._count) % self.FIFO_SIZE
        for b in data:
            f[i] = b
            i += 1
            if i == self.FIFO_SIZE:
                i = 0
        self._count += n
        return True

    def _fifo_pop(self):
        if not self._count:
            return 0
        v = self.fifo[self._head]
        self._head = (self._head + 1) % self.FIFO_SIZE
        self._count -= 1
        return v

    def _fifo_clear(self):
        self._head = 0
        self._count = 0

    @staticmethod
    def _sat(v):
        v = int(v)
        return 32767 if v > 32767 else (-32768 if v < -32768 else v)

    def advance(self):
        """Produce every sample due by now; update the INT pin. Returns now (us)."""
        t = self.now_us()
        rp = self.replay
        rate = self._rate_hz
        if rate and not self.finished:
            due = (t - self._t_base) * rate // 1000000
            scale = self._lsb() / rp.lsb_per_g
            k = self._k
            while k < due:
                ts = self._t_base + k * 1000000 // rate
                k += 1
                ri = ts * rp.rate // 1000000
                if ri >= rp.n:
                    self._finish()
                    break
                if self.faults and self.fault_at(ts) == "stuck":
                    x, y, z = self._last
                else:
                    v = rp.sample(ri)
                    x, y, z = self._sat(v[0] * scale), self._sat(v[1] * scale), self._sat(v[2] * scale)
                self._sample(x, y, z)
                self._last = (x, y, z)
                self.stats["samples"] += 1
            self._k = k
        elif not self.finished and t * rp.rate // 1000000 >= rp.n:
            self._finish()
        self._update_pin(t)
        return t

    def _finish(self):
        self.finished = True
        if self._ended:
            self._ended.set()

    def _update_pin(self, t):
        lvl = 1 if self._int_level() else 0
        if lvl != self._pin_level:
            self._pin_level = lvl
            if self.pin is not None:
                if self.fault_at(t) == "noirq":
                    self.stats["lost_edges"] += 1
                else:
                    self.pin.drive(lvl)

    def _check_bus(self):
        t = self.now_us()
        nack = self.fault_at(t) == "nack"
        if self._in_nack and not nack:
            self.stats["resets"] += 1     # back as after power-on
            self._reset()
        self._in_nack = nack
        if nack:
            self.stats["nacks"] += 1
            raise OSError(_ENODEV)

    # I2C device protocol (machine.I2C.attach on VIRT_M4, sim.bus.I2C on UNIX); bus_us counts
    # the CPU time the emulation takes (the app's awake time includes it)
    def write(self, data):
        t0 = time.ticks_us()
        try:
            self._write(data)
        finally:
            self.bus_us += time.ticks_diff(time.ticks_us(), t0)

    def read(self, n):
        t0 = time.ticks_us()
        try:
            return self._read(n)
        finally:
            self.bus_us += time.ticks_diff(time.ticks_us(), t0)

    def _write(self, data):
        self._check_bus()
        self.advance()
        if data:
            reg = data[0]
            for v in data[1:]:
                reg = self._wr(reg, v)
            self._ptr = reg
        self._update_pin(self.elapsed)

    def _read(self, n):
        self._check_bus()
        self.advance()
        out = bytearray(n)
        reg = self._ptr
        for i in range(n):
            out[i], reg = self._rd(reg)
        self._ptr = reg
        self._update_pin(self.elapsed)
        return out

    def _next_event_us(self, t):
        nxt = t + 200000
        p = self._wake_period_us()
        if p is not None:
            nxt = min(nxt, t + max(1, p))
        end = self.replay.n * 1000000 // self.replay.rate
        if end > t:
            nxt = min(nxt, end)
        for f in self.faults:
            for b in (f[1], f[2]):
                if b > t:
                    nxt = min(nxt, b)
        return nxt

    async def run(self):
        while not self.finished:
            t = self.advance()
            dt = self._next_event_us(t) - t
            await asyncio.sleep_ms(dt // 1000 + 1)
        self._update_pin(self.elapsed)

    def ended(self):
        if self._ended is None:
            self._ended = asyncio.Event()
            if self.finished:
                self._ended.set()
        return self._ended


def le16(v):
    return struct.pack("<h", v)
