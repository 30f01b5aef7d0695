# Frozen modules for the stock qemu-m0 firmware (the _tinyml .mpy is loaded from the
# filesystem): only _boot.py, which mounts the flash filesystem.
module("_boot.py")
