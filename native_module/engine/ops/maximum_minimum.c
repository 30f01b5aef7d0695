// MAXIMUM and MINIMUM: elementwise on raw values (int8, int32, float32), with
// broadcasting up to 6 dimensions, as TFLite Micro's maximum_minimum.cc. They
// share prepare; eval differs only in the kernels it calls.
#include "tml_op.h"
#include "kernels/ref/maximum_minimum.h"

static TML_COLD tml_status_t maximum_minimum_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_bcast_t *bc = node->data;
    const tml_tensor_t *a, *b, *out;
    return tml_node_binary(it, node, &a, &b, &out, bc);
}

static tml_status_t maximum_minimum_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_bcast_t *bc = node->data;
    const tml_tensor_t *a = tml_node_input(it, node, 0);
    const tml_tensor_t *b = tml_node_input(it, node, 1);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    bool is_max = node->op->builtin == TML_BUILTIN_MAXIMUM;
    switch (out->type) {
        case TML_INT8:
            (is_max ? tml_ref_maximum_s8 : tml_ref_minimum_s8)(bc, (const int8_t *)a->data,
                (const int8_t *)b->data, (int8_t *)out->data);
            break;
        case TML_FLOAT32:
            (is_max ? tml_ref_maximum_f32 : tml_ref_minimum_f32)(bc, (const float *)(const void *)a->data,
                (const float *)(const void *)b->data, (float *)(void *)out->data);
            break;
        default:
            (is_max ? tml_ref_maximum_s32 : tml_ref_minimum_s32)(bc, (const int32_t *)(const void *)a->data,
                (const int32_t *)(const void *)b->data, (int32_t *)(void *)out->data);
            break;
    }
    return TML_OK;
}

const tml_op_t tml_op_maximum = {
    .builtin = TML_BUILTIN_MAXIMUM,
    .max_version = 4,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(tml_bcast_t),
    .prepare = maximum_minimum_prepare,
    .eval = maximum_minimum_eval,
};

const tml_op_t tml_op_minimum = {
    .builtin = TML_BUILTIN_MINIMUM,
    .max_version = 4,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_INT32) | TML_TYPE_BIT(TML_FLOAT32),
    .flags = TML_OP_SAME_TYPE,
    .data_size = sizeof(tml_bcast_t),
    .prepare = maximum_minimum_prepare,
    .eval = maximum_minimum_eval,
};
