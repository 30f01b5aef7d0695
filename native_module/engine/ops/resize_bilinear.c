// RESIZE_BILINEAR: int8 and float32, NHWC, with align_corners and
// half_pixel_centers as TFLite Micro. The output size must be constant.
#include "tml_op.h"
#include "kernels/ref/resize_bilinear.h"

// ResizeBilinearOptions fields (0 and 1 are the deprecated new_height/new_width).
enum { OPT_ALIGN_CORNERS = 2, OPT_HALF_PIXEL_CENTERS = 3 };

typedef struct {
    tml_resize_bilinear_params_t p;
    uint8_t type;
} resize_bilinear_data_t;

static TML_COLD tml_status_t resize_bilinear_prepare(tml_interp_t *it, tml_node_t *node) {
    resize_bilinear_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *size = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, in->ndim == 4 && out->ndim == 4, TML_ERR_MODEL, "input and output must be 4-D");
    TML_CHECK(it, size->type == TML_INT32 && size->ndim == 1 && size->dims[0] == 2, TML_ERR_MODEL,
        "size must be int32 [2]");
    TML_TRY(tml_check_const(it, size, "size"));
    TML_CHECK(it, out->dims[0] == in->dims[0] && out->dims[3] == in->dims[3]
        && out->dims[1] == tml_rd_i32(size->data) && out->dims[2] == tml_rd_i32(size->data + 4),
        TML_ERR_MODEL, "output shape mismatch");
    TML_CHECK(it, in->dims[1] > 0 && in->dims[2] > 0 && out->dims[1] > 0 && out->dims[2] > 0,
        TML_ERR_MODEL, "empty image");
    // Fixed-point positions are pixels * 1024 in 31 bits.
    TML_CHECK(it, in->dims[1] < (1 << 20) && in->dims[2] < (1 << 20), TML_ERR_UNSUPPORTED, "image too large");
    d->type = in->type;
    d->p.batches = in->dims[0];
    d->p.in_h = in->dims[1];
    d->p.in_w = in->dims[2];
    d->p.out_h = out->dims[1];
    d->p.out_w = out->dims[2];
    d->p.depth = in->dims[3];
    d->p.align_corners = tml_opt_bool(it, node, OPT_ALIGN_CORNERS, false);
    d->p.half_pixel_centers = tml_opt_bool(it, node, OPT_HALF_PIXEL_CENTERS, false);
    TML_CHECK(it, !(d->p.align_corners && d->p.half_pixel_centers), TML_ERR_MODEL,
        "align_corners and half_pixel_centers are exclusive");
    return TML_OK;
}

static tml_status_t resize_bilinear_eval(tml_interp_t *it, tml_node_t *node) {
    const resize_bilinear_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_resize_bilinear_s8(&d->p, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_resize_bilinear_f32(&d->p, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_resize_bilinear = {
    .builtin = TML_BUILTIN_RESIZE_BILINEAR,
    .max_version = 3,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(resize_bilinear_data_t),
    .prepare = resize_bilinear_prepare,
    .eval = resize_bilinear_eval,
};
