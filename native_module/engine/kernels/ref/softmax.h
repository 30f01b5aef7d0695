// SOFTMAX reference kernels over the last dimension ([outer, depth] rows).
//
// tml_ref_softmax_s8 (int8 -> int8) and tml_ref_softmax_s8_s16 (int8 -> int16)
// match TFLite's quantized reference_ops::Softmax
// (tensorflow/lite/kernels/internal/reference/softmax.h) bit for bit: the
// input difference to the row maximum is scaled by beta * input_scale into
// Q5.26, exponentiated in gemmlowp fixed point, summed in Q12.19 and divided
// through a fixed-point reciprocal. tml_ref_softmax_f32 follows the float
// reference_ops::Softmax.
#ifndef TML_KERNELS_REF_SOFTMAX_H
#define TML_KERNELS_REF_SOFTMAX_H

#include <stddef.h>
#include <stdint.h>

#include "tml_fixedpoint.h"
#include "tml_config.h"

typedef struct {
    int32_t outer;             // number of rows
    int32_t depth;             // row length (last dimension)
    int32_t input_multiplier;  // beta * input_scale * 2^26 as Q31 * 2^left_shift
    int32_t input_left_shift;
    int32_t diff_min;          // differences below this give exp() == 0
} tml_softmax_s8_params_t;

typedef struct {
    int32_t outer;
    int32_t depth;
    float beta;
} tml_softmax_f32_params_t;

// Output zero point -128 and scale 1/256.
void tml_ref_softmax_s8(const tml_softmax_s8_params_t *p, const int8_t *input, int8_t *output);
// Output zero point -32768 and scale 1/65536.
#if TML_KERNELS_S16
void tml_ref_softmax_s8_s16(const tml_softmax_s8_params_t *p, const int8_t *input, int16_t *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_softmax_s8_s16(const tml_softmax_s8_params_t *p, const int8_t *input,
    int16_t *output) {
    (void)p; (void)input; (void)output;
}
#endif
#if TML_KERNELS_F32
void tml_ref_softmax_f32(const tml_softmax_f32_params_t *p, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_softmax_f32(const tml_softmax_f32_params_t *p, const float *input,
    float *output) {
    (void)p; (void)input; (void)output;
}
#endif

// ---- shared by the two quantized kernels (defined once, in softmax_s8.c) ---------

// exp(beta * input_scale * diff) in Q0 for a difference diff >= diff_min.
int32_t tml_softmax_exp_q0(const tml_softmax_s8_params_t *p, int32_t diff);

// Row maximum, and the reciprocal of the row's sum of exponentials: 1/sum is
// scale * 2^-exponent_base, scale in Q0; the output uses exponent_base plus
// 31 minus the output bits.
int32_t tml_softmax_row_prepare(const tml_softmax_s8_params_t *p, const int8_t *row,
    int32_t *max_out, int *num_bits_over_unit);

#endif // TML_KERNELS_REF_SOFTMAX_H
