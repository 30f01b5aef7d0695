// LOGISTIC: int8 through TFLite's fixed-point path (output zero point -128,
// scale 1/256) and float32. Prepare follows TFLite Micro's
// CalculateArithmeticOpDataLogistic (logistic_common.cc).
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/logistic.h"

typedef struct {
    tml_logistic_s8_params_t s8;  // size is used by both types
    uint8_t type;
} logistic_data_t;

static TML_COLD tml_status_t logistic_prepare(tml_interp_t *it, tml_node_t *node) {
    logistic_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->s8.size = tml_elements(in);
    if (TML_IS_F32(in->type)) {
        return TML_OK;
    }
    TML_CHECK(it, out->zero_point == -128, TML_ERR_UNSUPPORTED, "int8 output needs zero point -128");
    TML_CHECK(it, tml_q4_27_multiplier(in->scale, &d->s8.input_multiplier, &d->s8.input_left_shift),
        TML_ERR_UNSUPPORTED, "input scale out of range");
    d->s8.input_zero_point = in->zero_point;
    d->s8.input_range_radius = tml_input_radius(4, d->s8.input_left_shift, 31);
    return TML_OK;
}

static tml_status_t logistic_eval(tml_interp_t *it, tml_node_t *node) {
    const logistic_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_logistic_s8(&d->s8, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_logistic_f32(d->s8.size, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_logistic = {
    .builtin = TML_BUILTIN_LOGISTIC,
    .max_version = 3,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(logistic_data_t),
    .prepare = logistic_prepare,
    .eval = logistic_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE,
};
