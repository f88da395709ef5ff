# Frozen into VIRT_M4 firmware: asyncio and the tinydev device framework.
include("../manifest_common.py")
