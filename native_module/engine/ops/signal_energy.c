// SignalEnergy (TFLM Signal custom op): |X[k]|^2 of int16 complex bins
// start_index <= k < end_index as uint32 (TFLM signal/micro/kernels/energy.cc).
// TFLM leaves the other outputs unwritten; we zero them so runs repeat.
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    int32_t start;
    int32_t end;
    int32_t size;  // output elements
} signal_energy_data_t;

static TML_COLD tml_status_t signal_energy_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_energy_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    d->size = (int32_t)tml_elements(out);
    TML_CHECK(it, tml_elements(in) >= 2 * (uint32_t)d->size, TML_ERR_MODEL, "input smaller than 2 x output");
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    TML_CHECK(it, tml_flexbuf_map(&m, opts, len), TML_ERR_MODEL, "bad custom options");
    d->start = tml_flexbuf_i32(&m, "start_index", -1);
    d->end = tml_flexbuf_i32(&m, "end_index", -1);
    TML_CHECK(it, d->start >= 0 && d->start <= d->end && d->end <= d->size, TML_ERR_MODEL, "bad index range");
    return TML_OK;
}

static tml_status_t signal_energy_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_energy_data_t *d = node->data;
    const int16_t *in = (const int16_t *)(const void *)tml_node_input(it, node, 0)->data;
    uint32_t *out = (uint32_t *)(void *)tml_node_output(it, node, 0)->data;
    memset(out, 0, (size_t)d->start * sizeof(uint32_t));
    memset(out + d->end, 0, (size_t)(d->size - d->end) * sizeof(uint32_t));
    tml_ref_signal_energy(in, d->start, d->end, out);
    return TML_OK;
}

const tml_op_t tml_op_signal_energy = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalEnergy",
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT16),
    .output_type = TML_OUTPUT_TYPE(TML_UINT32),
    .data_size = sizeof(signal_energy_data_t),
    .prepare = signal_energy_prepare,
    .eval = signal_energy_eval,
};
