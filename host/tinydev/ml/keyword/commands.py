"""`tinydev model <step> keyword`: what each step of tinydev.ml.commands does for this scenario."""
from __future__ import annotations

import shutil
from pathlib import Path


class Paths:
    def __init__(self, config, work, bundle, report):
        from ..commands import _root
        from .config import CONFIGS

        self.cfg = CONFIGS[config]
        base = _root() / "out"
        self.work = Path(work) if work else base / f"keyword-{self.cfg.size}"
        self.bundle = Path(bundle) if bundle else self.work / "bundle"
        self.report = Path(report) if report else (base / "reports" / "keyword" if self.cfg.size == "full"
                                                   else self.work / "report")
        self.work.mkdir(parents=True, exist_ok=True)


def _summary(m):
    from ..progress import console

    s, e = m["stream"], m["everyday_stream"]
    t = e.get("tail")
    est = f" (estimated {t['pot_per_day'][str(t['pot_quoted_k'])]:.3g}/day)" if t else ""
    console.print(f"model {m['model_bytes']} bytes; accuracy {100 * m['accuracy']:.2f} % on held-out voices/SNRs; "
                  f"false wakes {e['false_wakes']} in {e['hours']:.2f} h of everyday background{est}, "
                  f"{s['false_wakes']} in {s['hours']:.2f} h with confusables; "
                  f"wake stream {m['wake_stream']['detected']}/{m['wake_stream']['wake_phrases']} detected")


def run(step, config, work, bundle, report, copy_to=None):
    from ...errors import TinydevError
    from ..commands import print_check, print_verify
    from . import steps
    from .report import report as make_report

    p = Paths(config, work, bundle, report)
    if step in ("train", "run"):
        steps.train(p.cfg, p.work)
    if step in ("convert", "run"):
        steps.convert(p.cfg, p.work, p.bundle)
    if step in ("check", "run"):
        c = steps.check(p.cfg, p.bundle)
        print_check(c)
        if not c.ok:
            raise TinydevError("the firmware cannot run this model", c.load_error or f"unsupported: {c.unsupported}")
    if step in ("verify", "run"):
        r = steps.verify(p.cfg, p.work, p.bundle)
        print_verify(r)
        bad = [k for k in ("tflm_vs_engine", "tflm_vs_unix_firmware") if r.get(k) and not r[k]["bit_exact"]]
        if bad:
            raise TinydevError(f"outputs differ: {', '.join(bad)}")
    if step in ("report", "run"):
        _summary(make_report(p.cfg, p.work, p.bundle, p.report))
    if step == "run" and copy_to:
        dst = Path(copy_to)
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted(p.bundle.iterdir()):
            shutil.copy2(f, dst / f.name)
        if p.report.exists():
            shutil.copytree(p.report, dst / "report", dirs_exist_ok=True)
