"""The MicroPython side of `tinydev deploy`: the recovery code /boot.py starts with, and the helper
functions deploy defines on the board once per connection (hashing, staged writes, the commit)."""

STATE = "/.tinydev"
STAGE = STATE + "/stage"
COMMIT = STATE + "/commit"
MANIFEST = STATE + "/manifest.json"

# Finishes a committed deploy; the first thing /boot.py runs, and what deploy itself runs after
# the commit. Idempotent: a rename whose source is gone was done already.
RECOVER = """# tinydev deploy: finish a committed deploy before anything else runs (docs/deploy.md)
def _tdr():
    import os, micropython
    try:
        f = open('/.tinydev/commit')
    except OSError:
        return
    with f:
        j = f.read()
    micropython.kbd_intr(-1)  # a Ctrl-C must not stop it half way (it would be redone, but later)
    try:
        for l in j.split('\\n'):
            a = l.split('\\t')
            try:
                if a[0] == 'R':
                    os.rename(a[1], a[2])
                elif a[0] == 'D':
                    os.remove(a[1])
            except OSError:
                pass
        os.remove('/.tinydev/commit')
    finally:
        micropython.kbd_intr(3)
_tdr()
del _tdr
# --- end of tinydev deploy recovery; the app's boot.py follows ---
"""
STUB_MARKER = "# tinydev deploy: finish a committed deploy"

PRELUDE = """import os, sys, hashlib, binascii, json
try:
    import io, deflate
except ImportError:
    deflate = None
def _td_h(p):
    try:
        f = open(p, 'rb')
    except OSError:
        return None
    h = hashlib.sha256()
    b = bytearray(2048)
    m = memoryview(b)
    with f:
        while True:
            n = f.readinto(b)
            if not n:
                break
            h.update(m[:n])
    return binascii.hexlify(h.digest()).decode()
def _td_hs(ps):
    print(json.dumps([_td_h(p) for p in ps]))
def _td_rd(p):
    try:
        with open(p) as f:
            return f.read()
    except OSError:
        return None
def _td_ls(d):
    try:
        return [d + '/' + e[0] for e in os.ilistdir(d)]
    except OSError:
        return []
def _td_mk(p):
    d = ''
    for c in p.split('/')[1:-1]:
        d += '/' + c
        try:
            os.stat(d)
        except OSError:
            os.mkdir(d)
def _td_put(p, s, z, a):
    d = binascii.a2b_base64(s)
    if z:
        d = deflate.DeflateIO(io.BytesIO(d), deflate.ZLIB).read()
    with open(p, 'ab' if a else 'wb') as f:
        f.write(d)
def _td_probe():
    try:
        import tinydev
        os.stat(tinydev.__file__)
        fw = False
    except ImportError:
        fw = False
    except (OSError, AttributeError):
        fw = True
    print(json.dumps({'mpy': getattr(sys.implementation, '_mpy', 0), 'sha': hasattr(hashlib, 'sha256'),
        'deflate': deflate is not None, 'framework': fw, 'manifest': _td_rd('%(manifest)s'),
        'commit': _td_rd('%(commit)s') is not None, 'stage': _td_ls('%(stage)s'),
        'stub': '%(marker)s' in (_td_rd('/boot.py') or '')}))
def _td_stub(s):
    b = _td_rd('/boot.py') or ''
    _td_mk('%(state)s/x')
    with open('%(state)s/boot.tmp', 'w') as f:
        f.write(s)
        f.write(b)
    os.rename('%(state)s/boot.tmp', '/boot.py')
def _td_commit(j):
    with open('%(commit)s.tmp', 'w') as f:
        f.write(j)
    os.rename('%(commit)s.tmp', '%(commit)s')
def _td_model(t, j):
    try:
        w = json.loads(_td_rd(j))['sha256']
    except Exception as e:
        w = 'unreadable manifest: %%r' %% e
    print(json.dumps([_td_h(t), w]))
""" % {"manifest": MANIFEST, "commit": COMMIT, "stage": STAGE, "state": STATE, "marker": STUB_MARKER}  # noqa: UP031
