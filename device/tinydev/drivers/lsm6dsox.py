# ST LSM6DSOX accelerometer driver (register level, accel path), same surface as the MPU6050 one:
# - init(): SW_RESET, WHO_AM_I (0x6C), BDU + IF_INC, ODR (the nearest of 12.5..6667 Hz at or above
#   `rate`) and full scale, FIFO in continuous mode batching the accelerometer at the ODR,
#   watermark (words) on INT1, FIFO overrun on INT1, optional data-ready and wake-up (motion).
# - read_fifo_into(): FIFO_STATUS1/2 in one burst, then bursts of tagged 7-byte words (the
#   address rolls back from 0x7E to 0x78), little-endian x, y, z.
# - Bus errors -> SensorError("bus"); FIFO overrun -> SensorError("overflow") after the FIFO is
#   emptied (bypass, then continuous again); recover() re-initialises.
import time
import struct
from micropython import const
from . import ImuDriver, SensorError

_FIFO_CTRL1 = const(0x07)
_FIFO_CTRL3 = const(0x09)
_FIFO_CTRL4 = const(0x0A)
_INT1_CTRL = const(0x0D)
_WHO_AM_I = const(0x0F)
_CTRL1_XL = const(0x10)
_CTRL3_C = const(0x12)
_WAKE_UP_SRC = const(0x1B)
_OUTX_L_A = const(0x28)
_FIFO_STATUS1 = const(0x3A)
_TAP_CFG0 = const(0x56)
_TAP_CFG2 = const(0x58)
_WAKE_UP_THS = const(0x5B)
_WAKE_UP_DUR = const(0x5C)
_MD1_CFG = const(0x5E)
_FIFO_TAG = const(0x78)

WHO = 0x6C
ODRS = ((1, 13), (2, 26), (3, 52), (4, 104), (5, 208), (6, 416), (7, 833), (8, 1666), (9, 3333), (10, 6667))
_FS = {2: (0, 16384), 4: (2, 8192), 8: (3, 4096), 16: (1, 2048)}
_WORDS = const(68)           # FIFO words per burst (476 bytes)
ST_WTM = 0x80
ST_OVR = 0x40
ST_FULL = 0x20
ST_OVR_LATCHED = 0x08
ST_WAKE = 0x100              # WAKE_UP_SRC.WU_IA, folded in by irq_status() while gated


