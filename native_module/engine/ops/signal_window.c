// SignalWindow (TFLM Signal custom op): multiplies each frame of an int16
// signal by an int16 window and shifts right, saturating (TFLM
// signal/micro/kernels/window.cc).
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    int32_t shift;
    int32_t size;         // input elements
    int32_t window_size;
} signal_window_data_t;

static TML_COLD tml_status_t signal_window_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_window_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *w = tml_node_input(it, node, 1);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, w->type == TML_INT16 && w->ndim == 1 && w->dims[0] > 0, TML_ERR_MODEL, "window must be 1-D int16");
    d->size = (int32_t)tml_elements(in);
    d->window_size = w->dims[0];
    TML_CHECK(it, d->size % d->window_size == 0, TML_ERR_MODEL, "input is not whole windows");
    TML_CHECK(it, tml_elements(out) == (uint32_t)d->size, TML_ERR_MODEL, "output size differs from input");
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    TML_CHECK(it, tml_flexbuf_map(&m, opts, len), TML_ERR_MODEL, "bad custom options");
    d->shift = tml_flexbuf_i32(&m, "shift", -1);
    TML_CHECK(it, d->shift >= 0 && d->shift < 32, TML_ERR_MODEL, "bad shift");
    return TML_OK;
}

static tml_status_t signal_window_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_window_data_t *d = node->data;
    const int16_t *in = (const int16_t *)(const void *)tml_node_input(it, node, 0)->data;
    const int16_t *w = (const int16_t *)(const void *)tml_node_input(it, node, 1)->data;
    int16_t *out = (int16_t *)(void *)tml_node_output(it, node, 0)->data;
    for (int32_t i = 0; i < d->size; i += d->window_size) {
        tml_ref_signal_window(in + i, w, d->window_size, d->shift, out + i);
    }
    return TML_OK;
}

const tml_op_t tml_op_signal_window = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalWindow",
    .max_version = 1,
    .inputs = {2, 2},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT16),
    .output_type = TML_OUTPUT_TYPE(TML_INT16),
    .data_size = sizeof(signal_window_data_t),
    .prepare = signal_window_prepare,
    .eval = signal_window_eval,
};
