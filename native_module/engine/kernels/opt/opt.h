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
#define TML_KERNEL_SET TML_KERNELS_ARMV7EM
#else
#define TML_OPT_PORTABLE 1
#define TML_KERNEL_SET TML_KERNELS_PORTABLE
#endif
#else
#define TML_KERNEL_SET TML_KERNELS_REFERENCE
#endif

// The GEMM's requantization: one multiplier per output channel, or one for
// all (the multiplier and shift pointers then stay put).
typedef struct {
    int32_t depth;              // length of a row, and of a filter row
    int32_t out_c;              // filter rows: outputs per input row
    int32_t input_offset;       // -input zero point, added to every input value
    int32_t output_offset;
    int32_t act_min, act_max;
    const int32_t *multiplier;  // out_c of them, or 1 when per_channel is 0
    const int8_t *shift;
    bool per_channel;
} tml_opt_mat_mult_s8_params_t;

// For o < out_c and each of `rows` (1 or 2) input rows row_r = input +
// r * row_stride: output[r * out_c + o] = requantized bias[o] + the sum over k
// of (row_r[k] + input_offset) * filter[o * depth + k]. bias may be NULL.
// Any alignment.
void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *input,
    int32_t row_stride, int32_t rows, const int8_t *filter, const int32_t *bias, int8_t *output);

// The GEMM's accumulators for one input row, before requantization: for o < rows,
// acc[o] = bias[o] (0 when bias is NULL) + the sum over k < depth of
// (x[k] + input_offset) * filter[o * depth + k]. For the recurrent ops, whose gates
// requantize to int16 (LSTM) or saturate to their state (SVDF). Any alignment.
void tml_opt_mat_vec_s8_s32(const int8_t *x, int32_t input_offset, const int8_t *filter,
    int32_t depth, int32_t rows, const int32_t *bias, int32_t *acc);

// The fast paths of tml_opt_depthwise_conv_2d_s8: a depth multiplier of 1 (channel for
// channel) on a multiple of 4 channels, or on others (the last in_c % 4 channels one at a time;
// built when TML_KERNEL_DW_TAIL is 1), a multiple of 4 (one input channel feeds four outputs
// in a row, as in a first layer with one input channel; built when TML_KERNEL_DW_BROADCAST is
// 1), or none (the reference kernel). The one rule, which the host asks too (kernel_variants()).
typedef enum {
    TML_DW_VARIANT_NONE,
    TML_DW_VARIANT_CHANNELWISE,
    TML_DW_VARIANT_CHANNELWISE_TAIL,
    TML_DW_VARIANT_BROADCAST,
} tml_dw_variant_t;

static inline tml_dw_variant_t tml_opt_depthwise_variant(int32_t depth_multiplier, int32_t in_c) {
    if (depth_multiplier == 1) {
        return in_c % 4 == 0 ? TML_DW_VARIANT_CHANNELWISE : TML_DW_VARIANT_CHANNELWISE_TAIL;
    }
    return depth_multiplier > 0 && depth_multiplier % 4 == 0 ? TML_DW_VARIANT_BROADCAST : TML_DW_VARIANT_NONE;
}

// True when this build's tml_opt_depthwise_conv_2d_s8 takes this layer.
static inline bool tml_opt_depthwise_built(int32_t depth_multiplier, int32_t in_c) {
    switch (tml_opt_depthwise_variant(depth_multiplier, in_c)) {
        case TML_DW_VARIANT_CHANNELWISE:
            return true;
        case TML_DW_VARIANT_CHANNELWISE_TAIL:
            return TML_KERNEL_DW_TAIL;
        case TML_DW_VARIANT_BROADCAST:
            return TML_KERNEL_DW_BROADCAST;
        default:
            return false;
    }
}

