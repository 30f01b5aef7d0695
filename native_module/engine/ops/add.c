// ADD and SUB: int8 (TFLite's left_shift = 20 rescaling), float32 and int32, with
// broadcasting up to 6 dimensions and a fused activation. Both take the same checks and
// rescaling, so they share prepare; only the multipliers' arithmetic and int32's activation
// differ, as they do in TFLite Micro.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/add.h"
#include "kernels/ref/sub.h"

typedef union {
    tml_add_s8_params_t s8;
    tml_bcast_f32_params_t f32;
    tml_bcast_s32_params_t s32;
} add_sub_data_t;

static TML_COLD tml_status_t add_sub_prepare(tml_interp_t *it, tml_node_t *node) {
    add_sub_data_t *d = node->data;
    bool sub = node->op->builtin == TML_BUILTIN_SUB;
    const tml_tensor_t *a, *b, *out;
    // bc leads every member of the union (their common initial sequence): one write serves all.
    TML_TRY(tml_node_binary(it, node, &a, &b, &out, &d->s8.bc));
    int32_t act = tml_opt_u8(it, node, 0, TML_ACT_NONE);
    if (out->type == TML_INT8) {
        tml_add_s8_params_t *p = &d->s8;
        p->input1_offset = -a->zero_point;
        p->input2_offset = -b->zero_point;
        p->output_offset = out->zero_point;
        p->left_shift = 20;
        TML_CHECK(it, a->scale > 0.0f && b->scale > 0.0f && out->scale > 0.0f, TML_ERR_MODEL,
            "scales must be positive");
        // TFLite Micro's CalculateOpDataAdd works in double, its CalculateOpDataSub in float,
        // and the multipliers differ in their last bits: SUB rounds every step to float.
        double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
        double r1 = (double)a->scale / twice_max;
        double r2 = (double)b->scale / twice_max;
        double ro = twice_max / ((double)(1 << p->left_shift) * (double)out->scale);
        if (sub) {
            float twice_max_f = 2.0f * (a->scale > b->scale ? a->scale : b->scale);
            r1 = (double)(a->scale / twice_max_f);
            r2 = (double)(b->scale / twice_max_f);
            ro = (double)(twice_max_f / ((float)(1 << p->left_shift) * out->scale));
        }
        int s1, s2, so;
        tml_quantize_multiplier(r1, &p->input1_multiplier, &s1);
        tml_quantize_multiplier(r2, &p->input2_multiplier, &s2);
        tml_quantize_multiplier(ro, &p->output_multiplier, &so);
        TML_CHECK(it, s1 <= 0 && s2 <= 0 && so <= 0, TML_ERR_UNSUPPORTED, "output scale too small for input scale");
        p->input1_shift = s1;
        p->input2_shift = s2;
        p->output_shift = so;
        return tml_act_range_quant(it, act, out, &p->act_min, &p->act_max);
    } else if (TML_IS_F32(out->type)) {
        return tml_act_range_float(it, act, &d->f32.act_min, &d->f32.act_max);
    }
    // int32. TFLite Micro's int32 ADD ignores the fused activation; its int32 SUB applies it.
    tml_act_range_s32(sub ? act : TML_ACT_NONE, &d->s32.act_min, &d->s32.act_max);
    return TML_OK;
}

static tml_status_t add_sub_eval(tml_interp_t *it, tml_node_t *node) {
    const add_sub_data_t *d = node->data;
    bool sub = node->op->builtin == TML_BUILTIN_SUB;
    const tml_tensor_t *a = tml_node_input(it, node, 0);
    const tml_tensor_t *b = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    switch (out->type) {
        case TML_INT8:
            (sub ? tml_ref_sub_s8 : tml_ref_add_s8)(&d->s8, (const int8_t *)a->data, (const int8_t *)b->data,
                (int8_t *)out->data);
            break;
        case TML_FLOAT32:
            (sub ? tml_ref_sub_f32 : tml_ref_add_f32)(&d->f32, (const float *)(const void *)a->data,
                (const float *)(const void *)b->data, (float *)(void *)out->data);
            break;
        default:
            (sub ? tml_ref_sub_s32 : tml_ref_add_s32)(&d->s32, (const int32_t *)(const void *)a->data,
                (const int32_t *)(const void *)b->data, (int32_t *)(void *)out->data);
            break;
    }
    return TML_OK;
}

const tml_op_t tml_op_add = {
    .builtin = TML_BUILTIN_ADD,
    .max_version = 5,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_FLOAT32) | TML_TYPE_BIT(TML_INT32),
    // Every kernel computes out[i] from the inputs' elements at i (or a broadcast input's)
    // in order, so input 0, when not broadcast, may be written over.
    .flags = TML_OP_SAME_TYPE | TML_OP_INPLACE,
    .data_size = sizeof(add_sub_data_t),
    .prepare = add_sub_prepare,
    .eval = add_sub_eval,
};

const tml_op_t tml_op_sub = {
    .builtin = TML_BUILTIN_SUB,
    .max_version = 5,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_FLOAT32) | TML_TYPE_BIT(TML_INT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(add_sub_data_t),
    .prepare = add_sub_prepare,
    .eval = add_sub_eval,
};
