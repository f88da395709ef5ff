"""`tinydev monitor`: read the JSON-lines events and alarms a board prints on its serial port, show
them live (a table that updates), save them (JSONL/CSV) and plot the scores with the alarms marked.

The port is opened through mpremote's SerialTransport (pyserial underneath, so serial devices and
pyserial URLs such as socket:// and rfc2217:// work); nothing is written to the board unless
`run_file` is given, in which case the script is started through the same connection (raw REPL,
no follow) and the monitor reads its output until it ends."""
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import TinydevError
from .events import EventLog, event_label, save
from .port import open_transport

RAW_EOF = b"\x04"


@dataclass
class StopWhen:
    duration: float = None  # seconds of host time
    until: str = None  # an event type (e.g. "summary") after which to stop
    script_end: bool = False  # stop when a script started by the monitor ends

    def reason(self, new_events, elapsed, ended):
        if self.until and any(e["event"] == self.until for e in new_events):
            return f"'{self.until}' event"
        if self.duration is not None and elapsed >= self.duration:
            return f"{self.duration:g} s elapsed"
        if self.script_end and ended:
            return "the script ended"
        return None


class LineReader:
    """Bytes from the transport, cut into lines; counts the raw REPL's end-of-output markers."""

    def __init__(self, ser):
        self.ser = ser
        self.buf = b""
        self.eofs = 0

    def poll(self):
        """Complete lines read now (waits at most the serial timeout when nothing is there)."""
        data = self.ser.read(max(1, self.ser.in_waiting))
        if not data:
            return []
        self.eofs += data.count(RAW_EOF)
        self.buf += data.replace(b"\r", b"")
        *lines, self.buf = self.buf.split(b"\n")
        if self.eofs >= 2:  # the script ended: what follows its last line is the raw REPL's prompt
            self.buf = b""
        return lines

    def rest(self):
        line, self.buf = self.buf, b""
        return [line] if line else []


def _board_s(event):
    t = event.get("t_ms")
    return f"{t / 1000:.2f} s" if isinstance(t, (int, float)) else ""


def render(log, port, note=""):
    """The live view: counts per event kind, last score, last alarm, recent other output."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"events from {port}", title_justify="left", expand=False)
    table.add_column("event", style="bold")
    table.add_column("count", justify="right")
    table.add_column("last (board time)", justify="right")
    table.add_column("last detail", no_wrap=True, overflow="ellipsis", max_width=48)
    last = {}
    for r in log.records:
        last[event_label(r.event)] = r.event
    for label in sorted(log.counts):
        e = last[label]
        detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("event", "kind", "t_ms"))
        style = "red" if e["event"] == "alarm" else None
        table.add_row(label, str(log.counts[label]), _board_s(e), detail, style=style)
    parts = [table]
    score = "-" if log.last_score is None else f"{log.last_score[1]:.4f}" + (
        f" at {log.last_score[0] / 1000:.2f} s" if isinstance(log.last_score[0], (int, float)) else "")
    alarm = "-"
    if log.last_alarm:
        a = log.last_alarm
        alarm = f"{a.get('kind', '?')} at {_board_s(a) or '?'}" + (f", score {a['score']}" if "score" in a else "")
        if "fault" in a:
            alarm += f", fault {a['fault']}"
    parts.append(Text.assemble(("last score ", "bold"), score, ("   last alarm ", "bold"), (alarm, "red" if log.last_alarm else "")))
    for line in log.other[-3:]:
        parts.append(Text(line[:120], style="dim"))
    if note:
        parts.append(Text(note, style="dim italic"))
    return Group(*parts)


@dataclass
class MonitorResult:
    log: EventLog
    port: str
    stopped_by: str
    saved: Path = None
    plot: Path = None


def monitor(port=None, save_to=None, plot_to=None, duration=None, until=None, run_file=None,
            console=None, transport=None):
    """Monitor a board until duration/until/the script's end/Ctrl-C; save and plot; return the log."""
    from rich.console import Console
    from rich.live import Live

    console = console or Console()
    for target, suffixes in ((save_to, (".jsonl", ".json", ".ndjson", ".csv")), (plot_to, (".png",))):
        if target and Path(target).suffix.lower() not in suffixes:
            raise TinydevError(f"{target}: expected one of {', '.join(suffixes)}")
    t = transport or open_transport(port)
    name = getattr(t, "device_name", port)
    log = EventLog()
    stop = StopWhen(duration, until, script_end=bool(run_file))
    reader = LineReader(t.serial)
    stopped_by = None
    try:
        if run_file:
            source = Path(run_file).read_bytes()
            t.enter_raw_repl(soft_reset=True)
            t.exec_raw_no_follow(source)
        t.serial.timeout = 0.1  # poll: the stop conditions are checked between reads
        hint = "Ctrl-C stops" + (f"; stops after {duration:g} s" if duration else "")
        with Live(render(log, name, hint), console=console, refresh_per_second=4, transient=False) as live:
            try:
                while stopped_by is None:
                    lines = reader.poll()
                    new = [e for e in map(log.feed, lines) if e is not None]
                    if lines:
                        live.update(render(log, name, hint))
                    stopped_by = stop.reason(new, time.monotonic() - log.started, reader.eofs >= 2)
            except KeyboardInterrupt:
                stopped_by = "Ctrl-C"
            except OSError as exc:  # serial.SerialException is an OSError: the board went away
                stopped_by = f"the link dropped ({exc})"
            for line in reader.rest():
                log.feed(line)
            live.update(render(log, name, f"stopped: {stopped_by}"))
        if not console.is_terminal:
            console.line()  # Live leaves its last frame without a newline on a file or pipe
    finally:
        if run_file and reader.eofs < 2:
            try:  # interrupt the script we started, like `mpremote run` does on Ctrl-C
                t.serial.write(b"\x03")
            except OSError:
                pass
        if run_file:
            try:
                t.exit_raw_repl()
            except OSError:
                pass
        if transport is None:
            t.close()
    result = MonitorResult(log, name, stopped_by)
    if save_to:
        result.saved = save(log.records, save_to)
    if plot_to:
        from ..demo.plot import plot_timeline

        result.plot = plot_timeline(log.events, None, plot_to, title=f"tinydev monitor: {name}")
    return result
