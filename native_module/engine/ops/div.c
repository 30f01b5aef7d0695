// DIV: float32 and int32 with broadcasting and a fused activation
// (int32 as in TFLite's reference Div; used by TFLM's audio front end).
#include "tml_op.h"
#include "kernels/ref/div.h"

typedef union {
    tml_bcast_f32_params_t f32;
    tml_bcast_s32_params_t s32;
} div_data_t;

static TML_COLD tml_status_t div_prepare(tml_interp_t *it, tml_node_t *node) {
    div_data_t *d = node->data;
    const tml_tensor_t *a, *b, *out;
    // bc leads every member of the union (their common initial sequence): one write serves all.
    TML_TRY(tml_node_binary(it, node, &a, &b, &out, &d->f32.bc));
    int32_t act = tml_opt_u8(it, node, 0, TML_ACT_NONE);  // DivOptions.fused_activation_function
    if (TML_IS_F32(out->type)) {
        return tml_act_range_float(it, act, &d->f32.act_min, &d->f32.act_max);
    }
    // int32.
    tml_act_range_s32(act, &d->s32.act_min, &d->s32.act_max);
    return TML_OK;
}

static tml_status_t div_eval(tml_interp_t *it, tml_node_t *node) {
    const div_data_t *d = node->data;
    const tml_tensor_t *a = tml_node_input(it, node, 0);
    const tml_tensor_t *b = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (TML_IS_F32(out->type)) {
        tml_ref_div_f32(&d->f32, (const float *)(const void *)a->data, (const float *)(const void *)b->data,
            (float *)(void *)out->data);
        return TML_OK;
    }
    bool ok = tml_ref_div_s32(&d->s32, (const int32_t *)(const void *)a->data,
        (const int32_t *)(const void *)b->data, (int32_t *)(void *)out->data);
    TML_CHECK(it, ok, TML_ERR_ARG, "division by zero");
    return TML_OK;
}

const tml_op_t tml_op_div = {
    .builtin = TML_BUILTIN_DIV,
    .max_version = 2,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_FLOAT32) | TML_TYPE_BIT(TML_INT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(div_data_t),
    .prepare = div_prepare,
    .eval = div_eval,
};
