// SVDF: int8 input and weights with an int8 or int16 state (TFLite Micro's integer SVDF),
// and float32. The activation state is a variable tensor: the interpreter keeps it in the
// persistent part of the arena, so each invoke continues from the last one until
// tml_reset_variables. Prepare follows TFLite Micro's PrepareSvdf (kernels/svdf_common.cc).
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/svdf.h"

// SVDFOptions fields.
enum { OPT_RANK, OPT_ACTIVATION, OPT_ASYMMETRIC_QUANTIZE_INPUTS };
enum { IN_INPUT, IN_WEIGHTS_FEATURE, IN_WEIGHTS_TIME, IN_BIAS, IN_STATE };

typedef struct {
    union {
        tml_svdf_s8_params_t s8;
        tml_svdf_f32_params_t f32;
    } p;
    uint8_t type;
} svdf_data_t;

// Shape from the tensors, without validating them (sizing runs on an unchecked model):
// false when something needed is missing.
static TML_COLD bool read_shape(const tml_interp_t *it, const tml_node_t *node, tml_svdf_shape_t *s) {
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    const tml_tensor_t *wf = tml_node_input(it, node, IN_WEIGHTS_FEATURE);
    const tml_tensor_t *wt = tml_node_input(it, node, IN_WEIGHTS_TIME);
    if (in == NULL || wf == NULL || wt == NULL || in->ndim != 2 || wf->ndim != 2 || wt->ndim != 2
        || in->dims == NULL || wf->dims == NULL || wt->dims == NULL) {
        return false;
    }
    int32_t rank = tml_opt_i32(it, node, OPT_RANK, 0);
    s->batches = in->dims[0];
    s->input_size = in->dims[1];
    s->filters = wf->dims[0];
    s->memory = wt->dims[1];
    s->rank = rank;
    if (s->batches <= 0 || s->input_size <= 0 || s->filters <= 0 || s->memory <= 0 || rank <= 0
        || s->filters % rank != 0 || s->batches > (1 << 16) || s->filters > (1 << 20)) {
        return false;
    }
    s->units = s->filters / rank;
    return true;
}

static TML_COLD size_t svdf_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    tml_svdf_shape_t s;
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    if (!read_shape(it, node, &s)) {
        return 0;
    }
    // In 64 bits: a corrupt shape must not wrap to a small scratch (sizing refuses > 2 GB).
    uint64_t rows = (uint64_t)s.batches * ((uint64_t)s.filters + (TML_IS_F32(in->type) ? 0 : (uint64_t)s.units));
    uint64_t bytes = rows * 4;
    return bytes > 0x7fffffffu ? (size_t)0x80000000u : (size_t)bytes;
}

static TML_COLD tml_status_t check_shapes(tml_interp_t *it, const tml_node_t *node, tml_svdf_shape_t *s) {
    const tml_tensor_t *wf = tml_node_input(it, node, IN_WEIGHTS_FEATURE);
    const tml_tensor_t *wt = tml_node_input(it, node, IN_WEIGHTS_TIME);
    const tml_tensor_t *bias = tml_node_input(it, node, IN_BIAS);
    const tml_tensor_t *state = tml_node_input(it, node, IN_STATE);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, state != NULL && state->ndim == 2 && out->ndim == 2 && read_shape(it, node, s), TML_ERR_MODEL,
        "tensors must be 2-d, not empty, with filters a multiple of rank > 0");
    TML_CHECK(it, wf->dims[1] == s->input_size && wt->dims[0] == s->filters, TML_ERR_MODEL,
        "weights must be filters x input (feature), filters x memory (time)");
    TML_CHECK(it, out->dims[0] == s->batches && out->dims[1] == s->units && state->dims[0] == s->batches
        && (int64_t)state->dims[1] == (int64_t)s->memory * s->filters, TML_ERR_MODEL,
        "output must be batches x units, state batches x memory * filters");
    TML_CHECK(it, state->flags & TML_TENSOR_VARIABLE, TML_ERR_MODEL, "state is not a variable tensor");
    if (bias != NULL) {
        TML_CHECK(it, bias->ndim >= 1 && tml_elements(bias) == (uint32_t)s->units, TML_ERR_MODEL,
            "bias does not match units");
    }
    return TML_OK;
}

