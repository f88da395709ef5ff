"""`tinydev <command>`: the command table. Each command lives in its own module; this file only
parses arguments and turns TinydevError into one clear line and a non-zero exit."""
import sys

import click

from . import __version__
from .errors import TinydevError
from .firmware.boards import BOARDS

BOARD_CHOICE = click.Choice(sorted(BOARDS), case_sensitive=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tinydev")
def cli():
    """tinydev: TinyML apps on MicroPython microcontrollers (ESP32-S3 first) and virtual boards."""


@cli.group()
def firmware():
    """Build and flash the tinydev firmware."""


@firmware.command("build")
@click.option("--board", type=BOARD_CHOICE, default="VIRT_M4", show_default=True)
@click.option("--micropython", "micropython", type=click.Path(file_okay=False), envvar="MICROPY_DIR",
              help="your MicroPython 1.26.1 checkout (default: $MICROPY_DIR, else git clone, else Debian's source)")
@click.option("--sanitize", is_flag=True, help="UNIX only: the ASan/UBSan flavour")
@click.option("--force", is_flag=True, help="rebuild even when the inputs did not change")
@click.option("-j", "--jobs", type=int, default=None, help="parallel compile jobs (default: all cores)")
def firmware_build(board, micropython, sanitize, force, jobs):
    """Build the firmware for a board and print its path."""
    from .firmware.build import build_firmware

    result = build_firmware(board, micropython=micropython, sanitize=sanitize, jobs=jobs, force=force)
    state = "unchanged, cached" if result.cached else f"built in {result.seconds:.0f} s"
    click.echo(f"{result.board}: {state}", err=True)
    click.echo(str(result.firmware))


@firmware.command("flash")
@click.option("--port", "-p", required=True, help="serial port of the ESP32-S3 (e.g. /dev/ttyUSB0, /dev/ttyACM0)")
@click.option("--firmware", "firmware_path", type=click.Path(exists=True), default=None,
              help="merged firmware.bin or ESP-IDF build folder (default: build/ESP32_S3)")
@click.option("--baud", type=int, default=460800, show_default=True)
def firmware_flash(port, firmware_path, baud):
    """Flash an ESP32-S3 build (esptool): checks chip and image first."""
    from .firmware.flash import flash
    from .paths import build_dir

    plan = flash(port, firmware_path or build_dir("ESP32_S3"), baud=baud)
    for offset, path in plan:
        click.echo(f"0x{offset:06x}  {path}")


@cli.group()
def vboard():
    """Virtual boards: the VIRT_M4 firmware on QEMU, its serial on a pty."""


@vboard.command("start")
@click.option("--board", type=click.Choice(["VIRT_M4"], case_sensitive=False), default="VIRT_M4", show_default=True)
@click.option("--firmware", "firmware_path", type=click.Path(dir_okay=False, exists=True), help="firmware.elf (default: build it)")
@click.option("--fast-idle", is_flag=True, help="idle time costs no real time (-icount sleep=off)")
def vboard_start(board, firmware_path, fast_idle):
    """Start a virtual board and print its serial port."""
    from .vboard.qemu import start

    info = start(board.upper(), firmware=firmware_path, fast_idle=fast_idle)
    click.echo(f"{info.board} running, pid {info.pid}, disk {info.disk}", err=True)
    click.echo(info.port)


@vboard.command("stop")
@click.option("--board", type=click.Choice(["VIRT_M4"], case_sensitive=False), default="VIRT_M4", show_default=True)
def vboard_stop(board):
    """Stop a virtual board (its disk image stays)."""
    from .vboard.qemu import stop

    click.echo("stopped" if stop(board.upper()) else "not running")


@vboard.command("status")
@click.option("--board", type=click.Choice(["VIRT_M4"], case_sensitive=False), default="VIRT_M4", show_default=True)
def vboard_status(board):
    """Say whether a virtual board runs, and on which port."""
    from .vboard.qemu import status

    info = status(board.upper())
    if info is None:
        click.echo(f"{board.upper()}: not running")
        sys.exit(1)
    click.echo(f"{info.board}: running, pid {info.pid}, port {info.port}, disk {info.disk}")


@cli.command("run")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--port", "-p", envvar="TINYDEV_PORT", help="serial port or mpremote URL (default: the running virtual board)")
@click.option("--no-follow", is_flag=True, help="do not wait for the script's output")
@click.option("--transport", type=click.Choice(["mpremote", "ampy"]), default="mpremote", show_default=True,
              help="ampy: fallback for boards where the raw REPL paste mode misbehaves")
def run_command(file, port, no_follow, transport):
    """Run a script on the board from the host (like `mpremote run`)."""
    if transport == "ampy":
        from .link.ampy import run_file

        sys.exit(run_file(port, file, follow=not no_follow))
    from .link.mpremote import run_mpremote

    sys.exit(run_mpremote(port, "run", *(["--no-follow"] if no_follow else []), file))


@cli.command("repl")
@click.option("--port", "-p", envvar="TINYDEV_PORT", help="serial port or mpremote URL (default: the running virtual board)")
def repl_command(port):
    """Open the board's REPL (Ctrl-] leaves)."""
    from .link.mpremote import run_mpremote

    sys.exit(run_mpremote(port, "repl"))


@cli.command("monitor")
@click.option("--port", "-p", envvar="TINYDEV_PORT", help="serial port or pyserial URL (default: the running virtual board)")
@click.option("--save", "save_to", type=click.Path(dir_okay=False), help="save the events: FILE.jsonl or FILE.csv")
@click.option("--plot", "plot_to", type=click.Path(dir_okay=False), help="plot scores over time, alarms marked: FILE.png")
@click.option("--duration", type=click.FloatRange(min=0), help="stop after this many seconds (default: Ctrl-C)")
@click.option("--until", "until", metavar="EVENT", help="stop after the first event of this type (e.g. summary)")
@click.option("--run", "run_file", type=click.Path(dir_okay=False, exists=True),
              help="start this script on the board first (same connection) and stop when it ends")
def monitor_command(port, save_to, plot_to, duration, until, run_file):
    """Show the board's JSON-lines events and alarms live; save and plot them."""
    from .link.monitor import monitor

    result = monitor(port, save_to=save_to, plot_to=plot_to, duration=duration, until=until, run_file=run_file)
    n = len(result.log.records)
    click.echo(f"{n} events, {len(result.log.other)} other lines from {result.port} (stopped: {result.stopped_by})", err=True)
    for path in (result.saved, result.plot):
        if path:
            click.echo(str(path))


@cli.command("deploy")
@click.argument("app_dir", required=False, default=".")
@click.option("--port", "-p", envvar="TINYDEV_PORT", help="serial port or mpremote URL (default: the running virtual board)")
@click.option("--dry-run", is_flag=True, help="show what would change; write nothing")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON (no progress bar)")
def deploy_command(app_dir, port, dry_run, as_json):
    """Sync APP_DIR (default: .) to the board: changed files only, .py as .mpy, atomic switch."""
    from .link.deploy import deploy, print_report

    if as_json:
        import json

        click.echo(json.dumps(deploy(app_dir, port=port, dry_run=dry_run, progress=False).as_dict()))
        return
    from rich.console import Console

    print_report(deploy(app_dir, port=port, dry_run=dry_run, console=Console(stderr=True)), Console())


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="where the events and plot go (default: out/demo)")
@click.option("--keep-board", is_flag=True, help="leave the demo's virtual board running")
@click.option("--faults", type=click.IntRange(min=0), default=3, show_default=True,
              help="replay the recording up to this many faults (0: all of it, five faults)")
