"""`tinydev model train|convert|check|verify|report|run`: the model pipeline, per scenario.

Only the vibration scenario is here; a scenario is a config table plus a steps module, so another
one (keywords) registers the same way in SCENARIOS.
"""
from __future__ import annotations

from pathlib import Path

import click

SCENARIOS = ("vibration", "keyword")


def _root():
    from ..paths import project_root

    try:
        return project_root()
    except Exception:
        return Path.cwd()


class Paths:
    def __init__(self, config, work, bundle, report):
        from .vibration.config import CONFIGS

        config = {"ci": "quick"}.get(config, config)  # `ci` names the CI-sized run of every scenario
        self.cfg = CONFIGS[config]
        base = _root() / "out"
        self.work = Path(work) if work else base / f"vibration-{config}"
        self.bundle = Path(bundle) if bundle else self.work / "bundle"
        self.report = Path(report) if report else (base / "reports" / "vibration" if config == "full"
                                                   else self.work / "report")
        self.work.mkdir(parents=True, exist_ok=True)


def _options(f):
    f = click.option("--report-dir", "report", type=click.Path(file_okay=False), help="report output (default: out/reports/vibration for full)")(f)
    f = click.option("--bundle", type=click.Path(file_okay=False), help="model bundle directory (default: <work>/bundle)")(f)
    f = click.option("--work", type=click.Path(file_okay=False), help="working directory (default: out/vibration-<config>)")(f)
    f = click.option("--config", type=click.Choice(["quick", "ci", "full"]), default="full", show_default=True,
                     help="quick (= ci): the CI-sized run")(f)
    f = click.argument("scenario", type=click.Choice(SCENARIOS), default="vibration", required=False)(f)
    return f


@click.group()
def model():
    """Data, training, int8 conversion, verification and reports of the models."""


@model.command("train")
@_options
def train_cmd(scenario, config, work, bundle, report):
    """Generate the data and train the float model."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("train", config, work, bundle, report)
    from .vibration import steps

    p = Paths(config, work, bundle, report)
    steps.train(p.cfg, p.work)


@model.command("convert")
@_options
def convert_cmd(scenario, config, work, bundle, report):
    """Full-int8 conversion; writes the model bundle (tflite + manifest + replay)."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("convert", config, work, bundle, report)
    from .vibration import steps

    p = Paths(config, work, bundle, report)
    steps.convert(p.cfg, p.work, p.bundle)


def print_check(c):
    from rich.table import Table

    from .progress import console

    t = Table(title="model check", show_header=False)
    t.add_row("ops", ", ".join(c.ops))
    t.add_row("parameters", str(c.params))
    t.add_row("MACs", str(c.macs))
    t.add_row("flash", f"{c.flash_bytes} bytes")
    t.add_row("arena", f"{c.arena_bytes} bytes" if c.arena_bytes is not None else f"load failed: {c.load_error}")
    t.add_row("engine supports every op", "yes" if not c.unsupported else f"NO: {', '.join(c.unsupported)}")
    fw = c.firmware_unsupported
    t.add_row("UNIX firmware's tinyml.ops()", "not built" if fw is None else "has every op" if not fw else f"lacks {', '.join(fw)}")
    console.print(t)


@model.command("check")
@_options
def check_cmd(scenario, config, work, bundle, report):
    """Ops, parameters, MACs, flash and arena bytes; does the firmware support every op."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("check", config, work, bundle, report)
    from ..errors import TinydevError
    from .vibration import steps

    p = Paths(config, work, bundle, report)
    c = steps.check(p.cfg, p.bundle)
    print_check(c)
    if not c.ok:
        raise TinydevError("the firmware cannot run this model", c.load_error or f"unsupported: {c.unsupported}")


def print_verify(r):
    from .progress import console

    for key in ("tflm_vs_engine", "tflm_vs_unix_firmware"):
        v = r.get(key)
        if v is None:
            console.print(f"{key}: not run (no build/UNIX/micropython)")
        else:
            state = "bit-exact" if v["bit_exact"] else f"DIFFERENT (max |diff| {v['max_abs_diff']})"
            console.print(f"{key}: {state}, {v['identical']}/{v['inputs']} outputs identical")
    d = r["decisions"]
    console.print(f"int8 vs float decisions: {100 * d['agreement']:.2f} % agree on {d['windows']} windows "
                  f"(accuracy int8 {100 * d['int8_accuracy']:.2f} %, float {100 * d['float_accuracy']:.2f} %)")


@model.command("verify")
@_options
def verify_cmd(scenario, config, work, bundle, report):
    """TFLM vs our engine (and the UNIX firmware) bit for bit; int8 vs float decisions."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("verify", config, work, bundle, report)
    from ..errors import TinydevError
    from .vibration import steps

    p = Paths(config, work, bundle, report)
    r = steps.verify(p.cfg, p.work, p.bundle)
    print_verify(r)
    bad = [k for k in ("tflm_vs_engine", "tflm_vs_unix_firmware") if r.get(k) and not r[k]["bit_exact"]]
    if bad:
        raise TinydevError(f"outputs differ: {', '.join(bad)}")


@model.command("report")
@_options
def report_cmd(scenario, config, work, bundle, report):
    """Accuracy, confusion matrix, ROC, score histograms, false alarms per hour: Markdown + PNG."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("report", config, work, bundle, report)
    from .vibration.report import report as make_report

    p = Paths(config, work, bundle, report)
    m = make_report(p.cfg, p.work, p.bundle, p.report)
    _summary(m)


def _summary(m):
    from .progress import console

    console.print(f"model {m['model_bytes']} bytes; false alarms {100 * m['false_alarm_rate']:.2f} %; "
                  f"detected {100 * m['detection_rate']:.2f} %; stream {m['stream']['alarms_per_hour']:.2f} alarms/h")


@model.command("run")
@_options
@click.option("--copy-to", type=click.Path(file_okay=False), help="also copy the bundle here (e.g. models/vibration)")
def run_cmd(scenario, config, work, bundle, report, copy_to):
    """The whole pipeline: train, convert, check, verify, report."""
    if scenario == "keyword":
        from .keyword.commands import run as keyword_step

        return keyword_step("run", config, work, bundle, report, copy_to)
    import shutil

    from .vibration import steps
    from .vibration.report import report as make_report

    p = Paths(config, work, bundle, report)
    steps.train(p.cfg, p.work)
    steps.convert(p.cfg, p.work, p.bundle)
    print_check(steps.check(p.cfg, p.bundle))
    print_verify(steps.verify(p.cfg, p.work, p.bundle))
    _summary(make_report(p.cfg, p.work, p.bundle, p.report))
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        for f in sorted(p.bundle.iterdir()):
            shutil.copy2(f, Path(copy_to) / f.name)
