#include "softmax.h"

// The two helpers both quantized kernels share, out of line: a copy inlined in each
// cost 1 KB of flash at -O2 for no measurable time (softmax runs once, on a few values).

// exp(beta * input_scale * diff) in Q0 for a difference diff >= diff_min.
int32_t tml_softmax_exp_q0(const tml_softmax_s8_params_t *p, int32_t diff) {
    // diff * 2^left_shift as TFLite computes it (the product may wrap only for
    // differences that diff_min has already excluded).
    int32_t scaled = tml_sat_round_doubling_high_mul(
        (int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
    return tml_fp_exp_on_negative_values(scaled, 5);  // Q5.26 in, Q0 out
}

// Row maximum, and the reciprocal of the row's sum of exponentials: 1/sum is
// scale * 2^-exponent_base, scale in Q0; the output uses exponent_base plus
// 31 minus the output bits.
int32_t tml_softmax_row_prepare(const tml_softmax_s8_params_t *p, const int8_t *row,
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

void tml_ref_softmax_s8(const tml_softmax_s8_params_t *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->outer; i++) {
        const int8_t *row = input + (size_t)i * p->depth;
        int8_t *out = output + (size_t)i * p->depth;
        int32_t max;
        int num_bits_over_unit;
        int32_t scale = tml_softmax_row_prepare(p, row, &max, &num_bits_over_unit);
        // 23 to 34: exponentials summing to 512 or more (that many values near the row's
        // maximum) take it past 31, where the product, below 2^31, rounds to 0. TFLite Micro
        // shifts by 32 or more there, which C leaves undefined (x86 and Arm disagree).
        int exponent = num_bits_over_unit + 31 - 8;
        for (int32_t c = 0; c < p->depth; c++) {
            int32_t diff = row[c] - max;
            int32_t v = INT8_MIN;
            if (diff >= p->diff_min) {
                int32_t e = tml_softmax_exp_q0(p, diff);
                v = (exponent <= 31 ? tml_rounding_divide_by_pot(tml_fp_mul(scale, e), exponent) : 0) + INT8_MIN;
                v = tml_clamp_i32(v, INT8_MIN, INT8_MAX);
            }
            out[c] = (int8_t)v;
        }
    }
}
