#include "prelu.h"
#include "tml_quant.h"

void tml_ref_prelu_s8(const tml_prelu_s8_params_t *p, const int8_t *input, const int8_t *alpha, int8_t *output) {
    const tml_bcast_t *bc = &p->bc;
    tml_bcast_pos_t pos = {{0}, 0, 0};
    uint32_t rows = tml_bcast_rows(bc);
    int32_t n = bc->shape[TML_BCAST_DIMS - 1];
    int32_t sa = bc->a_stride[TML_BCAST_DIMS - 1];
    int32_t sb = bc->b_stride[TML_BCAST_DIMS - 1];
    for (uint32_t r = 0; r < rows; r++) {
        const int8_t *ra = input + pos.a;
        const int8_t *rb = alpha + pos.b;
        for (int32_t i = 0; i < n; i++) {
            int32_t x = p->input_offset + ra[i * sa];
            // One rescale with the side's multiplier (a copy per side cost 200 B of flash).
            int32_t multiplier = p->multiplier_pos, shift = p->shift_pos;
            if (x < 0) {
                x *= p->alpha_offset + rb[i * sb];
                multiplier = p->multiplier_neg;
                shift = p->shift_neg;
            }
            int32_t v = tml_mul_by_quantized_multiplier(x, multiplier, shift);
            output[i] = (int8_t)tml_clamp_i32(v + p->output_offset, INT8_MIN, INT8_MAX);
        }
        output += n;
        tml_bcast_next_row(bc, &pos);
    }
}
