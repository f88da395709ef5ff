"""The demo's upload on VIRT_M4: base64 chunks to a temporary name, checked by sha256 on the board,
renamed; files the board already holds are not sent again."""
import hashlib
import json
import os
import shutil
from pathlib import Path

from board_link import mpremote
from tinydev.demo.run import upload

REPO = Path(__file__).resolve().parents[2]
REMOTE = ("/models/vibration.tflite", "/models/vibration.json", "/replay/vibration.bin", "/replay/vibration.json")


def board_sha(port, path):
    code = (f"import hashlib, binascii\nf = open({path!r}, 'rb')\nprint(binascii.hexlify(hashlib.sha256(f.read()).digest()).decode())")
    return mpremote(port, "exec", code).strip()


def test_upload_sends_checks_and_skips(vboard, tmp_path):
    port = vboard.port
    model = tmp_path / "m.tflite"
    shutil.copy(REPO / "models" / "vibration" / "vibration.tflite", model)
    shutil.copy(REPO / "models" / "vibration" / "vibration.json", model.with_suffix(".json"))
    replay = tmp_path / "r.bin"
    replay.write_bytes(os.urandom(20_000) + bytes(range(256)) * 4)  # every byte value; a partial last chunk
    replay.with_suffix(".json").write_text(json.dumps({"sample_rate": 1600, "segments": []}))
    removal = f"import os\nfor p in {REMOTE!r}:\n try: os.remove(p)\n except OSError: pass"
    mpremote(port, "exec", removal)

    sent = upload(port, model, replay)
    local = (model, model.with_suffix(".json"), replay, replay.with_suffix(".json"))
    assert sent == [(r, f.stat().st_size) for r, f in zip(REMOTE, local)]
    for remote, path in zip(REMOTE, local):
        assert board_sha(port, remote) == hashlib.sha256(path.read_bytes()).hexdigest(), remote
    listing = mpremote(port, "exec", "import os\nprint(os.listdir('/replay'), os.listdir('/models'))")
    assert ".tmp" not in listing

    assert upload(port, model, replay) == [(r, 0) for r in REMOTE]

    data = bytearray(replay.read_bytes())
    data[1000] ^= 0xFF
    replay.write_bytes(bytes(data))
    sent = upload(port, model, replay)
    assert [n for _, n in sent] == [0, 0, len(data), 0]
    assert board_sha(port, "/replay/vibration.bin") == hashlib.sha256(data).hexdigest()
