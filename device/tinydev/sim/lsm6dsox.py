# Register-level emulator of the ST LSM6DSOX accelerometer path: CTRL1_XL (ODR, full scale),
# CTRL3_C (SW_RESET, IF_INC, BDU), OUTX_L_A.. (little-endian), a FIFO of tagged 7-byte words
# (FIFO_CTRL1..4: watermark in words, accel batch rate, bypass / FIFO / continuous mode,
# FIFO_STATUS1/2 with DIFF_FIFO, WTM_IA, OVR_IA, FULL_IA, OVR_LATCHED; FIFO_DATA_OUT_TAG +
# X/Y/Z, the burst address rolling back from 0x7E to 0x78), INT1 routing (INT1_CTRL: DRDY_XL,
# FIFO_TH, FIFO_OVR, FIFO_FULL; MD1_CFG INT1_WU) and the wake-up (motion) detector
# (WAKE_UP_THS, WAKE_UP_DUR WAKE_THS_W, TAP_CFG0 LIR, TAP_CFG2 INTERRUPTS_ENABLE, WAKE_UP_SRC).
# FIFO depth: 512 words here (the chip's is larger); faults as tinydev.sim.imu_base.
import struct
from .imu_base import SimIMU

WHO_AM_I = 0x6C
ODR_HZ = (0, 12, 26, 52, 104, 208, 416, 833, 1666, 3333, 6667)
FS_LSB = (16384, 2048, 8192, 4096)       # FS_XL 00 +-2 g, 01 +-16 g, 10 +-4 g, 11 +-8 g
WORDS = 512

R_FIFO_CTRL1 = 0x07
R_FIFO_CTRL2 = 0x08
R_FIFO_CTRL3 = 0x09
R_FIFO_CTRL4 = 0x0A
R_INT1_CTRL = 0x0D
R_WHO_AM_I = 0x0F
R_CTRL1_XL = 0x10
R_CTRL3_C = 0x12
R_WAKE_UP_SRC = 0x1B
R_STATUS = 0x1E
R_OUTX_L_A = 0x28
R_FIFO_STATUS1 = 0x3A
R_FIFO_STATUS2 = 0x3B
R_TAP_CFG0 = 0x56
R_TAP_CFG2 = 0x58
R_WAKE_UP_THS = 0x5B
R_WAKE_UP_DUR = 0x5C
R_MD1_CFG = 0x5E
R_FIFO_TAG = 0x78


