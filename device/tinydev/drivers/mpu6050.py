# InvenSense MPU6050 / MPU6886 accelerometer driver (register level, accel path).
# - init(): soft reset, WHO_AM_I check (0x68 MPU6050, 0x19 MPU6886), wake, sample rate,
#   full scale, FIFO (accel only, 6 bytes/sample, big-endian), INT pin latched active-high.
# - FIFO-driven reading: on the MPU6886 the FIFO watermark interrupt wakes the reader; the
#   MPU6050 has no watermark, so it uses the data-ready or motion interrupt (see irq_mode).
# - Bus errors (NACK) become SensorError("bus"); FIFO overflow SensorError("overflow") after the
#   FIFO is reset; recover() re-initialises the chip.
import time
from micropython import const
from . import ImuDriver, SensorError


def _be_to_h(src, dst, n):
    # big-endian register bytes -> native int16 (plain Python: frozen code must not need a
    # native emitter, mpy-cross has no -march for every port)
    for i in range(n):
        v = (src[2 * i] << 8) | src[2 * i + 1]
        dst[i] = v - 65536 if v & 0x8000 else v


_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_GYRO_CONFIG = const(0x1B)
_ACCEL_CONFIG = const(0x1C)
_MOT_THR = const(0x1F)
_MOT_DUR = const(0x20)
_FIFO_EN = const(0x23)
_INT_PIN_CFG = const(0x37)
_INT_ENABLE = const(0x38)
_WM_STATUS = const(0x39)
_INT_STATUS = const(0x3A)
_ACCEL_XOUT_H = const(0x3B)
_WM_TH1 = const(0x60)
_WM_TH2 = const(0x61)
_USER_CTRL = const(0x6A)
_PWR_MGMT_1 = const(0x6B)
_PWR_MGMT_2 = const(0x6C)
_FIFO_COUNTH = const(0x72)
_FIFO_R_W = const(0x74)
_WHO_AM_I = const(0x75)

INT_DATA_RDY = const(0x01)
INT_FIFO_OFLOW = const(0x10)
INT_MOTION = const(0x40)

PARTS = {0x68: "mpu6050", 0x19: "mpu6886", 0x98: "mpu6500"}
_RANGES = {2: 0, 4: 1, 8: 2, 16: 3}
_CHUNK = const(480)   # bytes per FIFO burst (80 samples), a multiple of 6


