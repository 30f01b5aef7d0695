// SHAPE: writes the input's static shape as int32 or int64.
#include "tml_op.h"

static TML_COLD tml_status_t shape_prepare(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    if (out->type != TML_INT32 && out->type != TML_INT64) {
        return tml_fail_type(it, out->type, "output");
    }
    if (tml_elements(out) != in->ndim) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "output size", in->ndim, (int32_t)tml_elements(out));
    }
    return TML_OK;
}

static tml_status_t shape_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    for (int k = 0; k < in->ndim; k++) {
        if (out->type == TML_INT32) {
            int32_t v = in->dims[k];
            memcpy(out->data + 4 * k, &v, 4);
        } else {
            int64_t v = in->dims[k];
            memcpy(out->data + 8 * k, &v, 8);
        }
    }
    return TML_OK;
}

const tml_op_t tml_op_shape = {
    .builtin = TML_BUILTIN_SHAPE,
    .max_version = 2,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .prepare = shape_prepare,
    .eval = shape_eval,
};
