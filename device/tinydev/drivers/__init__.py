"""Register-level sensor drivers over machine.I2C / machine.Pin."""
import time


class SensorError(OSError):
    """A sensor that does not answer, answers wrongly, or loses data. .kind names the fault."""

    def __init__(self, kind, msg):
        super().__init__(msg)
        self.kind = kind
        self.msg = msg

    def __str__(self):
        return self.msg


class ImuDriver:
    """What every IMU driver does the same way; the part's own init() and registers live in its class.
    A driver sets i2c, addr, _b1 (bytearray(1)), errors and part (None until init() knows the chip)."""

    pin = None
    NAME = "imu"                  # for messages before init() has read the chip id

    # --- registers: a bus error is a SensorError("bus"), counted in .errors -------------------
    def _bus_error(self, what, reg, e):
        self.errors += 1
        return SensorError("bus", "%s @0x%02x: I2C %s of reg 0x%02x failed (%s)" % (
            self.part or self.NAME, self.addr, what, reg, e))

    def _w(self, reg, val):
        b = self._b1
        b[0] = val
        self._wb(reg, b)

    def _wb(self, reg, buf):
        try:
            self.i2c.writeto_mem(self.addr, reg, buf)
        except OSError as e:
            raise self._bus_error("write", reg, e)

    def _r(self, reg, buf):
        try:
            self.i2c.readfrom_mem_into(self.addr, reg, buf)
        except OSError as e:
            raise self._bus_error("read", reg, e)
        return buf

    def _r8(self, reg):
        return self._r(reg, self._b1)[0]

    def recover(self, attempts=3):
        """Re-initialise after a fault; returns True when the chip answers again."""
        for _ in range(attempts):
            try:
                self.init()
                return True
            except SensorError:
                time.sleep_ms(20)
        return False

    def irq(self, handler):
        """Call handler(pin) on the INT pin's rising edge (keep it tiny: set a flag)."""
        self._handler = handler
        if self.pin is not None:
            self.pin.irq(handler=handler, trigger=self.pin.IRQ_RISING)
