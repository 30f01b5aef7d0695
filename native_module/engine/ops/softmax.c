// SOFTMAX over the last dimension: int8 -> int8 (scale 1/256, zero point
// -128), int8 -> int16 (scale 1/65536, zero point -32768) and float32, with
// beta. Prepare follows TFLite Micro's SoftmaxPrepare (softmax_common.cc).
#include "tml_op.h"
#include "tml_math.h"
#include "tml_quant.h"
#include "kernels/ref/softmax.h"

// TFLite's QuantizeMultiplier for 1 < m < 2^31, where the shift may reach 31
// (tml_quantize_multiplier saturates shifts above 30 as the single-rounding
// build does; TFLite Micro's default build keeps them).
static TML_COLD void multiplier_gt1(double m, int32_t *q, int *shift) {
    double mantissa = tml_frexp(m, shift);
    int64_t fixed = (int64_t)tml_round(mantissa * 2147483648.0);
    if (fixed == ((int64_t)1 << 31)) {
        fixed /= 2;
        ++*shift;
    }
    *q = (int32_t)fixed;
}

typedef struct {
    union {
        tml_softmax_s8_params_t s8;
        tml_softmax_f32_params_t f32;
    } p;
    uint8_t in_type;
    uint8_t out_type;
} softmax_data_t;

// "int8 output needs scale 1/256, zero point -128": the one output quantization the kernels
// of a type produce.
static TML_COLD tml_status_t output_range_unsupported(tml_interp_t *it, int32_t type, int32_t inv_scale,
    int32_t zero_point) {
    return tml_failf(it, TML_ERR_UNSUPPORTED, "%s output needs scale 1/%d, zero point %d", tml_type_name(type),
        (int)inv_scale, (int)zero_point);
}

static TML_COLD tml_status_t softmax_prepare(tml_interp_t *it, tml_node_t *node) {
    softmax_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    TML_CHECK(it, in->ndim >= 1, TML_ERR_MODEL, "input must not be a scalar");
    int32_t depth = in->dims[in->ndim - 1];
    int32_t outer = depth > 0 ? (int32_t)(tml_elements(in) / (uint32_t)depth) : 0;
    float beta = tml_opt_f32(it, node, 0, 0.0f);
    d->in_type = in->type;
    d->out_type = out->type;

    if (TML_IS_F32(in->type)) {
        TML_CHECK(it, out->type == TML_FLOAT32, TML_ERR_MODEL, "input and output types differ");
        d->p.f32.outer = outer;
        d->p.f32.depth = depth;
        d->p.f32.beta = beta;
        return TML_OK;
    }
    if (in->type != TML_INT8) {
        return tml_fail_type(it, in->type, "input");
    }
    if (out->type == TML_INT8) {
        if (!(out->zero_point == -128 && out->scale == 1.0f / 256)) {
            return output_range_unsupported(it, out->type, 256, -128);
        }
    } else if (TML_IS_S16(out->type)) {
        float err = out->scale - 1.0f / 65536;
        if (!(out->zero_point == -32768 && err <= 0.001f / 65536 && err >= -0.001f / 65536)) {
            return output_range_unsupported(it, out->type, 65536, -32768);
        }
    } else {
        return tml_fail_type(it, out->type, "output");
    }
    // beta * input_scale on Q5.26 differences, capped (TFLite's
    // PreprocessSoftmaxScaling with 5 integer bits).
    double m = (double)beta * (double)in->scale * (double)(1 << 26);
    m = m < 2147483647.0 ? m : 2147483647.0;
    TML_CHECK(it, m > 1.0, TML_ERR_UNSUPPORTED, "beta * input scale out of range");
    tml_softmax_s8_params_t *p = &d->p.s8;
    int shift;
    multiplier_gt1(m, &p->input_multiplier, &shift);
    TML_CHECK(it, shift >= 0 && shift <= 31, TML_ERR_UNSUPPORTED, "beta * input scale out of range");
    p->input_left_shift = shift;
    p->diff_min = -tml_input_radius(5, shift, 31);
    p->outer = outer;
    p->depth = depth;
    return TML_OK;
}

static tml_status_t softmax_eval(tml_interp_t *it, tml_node_t *node) {
    const softmax_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (TML_IS_F32(d->in_type)) {
        tml_ref_softmax_f32(&d->p.f32, (const float *)(const void *)in->data, (float *)(void *)out->data);
    } else if (d->out_type == TML_INT8) {
        tml_ref_softmax_s8(&d->p.s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_softmax_s8_s16(&d->p.s8, (const int8_t *)in->data, (int16_t *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_softmax = {
    .builtin = TML_BUILTIN_SOFTMAX,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .data_size = sizeof(softmax_data_t),
    .prepare = softmax_prepare,
    .eval = softmax_eval,
};