class LSM6DSOXSim(SimIMU):
    FIFO_SIZE = WORDS * 7

    def _reset(self):
        r = self.regs
        for i in range(len(r)):
            r[i] = 0
        r[R_WHO_AM_I] = WHO_AM_I
        r[R_CTRL3_C] = 0x04                   # IF_INC
        self._fifo_clear()
        self._last = (0, 0, 0)
        self._out = bytearray(7)              # the FIFO word being read (0x78..0x7E)
        self._ovr_latched = False
        self._ovr = False
        self._wu = 0
        self._rebase()

    def _rate(self):
        return ODR_HZ[min(10, self.regs[R_CTRL1_XL] >> 4)]

    def _lsb(self):
        return FS_LSB[(self.regs[R_CTRL1_XL] >> 2) & 3]

    def _wtm(self):
        return ((self.regs[R_FIFO_CTRL2] & 1) << 8) | self.regs[R_FIFO_CTRL1]

    def _mode(self):
        return self.regs[R_FIFO_CTRL4] & 7

    def _words(self):
        return self._count // 7

    def _sample(self, x, y, z):
        r = self.regs
        struct.pack_into("<hhh", r, R_OUTX_L_A, x, y, z)
        r[R_STATUS] |= 0x01                   # XLDA
        if r[R_MD1_CFG] & 0x20 or r[R_TAP_CFG2] & 0x80:
            thr = r[R_WAKE_UP_THS] & 0x3F
            if thr:
                lsb = self._lsb()
                fs = 32768 // lsb            # g of full scale
                unit = lsb * fs / (256 if r[R_WAKE_UP_DUR] & 0x10 else 64)
                lim = thr * unit
                p = self._last
                ax = (abs(x - p[0]) > lim) << 2 | (abs(y - p[1]) > lim) << 1 | (abs(z - p[2]) > lim)
                if ax:
                    self._wu = 0x08 | ax      # WU_IA + X/Y/Z_WU
        mode = self._mode()
        if mode and r[R_FIFO_CTRL3] & 0x0F:   # accel batched into the FIFO
            before = self.stats["overflows"]
            # FIFO mode (1) stops when full; continuous (6) overwrites the oldest word
            self._fifo_push(struct.pack("<Bhhh", 0x10, x, y, z), mode == 1)
            if self.stats["overflows"] != before:
                self._ovr = True
                self._ovr_latched = True

    def _status2(self):
        w = self._words()
        wtm = self._wtm()
        s = (w >> 8) & 3
        if wtm and w >= wtm:
            s |= 0x80
        if self._ovr:
            s |= 0x40
        if w >= WORDS:
            s |= 0x20
        if self._ovr_latched:
            s |= 0x08
        return s

    def _int_level(self):
        r = self.regs
        c = r[R_INT1_CTRL]
        s2 = self._status2()
        lvl = (c & 0x08 and s2 & 0x80) or (c & 0x10 and s2 & 0x40) or (c & 0x20 and s2 & 0x20) \
            or (c & 0x01 and r[R_STATUS] & 0x01) or (r[R_MD1_CFG] & 0x20 and self._wu)
        if r[R_CTRL3_C] & 0x20:               # H_LACTIVE: active low
            return 0 if lvl else 1
        return 1 if lvl else 0

    def _wr(self, reg, v):
        r = self.regs
        if reg == R_CTRL3_C and v & 0x01:     # SW_RESET
            self._reset()
            return reg
        if reg in (R_WHO_AM_I, R_STATUS, R_FIFO_STATUS1, R_FIFO_STATUS2, R_WAKE_UP_SRC) or reg >= R_FIFO_TAG:
            pass                              # read-only
        else:
            r[reg] = v
        if reg == R_CTRL1_XL:
            self._rebase()
        if reg == R_FIFO_CTRL4 and v & 7 == 0:  # bypass: the FIFO empties
            self._fifo_clear()
            self._ovr = False
            self._ovr_latched = False
        return self._next(reg)

    def _next(self, reg):
        if reg >= R_FIFO_TAG:
            return R_FIFO_TAG if reg == R_FIFO_TAG + 6 else reg + 1
        return (reg + 1) & 0x7F if self.regs[R_CTRL3_C] & 0x04 else reg

    def _rd(self, reg):
        r = self.regs
        if reg == R_FIFO_TAG:
            if self._count >= 7:
                for i in range(7):
                    self._out[i] = self._fifo_pop()
                self._ovr = False
            else:
                for i in range(7):
                    self._out[i] = 0
            v = self._out[0]
        elif R_FIFO_TAG < reg <= R_FIFO_TAG + 6:
            v = self._out[reg - R_FIFO_TAG]
        elif reg == R_FIFO_STATUS1:
            v = self._words() & 0xFF
        elif reg == R_FIFO_STATUS2:
            v = self._status2()
            self._ovr_latched = False
        elif reg == R_WAKE_UP_SRC:
            v = self._wu
            if r[R_TAP_CFG0] & 0x01:          # LIR: latched until read
                self._wu = 0
        else:
            v = r[reg]
            if reg == R_OUTX_L_A + 5:
                r[R_STATUS] &= ~0x01
        return v, self._next(reg)

    def _wake_period_us(self):
        rate = self._rate_hz
        if not rate:
            return None
        per = 1000000 // rate
        r = self.regs
        c = r[R_INT1_CTRL]
        if c & 0x01:
            return per
        nxt = None
        if c & 0x38 and self._mode():
            wtm = self._wtm() if c & 0x08 else WORDS
            need = wtm - self._words() if wtm > self._words() else 1
            if c & 0x30:
                need = min(need, WORDS - self._words() + 1)
            nxt = max(1, need) * per
        if r[R_MD1_CFG] & 0x20:
            m = max(per, 5000)
            nxt = m if nxt is None else min(nxt, m)
        return nxt
