# Register-level emulator of the InvenSense MPU6050 / MPU6886 accelerometer (the accel path: data
# registers, sample-rate divider, full scale, FIFO with overflow, INT pin with data-ready,
# FIFO-overflow, motion and (MPU6886) FIFO-watermark interrupts), fed by a replay file and
# advanced by time.ticks_us, so on VIRT_M4 the virtual clock decides when samples exist.
# Attach to a bus with i2c.attach(0x68, sim) (VIRT_M4's machine.I2C or tinydev.sim.bus.I2C).
# Faults: inject(kind, start_s, end_s) with kind "nack" (every transfer raises OSError(ENODEV);
# the chip comes back from reset, as after a brown-out), "stuck" (output frozen), "noirq" (INT
# edges lost).
import struct

from .imu_base import SimIMU

WHO_AM_I = {"mpu6050": 0x68, "mpu6886": 0x19}
_FIFO_SIZE = SimIMU.FIFO_SIZE
_LSB = (16384, 8192, 4096, 2048)

R_SMPLRT_DIV = 0x19
R_CONFIG = 0x1A
R_ACCEL_CONFIG = 0x1C
R_MOT_THR = 0x1F
R_FIFO_EN = 0x23
R_INT_PIN_CFG = 0x37
R_INT_ENABLE = 0x38
R_WM_STATUS = 0x39
R_INT_STATUS = 0x3A
R_ACCEL_XOUT_H = 0x3B
R_TEMP_OUT_H = 0x41
R_WM_TH1 = 0x60
R_WM_TH2 = 0x61
R_USER_CTRL = 0x6A
R_PWR_MGMT_1 = 0x6B
R_FIFO_COUNTH = 0x72
R_FIFO_R_W = 0x74
R_WHO_AM_I = 0x75


