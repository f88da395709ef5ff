"""Simulation side of the virtual boards: a stand-in I2C bus and Pin for the unix port, and
device emulators (register maps fed by replay files) that the real drivers talk to unchanged."""
