# Register-level emulator of the Bosch BMI270 accelerometer path. The chip needs its 8 KB
# configuration blob uploaded after every reset; this emulator accepts any blob and checks the
# upload protocol instead: PWR_CONF.adv_power_save off, INIT_CTRL = 0, bursts to INIT_DATA at the
# word address in INIT_ADDR_0/1 covering the 8192 bytes once, INIT_CTRL = 1, then
# INTERNAL_STATUS reads 0x01 (init_ok) 20 ms later, or 0x02 (init_err) for a broken upload.
# Until init_ok the accelerometer makes no data. Then: ACC_CONF (odr 25 * 2^(odr-6) Hz),
# ACC_RANGE, DATA (0x0C.., little-endian), a 2 KB FIFO of headerless 6-byte accel frames
# (FIFO_CONFIG_1 fifo_acc_en, FIFO_CONFIG_0 stop_on_full, FIFO_WTM_0/1 in bytes, FIFO_LENGTH_0/1,
# FIFO_DATA 0x26 without auto-increment, CMD 0xB0 flush, 0xB6 soft reset), INT_STATUS_0
# (any-motion, latched, read clears) / INT_STATUS_1 (ffull, fwm, acc_drdy), INT1 routing
# (INT1_IO_CTRL output_en + level, INT_MAP_DATA, INT1_MAP_FEAT any_motion) and the any-motion
# feature (feature page 1, 0x3C..0x3F: duration, threshold in 1/2048 g, enable).
import struct
from .imu_base import SimIMU

CHIP_ID = 0x24
BLOB_BYTES = 8192
FS_LSB = (16384, 8192, 4096, 2048)

R_CHIP_ID = 0x00
R_STATUS = 0x03
R_DATA_ACC = 0x0C
R_INT_STATUS_0 = 0x1C
R_INT_STATUS_1 = 0x1D
R_INTERNAL_STATUS = 0x21
R_FIFO_LENGTH_0 = 0x24
R_FIFO_LENGTH_1 = 0x25
R_FIFO_DATA = 0x26
R_FEAT_PAGE = 0x2F
R_ACC_CONF = 0x40
R_ACC_RANGE = 0x41
R_FIFO_WTM_0 = 0x46
R_FIFO_WTM_1 = 0x47
R_FIFO_CONFIG_0 = 0x48
R_FIFO_CONFIG_1 = 0x49
R_INT1_IO_CTRL = 0x53
R_INT_LATCH = 0x55
R_INT1_MAP_FEAT = 0x56
R_INT_MAP_DATA = 0x58
R_INIT_CTRL = 0x59
R_INIT_ADDR_0 = 0x5B
R_INIT_ADDR_1 = 0x5C
R_INIT_DATA = 0x5E
R_PWR_CONF = 0x7C
R_PWR_CTRL = 0x7D
R_CMD = 0x7E


