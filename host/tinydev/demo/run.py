"""`tinydev demo`: build (or reuse) the firmware, start a virtual board, put the vibration model
and a recording with faults on it, run device/app.py, show alarms live, then summarise and plot."""
import json
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


UPLOAD_CHUNK = 3072  # bytes per exec (4 KB of base64): fewer round trips, the UART stays the limit
_DEVICE_HELPERS = """import os, hashlib, binascii
def _td_sha(p):
    h = hashlib.sha256()
    try:
        f = open(p, 'rb')
    except OSError:
        return ''
    b = bytearray(2048)
    with f:
        while True:
            n = f.readinto(b)
            if not n:
                break
            h.update(memoryview(b)[:n])
    return binascii.hexlify(h.digest()).decode()
def _td_mkdir(d):
    try:
        os.mkdir(d)
    except OSError:
        pass
"""


def upload(port, model, replay, echo=None):
    """Model bundle to /models/vibration.*, recording to /replay/vibration.* (the app's defaults).

    Files go base64-encoded (a third more bytes on the wire where mpremote's `fs cp` sends about
    three times as many), to a temporary name, are checked by sha256 on the device and renamed;
    a file the board already has (same sha256, the virtual board's disk persists) is not sent.
    Returns [(remote path, bytes sent)]."""
    import base64
    import hashlib

    from mpremote.transport import TransportError

    from ..link.port import open_transport

    plan = [(model, "/models/vibration.tflite"), (model.with_suffix(".json"), "/models/vibration.json"),
            (replay, "/replay/vibration.bin"), (replay.with_suffix(".json"), "/replay/vibration.json")]
    sent = []
    t = open_transport(port)
    try:
        t.enter_raw_repl(soft_reset=False)
        t.exec(_DEVICE_HELPERS + "_td_mkdir('/models')\n_td_mkdir('/replay')")
        for local, remote in plan:
            data = local.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if t.eval(f"_td_sha({remote!r})", parse=False).decode().strip() == digest:
                sent.append((remote, 0))
                continue
            started = time.monotonic()
            t.exec(f"import binascii\n_f = open({remote + '.tmp'!r}, 'wb')\n_w = _f.write\n_d = binascii.a2b_base64")
            for at in range(0, len(data), UPLOAD_CHUNK):
                t.exec(f"_w(_d({base64.b64encode(data[at:at + UPLOAD_CHUNK]).decode()!r}))")
            t.exec("_f.close()")
            if t.eval(f"_td_sha({remote + '.tmp'!r})", parse=False).decode().strip() != digest:
                raise TinydevError(f"{remote}: the board holds other bytes than {local} after the upload")
            t.exec(f"try:\n os.remove({remote!r})\nexcept OSError:\n pass\nos.rename({remote + '.tmp'!r}, {remote!r})")
            sent.append((remote, len(data)))
            if echo:
                seconds = time.monotonic() - started
                echo(f"      {remote}: {len(data) / 1024:.1f} KB in {seconds:.0f} s ({len(data) / 1024 / max(seconds, 1e-3):.1f} KB/s)")
        t.exit_raw_repl()
    except (TransportError, OSError) as exc:  # mpremote's errors (TransportExecError too), pyserial's
        raise TinydevError(f"upload to {port} failed: {exc}") from None
    finally:
        t.close()
    return sent


def _event_row(event):
    t = event.get("t_ms")
    when = f"{t / 1000:8.2f} s" if isinstance(t, (int, float)) else ""
    detail = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "t_ms"))
    return when, event["event"], detail


def run_app(port, app, on_event, timeout=900):
    """Run the app through mpremote, handing each JSON-lines event to on_event; return all events."""
    events = []
    proc = subprocess.Popen([sys.executable, "-m", "mpremote", "connect", port, "run", str(app)],
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
        console.print(f"[bold]3/4[/bold] upload {model.name}, {replay.name} ({replay.stat().st_size // 1024} KB: "
                      f"{seconds:.0f} s of IMU data, faults {', '.join(faulty)})")
        sent = upload(board.port, model, replay, echo=console.print)
        if not any(n for _, n in sent):
            console.print("      already on the board (same sha256), nothing sent")
        console.print("[bold]4/4[/bold] run device/app.py (JSON-lines events, virtual time)")
        table = Table("time", "event", "detail", title="events from the board")
        with Live(table, console=console, refresh_per_second=8, vertical_overflow="visible"):
            def show(event):
                if event["event"] != "score":
                    table.add_row(*_event_row(event))

            result.events = run_app(board.port, root / "device" / "app.py", show)
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
