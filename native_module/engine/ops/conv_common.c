// Prepare steps shared by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
#include "ops/conv_common.h"
#include "tml_quant.h"

// Option fields that Conv2DOptions and DepthwiseConv2DOptions share.
enum { OPT_PADDING, OPT_STRIDE_W, OPT_STRIDE_H };

TML_COLD int32_t tml_conv_channel_count(int32_t n) {
    return n > 0 && n <= TML_CONV_MAX_CHANNELS ? n : 0;
}

TML_COLD int32_t tml_conv_filter_channels(const tml_interp_t *it, const tml_node_t *node, int axis) {
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    if (f == NULL || f->dims == NULL || f->ndim != 4) {
        return 0;
    }
    return tml_conv_channel_count(f->dims[axis]);
}

TML_COLD tml_status_t tml_conv_tensors(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **in_p,
    const tml_tensor_t **f_p, const tml_tensor_t **bias_p, const tml_tensor_t **out_p) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *bias = tml_node_input(it, node, 2);
    const tml_tensor_t *out = tml_node_output(it, node, 0);

    // Input and output: int8 or float32 (the op's declared types).
    if (f->type != in->type) {
        if (f->type == TML_INT8) {
            return tml_fail(it, TML_ERR_UNSUPPORTED, "hybrid int8 weights with float32 input not supported");
        }
        return tml_fail_type(it, f->type, "weights");  // int4 packed weights land here
    }
    if (bias != NULL) {
        int32_t want = in->type == TML_INT8 ? TML_INT32 : TML_FLOAT32;
        if (bias->type != want) {
            return tml_fail_type(it, bias->type, "bias");
        }
    }
    *in_p = in;
    *f_p = f;
    *bias_p = bias;
    *out_p = out;
    return TML_OK;
}

TML_COLD tml_status_t tml_conv_multipliers(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t *in,
    const tml_tensor_t *f, const tml_tensor_t *out, int32_t channels, int32_t *mult, int8_t *shift) {
    tml_quant_t q;
    TML_TRY(tml_tensor_quant(it, tml_node_input_index(node, 1), &q));
    TML_CHECK(it, q.count >= 1, TML_ERR_MODEL, "weights not quantized");
    if (q.count > 1) {
        if (q.count != (uint32_t)channels) {
            return tml_fail_mismatch(it, TML_ERR_MODEL, "weight scales", channels, (int32_t)q.count);
        }
        TML_CHECK(it, q.quantized_dimension >= 0 && q.quantized_dimension < f->ndim
            && f->dims[q.quantized_dimension] == channels, TML_ERR_MODEL, "bad weights quantized dimension");
    }
    TML_CHECK(it, in->quant_count >= 1 && out->quant_count >= 1, TML_ERR_MODEL, "input or output not quantized");
    TML_CHECK(it, out->scale > 0.0f, TML_ERR_MODEL, "output scale must be positive");
    for (int32_t c = 0; c < channels; c++) {
        double fs = (double)tml_quant_scale(&q, q.count > 1 ? (uint32_t)c : 0);
        double m = (double)in->scale * fs / (double)out->scale;
        int sh;
        tml_quantize_multiplier(m, &mult[c], &sh);
        shift[c] = (int8_t)sh;  // -31..30: tml_quantize_multiplier clamps it
    }
    return TML_OK;
}

// What is wrong with a window, in the order tml_conv_window reports it.
enum { WINDOW_OK, WINDOW_BAD_PADDING, WINDOW_BAD_STRIDE, WINDOW_BAD_DILATION, WINDOW_BAD_OUTPUT };
static const char *const window_errors[] = {
    [WINDOW_BAD_PADDING] = "bad padding",
    [WINDOW_BAD_STRIDE] = "bad stride",
    [WINDOW_BAD_DILATION] = "bad dilation",
    [WINDOW_BAD_OUTPUT] = "output shape mismatch",
};

// The one reading and checking of a window that prepare (tml_conv_window, which reports the
// problem) and the planner (tml_conv_window_shape, which does not) share.
static TML_COLD int read_window(const tml_interp_t *it, const tml_node_t *node, int dilation_field,
    tml_window_shape_t *w) {
    int32_t padding = tml_opt_u8(it, node, OPT_PADDING, TML_PAD_SAME);
    w->stride_w = tml_opt_i32(it, node, OPT_STRIDE_W, 0);
    w->stride_h = tml_opt_i32(it, node, OPT_STRIDE_H, 0);
    w->dilation_w = dilation_field ? tml_opt_i32(it, node, dilation_field, 1) : 1;
    w->dilation_h = dilation_field ? tml_opt_i32(it, node, dilation_field + 1, 1) : 1;
    if (padding != TML_PAD_SAME && padding != TML_PAD_VALID) {
        return WINDOW_BAD_PADDING;
    }
    if (!(w->stride_w > 0 && w->stride_h > 0 && w->stride_w <= TML_CONV_MAX_STEP
          && w->stride_h <= TML_CONV_MAX_STEP)) {
        return WINDOW_BAD_STRIDE;
    }
    if (!(w->dilation_w > 0 && w->dilation_h > 0 && w->dilation_w <= TML_CONV_MAX_STEP
          && w->dilation_h <= TML_CONV_MAX_STEP
          && (int64_t)(w->filter_h - 1) * w->dilation_h < TML_CONV_MAX_SPAN
          && (int64_t)(w->filter_w - 1) * w->dilation_w < TML_CONV_MAX_SPAN)) {
        return WINDOW_BAD_DILATION;
    }
    int32_t oh = tml_out_size(padding, w->in_h, w->filter_h, w->stride_h, w->dilation_h);
    int32_t ow = tml_out_size(padding, w->in_w, w->filter_w, w->stride_w, w->dilation_w);
    if (oh != w->out_h || ow != w->out_w) {
        return WINDOW_BAD_OUTPUT;
    }
    w->pad_h = tml_pad_before(w->in_h, w->filter_h, w->stride_h, w->dilation_h, oh);
    w->pad_w = tml_pad_before(w->in_w, w->filter_w, w->stride_w, w->dilation_w, ow);
    return WINDOW_OK;
}

