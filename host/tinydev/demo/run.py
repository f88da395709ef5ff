"""`tinydev demo`: build (or reuse) the firmware, start a virtual board, deploy the vibration app
with its model and a recording with faults (`tinydev deploy`), run it, show alarms live, then
summarise and plot."""
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TinydevError
from ..paths import cache_dir, project_root
from .events import parse_event, score_replay


@dataclass
class DemoResult:
    events: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    outcome: object = None
    plot: Path = None
    seconds: float = 0.0


def find_bundle(root):
    """The committed vibration bundle and replay: models/vibration/{*.tflite,*.json,*.bin}."""
    folder = root / "models" / "vibration"
    models = sorted(folder.glob("*.tflite"))
    replays = sorted(folder.glob("*.bin"))
    if not models or not replays:
        raise TinydevError(f"no model bundle and replay in {folder}", "train one with `tinydev model train`")
    model, replay = models[0], replays[0]
    for companion in (model.with_suffix(".json"), replay.with_suffix(".json")):
        if not companion.exists():
            raise TinydevError(f"{companion} is missing", "a bundle is <name>.tflite + <name>.json")
    return model, replay


DEMO_FAULTS = 3  # faults the demo replays by default (the recording has five: minutes of emulation each)


def cut_replay(replay, sidecar, faults, out_dir, lead_s=2.0):
    """The recording cut to its first `faults` faults: from lead_s before the first one to the end
    of the normal running after the last one. Returns (path, sidecar) of the cut, written to
    out_dir; the whole recording when faults is 0 or covers them all."""
    segments = sidecar["segments"]
    fault_at = [i for i, seg in enumerate(segments) if seg["kind"] != "normal"]
    if not faults or faults >= len(fault_at):
        return replay, sidecar
    first, last = fault_at[0], fault_at[faults - 1]
    start = max(0, segments[first]["start"] - int(lead_s * sidecar["sample_rate"]))
    end_index = last + 1 if last + 1 < len(segments) and segments[last + 1]["kind"] == "normal" else last
    end = segments[end_index]["end"]
    frame = 2 * sidecar.get("axes", 3)
    with open(replay, "rb") as f:
        f.seek(start * frame)
        data = f.read((end - start) * frame)
    kept = [dict(seg, start=max(seg["start"], start) - start, end=min(seg["end"], end) - start)
            for seg in segments if seg["end"] > start and seg["start"] < end]
    cut = dict(sidecar, samples=end - start, segments=kept, cut_from={"file": replay.name, "start": start, "end": end})
    path = Path(out_dir) / f"{replay.stem}-{faults}faults.bin"
    path.write_bytes(data)
    path.with_suffix(".json").write_text(json.dumps(cut, indent=1))
    return path, cut


def app_tree(root, model, replay, out_dir):
    """The folder the demo deploys: device/app.py as main.py, the model bundle and the recording
    where the app looks for them (/models/vibration.*, /replay/vibration.*)."""
    tree = Path(out_dir) / "app"
    shutil.rmtree(tree, ignore_errors=True)
    for sub in ("models", "replay"):
        (tree / sub).mkdir(parents=True)
    shutil.copy(root / "device" / "app.py", tree / "main.py")
    for src, dst in ((model, "models/vibration.tflite"), (model.with_suffix(".json"), "models/vibration.json"),
                     (replay, "replay/vibration.bin"), (replay.with_suffix(".json"), "replay/vibration.json")):
        shutil.copy(src, tree / dst)
    return tree


def _event_row(event):
    t = event.get("t_ms")
    when = f"{t / 1000:8.2f} s" if isinstance(t, (int, float)) else ""
    detail = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "t_ms"))
    return when, event["event"], detail


# The deployed app, run as the board runs main.py at boot (as __main__), but in the raw REPL so
# its output streams back and the run ends when the app returns.
RUN_MAIN = "exec(open('/main.py').read(), {'__name__': '__main__'})"


