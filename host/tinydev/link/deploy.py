"""`tinydev deploy`: sync an app folder to a board, safely and only what changed.

How it works (docs/deploy.md has the user's view):
1. One serial connection through mpremote's SerialTransport; the raw REPL is entered once (no
   soft reset) and a few helper functions are defined on the board.
2. The app folder becomes a set of device files: `.py` -> `.mpy` (the mpy-cross of the board's
   .mpy format) except the top-level `main.py`; `boot.py` is ours (see 4) with the app's boot.py
   appended; user data (`config.json`, `*.log`, `logs/`, `data/`) is only written when missing.
3. The board hashes its copies (sha256 on the board); only files whose hash differs are sent,
   to temporary names in /.tinydev/stage, hashed again there, and model bundles
   (x.tflite + x.json with "sha256") are checked against their manifest on the board.
4. Commit: a journal of renames and removals is written to /.tinydev/commit.tmp and renamed to
   /.tinydev/commit (one atomic littlefs rename: the commit point), then applied. `/boot.py`
   starts with the same apply code, so a reset or a broken link at any moment leaves either the
   previous app (no commit file yet: the stage is ignored and cleaned up by the next deploy) or
   the new one (the commit is finished at the next boot, before the app runs).
5. /.tinydev/manifest.json lists the files deploy owns, so files removed from the app folder are
   removed from the board and nothing else (user data, logs) is ever touched.
"""
import base64
import contextlib
import hashlib
import json
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import TinydevError
from .deploy_board import MANIFEST, PRELUDE, RECOVER, STAGE, STATE

CHUNK = 4096  # raw bytes per exec: a few KB of base64 per raw-paste round trip

# The app folder's user data: written when missing on the board, never updated or removed.
DATA_NAMES = ("config.json",)
DATA_DIRS = ("logs", "data")
DATA_SUFFIXES = (".log",)
KEEP_AS_PY = ("main.py", "boot.py")
IGNORED_DIRS = ("__pycache__",)



@dataclass
class DeviceFile:
    path: str  # on the board, absolute: /lib/util.mpy
    data: bytes
    source: str  # in the app folder, relative: lib/util.py
    data_file: bool = False  # user data: written only when missing

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class DeployReport:
    port: str
    added: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    written: list = field(default_factory=list)  # device paths written (final names)
    bytes_sent: int = 0  # payload bytes of the files written
    models: list = field(default_factory=list)  # model bundles verified on the board
    recovered: bool = False  # a committed but unfinished deploy was finished first
    shadowed: list = field(default_factory=list)  # x.py on the board, not ours, imported before our x.mpy
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def changed(self):
        return bool(self.added or self.updated or self.removed)

    def as_dict(self):
        return {k: getattr(self, k) for k in ("port", "added", "updated", "removed", "unchanged", "written",
                                              "bytes_sent", "models", "recovered", "shadowed", "seconds", "dry_run")}


def _is_data(rel):
    parts = rel.split("/")
    return rel in DATA_NAMES or parts[0] in DATA_DIRS or rel.endswith(DATA_SUFFIXES)


def _walk(folder):
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(p.startswith(".") or p in IGNORED_DIRS for p in rel.parts) or not path.is_file():
            continue
        if path.suffix == ".pyc":
            continue
        yield rel.as_posix(), path


def build_tree(app_dir, mpy_cross, framework_dir=None):
    """The device files of an app folder: {device path: DeviceFile}.

    framework_dir: the device framework's folder, added as /lib/tinydev when the firmware does not
    have it frozen."""
    app_dir = Path(app_dir)
    files = {}

    def add(dev_path, data, source, data_file=False):
        if dev_path in files:
            raise TinydevError(f"{source} and {files[dev_path].source} both become {dev_path} on the board",
                               "keep only one of them")
        files[dev_path] = DeviceFile(dev_path, data, source, data_file)

    app_boot = b""
    for rel, path in _walk(app_dir):
        data = path.read_bytes()
        if rel == "boot.py":
            app_boot = data
            continue
        if _is_data(rel):
            add("/" + rel, data, rel, data_file=True)
        elif rel.endswith(".py") and rel not in KEEP_AS_PY:
            add("/" + rel[:-3] + ".mpy", mpy_cross.compile(data, rel), rel)
        else:
            add("/" + rel, data, rel)
    if framework_dir is not None:
        for rel, path in _walk(Path(framework_dir)):
            if rel.endswith(".py"):
                name = f"lib/tinydev/{rel}"
                add("/" + name[:-3] + ".mpy", mpy_cross.compile(path.read_bytes(), name), f"(framework) {rel}")
    add("/boot.py", RECOVER.encode() + app_boot, "boot.py" if app_boot else "(tinydev boot.py)")
    return files


