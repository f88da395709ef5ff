# tinydev flagship app: vibration anomaly detector.
#   mpremote connect <port> run device/app.py
# Reads /config.json (optional), the model bundle (/models/vibration.tflite + .json, verified by
# sha256) and, on a virtual board, the IMU replay (/replay/vibration.bin + .json). Prints JSON
# lines: start, alarm / clear / recovered events, and a summary when the replay ends.
import json
import time
import asyncio
from tinydev import config
from tinydev.board import Board
from tinydev.alarms import from_config
from tinydev.model import Bundle, ModelError
from tinydev.pipeline import VibrationPipeline, hop_for
from tinydev.drivers import SensorError
from tinydev import power


def say(ev):
    print(json.dumps(ev))


def _config_path():
    try:
        import os
        return os.getenv("TINYDEV_CONFIG") or config.PATH
    except (ImportError, AttributeError):
        return config.PATH


async def amain(cfg):
    board = Board(cfg=cfg)
    try:
        bundle = Bundle(cfg["model"])
    except ModelError as e:
        say({"event": "error", "kind": "model", "msg": str(e)})
        print("no usable model: %s" % e)
        return None
    f = bundle.features
    replay = cfg["replay"] if board.sim else None
    try:
        hop = hop_for(f, cfg["pipeline"])
        imu = board.imu(replay=replay, rate=f["sample_rate"], range_g=cfg["imu"]["range_g"],
                        watermark=min(hop, cfg["imu"]["watermark"]))
    except ValueError as e:
        say({"event": "error", "kind": "config", "msg": str(e)})
        return None
    except OSError as e:
        say({"event": "error", "kind": "imu", "msg": str(e)})
        return None
    sim = board.sim_imu
    if getattr(imu, "rate", f["sample_rate"]) != f["sample_rate"]:
        say({"event": "error", "kind": "imu", "msg": "%s samples at %d Hz, the model wants %d Hz" % (
            imu.__class__.__name__, imu.rate, f["sample_rate"])})
        return None
    alarms = from_config(cfg["alarms"], board.profile)
    try:
        imu.init()
    except SensorError as e:
        say({"event": "error", "kind": "imu", "msg": str(e)})
        return None
    clock = (lambda: sim.now_us() // 1000) if sim else None
    pipe = VibrationPipeline(imu, bundle, alarms, cfg["pipeline"], clock_ms=clock)
    try:
        idle = power.for_board(board, cfg.get("power"), wake=[(imu.pin, 1, pipe.on_irq)])
    except (OSError, ValueError) as e:
        say({"event": "error", "kind": "power", "msg": str(e)})
        return None
    say({"event": "start", "board": board.name, "model": bundle.name, "imu": imu.part,
         "rate": f["sample_rate"], "window": pipe.n, "hop": pipe.hop, "watermark": imu.watermark,
         "threshold": bundle.threshold})
    t0 = time.ticks_us()
    if idle:
        idle.install()
    try:
        tasks = [asyncio.create_task(pipe.run())]
        if sim:
            tasks.append(asyncio.create_task(sim.run()))
            await sim.ended().wait()
            await asyncio.sleep_ms(pipe.period_ms)   # let the last watermark drain
        else:
            await tasks[0]
        pipe.stop()
        await asyncio.sleep_ms(0)
    finally:
        if idle:
            idle.uninstall()     # asyncio's queue outlives the app (the REPL may run asyncio again)
    elapsed = time.ticks_diff(time.ticks_us(), t0)
    summ = {"event": "summary", "alarms": alarms.count, "by_kind": alarms.by_kind,
            "windows": pipe.windows, "faults": pipe.faults, "suppressed": alarms.suppressed,
            "sleeps": pipe.sleeps}
    summ.update(pipe.duty.report(elapsed))
    if idle:
        summ.update(idle.report(elapsed))
    if sim:
        summ["sim"] = sim.stats
        # awake time includes the emulated I2C transfers (Python on the same CPU, standing in
        # for real bus time); without them:
        summ["sim_bus_ms"] = sim.bus_us // 1000
        summ["awake_ms_app"] = summ["awake_ms"] - sim.bus_us // 1000
        summ["virtual_s"] = sim.elapsed / 1000000
    say(summ)
    return summ


def main(cfg=None):
    if cfg is None:
        cfg = config.load(_config_path())
    return asyncio.run(amain(cfg))


if __name__ == "__main__":
    main()
