# Event-driven vibration pipeline on asyncio. The IMU's INT pin (FIFO watermark) sets a
# ThreadSafeFlag from its IRQ handler; the task sleeps on it, then drains the FIFO into a
# sliding window, computes features in C (tinyml.dsp.Vibration), scores them with the model,
# smooths and debounces, and raises/clears alarms. Sensor faults (bus NACK, FIFO overflow,
# stuck output, missed interrupts) are alarms too; a dead bus is recovered by re-init.
# Time awake (from wake-up to the next wait) is counted, so the duty cycle is measured.
import array
import time
import asyncio
import tinyml
from tinydev.drivers import SensorError


class DutyMeter:
    def __init__(self):
        self.t0 = time.ticks_us()
        self.awake_us = 0
        self.wakes = 0
        self._t = None

    def wake(self):
        self._t = time.ticks_us()
        self.wakes += 1

    def sleep(self):
        if self._t is not None:
            self.awake_us += time.ticks_diff(time.ticks_us(), self._t)
            self._t = None

    def report(self, elapsed_us=None):
        if elapsed_us is None:
            elapsed_us = time.ticks_diff(time.ticks_us(), self.t0)
        aw = self.awake_us // 1000
        tot = elapsed_us // 1000
        return {"awake_ms": aw, "asleep_ms": tot - aw, "duty": round(self.awake_us / elapsed_us, 5) if elapsed_us else 0,
                "wakes": self.wakes}


