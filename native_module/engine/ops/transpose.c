// TRANSPOSE: permutes up to 6 dimensions by element size (int8, int16,
// int32, float32); the permutation must be constant.
#include "tml_op.h"
#include "kernels/ref/transpose.h"

static TML_COLD tml_status_t transpose_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_transpose_params_t *p = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *perm = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t t = out->type;
    TML_TRY(tml_check_const(it, perm, "permutation"));
    if (perm->type != TML_INT32) {
        return tml_fail_type(it, perm->type, "permutation");
    }
    int rank = in->ndim;
    // Loading refused any tensor of more than TML_MAX_DIMS dimensions: only a build that raised
    // that bound above the kernel's can get here with more.
#if TML_MAX_DIMS > TML_TRANSPOSE_DIMS
    TML_CHECK(it, rank <= TML_TRANSPOSE_DIMS, TML_ERR_UNSUPPORTED, "more than 6 dimensions");
#endif
    TML_CHECK(it, out->ndim == rank && tml_elements(perm) == (uint32_t)rank, TML_ERR_MODEL,
        "permutation size must equal rank");
    int off = TML_TRANSPOSE_DIMS - rank;
    uint32_t seen = 0;
    for (int k = 0; k < TML_TRANSPOSE_DIMS; k++) {
        p->in_dims[k] = k < off ? 1 : in->dims[k - off];
        p->perm[k] = k;
    }
    for (int k = 0; k < rank; k++) {
        int32_t v = tml_rd_i32(perm->data + 4 * k);
        if (v < 0 || v >= rank || (seen & (1u << v))) {
            return tml_fail_int(it, TML_ERR_MODEL, "bad permutation entry", v, "");
        }
        seen |= 1u << v;
        TML_CHECK(it, out->dims[k] == in->dims[v], TML_ERR_MODEL, "output shape mismatch");
        p->perm[off + k] = off + v;
    }
    p->elem_size = (uint32_t)tml_type_size(t);
    return TML_OK;
}

static tml_status_t transpose_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_transpose(node->data, in->data, out->data);
    return TML_OK;
}

const tml_op_t tml_op_transpose = {
    .builtin = TML_BUILTIN_TRANSPOSE,
    .max_version = 6,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(tml_transpose_params_t),
    .prepare = transpose_prepare,
    .eval = transpose_eval,
};
