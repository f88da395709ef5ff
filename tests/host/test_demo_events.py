"""How the demo reads the board's events and scores a replay against its labelled segments."""
from tinydev.demo.events import parse_event, score_replay

SEGMENTS = [
    {"start": 0, "end": 16000, "kind": "normal"},          # 0-10 s at 1.6 kHz
    {"start": 16000, "end": 24000, "kind": "imbalance"},   # 10-15 s
    {"start": 24000, "end": 40000, "kind": "normal"},      # 15-25 s
    {"start": 40000, "end": 48000, "kind": "outer_race"},  # 25-30 s
]


def test_parse_event_keeps_json_lines_only():
    assert parse_event('{"event": "alarm", "t_ms": 5}\n') == {"event": "alarm", "t_ms": 5}
    assert parse_event("Traceback (most recent call last):") is None
    assert parse_event('{"not": "an event"}') is None
    assert parse_event("{broken json}") is None


def test_latency_is_from_fault_onset_to_first_alarm():
    outcome = score_replay([10040.0, 10200.0, 25030.0], SEGMENTS, 1600)
    assert outcome.detected == [("imbalance", 10000.0, 40.0), ("outer_race", 25000.0, 30.0)]
    assert outcome.missed == [] and outcome.false_alarms == []


def test_alarms_on_normal_parts_are_false_and_silent_faults_missed():
    outcome = score_replay([3000.0, 12000.0], SEGMENTS, 1600)
    assert outcome.false_alarms == [3000.0]
    assert outcome.missed == [("outer_race", 25000.0)]


def test_grace_after_a_fault_covers_the_window_in_flight():
    assert score_replay([15100.0], SEGMENTS, 1600, grace_ms=200).detected == [("imbalance", 10000.0, 5100.0)]
    assert score_replay([15100.0], SEGMENTS, 1600, grace_ms=0).false_alarms == [15100.0]