def model_bundles(files):
    """[(tflite path, json path)] of the bundles in a tree: x.tflite beside an x.json with "sha256"."""
    bundles = []
    for path in files:
        if not path.endswith(".tflite"):
            continue
        manifest = files.get(path[: -len(".tflite")] + ".json")
        if manifest is None:
            continue
        try:
            meta = json.loads(manifest.data)
        except ValueError as exc:
            raise TinydevError(f"model manifest {manifest.source} is not valid JSON: {exc}") from None
        if isinstance(meta, dict) and "sha256" in meta:
            bundles.append((path, manifest.path, str(meta["sha256"]).lower()))
    return bundles


def check_bundles_host(files):
    """Refuse a bundle whose .tflite does not match its manifest before anything is sent."""
    for tflite, manifest, want in model_bundles(files):
        got = files[tflite].sha256
        if got != want:
            raise TinydevError(
                f"model {files[tflite].source} refused: its sha256 {got[:16]}.. does not match "
                f"{files[manifest].source}'s {want[:16]}.. (tampered or stale bundle)",
                "re-export the bundle (tinydev model convert) or fix the manifest; nothing was deployed")


class Link:
    """A raw-REPL session on one port: mpremote's SerialTransport, entered once."""

    def __init__(self, port):
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport

        self.port = port
        self._errors = (TransportError, OSError, struct.error)  # struct: a raw-paste header cut short
        try:
            self.transport = SerialTransport(port, 115200)
        except (TransportError, OSError) as exc:  # pyserial's SerialException is an OSError
            raise TinydevError(f"cannot open {port}: {exc}", "check the port; is another program using it?") from None
        error = None
        for _ in range(3):
            try:
                self._settle()
                self.transport.enter_raw_repl(soft_reset=False)
                if self.transport.exec("print('td' + 'sync')").strip().endswith(b"tdsync"):
                    return
            except self._errors as exc:  # a stale answer from an interrupted session: settle, retry
                error = exc
        self.close()
        raise TinydevError(f"the board on {port} does not answer (raw REPL): {error or 'no sync'}",
                           "reset the board, or stop the program that holds its REPL")

    def _settle(self, quiet=0.06, limit=3.0):
        """Stop what runs (Ctrl-C also ends a raw paste a killed session left half sent) and drop
        the output until the board is quiet, so mpremote's raw-REPL entry reads fresh answers."""
        ser = self.transport.serial
        ser.write(b"\r\x03\x03")
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end:
            waiting = ser.in_waiting
            if waiting:
                ser.read(waiting)
                last = time.monotonic()
            elif time.monotonic() - last > quiet:
                return
            else:
                time.sleep(0.01)

    def exec(self, code, what):
        from mpremote.transport import TransportExecError

        try:
            return self.transport.exec(code)
        except TransportExecError as exc:
            lines = exc.error_output.strip().splitlines()
            raise TinydevError(f"{what} failed on the board: {lines[-1] if lines else exc}") from None
        except self._errors as exc:
            raise TinydevError(f"the link to {self.port} broke while {what}: {exc}",
                               "the board keeps its previous app; deploy again") from None

    def eval_json(self, code, what):
        out = self.exec(code, what).decode(errors="replace").strip().splitlines()
        try:
            return json.loads(out[-1])
        except (ValueError, IndexError):
            raise TinydevError(f"unexpected answer from the board while {what}: {out[-3:]}") from None

    def close(self):
        with contextlib.suppress(*self._errors):  # the link may be gone already
            if self.transport.in_raw_repl:
                self.transport.exit_raw_repl()
        with contextlib.suppress(*self._errors):
            self.transport.close()


def _serial_port(port):
    """A port SerialTransport can open: mpremote's `auto` becomes the first USB serial port."""
    if port != "auto":
        return port
    from serial.tools import list_ports

    for info in sorted(list_ports.comports(), key=lambda p: p.device):
        if info.vid:
            return info.device
    raise TinydevError("no board: none connected and no virtual board running", "pass --port, or run `tinydev vboard start`")


def _chunks(data):
    """(base64 text, compressed) per CHUNK of data: zlib when it saves bytes (DeflateIO on the board)."""
    for i in range(0, max(len(data), 1), CHUNK):
        raw = data[i : i + CHUNK]
        packed = zlib.compress(raw, 9, wbits=10) if raw else raw
        if len(packed) < len(raw):
            yield base64.b64encode(packed).decode(), True, len(raw)
        else:
            yield base64.b64encode(raw).decode(), False, len(raw)


