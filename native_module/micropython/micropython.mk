# User C module for Make-based MicroPython ports (unix, qemu, rp2 natmod-free builds, ...).
# Pass USER_C_MODULES=<repo>/native_module; every .c under native_module/engine/ is compiled,
# so a new kernel file is picked up without editing this file.

TINYML_MOD_DIR := $(USERMOD_DIR)
TINYML_ENGINE_DIR := $(abspath $(TINYML_MOD_DIR)/../engine)

# Recursive wildcard: $(call tinyml_rwildcard,dir/,*.c)
tinyml_rwildcard = $(foreach d,$(wildcard $(1:=/*)),$(call tinyml_rwildcard,$d,$2) $(filter $(subst *,%,$2),$d))

SRC_USERMOD_C += $(wildcard $(TINYML_MOD_DIR)/*.c)
SRC_USERMOD_LIB_C += $(sort $(call tinyml_rwildcard,$(TINYML_ENGINE_DIR),*.c))
SRC_USERMOD_LIB_C += $(sort $(wildcard $(abspath $(TINYML_MOD_DIR)/../dsp)/*.c))

CFLAGS_USERMOD += -I$(TINYML_ENGINE_DIR) -I$(TINYML_MOD_DIR)
# A firmware with only some ops (tinyml firmware build --ops-from): TINYML_OPS names a header
# in the form of engine/tml_ops_list.h; TINYML_OP_NAMES=0 leaves out the op-name table too.
ifneq ($(TINYML_OPS),)
CFLAGS_USERMOD += -DTML_OPS_LIST='"$(TINYML_OPS)"'
endif
ifneq ($(TINYML_OP_NAMES),)
CFLAGS_USERMOD += -DTML_BUILTIN_NAMES=$(TINYML_OP_NAMES)
endif
# TINYML_KERNELS_F32=0 / TINYML_KERNELS_S16=0: no float32 / int16 kernels (tml_config.h);
# --ops-from sets them when none of its models has a tensor of that type.
ifneq ($(TINYML_KERNELS_F32),)
CFLAGS_USERMOD += -DTML_KERNELS_F32=$(TINYML_KERNELS_F32)
endif
ifneq ($(TINYML_KERNELS_S16),)
CFLAGS_USERMOD += -DTML_KERNELS_S16=$(TINYML_KERNELS_S16)
endif
# TINYML_KERNELS_OPT=0: no fast paths, every op runs its reference kernel (tml_config.h;
# tinyml firmware build --no-fast-kernels).
ifneq ($(TINYML_KERNELS_OPT),)
CFLAGS_USERMOD += -DTML_KERNELS_OPT=$(TINYML_KERNELS_OPT)
endif
# TINYML_KERNEL_DW_BROADCAST=0 / TINYML_KERNEL_DW_TAIL=0 / TINYML_KERNEL_CONV_IM2COL=0: no
# depthwise fast path for depth multipliers of 4k / for channel counts not a multiple of 4 / no
# CONV_2D fast path for filters other than 1x1 (tml_config.h); --ops-from sets them when no
# layer of its models takes that path.
ifneq ($(TINYML_KERNEL_DW_BROADCAST),)
CFLAGS_USERMOD += -DTML_KERNEL_DW_BROADCAST=$(TINYML_KERNEL_DW_BROADCAST)
endif
ifneq ($(TINYML_KERNEL_DW_TAIL),)
CFLAGS_USERMOD += -DTML_KERNEL_DW_TAIL=$(TINYML_KERNEL_DW_TAIL)
endif
ifneq ($(TINYML_KERNEL_CONV_IM2COL),)
CFLAGS_USERMOD += -DTML_KERNEL_CONV_IM2COL=$(TINYML_KERNEL_CONV_IM2COL)
endif
# TINYML_KERNEL_REFERENCE_CONV=0: no int8 CONV_2D / DEPTHWISE_CONV_2D reference kernels
# (tml_config.h); --ops-from sets it when every such layer of its models takes a fast path.
ifneq ($(TINYML_KERNEL_REFERENCE_CONV),)
CFLAGS_USERMOD += -DTML_KERNEL_REFERENCE_CONV=$(TINYML_KERNEL_REFERENCE_CONV)
endif
# The kernels (the hot loops) at -O2 inside -Os firmware: about twice as fast as -Os on the
# inner loops, for about 9 KB more flash on ARMv7E-M (benchmarks/README.md). The rest of the
# engine (loading, planning, prepare) stays at the port's -Os. The objects are named as
# py/py.mk names them; the flag comes after the port's COPT, so it wins.
TINYML_KERNEL_SRC := $(filter $(TINYML_ENGINE_DIR)/kernels/%,$(SRC_USERMOD_LIB_C))
$(addprefix $(BUILD)/,$(patsubst $(USER_C_MODULES)/%.c,%.o,$(TINYML_KERNEL_SRC))): CFLAGS += -O2
# Ports build with -std=gnu99, where GCC fuses a * b + c into one FMA on cores that have it
# (Cortex-M4F/M7, Xtensa); the host face and the .mpy build ISO C without. Keep float32
# models bit-identical across all of them.
CFLAGS_USERMOD += -ffp-contract=off
