"""`tinydev deploy` on VIRT_M4: sync by sha256 on the board, one file for a one-file change, nothing
for no change, model bundles checked, and an app that boots (old or new, never a mix) whatever
moment the link or the board dies.

Each test app prints one line at boot, `APPVER <main.py> <appver> <helper> <blob> <only_a> <data>`,
where every field but the last comes from a different file of the app: a mix of two deploys shows
as a line whose fields disagree.
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from board_link import mpremote
from tinydev.errors import TinydevError
from tinydev.link import deploy as deploy_mod
from tinydev.link.deploy import deploy
from tinydev.vboard import qemu

REPO = Path(__file__).resolve().parents[2]
TINYDEV = [sys.executable, "-m", "tinydev.cli"]
MODEL = REPO / "models" / "vibration"
LINE = re.compile(rb"APPVER (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)")
CONFIG = '{"threshold": 3.5, "owner": "user"}'
LOG = "boot 1\nboot 2\n"

MAIN = """import hashlib, binascii
import appver
from helper import V as H
def h(p):
    try:
        with open(p, 'rb') as f:
            return binascii.hexlify(hashlib.sha256(f.read()).digest())[:12].decode()
    except OSError:
        return 'none'
try:
    import only_a
    oa = only_a.V
except ImportError:
    oa = '-'
with open('/lib/blob.bin', 'rb') as f:
    b = f.read(1).decode()
print('APPVER', '%s', appver.V, H, b, oa, h('/config.json') + h('/logs/run.log'))
"""


def data_digest():
    h = lambda s: hashlib.sha256(s.encode()).hexdigest()[:12]
    return h(CONFIG) + h(LOG)


def make_app(folder, version, model=False, blob_size=3000):
    """A small app whose every file carries `version`; version A has lib/only_a.py, B does not."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "lib").mkdir(parents=True)
    (folder / "main.py").write_text(MAIN % version)
    (folder / "appver.py").write_text(f"V = {version!r}\n")
    (folder / "lib" / "helper.py").write_text(f"V = {version!r}\n\ndef twice(x):\n    return 2 * x\n")
    rnd = random.Random(version)
    (folder / "lib" / "blob.bin").write_bytes(version.encode() + bytes(rnd.randrange(256) for _ in range(blob_size)))
    if version == "A":
        (folder / "lib" / "only_a.py").write_text("V = 'A'\n")
    if model:
        (folder / "models").mkdir()
        for name in ("vibration.tflite", "vibration.json"):
            shutil.copy(MODEL / name, folder / "models" / name)
    return folder


def expected(version):
    return (version, version, version, version, "A" if version == "A" else "-", data_digest())


def put_user_data(port):
    mpremote(port, "exec", f"import os\ntry:\n os.mkdir('/logs')\nexcept OSError:\n pass\n"
                           f"with open('/config.json','w') as f:\n f.write({CONFIG!r})\n"
                           f"with open('/logs/run.log','w') as f:\n f.write({LOG!r})")


def _open_link(port, wait=10.0):
    """deploy's Link (its entry survives what an interrupted deploy left on the line). Right after a
    power cycle or a killed deploy the pty can refuse a moment ("failed to access"): retry briefly."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return deploy_mod.Link(port)
        except TinydevError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def boot_line(port, timeout=40):
    """Hard-reset the board (machine.reset) and return the APPVER fields its main.py prints."""
    link = _open_link(port)
    t = link.transport
    try:
        t.exec_raw_no_follow("import machine\nmachine.reset()")
        seen = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen += t.serial.read(max(1, t.serial.in_waiting))
            match = LINE.search(seen)
            if match and seen.endswith(b">>> "):
                assert b"Traceback" not in seen, f"boot.py or main.py failed: {seen[-600:]!r}"
                return tuple(g.decode() for g in match.groups())
            if b"Traceback" in seen and seen.endswith(b">>> "):
                break
        raise AssertionError(f"no APPVER line after reset; the board printed: {seen[-600:]!r}")
    finally:
        t.serial.write(b"\x03")  # stop anything, leave the friendly REPL
        t.close()


def snapshot(port):
    """{path: sha256} of every file on the board."""
    out = mpremote(port, "exec", """import os, hashlib, binascii, json
