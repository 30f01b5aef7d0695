# Frozen modules: _boot (mounts the RAM filesystem), asyncio and the device-side tinyml package.
module("_boot.py", base_path="../qemu_common")
include("$(MPY_DIR)/extmod/asyncio")
include("../../device/manifest.py")
