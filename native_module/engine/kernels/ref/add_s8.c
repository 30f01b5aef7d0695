#include "add.h"
#include "sub.h"
#include "tml_quant.h"

// ADD and SUB differ only in the sign of the rescaled second input: TFLite Micro's SUB
// subtracts the same rescaled value its ADD adds. Negating the multiplier instead would round
// differently (the doubling high multiply rounds half up, not away from zero), so the sign
// multiplies the rescaled value: one multiply-accumulate where ADD had an add.
static void add_or_sub_s8(const tml_add_s8_params_t *p, const int8_t *a, const int8_t *b,
    int8_t *out, int32_t sign) {
    const tml_bcast_t *bc = &p->bc;
    tml_bcast_pos_t pos = {{0}, 0, 0};
    uint32_t rows = tml_bcast_rows(bc);
    int32_t n = bc->shape[TML_BCAST_DIMS - 1];
    int32_t sa = bc->a_stride[TML_BCAST_DIMS - 1];
    int32_t sb = bc->b_stride[TML_BCAST_DIMS - 1];
    for (uint32_t r = 0; r < rows; r++) {
        const int8_t *ra = a + pos.a;
        const int8_t *rb = b + pos.b;
        for (int32_t i = 0; i < n; i++) {
            // (a + offset) fits in 9 bits, so << 20 cannot overflow.
            int32_t x1 = (p->input1_offset + ra[i * sa]) * (1 << p->left_shift);
            int32_t x2 = (p->input2_offset + rb[i * sb]) * (1 << p->left_shift);
            int32_t s1 = tml_mul_by_quantized_multiplier_lt1(x1, p->input1_multiplier, p->input1_shift);
            int32_t s2 = tml_mul_by_quantized_multiplier_lt1(x2, p->input2_multiplier, p->input2_shift);
            int32_t v = tml_mul_by_quantized_multiplier_lt1(s1 + sign * s2, p->output_multiplier,
                p->output_shift) + p->output_offset;
            out[i] = (int8_t)tml_clamp_i32(v, p->act_min, p->act_max);
        }
        out += n;
        tml_bcast_next_row(bc, &pos);
    }
}

void tml_ref_add_s8(const tml_add_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out) {
    add_or_sub_s8(p, a, b, out, 1);
}

void tml_ref_sub_s8(const tml_sub_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out) {
    add_or_sub_s8(p, a, b, out, -1);
}
