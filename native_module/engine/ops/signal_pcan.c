// SignalPCAN (TFLM Signal custom op): per-channel automatic gain control
// from the noise estimate and a 125-entry gain LUT (TFLM
// signal/micro/kernels/pcan.cc).
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

enum { PCAN_LUT_SIZE = 125 };  // 3 entries, then 4 per bit interval up to 32

typedef struct {
    int32_t snr_shift;
    int32_t size;
} signal_pcan_data_t;

static TML_COLD tml_status_t signal_pcan_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_pcan_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *noise = tml_node_input(it, node, 1);
    const tml_tensor_t *lut = tml_node_input(it, node, 2);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, noise->type == TML_UINT32, TML_ERR_MODEL, "noise estimate must be uint32");
    TML_CHECK(it, lut->type == TML_INT16 && tml_elements(lut) >= PCAN_LUT_SIZE, TML_ERR_MODEL,
        "gain lut must be 125 int16");
    d->size = (int32_t)tml_elements(in);
    TML_CHECK(it, d->size > 0 && tml_elements(noise) == (uint32_t)d->size && tml_elements(out) == (uint32_t)d->size,
        TML_ERR_MODEL, "input, noise estimate and output sizes differ");
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    TML_CHECK(it, tml_flexbuf_map(&m, opts, len), TML_ERR_MODEL, "bad custom options");
    d->snr_shift = tml_flexbuf_i32(&m, "snr_shift", -1);
    TML_CHECK(it, d->snr_shift >= 0 && d->snr_shift < 64, TML_ERR_MODEL, "bad snr_shift");
    return TML_OK;
}

static tml_status_t signal_pcan_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_pcan_data_t *d = node->data;
    const uint32_t *in = (const uint32_t *)(const void *)tml_node_input(it, node, 0)->data;
    const uint32_t *noise = (const uint32_t *)(const void *)tml_node_input(it, node, 1)->data;
    const int16_t *lut = (const int16_t *)(const void *)tml_node_input(it, node, 2)->data;
    uint32_t *out = (uint32_t *)(void *)tml_node_output(it, node, 0)->data;
    memmove(out, in, (size_t)d->size * sizeof(uint32_t));
    tml_ref_signal_pcan(lut, d->snr_shift, noise, out, d->size);
    return TML_OK;
}

const tml_op_t tml_op_signal_pcan = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalPCAN",
    .max_version = 1,
    .inputs = {3, 3},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_UINT32),
    .output_type = TML_OUTPUT_TYPE(TML_UINT32),
    .data_size = sizeof(signal_pcan_data_t),
    .prepare = signal_pcan_prepare,
    .eval = signal_pcan_eval,
};
