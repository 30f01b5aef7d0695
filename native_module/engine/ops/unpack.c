// UNPACK: splits the input along an axis into N outputs that drop it (byte
// copy; int8, int16, int32, int64, float32).
#include "tml_op.h"
#include "kernels/ref/unpack.h"

typedef struct {
    uint32_t outer;        // product of the input dimensions before the axis
    uint32_t inner_bytes;  // bytes of one output row (dimensions after the axis)
} unpack_data_t;

static TML_COLD tml_status_t unpack_prepare(tml_interp_t *it, tml_node_t *node) {
    unpack_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    int32_t t = in->type;
    int32_t axis = tml_opt_i32(it, node, 1, 0);
    if (axis < 0) {
        axis += in->ndim;
    }
    if (axis < 0 || axis >= in->ndim) {
        return tml_fail_int(it, TML_ERR_MODEL, "bad axis", axis, "");
    }
    if (in->dims[axis] != node->n_outputs) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "outputs on axis", in->dims[axis], node->n_outputs);
    }
    uint32_t outer = 1, inner = (uint32_t)tml_type_size(t);
    for (int k = 0; k < in->ndim; k++) {
        if (k < axis) {
            outer *= (uint32_t)in->dims[k];
        } else if (k > axis) {
            inner *= (uint32_t)in->dims[k];
        }
    }
    for (int i = 0; i < node->n_outputs; i++) {
        const tml_tensor_t *out = tml_node_output(it, node, i);
        TML_CHECK(it, out->type == t, TML_ERR_MODEL, "input and output types differ");
        if (out->ndim + 1 != in->ndim) {
            return tml_fail_mismatch(it, TML_ERR_MODEL, "output rank", in->ndim - 1, out->ndim);
        }
        for (int k = 0; k < out->ndim; k++) {
            TML_CHECK(it, out->dims[k] == in->dims[k < axis ? k : k + 1], TML_ERR_MODEL, "output shape mismatch");
        }
    }
    d->outer = outer;
    d->inner_bytes = inner;
    return TML_OK;
}

static tml_status_t unpack_eval(tml_interp_t *it, tml_node_t *node) {
    const unpack_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    uint32_t in_row = d->inner_bytes * node->n_outputs;
    for (int i = 0; i < node->n_outputs; i++) {
        tml_tensor_t *out = tml_node_output(it, node, i);
        tml_ref_unpack(d->outer, d->inner_bytes, in_row, in->data + i * d->inner_bytes, out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_unpack = {
    .builtin = TML_BUILTIN_UNPACK,
    .max_version = 4,
    .inputs = {1, 1},
    .outputs = {1, TML_MANY},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_INT64) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(unpack_data_t),
    .prepare = unpack_prepare,
    .eval = unpack_eval,
};