static TML_COLD tml_status_t prepare_s8(tml_interp_t *it, const tml_node_t *node, tml_svdf_s8_params_t *p) {
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    const tml_tensor_t *wf = tml_node_input(it, node, IN_WEIGHTS_FEATURE);
    const tml_tensor_t *wt = tml_node_input(it, node, IN_WEIGHTS_TIME);
    const tml_tensor_t *bias = tml_node_input(it, node, IN_BIAS);
    const tml_tensor_t *state = tml_node_input(it, node, IN_STATE);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (wf->type != TML_INT8) {
        return tml_fail_type(it, wf->type, "feature weights with int8 input");
    }
    if (wt->type != TML_INT8 && wt->type != TML_INT16) {
        return tml_fail_type(it, wt->type, "time weights");
    }
    // TFLite Micro reads the state as the time weights' type.
    TML_CHECK(it, state->type == wt->type, TML_ERR_UNSUPPORTED, "state type differs from time weights");
    if (out->type != TML_INT8) {
        return tml_fail_type(it, out->type, "output with int8 input");
    }
    if (bias != NULL && bias->type != TML_INT32) {
        return tml_fail_type(it, bias->type, "bias");
    }
    TML_CHECK(it, in->scale > 0.0f && wf->scale > 0.0f && wt->scale > 0.0f && state->scale > 0.0f
        && out->scale > 0.0f, TML_ERR_MODEL, "missing quantization scale");
    // The products are float, widened after, as TFLite Micro computes them.
    float feature_scale = in->scale * wf->scale / state->scale;
    float time_scale = state->scale * wt->scale;
    float output_scale = time_scale / out->scale;
    if (bias != NULL) {
        double gap = (double)bias->scale - (double)time_scale;
        TML_CHECK(it, gap < 1e-5 && gap > -1e-5, TML_ERR_MODEL, "bias scale is not state scale * time weights scale");
    }
    int shift;
    tml_quantize_multiplier((double)feature_scale, &p->feature_multiplier, &shift);
    p->feature_shift = shift;
    tml_quantize_multiplier((double)output_scale, &p->output_multiplier, &shift);
    p->output_shift = shift;
    p->input_zero_point = in->zero_point;
    p->state_zero_point = state->zero_point;
    p->output_zero_point = out->zero_point;
    p->state_int16 = wt->type == TML_INT16;
    return TML_OK;
}

static TML_COLD tml_status_t svdf_prepare(tml_interp_t *it, tml_node_t *node) {
    svdf_data_t *d = node->data;
    TML_TRY(check_shapes(it, node, &d->p.s8.s));  // both union members start with it
    TML_CHECK(it, !tml_opt_bool(it, node, OPT_ASYMMETRIC_QUANTIZE_INPUTS, false), TML_ERR_UNSUPPORTED,
        "hybrid (asymmetric_quantize_inputs) not supported");
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    d->type = in->type;
    if (in->type == TML_INT8) {
        return prepare_s8(it, node, &d->p.s8);
    }
    if (!TML_IS_F32(in->type)) {
        return tml_fail_type(it, in->type, "input");
    }
    for (int i = IN_WEIGHTS_FEATURE; i <= IN_STATE; i++) {
        const tml_tensor_t *t = tml_node_input(it, node, i);
        TML_CHECK(it, t == NULL || t->type == TML_FLOAT32, TML_ERR_UNSUPPORTED,
            "float32 input needs float32 weights, bias and state");
    }
    TML_CHECK(it, tml_node_output(it, node, 0)->type == TML_FLOAT32, TML_ERR_MODEL, "input and output types differ");
    int32_t act = tml_opt_u8(it, node, OPT_ACTIVATION, TML_ACT_NONE);
    return tml_act_range_float(it, act, &d->p.f32.act_min, &d->p.f32.act_max);
}

static tml_status_t svdf_eval(tml_interp_t *it, tml_node_t *node) {
    const svdf_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    const tml_tensor_t *wf = tml_node_input(it, node, IN_WEIGHTS_FEATURE);
    const tml_tensor_t *wt = tml_node_input(it, node, IN_WEIGHTS_TIME);
    const tml_tensor_t *bias = tml_node_input(it, node, IN_BIAS);
    tml_tensor_t *state = tml_node_input(it, node, IN_STATE);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_svdf_s8(&d->p.s8, (const int8_t *)in->data, (const int8_t *)wf->data, wt->data,
            bias != NULL ? (const int32_t *)(const void *)bias->data : NULL, state->data,
            (int32_t *)tml_node_scratch(it, node), (int8_t *)out->data);
    } else {
        tml_ref_svdf_f32(&d->p.f32, (const float *)(const void *)in->data,
            (const float *)(const void *)wf->data, (const float *)(const void *)wt->data,
            bias != NULL ? (const float *)(const void *)bias->data : NULL,
            (float *)(void *)state->data, (float *)tml_node_scratch(it, node), (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_svdf = {
    .builtin = TML_BUILTIN_SVDF,
    .max_version = 4,
    .inputs = {5, 5},
    .outputs = {1, 1},
    .flags = TML_OP_ABSENT_INPUTS,
    .data_size = sizeof(svdf_data_t),
    .scratch_size = svdf_scratch_size,
    .prepare = svdf_prepare,
    .eval = svdf_eval,
};