def run_app(port, on_event, timeout=900):
    """Run the deployed /main.py through mpremote, handing each JSON-lines event to on_event;
    return all events."""
    events = []
    proc = subprocess.Popen([sys.executable, "-m", "mpremote", "connect", port, "exec", RUN_MAIN],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    other = []
    for line in proc.stdout:
        event = parse_event(line)
        if event is None:
            other.append(line.rstrip())
        else:
            events.append(event)
            on_event(event)
        if time.monotonic() > deadline:
            proc.kill()
            raise TinydevError(f"the app ran longer than {timeout} s")
    proc.wait()
    if proc.returncode != 0 or not any(e["event"] == "summary" for e in events):
        tail = "\n".join(other[-8:])
        raise TinydevError(f"the app ended without a summary (exit {proc.returncode}):\n{tail}")
    return events


def run_demo(out_dir=None, keep_board=False, console=None, faults=DEMO_FAULTS):
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from ..firmware.build import build_firmware
    from ..link.deploy import deploy, print_report
    from ..vboard import qemu
    from .plot import plot_timeline

    console = console or Console()
    started = time.monotonic()
    root = project_root()
    out_dir = Path(out_dir or root / "out" / "demo")
    out_dir.mkdir(parents=True, exist_ok=True)
    model, replay = find_bundle(root)
    sidecar = json.loads(replay.with_suffix(".json").read_text())
    replay, sidecar = cut_replay(replay, sidecar, faults, out_dir)

    console.print("[bold]1/4[/bold] firmware (VIRT_M4)")
    firmware = build_firmware("VIRT_M4").firmware
    console.print("[bold]2/4[/bold] virtual board")
    base = cache_dir("demo")
    qemu.stop("VIRT_M4", base=base)  # a fresh board: the demo never inherits a half-run state
    board = qemu.start("VIRT_M4", firmware=firmware, fast_idle=True, base=base)
    console.print(f"      QEMU mps2-an386 on {board.port}")
    result = DemoResult()
    try:
        seconds = sidecar["samples"] / sidecar["sample_rate"]
        faulty = [seg["kind"] for seg in sidecar["segments"] if seg["kind"] != "normal"]
        console.print(f"[bold]3/4[/bold] tinydev deploy: device/app.py as main.py, {model.name}, {replay.name} "
                      f"({replay.stat().st_size // 1024} KB: {seconds:.0f} s of IMU data, faults {', '.join(faulty)})")
        tree = app_tree(root, model, replay, out_dir)
        print_report(deploy(tree, port=board.port, console=console), console)
        console.print("[bold]4/4[/bold] run the deployed app (JSON-lines events, virtual time)")
        table = Table("time", "event", "detail", title="events from the board")
        with Live(table, console=console, refresh_per_second=8, vertical_overflow="visible"):
            def show(event):
                if event["event"] != "score":
                    table.add_row(*_event_row(event))

            result.events = run_app(board.port, show)
        if not console.is_terminal:
            console.line()  # Live leaves its last frame without a newline on a file or pipe
    finally:
        if not keep_board:
            qemu.stop("VIRT_M4", base=base)

    result.summary = next(e for e in result.events if e["event"] == "summary")
    alarms = [e["t_ms"] for e in result.events if e["event"] == "alarm" and e.get("kind") != "sensor"]
    window_ms = 0
    start = next((e for e in result.events if e["event"] == "start"), {})
    if start.get("window") and start.get("rate"):
        window_ms = 1000.0 * start["window"] / start["rate"]
    result.outcome = score_replay(alarms, sidecar["segments"], sidecar["sample_rate"], grace_ms=window_ms)
    result.plot = plot_timeline(result.events, sidecar, out_dir / "timeline.png")
    (out_dir / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in result.events))
    result.seconds = time.monotonic() - started
    print_summary(console, result)
    return result


def print_summary(console, result):
    from rich.table import Table

    s, o = result.summary, result.outcome
    table = Table(title="demo summary", show_header=False)
    table.add_row("alarms", str(s.get("alarms")))
    for kind, onset, latency in o.detected:
        table.add_row(f"detected {kind}", f"{latency:.0f} ms after onset at {onset / 1000:.1f} s")
    for kind, onset in o.missed:
        table.add_row(f"[red]missed {kind}[/red]", f"onset at {onset / 1000:.1f} s")
    table.add_row("false alarms (normal parts)", str(len(o.false_alarms)))
    if "duty" in s:
        table.add_row("duty cycle (awake)", f"{100 * s['duty']:.1f} %")
    for key in ("awake_ms", "asleep_ms", "windows"):
        if key in s:
            table.add_row(key, str(s[key]))
    table.add_row("plot", str(result.plot))
    table.add_row("wall time", f"{result.seconds:.0f} s")
    console.print(table)
