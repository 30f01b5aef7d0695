// PAD: constant padding by element size (int8, int16, int32, float32). The
// pad value is 0, or the output zero point for int8, as TFLite Micro.
#include "tml_op.h"
#include "kernels/ref/pad.h"

typedef struct {
    tml_pad_params_t p;
    uint8_t pad_value[4];
} pad_data_t;

// Element i of a constant int32 or int64 index tensor.
static bool read_index(const tml_tensor_t *t, uint32_t i, int32_t *v) {
    if (t->type == TML_INT32) {
        *v = tml_rd_i32(t->data + 4 * i);
        return true;
    }
    int32_t lo = tml_rd_i32(t->data + 8 * i), hi = tml_rd_i32(t->data + 8 * i + 4);
    *v = lo;
    return hi == (lo < 0 ? -1 : 0);
}

static TML_COLD tml_status_t pad_prepare(tml_interp_t *it, tml_node_t *node) {
    pad_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *pads = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t t = out->type;
    TML_TRY(tml_check_const(it, pads, "paddings"));
    if (pads->type != TML_INT32 && pads->type != TML_INT64) {
        return tml_fail_type(it, pads->type, "paddings");
    }
    int rank = in->ndim;
    // Loading refused any tensor of more than TML_MAX_DIMS dimensions: only a build that raised
    // that bound above the kernel's can get here with more.
#if TML_MAX_DIMS > TML_PAD_DIMS
    TML_CHECK(it, rank <= TML_PAD_DIMS, TML_ERR_UNSUPPORTED, "more than 6 dimensions");
#endif
    TML_CHECK(it, out->ndim == rank, TML_ERR_MODEL, "input and output ranks differ");
    TML_CHECK(it, pads->ndim == 2 && pads->dims[0] == rank && pads->dims[1] == 2, TML_ERR_MODEL,
        "paddings must be [rank, 2]");
    int off = TML_PAD_DIMS - rank;
    for (int k = 0; k < TML_PAD_DIMS; k++) {
        d->p.in_dims[k] = 1;
        d->p.out_dims[k] = 1;
        d->p.before[k] = 0;
    }
    for (int k = 0; k < rank; k++) {
        int32_t before, after;
        TML_CHECK(it, read_index(pads, 2 * k, &before) && read_index(pads, 2 * k + 1, &after),
            TML_ERR_MODEL, "padding out of range");
        TML_CHECK(it, before >= 0 && after >= 0, TML_ERR_MODEL, "negative padding");
        if (in->dims[k] + before + after != out->dims[k]) {
            return tml_fail_mismatch(it, TML_ERR_MODEL, "padded size", in->dims[k] + before + after, out->dims[k]);
        }
        d->p.in_dims[off + k] = in->dims[k];
        d->p.out_dims[off + k] = out->dims[k];
        d->p.before[off + k] = before;
    }
    d->p.elem_size = (uint32_t)tml_type_size(t);
    memset(d->pad_value, 0, sizeof(d->pad_value));
    if (t == TML_INT8) {
        d->pad_value[0] = (uint8_t)(int8_t)out->zero_point;
    }
    return TML_OK;
}

static tml_status_t pad_eval(tml_interp_t *it, tml_node_t *node) {
    const pad_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_pad(&d->p, in->data, d->pad_value, out->data);
    return TML_OK;
}

const tml_op_t tml_op_pad = {
    .builtin = TML_BUILTIN_PAD,
    .max_version = 4,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(pad_data_t),
    .prepare = pad_prepare,
    .eval = pad_eval,
};
