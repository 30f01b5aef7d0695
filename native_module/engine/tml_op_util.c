// Helpers every op uses: node tensors, options, quantization, activations, padding.
#include "tml_internal.h"
#include "tml_math.h"

enum { TENSOR_QUANT = 4 };
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIMENSION = 6 };

int32_t tml_node_input_index(const tml_node_t *node, int i) {
    if (i < 0 || i >= node->n_inputs) {
        return -1;
    }
    return node->inputs[i];
}

tml_tensor_t *tml_node_input(const tml_interp_t *it, const tml_node_t *node, int i) {
    int32_t t = tml_node_input_index(node, i);
    return t < 0 ? NULL : &it->tensors[t];
}

tml_tensor_t *tml_node_output(const tml_interp_t *it, const tml_node_t *node, int i) {
    if (i < 0 || i >= node->n_outputs) {
        return NULL;
    }
    return &it->tensors[node->outputs[i]];
}

uint32_t tml_elements(const tml_tensor_t *t) {
    uint32_t n = 1;
    for (int i = 0; i < t->ndim; i++) {
        n *= (uint32_t)t->dims[i];
    }
    return n;
}

int32_t tml_dim(const tml_tensor_t *t, int i) {
    if (i < 0 || i >= t->ndim) {
        return 1;
    }
    return t->dims[i];
}

TML_COLD bool tml_same_shape(const tml_tensor_t *a, const tml_tensor_t *b) {
    if (a->ndim != b->ndim) {
        return false;
    }
    for (int i = 0; i < a->ndim; i++) {
        if (a->dims[i] != b->dims[i]) {
            return false;
        }
    }
    return true;
}

TML_COLD tml_status_t tml_tensor_quant(const tml_interp_t *it, int32_t index, tml_quant_t *q) {
    static const uint8_t quant_fields[] = {
        TML_FB_FIELD(QUANT_SCALE, TML_FB_VEC4), TML_FB_FIELD(QUANT_ZERO_POINT, TML_FB_VEC8),
        TML_FB_FIELD(QUANT_DIMENSION, TML_FB_I32),
    };
    enum { SCALES, N_SCALES, ZPS, N_ZPS, DIMENSION, VALUES };
    tml_fb_t fb = tml_fb_of(it);
    uint32_t table, quant, v[VALUES];
    memset(q, 0, sizeof(*q));
    if (index < 0 || (uint32_t)index >= it->n_tensors) {
        return TML_ERR_ARG;
    }
    if (!tml_fb_vector_table(&fb, it->tensors_vec, (uint32_t)index, &table)
        || !tml_fb_table(&fb, table, TENSOR_QUANT, &quant)) {
        return TML_ERR_MODEL;
    }
    if (quant == 0) {
        return TML_OK;
    }
    if (!tml_fb_fields(&fb, quant, quant_fields, sizeof(quant_fields), v)) {
        return TML_ERR_MODEL;
    }
    q->count = v[N_SCALES];
    q->zp_count = v[N_ZPS];
    q->quantized_dimension = (int32_t)v[DIMENSION];
    q->scales = q->count > 0 ? it->model + v[SCALES] : NULL;
    q->zero_points = q->zp_count > 0 ? it->model + v[ZPS] : NULL;
    return TML_OK;
}

TML_COLD float tml_quant_scale(const tml_quant_t *q, uint32_t i) {
    return i < q->count ? tml_rd_f32(q->scales + 4 * i) : 0.0f;
}

TML_COLD int32_t tml_quant_zero_point(const tml_quant_t *q, uint32_t i) {
    // int64 in the schema; every zero point we run fits the low word.
    return i < q->zp_count ? tml_rd_i32(q->zero_points + 8 * i) : 0;
}

static bool is_custom(const tml_node_t *node) {
    return node->op != NULL && node->op->custom_name != NULL;
}

static TML_COLD uint32_t options_field(const tml_interp_t *it, const tml_node_t *node, int field, uint32_t size) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t pos;
    if (node->options == 0 || is_custom(node) || !tml_fb_field(&fb, node->options, field, size, &pos)) {
        return 0;
    }
    return pos;
}

TML_COLD int32_t tml_opt_i32(const tml_interp_t *it, const tml_node_t *node, int field, int32_t def) {
    uint32_t pos = options_field(it, node, field, 4);
    return pos ? tml_rd_i32(it->model + pos) : def;
}

TML_COLD int32_t tml_opt_u8(const tml_interp_t *it, const tml_node_t *node, int field, uint8_t def) {
    uint32_t pos = options_field(it, node, field, 1);
    return pos ? it->model[pos] : def;
}

TML_COLD float tml_opt_f32(const tml_interp_t *it, const tml_node_t *node, int field, float def) {
    uint32_t pos = options_field(it, node, field, 4);
    return pos ? tml_rd_f32(it->model + pos) : def;
}

TML_COLD bool tml_opt_bool(const tml_interp_t *it, const tml_node_t *node, int field, bool def) {
    uint32_t pos = options_field(it, node, field, 1);
    return pos ? it->model[pos] != 0 : def;
}

