// ADD: int8 (TFLite's left_shift = 20 rescaling), float32 and int32, with
// broadcasting up to 6 dimensions and a fused activation.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/add.h"

typedef union {
    tml_add_s8_params_t s8;
    tml_bcast_f32_params_t f32;
    tml_bcast_s32_params_t s32;
} add_data_t;

static tml_status_t add_prepare(tml_interp_t *it, tml_node_t *node) {
    add_data_t *d = node->data;
    const tml_tensor_t *a, *b, *out;
    TML_TRY(tml_node_binary(it, node, &a, &b, &out));
    tml_bcast_t bc;
    TML_CHECK(it, tml_bcast_init(&bc, a->dims, a->ndim, b->dims, b->ndim, out->dims, out->ndim),
        TML_ERR_MODEL, "shapes do not broadcast");
    int32_t act = tml_opt_u8(it, node, 0, TML_ACT_NONE);
    if (out->type == TML_INT8) {
        tml_add_s8_params_t *p = &d->s8;
        p->bc = bc;
        p->input1_offset = -a->zero_point;
        p->input2_offset = -b->zero_point;
        p->output_offset = out->zero_point;
        p->left_shift = 20;
        TML_CHECK(it, a->scale > 0.0f && b->scale > 0.0f && out->scale > 0.0f, TML_ERR_MODEL,
            "int8 tensor without scale");
        // As TFLite Micro's CalculateOpDataAdd: in double.
        double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
        int s1, s2, so;
        tml_quantize_multiplier((double)a->scale / twice_max, &p->input1_multiplier, &s1);
        tml_quantize_multiplier((double)b->scale / twice_max, &p->input2_multiplier, &s2);
        tml_quantize_multiplier(twice_max / ((double)(1 << p->left_shift) * (double)out->scale),
            &p->output_multiplier, &so);
        TML_CHECK(it, s1 <= 0 && s2 <= 0 && so <= 0, TML_ERR_UNSUPPORTED, "output scale too small");
        p->input1_shift = s1;
        p->input2_shift = s2;
        p->output_shift = so;
        return tml_act_range_quant(it, act, out, &p->act_min, &p->act_max);
    } else if (out->type == TML_FLOAT32) {
        d->f32.bc = bc;
        return tml_act_range_float(it, act, &d->f32.act_min, &d->f32.act_max);
    } else if (out->type == TML_INT32) {
        // TFLite Micro's int32 ADD ignores the fused activation.
        d->s32.bc = bc;
        d->s32.act_min = INT32_MIN;
        d->s32.act_max = INT32_MAX;
        return TML_OK;
    }
    return tml_fail_type(it, out->type, "output");
}

static tml_status_t add_eval(tml_interp_t *it, tml_node_t *node) {
    const add_data_t *d = node->data;
    const tml_tensor_t *a = tml_node_input(it, node, 0);
    const tml_tensor_t *b = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    switch (out->type) {
        case TML_INT8:
            tml_ref_add_s8(&d->s8, (const int8_t *)a->data, (const int8_t *)b->data, (int8_t *)out->data);
            break;
        case TML_FLOAT32:
            tml_ref_add_f32(&d->f32, (const float *)(const void *)a->data, (const float *)(const void *)b->data, (float *)(void *)out->data);
            break;
        default:
            tml_ref_add_s32(&d->s32, (const int32_t *)(const void *)a->data, (const int32_t *)(const void *)b->data, (int32_t *)(void *)out->data);
            break;
    }
    return TML_OK;
}

const tml_op_t tml_op_add = {
    .builtin = TML_BUILTIN_ADD,
    .max_version = 5,
    .data_size = sizeof(add_data_t),
    .prepare = add_prepare,
    .eval = add_eval,
    // Every kernel computes out[i] from the inputs' elements at i (or a broadcast input's)
    // in order, so input 0, when not broadcast, may be written over.
    .flags = TML_OP_INPLACE,
};
