// STRIDED_SLICE: up to 6 dimensions, by element size (int8, int16, int32,
// float32, bool). begin/end/strides must be constant. Masks follow TFLite
// Micro's strided_slice_logic.h: begin, end and shrink_axis masks and the
// offset flag apply; ellipsis and new_axis masks are ignored as there (a
// model relying on them fails the output shape check).
#include "tml_op.h"
#include "kernels/ref/strided_slice.h"

static TML_COLD bool const_i32_vec(const tml_tensor_t *t) {
    return t != NULL && (t->flags & TML_TENSOR_CONST) && t->data != NULL && t->type == TML_INT32 && t->ndim == 1;
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

static TML_COLD tml_status_t strided_slice_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_strided_slice_params_t *p = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *begin = tml_node_input(it, node, 1);
    const tml_tensor_t *end = tml_node_input(it, node, 2);
    const tml_tensor_t *strides = tml_node_input(it, node, 3);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t t = out->type;
    TML_CHECK(it, const_i32_vec(begin) && const_i32_vec(end) && const_i32_vec(strides), TML_ERR_UNSUPPORTED,
        "begin, end and strides must be constant int32");
    int rank = in->ndim;
    // Loading refused any tensor of more than TML_MAX_DIMS dimensions: only a build that raised
    // that bound above the kernel's can get here with more.
#if TML_MAX_DIMS > TML_STRIDED_SLICE_DIMS
    TML_CHECK(it, rank <= TML_STRIDED_SLICE_DIMS, TML_ERR_UNSUPPORTED, "more than 6 dimensions");
#endif
    uint32_t n = tml_elements(begin);
    TML_CHECK(it, n <= (uint32_t)rank && tml_elements(end) == n && tml_elements(strides) == n, TML_ERR_MODEL,
        "begin, end and strides sizes differ");
    uint32_t begin_mask = (uint32_t)tml_opt_i32(it, node, 0, 0);
    uint32_t end_mask = (uint32_t)tml_opt_i32(it, node, 1, 0);
    uint32_t shrink_mask = (uint32_t)tml_opt_i32(it, node, 4, 0);
    bool offset = tml_opt_bool(it, node, 5, false);

    int pad = TML_STRIDED_SLICE_DIMS - rank;
    int32_t in_stride = 1;
    int out_k = out->ndim;  // output dimensions are matched from the back
    p->start = 0;
    for (int k = TML_STRIDED_SLICE_DIMS - 1; k >= 0; k--) {
        int a = k - pad;  // input axis, < 0 for the leading padding
        if (a < 0) {
            p->count[k] = 1;
            p->step[k] = 0;
            continue;
        }
        int32_t size = in->dims[a];
        int32_t start = 0, stop = size, stride = 1;
        bool shrink = false;
        if ((uint32_t)a < n) {
            stride = tml_rd_i32(strides->data + 4 * a);
            TML_CHECK(it, stride != 0, TML_ERR_MODEL, "zero stride");
            // StridedSliceStartForAxis
            start = tml_rd_i32(begin->data + 4 * a);
            if (start < 0) {
                start += size;
            }
            start = stride > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
            if (begin_mask & (1u << a)) {
                start = stride > 0 ? 0 : size - 1;
            }
            // StridedSliceEndForAxis
            shrink = (shrink_mask & (1u << a)) != 0;
            if (shrink) {
                stop = start >= size ? start : start + 1;
            } else {
                stop = tml_rd_i32(end->data + 4 * a);
                if (offset) {
                    stop += start;
                }
                if (stop < 0) {
                    stop += size;
                }
                stop = stride > 0 ? clamp(stop, 0, size) : clamp(stop, -1, size - 1);
                if (end_mask & (1u << a)) {
                    stop = stride > 0 ? size : -1;
                }
            }
        }
        int32_t count;
        if (stride > 0) {
            count = stop > start ? (stop - start + stride - 1) / stride : 0;
        } else {
            count = start > stop ? (start - stop - stride - 1) / -stride : 0;
        }
        if (!shrink) {
            out_k--;
            TML_CHECK(it, out_k >= 0, TML_ERR_MODEL, "output rank mismatch");
            if (out->dims[out_k] != count) {
                return tml_fail_mismatch(it, TML_ERR_MODEL, "output size", count, out->dims[out_k]);
            }
        }
        p->count[k] = count;
        p->step[k] = stride * in_stride;
        p->start += start * in_stride;
        in_stride *= size;
    }
    TML_CHECK(it, out_k == 0, TML_ERR_MODEL, "output rank mismatch");
    p->elem_size = (uint32_t)tml_type_size(t);
    return TML_OK;
}

static tml_status_t strided_slice_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_strided_slice(node->data, in->data, out->data);
    return TML_OK;
}

const tml_op_t tml_op_strided_slice = {
    .builtin = TML_BUILTIN_STRIDED_SLICE,
    .max_version = 8,
    .inputs = {4, 4},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32) | TML_TYPE_BIT(TML_BOOL),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(tml_strided_slice_params_t),
    .prepare = strided_slice_prepare,
    .eval = strided_slice_eval,
};