def hop_for(features, pcfg):
    """Decision hop in samples: the manifest's, or shorter (config "hop" samples or "hop_ms"):
    windows overlap more, so a fault is judged within one hop of the window holding enough of
    it (the model sees the same window length it was trained on)."""
    n = features["window"]
    hop = pcfg.get("hop") or features.get("hop", n)
    if pcfg.get("hop_ms"):
        hop = min(hop, max(1, features["sample_rate"] * pcfg["hop_ms"] // 1000))
    if not 0 < hop <= n:
        raise ValueError("hop must be 1..window (%d), not %d" % (n, hop))
    return hop


class VibrationPipeline:
    def __init__(self, imu, bundle, alarms, pcfg=None, clock_ms=None):
        pcfg = pcfg or {}
        f = bundle.features
        if f.get("kind", "vibration") != "vibration":
            raise ValueError("model features are %r, this pipeline computes vibration features" % f.get("kind"))
        self.imu = imu
        self.bundle = bundle
        self.alarms = alarms
        self.n = n = f["window"]
        fs = f["sample_rate"]
        self.hop = hop_for(f, pcfg)
        self.axes = f.get("axes", 3)
        if self.axes != 3:
            raise ValueError("the IMU gives 3 axes, the model wants %d" % self.axes)
        bands = [tuple(b) for b in f.get("bands", ())]
        self.vib = tinyml.dsp.Vibration(n, f["sample_rate"], bands=bands or None, axes=3)
        if self.vib.n_out != bundle.n_in:
            raise ValueError("features give %d values, the model input has %d" % (self.vib.n_out, bundle.n_in))
        self.win = array.array("h", bytearray(6 * n))
        self.feats = array.array("f", bytearray(4 * self.vib.n_out))
        self.fill = 0
        self.thr = bundle.threshold
        # decision rule: the manifest's ("decision": {"consecutive": k}: k windows in a row over
        # the threshold, no smoothing) unless the config sets smooth/debounce
        dec = getattr(bundle, "decision", None) or {}
        self.k_smooth = pcfg.get("smooth") or (1 if dec else 3)
        self.hist = array.array("f", bytearray(4 * self.k_smooth))
        self.n_hist = 0
        self._hi = 0              # next slot of the moving average (the first n_hist are valid)
        self.debounce = pcfg.get("debounce") or dec.get("consecutive", 2)
        self.release = pcfg.get("release", 3)
        self.hyst = pcfg.get("hysteresis", 0.8)
        self.over = 0
        self.under = 0
        self.retry_ms = pcfg.get("retry_ms", 200)
        wm = imu.watermark or self.hop
        self.period_ms = wm * 1000 // f["sample_rate"]
        # watchdog for a lost interrupt: after the watermark is due but before the FIFO is full
        full_ms = (imu.FIFO_BYTES // 6) * 1000 // f["sample_rate"]
        self.irq_timeout = pcfg.get("irq_timeout_ms") or max(self.period_ms + 10, (self.period_ms + full_ms) // 2)
        # no FIFO watermark (MPU6050): a timer drains the FIFO every hop (the FIFO holds
        # full_ms of data, so hop must be shorter); interrupts (motion) still wake it early
        self.timed = not imu.watermark
        if self.timed:
            if self.period_ms >= full_ms:
                raise ValueError("hop (%d ms) must be shorter than the FIFO (%d ms) without a watermark" % (self.period_ms, full_ms))
            self.irq_timeout = self.period_ms
        self.clock_ms = clock_ms or (lambda: time.ticks_ms())
        self.flag = asyncio.ThreadSafeFlag()
        self.duty = DutyMeter()
        self.windows = 0
        self.scores = []          # (t_ms, smoothed) kept only if record=True
        self.record = pcfg.get("record", False)
        self.faults = {}
        self.running = False
        self.last_score = 0.0
        # motion gate: after idle_ms of windows whose rms stays under still_mg on every axis,
        # the IMU is put in wake-on-motion mode (its FIFO keeps collecting, only the motion
        # interrupt drives INT) and the task sleeps until that interrupt
        self.gate_mg = pcfg.get("gate_motion_mg") or 0
        if imu.pin is None:
            self.gate_mg = 0          # no INT line wired (M5 AtomS3): nothing could wake it
        self.still_counts = (pcfg.get("gate_still_mg") or 0) * imu.lsb_per_g / 1000
        idle_ms = pcfg.get("gate_idle_ms") or 500
        self.idle_windows = max(1, idle_ms * fs // (1000 * self.hop))
        self.gate_timeout = pcfg.get("gate_timeout_ms") or 60000
        if self.gate_mg and not self.still_counts:
            raise ValueError("gate_motion_mg needs gate_still_mg (the rms under which the machine is still)")
        self.still = 0
        self.asleep = False
        self.sleeps = 0

    def on_irq(self, pin):
        """The INT pin's handler (also called by tinydev.power after a lightsleep it ended)."""
        self.flag.set()

    # --- decisions ------------------------------------------------------------------------------
    def _decide(self, score, t):
        h = self.hist
        h[self._hi] = score
        self._hi = (self._hi + 1) % self.k_smooth
        if self.n_hist < self.k_smooth:
            self.n_hist += 1
        s = 0.0
        for i in range(self.n_hist):
            s += h[i]
        s /= self.n_hist
        self.last_score = s
        if self.record:
            self.scores.append((t, s))
        if s > self.thr:
            self.over += 1
            self.under = 0
            if self.over >= self.debounce:
                self.alarms.alarm("anomaly", t, s)
        else:
            self.over = 0
            if s < self.thr * self.hyst:
                self.under += 1
                if self.under >= self.release:
                    self.alarms.clear("anomaly", t, score=round(s, 4))

    def _fault(self, fault, t, msg):
        self.faults[fault] = self.faults.get(fault, 0) + 1
        self.alarms.alarm("sensor_fault", t, fault=fault, msg=msg)

    def _window(self, t):
        self.vib.features(self.win, self.feats)
        f = self.feats
        # stuck output: a real accelerometer is never exactly constant on all axes
        k = self.vib.n_out // 3
        self.windows += 1
        if f[0] == 0.0 and f[k] == 0.0 and f[2 * k] == 0.0:
            self._fault("stuck", t, "IMU output is constant (stuck sensor)")
            return
        self.alarms.clear("sensor_fault", t, fault="stuck")
        if self.gate_mg:
            c = self.still_counts
            if f[0] < c and f[k] < c and f[2 * k] < c:
                # a still machine: nothing for the model to judge (and outside what it was
                # trained on); enough of these in a row and the task sleeps until motion
                self.still += 1
                return
            self.still = 0
        self._decide(self.bundle.score(f), t)

    def _slide(self):
        # shift the window left by hop samples, in non-overlapping blocks
        w = self.win
        h3 = self.hop * 3
        end = self.n * 3
        i = 0
        mv = memoryview(w)
        while i + h3 < end:
            k = h3 if i + 2 * h3 <= end else end - i - h3
            mv[i:i + k] = mv[i + h3:i + h3 + k]
            i += k
        self.fill = self.n - self.hop

    def _drain(self, t):
        imu = self.imu
        while True:
            got = imu.read_fifo_into(self.win, self.fill)
            self.fill += got
            if self.fill < self.n:
                return
            self._window(t)
            self._slide()
            if self.gate_mg and self.still >= self.idle_windows:
                self._sleep(t)
                return

    # --- motion gate ------------------------------------------------------------------------------
    def _sleep(self, t):
        """Still: wake-on-motion only; the decision state starts over on the next motion."""
        self.imu.motion_gate(True, self.gate_mg)
        self.alarms.clear("anomaly", t, reason="still")
        self.asleep = True
        self.sleeps += 1
        self.still = 0
        self.over = self.under = self.n_hist = self._hi = 0
        self.flag.clear()

    def _wake(self, t, overflowed):
        imu = self.imu
        imu.motion_gate(False)
        self.asleep = False
        # what the FIFO kept while asleep is continuous with the motion only if it did not
        # overflow (then it is pre-trigger data); the old window is stale either way
        self.fill = 0
        if overflowed:
            imu.reset_fifo()
        # the pre-trigger samples may be still: judge stillness again only once a whole
        # window has passed since the motion
        self.still = -(self.n // self.hop)

    async def _recover(self, t, err):
        self._fault(err.kind, t, str(err))
        while self.running:
            await asyncio.sleep_ms(self.retry_ms)
            self.duty.wake()
            ok = self.imu.recover(attempts=1)
            self.duty.sleep()
            if ok:
                self.fill = 0
                self.asleep = False     # init() left the chip in its normal (watermark) mode
                t2 = self.clock_ms()
                self.alarms.emit({"event": "recovered", "t_ms": t2, "fault": err.kind, "down_ms": t2 - t})
                self.alarms.clear("sensor_fault", t2, fault=err.kind)
                return

    # --- the task ---------------------------------------------------------------------------------
    async def run(self):
        self.running = True
        self.imu.irq(self.on_irq)
        self.duty = DutyMeter()
        woke_by_irq = True
        while self.running:
            self.duty.sleep()
            try:
                await asyncio.wait_for_ms(self.flag.wait(), self.gate_timeout if self.asleep else self.irq_timeout)
                woke_by_irq = True
            except asyncio.TimeoutError:
                woke_by_irq = False
            self.duty.wake()
            if not self.running:
                break
            t = self.clock_ms()
            try:
                if self.asleep:
                    # motion interrupt (or the long health-check timeout: the chip still
                    # answers); an edge without the motion status (a late watermark edge from
                    # before the gate closed) sends it back to sleep
                    st = self.imu.irq_status()
                    if not st & self.imu.MOTION_BITS:
                        continue
                    # moving: what the FIFO holds may already be past the watermark (no new
                    # edge would come), so drain at once
                    self._wake(t, st & self.imu.OFLOW_BITS)
                    woke_by_irq = True
                if self.timed:
                    pass
                elif not woke_by_irq and self.imu.fifo_count() >= self.imu.watermark:
                    self._fault("irq", t, "IMU FIFO passed its watermark without an interrupt")
                elif woke_by_irq:
                    self.alarms.clear("sensor_fault", t, fault="irq")
                self._drain(t)
                self.alarms.clear("sensor_fault", t, fault="overflow")
            except SensorError as e:
                # stamped when seen: a drain can start just before the fault does (QEMU's emulated
                # I2C takes milliseconds per burst)
                t = self.clock_ms()
                if e.kind == "overflow":
                    self._fault("overflow", t, str(e))
                    self.fill = 0
                else:
                    self.duty.sleep()
                    await self._recover(t, e)
                    self.duty.wake()
        self.duty.sleep()

    def stop(self):
        self.running = False
        self.flag.set()
