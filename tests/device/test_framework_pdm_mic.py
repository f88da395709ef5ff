"""PDM mic driver (tinydev.drivers.pdm_mic + tinyml.dsp.PDM) on the emulated PDM mic
(tinydev.sim.pdm_mic, a .pdm replay made on the host by tinydev.pdm's sigma-delta modulator), on
UNIX (the I2S stand-in, IRQ mode) and VIRT_M4 (machine.I2S, asyncio stream mode): the driver's
audio is the numpy twin's decoding of the replay bit for bit, and the replayed WAV's audio (SNR
against the WAV through the decoder's linear filters, correlation against the WAV itself);
a stuck-high and a dropped (all-zero) data line are reported as faults and recovered from."""
import json

import numpy as np
import pytest
from mic_util import DEVICE, upload, write_wav
from test_framework_util import run_unix
from tinydev import pdm

CHECKS = (DEVICE.parent / "tests" / "device" / "pdm_checks.py").read_text()
RATE = 16000
FAULTS = [["stuck", 0.6, 0.9], ["drop", 1.2, 1.5]]


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    rng = np.random.default_rng(9)
    t = np.arange(int(2.8 * RATE)) / RATE
    x = (5000 * np.sin(2 * np.pi * 300 * t) + 3000 * np.sin(2 * np.pi * 1100 * t + 1)
         + 2000 * np.sin(2 * np.pi * 2500 * t) * (t > 1.0) + rng.normal(0, 300, len(t)))
    d = tmp_path_factory.mktemp("pdm")
    wav = write_wav(d / "mic.wav", x)
    pcm = np.round(np.clip(x, -32768, 32767))
    data = pdm.encode(pcm)
    path = pdm.write_replay(d / "mic.pdm", data, RATE * 64)
    return {"wav": wav, "pdm": path, "pcm": pcm, "twin": pdm.decode(data), "ref": pdm.reference(pcm)}


def _parse(text):
    segs, result = {}, None
    for line in text.splitlines():
        if line.startswith("@SEG "):
            _, name, pos, *hx = line.split(" ")
            segs.setdefault(name, []).append((int(pos), np.frombuffer(bytes.fromhex(hx[0] if hx else ""), "<i2")))
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    assert result is not None, text[-3000:]
    return segs, result


def _events(r, kind, what):
    return [e for e in r["events"] if e[0] == kind and e[1] == what]


