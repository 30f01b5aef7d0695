# Runs after every (soft) reset: mounts littlefs at "/" on the last 1280 KB of the nRF51's flash
# (boards/qemu-m0/nrf51_2m.ld), as the rp2 port mounts its flash. QEMU keeps the flash until it
# stops; the first boot finds it blank and formats it.
import sys

import _board
import uctypes
import vfs

_PAGE = 1024  # the nRF51 erases 1 KB pages


class _FlashBlockDev:
    def __init__(self, block_size):
        self.start, size = _board.flash_fs()
        self.erase, self.program = _board.flash_erase, _board.flash_write
        self.mem = memoryview(uctypes.bytearray_at(self.start, size))
        self.block_size = block_size
        self.count = size // block_size

    def readblocks(self, block, buf, offset=0):
        a = block * self.block_size + offset
        buf[:] = self.mem[a : a + len(buf)]

    def writeblocks(self, block, buf, offset=None):
        if offset is None:  # the simple interface: erase, then program whole blocks
            for b in range(len(buf) // self.block_size):
                self.ioctl(6, block + b)
            offset = 0
        self.program(self.start + block * self.block_size + offset, buf)

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.count
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase a block
            a = self.start + arg * self.block_size
            for p in range(a, a + self.block_size, _PAGE):
                self.erase(p)
            return 0
        return None


def _mount():
    bdev = _FlashBlockDev(4096)
    # The rp2 port's littlefs settings (progsize 256), with reads of the same size.
    opts = {"readsize": 256, "progsize": 256, "lookahead": 32}
    try:
        fs = vfs.VfsLfs2(bdev, **opts)
    except OSError:
        vfs.VfsLfs2.mkfs(bdev, **opts)
        fs = vfs.VfsLfs2(bdev, **opts)
    vfs.mount(fs, "/")


_mount()
if "/lib" not in sys.path:  # as on the rp2 port, for `mpremote mip install`
    sys.path.append("/lib")
del _mount, _FlashBlockDev, _board, sys, uctypes, vfs
