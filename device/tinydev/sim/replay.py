# Replay files: raw int16 little-endian, axes interleaved (x0 y0 z0 x1 ...), at the sensor's
# scale, with a JSON sidecar (same name, .json): {"sample_rate", "lsb_per_g", "axes",
# "samples", "segments": [{"start", "end", "kind"}]} (start/end: sample indices, end exclusive).
# Read in small chunks so a long replay never has to fit in RAM.
import json
import struct

_CHUNK = 256   # samples per read


def sidecar_path(path):
    i = path.rfind(".")
    return (path[:i] if i > path.rfind("/") else path) + ".json"


class Replay:
    def __init__(self, path, meta=None, loops=1, gap_s=0):
        if meta is None:
            with open(sidecar_path(path)) as f:
                meta = json.load(f)
        self.meta = meta
        self.rate = meta["sample_rate"]
        self.lsb_per_g = meta.get("lsb_per_g", 16384)
        self.axes = meta.get("axes", 3)
        self.segments = meta.get("segments", [])
        self._f = open(path, "rb")
        self._f.seek(0, 2)
        self.frame = 2 * self.axes
        self.n_file = self._f.tell() // self.frame
        # played `loops` times back to back (soak runs), each time followed by gap_s of a
        # machine at rest (gravity on z and ~1 mg of noise): one event a minute without a
        # minute of file
        self.loops = loops
        self.n_gap = int(gap_s * self.rate)
        self.n_loop = self.n_file + self.n_gap
        self.n = self.n_loop * loops
        self._seed = 12345
        self._buf = bytearray(_CHUNK * self.frame)
        self._first = -_CHUNK - 1
        self._have = 0

    @property
    def duration(self):
        return self.n / self.rate

    def sample(self, i):
        """(x, y, z) counts of sample i (axes beyond the file's are 0)."""
        if i >= self.n_file:
            i %= self.n_loop
            if i >= self.n_file:
                return self._still()
        off = i - self._first
        if off < 0 or off >= self._have:
            self._f.seek(i * self.frame)
            self._have = self._f.readinto(self._buf) // self.frame
            self._first = i
            off = 0
            if self._have == 0:
                return (0, 0, 0)
        b = off * self.frame
        if self.axes >= 3:
            return struct.unpack_from("<hhh", self._buf, b)
        v = struct.unpack_from("<" + "h" * self.axes, self._buf, b)
        return tuple(v) + (0,) * (3 - self.axes)

    def _still(self):
        # a small LCG: up to +-1.5 mg of noise per axis
        amp = self.lsb_per_g // 667 + 1
        m = 2 * amp + 1
        r1 = (self._seed * 1103515245 + 12345) & 0x7FFFFFFF
        r2 = (r1 * 1103515245 + 12345) & 0x7FFFFFFF
        r3 = (r2 * 1103515245 + 12345) & 0x7FFFFFFF
        self._seed = r3
        return ((r1 >> 16) % m - amp, (r2 >> 16) % m - amp, (r3 >> 16) % m - amp + self.lsb_per_g)

    def kind_at(self, t):
        """Segment kind at t seconds (segment start/end are sample indices)."""
        i = int(t * self.rate) % self.n_loop
        if i >= self.n_file:
            return "still"
        for s in self.segments:
            if s["start"] <= i < s["end"]:
                return s["kind"]
        return None

    def close(self):
        self._f.close()
