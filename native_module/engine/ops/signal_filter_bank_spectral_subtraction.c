// SignalFilterBankSpectralSubtraction (TFLM Signal custom op): noise
// reduction with a running per-channel noise estimate. The estimate is state
// kept across invokes in the op data (after the fixed part), zeroed by
// prepare, so tml_init resets it; output 1 is a copy of it (TFLM
// signal/micro/kernels/filter_bank_spectral_subtraction.cc).
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    tml_signal_spectral_sub_t p;
    int32_t num_channels;
} signal_spectral_sub_data_t;

static TML_COLD bool read_options(const tml_interp_t *it, const tml_node_t *node, tml_flexbuf_map_t *m) {
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    return tml_flexbuf_map(m, opts, len);
}

static TML_COLD size_t signal_spectral_sub_extra_size(const tml_interp_t *it, const tml_node_t *node) {
    tml_flexbuf_map_t m;
    if (!read_options(it, node, &m)) {
        return 0;
    }
    int32_t n = tml_flexbuf_i32(&m, "num_channels", 0);
    return n > 0 && n < 65536 ? (size_t)n * sizeof(uint32_t) : 0;
}

static TML_COLD tml_status_t signal_spectral_sub_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_spectral_sub_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    const tml_tensor_t *noise = tml_node_output(it, node, 1);
    TML_CHECK(it, noise->type == TML_UINT32, TML_ERR_MODEL, "noise estimate must be uint32");
    tml_flexbuf_map_t m;
    TML_CHECK(it, read_options(it, node, &m), TML_ERR_MODEL, "bad custom options");
    int32_t n = tml_flexbuf_i32(&m, "num_channels", 0);
    TML_CHECK(it, n > 0 && n < 65536 && tml_elements(in) == (uint32_t)n && tml_elements(out) == (uint32_t)n
        && tml_elements(noise) == (uint32_t)n, TML_ERR_MODEL, "num_channels differs from the tensors");
    tml_signal_spectral_sub_t *p = &d->p;
    p->smoothing = (uint32_t)tml_flexbuf_i32(&m, "smoothing", 0);
    p->one_minus_smoothing = (uint32_t)tml_flexbuf_i32(&m, "one_minus_smoothing", 0);
    p->alternate_smoothing = (uint32_t)tml_flexbuf_i32(&m, "alternate_smoothing", 0);
    p->alternate_one_minus_smoothing = (uint32_t)tml_flexbuf_i32(&m, "alternate_one_minus_smoothing", 0);
    p->min_signal_remaining = (uint32_t)tml_flexbuf_i32(&m, "min_signal_remaining", 0);
    int32_t smoothing_bits = tml_flexbuf_i32(&m, "smoothing_bits", -1);
    int32_t sub_bits = tml_flexbuf_i32(&m, "spectral_subtraction_bits", -1);
    TML_CHECK(it, smoothing_bits >= 0 && smoothing_bits < 32 && sub_bits >= 0 && sub_bits < 64, TML_ERR_MODEL,
        "bad smoothing or subtraction bits");
    p->smoothing_bits = (uint32_t)smoothing_bits;
    p->spectral_subtraction_bits = (uint32_t)sub_bits;
    p->clamping = tml_flexbuf_bool(&m, "clamping", false);
    d->num_channels = n;
    memset(d + 1, 0, (size_t)n * sizeof(uint32_t));
    return TML_OK;
}

static tml_status_t signal_spectral_sub_eval(tml_interp_t *it, tml_node_t *node) {
    signal_spectral_sub_data_t *d = node->data;
    uint32_t *state = (uint32_t *)(void *)(d + 1);
    const uint32_t *in = (const uint32_t *)(const void *)tml_node_input(it, node, 0)->data;
    uint32_t *out = (uint32_t *)(void *)tml_node_output(it, node, 0)->data;
    tml_ref_signal_spectral_sub(&d->p, in, d->num_channels, out, state);
    memcpy(tml_node_output(it, node, 1)->data, state, (size_t)d->num_channels * sizeof(uint32_t));
    return TML_OK;
}

const tml_op_t tml_op_signal_filter_bank_spectral_subtraction = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalFilterBankSpectralSubtraction",
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {2, 2},
    .types = TML_TYPE_BIT(TML_UINT32),
    .output_type = TML_OUTPUT_TYPE(TML_UINT32),
    .data_size = sizeof(signal_spectral_sub_data_t),
    .extra_size = signal_spectral_sub_extra_size,
    .prepare = signal_spectral_sub_prepare,
    .eval = signal_spectral_sub_eval,
};
