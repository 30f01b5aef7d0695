# Frozen modules for the Pico: what ports/rp2/boards/manifest.py freezes (the port's modules/,
# asyncio) and the device-side tinyml package. Not frozen: onewire, ds18x20, dht and neopixel,
# which come from micropython-lib, absent from Debian's MicroPython source (boards/README.md).
freeze("$(PORT_DIR)/modules")
include("$(MPY_DIR)/extmod/asyncio")
include("../../device/manifest.py")
