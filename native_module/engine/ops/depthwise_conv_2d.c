// DEPTHWISE_CONV_2D: int8 activations with int8 weights (per-channel or
// per-tensor scales, int32 bias) and float32. Prepare follows TFLite Micro's
// DepthwiseConvPrepare and PopulateConvolutionQuantizationParams; eval runs
// tml_depthwise_conv_2d_s8 (the dispatcher in kernels/) or the float32
// reference kernel.
#include "tml_op.h"
#include "ops/conv_common.h"
#include "kernels/kernels.h"

// DepthwiseConv2DOptions fields. depth_multiplier (field 3) is not read: it
// is implied by the shapes (output depth / input depth), which is what
// TFLite's kernel computes whenever the option is consistent.
enum { OPT_PADDING, OPT_STRIDE_W, OPT_STRIDE_H, OPT_ACTIVATION = 4, OPT_DILATION_W, OPT_DILATION_H };

typedef struct {
    union {
        tml_depthwise_conv_2d_s8_params_t s8;
        tml_depthwise_conv_2d_f32_params_t f32;
    } p;
    uint8_t type;
} depthwise_conv_2d_data_t;

// The per-channel arrays of the output channels: dims[3] of the 1HWO filter.
static TML_COLD size_t depthwise_conv_2d_extra_size(const tml_interp_t *it, const tml_node_t *node) {
    return TML_CONV_CHANNEL_BYTES(tml_conv_filter_channels(it, node, 3));
}

// The dispatcher's scratch (a repacked filter, padded input rows). Runs on an unvalidated model:
// the filter may have no dims.
static TML_COLD size_t depthwise_conv_2d_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    if (in == NULL || f == NULL || in->type != TML_INT8 || in->ndim != 4 || in->dims == NULL
        || f->ndim != 4 || f->dims == NULL) {
        return 0;
    }
    return tml_depthwise_conv_2d_s8_scratch_size(it->target.kernels, in->dims[2], in->dims[3], f->dims[1], f->dims[2],
        f->dims[3]);
}

static TML_COLD tml_status_t depthwise_conv_2d_prepare(tml_interp_t *it, tml_node_t *node) {
    depthwise_conv_2d_data_t *d = node->data;
    tml_conv_layer_t l;
    TML_TRY(tml_conv_prepare(it, node, 3, OPT_ACTIVATION, (int32_t *)(d + 1), &d->p.s8.q, &l));
    tml_depthwise_conv_2d_shape_t *s = &d->p.s8.s;  // both union members start with it
    TML_CONV_SHAPE_FROM_WINDOW(s, l.w);
    s->depth_multiplier = l.w.out_c / l.w.in_c;
    d->type = l.in->type;
    if (TML_IS_F32(d->type)) {
        return tml_act_range_float(it, l.act, &d->p.f32.act_min, &d->p.f32.act_max);
    }
    return TML_CONV_KERNEL_BUILT(it, tml_depthwise_conv_2d_s8_fast(&d->p.s8, node->scratch_bytes));
}

static tml_status_t depthwise_conv_2d_eval(tml_interp_t *it, tml_node_t *node) {
    const depthwise_conv_2d_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *bias = tml_node_input(it, node, 2);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_depthwise_conv_2d_s8(&d->p.s8, (const int8_t *)in->data, (const int8_t *)f->data,
            bias != NULL ? (const int32_t *)(const void *)bias->data : NULL, (int8_t *)out->data,
            tml_node_scratch(it, node), node->scratch_bytes);
    } else {
        tml_ref_depthwise_conv_2d_f32(&d->p.f32, (const float *)(const void *)in->data,
            (const float *)(const void *)f->data,
            bias != NULL ? (const float *)(const void *)bias->data : NULL,
            (float *)(void *)out->data);
    }
    return TML_OK;
}

// Every int8 kernel writes pixels in raster order: the reference one pixel at a time, the
// GEMM of kernels/opt/ two pixels at a time after reading both, the ARMv7E-M 3x3 depthwise
// path a row after copying the input rows it needs.
static bool depthwise_conv_2d_window(const tml_interp_t *it, const tml_node_t *node, tml_window_shape_t *s) {
    return tml_conv_window_shape(it, node, OPT_DILATION_W, s);
}

// int8 only: the window hook, which the planner checks first, holds no other type.
static tml_status_t depthwise_conv_2d_eval_rows(tml_interp_t *it, tml_node_t *node, const tml_rows_t *b) {
    const depthwise_conv_2d_data_t *d = node->data;
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *bias = tml_node_input(it, node, 2);
    tml_depthwise_conv_2d_s8_rows(&d->p.s8, b->row0, b->rows, b->in_row0, b->in_rows, (const int8_t *)b->input,
        (const int8_t *)f->data, bias != NULL ? (const int32_t *)(const void *)bias->data : NULL,
        (int8_t *)b->output, tml_node_scratch(it, node), node->scratch_bytes);
    return TML_OK;
}

const tml_op_t tml_op_depthwise_conv_2d = {
    .builtin = TML_BUILTIN_DEPTHWISE_CONV_2D,
    .max_version = 7,
    .inputs = {2, 3},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(depthwise_conv_2d_data_t),
    .data_size_ilp32 = TML_ILP32_SIZE(depthwise_conv_2d_data_t, 88),
    .extra_size = depthwise_conv_2d_extra_size,
    .scratch_size = depthwise_conv_2d_scratch_size,
    .prepare = depthwise_conv_2d_prepare,
    .eval = depthwise_conv_2d_eval,
    .window = depthwise_conv_2d_window,
    .eval_rows = depthwise_conv_2d_eval_rows,
};
