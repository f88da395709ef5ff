# tinydev app: keyword wake-up on the microphone.
#   mpremote connect <port> run device/apps/wake.py
# Reads /config.json (optional; on the unix port TINYDEV_CONFIG names it), the keyword bundle
# (config "wake.model", default /models/keyword.tflite + .json, verified by sha256) and, on a
# virtual board, the WAV the emulated I2S microphone plays (config "wake.replay"). The mic task
# keeps the I2S drained and computes a sound level per DMA block; the sound-energy gate wakes the
# detector task, which slices MFCC frames off the ring (tinyml.dsp), runs the model on the
# sliding window, smooths the wake posterior and raises the alarm "wake" through the alarm sinks
# (JSON lines on the serial port, log file, LED). Mic faults are "sensor_fault" alarms.
# Prints JSON lines: start, alarm / clear / recovered events, and a summary at the end of a replay.
import json
import time
import asyncio
from tinydev import config
from tinydev.board import Board
from tinydev.alarms import from_config
from tinydev.model import ModelError
from tinydev.kws import KeywordBundle, KeywordDetector
from tinydev.pipeline import DutyMeter


def say(ev):
    print(json.dumps(ev))


def _config_path():
    try:
        import os
        return os.getenv("TINYDEV_CONFIG") or config.PATH
    except (ImportError, AttributeError):
        return config.PATH


class WakeApp:
    def __init__(self, mic, bundle, alarms, wcfg, duty):
        self.mic = mic
        self.b = bundle
        self.alarms = alarms
        self.det = KeywordDetector(bundle, smooth=wcfg.get("smooth"), threshold=wcfg.get("threshold"),
                                   stride=wcfg.get("stride"))
        self.duty = duty
        self.frame = bytearray(2 * bundle.frame_len)
        self.wakes = []
        self.running = False
        self._next = -1              # stream position the next frame starts at
        self._active = False

    def _t_frame_end_ms(self):
        # stream time of the end of the frame just consumed (the ring moved on by one hop)
        m = self.mic
        return (m.stream_pos() - self.b.hop + self.b.frame_len) * 1000 // m.rate

    def _frames(self):
        mic, det, b = self.mic, self.det, self.b
        if mic.stream_pos() != self._next:
            # audio is missing since the last frame (trimmed while the gate was closed, an
            # overflow, a fault): start over from what the ring holds (at least the pre-roll)
            det.reset()
        while mic.ring.frame(self.frame, b.hop):
            s = det.push(self.frame)
            if s is not None:
                t = self._t_frame_end_ms()
                self.wakes.append(t)
                self.alarms.alarm("wake", t, s, label=b.wake_phrase, p=round(det.last_p, 4))
                self._active = True
        self._next = mic.stream_pos()
        # the wake alarm lasts the detector's refractory time (or until the sound ends)
        if self._active and (det.skip == 0 or not mic.gate):
            self._active = False
            self.alarms.clear("wake", self._t_frame_end_ms())

    async def run(self):
        self.running = True
        while self.running:
            await self.mic.wait()
            if not self.running:
                break
            self.duty.wake()
            self._frames()
            self.duty.sleep()

    def stop(self):
        self.running = False


async def amain(cfg):
    board = Board(cfg=cfg)
    w = cfg["wake"]
    try:
        bundle = KeywordBundle(w["model"])
    except ModelError as e:
        say({"event": "error", "kind": "model", "msg": str(e)})
        print("no usable model: %s" % e)
        return None
    mc = cfg["mic"]
    gate = w.get("gate", True)
    try:
        mic = board.mic(replay=w["replay"] if board.sim else None, rate=bundle.rate, shift=mc["shift"],
                        gate_db=mc["gate_db"] if gate else None, gate_ratio=mc["gate_ratio"] if gate else 0,
                        hold_ms=mc["hold_ms"], preroll=bundle.window_samples)
    except OSError as e:
        say({"event": "error", "kind": "mic", "msg": str(e)})
        return None
    sim = board.sim_mic
    alarms = from_config(cfg["alarms"], board.profile)
    duty = DutyMeter()
    app = WakeApp(mic, bundle, alarms, w, duty)

    def on_mic(kind, info):
        if kind == "fault":
            alarms.alarm("sensor_fault", info["t_ms"], fault=info["fault"], msg=info["msg"])
        elif kind == "recovered":
            alarms.emit({"event": "recovered", "t_ms": info["t_ms"], "fault": info["fault"],
                         "down_ms": info["down_ms"]})
            alarms.clear("sensor_fault", info["t_ms"], fault=info["fault"])

    mic.on_event = on_mic
    say({"event": "start", "app": "wake", "board": board.name, "model": bundle.name, "mic": mic.part,
         "rate": mic.rate, "frames": bundle.frames, "stride": app.det.stride, "smooth": app.det.smooth,
         "threshold": app.det.threshold, "wake_phrase": bundle.wake_phrase, "gate_db": mic.gate_db if gate else None})
    mic.init()
    t0 = time.ticks_us()
    tasks = [asyncio.create_task(mic.run(duty)), asyncio.create_task(app.run())]
    if sim:
        await sim.ended().wait()
        await asyncio.sleep_ms(mic.hold_ms + 100)
    else:
        await tasks[1]
    app.stop()
    mic.stop()
    await asyncio.sleep_ms(0)
    elapsed = time.ticks_diff(time.ticks_us(), t0)
    det = app.det
    summ = {"event": "summary", "app": "wake", "detections": len(app.wakes), "detection_ms": app.wakes,
            "alarms": alarms.count, "by_kind": alarms.by_kind, "suppressed": alarms.suppressed,
            "frames": det.frames_total, "invocations": det.invocations, "max_score": round(det.max_score, 4),
            "mic": mic.stats}
    summ.update(duty.report(elapsed))
    if sim:
        summ["sim"] = sim.stats
        summ["sim_busy_ms"] = sim.busy_us // 1000
        summ["stream_s"] = sim.elapsed_s
    say(summ)
    return summ


def main(cfg=None):
    if cfg is None:
        cfg = config.load(_config_path())
    return asyncio.run(amain(cfg))


if __name__ == "__main__":
    main()
