# Frozen into every tinydev firmware: the device framework and asyncio (from the MicroPython tree,
# so no micropython-lib `require()` is needed).
include("$(MPY_DIR)/extmod/asyncio")
freeze("../device", "tinydev")
