// MEAN over any axes, with or without keep_dims: int8 exactly as TFLite
// Micro's EvalIntegerMean (integer requantization of the sum with 1 / count
// folded into the multiplier) and float32.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/mean.h"

typedef struct {
    tml_mean_s8_params_t s8;  // s is used by both types
    uint8_t type;
} mean_data_t;

static TML_COLD size_t mean_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    // Runs on an unvalidated model: no dims, no size.
    if (in == NULL || out == NULL || in->type != TML_INT8 || (out->ndim > 0 && out->dims == NULL)) {
        return 0;
    }
    return (size_t)tml_elements(out) * sizeof(int32_t);
}

static TML_COLD tml_status_t mean_prepare(tml_interp_t *it, tml_node_t *node) {
    mean_data_t *d = node->data;
    tml_mean_shape_t *s = &d->s8.s;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *axis = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (axis->type != TML_INT32) {
        return tml_fail_type(it, axis->type, "axis");
    }
    // The planner gave a non-constant axis arena memory before prepare: data is never NULL.
    TML_TRY(tml_check_const(it, axis, "axis"));
    // Loading refused any tensor of more than TML_MAX_DIMS dimensions, the kernel's bound.

    s->ndim = in->ndim;
    s->reduce_mask = 0;
    for (int i = 0; i < in->ndim; i++) {
        s->dims[i] = in->dims[i];
    }
    uint32_t n_axis = tml_elements(axis);
    for (uint32_t i = 0; i < n_axis; i++) {
        int32_t a = tml_rd_i32(axis->data + 4 * i);
        a = a < 0 ? a + in->ndim : a;
        if (a < 0 || a >= in->ndim) {
            return tml_fail_int(it, TML_ERR_MODEL, "bad axis", tml_rd_i32(axis->data + 4 * i), "");
        }
        s->reduce_mask |= 1u << a;  // duplicates count once
    }
    s->count = 1;
    s->out_size = 1;
    for (int i = 0; i < in->ndim; i++) {
        if (s->reduce_mask & (1u << i)) {
            s->count *= (uint32_t)in->dims[i];
        } else {
            s->out_size *= (uint32_t)in->dims[i];
        }
    }
    TML_CHECK(it, tml_elements(out) == s->out_size, TML_ERR_MODEL, "output shape mismatch");
    d->type = in->type;
    if (in->type == TML_INT8) {
        TML_CHECK(it, out->scale > 0.0f, TML_ERR_MODEL, "output scale must be positive");
        TML_CHECK(it, node->scratch_bytes >= tml_ref_mean_s8_scratch_size(s), TML_ERR_INTERNAL, "scratch too small");
        int shift;
        tml_quantize_multiplier((double)in->scale / (double)out->scale, &d->s8.multiplier, &shift);
        d->s8.shift = shift;
        d->s8.input_zero_point = in->zero_point;
        d->s8.output_zero_point = out->zero_point;
    }
    return TML_OK;
}

static tml_status_t mean_eval(tml_interp_t *it, tml_node_t *node) {
    const mean_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_mean_s8(&d->s8, (const int8_t *)in->data, (int8_t *)out->data,
            (int32_t *)tml_node_scratch(it, node));
    } else {
        tml_ref_mean_f32(&d->s8.s, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_mean = {
    .builtin = TML_BUILTIN_MEAN,
    .max_version = 3,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(mean_data_t),
    .scratch_size = mean_scratch_size,
    .prepare = mean_prepare,
    .eval = mean_eval,
};
