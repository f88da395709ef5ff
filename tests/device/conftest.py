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
