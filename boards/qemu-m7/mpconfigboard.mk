# MPS2 AN500 (Cortex-M7, double-precision FPU) under qemu-system-arm -machine mps2-an500.
QEMU_MACHINE = mps2-an500
TINYML_MPS2_IMAGE = an500

CFLAGS += -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M7"'

MPY_CROSS_FLAGS += -march=armv7emdp

include $(BOARD_DIR)/../qemu_common/qemu_common.mk
