#include "softmax.h"
#include "tml_compiler.h"

// The two helpers both quantized kernels share, out of line: a copy inlined in each
// cost 1 KB of flash at -O2 for no measurable time (softmax runs once, on a few values).
// The row set-up is cold (TML_COLD), compiled for size: 240 B less, and 50 instructions more
// in a KWS_SVDF or MNIST_LSTM invoke.

// exp(beta * input_scale * diff) in Q0 for a difference diff >= diff_min.
int32_t tml_softmax_exp_q0(const tml_softmax_s8_params_t *p, int32_t diff) {
    // diff * 2^left_shift as TFLite computes it (the product may wrap only for
    // differences that diff_min has already excluded).
    int32_t scaled = tml_fp_mul(
        (int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
    return tml_fp_exp_on_negative_values(scaled, 5);  // Q5.26 in, Q0 out
}

// Row maximum, and the reciprocal of the row's sum of exponentials: 1/sum is
// scale * 2^-exponent_base, scale in Q0; the output uses exponent_base plus
// 31 minus the output bits.
TML_COLD int32_t tml_softmax_row_prepare(const tml_softmax_s8_params_t *p, const int8_t *row,
    int32_t *max_out, int *num_bits_over_unit) {
    int32_t max = INT8_MIN;
    for (int32_t c = 0; c < p->depth; c++) {
        max = row[c] > max ? row[c] : max;
    }
    int32_t sum = 0;  // Q12.19
    for (int32_t c = 0; c < p->depth; c++) {
        int32_t diff = row[c] - max;
        if (diff >= p->diff_min) {
            sum = tml_fp_add(sum, tml_fp_rescale(tml_softmax_exp_q0(p, diff), 0, 12));
        }
    }
    *max_out = max;
    return tml_fp_reciprocal(sum, 12, num_bits_over_unit);
}

// int8 input, int8 or int16 output (8 or 16 bits: zero point -128 and scale 1/256, or -32768
// and 1/65536); one loop serves both, the store picked per element (softmax runs on few values).
static void softmax_s8_out(const tml_softmax_s8_params_t *p, const int8_t *input, void *output,
    int out_bits) {
    const int32_t out_min = out_bits == 8 ? INT8_MIN : INT16_MIN;
    const int32_t out_max = out_bits == 8 ? INT8_MAX : INT16_MAX;
    for (int32_t i = 0; i < p->outer; i++) {
        const int8_t *row = input + (size_t)i * p->depth;
        int32_t max;
        int num_bits_over_unit;
        int32_t scale = tml_softmax_row_prepare(p, row, &max, &num_bits_over_unit);
        // int8 output: 23 to 34. Exponentials summing to 512 or more (that many values near the
        // row's maximum) take it past 31, where the product, below 2^31, rounds to 0. TFLite
        // Micro shifts by 32 or more there, which C leaves undefined (x86 and Arm disagree).
        // int16 output: 15 to 26.
        int exponent = num_bits_over_unit + 31 - out_bits;
        for (int32_t c = 0; c < p->depth; c++) {
            int32_t diff = row[c] - max;
            int32_t v = out_min;
            if (diff >= p->diff_min) {
                int32_t e = tml_softmax_exp_q0(p, diff);
                v = (exponent <= 31 ? tml_rounding_divide_by_pot(tml_fp_mul(scale, e), exponent) : 0) + out_min;
                v = tml_clamp_i32(v, out_min, out_max);
            }
            size_t k = (size_t)i * p->depth + (size_t)c;
            if (out_bits == 8) {
                ((int8_t *)output)[k] = (int8_t)v;
            } else {
                ((int16_t *)output)[k] = (int16_t)v;
            }
        }
    }
}

void tml_ref_softmax_s8(const tml_softmax_s8_params_t *p, const int8_t *input, int8_t *output) {
    softmax_s8_out(p, input, output, 8);
}

#if TML_KERNELS_S16
void tml_ref_softmax_s8_s16(const tml_softmax_s8_params_t *p, const int8_t *input, int16_t *output) {
    softmax_s8_out(p, input, output, 16);
}
#endif