class _NoProgress:
    def __init__(self, *a, **k):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *a, **k):
        return 0

    def advance(self, *a, **k):
        pass


def _progress(console, show):
    if not show:
        return _NoProgress()
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=console, transient=False)


def _device_manifest(text):
    if not text:
        return []
    try:
        files = json.loads(text).get("files", [])
        return sorted(files) if isinstance(files, list) else []
    except (ValueError, AttributeError):
        return []


def deploy(app_dir, port=None, dry_run=False, progress=True, console=None, project_framework=None):
    """Deploy `app_dir` to the board on `port` (default: the running virtual board); a DeployReport.

    project_framework: the device framework folder to deploy when the firmware lacks it frozen
    (default: device/tinydev of the tinydev tree)."""
    from .mpycross import MpyCross
    from .port import resolve_port

    started = time.monotonic()
    app = Path(app_dir)
    if not app.exists():
        raise TinydevError(f"app folder {app_dir} does not exist", "pass the folder that holds your main.py")
    if not app.is_dir():
        raise TinydevError(f"{app_dir} is not a folder", "pass the app's folder, not a file")
    if not any(True for _ in _walk(app)):
        raise TinydevError(f"app folder {app_dir} has no files to deploy")
    port = _serial_port(resolve_port(port))
    report = DeployReport(port, dry_run=dry_run)
    link = Link(port)
    try:
        # The helpers are cached on the board (/.tinydev/td_<hash>.py, written with the next change):
        # compiling them there is quicker than sending 2 KB through a 10 KB/s UART every time.
        cached = f"{STATE}/td_{hashlib.sha256(PRELUDE.encode()).hexdigest()[:10]}.py"
        have_helpers = b"TDOK" in link.exec(
            f"try:\n exec(open({cached!r}).read())\n print('TD'+'OK')\nexcept OSError:\n pass", "setting up")
        if not have_helpers:
            link.exec(PRELUDE, "setting up")
        probe = link.eval_json("_td_probe()", "reading the board's state")
        if not probe["sha"]:
            raise TinydevError("this firmware has no hashlib.sha256: deploy cannot compare files on the board",
                               "enable MICROPY_PY_HASHLIB_SHA256 in the firmware")
        if probe["commit"] and not dry_run:
            link.exec(RECOVER, "finishing the previous, interrupted deploy")
            report.recovered = True
            probe = link.eval_json("_td_probe()", "reading the board's state")
        framework = None
        if not probe["framework"]:
            from ..paths import project_root

            framework = Path(project_framework) if project_framework else project_root() / "device" / "tinydev"
        files = build_tree(app, MpyCross(probe["mpy"]), framework)
        check_bundles_host(files)
        owned = _device_manifest(probe["manifest"])
        if not probe["stub"] and not dry_run:
            # The recovery code must be in /boot.py before the first commit; the board's own boot.py
            # (if any) stays after it until the commit replaces it.
            link.exec(f"_td_stub({RECOVER!r})", "installing the recovery code in /boot.py")
            report.written.append("/boot.py")
        gone = sorted(p for p in owned if p not in files)
        shadows = [p[:-4] + ".py" for p in files if p.endswith(".mpy") and p[:-4] + ".py" not in files]
        paths = list(files) + gone + shadows
        hashes = dict(zip(paths, link.eval_json(f"_td_hs({paths!r})", "hashing the board's files")))
        report.shadowed = [p for p in shadows if hashes[p] is not None]
        send = []
        for path, entry in files.items():
            have = hashes[path]
            if entry.data_file:
                if have is None:
                    report.added.append(path)
                    send.append(entry)
                else:
                    report.unchanged.append(path)
            elif have is None:
                report.added.append(path)
                send.append(entry)
            elif have != entry.sha256:
                report.updated.append(path)
                send.append(entry)
            else:
                report.unchanged.append(path)
        removed = [p for p in gone if hashes[p] is not None]
        report.removed = removed
        new_manifest = sorted(p for p, f in files.items() if not f.data_file)
        manifest_stale = owned != new_manifest
        if dry_run:
            return report
        if probe["stage"]:
            link.exec(f"for p in {probe['stage']!r}:\n os.remove(p)", "cleaning up an aborted deploy")
        if not send and not removed and not manifest_stale:
            _verify_models(link, files, {}, report)
            return report

        # Stage every changed file under a temporary name; the app on the board is untouched.
        staged = {}
        dirs = sorted({str(PurePosixPath(e.path).parent) for e in send} - {"/"})
        link.exec(f"_td_mk('{STAGE}/x')\nfor d in {dirs!r}:\n _td_mk(d + '/x')", "creating folders")
        if not have_helpers:
            _put(link, cached + ".tmp", PRELUDE.encode(), "caching the helpers")
            link.exec(f"for p in _td_ls({STATE!r}):\n if p.startswith({STATE + '/td_'!r}) and p != {cached + '.tmp'!r}:\n"
                      f"  os.remove(p)\nos.rename({cached + '.tmp'!r},{cached!r})", "caching the helpers")
        total = sum(len(e.data) for e in send)
        with _progress(console, progress) as bar:
            task = bar.add_task(f"deploy to {port}", total=total)
            for i, entry in enumerate(send):
                tmp = f"{STAGE}/{i}"
                staged[entry.path] = tmp
                for n, (text, packed, size) in enumerate(_chunks(entry.data)):
                    link.exec(f"_td_put({tmp!r},{text!r},{int(packed)},{int(n > 0)})", f"writing {entry.path}")
                    bar.advance(task, size)
                report.bytes_sent += len(entry.data)
        got = link.eval_json(f"_td_hs({list(staged.values())!r})", "checking the written files")
        for (path, tmp), sha in zip(staged.items(), got):
            if sha != files[path].sha256:
                raise TinydevError(f"{path} arrived damaged (sha256 on the board {str(sha)[:16]}.. "
                                   f"!= {files[path].sha256[:16]}..)", "the board keeps its previous app; deploy again")
        _verify_models(link, files, staged, report)
        journal = [f"R\t{tmp}\t{path}" for path, tmp in staged.items()]
        journal += [f"D\t{path}" for path in removed]
        if manifest_stale:
            manifest_tmp = f"{STAGE}/manifest"
            body = json.dumps({"files": new_manifest}).encode()
            _put(link, manifest_tmp, body, "writing the manifest")
            journal.append(f"R\t{manifest_tmp}\t{MANIFEST}")
        if len(journal) == 1 and journal[0].startswith("R"):
            # One file: its rename is atomic by itself, no journal needed.
            _, tmp, path = journal[0].split("\t")
            link.exec(f"os.rename({tmp!r},{path!r})", "switching to the new file")
        else:
            # Commit: one atomic rename makes the journal live; then apply it (boot.py would, too).
            link.exec(f"_td_commit({chr(10).join(journal)!r})", "committing")
            link.exec(RECOVER, "switching to the new app")
        report.written.extend(staged)
        _verify_models(link, files, {}, report, final=True)
        return report
    finally:
        link.close()
        report.seconds = time.monotonic() - started


