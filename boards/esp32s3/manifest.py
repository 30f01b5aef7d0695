# Frozen modules for ESP32-S3 firmware: everything the esp32 port freezes by itself (_boot,
# inisetup, asyncio, networking, neopixel, ...) plus the device-side tinyml package.
include("$(PORT_DIR)/boards/manifest.py")
include("../../device/manifest.py")
