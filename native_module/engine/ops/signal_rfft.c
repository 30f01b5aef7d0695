// SignalRfft (TFLM Signal custom op), int16 only: each frame of the last
// axis, zero-padded to fft_length, through kissfft's fixed-point real FFT;
// fft_length / 2 + 1 complex bins as interleaved int16 (TFLM
// signal/micro/kernels/rfft.cc). Twiddle tables live in the op data.
#include "tml_op.h"
#include "tml_flexbuf.h"
#include "kernels/ref/signal.h"

typedef struct {
    tml_signal_rfft_t st;
    int32_t frames;
    int32_t input_length;   // samples per frame
    int32_t output_length;  // complex bins per frame
} signal_rfft_data_t;

// fft_length from the options, 0 when missing or not a length we run.
static TML_COLD int32_t fft_length(const tml_interp_t *it, const tml_node_t *node) {
    const uint8_t *opts;
    uint32_t len = tml_custom_options(it, node, &opts);
    tml_flexbuf_map_t m;
    if (!tml_flexbuf_map(&m, opts, len)) {
        return 0;
    }
    int32_t n = tml_flexbuf_i32(&m, "fft_length", 0);
    return tml_signal_rfft_length_ok(n) ? n : 0;
}

static TML_COLD size_t signal_rfft_extra_size(const tml_interp_t *it, const tml_node_t *node) {
    return tml_signal_rfft_state_size(fft_length(it, node));
}

static TML_COLD size_t signal_rfft_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    int32_t n = fft_length(it, node);
    // zero-padded frame, then the complex FFT's output
    return (size_t)n * sizeof(int16_t) + (size_t)(n / 2) * sizeof(tml_cpx16_t);
}

static TML_COLD tml_status_t signal_rfft_prepare(tml_interp_t *it, tml_node_t *node) {
    signal_rfft_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, in->ndim >= 1 && in->ndim == out->ndim, TML_ERR_MODEL, "input and output ranks differ");
    int32_t n = fft_length(it, node);
    TML_CHECK(it, n > 0, TML_ERR_UNSUPPORTED, "fft_length must be a power of two");
    d->input_length = in->dims[in->ndim - 1];
    d->output_length = out->dims[out->ndim - 1] / 2;
    TML_CHECK(it, d->input_length > 0 && d->input_length <= n, TML_ERR_MODEL, "frame longer than fft_length");
    TML_CHECK(it, d->output_length == n / 2 + 1, TML_ERR_MODEL, "output must hold fft_length / 2 + 1 bins");
    d->frames = (int32_t)(tml_elements(in) / (uint32_t)d->input_length);
    TML_CHECK(it, tml_elements(out) == (uint32_t)(d->frames * d->output_length * 2), TML_ERR_MODEL,
        "output frames differ from input");
    tml_signal_rfft_init(&d->st, n, (uint8_t *)node->data + sizeof(signal_rfft_data_t));
    return TML_OK;
}

static tml_status_t signal_rfft_eval(tml_interp_t *it, tml_node_t *node) {
    const signal_rfft_data_t *d = node->data;
    const int16_t *in = (const int16_t *)(const void *)tml_node_input(it, node, 0)->data;
    tml_cpx16_t *out = (tml_cpx16_t *)(void *)tml_node_output(it, node, 0)->data;
    int16_t *frame = tml_node_scratch(it, node);
    tml_cpx16_t *tmp = (tml_cpx16_t *)(void *)(frame + d->st.nfft);
    for (int32_t f = 0; f < d->frames; f++) {
        memcpy(frame, in + f * d->input_length, (size_t)d->input_length * sizeof(int16_t));
        memset(frame + d->input_length, 0, (size_t)(d->st.nfft - d->input_length) * sizeof(int16_t));
        tml_ref_signal_rfft_s16(&d->st, frame, out + f * d->output_length, tmp);
    }
    return TML_OK;
}

const tml_op_t tml_op_signal_rfft = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "SignalRfft",
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .types = TML_TYPE_BIT(TML_INT16),
    .output_type = TML_OUTPUT_TYPE(TML_INT16),
    .data_size = sizeof(signal_rfft_data_t),
    .data_size_ilp32 = TML_ILP32_SIZE(signal_rfft_data_t, 156),
    .extra_size = signal_rfft_extra_size,
    .scratch_size = signal_rfft_scratch_size,
    .prepare = signal_rfft_prepare,
    .eval = signal_rfft_eval,
};
