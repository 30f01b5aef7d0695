// PACK: stacks N same-shaped inputs along a new axis (byte copy; int8,
// int16, int32, int64, float32).
#include "tml_op.h"
#include "kernels/ref/concatenation.h"

typedef struct {
    uint32_t outer;        // product of the input dimensions before the axis
    uint32_t inner_bytes;  // bytes of one input row (dimensions from the axis on)
} pack_data_t;

static TML_COLD tml_status_t pack_prepare(tml_interp_t *it, tml_node_t *node) {
    pack_data_t *d = node->data;
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    const tml_tensor_t *in0 = tml_node_input(it, node, 0);
    int32_t t = out->type;
    if (out->ndim != in0->ndim + 1) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "output rank", in0->ndim + 1, out->ndim);
    }
    int32_t axis = tml_opt_i32(it, node, 1, 0);
    if (axis < 0) {
        axis += out->ndim;
    }
    if (axis < 0 || axis >= out->ndim) {
        return tml_fail_int(it, TML_ERR_MODEL, "bad axis", axis, "");
    }
    if (out->dims[axis] != node->n_inputs) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "output size on axis", node->n_inputs, out->dims[axis]);
    }
    for (int i = 0; i < node->n_inputs; i++) {
        const tml_tensor_t *in = tml_node_input(it, node, i);
        TML_CHECK(it, in != NULL, TML_ERR_MODEL, "missing input");
        TML_CHECK(it, in->type == t, TML_ERR_MODEL, "input and output types differ");
        TML_CHECK(it, tml_same_shape(in, in0), TML_ERR_MODEL, "input shapes differ");
    }
    uint32_t outer = 1, inner = (uint32_t)tml_type_size(t);
    for (int k = 0; k < in0->ndim; k++) {
        TML_CHECK(it, in0->dims[k] == out->dims[k < axis ? k : k + 1], TML_ERR_MODEL, "output shape mismatch");
        if (k < axis) {
            outer *= (uint32_t)in0->dims[k];
        } else {
            inner *= (uint32_t)in0->dims[k];
        }
    }
    d->outer = outer;
    d->inner_bytes = inner;
    return TML_OK;
}

static tml_status_t pack_eval(tml_interp_t *it, tml_node_t *node) {
    const pack_data_t *d = node->data;
    tml_tensor_t *out = tml_node_output(it, node, 0);
    uint32_t out_row = d->inner_bytes * node->n_inputs;
    for (int i = 0; i < node->n_inputs; i++) {
        const tml_tensor_t *in = tml_node_input(it, node, i);
        tml_ref_concatenation(d->outer, d->inner_bytes, out_row, in->data, out->data + i * d->inner_bytes);
    }
    return TML_OK;
}

const tml_op_t tml_op_pack = {
    .builtin = TML_BUILTIN_PACK,
    .max_version = 3,
    .inputs = {1, TML_MANY},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_INT64) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(pack_data_t),
    .prepare = pack_prepare,
    .eval = pack_eval,
};
