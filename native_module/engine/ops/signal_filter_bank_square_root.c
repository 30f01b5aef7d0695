// SignalFilterBankSquareRoot (TFLM Signal custom op): integer square root of
// uint64 channel sums, shifted down by the FFT auto-scale bits (input 1, an
// int32 scalar) into uint32 (TFLM signal/micro/kernels/filter_bank_square_root.cc).
#include "tml_op.h"
#include "kernels/ref/signal.h"

typedef struct {
    int32_t size;
} signal_filter_bank_square_root_data_t;

static TML_COLD tml_status_t signal_filter_bank_square_root_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_filter_bank_square_root_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *bits = tml_node_input(it, node, 1);
    TML_CHECK(it, bits->type == TML_INT32 && tml_elements(bits) == 1, TML_ERR_MODEL, "scale must be an int32 scalar");
    d->size = (int32_t)tml_elements(in);
    return TML_OK;
}

static tml_status_t signal_filter_bank_square_root_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_filter_bank_square_root_data_t *d = node->data;
    const uint64_t *in = (const uint64_t *)(const void *)tml_node_input(it, node, 0)->data;
    int32_t bits;
    memcpy(&bits, tml_node_input(it, node, 1)->data, sizeof(bits));
    TML_CHECK(it, bits >= 0, TML_ERR_ARG, "negative scale");
    tml_ref_signal_filter_bank_sqrt(in, d->size, bits, (uint32_t *)(void *)tml_node_output(it, node, 0)->data);
    return TML_OK;
}

const tml_op_t tml_op_signal_filter_bank_square_root = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalFilterBankSquareRoot",
    .max_version = 1,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .types = TML_TYPE_BIT(TML_UINT64),
    .output_type = TML_OUTPUT_TYPE(TML_UINT32),
    .data_size = sizeof(signal_filter_bank_square_root_data_t),
    .prepare = signal_filter_bank_square_root_prepare,
    .eval = signal_filter_bank_square_root_eval,
};
