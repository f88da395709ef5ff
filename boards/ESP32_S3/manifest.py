# The esp32 port's own boot modules (filesystem setup), plus the tinydev framework and asyncio.
# No require(): the build must not need micropython-lib.
freeze("$(PORT_DIR)/modules")
include("../manifest_common.py")