def walk(d, out):
    for e in os.ilistdir(d):
        p = (d if d != '/' else '') + '/' + e[0]
        if e[1] == 0x4000:
            walk(p, out)
        else:
            with open(p, 'rb') as f:
                out[p] = binascii.hexlify(hashlib.sha256(f.read()).digest()).decode()
r = {}
walk('/', r)
print(json.dumps(r))""")
    return json.loads(out.strip().splitlines()[-1])


def disk_sha(board):
    return hashlib.sha256(Path(board.disk).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def board(virt_m4_fw, tmp_path_factory):
    """A private VIRT_M4 whose state sits where TINYDEV_CACHE=<cache> makes it the default board."""
    cache = tmp_path_factory.mktemp("deploy-cache")
    info = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=cache / "vboard")
    put_user_data(info.port)
    yield SimpleNamespace(port=info.port, disk=info.disk, cache=cache)
    qemu.stop("VIRT_M4", base=cache / "vboard")


def test_from_scratch_then_no_change_then_one_file(board, tmp_path):
    app = make_app(tmp_path / "app", "A", model=True)
    first = deploy(app, port=board.port, progress=False)
    app_files = {"/main.py", "/appver.mpy", "/lib/helper.mpy", "/lib/only_a.mpy", "/lib/blob.bin",
                 "/models/vibration.tflite", "/models/vibration.json"}
    assert app_files <= set(first.added)
    assert first.models == ["/models/vibration.tflite"]
    assert not first.updated and not first.removed
    files = snapshot(board.port)
    assert {"/config.json", "/logs/run.log"} <= set(files), "user data gone"
    assert "/main.py" in files and "/main.mpy" not in files and "/lib/helper.py" not in files
    assert files["/models/vibration.tflite"] == hashlib.sha256((MODEL / "vibration.tflite").read_bytes()).hexdigest()
    assert not [p for p in files if p.startswith("/.tinydev/stage/")], "staging leftovers"
    assert (tmp_path / "app" / "lib" / "blob.bin").read_bytes() == mpremote_read(board.port, "/lib/blob.bin")
    assert boot_line(board.port) == expected("A")

    # Nothing changed: the report says so and not one byte of the disk image changes.
    before = disk_sha(board)
    again = deploy(app, port=board.port, progress=False)
    assert not again.changed and again.written == [] and again.bytes_sent == 0
    assert set(again.unchanged) == set(first.added) | set(first.unchanged)
    assert disk_sha(board) == before, "a no-change deploy wrote to the board's flash"

    # One file changed: one file written, the rest of the board as it was.
    files = snapshot(board.port)
    (app / "lib" / "helper.py").write_text("V = 'C'\n\ndef twice(x):\n    return 2 * x\n")
    one = deploy(app, port=board.port, progress=False)
    assert one.updated == ["/lib/helper.mpy"] and one.written == ["/lib/helper.mpy"]
    assert not one.added and not one.removed
    after = snapshot(board.port)
    assert {p for p in set(files) | set(after) if files.get(p) != after.get(p)} == {"/lib/helper.mpy"}
    assert boot_line(board.port) == ("A", "A", "C", "A", "A", data_digest())


def mpremote_read(port, path):
    out = mpremote(port, "exec", f"import binascii\nprint(binascii.hexlify(open({path!r},'rb').read()).decode())")
    return bytes.fromhex(out.strip().splitlines()[-1])


def test_switch_removes_old_files_keeps_user_data(board, tmp_path):
    deploy(make_app(tmp_path / "a", "A"), port=board.port, progress=False)
    report = deploy(make_app(tmp_path / "b", "B"), port=board.port, progress=False)
    assert report.removed == ["/lib/only_a.mpy"]
    assert set(report.updated) == {"/main.py", "/appver.mpy", "/lib/helper.mpy", "/lib/blob.bin"}
    files = snapshot(board.port)
    assert "/lib/only_a.mpy" not in files
    assert "/models/vibration.tflite" not in files, "a file deploy owned and the app dropped stays"
    assert boot_line(board.port) == expected("B")
    # A stray source beside a deployed .mpy wins the import: deploy says so (and leaves it alone).
    mpremote(board.port, "exec", "with open('/lib/helper.py', 'w') as f:\n f.write('V = 0')")
    again = deploy(tmp_path / "b", port=board.port, progress=False)
    assert again.shadowed == ["/lib/helper.py"] and not again.changed
    mpremote(board.port, "rm", ":/lib/helper.py")


def test_user_data_in_the_app_is_only_a_default(board, tmp_path):
    """config.json / logs/ in the app folder are written when the board has none, never over the
    board's own copy, and never removed."""
    app = make_app(tmp_path / "a", "A")
    (app / "config.json").write_text('{"threshold": 0}')  # the board has its own (put_user_data)
    (app / "logs").mkdir()
    (app / "logs" / "seed.log").write_text("first\n")
    report = deploy(app, port=board.port, progress=False)
    assert "/config.json" in report.unchanged and "/config.json" not in report.written
    assert "/logs/seed.log" in report.added
    (app / "logs" / "seed.log").write_text("changed on the host\n")
    again = deploy(app, port=board.port, progress=False)
    assert "/logs/seed.log" in again.unchanged and not again.changed
    (app / "config.json").unlink()
    shutil.rmtree(app / "logs")
    gone = deploy(app, port=board.port, progress=False)
    assert not gone.removed
    assert mpremote_read(board.port, "/logs/seed.log") == b"first\n"
    assert boot_line(board.port) == expected("A")  # its last field: /config.json and /logs/run.log as they were