def _check(text, replay, secs, block):
    segs, r = _parse(text)
    twin, ref, pcm = replay["twin"], replay["ref"], replay["pcm"]
    block_ms = block * 1000 // RATE

    # clean stream: one run from the start, equal to the twin bit for bit, and the WAV's audio
    c = r["clean"]
    assert c["type"] == "PDMMic"
    assert c["stats"]["lost"] == 0 and c["stats"]["faults"] == 0, c["stats"]
    (pos, y), = segs["clean"]
    assert pos == 0 and len(y) >= 0.8 * secs * RATE, (pos, len(y))
    n = min(len(y), len(twin))
    assert np.array_equal(y[:n], twin[:n]), np.flatnonzero(y[:n] != twin[:n])[:5]
    e = y[200:n] - ref[200:n]
    snr = 10 * np.log10(np.mean(ref[200:n] ** 2) / np.mean(e ** 2))
    corr = max(np.corrcoef(y[200 + lag:n], pcm[200:n - lag])[0, 1] for lag in range(4))
    print(f"PDM driver: {n} samples bit-exact with the twin; SNR {snr:.1f} dB vs the ideal decimation, "
          f"correlation {corr:.4f} with the WAV")
    assert snr >= 40 and corr >= 0.97, (snr, corr)

    # faults: stuck high, then no data; each reported once (in stream time) and recovered
    f = r["faults"]
    for kind, (what, a, b) in zip(("stuck", "nodata"), FAULTS):
        ev = _events(f, "fault", kind)
        assert len(ev) == 1, f["events"]
        assert a * 1000 <= ev[0][2] <= a * 1000 + 64 + 2 * block_ms + 40, (kind, ev, f["events"])
        rec = _events(f, "recovered", kind)
        assert len(rec) == 1 and b * 1000 <= rec[0][2] <= b * 1000 + 2 * block_ms + 300, (kind, f["events"])
    assert f["stats"]["reinits"] >= 1 and f["sim"]["stuck"] > 0 and f["sim"]["dropped"] > 0, f
    # audio after the last fault is the WAV again (the decimator restarts with the I2S re-init)
    pos, y = segs["faults"][-1]
    assert len(y) > 0.6 * RATE, [(p, len(s)) for p, s in segs["faults"]]
    # skip 0.25 s: the block where the dropout ended holds its tail, and the DC blocker's step
    # response to it (-full scale back to the signal) decays with a 64 ms time constant
    y = y[RATE // 4:].astype(np.float64)
    lo = int(FAULTS[-1][2] * RATE) + RATE // 4 - 4 * block
    ref_part = pcm[lo:lo + len(y) + 8 * block]
    cc = np.correlate(ref_part - ref_part.mean(), y - y.mean(), "valid")
    k = int(np.argmax(cc))
    corr = np.corrcoef(y, ref_part[k:k + len(y)])[0, 1]
    assert corr >= 0.97, (corr, k, [(p, len(s)) for p, s in segs["faults"]])


def test_pdm_mic_unix(unix_fw, replay, tmp_path):
    script = tmp_path / "checks.py"
    script.write_text(f"PDM = {str(replay['pdm'])!r}\nSECS = 2.6\nFAULTS = {FAULTS!r}\n" + CHECKS)
    p = run_unix(unix_fw, script, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    # UNIX profile: ibuf 32768 x 2 bytes = 8192 PCM samples, DMA block 2048
    _check(p.stdout, replay, 2.6, 2048)


@pytest.mark.slow
def test_pdm_mic_virt_m4(fast_vboard, replay, tmp_path):
    vboard = fast_vboard
    from board_link import mpremote
    mpremote(vboard.port, "fs", "mkdir", ":/replay", check=False)
    upload(vboard.port, replay["pdm"], "/replay/mic.pdm")
    script = tmp_path / "checks.py"
    script.write_text(f"PDM = '/replay/mic.pdm'\nSECS = 2.6\nFAULTS = {FAULTS!r}\n" + CHECKS)
    # VIRT_M4 profile: ibuf 8192 x 2 bytes = 2048 PCM samples, DMA block 512
    _check(mpremote(vboard.port, "run", str(script), timeout=600), replay, 2.6, 512)


XIAO_CHECK = """
import sys, json
class Pin:
    def __init__(self, n, *a):
        self.n = n
class I2S:
    RX = 0
    MONO = 0
    STEREO = 1
    made = []
    def __init__(self, id, **kw):
        kw = dict(kw)
        for k in ("sck", "ws", "sd"):
            kw[k] = kw[k].n
        I2S.made.append([id, kw])
    def irq(self, h):
        pass
    def deinit(self):
        pass
class machine:
    pass
machine.Pin = Pin
machine.I2S = I2S
sys.modules["machine"] = machine
from tinydev.board import Board
mic = Board("xiao_esp32s3_sense").mic(shift=12)
mic.init()
print("RESULT " + json.dumps({"type": type(mic).__name__, "i2s": I2S.made, "slot": mic.slot,
                              "block": mic.block, "rate": mic.rate, "ibuf_frames": mic.ibuf_frames}))
"""


def test_xiao_profile_pdm_i2s_config(unix_fw, tmp_path):
    """The XIAO ESP32S3 Sense's mic(): machine.I2S(0) RX, 16-bit stereo at 32 kHz (1.024 MHz bit
    clock) with sck = CLK GPIO42, sd = DATA GPIO41, ws = GPIO46 (a stand-in machine module)."""
    script = tmp_path / "xiao.py"
    script.write_text(XIAO_CHECK)
    p = run_unix(unix_fw, script, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    r = next(json.loads(ln[7:]) for ln in p.stdout.splitlines() if ln.startswith("RESULT "))
    assert r["type"] == "PDMMic" and r["rate"] == 16000 and r["slot"] == 8
    assert r["i2s"] == [[0, {"sck": 42, "ws": 46, "sd": 41, "mode": 0, "bits": 16, "format": 1,
                             "rate": 32000, "ibuf": 32768}]]
    assert r["ibuf_frames"] == 4096 and r["block"] == 1024      # 256 ms of DMA, 64 ms blocks