TML_COLD tml_status_t tml_conv_window(tml_interp_t *it, const tml_node_t *node, int dilation_field,
    tml_window_shape_t *w) {
    int bad = read_window(it, node, dilation_field, w);
    return bad == WINDOW_OK ? TML_OK : tml_fail_model(it, window_errors[bad]);
}

TML_COLD tml_status_t tml_conv_prepare(tml_interp_t *it, const tml_node_t *node, int channel_axis, int act_field,
    int32_t *arrays, tml_channel_quant_t *q, tml_conv_layer_t *l) {
    const tml_tensor_t *in, *f, *bias, *out;
    TML_TRY(tml_conv_tensors(it, node, &in, &f, &bias, &out));
    TML_CHECK(it, in->ndim == 4 && f->ndim == 4 && out->ndim == 4, TML_ERR_MODEL, "tensors must be 4-D");
    for (int i = 0; i < 4; i++) {
        // A zero-sized dimension lets the others be anything; keep them sane.
        TML_CHECK(it, in->dims[i] <= TML_CONV_MAX_SPAN && f->dims[i] <= TML_CONV_MAX_SPAN
            && out->dims[i] <= TML_CONV_MAX_SPAN, TML_ERR_MODEL, "tensor too large");
    }
    const int32_t in_c = in->dims[3], out_c = f->dims[channel_axis];
    const int32_t filter_h = f->dims[1], filter_w = f->dims[2];
    // out_c may be 0 (an empty output), as the arrays' size allows.
    TML_CHECK(it, out_c == tml_conv_channel_count(out_c) && filter_h > 0 && filter_w > 0, TML_ERR_MODEL,
        "bad filter shape");
    TML_CHECK(it, out->dims[0] == in->dims[0] && out->dims[3] == out_c, TML_ERR_MODEL, "output shape mismatch");
    if (channel_axis == 0) {
        const int32_t filter_c = f->dims[3];
        TML_CHECK(it, filter_c > 0 && in_c >= filter_c && in_c % filter_c == 0 && out_c % (in_c / filter_c) == 0,
            TML_ERR_MODEL, "filter depth does not divide input depth");
    } else {
        TML_CHECK(it, in_c > 0 && out_c % in_c == 0, TML_ERR_MODEL, "output depth not a multiple of input depth");
    }
    if (bias != NULL) {
        TML_CHECK(it, tml_elements(bias) >= (uint32_t)out_c, TML_ERR_MODEL, "bias too short");
    }
    tml_window_shape_t *w = &l->w;
    w->batches = in->dims[0];
    w->in_h = in->dims[1];
    w->in_w = in->dims[2];
    w->in_c = in_c;
    w->filter_h = filter_h;
    w->filter_w = filter_w;
    w->out_h = out->dims[1];
    w->out_w = out->dims[2];
    w->out_c = out_c;
    TML_TRY(tml_conv_window(it, node, act_field + 1, w));
    l->in = in;
    l->f = f;
    l->act = tml_opt_u8(it, node, act_field, TML_ACT_NONE);
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    q->input_offset = -in->zero_point;
    q->output_offset = out->zero_point;
    int8_t *shift = (int8_t *)(arrays + out_c);
    q->multiplier = arrays;
    q->shift = shift;
    TML_TRY(tml_conv_multipliers(it, node, in, f, out, out_c, arrays, shift));
    return tml_act_range_quant(it, l->act, out, &q->act_min, &q->act_max);
}

static TML_COLD bool usable_4d(const tml_tensor_t *t) {
    if (t == NULL || t->ndim != 4 || t->dims == NULL) {
        return false;
    }
    for (int i = 0; i < 4; i++) {
        if (t->dims[i] <= 0 || t->dims[i] > TML_CONV_MAX_SPAN) {
            return false;
        }
    }
    return true;
}

TML_COLD bool tml_conv_window_shape(const tml_interp_t *it, const tml_node_t *node, int dilation_field,
    tml_window_shape_t *s) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (!usable_4d(in) || !usable_4d(f) || !usable_4d(out) || in->type != TML_INT8
        || out->type != TML_INT8 || in->dims[0] != out->dims[0]) {
        return false;
    }
    s->batches = in->dims[0];
    s->in_h = in->dims[1];
    s->in_w = in->dims[2];
    s->in_c = in->dims[3];
    s->filter_h = f->dims[1];
    s->filter_w = f->dims[2];
    s->out_h = out->dims[1];
    s->out_w = out->dims[2];
    s->out_c = out->dims[3];
    return read_window(it, node, dilation_field, s) == WINDOW_OK;
}

#if !TML_KERNEL_REFERENCE_CONV
TML_COLD tml_status_t tml_conv_reference_left_out(tml_interp_t *it) {
    // "op <n> <OP>: " comes first: the words fit TML_ERR_MSG_LEN with a 3-digit op index. The
    // end is tml_model.c's for every left-out part of a build.
    return tml_failf(it, TML_ERR_UNSUPPORTED, "this shape%s", TML_NOT_BUILT_IN);
}
#endif
