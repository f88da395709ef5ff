# Virtual time for simulations on the unix port (soak runs): a clock that only moves when
# asyncio would sleep, so hours of sensor time run as fast as the CPU computes them.
#   vt = VirtualTime(); vt.install()   # asyncio's clock and idle wait now use vt
#   sim = MPU6050Sim(replay, clock=vt.ticks_us); pipe = VibrationPipeline(..., clock_ms=vt.ticks_ms)
# While asyncio has nothing to run until t, the clock jumps to t (no real sleep); I/O objects
# (ThreadSafeFlag set from a pin handler) are still polled, without blocking.
# Not for VIRT_M4: there QEMU's -icount shift=0,sleep=off does the same for the whole board.
import time


class VirtualTime:
    def __init__(self, start_us=None):
        # starts at the real clock: asyncio's C task queue stamps I/O wake-ups with the real
        # ticks_ms, which then are never later than the virtual clock (that only jumps ahead)
        self.us = time.ticks_us() if start_us is None else start_us
        self._orig = None

    def ticks_us(self):
        return self.us

    def ticks_ms(self):
        return self.us // 1000

    def advance_us(self, dt):
        if dt > 0:
            self.us += dt

    def install(self):
        import asyncio
        from asyncio import core
        if time.ticks_diff(1 << 40, 0) != 1 << 40:
            raise OSError("virtual time needs a port with wide ticks (unix)")
        q = core._io_queue
        self._core = core
        self._orig = (core.ticks, q.wait_io_event)
        orig_wait = q.wait_io_event
        vt = self

        def poll_now():
            # select.poll would sleep 1 ms (MICROPY_PY_SELECT_IOCTL_CALL_PERIOD_MS) for objects
            # without a file descriptor even with timeout 0: ask those (ThreadSafeFlag) directly
            other = False
            for sm in list(q.map.values()):
                s = sm[2]
                if sm[0] is not None and isinstance(s, asyncio.ThreadSafeFlag):
                    if s.state:
                        core._task_queue.push(sm[0])
                        sm[0] = None
                        if sm[1] is None:
                            q._dequeue(s)
                else:
                    other = True
            if other:
                orig_wait(0)

        def wait_io_event(dt):
            # first the I/O that is ready now (a flag a pin handler set); then, if no task is
            # due, jump the clock to the timer asyncio would have slept until
            poll_now()
            if dt < 0:
                if q.map:
                    raise OSError("virtual time: every task waits for I/O without a timeout")
                return
            t = core._task_queue.peek()
            if t is not None and time.ticks_diff(t.ph_key, vt.us // 1000) <= 0:
                return
            vt.us = (vt.us // 1000 + dt) * 1000

        core.ticks = self.ticks_ms
        q.wait_io_event = wait_io_event
        return self

    def uninstall(self):
        if self._orig:
            self._core.ticks, wait = self._orig
            try:
                del self._core._io_queue.wait_io_event
            except (AttributeError, KeyError):
                self._core._io_queue.wait_io_event = wait
            self._orig = None
