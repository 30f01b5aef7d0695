// FULLY_CONNECTED: int8 activations with int8 weights (per-tensor, or
// per-channel as newer converters emit; int32 bias) and float32. The input is
// read as [batches, accum_depth] whatever its rank, and the output as
// [batches, units], so keep_num_dims needs nothing at run time. Prepare
// follows TFLite Micro's FullyConnectedPrepare and
// CalculateOpDataFullyConnected; eval runs tml_fully_connected_s8 (the
// dispatcher in kernels/) or the float32 reference kernel. Compressed weights the interpreter
// marked TML_TENSOR_DEFERRED (the DECODE right before writes them for this op alone) are
// decoded here instead, a block of rows at a time into the scratch, each block then run as a
// FULLY_CONNECTED of its own rows: every output depends on its own row alone, so the result is
// the same bytes as with the whole layer decoded.
#include "tml_op.h"
#include "ops/conv_common.h"
#include "ops/decode.h"
#include "kernels/kernels.h"

// FullyConnectedOptions fields.
enum { OPT_ACTIVATION, OPT_WEIGHTS_FORMAT, OPT_KEEP_NUM_DIMS };

typedef struct {
    union {
        tml_fully_connected_s8_params_t s8;
        tml_fully_connected_f32_params_t f32;
    } p;  // which one: the input's type
} fully_connected_data_t;

// Rows of per-channel weights (one scale each), 0 for per-tensor or unusable
// weights. Sizes the per-channel arrays, so it must be safe on an unvalidated
// model.
static TML_COLD int32_t per_channel_rows(const tml_interp_t *it, const tml_node_t *node) {
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    if (f == NULL || f->dims == NULL || f->ndim < 2 || f->quant_count <= 1) {
        return 0;
    }
    return tml_conv_channel_count(f->dims[f->ndim - 2]);
}

// Rows of deferred weights decoded at a time: about DECODE_BLOCK_BYTES, a multiple of 4 rows
// where that fits (the kernels' fast paths take rows four at a time).
#define DECODE_BLOCK_BYTES 4096

static int32_t block_rows(int32_t depth, int32_t units) {
    int32_t rows = depth > 0 ? DECODE_BLOCK_BYTES / depth : 1;
    rows = rows >= 4 ? rows & ~3 : (rows < 1 ? 1 : rows);
    return rows < units ? rows : units;
}

static TML_COLD size_t fully_connected_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (f == NULL || !(f->flags & TML_TENSOR_DEFERRED) || f->ndim < 2 || out == NULL || out->ndim < 1) {
        return 0;
    }
    int32_t depth = f->dims[f->ndim - 1];
    return (size_t)block_rows(depth, out->dims[out->ndim - 1]) * (size_t)depth;
}

static TML_COLD size_t fully_connected_extra_size(const tml_interp_t *it, const tml_node_t *node) {
    return TML_CONV_CHANNEL_BYTES(per_channel_rows(it, node));
}

static TML_COLD tml_status_t quant_params(tml_interp_t *it, tml_node_t *node, const tml_tensor_t *in,
    const tml_tensor_t *f, const tml_tensor_t *out, tml_fully_connected_s8_params_t *p) {
    fully_connected_data_t *d = node->data;
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    // Effective scale input_scale * filter_scale / output_scale in double, as
    // TFLite Micro computes it for both layouts (checked against the tflite-micro
    // wheel on accumulators where a float product would round differently).
    // quant_count and the model's scale count agree up to 255, so the choice
    // below is the one the model's scales make.
    if (f->quant_count <= 1) {
        TML_TRY(tml_conv_multipliers(it, node, in, f, out, 1, &p->tensor_multiplier, &p->tensor_shift));
        p->multiplier = &p->tensor_multiplier;
        p->shift = &p->tensor_shift;
        p->per_channel = 0;
        p->filter_offset = -f->zero_point;
        return TML_OK;
    }
    // Per-channel: one scale per weight row, and the weights are symmetric
    // (FullyConnectedPerChannel ignores their zero point).
    int32_t rows = per_channel_rows(it, node);
    int32_t *mult = (int32_t *)(d + 1);
    int8_t *shift = (int8_t *)(mult + rows);
    TML_TRY(tml_conv_multipliers(it, node, in, f, out, rows, mult, shift));
    p->multiplier = mult;
    p->shift = shift;
    p->per_channel = 1;
    p->filter_offset = 0;
    return TML_OK;
}

