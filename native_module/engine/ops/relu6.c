// RELU6: int8 clamped to the quantized 0 and 6 of the input (the output is
// assumed to share the input's quantization, as TFLite Micro's Relu6Prepare
// does) and float32.
#include "tml_op.h"
#include "tml_math.h"
#include "tml_quant.h"
#include "kernels/ref/relu6.h"

typedef struct {
    uint32_t size;
    int8_t zero;
    int8_t six;
    uint8_t type;
} relu6_data_t;

static TML_COLD tml_status_t relu6_prepare(tml_interp_t *it, tml_node_t *node) {
    relu6_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->size = tml_elements(in);
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    TML_CHECK(it, in->scale > 0.0f, TML_ERR_MODEL, "bad input scale");
    // FloatToQuantizedType(6.0f, scale, zero_point): round in float, then clamp.
    float six = tml_roundf(6.0f / in->scale) + (float)in->zero_point;
    six = six > 127.0f ? 127.0f : (six < -128.0f ? -128.0f : six);
    d->zero = (int8_t)tml_clamp_i32(in->zero_point, INT8_MIN, INT8_MAX);
    d->six = (int8_t)six;
    return TML_OK;
}

static tml_status_t relu6_eval(tml_interp_t *it, tml_node_t *node) {
    const relu6_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_relu6_s8(d->size, d->zero, d->six, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_relu6_f32(d->size, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_relu6 = {
    .builtin = TML_BUILTIN_RELU6,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(relu6_data_t),
    .prepare = relu6_prepare,
    .eval = relu6_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE,
};
