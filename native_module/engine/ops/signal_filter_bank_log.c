// SignalFilterBankLog (TFLM Signal custom op): scaled natural log of uint32
// channels into int16 (TFLM signal/micro/kernels/filter_bank_log.cc).
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    int32_t output_scale;
    int32_t correction_bits;
    int32_t size;
} signal_filter_bank_log_data_t;

static TML_COLD tml_status_t signal_filter_bank_log_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_filter_bank_log_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    d->size = (int32_t)tml_elements(in);
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    TML_CHECK(it, tml_flexbuf_map(&m, opts, len), TML_ERR_MODEL, "bad custom options");
    d->output_scale = tml_flexbuf_i32(&m, "output_scale", -1);
    d->correction_bits = tml_flexbuf_i32(&m, "input_correction_bits", -1);
    TML_CHECK(it, d->output_scale >= 0 && d->correction_bits >= 0 && d->correction_bits < 32, TML_ERR_MODEL,
        "bad output_scale or input_correction_bits");
    return TML_OK;
}

static tml_status_t signal_filter_bank_log_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_filter_bank_log_data_t *d = node->data;
    tml_ref_signal_filter_bank_log((const uint32_t *)(const void *)tml_node_input(it, node, 0)->data, d->size,
        d->output_scale, (uint32_t)d->correction_bits, (int16_t *)(void *)tml_node_output(it, node, 0)->data);
    return TML_OK;
}

const tml_op_t tml_op_signal_filter_bank_log = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalFilterBankLog",
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .types = TML_TYPE_BIT(TML_UINT32),
    .output_type = TML_OUTPUT_TYPE(TML_INT16),
    .data_size = sizeof(signal_filter_bank_log_data_t),
    .prepare = signal_filter_bank_log_prepare,
    .eval = signal_filter_bank_log_eval,
};