class MPU6050(ImuDriver):
    FIFO_BYTES = 1024
    MOTION_BITS = 0xE0 | INT_MOTION     # INT_STATUS: MPU6050 MOT_INT (0x40), MPU6886 WOM_X/Y/Z (0xE0)
    OFLOW_BITS = INT_FIFO_OFLOW

    def __init__(self, i2c, addr=0x68, int_pin=None, rate=1000, range_g=4, watermark=0,
                 motion_mg=0, data_ready=False, expect=None):
        self.i2c = i2c
        self.addr = addr
        self.pin = int_pin
        self.rate = rate
        self.range_g = range_g
        self.watermark = watermark          # samples; 0 = no watermark interrupt
        self.motion_mg = motion_mg
        self.data_ready = data_ready        # INT on every sample (MPU6050 without a gate)
        self.expect = expect                # required part name, or None for any known part
        self.part = None
        self.lsb_per_g = 16384 >> _RANGES[range_g]
        self.errors = 0
        self.overflows = 0
        self._b1 = bytearray(1)
        self._b2 = bytearray(2)
        self._b6 = bytearray(6)
        self._chunk = bytearray(_CHUNK)
        self._handler = None
        self._int_en = 0
        self.gated = False

    # --- setup ---------------------------------------------------------------------------------
    def init(self):
        self._w(_PWR_MGMT_1, 0x80)          # device reset
        time.sleep_ms(100)
        who = self._r8(_WHO_AM_I)
        part = PARTS.get(who)
        if part is None or (self.expect and part != self.expect):
            raise SensorError("id", "IMU @0x%02x: WHO_AM_I is 0x%02x, expected %s" % (
                self.addr, who, self.expect or "/".join(sorted(PARTS.values()))))
        self.part = part
        self._w(_PWR_MGMT_1, 0x01)          # wake, PLL clock
        time.sleep_ms(10)
        self._w(_PWR_MGMT_2, 0x07)          # gyro standby: accel only
        # sample rate = base / (1 + SMPLRT_DIV): base 1 kHz with the DLPF on, 8 kHz with it off
        # (rates above 1 kHz: the MPU6050's accel itself updates at 1 kHz; the MPU6886 at 4 kHz)
        if self.rate <= 1000 and 1000 % self.rate == 0:
            dlpf, base = 1, 1000
        elif 8000 % self.rate == 0:
            dlpf, base = 0, 8000
        else:
            raise ValueError("rate must divide 1000 or 8000 Hz")
        div = base // self.rate - 1
        if div > 255:
            raise ValueError("rate too low")
        self._w(_CONFIG, dlpf | (0x40 if part == "mpu6886" else 0))  # 6886: FIFO_MODE, no overwrite
        self._w(_SMPLRT_DIV, div)
        self._w(_GYRO_CONFIG, 0)
        self._w(_ACCEL_CONFIG, _RANGES[self.range_g] << 3)
        en = INT_FIFO_OFLOW | (INT_DATA_RDY if self.data_ready else 0)
        if self.watermark:
            if part != "mpu6886":
                raise ValueError("%s has no FIFO watermark; use irq='data'/'motion'" % part)
            wm = self.watermark * 6
            self._w(_WM_TH1, wm >> 8)
            self._w(_WM_TH2, wm & 0xFF)
        if self.motion_mg:
            self._motion_thr(self.motion_mg)
            en |= self._motion_en()
        self._w(_INT_PIN_CFG, 0x20)         # active high, push-pull, latched, clear on INT_STATUS read
        self._w(_FIFO_EN, 0x08)             # accel into the FIFO
        self._w(_USER_CTRL, 0x44)           # FIFO on + FIFO reset
        self._w(_INT_ENABLE, en)
        self._int_en = en
        self.gated = False
        self.irq_status()                   # clear anything latched during setup
        return self

    def _motion_thr(self, mg):
        # MPU6050 MOT_THR: 2 mg/LSB (+ MOT_DUR 1 ms); MPU6886 ACCEL_WOM_THR: 4 mg/LSB
        if self.part == "mpu6050":
            self._w(_MOT_THR, min(255, max(1, mg // 2)))
            self._w(_MOT_DUR, 1)
        else:
            self._w(0x20, min(255, max(1, mg // 4)))

    def _motion_en(self):
        return INT_MOTION if self.part == "mpu6050" else 0xE0

    def motion_gate(self, on, motion_mg=None):
        """on: only the motion (wake-on-motion) interrupt drives INT; the FIFO keeps collecting
        (what it holds when motion starts is pre-trigger data unless it overflowed), no
        watermark / data-ready / overflow interrupts, so the CPU sleeps until the part moves.
        off: back to the interrupts init() set up."""
        if on:
            self._motion_thr(motion_mg or self.motion_mg or 32)
            if self.watermark:
                self._w(_WM_TH1, 0)          # MPU6886: a zero threshold disables the WM interrupt
                self._w(_WM_TH2, 0)
            self._w(_INT_ENABLE, self._motion_en())
        else:
            if self.watermark:
                wm = self.watermark * 6
                self._w(_WM_TH1, wm >> 8)
                self._w(_WM_TH2, wm & 0xFF)
            self._w(_INT_ENABLE, self._int_en)
        self.gated = on
        return self.irq_status()


    # --- data ---------------------------------------------------------------------------------
    def irq_status(self):
        """Read (and so clear) INT_STATUS; MPU6886 watermark status folded in as 0x100."""
        if self.part == "mpu6886":
            b = self._r(_WM_STATUS, self._b2)    # FIFO_WM_INT_STATUS, INT_STATUS: one burst
            return b[1] | (0x100 if b[0] & 0x40 else 0)
        return self._r8(_INT_STATUS)

    def read_raw(self):
        b = self._r(_ACCEL_XOUT_H, self._b6)
        x = (b[0] << 8) | b[1]
        y = (b[2] << 8) | b[3]
        z = (b[4] << 8) | b[5]
        return (x - 65536 if x & 0x8000 else x, y - 65536 if y & 0x8000 else y,
                z - 65536 if z & 0x8000 else z)

    def read_accel(self):
        """(x, y, z) in g."""
        s = 1 / self.lsb_per_g
        x, y, z = self.read_raw()
        return (x * s, y * s, z * s)

    def fifo_count(self):
        """Whole samples in the FIFO."""
        b = self._r(_FIFO_COUNTH, self._b2)
        return (((b[0] << 8) | b[1]) & 0x1FFF) // 6

    def reset_fifo(self):
        self._w(_USER_CTRL, 0x44)

    def read_fifo_into(self, dst, offset=0, max_samples=None):
        """Move whole samples from the FIFO into the int16 array dst (x,y,z interleaved) from
        sample offset; returns how many. Overflow: the FIFO is reset (its frames are no longer
        aligned) and SensorError("overflow") raised."""
        st = self.irq_status()
        if st & INT_FIFO_OFLOW:
            self.overflows += 1
            self.reset_fifo()
            raise SensorError("overflow", "%s: FIFO overflow, samples lost (reader too late)" % self.part)
        n = self.fifo_count()
        room = len(dst) // 3 - offset
        if max_samples is not None and max_samples < room:
            room = max_samples
        if n > room:
            n = room
        got = 0
        mv = memoryview(self._chunk)
        dmv = memoryview(dst)
        while got < n:
            k = n - got
            if k > _CHUNK // 6:
                k = _CHUNK // 6
            self._r(_FIFO_R_W, mv[:k * 6])
            _be_to_h(self._chunk, dmv[(offset + got) * 3:], k * 3)
            got += k
        return got


class MPU6886(MPU6050):
    def __init__(self, i2c, addr=0x68, **kw):
        kw.setdefault("expect", "mpu6886")
        super().__init__(i2c, addr, **kw)
