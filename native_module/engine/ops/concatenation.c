// CONCATENATION: byte copy along one axis (int8, int16, int32, int64,
// float32), as TFLite Micro; int8 inputs are not requantized.
#include "tml_op.h"
#include "kernels/ref/concatenation.h"

typedef struct {
    uint32_t outer;        // product of the dimensions before the axis
    uint32_t inner_bytes;  // bytes of one step along the axis
    int32_t axis;
} concatenation_data_t;

static TML_COLD tml_status_t concatenation_prepare(tml_interp_t *it, tml_node_t *node) {
    concatenation_data_t *d = node->data;
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t act = tml_opt_u8(it, node, 1, TML_ACT_NONE);
    if (act != TML_ACT_NONE) {
        return tml_fail_int(it, TML_ERR_UNSUPPORTED, "fused activation", act, " not supported");
    }
    int32_t axis = tml_opt_i32(it, node, 0, 0);
    if (axis < 0) {
        axis += out->ndim;
    }
    if (axis < 0 || axis >= out->ndim) {
        return tml_fail_int(it, TML_ERR_MODEL, "bad axis", axis, "");
    }
    int32_t sum = 0;
    for (int i = 0; i < node->n_inputs; i++) {
        const tml_tensor_t *in = tml_node_input(it, node, i);
        TML_CHECK(it, in != NULL, TML_ERR_MODEL, "missing input");
        TML_CHECK(it, in->type == out->type, TML_ERR_MODEL, "input and output types differ");
        TML_CHECK(it, in->ndim == out->ndim, TML_ERR_MODEL, "input and output ranks differ");
        for (int k = 0; k < out->ndim; k++) {
            TML_CHECK(it, k == axis || in->dims[k] == out->dims[k], TML_ERR_MODEL, "input shapes differ");
        }
        sum += in->dims[axis];
    }
    if (sum != out->dims[axis]) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "output size on axis", sum, out->dims[axis]);
    }
    uint32_t outer = 1, inner = (uint32_t)tml_type_size(out->type);
    for (int k = 0; k < out->ndim; k++) {
        if (k < axis) {
            outer *= (uint32_t)out->dims[k];
        } else if (k > axis) {
            inner *= (uint32_t)out->dims[k];
        }
    }
    d->outer = outer;
    d->inner_bytes = inner;
    d->axis = axis;
    return TML_OK;
}

static tml_status_t concatenation_eval(tml_interp_t *it, tml_node_t *node) {
    const concatenation_data_t *d = node->data;
    tml_tensor_t *out = tml_node_output(it, node, 0);
    uint32_t out_row = (uint32_t)out->dims[d->axis] * d->inner_bytes;
    uint32_t off = 0;
    for (int i = 0; i < node->n_inputs; i++) {
        const tml_tensor_t *in = tml_node_input(it, node, i);
        uint32_t in_row = (uint32_t)in->dims[d->axis] * d->inner_bytes;
        tml_ref_concatenation(d->outer, in_row, out_row, in->data, out->data + off);
        off += in_row;
    }
    return TML_OK;
}

const tml_op_t tml_op_concatenation = {
    .builtin = TML_BUILTIN_CONCATENATION,
    .max_version = 4,
    .inputs = {1, TML_MANY},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_INT64) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(concatenation_data_t),
    .prepare = concatenation_prepare,
    .eval = concatenation_eval,
};
