"""The board's JSON-lines events (alarms, scores, summary) and what a replay makes of them."""
from dataclasses import dataclass, field

from ..link.events import parse_event  # noqa: F401  (one parser for the demo and `tinydev monitor`)


@dataclass
class ReplayOutcome:
    """Alarms set against the replay's labelled segments: latency per fault, false alarms."""

    detected: list = field(default_factory=list)  # (kind, onset_ms, latency_ms)
    missed: list = field(default_factory=list)  # (kind, onset_ms)
    false_alarms: list = field(default_factory=list)  # t_ms of alarms in normal segments


def score_replay(alarms_ms, segments, sample_rate, grace_ms=0):
    """Match alarm times (virtual ms since the replay began) with the labelled segments.

    An alarm inside a fault segment (or within grace_ms after it ends, the last window still in
    flight) detects that fault; an alarm anywhere else is a false alarm."""
    outcome = ReplayOutcome()
    spans = [(s["kind"], 1000.0 * s["start"] / sample_rate, 1000.0 * s["end"] / sample_rate) for s in segments]
    used = set()
    for kind, start, end in spans:
        if kind == "normal":
            continue
        hits = [t for t in alarms_ms if start <= t <= end + grace_ms]
        used.update(hits)
        if hits:
            outcome.detected.append((kind, start, min(hits) - start))
        else:
            outcome.missed.append((kind, start))
    outcome.false_alarms = [t for t in alarms_ms if t not in used]
    return outcome
