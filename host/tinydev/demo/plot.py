"""The demo's picture: the replay's labelled segments, the alarms raised, and window scores."""
from pathlib import Path

FAULT_COLOURS = ("tab:red", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def plot_timeline(events, sidecar, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rate = sidecar["sample_rate"]
    fig, ax = plt.subplots(figsize=(11, 3.6))
    kinds = sorted({s["kind"] for s in sidecar["segments"] if s["kind"] != "normal"})
    colour = dict(zip(kinds, FAULT_COLOURS * 3))
    for seg in sidecar["segments"]:
        if seg["kind"] != "normal":
            ax.axvspan(seg["start"] / rate, seg["end"] / rate, color=colour[seg["kind"]], alpha=0.2, label=seg["kind"])
    scores = [(e["t_ms"] / 1000, e["score"]) for e in events if e["event"] == "score" and "score" in e]
    threshold = next((e.get("threshold") for e in events if e["event"] == "start"), None)
    if scores:
        ax.plot(*zip(*scores), color="black", lw=0.8, label="window score")
        if threshold is not None:
            ax.axhline(threshold, color="grey", ls="--", lw=0.8, label="threshold")
    alarms = [e["t_ms"] / 1000 for e in events if e["event"] == "alarm"]
    for i, t in enumerate(alarms):
        ax.axvline(t, color="red", lw=1.2, label="alarm" if i == 0 else None)
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel("anomaly score" if scores else "")
    ax.set_title("tinydev demo: vibration anomaly detection on VIRT_M4")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="upper left", fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
