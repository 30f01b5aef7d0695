// RELU: int8 requantized from the input to the output scale and clamped at
// the output's zero, as TFLite Micro's ReluPrepare/ReluQuantized
// (activations_common.cc), and float32.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/relu.h"

typedef struct {
    tml_relu_s8_params_t s8;  // size is used by both types
    uint8_t type;
} relu_data_t;

static TML_COLD tml_status_t relu_prepare(tml_interp_t *it, tml_node_t *node) {
    relu_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->s8.size = tml_elements(in);
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    int shift;
    tml_quantize_multiplier((double)in->scale / (double)out->scale, &d->s8.multiplier, &shift);
    d->s8.shift = shift;
    d->s8.input_zero_point = in->zero_point;
    d->s8.output_zero_point = out->zero_point;
    // Quantized 0 is the output zero point; no upper limit.
    d->s8.act_min = out->zero_point > INT8_MIN ? out->zero_point : INT8_MIN;
    d->s8.act_max = INT8_MAX;
    return TML_OK;
}

static tml_status_t relu_eval(tml_interp_t *it, tml_node_t *node) {
    const relu_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_relu_s8(&d->s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_relu_f32(d->s8.size, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_relu = {
    .builtin = TML_BUILTIN_RELU,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(relu_data_t),
    .prepare = relu_prepare,
    .eval = relu_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE | TML_OP_OUTPUT_SCALE,
};
