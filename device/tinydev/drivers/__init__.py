"""Register-level sensor drivers over machine.I2C / machine.Pin."""


class SensorError(OSError):
    """A sensor that does not answer, answers wrongly, or loses data. .kind names the fault."""

    def __init__(self, kind, msg):
        super().__init__(msg)
        self.kind = kind
        self.msg = msg

    def __str__(self):
        return self.msg
