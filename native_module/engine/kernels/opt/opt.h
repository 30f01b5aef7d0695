// The optimised kernel set of this build, picked at compile time from what
// the core has:
//   kernels/opt/armv7em/   Cortex-M4/M7 (__ARM_FEATURE_DSP): dual 16-bit
//                          multiply-accumulate through the ACLE intrinsics
//   kernels/opt/portable/  every other core (Cortex-M0+, Xtensa, the host):
//                          plain C99, byte loads only, blocked so that the
//                          accumulators stay in registers
// Both sets define the functions declared here with the same meaning; the
// dispatchers in kernels/*.c call them. TML_KERNELS_OPT=0 leaves both out
// and every dispatcher calls the reference kernel.
#ifndef TML_KERNELS_OPT_OPT_H
#define TML_KERNELS_OPT_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tml_config.h"
#include "tml_quant.h"
#include "kernels/ref/depthwise_conv_2d.h"

#if TML_KERNELS_OPT
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#define TML_OPT_ARMV7EM 1
#else
#define TML_OPT_PORTABLE 1
#endif
#endif

// Requantization of the GEMM's outputs: one multiplier per output, or one for
// all (the multiplier and shift pointers then stay put).
typedef struct {
    int32_t depth;              // length of a row, and of a filter row
    int32_t out_c;              // filter rows: outputs per input row
    int32_t input_offset;       // -input zero point, added to every input value
    int32_t output_offset;
    int32_t act_min, act_max;
    const int32_t *multiplier;  // out_c of them, or 1 when per_channel is 0
    const int32_t *shift;
    int32_t per_channel;
} tml_opt_mat_mult_s8_params_t;

// For o < out_c: out0[o] = requantized bias[o] + sum over k of
// (row0[k] + input_offset) * filter[o * depth + k], and out1[o] the same for
// row1 unless row1 is NULL. bias may be NULL. Any alignment.
void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *row0,
    const int8_t *row1, const int8_t *filter, const int32_t *bias, int8_t *out0, int8_t *out1);

// tml_ref_depthwise_conv_2d_s8 for depth_multiplier 1.
void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output);

// tml_mul_by_quantized_multiplier with the rounding doubling high multiply as
// one 64-bit multiply-add and shift: floor((x * q + 2^30) / 2^31) equals
// gemmlowp's nudged division towards zero for every x and every q the
// engine makes (0 or 2^30..2^31-1, so never the saturating INT32_MIN case).
static inline int32_t tml_opt_requantize(int32_t x, int32_t q, int32_t shift) {
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int64_t prod = (int64_t)(int32_t)((uint32_t)x << left) * q + ((int64_t)1 << 30);
    return tml_rounding_divide_by_pot((int32_t)(prod >> 31), right);
}

// The filter taps [*lo, *hi) of one spatial dimension that fall inside the
// input, for a window starting at i0 (negative inside the leading padding).
static inline void tml_opt_taps(int32_t i0, int32_t dilation, int32_t in, int32_t filter,
    int32_t *lo, int32_t *hi) {
    const int32_t first = i0 < 0 ? (dilation - 1 - i0) / dilation : 0;
    const int32_t last = in - 1 - i0 < 0 ? -1 : (in - 1 - i0) / dilation;
    *lo = first;
    *hi = last < filter - 1 ? last + 1 : filter;
}

// Requantize, add the output zero point, clamp: one output byte.
static inline int8_t tml_opt_output(int32_t acc, int32_t q, int32_t shift, int32_t offset,
    int32_t lo, int32_t hi) {
    return (int8_t)tml_clamp_i32(tml_opt_requantize(acc, q, shift) + offset, lo, hi);
}

#endif // TML_KERNELS_OPT_OPT_H
