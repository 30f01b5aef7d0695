# nRF51 (Cortex-M0, armv6-M, no FPU) under qemu-system-arm -machine microbit, with the flash
# and SRAM QEMU is asked for raised to a Pico's 2 MB and 264 KB: a stand-in for the RP2040's M0+ cores
# with a Pico's RAM. Same module and frozen packages as the Pico firmware; ports/qemu itself
# stays unpatched.
QEMU_ARCH = arm
QEMU_MACHINE = microbit
QEMU_ARGS += -global nrf51-soc.flash-size=2097152 -global nrf51-soc.sram-size=270336

CFLAGS += -mthumb -mcpu=cortex-m0 -mfloat-abi=soft -DQEMU_SOC_NRF51
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M0"'
CFLAGS += -DMP_CONFIGFILE='"$(BOARD_DIR)/../qemu_common/mpconfigport_tinyml.h"'
# As on the rp2 port: the native emitter and .mpy files with armv6-M machine code.
CFLAGS += -DMICROPY_EMIT_THUMB=1 -DMICROPY_EMIT_THUMB_ARMV7M=0
CFLAGS += -DMICROPY_EMIT_INLINE_THUMB=1
CFLAGS += -DMICROPY_EMIT_INLINE_THUMB_FLOAT=0
# No fused multiply-add anywhere (there is no FPU; kept for the same flags as the other boards).
CFLAGS += -ffp-contract=off

# Firmware in the first 384 KB of flash, a 384 KB slot for a model used in place, littlefs in
# the last 1280 KB (_boot.py); RAM holds
# .data, .bss with the GC heap, and the stack at its top. The heap is the RPI_PICO firmware's
# (__GcHeapEnd - __GcHeapStart in build/firmware/rp2040/firmware.elf, checked by
# tests/test_rp2040.py), and the stack limit its 8 KB (board.c).
LDSCRIPT = $(BOARD_DIR)/nrf51_2m.ld
MICROPY_HEAP_SIZE ?= 251904

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb1.o

MICROPY_VFS_LFS2 = 1
FROZEN_MANIFEST ?= $(BOARD_DIR)/manifest.py
MPY_CROSS_FLAGS += -march=armv6m

SRC_C += $(BOARD_DIR)/../qemu_common/board.c
LDFLAGS += -Wl,--wrap=main -Wl,--wrap=mp_init -Wl,--wrap=uart_rx_chr
