// PRELU: int8 (per-tensor alpha quantization, as TFLite Micro's
// CalculatePreluParams) and float32, alpha broadcast against the input.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/prelu.h"

typedef struct {
    tml_prelu_s8_params_t s8;  // bc is used by both types
    uint8_t type;
} prelu_data_t;

static TML_COLD tml_status_t prelu_prepare(tml_interp_t *it, tml_node_t *node) {
    prelu_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *alpha = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (alpha->type != in->type) {
        return tml_fail_type(it, alpha->type, "alpha");
    }
    TML_CHECK(it, tml_bcast_init(&d->s8.bc, in->dims, in->ndim, alpha->dims, alpha->ndim, out->dims, out->ndim),
        TML_ERR_MODEL, "shapes do not broadcast");
    d->type = in->type;
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    TML_CHECK(it, out->scale > 0.0f, TML_ERR_MODEL, "output scale must be positive");
    int shift;
    tml_quantize_multiplier((double)in->scale / (double)out->scale, &d->s8.multiplier_pos, &shift);
    d->s8.shift_pos = shift;
    tml_quantize_multiplier((double)in->scale * (double)alpha->scale / (double)out->scale,
        &d->s8.multiplier_neg, &shift);
    d->s8.shift_neg = shift;
    d->s8.input_offset = -in->zero_point;
    d->s8.alpha_offset = -alpha->zero_point;
    d->s8.output_offset = out->zero_point;
    return TML_OK;
}

static tml_status_t prelu_eval(tml_interp_t *it, tml_node_t *node) {
    const prelu_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *alpha = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_prelu_s8(&d->s8, (const int8_t *)in->data, (const int8_t *)alpha->data, (int8_t *)out->data);
    } else {
        tml_ref_prelu_f32(&d->s8.bc, (const float *)(const void *)in->data,
            (const float *)(const void *)alpha->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_prelu = {
    .builtin = TML_BUILTIN_PRELU,
    .max_version = 1,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(prelu_data_t),
    .prepare = prelu_prepare,
    .eval = prelu_eval,
};
