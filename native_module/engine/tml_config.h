// Build-time switches, each with its default. Override with -D or by defining
// TML_CONFIG_FILE to a header of your own.
#ifndef TML_CONFIG_H
#define TML_CONFIG_H

#ifdef TML_CONFIG_FILE
#include TML_CONFIG_FILE
#endif

// Highest tensor rank the engine handles (TRANSPOSE needs 6).
#ifndef TML_MAX_DIMS
#define TML_MAX_DIMS 6
#endif

// Alignment of every planned arena buffer. Kernels need 4 (int32/float);
// 8 keeps int64 tensors and doubles safe.
#ifndef TML_ARENA_ALIGN
#define TML_ARENA_ALIGN 8
#endif

// 1: the dispatchers in kernels/ take the fast paths of kernels/opt/ (the
// ARMv7E-M set on Cortex-M4/M7, the portable set elsewhere); 0: every op runs
// its reference kernel in kernels/ref/ (slower and smaller; the tests build
// both and require the same bytes).
#ifndef TML_KERNELS_OPT
#define TML_KERNELS_OPT 1
#endif

// 1: DEPTHWISE_CONV_2D's fast path for depth multipliers of 4k (first layers on one input
// channel) is built in; 0: such layers run the reference kernel, the same bytes, and the fast
// path keeps only depth multipliers of 1 (tinyml firmware build --ops-from sets 0 when no layer
// of its models takes that path, as tinyml's kernel_variants() tells from the dispatcher's rule).
#ifndef TML_KERNEL_DW_BROADCAST
#define TML_KERNEL_DW_BROADCAST 1
#endif

// 1: DEPTHWISE_CONV_2D's fast path for a depth multiplier of 1 also takes channel counts that
// are not multiples of 4; 0: such layers run the reference kernel (--ops-from sets 0 when no
// depthwise layer of its models has such a channel count, as none of person_detect's has).
#ifndef TML_KERNEL_DW_TAIL
#define TML_KERNEL_DW_TAIL 1
#endif

// 1: CONV_2D's fast path for filters other than 1x1 (im2col into the scratch, then the GEMM)
// is built in; 0: such layers run the reference kernel, the same bytes (--ops-from sets 0 when
// every CONV_2D of its models is 1x1, as person_detect's are).
#ifndef TML_KERNEL_CONV_IM2COL
#define TML_KERNEL_CONV_IM2COL 1
#endif

// 1: the int8 CONV_2D and DEPTHWISE_CONV_2D reference kernels are built in, for the layers no
// fast path of this build takes (grouped filters, depth multipliers other than 1 and 4k, and
// the layers of a variant switched off above); 0: they are left out and prepare refuses such a
// layer (--ops-from sets 0 when every int8 convolution of its models takes a fast path, as
// person_detect's do). The dispatchers' one rule decides (tml_conv_2d_s8_fast and
// tml_depthwise_conv_2d_s8_fast in kernels.h). The float32 kernels are TML_KERNELS_F32's.
#ifndef TML_KERNEL_REFERENCE_CONV
#define TML_KERNEL_REFERENCE_CONV 1
#endif
#if !TML_KERNEL_REFERENCE_CONV && !TML_KERNELS_OPT
#error "TML_KERNEL_REFERENCE_CONV=0 needs the fast paths (TML_KERNELS_OPT=1)"
#endif

// 1: tml_any_builtin_name() knows every TFLite builtin (1.4 KB of packed names, decoded only
// for messages and tools); 0: only the names of this build's ops, others read "builtin <code>".
#ifndef TML_BUILTIN_NAMES
#define TML_BUILTIN_NAMES 1
#endif

// 1: the float32 reference kernels are built in; 0: they are left out, the calls to them
// compile to nothing, and loading a model with a float32 tensor fails saying so (on ARMv7E-M,
// 2.0 KB of person_detect's ops, 6.8 KB with every op; tinyml firmware build --ops-from sets 0
// when none of its models has a float32 tensor).
#ifndef TML_KERNELS_F32
#define TML_KERNELS_F32 1
#endif

// 1: SOFTMAX's int8-in, int16-out kernel is built in; 0: as TML_KERNELS_F32, for int16
// tensors (the signal and recurrent ops' int16 arithmetic stays: their models have int16
// tensors, so --ops-from keeps 1 for them).
#ifndef TML_KERNELS_S16
#define TML_KERNELS_S16 1
#endif

// The ops of a build: by default all of tml_ops_list.h; -DTML_OPS_LIST='"file.h"' names a
// header of the same form with fewer lines (tinyml firmware build --ops-from writes one).

#endif // TML_CONFIG_H
