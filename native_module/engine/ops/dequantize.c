// DEQUANTIZE: int8/uint8/int16 -> float32 with per-tensor quantization.
#include "tml_op.h"
#include "kernels/ref/dequantize.h"

static TML_COLD tml_status_t dequantize_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_dequantize_params_t *p = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    if (out->type != TML_FLOAT32) {
        return tml_fail_type(it, out->type, "output");
    }
    if (in->quant_count != 1) {
        return tml_failf(it, TML_ERR_UNSUPPORTED, "%s needs per-tensor quantization", "input");
    }
    p->size = tml_elements(in);
    p->in_type = in->type;
    p->scale = in->scale;
    p->zero_point = in->zero_point;
    return TML_OK;
}

static tml_status_t dequantize_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_dequantize_params_t *p = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_dequantize_f32(p, in->data, (float *)(void *)out->data);
    return TML_OK;
}

const tml_op_t tml_op_dequantize = {
    .builtin = TML_BUILTIN_DEQUANTIZE,
    .max_version = 5,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_UINT8) | TML_TYPE_BIT(TML_INT16),
    .data_size = sizeof(tml_dequantize_params_t),
    .prepare = dequantize_prepare,
    .eval = dequantize_eval,
};