def demo_command(out_dir, keep_board, faults):
    """The vibration anomaly detector on a virtual board, end to end."""
    from .demo.run import run_demo

    result = run_demo(out_dir=out_dir, keep_board=keep_board, faults=faults)
    if result.outcome.missed:
        sys.exit(1)


from .ml.commands import model  # noqa: E402  (the model pipeline lives in ml/)

cli.add_command(model)


@cli.command("bench")
@click.option("--model", "names", multiple=True, help="MLPerf Tiny model name (default: all four)")
@click.option("--inputs", "n_inputs", type=int, default=3, show_default=True, help="fixed random inputs per model")
@click.option("--no-device", is_flag=True, help="skip VIRT_M4 (instructions per inference)")
@click.option("--no-host", is_flag=True, help="skip the x86 comparison with TFLM")
@click.option("-j", "--jobs", type=int, default=2, show_default=True, help="parallel compile jobs")
def bench_command(names, n_inputs, no_device, no_host, jobs):
    """Inference cost on the MLPerf Tiny models: optimised vs portable kernels, ours vs TFLM."""
    from .bench import run_bench

    run_bench(list(names) or None, n_inputs=n_inputs, device=not no_device, host=not no_host, jobs=jobs, echo=click.echo)


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="tinydev", standalone_mode=False)
    except TinydevError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
