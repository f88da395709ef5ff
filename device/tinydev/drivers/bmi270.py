# Bosch BMI270 accelerometer driver (register level, accel path), same surface as the MPU6050 one.
# The chip runs Bosch's 8 KB configuration blob, uploaded after every reset. It is never part of
# this repo: it comes from the PyPI package micropython-bmi270 (MIT), whose installed
# micropython_bmi270/config_file.py the host turns into a binary file and copies to the board
# (tinydev.link.bmi270.install_blob; default /lib/bmi270_config.bin, config "imu": {"config_blob"}).
# The driver streams that file in bursts, so the 8 KB never sit in RAM.
# - init(): CMD soft reset, CHIP_ID (0x24), PWR_CONF adv_power_save off, INIT_CTRL 0, INIT_DATA
#   bursts at the word address in INIT_ADDR_0/1, INIT_CTRL 1, INTERNAL_STATUS == init_ok (polled
#   up to 150 ms), accel on (PWR_CTRL), ACC_CONF odr (25 * 2^k Hz, the nearest at or above `rate`,
#   performance mode), ACC_RANGE, FIFO of headerless accel frames (overwrite oldest), watermark
#   and FIFO-full on INT1 (active high, push-pull), optional data-ready and any-motion.
# - Bus errors -> SensorError("bus"), a refused blob -> SensorError("init"), FIFO full (frames
#   lost) -> SensorError("overflow") after a flush; recover() re-initialises (blob included).
import time
import struct
from micropython import const
from . import ImuDriver, SensorError

_CHIP_ID = const(0x00)
_DATA_ACC = const(0x0C)
_INT_STATUS_0 = const(0x1C)
_INTERNAL_STATUS = const(0x21)
_FIFO_LENGTH_0 = const(0x24)
_FIFO_DATA = const(0x26)
_FEAT_PAGE = const(0x2F)
_ACC_CONF = const(0x40)
_ACC_RANGE = const(0x41)
_FIFO_WTM_0 = const(0x46)
_FIFO_CONFIG_0 = const(0x48)
_FIFO_CONFIG_1 = const(0x49)
_INT1_IO_CTRL = const(0x53)
_INT_LATCH = const(0x55)
_INT1_MAP_FEAT = const(0x56)
_INT_MAP_DATA = const(0x58)
_INIT_CTRL = const(0x59)
_INIT_ADDR_0 = const(0x5B)
_INIT_DATA = const(0x5E)
_PWR_CONF = const(0x7C)
_PWR_CTRL = const(0x7D)
_CMD = const(0x7E)

CHIP = 0x24
BLOB = "/lib/bmi270_config.bin"
_RANGES = {2: 0, 4: 1, 8: 2, 16: 3}
_BURST = const(64)            # blob bytes per INIT_DATA burst (even: word addresses)
_CHUNK = const(480)           # FIFO bytes per read burst (80 frames)
ST_FFULL = 0x01
ST_FWM = 0x02
ST_MOTION = 0x4000            # INT_STATUS_0.any_motion, as bit 14 of irq_status()