class LSM6DSOX(ImuDriver):
    NAME = "lsm6dsox"
    FIFO_BYTES = 512 * 6      # what the pipeline may count on (the emulator's depth; the chip has more)
    MOTION_BITS = ST_WAKE
    OFLOW_BITS = ST_OVR | ST_OVR_LATCHED

    def __init__(self, i2c, addr=0x6A, int_pin=None, rate=833, range_g=4, watermark=0,
                 motion_mg=0, data_ready=False, expect=None):
        if range_g not in _FS:
            raise ValueError("range_g must be 2, 4, 8 or 16")
        self.i2c = i2c
        self.addr = addr
        self.pin = int_pin
        self.odr = 0
        for code, hz in ODRS:
            if hz >= rate:
                self.odr = code
                self.rate = hz
                break
        if not self.odr:
            raise ValueError("rate above 6667 Hz")
        self.range_g = range_g
        self.lsb_per_g = _FS[range_g][1]
        self.watermark = watermark
        self.motion_mg = motion_mg
        self.data_ready = data_ready
        self.part = None
        self.errors = 0
        self.overflows = 0
        self.gated = False
        self._int1 = 0
        self._b1 = bytearray(1)
        self._b2 = bytearray(2)
        self._b6 = bytearray(6)
        self._chunk = bytearray(7 * _WORDS)

    def init(self):
        self._w(_CTRL3_C, 0x01)               # SW_RESET
        time.sleep_ms(10)
        who = self._r(_WHO_AM_I, self._b1)[0]
        if who != WHO:
            raise SensorError("id", "IMU @0x%02x: WHO_AM_I is 0x%02x, expected 0x%02x (lsm6dsox)" % (self.addr, who, WHO))
        self.part = "lsm6dsox"
        self._w(_CTRL3_C, 0x44)               # BDU, IF_INC, INT active high push-pull
        self._w(_CTRL1_XL, (self.odr << 4) | (_FS[self.range_g][0] << 2))
        wm = self.watermark
        self._w(_FIFO_CTRL1, wm & 0xFF)
        self._w(_FIFO_CTRL1 + 1, (wm >> 8) & 1)
        self._w(_FIFO_CTRL3, self.odr)        # BDR_XL = ODR, gyro not batched
        self._w(_FIFO_CTRL4, 0x00)            # bypass (empties the FIFO) ...
        self._w(_FIFO_CTRL4, 0x06)            # ... then continuous
        self._w(_TAP_CFG0, 0x01)              # LIR: wake-up source latched until read
        self._w(_WAKE_UP_DUR, 0x10)           # WAKE_THS_W: threshold LSB = FS / 256
        self._motion_thr(self.motion_mg)
        self._w(_TAP_CFG2, 0x80 if self.motion_mg else 0)
        self._w(_MD1_CFG, 0x20 if self.motion_mg else 0)
        en = 0x10 | (0x08 if wm else 0) | (0x01 if self.data_ready else 0)
        self._w(_INT1_CTRL, en)
        self._int1 = en
        self.gated = False
        self.irq_status()
        return self

    def _motion_thr(self, mg):
        unit = self.range_g * 1000 // 256     # mg per LSB
        self._w(_WAKE_UP_THS, min(63, max(1, mg // unit)) if mg else 0)

    def motion_gate(self, on, motion_mg=None):
        """on: only the wake-up (motion) interrupt on INT1; the FIFO keeps collecting (in
        continuous mode it keeps the newest samples: pre-trigger data). off: back to init()'s."""
        if on:
            self._motion_thr(motion_mg or self.motion_mg or 32)
            self._w(_TAP_CFG2, 0x80)
            self._w(_INT1_CTRL, 0)
            self._w(_MD1_CFG, 0x20)
        else:
            self._w(_MD1_CFG, 0x20 if self.motion_mg else 0)
            self._w(_INT1_CTRL, self._int1)
        self.gated = on
        return self.irq_status()

    def irq_status(self):
        """FIFO_STATUS2 (WTM_IA 0x80, OVR_IA 0x40, FULL_IA 0x20, OVR_LATCHED 0x08, read clears
        the latch), plus WAKE_UP_SRC.WU_IA as 0x100 (read, and so cleared) while gated or with
        a motion threshold set."""
        b = self._r(_FIFO_STATUS1, self._b2)
        st = b[1] & 0xE8
        self._diff = ((b[1] & 3) << 8) | b[0]
        if self.gated or self.motion_mg:
            if self._r(_WAKE_UP_SRC, self._b1)[0] & 0x08:
                st |= ST_WAKE
        return st

    def fifo_count(self):
        b = self._r(_FIFO_STATUS1, self._b2)
        return ((b[1] & 3) << 8) | b[0]

    def reset_fifo(self):
        self._w(_FIFO_CTRL4, 0x00)
        self._w(_FIFO_CTRL4, 0x06)

    def read_raw(self):
        return struct.unpack("<hhh", self._r(_OUTX_L_A, self._b6))

    def read_accel(self):
        s = 1 / self.lsb_per_g
        x, y, z = self.read_raw()
        return (x * s, y * s, z * s)

    def read_fifo_into(self, dst, offset=0, max_samples=None):
        st = self.irq_status()
        if st & self.OFLOW_BITS:
            self.overflows += 1
            self.reset_fifo()
            raise SensorError("overflow", "lsm6dsox: FIFO overrun, samples lost (reader too late)")
        n = self._diff
        room = len(dst) // 3 - offset
        if max_samples is not None and max_samples < room:
            room = max_samples
        if n > room:
            n = room
        got = 0
        mv = memoryview(self._chunk)
        c = self._chunk
        i = (offset) * 3
        while n > 0:
            k = n if n < _WORDS else _WORDS
            self._r(_FIFO_TAG, mv[:7 * k])
            for j in range(k):
                b = 7 * j
                if c[b] >> 3 == 0x02:          # accelerometer word (other tags: skipped)
                    dst[i], dst[i + 1], dst[i + 2] = struct.unpack_from("<hhh", c, b + 1)
                    i += 3
                    got += 1
            n -= k
        return got
