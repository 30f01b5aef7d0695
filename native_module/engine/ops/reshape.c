// RESHAPE, SQUEEZE and EXPAND_DIMS: the same bytes under the output's static
// shape. Marked TML_OP_ALIAS, so the planner normally gives output and input
// one buffer and eval has nothing to do; it copies when they differ (e.g. a
// constant input). The three ops differ only in how many inputs they take
// (the shape/axis input is not read: the output's static shape is used).
#include "tml_op.h"

static TML_COLD tml_status_t alias_prepare(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (tml_type_size(in->type) == 0) {
        return tml_fail_type(it, in->type, "input");
    }
    const uint32_t in_elements = tml_elements(in), out_elements = tml_elements(out);
    if (in_elements != out_elements) {
        return tml_fail_mismatch(it, TML_ERR_MODEL, "element count", (int32_t)in_elements, (int32_t)out_elements);
    }
    TML_CHECK(it, in->bytes == out->bytes, TML_ERR_MODEL, "input and output sizes differ");
    return TML_OK;
}

static tml_status_t alias_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (out->data != in->data) {
        memmove(out->data, in->data, out->bytes);
    }
    return TML_OK;
}

const tml_op_t tml_op_reshape = {
    .builtin = TML_BUILTIN_RESHAPE,
    .max_version = 2,
    .inputs = {1, 2},
    .outputs = {1, 1},
    .prepare = alias_prepare,
    .eval = alias_eval,
    .flags = TML_OP_ALIAS | TML_OP_SAME_TYPE,
};

const tml_op_t tml_op_squeeze = {
    .builtin = TML_BUILTIN_SQUEEZE,
    .max_version = 2,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .prepare = alias_prepare,
    .eval = alias_eval,
    .flags = TML_OP_ALIAS | TML_OP_SAME_TYPE,
};

const tml_op_t tml_op_expand_dims = {
    .builtin = TML_BUILTIN_EXPAND_DIMS,
    .max_version = 2,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .prepare = alias_prepare,
    .eval = alias_eval,
    .flags = TML_OP_ALIAS | TML_OP_SAME_TYPE,
};