class BMI270(ImuDriver):
    NAME = "bmi270"
    FIFO_BYTES = 2046
    MOTION_BITS = ST_MOTION
    OFLOW_BITS = ST_FFULL

    def __init__(self, i2c, addr=0x68, int_pin=None, rate=800, range_g=4, watermark=0,
                 motion_mg=0, data_ready=False, config_blob=BLOB, expect=None):
        if range_g not in _RANGES:
            raise ValueError("range_g must be 2, 4, 8 or 16")
        self.i2c = i2c
        self.addr = addr
        self.pin = int_pin
        odr = 6
        while (25 << (odr - 6)) < rate and odr < 12:
            odr += 1
        if (25 << (odr - 6)) < rate:
            raise ValueError("rate above 1600 Hz")
        self.odr = odr
        self.rate = 25 << (odr - 6)
        self.range_g = range_g
        self.lsb_per_g = 16384 >> _RANGES[range_g]
        self.watermark = watermark
        self.motion_mg = motion_mg
        self.data_ready = data_ready
        self.blob = config_blob
        self.part = None
        self.errors = 0
        self.overflows = 0
        self.gated = False
        self._map = 0
        self._b1 = bytearray(1)
        self._b2 = bytearray(2)
        self._b6 = bytearray(6)
        self._burst = bytearray(_BURST)
        self._chunk = bytearray(_CHUNK)

    # --- setup ---------------------------------------------------------------------------------
    def _upload(self):
        try:
            f = open(self.blob, "rb")
        except OSError:
            raise SensorError("init", "bmi270: no configuration blob at %s (the host installs it from the "
                                      "micropython-bmi270 package: tinydev.link.bmi270.install_blob)" % self.blob)
        try:
            self._w(_INIT_CTRL, 0x00)
            off = 0
            a = self._b2
            mv = memoryview(self._burst)
            while True:
                n = f.readinto(self._burst)
                if not n:
                    break
                a[0] = (off // 2) & 0x0F
                a[1] = (off // 2) >> 4
                self._wb(_INIT_ADDR_0, a)
                self._wb(_INIT_DATA, mv[:n])
                off += n
        finally:
            f.close()
        if off != 8192:
            raise SensorError("init", "bmi270: configuration blob %s has %d bytes, not 8192" % (self.blob, off))
        self._w(_INIT_CTRL, 0x01)

    def init(self):
        self._w(_CMD, 0xB6)                   # soft reset
        time.sleep_ms(2)
        cid = self._r8(_CHIP_ID)
        if cid != CHIP:
            raise SensorError("id", "IMU @0x%02x: CHIP_ID is 0x%02x, expected 0x%02x (bmi270)" % (self.addr, cid, CHIP))
        self.part = "bmi270"
        self._w(_PWR_CONF, 0x00)              # adv_power_save off: needed for the upload
        time.sleep_ms(1)
        self._upload()
        st = 0
        for _ in range(15):
            time.sleep_ms(10)
            st = self._r8(_INTERNAL_STATUS) & 0x0F
            if st:
                break
        if st != 0x01:
            raise SensorError("init", "bmi270: INTERNAL_STATUS 0x%02x after the config upload (0x01 = init_ok)" % st)
        self._w(_PWR_CTRL, 0x04)              # accelerometer on
        self._w(_ACC_CONF, 0xA0 | self.odr)   # performance mode, normal bandwidth, odr
        self._w(_ACC_RANGE, _RANGES[self.range_g])
        self._w(_FIFO_CONFIG_0, 0x00)         # stream: overwrite the oldest frames
        self._w(_FIFO_CONFIG_1, 0x40)         # accel, headerless (6-byte frames)
        wm = self.watermark * 6
        a = self._b2
        a[0] = wm & 0xFF
        a[1] = (wm >> 8) & 0x1F
        self._wb(_FIFO_WTM_0, a)
        self._motion_cfg(self.motion_mg)
        self._w(_INT1_IO_CTRL, 0x0A)          # output_en, active high, push-pull
        self._w(_INT_LATCH, 0x01)
        m = ST_FFULL | (ST_FWM if wm else 0) | (0x04 if self.data_ready else 0)
        self._w(_INT_MAP_DATA, m)
        self._w(_INT1_MAP_FEAT, 0x40 if self.motion_mg else 0)
        self._map = m
        self._w(_CMD, 0xB0)                   # flush the FIFO
        self.gated = False
        self.irq_status()
        return self

    def _motion_cfg(self, mg):
        # any-motion: feature page 1, 0x3C: duration (samples at 50 Hz) + all axes, 0x3E:
        # threshold in 1/2048 g + enable
        self._w(_FEAT_PAGE, 1)
        thr = min(0x7FF, mg * 2048 // 1000) if mg else 0
        b = bytearray(4)
        b[0] = 1
        b[1] = 0xE0
        b[2] = thr & 0xFF
        b[3] = (thr >> 8) | (0x80 if mg else 0)
        self._wb(0x3C, b)
        self._w(_FEAT_PAGE, 0)

    def motion_gate(self, on, motion_mg=None):
        """on: only any-motion on INT1 (the FIFO keeps the newest frames: pre-trigger data);
        off: back to the watermark / FIFO-full (/ data-ready) interrupts of init()."""
        if on:
            self._motion_cfg(motion_mg or self.motion_mg or 32)
            self._w(_INT_MAP_DATA, 0)
            self._w(_INT1_MAP_FEAT, 0x40)
        else:
            if not self.motion_mg:
                self._motion_cfg(0)
            self._w(_INT1_MAP_FEAT, 0x40 if self.motion_mg else 0)
            self._w(_INT_MAP_DATA, self._map)
        self.gated = on
        return self.irq_status()

    # --- data ---------------------------------------------------------------------------------
    def irq_status(self):
        """INT_STATUS_1 (ffull 0x01, fwm 0x02, acc_drdy 0x80) | INT_STATUS_0 << 8 (any_motion:
        0x4000), one burst; the latched bits clear on read."""
        b = self._r(_INT_STATUS_0, self._b2)
        return b[1] | (b[0] << 8)

    def fifo_count(self):
        b = self._r(_FIFO_LENGTH_0, self._b2)
        return (((b[1] & 0x3F) << 8) | b[0]) // 6

    def reset_fifo(self):
        self._w(_CMD, 0xB0)

    def read_raw(self):
        return struct.unpack("<hhh", self._r(_DATA_ACC, self._b6))

    def read_accel(self):
        s = 1 / self.lsb_per_g
        x, y, z = self.read_raw()
        return (x * s, y * s, z * s)

    def read_fifo_into(self, dst, offset=0, max_samples=None):
        st = self.irq_status()
        if st & ST_FFULL:
            self.overflows += 1
            self.reset_fifo()
            raise SensorError("overflow", "bmi270: FIFO full, frames lost (reader too late)")
        n = self.fifo_count()
        room = len(dst) // 3 - offset
        if max_samples is not None and max_samples < room:
            room = max_samples
        if n > room:
            n = room
        got = 0
        mv = memoryview(self._chunk)
        c = self._chunk
        i = offset * 3
        while got < n:
            k = n - got
            if k > _CHUNK // 6:
                k = _CHUNK // 6
            self._r(_FIFO_DATA, mv[:k * 6])
            for j in range(k):
                dst[i], dst[i + 1], dst[i + 2] = struct.unpack_from("<hhh", c, 6 * j)
                i += 3
            got += k
        return got
