#include "softmax.h"

#if TML_KERNELS_S16
void tml_ref_softmax_s8_s16(const tml_softmax_s8_params_t *p, const int8_t *input, int16_t *output) {
    for (int32_t i = 0; i < p->outer; i++) {
        const int8_t *row = input + (size_t)i * p->depth;
        int16_t *out = output + (size_t)i * p->depth;
        int32_t max;
        int num_bits_over_unit;
        int32_t scale = tml_softmax_row_prepare(p, row, &max, &num_bits_over_unit);
        int exponent = num_bits_over_unit + 31 - 16;
        for (int32_t c = 0; c < p->depth; c++) {
            int32_t diff = row[c] - max;
            int32_t v = INT16_MIN;
            if (diff >= p->diff_min) {
                int32_t e = tml_softmax_exp_q0(p, diff);
                v = tml_rounding_divide_by_pot(tml_fp_mul(scale, e), exponent) + INT16_MIN;
                v = tml_clamp_i32(v, INT16_MIN, INT16_MAX);
            }
            out[c] = (int16_t)v;
        }
    }
}

#endif // TML_KERNELS_S16
