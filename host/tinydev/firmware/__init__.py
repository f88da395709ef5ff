"""Firmware: get MicroPython, patch a port for a board, build it, flash it."""