class MPU6050Sim(SimIMU):
    """Time, faults, the INT pin, the bus wrappers and the asyncio driver are SimIMU's; the
    sample loop, FIFO and bus transfers are this part's own (the bulk FIFO read is the hot path)."""

    def __init__(self, replay, part="mpu6050", int_pin=None, clock=None):
        if part not in WHO_AM_I:
            raise ValueError("part must be mpu6050 or mpu6886")
        self.part = part
        super().__init__(replay, int_pin, clock)

    # --- chip state -------------------------------------------------------------------------
    def _reset(self):
        r = self.regs
        for i in range(128):
            r[i] = 0
        r[R_PWR_MGMT_1] = 0x40 if self.part == "mpu6050" else 0x41   # asleep after reset
        r[R_WHO_AM_I] = WHO_AM_I[self.part]
        self._head = 0
        self._count = 0
        self._last = (0, 0, 0)
        self._rebase()

    def _rate(self):
        dlpf = self.regs[R_CONFIG] & 7
        base = 8000 if dlpf in (0, 7) else 1000
        return base // (1 + self.regs[R_SMPLRT_DIV])

    def _scale(self):
        return _LSB[(self.regs[R_ACCEL_CONFIG] >> 3) & 3] / self.replay.lsb_per_g

    def _awake(self):
        return not (self.regs[R_PWR_MGMT_1] & 0x40)

    def _wm(self):
        if self.part != "mpu6886":
            return 0
        return ((self.regs[R_WM_TH1] & 3) << 8) | self.regs[R_WM_TH2]

    def _fifo_on(self):
        return (self.regs[R_USER_CTRL] & 0x40) and (self.regs[R_FIFO_EN] & 0x08)

    def _push(self, x, y, z):
        r = self.regs
        struct.pack_into(">hhh", r, R_ACCEL_XOUT_H, x, y, z)
        r[R_INT_STATUS] |= 0x01                              # DATA_RDY
        if self._fifo_on():
            free = _FIFO_SIZE - self._count
            if free < 6:
                self.stats["overflows"] += 1
                r[R_INT_STATUS] |= 0x10                      # FIFO_OFLOW
                if self.part == "mpu6886" and r[R_CONFIG] & 0x40:
                    return                                   # FIFO_MODE: drop new data
                drop = 6 - free                              # overwrite the oldest bytes
                self._head = (self._head + drop) % _FIFO_SIZE
                self._count -= drop
            f = self.fifo
            i = (self._head + self._count) % _FIFO_SIZE
            if i <= _FIFO_SIZE - 6:
                struct.pack_into(">hhh", f, i, x, y, z)
            else:
                for b in (x >> 8, x, y >> 8, y, z >> 8, z):
                    f[i] = b & 0xFF
                    i += 1
                    if i == _FIFO_SIZE:
                        i = 0
            self._count += 6
            wm = self._wm()
            if wm and self._count >= wm > self._count - 6:   # crossing the watermark
                r[R_WM_STATUS] |= 0x40

    def _motion(self, x, y, z):
        thr = self.regs[R_MOT_THR if self.part == "mpu6050" else 0x20]
        if not thr:
            return
        lsb = _LSB[(self.regs[R_ACCEL_CONFIG] >> 3) & 3]
        lim = thr * (0.002 if self.part == "mpu6050" else 0.004) * lsb
        p = self._last
        if abs(x - p[0]) > lim or abs(y - p[1]) > lim or abs(z - p[2]) > lim:
            self.regs[R_INT_STATUS] |= 0x40 if self.part == "mpu6050" else 0xE0

    def advance(self):
        """Produce every sample that is due by now; update the INT pin. Returns now (us)."""
        t = self.now_us()
        rp = self.replay
        if self._awake() and not self.finished:
            rate = self._rate_hz
            due = (t - self._t_base) * rate // 1000000
            scale = self._scale()
            unit = scale == 1
            faults = self.faults
            motion = self.regs[R_MOT_THR if self.part == "mpu6050" else 0x20]
            sat = self._sat
            sample = rp.sample
            push = self._push
            k = self._k
            base = self._t_base
            n0 = k
            while k < due:
                ts = base + k * 1000000 // rate
                k += 1
                ri = ts * rp.rate // 1000000
                if ri >= rp.n:
                    self._finish()
                    break
                if faults and self.fault_at(ts) == "stuck":
                    x, y, z = self._last
                else:
                    x, y, z = sample(ri)
                    if not unit:
                        x, y, z = sat(x * scale), sat(y * scale), sat(z * scale)
                if motion:
                    self._motion(x, y, z)
                push(x, y, z)
                self._last = (x, y, z)
            self._k = k
            self.stats["samples"] += k - n0
        elif not self.finished and t * rp.rate // 1000000 >= rp.n:
            self._finish()
        self._update_pin(t)
        return t

    def _int_level(self):
        r = self.regs
        en = r[R_INT_ENABLE]
        st = r[R_INT_STATUS]
        lvl = (st & en & 0x51) or (st & 0xE0 and en & 0xE0) or (r[R_WM_STATUS] & 0x40)
        if r[R_INT_PIN_CFG] & 0x80:   # active low
            return 0 if lvl else 1
        return 1 if lvl else 0

    # --- I2C transfers (SimIMU.write/read time them) ---------------------------------------------
    def _write(self, data):
        self._check_bus()
        self.advance()
        if not data:
            return
        reg = data[0]
        self._ptr = reg
        r = self.regs
        for v in data[1:]:
            if reg == R_PWR_MGMT_1 and v & 0x80:
                self._reset()
                continue
            if reg == R_USER_CTRL:
                if v & 0x04:     # FIFO_RST, self-clearing
                    self._head = 0
                    self._count = 0
                    r[R_INT_STATUS] &= ~0x10
                    r[R_WM_STATUS] &= ~0x40
                v &= ~0x05
            if reg not in (R_FIFO_R_W, R_WHO_AM_I, R_INT_STATUS, R_FIFO_COUNTH, R_FIFO_COUNTH + 1):
                r[reg] = v
            if reg in (R_SMPLRT_DIV, R_CONFIG, R_PWR_MGMT_1):
                self._rebase()
            if reg != R_FIFO_R_W:
                reg = (reg + 1) & 0x7F
        self._ptr = reg
        self._update_pin(self.elapsed)

    def _read(self, n):
        self._check_bus()
        self.advance()
        reg = self._ptr
        r = self.regs
        out = bytearray(n)
        if reg == R_FIFO_R_W:
            f = self.fifo
            k = n if n <= self._count else self._count
            h = self._head
            for i in range(k):
                out[i] = f[h]
                h += 1
                if h == _FIFO_SIZE:
                    h = 0
            self._head = h
            self._count -= k
        else:
            struct.pack_into(">H", r, R_FIFO_COUNTH, self._count)
            for i in range(n):
                out[i] = r[reg]
                if reg == R_INT_STATUS:
                    r[R_INT_STATUS] = 0
                    r[R_WM_STATUS] &= ~0x40
                elif reg == R_WM_STATUS:
                    r[R_WM_STATUS] &= ~0x40
                reg = (reg + 1) & 0x7F
            self._ptr = reg
        self._update_pin(self.elapsed)
        return out

    # --- time driver --------------------------------------------------------------------------
    def _next_event_us(self, t):
        """When something may next change the INT pin (or a fault boundary passes)."""
        nxt = t + 200000
        rate = self._rate_hz or 1
        if self._awake():
            en = self.regs[R_INT_ENABLE]
            per = 1000000 // rate
            if en & 0x01:
                nxt = min(nxt, t + per)
            elif en & 0xE0 and self.part == "mpu6886" or en & 0x40:
                # motion: the flags are set per sample as advance() produces them; looking
                # every 5 ms (not every sample) keeps the emulator cheap while the host sleeps
                # (the INT edge comes up to 5 ms after the sample that moved)
                nxt = min(nxt, t + max(per, 5000))
            wm = self._wm()
            if wm and self._fifo_on():
                need = (wm - self._count + 5) // 6
                nxt = min(nxt, t + max(1, need) * per)
            if en & 0x10 and self._fifo_on():
                need = (_FIFO_SIZE - self._count) // 6 + 1
                nxt = min(nxt, t + need * per)
        end = self.replay.n * 1000000 // self.replay.rate
        if end > t:
            nxt = min(nxt, end)
        for f in self.faults:
            for b in (f[1], f[2]):
                if b > t:
                    nxt = min(nxt, b)
        return nxt
