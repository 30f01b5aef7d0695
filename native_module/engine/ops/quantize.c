// QUANTIZE: float32 -> int8/uint8/int16 and requantization between integer
// types (the pairs TFLite Micro's PrepareQuantizeReference accepts: int8 <->
// int8/uint8/int16/int32, int16 <-> int8/int16/int32, int32 -> int8/int16,
// uint8 -> int8). Output quantization must be per-tensor.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/quantize.h"

typedef struct {
    union {
        tml_quantize_f32_params_t f32;
        tml_quantize_int_params_t q;
    } p;
    uint8_t in_type;
} quantize_data_t;

static TML_COLD bool requantize_supported(int32_t in, int32_t out) {
    switch (in) {
        case TML_INT8:
            return out == TML_INT8 || out == TML_UINT8 || out == TML_INT16 || out == TML_INT32;
        case TML_INT16:
            return out == TML_INT8 || out == TML_INT16 || out == TML_INT32;
        case TML_INT32:
            return out == TML_INT8 || out == TML_INT16;
        case TML_UINT8:
            return out == TML_INT8;
        default:
            return false;
    }
}

static TML_COLD tml_status_t quantize_prepare(tml_interp_t *it, tml_node_t *node) {
    quantize_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    if (out->quant_count != 1) {
        return tml_failf(it, TML_ERR_UNSUPPORTED, "%s needs per-tensor quantization", "output");
    }
    TML_CHECK(it, out->scale > 0.0f, TML_ERR_MODEL, "output scale must be positive");
    d->in_type = in->type;
    if (TML_IS_F32(in->type)) {
        if (out->type != TML_INT8 && out->type != TML_UINT8 && out->type != TML_INT16) {
            return tml_fail_type(it, out->type, "output");
        }
        d->p.f32.size = tml_elements(in);
        d->p.f32.scale = out->scale;
        d->p.f32.zero_point = out->zero_point;
        d->p.f32.out_type = out->type;
        return TML_OK;
    }
    if (in->type != TML_INT8 && in->type != TML_UINT8 && in->type != TML_INT16 && in->type != TML_INT32) {
        return tml_fail_type(it, in->type, "input");
    }
    if (!requantize_supported(in->type, out->type)) {
        return tml_fail_type(it, out->type, "output");
    }
    tml_quantize_int_params_t *p = &d->p.q;
    int shift;
    tml_quantize_multiplier((double)in->scale / (double)out->scale, &p->multiplier, &shift);
    p->shift = shift;
    p->size = tml_elements(in);
    p->in_type = in->type;
    p->out_type = out->type;
    p->input_zero_point = in->zero_point;
    p->output_zero_point = out->zero_point;
    return TML_OK;
}

static tml_status_t quantize_eval(tml_interp_t *it, tml_node_t *node) {
    const quantize_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (TML_IS_F32(d->in_type)) {
        tml_ref_quantize_f32(&d->p.f32, (const float *)(const void *)in->data, out->data);
    } else {
        tml_ref_quantize_int(&d->p.q, in->data, out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_quantize = {
    .builtin = TML_BUILTIN_QUANTIZE,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .data_size = sizeof(quantize_data_t),
    .prepare = quantize_prepare,
    .eval = quantize_eval,
};
