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
    """What every IMU driver does the same way; the part's own init() and registers live in its class."""

    pin = None

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
