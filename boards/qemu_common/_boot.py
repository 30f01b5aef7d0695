# Runs after every (soft) reset: mounts littlefs on a RAM block device at "/", and puts "/lib"
# on sys.path as a board's port does, so `mpremote mip install` finds where packages go.
# The RAM disk is the MPS2 SSRAM2/3 (4 MB at 0x20000000), outside the GC heap, so files survive
# soft resets and last until the emulator stops; the first boot finds it blank and formats it.
import sys

import uctypes
import vfs


class _RAMBlockDev:
    def __init__(self, addr, size, block_size):
        self.mem = memoryview(uctypes.bytearray_at(addr, size))
        self.block_size = block_size
        self.count = size // block_size

    def readblocks(self, block, buf, offset=0):
        a = block * self.block_size + offset
        buf[:] = self.mem[a : a + len(buf)]

    def writeblocks(self, block, buf, offset=0):
        a = block * self.block_size + offset
        self.mem[a : a + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.count
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase: nothing to do for RAM
            return 0
        return None


def _mount():
    bdev = _RAMBlockDev(0x20000000, 4 * 1024 * 1024, 4096)
    # Whole-block reads and writes: littlefs's 32-byte default costs a Python call per 32 bytes.
    opts = {"readsize": 4096, "progsize": 4096, "lookahead": 128}
    try:
        fs = vfs.VfsLfs2(bdev, **opts)
    except OSError:
        vfs.VfsLfs2.mkfs(bdev, **opts)
        fs = vfs.VfsLfs2(bdev, **opts)
    vfs.mount(fs, "/")


_mount()
if "/lib" not in sys.path:
    sys.path.append("/lib")
del _mount, _RAMBlockDev, sys, uctypes, vfs
