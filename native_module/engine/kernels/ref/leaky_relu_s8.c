#include "leaky_relu.h"
#include "tml_quant.h"

void tml_ref_leaky_relu_s8(const tml_leaky_relu_s8_params_t *p, const int8_t *input, int8_t *output) {
    for (uint32_t i = 0; i < p->size; i++) {
        int32_t x = input[i] - p->input_zero_point;
        // One rescale with the side's multiplier (a copy per side cost 170 B of flash).
        bool pos = x >= 0;
        int32_t v = tml_mul_by_quantized_multiplier(x, pos ? p->multiplier_identity : p->multiplier_alpha,
            pos ? p->shift_identity : p->shift_alpha);
        output[i] = (int8_t)tml_clamp_i32(p->output_zero_point + v, INT8_MIN, INT8_MAX);
    }
}
