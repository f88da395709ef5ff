"""PNG plots for model reports (matplotlib, headless)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def roc_curve(normal_scores, fault_scores):
    """(false-positive rate, true-positive rate, AUC) over every threshold."""
    s = np.concatenate([normal_scores, fault_scores])
    y = np.concatenate([np.zeros(len(normal_scores)), np.ones(len(fault_scores))])
    order = np.argsort(-s, kind="stable")
    tp = np.concatenate([[0], np.cumsum(y[order])]) / max(1, y.sum())
    fp = np.concatenate([[0], np.cumsum(1 - y[order])]) / max(1, (1 - y).sum())
    return fp, tp, float(np.trapezoid(tp, fp))


def plot_roc(curves: dict, path: Path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for label, (fp, tp, auc) in curves.items():
        ax.plot(fp, tp, label=f"{label} (AUC {auc:.4f})")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set(xlabel="false-positive rate (normal windows)", ylabel="detection rate", title="ROC, int8 model",
           xscale="symlog", xlim=(0, 1), ylim=(0, 1.01))
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_histograms(scores_by_kind: dict, threshold: float, path: Path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    allv = np.concatenate(list(scores_by_kind.values()))
    bins = np.logspace(np.log10(max(allv.min(), 1e-3)), np.log10(allv.max() * 1.01), 80)
    for label, s in scores_by_kind.items():
        ax.hist(np.maximum(s, bins[0]), bins=bins, histtype="step", label=label, density=True)
    ax.axvline(threshold, color="k", ls="--", label=f"threshold {threshold:.2f}")
    ax.set(xscale="log", xlabel="anomaly score (int8 model)", ylabel="density", title="score histograms, held-out test")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, rows, cols, path: Path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 0.5 * len(rows) + 1.5))
    frac = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, f"{matrix[i, j]}\n{100 * frac[i, j]:.1f}%", ha="center", va="center", fontsize=8,
                    color="white" if frac[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set(xlabel="decision", ylabel="true condition", title="confusion matrix, int8")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_stream(scores, threshold, hop_s, path: Path, title: str):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3))
    t = np.arange(len(scores)) * hop_s
    ax.plot(t, scores, lw=0.6)
    ax.axhline(threshold, color="r", ls="--", lw=0.8)
    ax.set(yscale="log", xlabel="time (s)", ylabel="score", title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
