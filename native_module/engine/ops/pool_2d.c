// AVERAGE_POOL_2D and MAX_POOL_2D: int8 (input and output share quantization,
// as TFLite Micro requires) and float32, NHWC, with padding, strides and a
// fused activation. Both take the same options and checks, so they share
// prepare, which follows TFLite Micro's PoolingPrepare (pooling_common.cc);
// eval runs kernels/ref/average_pool_2d_* or max_pool_2d_*.
#include "tml_op.h"
#include "ops/conv_common.h"
#include "kernels/ref/average_pool_2d.h"
#include "kernels/ref/max_pool_2d.h"

// Pool2DOptions fields.
enum { OPT_FILTER_W = 3, OPT_FILTER_H, OPT_ACTIVATION };

typedef struct {
    union {
        tml_pool_2d_s8_params_t s8;
        tml_pool_2d_f32_params_t f32;
    } p;
    uint8_t type;
} pool_2d_data_t;

static TML_COLD tml_status_t pool_2d_prepare(tml_interp_t *it, tml_node_t *node) {
    pool_2d_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    TML_CHECK(it, in->ndim == 4 && out->ndim == 4, TML_ERR_MODEL, "tensors must be 4-D");

    tml_pool_2d_shape_t *s = &d->p.s8.s;  // both union members start with it
    s->batches = in->dims[0];
    s->in_h = in->dims[1];
    s->in_w = in->dims[2];
    s->channels = in->dims[3];
    s->out_h = out->dims[1];
    s->out_w = out->dims[2];
    TML_CHECK(it, out->dims[0] == s->batches && out->dims[3] == s->channels, TML_ERR_MODEL, "output shape mismatch");
    s->filter_w = tml_opt_i32(it, node, OPT_FILTER_W, 0);
    s->filter_h = tml_opt_i32(it, node, OPT_FILTER_H, 0);
    int32_t act = tml_opt_u8(it, node, OPT_ACTIVATION, TML_ACT_NONE);
    TML_CHECK(it, s->filter_w > 0 && s->filter_h > 0, TML_ERR_MODEL, "bad filter size");
    // Padding and strides are the first fields of Pool2DOptions as of Conv2DOptions.
    tml_window_shape_t w;
    w.in_h = s->in_h;
    w.in_w = s->in_w;
    w.filter_h = s->filter_h;
    w.filter_w = s->filter_w;
    w.out_h = s->out_h;
    w.out_w = s->out_w;
    TML_TRY(tml_conv_window(it, node, 0, &w));
    s->stride_h = w.stride_h;
    s->stride_w = w.stride_w;
    s->pad_h = w.pad_h;
    s->pad_w = w.pad_w;

    d->type = in->type;
    if (TML_IS_F32(in->type)) {
        return tml_act_range_float(it, act, &d->p.f32.act_min, &d->p.f32.act_max);
    }
    float scale_diff = in->scale - out->scale;
    TML_CHECK(it, scale_diff <= 1.0e-6f && scale_diff >= -1.0e-6f && in->zero_point == out->zero_point,
        TML_ERR_UNSUPPORTED, "input and output quantization differ");
    return tml_act_range_quant(it, act, out, &d->p.s8.act_min, &d->p.s8.act_max);
}

static tml_status_t average_pool_2d_eval(tml_interp_t *it, tml_node_t *node) {
    const pool_2d_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    bool ok;
    if (d->type == TML_INT8) {
        ok = tml_ref_average_pool_2d_s8(&d->p.s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        ok = tml_ref_average_pool_2d_f32(&d->p.f32, (const float *)(const void *)in->data,
            (float *)(void *)out->data);
    }
    TML_CHECK(it, ok, TML_ERR_MODEL, "pooling window outside the input");
    return TML_OK;
}

static tml_status_t max_pool_2d_eval(tml_interp_t *it, tml_node_t *node) {
    const pool_2d_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_max_pool_2d_s8(&d->p.s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_max_pool_2d_f32(&d->p.f32, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_average_pool_2d = {
    .builtin = TML_BUILTIN_AVERAGE_POOL_2D,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(pool_2d_data_t),
    .prepare = pool_2d_prepare,
    .eval = average_pool_2d_eval,
};

const tml_op_t tml_op_max_pool_2d = {
    .builtin = TML_BUILTIN_MAX_POOL_2D,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(pool_2d_data_t),
    .prepare = pool_2d_prepare,
    .eval = max_pool_2d_eval,
};