def test_tampered_model_refused_before_sending(board, tmp_path):
    app = make_app(tmp_path / "app", "A", model=True)
    deploy(app, port=board.port, progress=False)
    tflite = app / "models" / "vibration.tflite"
    data = bytearray(tflite.read_bytes())
    data[len(data) // 2] ^= 0x01
    tflite.write_bytes(bytes(data))
    (app / "main.py").write_text((app / "main.py").read_text() + "# changed\n")
    before = disk_sha(board)
    with pytest.raises(TinydevError, match="vibration.tflite refused"):
        deploy(app, port=board.port, progress=False)
    assert disk_sha(board) == before, "a refused deploy wrote to the board"


def test_tampered_model_refused_on_the_board(board, tmp_path, monkeypatch):
    """The board's own check: with the host check skipped, the staged bundle is hashed on the board
    and refused before the commit; the board keeps the previous app and model."""
    app = make_app(tmp_path / "app", "A", model=True)
    deploy(app, port=board.port, progress=False)
    good = snapshot(board.port)
    make_app(app, "B", model=True)
    manifest = app / "models" / "vibration.json"
    meta = json.loads(manifest.read_text())
    meta["sha256"] = "0" * 64
    manifest.write_text(json.dumps(meta))
    monkeypatch.setattr(deploy_mod, "check_bundles_host", lambda files: None)
    with pytest.raises(TinydevError, match="refused on the board"):
        deploy(app, port=board.port, progress=False)
    now = snapshot(board.port)
    assert {p: s for p, s in now.items() if not p.startswith("/.tinydev/")} == \
        {p: s for p, s in good.items() if not p.startswith("/.tinydev/")}
    assert "/.tinydev/commit" not in now
    assert boot_line(board.port) == expected("A")
    monkeypatch.undo()
    assert deploy(make_app(app, "B", model=True), port=board.port, progress=False).changed  # stage cleaned, works


def _cli(*args, env):
    return subprocess.run(TINYDEV + list(args), check=False, capture_output=True, text=True, timeout=180, env=env)


def test_cli_default_port_report_and_errors(board, tmp_path):
    from tinydev.link.mpycross import _candidates

    mpy_cross = next(p for p in _candidates() if p.is_file())
    env = {**os.environ, "TINYDEV_CACHE": str(board.cache), "TINYDEV_MPY_CROSS": str(mpy_cross)}
    app = make_app(tmp_path / "app", "A")
    shown = _cli("deploy", str(app), env=env)  # no --port: the running virtual board
    assert shown.returncode == 0, shown.stderr
    assert f"deployed to {board.port}" in shown.stdout
    again = _cli("deploy", "--json", str(app), env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["written"] == []
    (app / "appver.py").write_text("V = 'Z'\n")
    changed = _cli("deploy", str(app), env=env)
    assert "0 added, 1 updated, 0 removed" in changed.stdout and "~ /appver.mpy" in changed.stdout
    dry = _cli("deploy", "--dry-run", str(make_app(tmp_path / "b", "B")), env=env)
    assert "would change" in dry.stdout and "- /lib/only_a.mpy" in dry.stdout
    assert boot_line(board.port)[1] == "Z", "a dry run wrote to the board"

    missing = _cli("deploy", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 1 and "app folder" in missing.stderr and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    empty = {**env, "TINYDEV_CACHE": str(tmp_path / "no-boards")}
    no_board = _cli("deploy", str(app), env=empty)
    assert no_board.returncode == 1 and "no board" in no_board.stderr and "Traceback" not in no_board.stderr
    bad_port = _cli("deploy", "--port", "/dev/pts/999", str(app), env=env)
    assert bad_port.returncode == 1 and "cannot open /dev/pts/999" in bad_port.stderr
    broken = make_app(tmp_path / "c", "A")
    (broken / "lib" / "helper.py").write_text("def f(:\n")
    syntax = _cli("deploy", str(broken), env=env)
    assert syntax.returncode == 1 and "lib/helper.py does not compile" in syntax.stderr


class _Cut(OSError):
    pass


def _link_with_budget(monkeypatch, budget=None, log=None, step=None):
    """Deploy's Link, but its serial line dies after `budget` more bytes (None: never), like a
    pulled cable; with `step`, the budget counts from the start of that step (an exec's `what`).
    `log` collects (what, bytes sent before that step) of each exec, and ("end", total)."""
    original = deploy_mod.Link.__init__

    def init(self, port):
        original(self, port)
        ser = self.transport.serial
        write = ser.write
        sent = [0]
        limit = [budget if step is None else None]

        def cut_write(data):
            if limit[0] is not None and sent[0] + len(data) > limit[0]:
                write(data[: max(0, limit[0] - sent[0])])
                sent[0] = limit[0]
                raise _Cut("link cut")
            sent[0] += len(data)
            return write(data)

        ser.write = cut_write
        exec_, close = self.exec, self.close

        def logged(code, what):
            if log is not None:
                log.append((what, sent[0]))
            if what == step:
                limit[0] = sent[0] + budget
            return exec_(code, what)

        def logged_close():
            if log is not None:
                log.append(("end", sent[0]))
            close()

        self.exec, self.close = logged, logged_close

    monkeypatch.setattr(deploy_mod.Link, "__init__", init)


@pytest.mark.slow
def test_interrupted_deploys_leave_a_bootable_app(virt_m4_fw, tmp_path, monkeypatch):
    """24 deploys interrupted at random moments, then the board reset (machine.reset) or its power
    cut (QEMU killed and restarted): 12 times the deploy process is killed at a random time (its
    link closes) or the power goes during the deploy; 12 times the link dies at a random byte
    offset: anywhere, inside the commit, or inside the switch after the commit. After each, a
    reboot runs either the old or the new app, never a mix, with the user data intact (and the new
    one whenever the commit was made); a later deploy finishes the job."""
    seed = int(os.environ.get("TINYDEV_DEPLOY_SEED", "8"))
    rnd = random.Random(seed)
    base = tmp_path / "vb"
    from tinydev.link.mpycross import _candidates

    env = {**os.environ, "TINYDEV_MPY_CROSS": str(next(p for p in _candidates() if p.is_file()))}
    apps = {v: make_app(tmp_path / v, v, blob_size=6000) for v in "AB"}
    info = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=base)

    def power_cycle():
        qemu.stop("VIRT_M4", base=base)  # SIGTERM (then SIGKILL) to QEMU: the power is gone
        return qemu.start("VIRT_M4", firmware=virt_m4_fw, base=base)

    try:
        put_user_data(info.port)
        deploy(apps["A"], port=info.port, progress=False)
        # Calibration: how long a full switch takes through the CLI, and at which byte offsets of
        # an in-process switch the commit and the switch happen.
        began = time.monotonic()
        done = _cli("deploy", "--port", info.port, str(apps["B"]), env=env)
        assert done.returncode == 0, done.stderr
        full = time.monotonic() - began
        log = []
        _link_with_budget(monkeypatch, None, log)
        deploy(apps["A"], port=info.port, progress=False)
        offsets = dict(log)
        commit, switch, total = offsets["committing"], offsets["switching to the new app"], offsets["end"]
        current = "A"
        outcomes = []
        for trial in range(24):
            target = "A" if current == "B" else "B"
            if trial < 12:
                mode = ("kill", "kill+power", "power")[trial % 3]
                at = rnd.uniform(0.2, full * 0.9)
                proc = subprocess.Popen(TINYDEV + ["deploy", "--json", "--port", info.port, str(apps[target])],
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
                time.sleep(at)
                if mode == "power":
                    qemu.stop("VIRT_M4", base=base)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.communicate()
                finished = proc.returncode == 0
                if mode != "kill":
                    info = power_cycle() if mode == "kill+power" else qemu.start("VIRT_M4", firmware=virt_m4_fw, base=base)
                where = f"{at:.2f} s"
            else:
                mode = "cut+power" if trial % 2 else "cut+reset"
                # A third anywhere, a third inside the commit's exec, a third inside the switch
                # after the commit (there the deploy breaks and the next boot must finish it).
                step, at = [(None, rnd.uniform(0, total)), ("committing", rnd.uniform(0, switch - commit)),
                            ("switching to the new app", rnd.uniform(0, 0.9 * (total - switch)))][trial % 3]
                at = int(at)
                _link_with_budget(monkeypatch, at, step=step)
                try:
                    deploy(apps[target], port=info.port, progress=False)
                    finished = True
                except TinydevError:
                    finished = False
                monkeypatch.undo()
                time.sleep(rnd.uniform(0, 0.3))  # the board may still be busy with what it received
                if mode == "cut+power":
                    info = power_cycle()
                where = f"byte {at} of {step}" if step else f"byte {at} of {total}"
            line = boot_line(info.port)
            assert line in (expected(current), expected(target)), \
                f"trial {trial} ({mode} at {where}, seed {seed}): the board booted {line}"
            if finished:
                assert line == expected(target), f"trial {trial}: the deploy finished but the old app boots"
            outcomes.append((mode, where, f"to {target}", "done" if finished else "broken", "new" if line == expected(target) else "old"))
            current = line[0]
        print("\ninterrupted deploys (mode, where, deploy, app after reboot):")
        for outcome in outcomes:
            print("  ", outcome)
        broken = [o for o in outcomes if o[3] == "broken"]
        assert len(broken) >= 20, f"only {len(broken)} of the deploys were interrupted: {outcomes}"
        assert {o[4] for o in broken} == {"old", "new"}, f"the interruptions never hit both sides of the commit: {outcomes}"
        after_commit = [o for o in outcomes if "switching" in o[1]]
        assert after_commit and all(o[3:] == ("broken", "new") for o in after_commit), \
            f"a deploy broken after its commit must be finished by the next boot: {after_commit}"
        # Afterwards a deploy completes and cleans up whatever the interruptions left.
        deploy(apps["A"], port=info.port, progress=False)
        assert boot_line(info.port) == expected("A")
        files = snapshot(info.port)
        assert not [p for p in files if p.startswith("/.tinydev/stage/") or p == "/.tinydev/commit"], files
    finally:
        qemu.stop("VIRT_M4", base=base)
