// SignalFftAutoScale (TFLM Signal custom op): shifts an int16 frame left to
// use the full range before the FFT; output 1 is the shift (int32 scalar),
// undone after the filter bank (TFLM signal/micro/kernels/fft_auto_scale*.cc).
#include "tml_op.h"
#include "kernels/ref/signal.h"

typedef struct {
    int32_t size;
} signal_fft_auto_scale_data_t;

static TML_COLD tml_status_t signal_fft_auto_scale_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_fft_auto_scale_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *bits = tml_node_output(it, node, 1);
    TML_CHECK(it, bits->type == TML_INT32 && tml_elements(bits) == 1, TML_ERR_MODEL, "scale must be an int32 scalar");
    d->size = (int32_t)tml_elements(in);
    return TML_OK;
}

static tml_status_t signal_fft_auto_scale_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_fft_auto_scale_data_t *d = node->data;
    const int16_t *in = (const int16_t *)(const void *)tml_node_input(it, node, 0)->data;
    int16_t *out = (int16_t *)(void *)tml_node_output(it, node, 0)->data;
    int32_t bits = tml_ref_signal_fft_auto_scale(in, d->size, out);
    memcpy(tml_node_output(it, node, 1)->data, &bits, sizeof(bits));
    return TML_OK;
}

const tml_op_t tml_op_signal_fft_auto_scale = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalFftAutoScale",
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {2, 2},
    .flags = TML_OP_SAME_SIZE,
    .types = TML_TYPE_BIT(TML_INT16),
    .output_type = TML_OUTPUT_TYPE(TML_INT16),
    .data_size = sizeof(signal_fft_auto_scale_data_t),
    .prepare = signal_fft_auto_scale_prepare,
    .eval = signal_fft_auto_scale_eval,
};