TML_COLD uint32_t tml_opt_vec_i32(const tml_interp_t *it, const tml_node_t *node, int field, const uint8_t **vec) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t start, count;
    *vec = NULL;
    if (node->options == 0 || is_custom(node) || !tml_fb_vector(&fb, node->options, field, 4, &start, &count)) {
        return 0;
    }
    *vec = count > 0 ? it->model + start : NULL;
    return count;
}

TML_COLD uint32_t tml_opt_str(const tml_interp_t *it, const tml_node_t *node, int field, const char **str) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t start, count;
    *str = NULL;
    if (node->options == 0 || is_custom(node) || !tml_fb_vector(&fb, node->options, field, 1, &start, &count)) {
        return 0;
    }
    *str = count > 0 ? (const char *)it->model + start : NULL;
    return count;
}

TML_COLD uint32_t tml_custom_options(const tml_interp_t *it, const tml_node_t *node, const uint8_t **data) {
    *data = NULL;
    // tml_read_node checked that the vector lies inside the model.
    if (!is_custom(node) || node->options == 0 || (size_t)node->options + 4 > it->model_len) {
        return 0;
    }
    uint32_t len = (uint32_t)tml_rd_i32(it->model + node->options);
    if (len > it->model_len - node->options - 4) {
        return 0;
    }
    *data = it->model + node->options + 4;
    return len;
}

tml_status_t tml_fail_model(tml_interp_t *it, const char *msg) {
    return tml_fail(it, TML_ERR_MODEL, msg);
}

const char *tml_op_name(const tml_op_t *op) {
    return op->custom_name != NULL ? op->custom_name : tml_builtin_name(op->builtin);
}

// "1 input", "0 outputs", "2 or 3 inputs", "20 to 24 inputs", "1 or more outputs".
static TML_COLD void text_count(tml_text_t *t, const uint8_t range[2], const char *what) {
    tml_text_int(t, range[0]);
    if (range[1] != range[0]) {
        tml_text_str(t, range[1] == TML_MANY ? " or more" : (range[1] == range[0] + 1 ? " or " : " to "));
        if (range[1] != TML_MANY) {
            tml_text_int(t, range[1]);
        }
    }
    tml_text_str(t, what);
    if (range[0] != 1 || range[1] != 1) {
        tml_text_str(t, "s");
    }
}

static TML_COLD bool count_in_range(uint16_t n, const uint8_t range[2]) {
    return n >= range[0] && (range[1] == TML_MANY || n <= range[1]);
}

TML_COLD tml_status_t tml_node_check(tml_interp_t *it, const tml_node_t *node) {
    const tml_op_t *op = node->op;
    if ((op->inputs[1] | op->outputs[1]) == 0) {
        return TML_OK;
    }
    if (!count_in_range(node->n_inputs, op->inputs) || !count_in_range(node->n_outputs, op->outputs)) {
        char buf[TML_ERR_MSG_LEN];
        tml_text_t text = { buf, 0, sizeof(buf) };
        tml_text_str(&text, "expected ");
        text_count(&text, op->inputs, " input");
        tml_text_str(&text, ", ");
        text_count(&text, op->outputs, " output");
        return tml_fail(it, TML_ERR_MODEL, buf);
    }
    for (int i = 0; i < op->inputs[0] && !(op->flags & TML_OP_ABSENT_INPUTS); i++) {
        if (node->inputs[i] < 0) {
            return tml_fail_int(it, TML_ERR_MODEL, "missing input", i, "");
        }
    }
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    if (in == NULL) {
        return TML_OK;
    }
    if (op->types != 0 && (in->type >= 16 || !(op->types & TML_TYPE_BIT(in->type)))) {
        return tml_fail_type(it, in->type, "input");
    }
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (op->output_type != 0 && out->type + 1 != op->output_type) {
        return tml_failf(it, TML_ERR_MODEL, "output must be %s", tml_type_name(op->output_type - 1));
    }
    TML_CHECK(it, !(op->flags & TML_OP_SAME_TYPE) || out->type == in->type, TML_ERR_MODEL,
        "input and output types differ");
    TML_CHECK(it, !(op->flags & TML_OP_SAME_SIZE) || tml_elements(in) == tml_elements(out), TML_ERR_MODEL,
        "output size differs from input");
    TML_CHECK(it, !(op->flags & TML_OP_OUTPUT_SCALE) || out->type == TML_FLOAT32 || out->scale > 0.0f,
        TML_ERR_MODEL, "output scale must be positive");
    return TML_OK;
}

TML_COLD void tml_node_unary(const tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **in,
    const tml_tensor_t **out) {
    *in = tml_node_input(it, node, 0);
    *out = tml_node_output(it, node, 0);
}

TML_COLD tml_status_t tml_check_const(tml_interp_t *it, const tml_tensor_t *t, const char *what) {
    if ((t->flags & TML_TENSOR_CONST) && t->data != NULL) {
        return TML_OK;
    }
    return tml_failf(it, TML_ERR_UNSUPPORTED, "%s must be constant", what);
}

