# Shared settings for the out-of-tree MPS2 boards (qemu-m7, qemu-m4) of MicroPython's ports/qemu.
# Included from $(BOARD_DIR)/mpconfigboard.mk after the CPU flags are set.

TINYML_QEMU_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

QEMU_ARCH = arm
CFLAGS += -mthumb -DQEMU_SOC_MPS2
CFLAGS += -DMP_CONFIGFILE='"$(TINYML_QEMU_DIR)/mpconfigport_tinyml.h"'
# No fused multiply-add: float32 kernels must round like the host build (and TFLite) does.
CFLAGS += -ffp-contract=off

# Code, data and stack live in the 4 MB SSRAM1 at 0x0; the GC heap takes 8 MB of the 16 MB PSRAM
# (0x60000000 on AN500, 0x21000000 on AN386); the RAM disk behind "/" is the 4 MB SSRAM2/3
# at 0x20000000 (see _boot.py).
LDSCRIPT = $(TINYML_QEMU_DIR)/mps2_$(TINYML_MPS2_IMAGE).ld
LDFLAGS += -L$(TINYML_QEMU_DIR)
MICROPY_HEAP_SIZE = 8388608

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o

# littlefs on a RAM block device, mounted at "/" by the frozen _boot.py.
MICROPY_VFS_LFS2 = 1
FROZEN_MANIFEST ?= $(BOARD_DIR)/manifest.py

# board.c: enables the FPU before main() and mounts the filesystem after each mp_init(),
# through the linker's --wrap so ports/qemu itself stays unpatched. It also provides `time`.
SRC_C += $(TINYML_QEMU_DIR)/board.c
LDFLAGS += -Wl,--wrap=main -Wl,--wrap=mp_init -Wl,--wrap=uart_rx_chr
