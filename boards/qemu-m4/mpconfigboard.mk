# MPS2 AN386 (Cortex-M4, single-precision FPU) under qemu-system-arm -machine mps2-an386.
QEMU_MACHINE = mps2-an386
TINYML_MPS2_IMAGE = an386

CFLAGS += -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M4"'

MPY_CROSS_FLAGS += -march=armv7emsp

include $(BOARD_DIR)/../qemu_common/qemu_common.mk