TML_COLD tml_status_t tml_node_binary(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **a,
    const tml_tensor_t **b, const tml_tensor_t **out, tml_bcast_t *bc) {
    const tml_tensor_t *x = *a = tml_node_input(it, node, 0);
    const tml_tensor_t *y = *b = tml_node_input(it, node, 1);
    const tml_tensor_t *z = *out = tml_node_output(it, node, 0);
    TML_CHECK(it, y->type == z->type, TML_ERR_MODEL, "input and output types differ");
    TML_CHECK(it, tml_bcast_init(bc, x->dims, x->ndim, y->dims, y->ndim, z->dims, z->ndim), TML_ERR_MODEL,
        "shapes do not broadcast");
    return TML_OK;
}

// zero_point + round(value / scale), saturated to the int32 range so a tiny
// scale in a corrupt model cannot make the conversion undefined.
static TML_COLD int32_t TML_NOINLINE quantize_limit(float value, float scale, int32_t zero_point) {
    float q = tml_roundf(value / scale) + (float)zero_point;
    if (q >= 2147483520.0f) {
        return INT32_MAX;
    }
    if (q <= -2147483520.0f) {
        return INT32_MIN;
    }
    return (int32_t)q;
}

// Real range of each fused activation with a quantized output, indexed by TML_ACT_*: NONE
// clamps to the type alone and RELU has no upper end, so those ends are never quantized.
static const float act_real_range[][2] = {
    [TML_ACT_NONE] = { 0.0f, 0.0f },
    [TML_ACT_RELU] = { 0.0f, 0.0f },
    [TML_ACT_RELU_N1_TO_1] = { -1.0f, 1.0f },
    [TML_ACT_RELU6] = { 0.0f, 6.0f },
};

TML_COLD tml_status_t tml_act_range_quant(tml_interp_t *it, int32_t act, const tml_tensor_t *out, int32_t *min, int32_t *max) {
    int32_t qmin, qmax;
    switch (out->type) {
        case TML_INT8:
            qmin = -128;
            qmax = 127;
            break;
        case TML_UINT8:
            qmin = 0;
            qmax = 255;
            break;
        case TML_INT16:
            qmin = -32768;
            qmax = 32767;
            break;
        default:
            return tml_fail_type(it, out->type, "output");
    }
    float scale = out->scale;
    if (act != TML_ACT_NONE && !(scale > 0.0f)) {
        return tml_fail(it, TML_ERR_MODEL, "output scale must be positive");
    }
    if ((uint32_t)act > TML_ACT_RELU6) {
        return tml_fail_int(it, TML_ERR_UNSUPPORTED, "fused activation", act, " not supported");
    }
    if (act != TML_ACT_NONE) {
        int32_t lo = quantize_limit(act_real_range[act][0], scale, out->zero_point);
        int32_t hi = act == TML_ACT_RELU ? qmax : quantize_limit(act_real_range[act][1], scale, out->zero_point);
        qmin = lo > qmin ? lo : qmin;
        qmax = hi < qmax ? hi : qmax;
    }
    *min = qmin;
    *max = qmax;
    return TML_OK;
}

TML_COLD tml_status_t tml_act_range_float(tml_interp_t *it, int32_t act, float *min, float *max) {
    switch (act) {
        case TML_ACT_NONE:
            *min = -3.40282347e+38f;
            *max = 3.40282347e+38f;
            return TML_OK;
        case TML_ACT_RELU:
            *min = 0.0f;
            *max = 3.40282347e+38f;
            return TML_OK;
        case TML_ACT_RELU6:
            *min = 0.0f;
            *max = 6.0f;
            return TML_OK;
        case TML_ACT_RELU_N1_TO_1:
            *min = -1.0f;
            *max = 1.0f;
            return TML_OK;
        default:
            return tml_fail_int(it, TML_ERR_UNSUPPORTED, "fused activation", act, " not supported");
    }
}

TML_COLD void tml_act_range_s32(int32_t act, int32_t *min, int32_t *max) {
    *min = act == TML_ACT_RELU || act == TML_ACT_RELU6 ? 0 : (act == TML_ACT_RELU_N1_TO_1 ? -1 : INT32_MIN);
    *max = act == TML_ACT_RELU6 ? 6 : (act == TML_ACT_RELU_N1_TO_1 ? 1 : INT32_MAX);
}

TML_COLD int32_t tml_out_size(int32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation) {
    int32_t effective = (filter - 1) * dilation + 1;
    if (stride <= 0) {
        return 0;
    }
    if (padding == TML_PAD_SAME) {
        return (in + stride - 1) / stride;
    }
    if (padding == TML_PAD_VALID) {
        return (in + stride - effective) / stride;
    }
    return 0;
}

TML_COLD int32_t tml_pad_before(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t out) {
    int32_t effective = (filter - 1) * dilation + 1;
    int32_t total = (out - 1) * stride + effective - in;
    return total > 0 ? total / 2 : 0;
}
