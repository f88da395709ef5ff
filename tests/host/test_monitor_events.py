"""`tinydev monitor` without a board: the line reader on a pty pair (the same kind of device QEMU
gives), the tally, the JSONL/CSV writers, the stop conditions and the plot without a sidecar."""
import json
import os
import pty

import pytest
import serial
from tinydev.errors import TinydevError
from tinydev.link.events import EventLog, clean_line, load_csv, parse_event, save
from tinydev.link.monitor import LineReader, StopWhen, monitor

BOARD_OUTPUT = (
    b"OK{\"event\": \"start\", \"threshold\": 4.0}\r\n"
    b"hello from a print\r\n"
    b"{\"event\": \"score\", \"t_ms\": 100, \"score\": 1.5}\r\n"
    b"{\"event\": \"alarm\", \"kind\": \"anomaly\", \"t_ms\": 200, \"score\": 5.25}\r\n"
    b"{\"event\": \"alarm\", \"kind\": \"sensor_fault\", \"t_ms\": 250, \"fault\": \"stuck\", \"msg\": \"a, \\\"b\\\"\"}\r\n"
    b"{\"event\": \"clear\", \"kind\": \"anomaly\", \"t_ms\": 900, \"dur_ms\": 700, \"score\": 0.5}\r\n"
    b"{\"event\": \"summ"  # a line cut in two writes
)
REST = b"ary\", \"alarms\": 2}\r\n\x04Traceback (most recent call last):\r\nValueError: x\r\n\x04>"


@pytest.fixture
def pty_pair():
    master, slave = pty.openpty()
    ser = serial.Serial(os.ttyname(slave), 115200, timeout=0.2)
    yield master, ser
    ser.close()
    os.close(master)
    os.close(slave)


def read_all(reader, until_eofs=2, polls=50):
    lines = []
    for _ in range(polls):
        lines += reader.poll()
        if reader.eofs >= until_eofs:
            break
    return lines


def test_parse_and_clean():
    assert clean_line(b"\x1b[32m{\"event\": \"x\"}\x04\r\n") == "{\"event\": \"x\"}"
    assert parse_event("OK{\"event\": \"start\"}") == {"event": "start"}
    assert parse_event("{\"event\": 3}") is None
    assert parse_event("[1, 2]") is None


def test_line_reader_on_a_pty_and_tally(pty_pair):
    master, ser = pty_pair
    reader = LineReader(ser)
    os.write(master, BOARD_OUTPUT)
    lines = read_all(reader, polls=5)
    os.write(master, REST)
    lines += read_all(reader)
    assert reader.eofs == 2
    log = EventLog()
    events = [e for e in (log.feed(line) for line in lines) if e]
    assert [e["event"] for e in events] == ["start", "score", "alarm", "alarm", "clear", "summary"]
    assert log.counts == {"start": 1, "score": 1, "alarm:anomaly": 1, "alarm:sensor_fault": 1,
                          "clear:anomaly": 1, "summary": 1}
    assert log.last_score == (900, 0.5)
    assert log.last_alarm["kind"] == "sensor_fault"
    # other output kept as text; the raw REPL's prompt after the end is not a line
    assert log.other == ["hello from a print", "Traceback (most recent call last):", "ValueError: x"]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_save_round_trip(tmp_path, suffix):
    log = EventLog()
    for line in BOARD_OUTPUT.decode().splitlines()[:-1] + ["{\"event\": \"summary\", \"alarms\": 2}"]:
        log.feed(line)
    path = save(log.records, tmp_path / f"events{suffix}")
    if suffix == ".csv":
        assert load_csv(path) == log.events
    else:
        assert [json.loads(line) for line in path.read_text().splitlines()] == log.events
    with pytest.raises(TinydevError):
        save(log.records, tmp_path / "events.txt")


def test_stop_conditions():
    stop = StopWhen(duration=5, until="summary")
    assert stop.reason([], 1.0, False) is None
    assert stop.reason([{"event": "summary"}], 1.0, False) == "'summary' event"
    assert stop.reason([], 5.0, False) == "5 s elapsed"
    assert StopWhen(script_end=True).reason([], 0, True) == "the script ended"


class FakeTransport:
    """Just what monitor() uses of mpremote's SerialTransport when it only reads."""

    def __init__(self, ser):
        self.serial, self.device_name, self.closed = ser, "pty", False


def test_monitor_reads_a_pty_saves_and_plots(pty_pair, tmp_path):
    from rich.console import Console

    master, ser = pty_pair
    os.write(master, BOARD_OUTPUT + REST.split(b"\x04")[0])
    console = Console(file=open(os.devnull, "w"), width=100)  # noqa: SIM115
    result = monitor(transport=FakeTransport(ser), save_to=tmp_path / "e.csv", plot_to=tmp_path / "e.png",
                     until="summary", duration=20, console=console)
    assert result.stopped_by == "'summary' event"
    assert [e["event"] for e in load_csv(result.saved)] == ["start", "score", "alarm", "alarm", "clear", "summary"]
    assert result.plot.read_bytes()[:4] == b"\x89PNG"