def _put(link, path, data, what):
    for n, (text, packed, _) in enumerate(_chunks(data)):
        link.exec(f"_td_put({path!r},{text!r},{int(packed)},{int(n > 0)})", what)


def _verify_models(link, files, staged, report, final=False):
    """Check each bundle on the board: the sha256 of its .tflite (staged or in place) against the
    "sha256" in its .json (staged or in place). Before the commit, a mismatch refuses the deploy."""
    report.models = []
    for tflite, manifest, _ in model_bundles(files):
        t, j = staged.get(tflite, tflite), staged.get(manifest, manifest)
        got, want = link.eval_json(f"_td_model({t!r},{j!r})", f"verifying model {tflite}")
        if got is None or got != str(want).lower():
            when = "after the switch" if final else "nothing was switched, the board keeps its previous app"
            raise TinydevError(f"model {tflite} refused on the board: sha256 {str(got)[:16]}.. does not match "
                               f"its manifest's {str(want)[:16]}.. ({when})")
        report.models.append(tflite)


def _size(n):
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB"


def print_report(report, console):
    """What changed, in a few lines."""
    what = "would change" if report.dry_run else "deployed"
    console.print(f"{what} to {report.port}: [green]{len(report.added)} added[/], [yellow]{len(report.updated)} updated[/], "
                  f"[red]{len(report.removed)} removed[/], {len(report.unchanged)} unchanged"
                  + ("" if report.dry_run else f" ({_size(report.bytes_sent)} in {report.seconds:.1f} s)"),
                  soft_wrap=True)
    for sign, names in (("+", report.added), ("~", report.updated), ("-", report.removed)):
        for name in names:
            console.print(f"  {sign} {name}", highlight=False)
    for path in report.shadowed:
        console.print(f"[yellow]warning:[/] {path} on the board is imported instead of the deployed "
                      f"{path[:-3]}.mpy; remove it (mpremote rm :{path})", highlight=False)
    if report.recovered:
        console.print("finished an interrupted deploy found on the board first")
    for model in report.models:
        console.print(f"model {model}: sha256 verified on the board", highlight=False)
    if not report.changed and not report.dry_run:
        console.print("nothing changed: no file written")
