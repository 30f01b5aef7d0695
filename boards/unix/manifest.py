# Frozen modules for the unix firmware: asyncio and the device-side tinyml package.
include("$(MPY_DIR)/extmod/asyncio")
include("../../device/manifest.py")