class BMI270Sim(SimIMU):
    FIFO_SIZE = 2046                      # 341 whole frames of 6 bytes

    def __init__(self, replay, int_pin=None, clock=None):
        self.uploads = 0                  # completed uploads (one per init)
        self.upload_errors = []           # what was wrong with a refused upload
        super().__init__(replay, int_pin, clock)

    def _reset(self):
        r = self.regs
        for i in range(len(r)):
            r[i] = 0
        r[R_CHIP_ID] = CHIP_ID
        r[R_PWR_CONF] = 0x03              # adv_power_save + fifo_self_wakeup after reset
        r[R_ACC_CONF] = 0xA8              # 100 Hz
        r[R_INT1_IO_CTRL] = 0x00
        self.feat = [bytearray(16) for _ in range(8)]
        self._fifo_clear()
        self._last = (0, 0, 0)
        self._init_ok = False
        self._status = 0x00               # INTERNAL_STATUS.message: not_init
        self._ok_at = None
        self._upload = None               # bytearray of covered flags while INIT_CTRL == 0
        self._motion = False
        self._drdy = False
        self._rebase()

    def _rate(self):
        if not self._init_ok or not self.regs[R_PWR_CTRL] & 0x04:
            return 0
        odr = self.regs[R_ACC_CONF] & 0x0F
        if odr < 1 or odr > 12:
            return 0
        return 25 << (odr - 6) if odr >= 6 else 0

    def _lsb(self):
        return FS_LSB[self.regs[R_ACC_RANGE] & 3]

    def _any_motion(self):
        f = self.feat[1]
        thr = (f[14] | (f[15] << 8))
        return thr & 0x7FF if thr & 0x8000 else 0

    def _sample(self, x, y, z):
        r = self.regs
        struct.pack_into("<hhh", r, R_DATA_ACC, x, y, z)
        self._drdy = True
        thr = self._any_motion()
        if thr:
            lim = thr * self._lsb() / 2048
            p = self._last
            if abs(x - p[0]) > lim or abs(y - p[1]) > lim or abs(z - p[2]) > lim:
                self._motion = True
        if r[R_FIFO_CONFIG_1] & 0x40:
            self._fifo_push(struct.pack("<hhh", x, y, z), bool(r[R_FIFO_CONFIG_0] & 0x01))

    def _wtm(self):
        return ((self.regs[R_FIFO_WTM_1] & 0x1F) << 8) | self.regs[R_FIFO_WTM_0]

    def _st1(self):
        w = self._wtm()
        s = 0
        if self._count + 6 > self.FIFO_SIZE:
            s |= 0x01                     # ffull
        if w and self._count >= w:
            s |= 0x02                     # fwm
        if self._drdy:
            s |= 0x80
        return s

    def _int_level(self):
        r = self.regs
        io = r[R_INT1_IO_CTRL]
        if not io & 0x08:                 # output_en
            return 0
        m = r[R_INT_MAP_DATA]
        s = self._st1()
        lvl = (m & 0x02 and s & 0x02) or (m & 0x01 and s & 0x01) or (m & 0x04 and s & 0x80) \
            or (r[R_INT1_MAP_FEAT] & 0x40 and self._motion)
        if io & 0x02:                     # lvl: active high
            return 1 if lvl else 0
        return 0 if lvl else 1

    def _wr(self, reg, v):
        r = self.regs
        if reg == R_CMD:
            if v == 0xB6:
                self._reset()
            elif v == 0xB0:
                self._fifo_clear()
            return reg
        if reg == R_INIT_DATA:
            return self._init_data(v)
        if reg == R_INIT_CTRL:
            r[reg] = v
            if v == 0:
                if r[R_PWR_CONF] & 0x01:
                    self.upload_errors.append("INIT_CTRL=0 with PWR_CONF.adv_power_save on")
                    self._upload = None
                else:
                    self._upload = bytearray(BLOB_BYTES)
                    self._pos = None
            elif v == 1:
                u = self._upload
                bad = None
                if u is None:
                    bad = "INIT_CTRL=1 without an upload started by INIT_CTRL=0"
                elif min(u) != 1 or max(u) != 1:
                    bad = "upload covered %d of %d bytes exactly once" % (sum(1 for b in u if b == 1), BLOB_BYTES)
                self._upload = None
                if bad:
                    self.upload_errors.append(bad)
                    self._status = 0x02   # init_err
                else:
                    self.uploads += 1
                    self._ok_at = self.elapsed + 20000
            return reg + 1
        if reg in (R_CHIP_ID, R_STATUS, R_INT_STATUS_0, R_INT_STATUS_1, R_INTERNAL_STATUS,
                   R_FIFO_LENGTH_0, R_FIFO_LENGTH_1, R_FIFO_DATA):
            return reg + 1
        if 0x30 <= reg < 0x40:
            self.feat[r[R_FEAT_PAGE] & 7][reg - 0x30] = v
            return reg + 1
        r[reg] = v
        if reg in (R_ACC_CONF, R_PWR_CTRL):
            self._rebase()
        if reg == R_INIT_ADDR_1 or reg == R_INIT_ADDR_0:
            self._pos = None
        return (reg + 1) & 0x7F

    def _init_data(self, v):
        u = self._upload
        if u is None:
            self.upload_errors.append("INIT_DATA written outside an upload")
            return R_INIT_DATA
        if self._pos is None:
            r = self.regs
            self._pos = 2 * ((r[R_INIT_ADDR_0] & 0x0F) | (r[R_INIT_ADDR_1] << 4))
        if self._pos < BLOB_BYTES:
            u[self._pos] += 1
        self._pos += 1
        return R_INIT_DATA                # INIT_DATA does not auto-increment the register

    def _check_init(self):
        if self._ok_at is not None and self.elapsed >= self._ok_at:
            self._ok_at = None
            self._init_ok = True
            self._status = 0x01
            self._rebase()

    def _rd(self, reg):
        r = self.regs
        self._check_init()
        if reg == R_FIFO_DATA:
            return (self._fifo_pop() if self._count else 0), reg
        if reg == R_INTERNAL_STATUS:
            v = self._status
        elif reg == R_INT_STATUS_0:
            v = 0x40 if self._motion else 0
            self._motion = False
        elif reg == R_INT_STATUS_1:
            v = self._st1()
            self._drdy = False
        elif reg == R_FIFO_LENGTH_0:
            v = self._count & 0xFF
        elif reg == R_FIFO_LENGTH_1:
            v = (self._count >> 8) & 0x3F
        elif reg == R_STATUS:
            v = 0x80 if self._drdy else 0
        elif 0x30 <= reg < 0x40:
            v = self.feat[r[R_FEAT_PAGE] & 7][reg - 0x30]
        else:
            v = r[reg]
        return v, (reg + 1) & 0x7F

    def advance(self):
        self.now_us()
        self._check_init()
        return super().advance()

    def _wake_period_us(self):
        if self._ok_at is not None:
            return max(1, self._ok_at - self.elapsed)
        rate = self._rate_hz
        if not rate:
            return None
        per = 1000000 // rate
        r = self.regs
        m = r[R_INT_MAP_DATA]
        if m & 0x04:
            return per
        nxt = None
        if m & 0x03 and r[R_FIFO_CONFIG_1] & 0x40:
            w = self._wtm() if m & 0x02 else self.FIFO_SIZE
            need = (w - self._count + 5) // 6 if w > self._count else 1
            if m & 0x01:
                need = min(need, (self.FIFO_SIZE - self._count) // 6 + 1)
            nxt = max(1, need) * per
        if r[R_INT1_MAP_FEAT] & 0x40:
            mm = max(per, 5000)
            nxt = mm if nxt is None else min(nxt, mm)
        return nxt
