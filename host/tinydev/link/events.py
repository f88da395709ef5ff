"""The board's JSON-lines events as the host reads them: parsing a serial line, keeping a tally
(what `tinydev monitor` shows live), and saving them as JSONL or CSV.

One event per line, a JSON object with an "event" key (start, score, alarm, clear, recovered,
error, summary; see device/tinydev/alarms.py and device/app.py). Anything else the board prints
(prints, tracebacks, the raw REPL's framing) is "other output"."""
import csv
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

# raw REPL framing (\x04 ends a script's output, "OK" acknowledges it), ANSI escapes, other C0s
_NOISE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSV_FIELDS = ("host_s", "t_ms", "event", "kind", "score", "detail")


def clean_line(line):
    """A serial line as text without control characters and surrounding whitespace."""
    if isinstance(line, (bytes, bytearray)):
        line = line.decode("utf-8", "replace")
    return _NOISE.sub("", line).strip()


def parse_event(line):
    """A dict for a JSON-lines event, None for any other output (prints, tracebacks)."""
    line = clean_line(line)
    if line.startswith("OK{"):  # the raw REPL's acknowledgement glued to the first line
        line = line[2:]
    if not (line.startswith("{") and line.endswith("}")):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get("event"), str) else None


def event_label(event):
    """What an event counts as in the tally: 'alarm:anomaly', 'clear:sensor_fault', 'summary'."""
    kind = event.get("kind")
    return f"{event['event']}:{kind}" if kind else event["event"]


@dataclass
class Record:
    host_s: float  # seconds since the monitor started (host clock)
    event: dict


@dataclass
class EventLog:
    """Everything read from the board so far, and the tally the live table shows."""

    records: list = field(default_factory=list)
    other: list = field(default_factory=list)  # non-event lines, newest last
    counts: dict = field(default_factory=dict)  # event_label -> count
    last_score: tuple = None  # (t_ms or None, score)
    last_alarm: dict = None
    started: float = field(default_factory=time.monotonic)
    keep_other: int = 200

    def feed(self, line, now=None):
        """Take one serial line; return the event it held, or None (kept as other output)."""
        event = parse_event(line)
        if event is None:
            text = clean_line(line)
            if text:
                self.other.append(text)
                del self.other[:-self.keep_other]
            return None
        now = time.monotonic() if now is None else now
        self.records.append(Record(round(now - self.started, 3), event))
        label = event_label(event)
        self.counts[label] = self.counts.get(label, 0) + 1
        if isinstance(event.get("score"), (int, float)):
            self.last_score = (event.get("t_ms"), event["score"])
        if event["event"] == "alarm":
            self.last_alarm = event
        return event

    @property
    def events(self):
        return [r.event for r in self.records]


def save_jsonl(records, path):
    """One event per line, exactly as the board printed it (key order kept)."""
    path = Path(path)
    path.write_text("".join(json.dumps(r.event) + "\n" for r in records))
    return path


def save_csv(records, path):
    """host_s, t_ms, event, kind, score, and the remaining keys as a JSON object in `detail`."""
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_FIELDS)
        for r in records:
            e = r.event
            rest = {k: v for k, v in e.items() if k not in CSV_FIELDS}
            writer.writerow([r.host_s, e.get("t_ms", ""), e["event"], e.get("kind", ""), e.get("score", ""),
                             json.dumps(rest) if rest else ""])
    return path


def save(records, path):
    """Save by the file's suffix: .jsonl (or .json) or .csv."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return save_csv(records, path)
    if suffix in (".jsonl", ".json", ".ndjson"):
        return save_jsonl(records, path)
    from ..errors import TinydevError

    raise TinydevError(f"cannot save events as {suffix or 'a file without a suffix'}", "use FILE.jsonl or FILE.csv")


def load_csv(path):
    """The events of a CSV written by save_csv (numbers back to numbers), for tests and plots."""
    events = []
    with Path(path).open(newline="") as f:
        for row in csv.DictReader(f):
            e = {"event": row["event"]}
            if row["t_ms"] != "":
                e["t_ms"] = json.loads(row["t_ms"])
            if row["kind"]:
                e["kind"] = row["kind"]
            if row["score"] != "":
                e["score"] = json.loads(row["score"])
            if row["detail"]:
                e.update(json.loads(row["detail"]))
            events.append(e)
    return events
