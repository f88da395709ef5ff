"""Scores over time with the alarms marked: the demo's picture and `tinydev monitor --plot`.

With a replay's sidecar (its labelled segments) the fault segments are shaded too."""
from pathlib import Path

FAULT_COLOURS = ("tab:red", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _seconds(event):
    t = event.get("t_ms")
    return t / 1000 if isinstance(t, (int, float)) else None


def plot_timeline(events, sidecar, path, title="tinydev demo: vibration anomaly detection on VIRT_M4"):
    """Write a PNG of the events (dicts with "event" and the board's "t_ms"); return its path.

    Window scores come from "score" events; without any, the scores that alarm and clear events
    carry are plotted as points. sidecar (or None): the replay's {"sample_rate", "segments"}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 3.6))
    if sidecar:
        rate = sidecar["sample_rate"]
        kinds = sorted({s["kind"] for s in sidecar["segments"] if s["kind"] != "normal"})
        colour = dict(zip(kinds, FAULT_COLOURS * 3))
        for seg in sidecar["segments"]:
            if seg["kind"] != "normal":
                ax.axvspan(seg["start"] / rate, seg["end"] / rate, color=colour[seg["kind"]], alpha=0.2, label=seg["kind"])
    timed = [(_seconds(e), e) for e in events if _seconds(e) is not None]
    scores = [(t, e["score"]) for t, e in timed if e["event"] == "score" and isinstance(e.get("score"), (int, float))]
    threshold = next((e.get("threshold") for e in events if e["event"] == "start"), None)
    if scores:
        ax.plot(*zip(*scores), color="black", lw=0.8, label="window score")
    else:
        scores = [(t, e["score"]) for t, e in timed if e["event"] in ("alarm", "clear") and isinstance(e.get("score"), (int, float))]
        if scores:
            ax.plot(*zip(*scores), "o", color="black", ms=4, label="score at alarm/clear")
    if scores and threshold is not None:
        ax.axhline(threshold, color="grey", ls="--", lw=0.8, label="threshold")
    alarms = [(t, e) for t, e in timed if e["event"] == "alarm"]
    for i, (t, e) in enumerate(alarms):
        sensor = e.get("kind") == "sensor_fault"
        ax.axvline(t, color="tab:blue" if sensor else "red", lw=1.2, ls=":" if sensor else "-",
                   label="sensor fault" if sensor else "alarm")
    if sidecar and sidecar.get("samples"):
        ax.set_xlim(0, sidecar["samples"] / sidecar["sample_rate"])
    ax.set_xlabel("board time (s)")
    ax.set_ylabel("anomaly score" if scores else "")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
