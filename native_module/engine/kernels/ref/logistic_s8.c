#include "logistic.h"
#include "tanh.h"
#include "tml_fixedpoint.h"

// int8 LOGISTIC and TANH run one loop: both are gemmlowp's fixed-point functions of
// e = exp(-|a|) (TANH reads a with one more integer bit, so e = exp(-2|a|)) through the same
// Newton-Raphson r ~ 2 / (1 + e) in Q2 (tml_fixedpoint.h):
//   logistic(|a|) = r read as Q1 = 1 / (1 + e),   logistic(-|a|) = 1 - logistic(|a|);
//   tanh(|a|) = r - 1 read from Q2 = (1 - e) / (1 + e),   tanh(-|a|) = -tanh(|a|).
// The Q0 result then goes to 8 fractional bits and zero point -128 (LOGISTIC) or to 7
// fractional bits and zero point 0 (TANH). At a == 0 both give output 0 (0.5 and 0).
static void logistic_or_tanh_s8(const tml_logistic_s8_params_t *p, const int8_t *input,
    int8_t *output, int32_t tanh) {
    const int32_t out_zero_point = tanh ? 0 : INT8_MIN;
    for (uint32_t i = 0; i < p->size; i++) {
        int32_t x = input[i] - p->input_zero_point;
        int32_t v;
        if (x <= -p->input_range_radius) {
            v = INT8_MIN;
        } else if (x >= p->input_range_radius) {
            v = INT8_MAX;
        } else {
            int32_t a = tml_mul_by_quantized_multiplier(x, p->input_multiplier, p->input_left_shift);
            v = 0;
            if (a != 0) {
                int32_t minus_abs = a < 0 ? a : tml_fp_neg(a);
                int32_t r = tml_fp_half_reciprocal_iter(tml_fp_exp_on_negative_values(minus_abs, 4 + tanh));
                int32_t y = tml_fp_mul_pot(tml_fp_sub(r, tanh << 29), 1 + tanh);  // Q0
                if (a < 0) {
                    y = tanh ? tml_fp_neg(y) : tml_fp_sub(TML_FP_ONE_Q0, y);
                }
                v = tml_clamp_i32(tml_rounding_divide_by_pot(y, 23 + tanh) + out_zero_point, INT8_MIN,
                    INT8_MAX);
            }
        }
        output[i] = (int8_t)v;
    }
}

void tml_ref_logistic_s8(const tml_logistic_s8_params_t *p, const int8_t *input, int8_t *output) {
    logistic_or_tanh_s8(p, input, output, 0);
}

void tml_ref_tanh_s8(const tml_tanh_s8_params_t *p, const int8_t *input, int8_t *output) {
    logistic_or_tanh_s8(p, input, output, 1);
}
