// ELU: int8 through a 256-entry table built at prepare (TFLite Micro's
// PopulateLookupTable in elu.cc) and float32.
#include "tml_op.h"
#include "kernels/ref/elu.h"

typedef struct {
    int8_t table[256];
    uint32_t size;
    uint8_t type;
} elu_data_t;

static TML_COLD tml_status_t elu_prepare(tml_interp_t *it, tml_node_t *node) {
    elu_data_t *d = node->data;
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    d->type = in->type;
    d->size = tml_elements(in);
    if (in->type == TML_INT8) {
        tml_ref_elu_table_s8(in->scale, in->zero_point, out->scale, out->zero_point, d->table);
    }
    return TML_OK;
}

static tml_status_t elu_eval(tml_interp_t *it, tml_node_t *node) {
    const elu_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    if (d->type == TML_INT8) {
        tml_ref_elu_s8(d->size, d->table, (const int8_t *)in->data, (int8_t *)out->data);
    } else {
        tml_ref_elu_f32(d->size, (const float *)(const void *)in->data, (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_elu = {
    .builtin = TML_BUILTIN_ELU,
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .data_size = sizeof(elu_data_t),
    .prepare = elu_prepare,
    .eval = elu_eval,
    .flags = TML_OP_INPLACE | TML_OP_SAME_TYPE | TML_OP_SAME_SIZE | TML_OP_OUTPUT_SCALE,
};
