// MUL: int8, float32 and int32, with broadcasting up to 6 dimensions and a
// fused activation.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/mul.h"

typedef union {
    tml_mul_s8_params_t s8;
    tml_bcast_f32_params_t f32;
    tml_bcast_s32_params_t s32;
} mul_data_t;

static TML_COLD tml_status_t mul_prepare(tml_interp_t *it, tml_node_t *node) {
    mul_data_t *d = node->data;
    const tml_tensor_t *a, *b, *out;
    // bc leads every member of the union (their common initial sequence): one write serves all.
    TML_TRY(tml_node_binary(it, node, &a, &b, &out, &d->s8.bc));
    int32_t act = tml_opt_u8(it, node, 0, TML_ACT_NONE);
    if (out->type == TML_INT8) {
        tml_mul_s8_params_t *p = &d->s8;
        p->input1_offset = -a->zero_point;
        p->input2_offset = -b->zero_point;
        p->output_offset = out->zero_point;
        TML_CHECK(it, out->scale > 0.0f, TML_ERR_MODEL, "output scale must be positive");
        int shift;
        tml_quantize_multiplier((double)a->scale * (double)b->scale / (double)out->scale,
            &p->output_multiplier, &shift);
        p->output_shift = shift;
        return tml_act_range_quant(it, act, out, &p->act_min, &p->act_max);
    } else if (TML_IS_F32(out->type)) {
        return tml_act_range_float(it, act, &d->f32.act_min, &d->f32.act_max);
    }
    // int32.
    tml_act_range_s32(act, &d->s32.act_min, &d->s32.act_max);
    return TML_OK;
}

static tml_status_t mul_eval(tml_interp_t *it, tml_node_t *node) {
    const mul_data_t *d = node->data;
    const tml_tensor_t *a = tml_node_input(it, node, 0);
    const tml_tensor_t *b = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    switch (out->type) {
        case TML_INT8:
            tml_ref_mul_s8(&d->s8, (const int8_t *)a->data, (const int8_t *)b->data, (int8_t *)out->data);
            break;
        case TML_FLOAT32:
            tml_ref_mul_f32(&d->f32, (const float *)(const void *)a->data, (const float *)(const void *)b->data, (float *)(void *)out->data);
            break;
        default:
            tml_ref_mul_s32(&d->s32, (const int32_t *)(const void *)a->data, (const int32_t *)(const void *)b->data, (int32_t *)(void *)out->data);
            break;
    }
    return TML_OK;
}

const tml_op_t tml_op_mul = {
    .builtin = TML_BUILTIN_MUL,
    .max_version = 7,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_FLOAT32) | TML_TYPE_BIT(TML_INT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(mul_data_t),
    .prepare = mul_prepare,
    .eval = mul_eval,
};