// The fast paths of CONV_2D's dispatcher (kernels/conv_2d_s8.c): a 1x1 filter without padding
// reads its GEMM rows straight from the input; other filters are unrolled into the scratch
// (im2col; built when TML_KERNEL_CONV_IM2COL is 1); grouped filters, and input zero points that
// cannot pad an int8 column, take the reference. The one rule, which the host asks too.
typedef enum {
    TML_CONV_VARIANT_NONE,
    TML_CONV_VARIANT_1X1,
    TML_CONV_VARIANT_IM2COL,
} tml_conv_variant_t;

static inline tml_conv_variant_t tml_opt_conv_2d_variant(int32_t filter_h, int32_t filter_w, int32_t pad_h,
    int32_t pad_w, int32_t filter_c, int32_t in_c, int32_t input_zero_point) {
    if (filter_c != in_c || input_zero_point < INT8_MIN || input_zero_point > INT8_MAX) {
        return TML_CONV_VARIANT_NONE;
    }
    return filter_h == 1 && filter_w == 1 && pad_h == 0 && pad_w == 0 ? TML_CONV_VARIANT_1X1
        : TML_CONV_VARIANT_IM2COL;
}


// Scratch bytes the ARMv7E-M tml_opt_depthwise_conv_2d_s8 needs (the portable one needs
// none). Built for every core, so that a host can plan an ARMv7E-M arena.
size_t tml_armv7em_depthwise_conv_2d_s8_scratch_size(int32_t in_w, int32_t in_c, int32_t filter_h,
    int32_t filter_w, int32_t out_c);

// tml_ref_depthwise_conv_2d_s8 for the depth multipliers above, with the
// scratch its companion asks for (any alignment).
void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch);

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
    if (dilation == 1) {
        // No division for the common case.
        *lo = i0 < 0 ? -i0 : 0;
        *hi = in - i0 < filter ? in - i0 : filter;
        return;
    }
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

// The short requantization below is exact for shifts in this range (right
// shifts of 1 to 21 bits, nearly every channel of real models).
static inline bool tml_opt_short_shift(int32_t shift) {
    return (uint32_t)(-shift - 1) <= 20u;
}

// tml_opt_output for a right shift of e = -shift bits, 1 <= e <= 21, in a few
// instructions. The accumulator is doubled with saturation, so the high word
// of doubled * q, rounded, is the rounding doubling high multiply
// floor((acc * q + 2^30) / 2^31) whenever |acc| < 2^30, and its magnitude is
// at most 2^30: the rounding shift (y + 2^(e-1) - (y < 0)) >> e, which is
// TFLite's round-half-away-from-zero, cannot overflow. Where the doubling
// saturates (|acc| >= 2^30, q >= 2^30; q == 0 gives 0 either way), both this
// and the exact result are at least 2^29 / 2^21 = 256 in magnitude, so the
// clamp to int8 gives the same byte.
static inline int32_t tml_opt_double_sat(int32_t acc) {
    return acc >= (1 << 30) ? INT32_MAX : acc < -(1 << 30) ? INT32_MIN : acc * 2;
}

static inline int32_t tml_opt_round_shift(int32_t y, int32_t e) {
    return (y + (1 << (e - 1)) - (int32_t)((uint32_t)y >> 31)) >> e;
}

static inline int8_t tml_opt_output_short(int32_t acc, int32_t q, int32_t e, int32_t offset,
    int32_t lo, int32_t hi) {
    const int32_t y = (int32_t)(((int64_t)tml_opt_double_sat(acc) * q + ((int64_t)1 << 31)) >> 32);
    return (int8_t)tml_clamp_i32(tml_opt_round_shift(y, e) + offset, lo, hi);
}

// The output byte of one channel: the short requantization where it is exact.
static inline int8_t tml_opt_output_any(int32_t acc, int32_t q, int32_t shift, int32_t offset,
    int32_t lo, int32_t hi) {
    if (tml_opt_short_shift(shift)) {
        return tml_opt_output_short(acc, q, -shift, offset, lo, hi);
    }
    return tml_opt_output(acc, q, shift, offset, lo, hi);
}

#endif // TML_KERNELS_OPT_OPT_H
