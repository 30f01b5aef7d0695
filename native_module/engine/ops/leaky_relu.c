// LEAKY_RELU: int8 with separate multipliers for the positive and negative
// sides (TFLite Micro's CalculateOpDataLeakyRelu, whose multipliers are
// formed in float) and float32.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/leaky_relu.h"

typedef struct {
    tml_leaky_relu_s8_params_t s8;  // size is used by both types
    float alpha;
    uint8_t type;
} leaky_relu_data_t;

static TML_COLD tml_status_t leaky_relu_prepare(tml_interp_t *it, tml_node_t *node) {
    leaky_relu_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->s8.size = tml_elements(in);
    d->alpha = tml_opt_f32(it, node, 0, 0.0f);  // LeakyReluOptions.alpha
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    int shift;
    float alpha_m = in->scale * d->alpha / out->scale;
    tml_quantize_multiplier((double)alpha_m, &d->s8.multiplier_alpha, &shift);
    d->s8.shift_alpha = shift;
    float identity_m = in->scale / out->scale;
    tml_quantize_multiplier((double)identity_m, &d->s8.multiplier_identity, &shift);
    d->s8.shift_identity = shift;
    d->s8.input_zero_point = in->zero_point;
    d->s8.output_zero_point = out->zero_point;
    return TML_OK;
}

static tml_status_t leaky_relu_eval(tml_interp_t *it, tml_node_t *node) {
    const leaky_relu_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_leaky_relu_s8(&d->s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_leaky_relu_f32(d->s8.size, d->alpha, (const float *)(const void *)in->data,
            (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_leaky_relu = {
    .builtin = TML_BUILTIN_LEAKY_RELU,
    .max_version = 2,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(leaky_relu_data_t),
    .prepare = leaky_relu_prepare,
    .eval = leaky_relu_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE | TML_OP_OUTPUT_SCALE,
};
