"""Board profiles: one module per board, plain data (bus, pins, sensor parts). See tinydev.board."""
