"""tinydev device framework: board profiles, drivers, events, alarms (frozen into the firmware)."""

__version__ = "0.1.0"
