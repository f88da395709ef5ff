"""Virtual boards: the VIRT_M4 firmware on QEMU (mps2-an386) with its serial on a pty."""
