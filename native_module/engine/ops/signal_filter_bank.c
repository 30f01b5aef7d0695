// SignalFilterBank (TFLM Signal custom op): triangular mel channels as
// weighted sums of uint32 energies into uint64 (TFLM
// signal/micro/kernels/filter_bank.cc). The five tables are constants; their
// ranges are checked here so eval cannot read outside them.
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    tml_signal_filter_bank_t fb;
} signal_filter_bank_data_t;

static TML_COLD int32_t num_channels(const tml_interp_t *it, const tml_node_t *node) {
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    if (!tml_flexbuf_map(&m, opts, len)) {
        return 0;
    }
    int32_t n = tml_flexbuf_i32(&m, "num_channels", 0);
    return n > 0 && n < 65536 ? n : 0;
}

static TML_COLD size_t signal_filter_bank_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    return (size_t)(num_channels(it, node) + 1) * sizeof(uint64_t);
}

static TML_COLD const int16_t *table(tml_interp_t *it, const tml_node_t *node, int i, uint32_t min_count) {
    tml_tensor_t *t = tml_node_input(it, node, i);
    // Only constants: prepare checks their ranges once, and eval trusts them.
    if (t == NULL || t->type != TML_INT16 || !(t->flags & TML_TENSOR_CONST) || t->data == NULL
        || tml_elements(t) < min_count) {
        return NULL;
    }
    t->flags |= TML_TENSOR_INDEXES;
    return (const int16_t *)(const void *)t->data;
}

static TML_COLD tml_status_t signal_filter_bank_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_filter_bank_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    int32_t c = num_channels(it, node);
    TML_CHECK(it, c > 0 && tml_elements(out) == (uint32_t)c, TML_ERR_MODEL, "num_channels differs from output");
    tml_signal_filter_bank_t *fb = &d->fb;
    fb->num_channels = c;
    fb->weights = table(it, node, 1, 0);
    fb->unweights = table(it, node, 2, 0);
    fb->freq_starts = table(it, node, 3, (uint32_t)c + 1);
    fb->weight_starts = table(it, node, 4, (uint32_t)c + 1);
    fb->widths = table(it, node, 5, (uint32_t)c + 1);
    TML_CHECK(it, fb->weights != NULL && fb->unweights != NULL && fb->freq_starts != NULL
        && fb->weight_starts != NULL && fb->widths != NULL, TML_ERR_MODEL, "filter bank tables must be constant int16");
    int32_t n_weights = (int32_t)tml_elements(tml_node_input(it, node, 1));
    TML_CHECK(it, (int32_t)tml_elements(tml_node_input(it, node, 2)) == n_weights, TML_ERR_MODEL,
        "weights and unweights differ in size");
    int32_t n_in = (int32_t)tml_elements(in);
    for (int32_t i = 0; i <= c; i++) {
        int32_t f = fb->freq_starts[i], w = fb->weight_starts[i], n = fb->widths[i];
        TML_CHECK(it, f >= 0 && w >= 0 && n >= 0 && f + n <= n_in && w + n <= n_weights, TML_ERR_MODEL,
            "filter bank channel out of range");
    }
    return TML_OK;
}

static tml_status_t signal_filter_bank_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_filter_bank_data_t *d = node->data;
    const uint32_t *in = (const uint32_t *)(const void *)tml_node_input(it, node, 0)->data;
    uint64_t *out = (uint64_t *)(void *)tml_node_output(it, node, 0)->data;
    tml_ref_signal_filter_bank(&d->fb, in, tml_node_scratch(it, node), out);
    return TML_OK;
}

const tml_op_t tml_op_signal_filter_bank = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalFilterBank",
    .max_version = 1,
    .inputs = {6, 6},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_UINT32),
    .output_type = TML_OUTPUT_TYPE(TML_UINT64),
    .data_size = sizeof(signal_filter_bank_data_t),
    .data_size_ilp32 = TML_ILP32_SIZE(signal_filter_bank_data_t, 24),
    .scratch_size = signal_filter_bank_scratch_size,
    .prepare = signal_filter_bank_prepare,
    .eval = signal_filter_bank_eval,
};
