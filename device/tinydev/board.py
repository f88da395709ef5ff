# The board the code runs on: picks a profile (config "board", else from sys.platform and
# os.uname) and builds its parts. App code asks board.imu() / board.mic(), never for pins.
import sys

_SIM_ADDR = {"lsm6dsox": 0x6A, "bmi270": 0x68, "mpu6050": 0x68, "mpu6886": 0x68}
PROFILES = ("esp32s3_devkitc", "xiao_esp32s3_sense", "m5_atoms3", "esp32s3_mpu6050", "virt_m4", "unix")


def detect():
    p = sys.platform
    if p == "qemu":
        return "virt_m4"
    if p in ("linux", "darwin", "freebsd", "win32"):
        return "unix"
    if p == "esp32":
        try:
            import os
            m = os.uname().machine
        except (ImportError, AttributeError):
            m = ""
        if "XIAO" in m:
            return "xiao_esp32s3_sense"
        if "AtomS3" in m or "ATOMS3" in m:
            return "m5_atoms3"
        return "esp32s3_devkitc"
    raise OSError("no board profile for platform %r; set \"board\" in the config" % p)


class Board:
    def __init__(self, name=None, cfg=None):
        self.cfg = cfg or {}
        self.name = name or self.cfg.get("board") or detect()
        if self.name not in PROFILES:
            raise ValueError("unknown board %r (known: %s)" % (self.name, ", ".join(PROFILES)))
        self.profile = __import__("tinydev.boards." + self.name, None, None, ("NAME",))
        self.sim = getattr(self.profile, "SIM", False)
        self.sim_imu = None
        self.sim_mic = None
        self._i2c = None

    def __getattr__(self, k):
        return getattr(self.profile, k)

    def _machine(self):
        if getattr(self.profile, "SIM_BUS", False):
            from tinydev.sim import bus
            return bus
        import machine
        return machine

    def pin(self, n, mode=0, pull=None):
        m = self._machine()
        return m.Pin(n, m.Pin.IN if mode == 0 else m.Pin.OUT, pull)

    def i2c(self):
        if self._i2c is None:
            c = self.profile.I2C
            m = self._machine()
            kw = {"freq": c.get("freq", 400000)}
            if "scl" in c:
                kw["scl"] = m.Pin(c["scl"])
                kw["sda"] = m.Pin(c["sda"])
            self._i2c = m.I2C(c["id"], **kw)
        return self._i2c

    def imu(self, replay=None, **opts):
        """The IMU driver (not yet initialised: call .init()). On the virtual boards the emulated
        chip is attached first, fed by `replay` (a path or a tinydev.sim.replay.Replay)."""
        spec = self.profile.IMU
        if spec is None:
            raise OSError("board %s has no IMU" % self.name)
        part = spec["part"]
        if self.sim:
            part = self.cfg.get("sim", {}).get("part") or part   # the emulated chip decides
        pin = None
        if spec.get("int_pin") is not None:
            pin = self.pin(spec["int_pin"])
        bus = self.i2c()
        addr = spec["addr"]
        if self.sim:
            from tinydev.sim.replay import Replay
            if part != spec["part"]:
                addr = _SIM_ADDR.get(part, addr)
            if replay is None:
                raise OSError("virtual board %s needs a replay file for its IMU" % self.name)
            if isinstance(replay, str):
                try:
                    sc = self.cfg.get("sim", {})
                    replay = Replay(replay, loops=sc.get("loops", 1), gap_s=sc.get("gap_s", 0))
                except OSError as e:
                    raise OSError("no replay for the emulated IMU at %s (+ .json sidecar): %s" % (replay, e))
            if part == "lsm6dsox":
                from tinydev.sim.lsm6dsox import LSM6DSOXSim
                self.sim_imu = LSM6DSOXSim(replay, int_pin=pin)
            elif part == "bmi270":
                from tinydev.sim.bmi270 import BMI270Sim
                self.sim_imu = BMI270Sim(replay, int_pin=pin)
            else:
                from tinydev.sim.mpu6050 import MPU6050Sim
                self.sim_imu = MPU6050Sim(replay, part=part, int_pin=pin)
            for f in self.cfg.get("sim", {}).get("faults", ()):
                self.sim_imu.inject(f["kind"], f["start"], f["end"])
            bus.attach(addr, self.sim_imu)
        if part in ("mpu6050", "mpu6886"):
            from tinydev.drivers.mpu6050 import MPU6050
            if part == "mpu6050":
                opts.pop("watermark", None)   # no FIFO watermark on the MPU6050
            return MPU6050(bus, addr, int_pin=pin, **opts)
        if part == "lsm6dsox":
            from tinydev.drivers.lsm6dsox import LSM6DSOX
            return LSM6DSOX(bus, addr, int_pin=pin, **opts)
        if part == "bmi270":
            # Bosch's config blob: installed on the board from the micropython-bmi270 package
            # by the host (tinydev.link.bmi270), path from the config
            from tinydev.drivers.bmi270 import BMI270, BLOB
            blob = self.cfg.get("imu", {}).get("config_blob") or BLOB
            return BMI270(bus, addr, int_pin=pin, config_blob=blob, **opts)
        raise OSError("no driver for IMU part %r" % part)

    def mic(self, replay=None, **opts):
        """The microphone driver (tinydev.drivers.i2s_mic.I2SMic, or drivers.pdm_mic.PDMMic for a
        PDM mic; not yet initialised: call .init() right before streaming). opts go to the driver
        (shift, ibuf, gate_db, gate_ratio, hold_ms, preroll, ring, mode...). On the virtual boards
        the emulated mic is attached to the I2S peripheral first, fed by `replay` (a 16-bit mono
        WAV path or a sim Wav; with cfg {"mic": {"part": "pdm"}} a .pdm bitstream replay)."""
        spec = self.profile.MIC
        if spec is None:
            raise OSError("board %s has no microphone" % self.name)
        part = spec["part"]
        if self.sim:
            part = self.cfg.get("mic", {}).get("part") or part   # the emulated mic decides
        if part == "pdm":
            return self._pdm_mic(spec, replay, opts)
        bits = spec.get("bits", 32)
        rate = opts.pop("rate", spec.get("rate", 16000))
        ibuf = opts.pop("ibuf", spec.get("ibuf", 8192))
        if getattr(self.profile, "SIM_BUS", False):
            from tinydev.sim.i2s_mic import I2S
            Pin = None
        else:
            from machine import I2S, Pin
        kw = {}
        for k in ("sck", "ws", "sd"):
            if k in spec:
                kw[k] = Pin(spec[k])
        i2s_id = spec["id"]

        def make():
            return I2S(i2s_id, mode=I2S.RX, bits=bits, format=I2S.MONO, rate=rate, ibuf=ibuf, **kw)

        if self.sim:
            from tinydev.sim.i2s_mic import I2SMicSim
            if replay is None:
                raise OSError("virtual board %s needs a WAV replay for its microphone" % self.name)
            self.sim_mic = I2SMicSim(replay, bits=bits)
            if self.sim_mic.rate != rate:
                raise OSError("replay %s is %d Hz, the microphone runs at %d Hz" % (replay, self.sim_mic.rate, rate))
            for f in self.cfg.get("mic", {}).get("faults", ()):
                self.sim_mic.inject(f["kind"], f["start"], f["end"])
            make().attach(self.sim_mic)
        from tinydev.drivers.i2s_mic import I2SMic
        return I2SMic(make, rate=rate, bits=bits, ibuf=ibuf, part=part, **opts)

    def _pdm_mic(self, spec, replay, opts):
        """A PDM mic (tinydev.drivers.pdm_mic.PDMMic) on the I2S peripheral in 16-bit stereo RX
        mode, its bit clock (rate * decimation) on the mic's CLK (sck) and DATA on sd; ws goes to
        a spare pin. On the virtual boards the emulated PDM mic serves `replay` (a .pdm file)."""
        rate = opts.pop("rate", spec.get("rate", 16000))
        dec = opts.pop("decimation", spec.get("decimation", 64))
        ibuf = opts.pop("ibuf", spec.get("pdm_ibuf", spec.get("ibuf", 8192) * dec // 32))
        if getattr(self.profile, "SIM_BUS", False):
            from tinydev.sim.i2s_mic import I2S
        else:
            from machine import I2S
        kw = {}
        if not self.sim:
            from machine import Pin
            kw = {"sck": Pin(spec["clk"]), "ws": Pin(spec["ws"]), "sd": Pin(spec["data"])}
        i2s_id = spec["id"]
        i2s_rate = rate * dec // 32          # 32 bit clocks per stereo 16-bit frame

        def make():
            return I2S(i2s_id, mode=I2S.RX, bits=16, format=I2S.STEREO, rate=i2s_rate, ibuf=ibuf, **kw)

        if self.sim:
            from tinydev.sim.pdm_mic import PDMMicSim
            if replay is None:
                raise OSError("virtual board %s needs a .pdm replay for its PDM microphone" % self.name)
            self.sim_mic = PDMMicSim(replay)
            if self.sim_mic.bit_rate != rate * dec:
                raise OSError("replay %s is %d bit/s, the PDM mic runs at %d (rate %d x decimation %d)"
                              % (replay, self.sim_mic.bit_rate, rate * dec, rate, dec))
            for f in self.cfg.get("mic", {}).get("faults", ()):
                self.sim_mic.inject(f["kind"], f["start"], f["end"])
            make().attach(self.sim_mic)
        from tinydev.drivers.pdm_mic import PDMMic
        return PDMMic(make, rate=rate, decimation=dec, ibuf=ibuf, **opts)

    def led(self):
        n = getattr(self.profile, "LED", None)
        return None if n is None else self.pin(n, 1)


_board = None


def get(cfg=None):
    global _board
    if _board is None:
        _board = Board(cfg=cfg)
    return _board


def imu(**kw):
    return get().imu(**kw)


def mic(**kw):
    return get().mic(**kw)
