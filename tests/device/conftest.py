"""Fixtures for tests on the virtual boards: a running VIRT_M4 and a way to talk to it."""
import pytest

from board_link import mpremote
from tinydev.vboard import qemu


@pytest.fixture(scope="session")
def vboard_base(tmp_path_factory):
    """A private state folder (disk image, pid file) so tests never touch the user's board."""
    return tmp_path_factory.mktemp("vboard")


@pytest.fixture(scope="session")
def vboard(virt_m4_fw, vboard_base):
    """A running VIRT_M4 board for the whole session; stopped at the end."""
    info = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=vboard_base)
    yield info
    qemu.stop("VIRT_M4", base=vboard_base)


@pytest.fixture
def run_on_board(vboard):
    """Run MicroPython source on the VIRT_M4 board and return what it printed."""
    def run(source, timeout=120):
        return mpremote(vboard.port, "exec", source, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def fast_vboard(virt_m4_fw, tmp_path_factory):
    """A VIRT_M4 board of its own with `-icount shift=0,sleep=off`, for one test module: idle time
    passes at once, so virtual time never depends on the host's load. Tests whose emulated
    peripherals run on the virtual clock (I2S at 16 kHz) need it: on the real-time board a busy
    host can stall QEMU while the guest idles, and QEMU then moves the virtual clock past the next
    DMA block (one block lost, seen in a CI rehearsal). While the board waits for input QEMU spins
    one host core, so it is stopped with its module."""
    base = tmp_path_factory.mktemp("vboard_fast")
    info = qemu.start("VIRT_M4", firmware=virt_m4_fw, base=base, fast_idle=True)
    yield info
    qemu.stop("VIRT_M4", base=base)
