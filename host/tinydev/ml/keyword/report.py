"""The keyword report: held-out accuracy (voices and SNRs never trained on), confusion matrix, ROC
and score histograms, and false wakes per day of the smoothed streaming detector on >= 1 h of
held-out background (everyday speech, and speech with confusable phrases); wake detection rate on
a stream with held-out wake phrases in it.
Markdown + PNG + metrics.json."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .. import plots
from ..bundle import read_bundle
from ..progress import console
from . import dataset
from . import detector as D
from . import tail as T
from .recipe import Recipe
from .steps import _json, check, int8_outputs, quantize, stream_posteriors


def poisson_upper(k: int, conf: float = 0.95) -> float:
    """Upper confidence bound of a Poisson mean after observing k events (exact, by bisection)."""
    def cdf(mu):
        term, s = math.exp(-mu), 0.0
        for i in range(k + 1):
            s += term
            term *= mu / (i + 1)
        return s

    lo, hi = 0.0, 10.0 + 10 * k
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) > 1 - conf else (lo, mid)
    return hi


POT_PEAKS = (10, 20, 40)  # peaks-over-threshold estimates from the k largest peaks; the middle one is quoted
SHAPE_PEAKS = 100  # peaks for the fitted tail (a generalised Pareto law with its shape fitted); fewer cannot
# tell a bounded tail from an exponential one: the shape's interval spans about +-0.3 at 40


def _tail(sb, cfg, th, hours, gap) -> dict:
    """Extrapolations of the false-wake rate at the threshold from the smoothed score on a held-out
    background, all from its declustered peaks (events at least a refractory period apart): an
    exponential tail over the largest (tail.pot_rate_per_day) with a bootstrap interval; a
    generalised Pareto law with its shape fitted, with an upper bound (tail.gpd_survival_upper); and
    a Gumbel law on its per-`tail_block_s` maxima (tail.gumbel_rate_per_day)."""
    per_block = round(cfg.tail_block_s / (cfg.stride * 0.02))
    mx = T.block_maxima(sb, per_block)
    if len(mx) < 5:
        return {"tail": None}
    mu, beta = T.gumbel_fit(mx)
    peaks = T.declustered_peaks(sb, gap, max(max(POT_PEAKS), SHAPE_PEAKS) + 1)  # every fit below takes a prefix
    t = {"block_s": cfg.tail_block_s, "blocks": len(mx), "gumbel_mu_logit": mu, "gumbel_beta_logit": beta,
         "predicted_per_day": T.gumbel_rate_per_day(mx, cfg.tail_block_s, th),
         "blocks_over_threshold": int(np.sum(mx >= th)),
         "threshold_for_0.1_per_day": T.gumbel_threshold(mx, cfg.tail_block_s, 0.1),
         "pot_per_day": {str(k): T.pot_rate_per_day(peaks, hours, th, k) for k in POT_PEAKS},
         "pot_quoted_k": POT_PEAKS[1],
         "pot_interval_90": list(T.pot_interval(peaks, hours, th, POT_PEAKS[1])), "shape": None}
    quoted = T.pot_fit(peaks, POT_PEAKS[1])
    if quoted is not None:
        t["pot_base_score"], t["pot_sigma_logit"] = float(T.expit(quoted[0])), float(np.mean(quoted[1]))
    fit = T.pot_fit(peaks, SHAPE_PEAKS)
    if fit is not None:
        u, y = fit
        xi, sigma = T.gpd_fit(y)
        x = float(T.logit(th)) - u
        per_day = SHAPE_PEAKS / hours * 24
        t["shape"] = {"k": SHAPE_PEAKS, "base_score": float(T.expit(u)), "xi": xi,
                      "xi_interval_90": list(T.gpd_shape_interval(y)), "sigma_logit": sigma,
                      "end_score": float(T.expit(u + sigma / -xi)) if xi < 0 else None,
                      "per_day": per_day * float(T.gpd_survival(x, xi, sigma)[0]),
                      # the two uncertainties: how often peaks pass u (Poisson) and the tail beyond it
                      "per_day_upper": poisson_upper(SHAPE_PEAKS) / hours * 24 * T.gpd_survival_upper(y, x)}
    return {"tail": t}


def _counted_curve(sb, hours, gap, most=400) -> tuple[np.ndarray, np.ndarray]:
    """Events per day counted on the stream above each of its `most` highest declustered peaks, to
    set the extrapolations against what the stream shows: (levels, descending; events per day)."""
    levels = T.declustered_peaks(sb, gap, most)
    return levels, np.arange(1, len(levels) + 1) / hours * 24


def _background(tflite, recipe, man, cfg, mfcc, seconds, description) -> tuple[dict, np.ndarray]:
    """False wakes of the device's detector on a held-out background stream: counted, with the
    Poisson bound, and extrapolated (_tail). Returns (metrics, smoothed scores)."""
    th, det = man["thresholds"]["wake"], man["detector"]
    pb, _ = stream_posteriors(tflite, recipe, man["input"], man["output"], mfcc, cfg, description)
    fires = D.detect(pb, det["smooth"], th, det["refractory_invocations"])
    hours = float(seconds) / 3600
    sb = D.smoothed(pb, det["smooth"])
    k = len(fires)
    gap = det["refractory_invocations"]
    return {"hours": hours, "invocations": len(pb), "false_wakes": k,
            "false_wakes_per_hour": k / hours, "false_wakes_per_day": 24 * k / hours,
            "false_wakes_per_day_95_upper": 24 * poisson_upper(k) / hours,
            "max_smoothed_score": float(sb.max()), **_tail(sb, cfg, th, hours, gap),
            "invocations_over_threshold_unsmoothed": int(np.sum(pb >= th)),
            "fire_times_s": [float((i * cfg.stride + cfg.frames - 1) * 0.02) for i in fires]}, sb


def _plot_tail(streams: dict, th, gap, path):
    """Wakes per day against the threshold, logit axis, for streams {name: (metrics, smoothed score)}:
    counted (steps) and extrapolated from the peaks (the exponential tail quoted and the fitted
    tail), with the threshold and the target."""
    plt = plots._plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    x_th = float(T.logit(th))
    for (name, (s, sb)), color in zip(streams.items(), ("C0", "C1")):
        levels, per_day = _counted_curve(sb, s["hours"], gap)
        ax.step(T.logit(levels), per_day, where="post", color=color, label=f"{name}: counted in {s['hours']:.0f} h")
        t = s.get("tail") or {}
        per_hour_day = 24 / s["hours"]
        if "pot_base_score" in t:
            u, k = float(T.logit(t["pot_base_score"])), t["pot_quoted_k"]
            xs = np.linspace(u, max(x_th, u) + 0.5, 100)
            ax.plot(xs, k * per_hour_day * T.gpd_survival(xs - u, 0.0, t["pot_sigma_logit"]), color=color, ls="--",
                    label=f"{name}: exponential tail, k = {k}")
        sh = t.get("shape")
        if sh:
            u = float(T.logit(sh["base_score"]))
            xs = np.linspace(u, max(x_th, u) + 0.5, 200)
            ax.plot(xs, sh["k"] * per_hour_day * T.gpd_survival(xs - u, sh["xi"], sh["sigma_logit"]), color=color, ls=":",
                    label=f"{name}: fitted shape {sh['xi']:+.2f}, k = {sh['k']}")
    ax.axhline(0.1, color="k", lw=0.8)
    ax.axvline(x_th, color="r", lw=0.8, ls="--")
    ticks = [0.05, 0.2, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995]
    ax.set_xticks(T.logit(np.array(ticks)), [f"{v:g}" for v in ticks])
    ax.set(yscale="log", ylim=(1e-3, None), xlabel="threshold on the smoothed score (logit axis)",
           ylabel="wakes per day", title=f"false wakes per day vs threshold (threshold {th:.3f}, target 0.1/day)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_roc(fp, tp, auc, path):
    plt = plots._plt()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot(fp, tp, label=f"wake vs not (AUC {auc:.5f})")
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set(xlabel="false-positive rate (non-wake clips)", ylabel="wake clips detected",
           title="ROC, int8 wake posterior, one window", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_hist(p_by_label, th, path):
    plt = plots._plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.linspace(0, 1, 65)
    for label, p in p_by_label.items():
        ax.hist(p, bins=bins, histtype="step", label=f"{label} ({len(p)})")
    ax.axvline(th, color="k", ls="--", label=f"threshold {th:.3f}")
    ax.set(yscale="log", xlabel="wake posterior (int8 model, one window)", ylabel="clips",
           title="wake posterior by true class, held-out test clips")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_streams(bg, wk, events_s, th, hop_s, path):
    plt = plots._plt()
    fig, axes = plt.subplots(2, 1, figsize=(9, 5))
    for ax, s, title in ((axes[0], bg, "held-out background stream (no wake phrase)"),
                         (axes[1], wk, "held-out stream with wake phrases (shaded)")):
        t = np.arange(len(s)) * hop_s / 60
        ax.plot(t, s, lw=0.4)
        ax.axhline(th, color="r", ls="--", lw=0.8)
        ax.set(ylim=(0, 1.02), xlabel="time (min)", ylabel="smoothed score", title=title)
    for a, b in events_s:
        axes[1].axvspan(a / 60, b / 60, color="g", alpha=0.2, lw=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(cfg, work: Path, bundle_dir: Path, out: Path) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tflite, man = read_bundle(bundle_dir, cfg.name)
    recipe = Recipe.from_manifest(man["features"])
    inp, outs = man["input"], man["output"]
    th, det = man["thresholds"]["wake"], man["detector"]
    wake = man["wake_index"]
    data = dataset.load(cfg, work)
    labels = list(dataset.LABELS)
    y = data["test_y"].astype(int)
    q = int8_outputs(tflite, quantize(recipe, data["test_x"], inp), "int8 on test clips")
    pred = q.argmax(1)
    p = D.wake_posterior(q, outs, wake)
    m = {"model_bytes": len(tflite), "threshold": th, "test_clips": len(y)}
    m["accuracy"] = float(np.mean(pred == y))
    m["accuracy_by_class"] = {labels[k]: float(np.mean(pred[y == k] == k)) for k in range(len(labels))}
    snr = data["test_snr"]
    m["accuracy_by_snr"] = {("noise only" if np.isnan(s) else f"{s:g} dB"): float(np.mean(pred[sel] == y[sel]))
                            for s in sorted(set(snr[~np.isnan(snr)].tolist())) + [float("nan")]
                            for sel in [np.isnan(snr) if np.isnan(s) else snr == s]}
    conf = np.array([[int(np.sum((y == i) & (pred == j))) for j in range(len(labels))] for i in range(len(labels))])
    m["confusion"] = {"rows": labels, "cols": labels, "counts": conf.tolist()}
    is_wake = y == wake
    m["wake_window"] = {"detected": float(np.mean(p[is_wake] >= th)), "false_positive": float(np.mean(p[~is_wake] >= th))}
    fp, tp, auc = plots.roc_curve(p[~is_wake], p[is_wake])
    m["auc"] = auc
    voices = data["test_voices"]
    vi = data["test_voice"]
    by_voice = {str(voices[v]): float(np.mean(pred[(vi == v) & (y > 0)] == y[(vi == v) & (y > 0)]))
                for v in range(len(voices)) if str(voices[v]) and np.any((vi == v) & (y > 0))}
    worst = sorted(by_voice.items(), key=lambda kv: kv[1])[:8]
    m["voices"] = {"test_voices": len(by_voice), "worst": worst}

    # Streams through the device's detector.
    m["stream"], sb = _background(tflite, recipe, man, cfg, data["test_stream"], data["test_stream_seconds"],
                                  "test background stream")
    m["everyday_stream"], se = _background(tflite, recipe, man, cfg, *dataset.everyday(cfg, work),
                                           "test everyday background")
    refr = det["refractory_invocations"]
    pw, ends = stream_posteriors(tflite, recipe, inp, outs, data["wake_stream"], cfg, "test wake stream")
    wf = D.detect(pw, det["smooth"], th, refr)
    end_sample = ends * 320 + 480
    ev = data["wake_events"]
    hit = np.zeros(len(ev), bool)
    false_in_wake = 0
    for f in wf:
        s_ = end_sample[f]
        inside = (s_ >= ev[:, 0]) & (s_ <= ev[:, 1] + int(1.0 * 16000))
        if inside.any():
            hit[np.argmax(inside)] = True
        else:
            false_in_wake += 1
    lat = []
    for f in wf:
        s_ = end_sample[f]
        inside = np.nonzero((s_ >= ev[:, 0]) & (s_ <= ev[:, 1] + 16000))[0]
        if len(inside):
            lat.append((s_ - ev[inside[0], 1]) / 16000)
    m["wake_stream"] = {"minutes": float(data["wake_stream_seconds"]) / 60, "wake_phrases": len(ev),
                        "detected": int(hit.sum()), "detection_rate": float(hit.mean()) if len(ev) else None,
                        "false_wakes": false_in_wake, "median_latency_s": float(np.median(lat)) if lat else None}

    plots.plot_confusion(conf, labels, labels, out / "confusion.png")
    _plot_roc(fp, tp, auc, out / "roc.png")
    _plot_hist({labels[k_]: p[y == k_] for k_ in range(len(labels))}, th, out / "score_histograms.png")
    _plot_streams(sb, D.smoothed(pw, det["smooth"]), ev / 16000.0, th, cfg.stride * 0.02, out / "stream_scores.png")
    _plot_tail({"everyday": (m["everyday_stream"], se), "with confusables": (m["stream"], sb)}, th, refr,
               out / "false_wakes.png")

    c = check(cfg, bundle_dir)
    m["check"] = {"ops": c.ops, "params": c.params, "macs": c.macs, "flash_bytes": c.flash_bytes,
                  "arena_bytes": c.arena_bytes, "unsupported": c.unsupported,
                  "firmware_unsupported": c.firmware_unsupported}
    vpath = Path(work) / "verify.json"
    m["verify"] = json.loads(vpath.read_text()) if vpath.exists() else None
    m["data"] = {"train_clips": len(data["train_y"]), "val_clips": len(data["val_y"]),
                 "test_clips": len(y), "val_stream_minutes": float(data["val_stream_seconds"]) / 60,
                 "train_voices": len(data["train_voices"]) - 1, "test_voice_count": len(voices) - 1}
    tpath = Path(work) / "train.json"
    mining = json.loads(tpath.read_text()).get("mining") if tpath.exists() else None
    if mining:  # trained with hard negatives (config mine_minutes)
        m["mining"] = {k: v for k, v in mining.items() if k != "first_history"}
    _json(out / "metrics.json", m)
    (out / "report.md").write_text(markdown(cfg, man, m))
    console.print(f"report: {out / 'report.md'}")
    return m


def _pct(x):
    return f"{100 * x:.2f} %"


def _false_wake_rows(name, s, target="< 0.1/day") -> list[str]:
    t = s.get("tail")
    sh = t and t.get("shape")
    if sh:
        k, (lo, hi) = t["pot_quoted_k"], t["pot_interval_90"]
        est = (f"fitted tail {sh['per_day']:.3g}/day, upper bound {sh['per_day_upper']:.3g}/day (k = {sh['k']}); "
               f"exponential tail {t['pot_per_day'][str(k)]:.3g}/day (90 % interval {lo:.2g}-{hi:.2g}, k = {k})")
    else:
        est = "n/a (stream too short)"
    return [f"| false wakes counted, {name} | {s['false_wakes']} in {s['hours']:.2f} h = "
            f"{s['false_wakes_per_day']:.2f}/day (95 % upper bound {s['false_wakes_per_day_95_upper']:.1f}/day) | {target} |",
            f"| false wakes per day estimated from it (see below) | {est} | {target} |"]


def _mining_lines(mn) -> list[str]:
    if not mn:
        return []
    above = ", ".join(f"{n} >= {t}" for t, n in mn["above"].items())
    return ["## Hard negatives", "",
            f"A first model, trained on the clips and the training stream, scored {mn['windows']} windows of "
            f"{mn['minutes']:g} min of further training-voice background with no wake phrase ("
            f"{'confusable phrases included' if mn.get('confusables') else 'everyday talk, no confusable phrase'}; "
            f"training voices only, so no held-out data): wake posterior {above}. The "
            f"{mn['picked']} highest (down to {mn['lowest_picked_score'] or 0:.3f}; {mn['picked_unknown']} of them "
            "speech) joined the training set as negatives, and the model was trained again from the start; the "
            "bundle is that second model.", ""]


def _tail_sentence(name, s, th) -> str:
    t = s.get("tail")
    if not t:
        return f"* {name}: too short for an extrapolation."
    pot = ", ".join(f"{v:.3g}/day (k = {k})" for k, v in t["pot_per_day"].items())
    lo, hi = t["pot_interval_90"]
    out = (f"* {name} ({s['hours']:.1f} h, highest smoothed score {s['max_smoothed_score']:.3f}): exponential "
           f"tail {pot}; k = {t['pot_quoted_k']}: 90 % interval {lo:.3g}-{hi:.3g}/day. ")
    sh = t.get("shape")
    if sh:
        xlo, xhi = sh["xi_interval_90"]
        end = (f", so the fitted tail ends at a smoothed score of {sh['end_score']:.4f}"
               if sh["end_score"] is not None and xhi < 0 else "")
        lean = ("below 0: the tail is lighter than exponential and the exponential estimate leans high"
                if xhi < 0 else "above 0: the tail is heavier and the exponential estimate leans low" if xlo > 0
                else "includes 0: the data cannot tell the shape from exponential")
        out += (f"Fitted tail on the {sh['k']} largest peaks (above {sh['base_score']:.3f}): shape {sh['xi']:+.2f}, "
                f"90 % interval {xlo:+.2f} to {xhi:+.2f}, {lean}{end}; {sh['per_day']:.3g}/day, upper bound "
                f"{sh['per_day_upper']:.3g}/day. ")
    ceiling = (" (above 255/256 = 0.9961, the largest posterior the int8 output can express)"
               if t["threshold_for_0.1_per_day"] > 255 / 256 else "")
    return out + (f"Gumbel on {t['blocks']} blocks: {t['predicted_per_day']:.3g}/day; 0.1/day at a smoothed score of "
                  f"{t['threshold_for_0.1_per_day']:.6f}{ceiling}.")


def markdown(cfg, man, m) -> str:
    from ..data import speech as S

    c, v, s, w, det = m["check"], m["verify"], m["stream"], m["wake_stream"], man["detector"]
    lines = [f"# Keyword model: {man['name']} {man['version']} (wake phrase \"{man['wake_phrase']}\")", "",
             f"Config `{cfg.size}`. Speech by espeak-ng (tinydev.ml.data.speech). Held-out test: "
             f"{m['data']['test_voice_count']} voices (a language/accent or a voice variant that training and "
             f"validation never heard) at SNRs {', '.join(f'{x:g}' for x in S.SPLIT_SNRS['test'])} dB (training used "
             f"{', '.join(f'{x:g}' for x in S.SPLIT_SNRS['train'])} dB), fresh noise and reverb. Scores from the "
             "int8 model on our engine. Wake clips come only from voices whose language says the phrase when "
             "espeak-ng reads it (speech.says_wake); the test languages that read it as other words ("
             + ", ".join(f"{lang}: \"{S.phonemes(man['wake_phrase'], lang)}\"" for lang in S.SPLIT_LANGS["test"]
                         if not S.says_wake(lang, man["wake_phrase"]))
             + ", in espeak-ng's phoneme notation) speak only the non-wake speech.", "",
             "| measure | value | target |", "| --- | --- | --- |",
             f"| model flash | {c['flash_bytes']} bytes | <= 16384 |",
             f"| arena | {c['arena_bytes']} bytes | |",
             f"| parameters / MACs per invocation | {c['params']} / {c['macs']} | |",
             f"| accuracy, 3 classes, held-out clips | {_pct(m['accuracy'])} ({m['test_clips']} clips) | >= 98 % |",
             f"| wake clips over threshold (one window) | {_pct(m['wake_window']['detected'])} | |",
             f"| non-wake clips over threshold (one window) | {_pct(m['wake_window']['false_positive'])} | |",
             *_false_wake_rows("everyday held-out background (no confusable phrases)", m["everyday_stream"]),
             *_false_wake_rows("held-out background with confusable phrases (20 % of utterances)", s, "(stress test)"),
             f"| max smoothed score on those backgrounds | {m['everyday_stream']['max_smoothed_score']:.3f}, "
             f"{s['max_smoothed_score']:.3f} (threshold {m['threshold']:.3f}) | |",
             f"| wake phrases detected in a held-out stream | {w['detected']} / {w['wake_phrases']}"
             f" ({_pct(w['detection_rate'] or 0)}), {w['false_wakes']} false wakes in {w['minutes']:.1f} min, "
             f"median latency {w['median_latency_s'] if w['median_latency_s'] is None else round(w['median_latency_s'], 2)} s after the phrase ends | |"]
    if v:
        d = v["decisions"]
        lines.append(f"| int8 / float decision agreement (argmax) | {_pct(d['agreement'])} (float accuracy "
                     f"{_pct(d['float_accuracy'])}) | |")
        e = v["tflm_vs_engine"]
        lines.append(f"| TFLM vs our engine | {'bit-exact' if e['bit_exact'] else 'DIFFERENT'}, "
                     f"{e['identical']}/{e['inputs']} outputs identical | bit-exact |")
        u = v.get("tflm_vs_unix_firmware")
        lines.append("| TFLM vs UNIX firmware | " + (f"{'bit-exact' if u['bit_exact'] else 'DIFFERENT'}, "
                     f"{u['identical']}/{u['inputs']} identical" if u else "not run (no build/UNIX/micropython)")
                     + " | bit-exact |")
    lines += ["", "## Accuracy by class and SNR (held-out voices)", "", "| subset | accuracy |", "| --- | --- |"]
    lines += [f"| class {k} | {_pct(r)} |" for k, r in m["accuracy_by_class"].items()]
    lines += [f"| SNR {k} | {_pct(r)} |" for k, r in m["accuracy_by_snr"].items()]
    lines += ["", "Hardest test voices (accuracy on their speech clips): "
              + ", ".join(f"{k} {_pct(r)}" for k, r in m["voices"]["worst"]) + "."]
    e = m["everyday_stream"]
    lines += ["", "## How false wakes per day are estimated", "",
              "Two held-out background streams (tinydev.ml.data.speech.background_stream, split `test`, test "
              "voices), each speech from start to end (utterances with 0.3-2.5 s gaps, about half of the time) over "
              "a noise bed that changes kind every 10-40 s (white, pink, brown, hum, fan, music, babble-like) at the "
              "test SNRs, half of the utterances reverberant:", "",
              f"* everyday ({e['hours']:.1f} h, made as independent streams of {cfg.everyday_chunk_minutes:g} min "
              "one after the other): random words and sentences, no confusable phrase. This is what the target's "
              "day means: a room where people talk (far more talk than most rooms), not one where people keep "
              "saying near-misses of the wake phrase;",
              f"* with confusable phrases ({s['hours'] * 60:.0f} min): the same, but 20 % of the utterances are "
              "confusables such as \"hi\", \"hi sister\", \"hi system\", \"my assistant\", \"high resistance\" "
              "(hundreds per hour): a stress test of the phrase's near-misses.", "",
              "Each is framed, turned into MFCCs, normalised and quantised exactly as the device does, and run "
              f"through the detector of the manifest: an invocation every {det['stride_frames']} frames "
              f"({det['stride_frames'] * 20} ms) on the last {man['features']['frames']} frames, the wake posterior "
              f"averaged over the last {det['smooth']} invocations, a wake when the average >= {m['threshold']:.3f}, "
              f"then {det['refractory_s']} s ignored.", "",
              "1. Counting: wakes / hours x 24; the 95 % upper bound is the exact Poisson bound on the count. "
              "Counting alone cannot show 0.1/day: even zero wakes in one hour only bounds the rate by 72/day "
              "(95 %); 0.1/day needs about 30 days of background with no wake.",
              "2. Peaks over threshold with an exponential tail. The smoothed score's peaks, one per event (at least the "
              "refractory time apart), in logits log(s / (1 - s)) (scores bunch up near 1; their logits spread "
              "out): the k largest above the (k+1)-th, u, are taken as an exponential tail (a generalised Pareto "
              "law with shape 0), so wakes per day at a threshold x = k / hours x 24 x exp(-(x - u) / sigma), "
              f"sigma their mean excess over u. k = {POT_PEAKS[1]} is quoted, {POT_PEAKS[0]} and {POT_PEAKS[2]} "
              "show how much the choice matters. The 90 % interval is a bootstrap: the k excesses resampled and "
              "the count of peaks above u drawn from Poisson(k).",
              f"3. The tail fitted, the number held against the target: a generalised Pareto law, shape and scale "
              f"by maximum likelihood, on the {SHAPE_PEAKS} largest peaks (in logits, above the next one). A shape "
              "below 0 means a bounded tail (scores have a ceiling), which the exponential tail of 2 overstates; above "
              "0, a heavier tail, which it understates. Its upper bound: the largest rate at the threshold among "
              "the laws the data allow (profile likelihood: log-likelihood within chi2(1, 0.9) / 2 of the best, a "
              "95 % one-sided bound) times the 95 % Poisson upper bound of how often peaks pass the base. On "
              "synthetic scores with a known tail it is at least the true rate in 18 or more of 20 12-h streams "
              "(tests/host/test_false_wake_estimate.py).",
              "4. A Gumbel law fitted by moments to the logits of the maxima of consecutive "
              f"{cfg.tail_block_s:g} s blocks: every block counts, so quiet ones (noise only) widen the law and it "
              "leans high; the threshold rule uses it on validation data (below).", "",
              *[_tail_sentence(name, x, m["threshold"]) for name, x in (("Everyday", e), ("With confusables", s))],
              "", "![false wakes per day](false_wakes.png)", "",
              "The extrapolation assumes the background's worst moments come from the same law as its ordinary "
              "ones and that the synthetic background stands for a real room; it is an estimate, not a "
              "measurement. The plot sets it against the counts: where the stream has events to count, the "
              "dashed line should follow the steps.",
              "", *_mining_lines(m.get("mining")),
              "## Threshold", "", f"{m['threshold']:.3f}: {man['training']['threshold_rule']}. No test data "
              "is used to choose it.", "",
              f"Ops: {', '.join(c['ops'])}; unsupported by the firmware: {c['unsupported'] or 'none'}.", "",
              "![confusion](confusion.png) ![roc](roc.png)", "", "![histograms](score_histograms.png)", "",
              "![streams](stream_scores.png)", ""]
    return "\n".join(lines)
