"""tinydev: TinyML on MicroPython microcontrollers, host side."""

__version__ = "0.1.0"