static TML_COLD tml_status_t fully_connected_prepare(tml_interp_t *it, tml_node_t *node) {
    fully_connected_data_t *d = node->data;
    const tml_tensor_t *in, *f, *bias, *out;
    TML_TRY(tml_conv_tensors(it, node, &in, &f, &bias, &out));
    TML_CHECK(it, tml_opt_u8(it, node, OPT_WEIGHTS_FORMAT, 0) == 0, TML_ERR_UNSUPPORTED,
        "shuffled weights not supported");

    TML_CHECK(it, f->ndim >= 2 && out->ndim >= 1, TML_ERR_MODEL, "bad weights or output shape");
    tml_fully_connected_shape_t *s = &d->p.s8.s;  // both union members start with it
    s->accum_depth = f->dims[f->ndim - 1];
    s->out_depth = out->dims[out->ndim - 1];
    TML_CHECK(it, s->accum_depth > 0 && s->out_depth > 0, TML_ERR_MODEL, "bad weights or output shape");
    TML_CHECK(it, s->out_depth <= f->dims[f->ndim - 2], TML_ERR_MODEL, "more outputs than weight rows");
    uint32_t out_n = tml_elements(out);
    s->batches = (int32_t)(out_n / (uint32_t)s->out_depth);
    // The input is flattened to [batches, accum_depth] as TFLite does for
    // rank > 2 inputs; the element counts must agree.
    TML_CHECK(it, tml_elements(in) == (uint64_t)s->batches * (uint64_t)s->accum_depth,
        TML_ERR_MODEL, "input size does not match weights and output");
    // A zero-sized leading dimension would leave the weights empty.
    TML_CHECK(it, tml_elements(f) >= (uint64_t)s->out_depth * (uint64_t)s->accum_depth,
        TML_ERR_MODEL, "weights too small");
    if (bias != NULL) {
        TML_CHECK(it, tml_elements(bias) >= (uint32_t)s->out_depth, TML_ERR_MODEL, "bias too short");
    }

    int32_t act = tml_opt_u8(it, node, OPT_ACTIVATION, TML_ACT_NONE);
    if (TML_IS_F32(in->type)) {
        return tml_act_range_float(it, act, &d->p.f32.act_min, &d->p.f32.act_max);
    }
    tml_fully_connected_s8_params_t *p = &d->p.s8;
    TML_TRY(quant_params(it, node, in, f, out, p));
    int32_t act_min, act_max;
    TML_TRY(tml_act_range_quant(it, act, out, &act_min, &act_max));
    // Within int8: the output is int8 (TML_OP_SAME_TYPE), and the range lies inside its type.
    p->act_min = (int8_t)act_min;
    p->act_max = (int8_t)act_max;
    return TML_OK;
}

// Deferred weights: decode rows [row, row + rows) into the scratch and run them.
static tml_status_t eval_decoding(tml_interp_t *it, tml_node_t *node, const int8_t *in,
    const int32_t *bias, int8_t *out) {
    const fully_connected_data_t *d = node->data;
    tml_lut_t lut;
    TML_TRY(tml_lut_read(it, node - 1, node->inputs[1], &lut));  // the DECODE right before
    const tml_fully_connected_s8_params_t *p = &d->p.s8;
    int32_t depth = p->s.accum_depth, units = p->s.out_depth;
    int32_t step = block_rows(depth, units);
    tml_fully_connected_s8_params_t block = *p;
    block.s.batches = 1;
    uint8_t *rows_decoded = tml_node_scratch(it, node);
    for (int32_t row = 0; row < units; row += step) {
        int32_t rows = units - row < step ? units - row : step;
        if (!tml_lut_decode(&lut, (uint32_t)(row * depth), (uint32_t)(rows * depth), rows_decoded)) {
            return tml_fail(it, TML_ERR_MODEL, "encoded index outside its value table");
        }
        block.s.out_depth = rows;
        if (p->per_channel) {
            block.multiplier = p->multiplier + row;
            block.shift = p->shift + row;
        }
        for (int32_t b = 0; b < p->s.batches; b++) {
            tml_fully_connected_s8(&block, in + (size_t)b * (size_t)depth, (const int8_t *)rows_decoded,
                bias != NULL ? bias + row : NULL, out + (size_t)b * (size_t)units + (size_t)row);
        }
    }
    return TML_OK;
}

static tml_status_t fully_connected_eval(tml_interp_t *it, tml_node_t *node) {
    const fully_connected_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *f = tml_node_input(it, node, 1);
    const tml_tensor_t *bias = tml_node_input(it, node, 2);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (in->type == TML_INT8 && (f->flags & TML_TENSOR_DEFERRED)) {
        return eval_decoding(it, node, (const int8_t *)in->data,
            bias != NULL ? (const int32_t *)(const void *)bias->data : NULL, (int8_t *)out->data);
    }
    if (in->type == TML_INT8) {
        tml_fully_connected_s8(&d->p.s8, (const int8_t *)in->data, (const int8_t *)f->data,
            bias != NULL ? (const int32_t *)(const void *)bias->data : NULL, (int8_t *)out->data);
    } else {
        tml_ref_fully_connected_f32(&d->p.f32, (const float *)(const void *)in->data,
            (const float *)(const void *)f->data,
            bias != NULL ? (const float *)(const void *)bias->data : NULL,
            (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_fully_connected = {
    .builtin = TML_BUILTIN_FULLY_CONNECTED,
    .max_version = 12,
    .inputs = {2, 3},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(fully_connected_data_t),
    .data_size_ilp32 = TML_ILP32_SIZE(fully_connected_data_t, 40),
    .extra_size = fully_connected_extra_size,
    .scratch_size = fully_connected_scratch_size,
    .prepare = fully_connected_prepare,
    .eval = fully_connected_eval,
};
