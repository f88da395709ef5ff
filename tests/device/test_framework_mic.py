"""I2S MEMS mic driver (tinydev.drivers.i2s_mic) against its emulator (tinydev.sim.i2s_mic), on
UNIX (the pure-Python I2S stand-in, IRQ-callback mode) and VIRT_M4 (machine.I2S with the emulator
attached, asyncio stream mode): wire format and exact int16 conversion, streaming into the ring
with no gap, an event-loop stall (I2S overrun) reported and the stream realigned, injected faults
(dropped data, stuck samples, a stopped clock) reported and recovered, and the sound-energy gate."""
import json

import numpy as np
import pytest

from mic_util import DEVICE, upload, write_wav
from test_framework_util import run_unix

CHECKS = (DEVICE.parent / "tests" / "device" / "mic_checks.py").read_text()
QUIET, LOUD = (0.0, 1.5), (1.5, 3.0)      # the replay: quiet noise, loud tone + noise, quiet


@pytest.fixture(scope="module")
def wav(tmp_path_factory):
    rng = np.random.default_rng(5)
    n = 16000 * 6
    t = np.arange(n) / 16000
    x = rng.normal(0, 30, n)                                        # -60 dBFS noise floor
    loud = (t >= LOUD[0]) & (t < LOUD[1])
    x[loud] += rng.normal(0, 6000, loud.sum()) + 8000 * np.sin(2 * np.pi * 440 * t[loud])
    return write_wav(tmp_path_factory.mktemp("mic") / "mic.wav", x)


def _result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError("no RESULT line in:\n" + text)


def _events(r, kind, what=None):
    return [e for e in r["events"] if e[0] == kind and (what is None or e[1] == what)]


def _check(out, mode, block, stall_ms, noclk):
    block_ms = block * 1000 // 16000
    f = out["format"]
    assert f["low8_zero"] and f["top16_is_wav"], f       # 24-bit left-justified, top 16 = the WAV
    assert f["sub_lsb_nonzero"] > 950, f                  # the 8 bits below carry detail
    assert out["format16"]
    for shift, c in out["convert"].items():
        assert c["bad"] == 0 and c["lost"] == 0, (shift, c)  # sat16(slot >> shift), bit for bit
    assert out["convert"]["16"]["wav_bad"] == 0

    s = out["stream"]
    assert s["mode"] == mode
    assert len(s["segments"]) == 1 and s["segments"][0][0] == 0 and s["segments"][0][2] == 0, s["segments"]
    assert s["segments"][0][1] >= 0.8 * 2.5 * 16000 and s["segments"][0][3] == 0 and s["segments"][0][4] == 0
    st = s["stats"]
    assert st["lost"] == 0 and st["ring_dropped"] == 0 and st["overflows"] == 0 and st["faults"] == 0, st

    o = out["overflow"]
    ov = _events(o, "fault", "overflow")
    assert len(ov) == 1 and "I2S overrun" in ov[0][3], o["events"]
    assert _events(o, "recovered", "overflow")
    assert not _events(o, "fault", "nodata"), o["events"]    # a stalled loop is not a dead mic
    lost, skipped = o["stats"]["lost"], o["sim"]["skipped"]
    assert skipped > 0.5 * stall_ms * 16 and abs(lost - skipped) <= 64, (lost, skipped)
    (p0, n0, a0, m0, u0), (p1, n1, a1, m1, u1) = o["segments"]
    assert p0 == a0 == 0 and m0 == 0 and u0 == 0
    assert abs(p1 - a1) <= 64 and m1 == 0 and u1 == 0 and n1 > 8000, o["segments"]  # realigned, no gap after

    r = out["faults"]
    nd = _events(r, "fault", "nodata")
    assert len(nd) == 1 and 1000 <= nd[0][2] <= 1000 + 64 + 2 * block_ms + 40, r["events"]
    rec = _events(r, "recovered", "nodata")
    assert len(rec) == 1 and 1600 <= rec[0][2] <= 1600 + 2 * block_ms + 40, r["events"]
    sk = _events(r, "fault", "stuck")
    assert len(sk) == 1 and 2200 <= sk[0][2] <= 2200 + 64 + 2 * block_ms + 40, r["events"]
    rs = _events(r, "recovered", "stuck")
    assert len(rs) == 1 and 2500 <= rs[0][2] <= 2500 + 2 * block_ms + 40, r["events"]
    assert r["stats"]["reinits"] >= 1                       # the 600 ms dropout re-initialised the I2S
    assert r["stats"]["lost"] == 0
    for seg in r["segments"]:
        assert seg[2] is not None and seg[3] == 0, r["segments"]   # live audio only, no gaps
        assert seg[4] <= block, r["segments"]                    # at most a boundary block unplaced
    assert len(r["segments"]) == 3, r["segments"]            # before, between and after the faults

    if noclk:
        c = out["noclk"]
        nd = _events(c, "fault", "nodata")
        assert len(nd) == 1 and "no I2S frames" in nd[0][3], c["events"]
        assert _events(c, "recovered", "nodata"), c["events"]
        assert all(seg[3] == 0 and seg[2] is not None for seg in c["segments"]), c["segments"]

    g = out["gate"]
    op, cl = _events(g, "gate", True), _events(g, "gate", False)
    assert len(op) == 1 and LOUD[0] * 1000 <= op[0][2] <= LOUD[0] * 1000 + block_ms + 40, g["events"]
    assert len(cl) == 1 and LOUD[1] * 1000 + 500 <= cl[0][2] <= LOUD[1] * 1000 + 500 + 2 * block_ms + 40, g["events"]
    assert g["closed_max"] <= 4000 and g["stats"]["trimmed"] > 0       # only the pre-roll is kept
    (pos, n, at, mism, unloc), = g["segments"]
    assert pos == at and mism == 0 and unloc == 0
    # the consumer's audio starts with the pre-roll before the sound and runs to the gate closing
    assert LOUD[0] * 16000 - 4000 - block <= pos <= LOUD[0] * 16000 - 4000 + block, pos
    assert pos + n >= (LOUD[1] + 0.5) * 16000 - block, (pos, n)


def test_mic_driver_unix(unix_fw, wav, tmp_path):
    script = tmp_path / "checks.py"
    script.write_text(f"WAV = {str(wav)!r}\nSTALL_MS = 1200\nNOCLK = True\nRADIUS = 8192\n" + CHECKS)
    p = run_unix(unix_fw, script, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    # UNIX profile: ibuf 32768 bytes = 8192 slots, DMA block 2048
    _check(_result(p.stdout), "irq", 2048, 1200, True)


@pytest.mark.slow
def test_mic_driver_virt_m4(fast_vboard, wav, tmp_path):
    vboard = fast_vboard
    from board_link import mpremote
    mpremote(vboard.port, "fs", "mkdir", ":/replay", check=False)
    upload(vboard.port, wav, "/replay/mic.wav")
    script = tmp_path / "checks.py"
    script.write_text("WAV = '/replay/mic.wav'\nSTALL_MS = 600\nNOCLK = False\nRADIUS = 2048\n" + CHECKS)
    # VIRT_M4 profile: ibuf 8192 bytes = 2048 slots, DMA block 512 (32 ms)
    _check(_result(mpremote(vboard.port, "run", str(script), timeout=300)), "stream", 512, 600, False)
