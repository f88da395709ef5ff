# Pure-Python stand-ins for machine.I2C and machine.Pin on ports without them (UNIX).
# Same surface as the real classes the drivers use, and the same emulated-device protocol as
# VIRT_M4's machine.I2C: attach(addr, dev); a write calls dev.write(bytes) (data[0] = register),
# a read calls dev.read(n) -> at least n bytes. A missing address NACKs with OSError(ENODEV).

_ENODEV = 19
_buses = {}   # id -> {addr: dev}, shared by every I2C(id) object like a real bus


class I2C:
    def __init__(self, id=0, *, scl=None, sda=None, freq=400000, timeout=50000):
        self.id = id
        self._devs = _buses.setdefault(id, {})

    def attach(self, addr, dev):
        self._devs[addr] = dev

    def detach(self, addr):
        self._devs.pop(addr, None)

    def scan(self):
        return sorted(self._devs)

    def _dev(self, addr):
        d = self._devs.get(addr)
        if d is None:
            raise OSError(_ENODEV)
        return d

    def writeto(self, addr, buf, stop=True):
        self._dev(addr).write(bytes(buf))
        return len(buf)

    def readfrom_into(self, addr, buf, stop=True):
        data = self._dev(addr).read(len(buf))
        buf[:] = data[:len(buf)]

    def readfrom(self, addr, n, stop=True):
        return bytes(self._dev(addr).read(n)[:n])

    def writeto_mem(self, addr, reg, buf, *, addrsize=8):
        self._dev(addr).write(bytes((reg,)) + bytes(buf))

    def readfrom_mem_into(self, addr, reg, buf, *, addrsize=8):
        d = self._dev(addr)
        d.write(bytes((reg,)))
        data = d.read(len(buf))
        buf[:] = data[:len(buf)]

    def readfrom_mem(self, addr, reg, n, *, addrsize=8):
        d = self._dev(addr)
        d.write(bytes((reg,)))
        return bytes(d.read(n)[:n])


def reset():
    """Forget every attached device (what a soft reset does on VIRT_M4)."""
    _buses.clear()


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 1
    IRQ_RISING = 2
    _pins = {}

    def __new__(cls, id, mode=-1, pull=-1, *, value=None):
        p = cls._pins.get(id)
        if p is None:
            p = object.__new__(cls)
            p.id = id
            p._out = 0
            p._ext = None
            p._pull = None
            p._mode = 0
            p._handler = None
            p._trigger = 0
            p._flags = 0
            cls._pins[id] = p
        return p

    def __init__(self, id, mode=-1, pull=-1, *, value=None):
        if mode != -1:
            self._mode = mode
        if pull != -1:
            self._pull = pull
        if value is not None:
            self.value(value)

    def _level(self):
        if self._mode == Pin.OUT:
            return self._out
        if self._ext is not None:
            return self._ext
        return 1 if self._pull == Pin.PULL_UP else 0

    def _changed(self, before):
        after = self._level()
        if after == before or self._handler is None:
            return
        t = Pin.IRQ_RISING if after else Pin.IRQ_FALLING
        if self._trigger & t:
            self._flags = t
            self._handler(self)   # "soft" IRQ: runs at once, in the caller's context

    def value(self, v=None):
        if v is None:
            return self._level()
        before = self._level()
        self._out = 1 if v else 0
        self._changed(before)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def __call__(self, v=None):
        return self.value(v)

    def drive(self, level):
        """Board-specific (as on VIRT_M4): the level an external device puts on the pin."""
        before = self._level()
        self._ext = level
        self._changed(before)

    def irq(self, handler=None, trigger=3, hard=False):
        self._handler = handler
        self._trigger = trigger
        return self

    def flags(self):
        return self._flags
