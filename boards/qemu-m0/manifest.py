# Frozen modules: _boot (mounts the flash filesystem), asyncio and the device-side tinyml package.
module("_boot.py")
include("$(MPY_DIR)/extmod/asyncio")
include("../../device/manifest.py")
