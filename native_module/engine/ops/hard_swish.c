// HARD_SWISH: int8 with TFLite's int16 fixed-point path (multipliers as in
// TFLite Micro's HardSwishPrepare, formed in float and cut to Q15) and float32.
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/hard_swish.h"

typedef struct {
    tml_hard_swish_s8_params_t s8;  // size is used by both types
    uint8_t type;
} hard_swish_data_t;

// TFLite's DownScaleInt32ToInt16Multiplier: round a Q31 multiplier to Q15.
static TML_COLD int16_t q31_to_q15(int32_t m) {
    if (m >= INT32_MAX - (1 << 15)) {
        return INT16_MAX;
    }
    return (int16_t)((m + (1 << 15)) >> 16);
}

static TML_COLD tml_status_t hard_swish_prepare(tml_interp_t *it, tml_node_t *node) {
    hard_swish_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->s8.size = tml_elements(in);
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    const float hires_input_scale = (1.0f / 128.0f) * in->scale;
    const float reluish_scale = 3.0f / 32768.0f;
    int32_t m;
    int shift;
    tml_quantize_multiplier((double)(hires_input_scale / out->scale), &m, &shift);
    TML_CHECK(it, shift <= 0, TML_ERR_UNSUPPORTED, "output scale too small for input scale");
    d->s8.output_multiplier = q31_to_q15(m);
    d->s8.output_exponent = shift;
    tml_quantize_multiplier((double)(hires_input_scale / reluish_scale), &m, &shift);
    d->s8.reluish_multiplier = q31_to_q15(m);
    d->s8.reluish_exponent = shift;
    d->s8.input_zero_point = in->zero_point;
    d->s8.output_zero_point = out->zero_point;
    return TML_OK;
}

static tml_status_t hard_swish_eval(tml_interp_t *it, tml_node_t *node) {
    const hard_swish_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_hard_swish_s8(&d->s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_hard_swish_f32(d->s8.size, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_hard_swish = {
    .builtin = TML_BUILTIN_HARD_SWISH,
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(hard_swish_data_t),
    .prepare = hard_swish_prepare,
    .eval = hard_swish_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE | TML_OP_OUTPUT_SCALE,
};
