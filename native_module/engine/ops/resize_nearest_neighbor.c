// RESIZE_NEAREST_NEIGHBOR: NHWC, by element size (int8, int16, int32,
// float32), with align_corners and half_pixel_centers as TFLite Micro.
#include "tml_op.h"
#include "kernels/ref/resize_nearest_neighbor.h"

static TML_COLD tml_status_t resize_nearest_neighbor_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_resize_nearest_neighbor_params_t *p = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *size = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t t = out->type;
    TML_CHECK(it, in->ndim == 4 && out->ndim == 4, TML_ERR_MODEL, "input and output must be 4-D");
    // Every output pixel copies an input pixel: an empty image has none to copy.
    TML_CHECK(it, in->dims[1] > 0 && in->dims[2] > 0, TML_ERR_MODEL, "empty input image");
    TML_CHECK(it, size->type == TML_INT32 && size->ndim == 1 && size->dims[0] == 2, TML_ERR_MODEL,
        "size must be int32 [2]");
    TML_TRY(tml_check_const(it, size, "size"));
    TML_CHECK(it, out->dims[0] == in->dims[0] && out->dims[3] == in->dims[3]
        && out->dims[1] == tml_rd_i32(size->data) && out->dims[2] == tml_rd_i32(size->data + 4),
        TML_ERR_MODEL, "output shape mismatch");
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    p->pixel_bytes = (uint32_t)in->dims[3] * (uint32_t)tml_type_size(t);
    p->align_corners = tml_opt_bool(it, node, 0, false);
    p->half_pixel_centers = tml_opt_bool(it, node, 1, false);
    return TML_OK;
}

static tml_status_t resize_nearest_neighbor_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_resize_nearest_neighbor(node->data, in->data, out->data);
    return TML_OK;
}

const tml_op_t tml_op_resize_nearest_neighbor = {
    .builtin = TML_BUILTIN_RESIZE_NEAREST_NEIGHBOR,
    .max_version = 4,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT16) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(tml_resize_nearest_neighbor_params_t),
    .prepare = resize_nearest_neighbor_prepare,
    .eval = resize_nearest_neighbor_eval,
};
