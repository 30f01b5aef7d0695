// UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite Micro's integer LSTM (int8 activations and weights,
// int32 biases, int16 cell state) and its float32 LSTM, for the plain LSTM TFLite Micro runs (no peephole,
// projection, layer norm or CIFG). The hidden and cell state are variable tensors, kept in
// the persistent arena from one invoke to the next until tml_reset_variables. Prepare
// follows TFLite Micro's UnidirectionalSequenceLstmPrepare and PrepareGateParametersInteger
// (kernels/unidirectional_sequence_lstm.cc, lstm_eval_common.cc).
#include "tml_op.h"
#include "tml_quant.h"
#include "kernels/ref/unidirectional_sequence_lstm.h"

// UnidirectionalSequenceLSTMOptions fields.
enum { OPT_ACTIVATION, OPT_CELL_CLIP, OPT_PROJ_CLIP, OPT_TIME_MAJOR, OPT_ASYMMETRIC_QUANTIZE_INPUTS };

// Input positions (TFLite's lstm_shared.h).
enum {
    IN_INPUT = 0,
    IN_INPUT_WEIGHTS = 1,      // 1..4: input, forget, cell, output gates (TML_LSTM_*_GATE order)
    IN_RECURRENT_WEIGHTS = 5,  // 5..8
    IN_PEEPHOLE = 9,           // 9..11
    IN_BIAS = 12,              // 12..15
    IN_PROJECTION = 16,        // 16..17
    IN_HIDDEN = 18,
    IN_CELL = 19,
    IN_LAYER_NORM = 20,        // 20..23
    IN_COUNT = 24,
};

typedef struct {
    union {
        tml_lstm_s8_params_t s8;
        tml_lstm_f32_params_t f32;
    } p;
    uint8_t type;
} lstm_data_t;

// Shape from the tensors, without validating them (sizing runs on an unchecked model).
static TML_COLD bool read_shape(const tml_interp_t *it, const tml_node_t *node, tml_lstm_shape_t *s) {
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    if (in == NULL || out == NULL || in->ndim != 3 || out->ndim != 3 || in->dims == NULL || out->dims == NULL) {
        return false;
    }
    s->time_major = tml_opt_bool(it, node, OPT_TIME_MAJOR, false);
    s->time_steps = in->dims[s->time_major ? 0 : 1];
    s->batches = in->dims[s->time_major ? 1 : 0];
    s->input_size = in->dims[2];
    s->units = out->dims[2];
    return s->time_steps > 0 && s->batches > 0 && s->input_size > 0 && s->units > 0
           && s->units <= (1 << 20) && s->input_size <= (1 << 24);
}

static TML_COLD size_t lstm_scratch_size(const tml_interp_t *it, const tml_node_t *node) {
    tml_lstm_shape_t s;
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    if (!read_shape(it, node, &s)) {
        return 0;
    }
    return TML_IS_F32(in->type) ? tml_lstm_f32_scratch_size(&s) : tml_lstm_s8_scratch_size(&s);
}

static const char *const gate_kinds[] = {"input weights", "recurrent weights", "bias"};
static const char *const gate_shapes[] = {"is not units x input", "is not units x units", "is not units values"};

// The twelve gate tensors (inputs 1-4 input weights, 5-8 recurrent weights, 12-15 biases, each
// in the gate order input, forget, cell, output), one message naming the input and its role:
// "input 6 (recurrent weights) is not units x units", "input 13 (bias) int8, expected int32".
static TML_COLD tml_status_t check_gates(tml_interp_t *it, const tml_node_t *node, bool f32,
    const tml_lstm_shape_t *s) {
    for (int i = IN_INPUT_WEIGHTS; i < IN_BIAS + TML_LSTM_GATES; i = i + 1 == IN_PEEPHOLE ? IN_BIAS : i + 1) {
        int kind = i < IN_RECURRENT_WEIGHTS ? 0 : i < IN_PEEPHOLE ? 1 : 2;  // input, recurrent, bias
        const tml_tensor_t *t = tml_node_input(it, node, i);
        int32_t type = f32 ? TML_FLOAT32 : kind == 2 ? TML_INT32 : TML_INT8;
        int32_t cols = kind == 0 ? s->input_size : s->units;
        const char *problem = NULL, *expected = "", *want = "";
        tml_status_t st = TML_ERR_UNSUPPORTED;
        if (t == NULL) {
            problem = "absent: not supported";  // CIFG, or a gate without bias
        } else if (t->type != type) {
            problem = tml_type_name(t->type);
            expected = ", expected ";
            want = tml_type_name(type);
        } else if (t->data == NULL) {
            problem = "must be constant";
        } else if (kind == 2 ? tml_elements(t) != (uint32_t)s->units
                             : t->ndim != 2 || t->dims[0] != s->units || t->dims[1] != cols) {
            problem = gate_shapes[kind];
            st = TML_ERR_MODEL;
        } else if (!f32 && kind != 2 && !(t->quant_count == 1 && t->scale > 0.0f)) {
            problem = "needs one quantization scale";
        }
        if (problem != NULL) {
            return tml_failf(it, st, "input %d (%s) %s%s%s", i, gate_kinds[kind], problem, expected, want);
        }
    }
    return TML_OK;
}

static TML_COLD tml_lstm_scale_t requantize(double real) {
    tml_lstm_scale_t r;
    int shift;
    tml_quantize_multiplier(real, &r.multiplier, &shift);
    r.shift = shift;
    return r;
}

// round(log2(x)) of a positive normal float, from its bits (TFLite's CheckedLog2 rounds the
// same way: the mantissa in [1, 2) rounds up from sqrt(2)).
static TML_COLD int32_t log2_rounded(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    int32_t e = (int32_t)((u >> 23) & 0xff) - 127;
    uint32_t mantissa = u & 0x7fffff;
    return mantissa >= 0x3504f3u ? e + 1 : e;  // 0x3504f3: sqrt(2)'s mantissa bits
}

static TML_COLD tml_status_t lstm_prepare(tml_interp_t *it, tml_node_t *node) {
    lstm_data_t *d = node->data;
    tml_lstm_s8_params_t *p = &d->p.s8;
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    const tml_tensor_t *hidden = tml_node_input(it, node, IN_HIDDEN);
    const tml_tensor_t *cell = tml_node_input(it, node, IN_CELL);
    const tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, hidden != NULL && cell != NULL, TML_ERR_MODEL, "missing hidden or cell state");
    const tml_lstm_shape_t *s = &p->s;  // both union members start with it
    TML_CHECK(it, read_shape(it, node, &p->s), TML_ERR_MODEL, "input and output must be 3-d, not empty");
    TML_CHECK(it, out->dims[0] == in->dims[0] && out->dims[1] == in->dims[1], TML_ERR_MODEL,
        "output steps and batches differ from input");
    uint64_t state_n = (uint64_t)s->batches * (uint64_t)s->units;
    TML_CHECK(it, (hidden->flags & TML_TENSOR_VARIABLE) && (cell->flags & TML_TENSOR_VARIABLE)
        && tml_elements(hidden) == state_n && tml_elements(cell) == state_n, TML_ERR_MODEL,
        "hidden, cell state must be variables of batches x units");
    TML_CHECK(it, !tml_opt_bool(it, node, OPT_ASYMMETRIC_QUANTIZE_INPUTS, false), TML_ERR_UNSUPPORTED,
        "hybrid (asymmetric_quantize_inputs) not supported");
    TML_CHECK(it, tml_opt_u8(it, node, OPT_ACTIVATION, TML_ACT_TANH) == TML_ACT_TANH, TML_ERR_UNSUPPORTED,
        "cell activation other than tanh not supported");
    for (int i = IN_PEEPHOLE; i < IN_COUNT; i++) {
        bool unused = (i < IN_BIAS || i >= IN_PROJECTION) && i != IN_HIDDEN && i != IN_CELL;
        if (unused && tml_node_input(it, node, i) != NULL) {
            return tml_failf(it, TML_ERR_UNSUPPORTED, "%s LSTM not supported (input %d)",
                i < IN_BIAS ? "peephole" : i < IN_HIDDEN ? "projection" : "layer norm", i);
        }
    }

    bool f32 = TML_IS_F32(in->type);
    d->type = in->type;
    TML_CHECK(it, hidden->type == in->type && out->type == in->type, TML_ERR_MODEL,
        "hidden state and output must have the input's type");
    if (cell->type != (f32 ? TML_FLOAT32 : TML_INT16)) {
        return tml_fail_type(it, cell->type, f32 ? "cell state with float32 input" : "cell state with int8 input");
    }
    TML_TRY(check_gates(it, node, f32, s));
    float clip = tml_opt_f32(it, node, OPT_CELL_CLIP, 0.0f);
    TML_CHECK(it, clip >= 0.0f, TML_ERR_MODEL, "negative cell clip");
    if (f32) {
        d->p.f32.cell_clip = clip;
        return TML_OK;
    }
    TML_CHECK(it, in->scale > 0.0f && hidden->scale > 0.0f && cell->scale > 0.0f, TML_ERR_MODEL,
        "missing quantization scale");

    // Gate products land in Q3.12 (int16, scale 2^-12); gate outputs are Q0.15.
    const double gate_in = 1.0 / 4096.0;
    const double gate_out = 1.0 / 32768.0;
    p->input_offset = -in->zero_point;
    p->hidden_offset = -hidden->zero_point;
    p->hidden_zero_point = hidden->zero_point;
    for (int g = 0; g < TML_LSTM_GATES; g++) {
        const tml_tensor_t *wi = tml_node_input(it, node, IN_INPUT_WEIGHTS + g);
        const tml_tensor_t *wr = tml_node_input(it, node, IN_RECURRENT_WEIGHTS + g);
        p->input_weights_offset[g] = -wi->zero_point;
        p->recurrent_weights_offset[g] = -wr->zero_point;
        p->input_scale[g] = requantize((double)in->scale * (double)wi->scale / gate_in);
        p->recurrent_scale[g] = requantize((double)hidden->scale * (double)wr->scale / gate_in);
    }
    p->forget_times_cell = requantize(gate_out * (double)cell->scale / (double)cell->scale);
    p->input_times_cell_gate = requantize(gate_out * gate_out / (double)cell->scale);
    p->output_times_tanh_cell = requantize(gate_out * gate_out / (double)hidden->scale);

    // tanh(cell) wants Q3.12 in: scale the cell state by its power of two.
    int32_t shift = 15 + log2_rounded(cell->scale) - 3;
    p->tanh_cell_multiplier = shift < 0 ? 3 : 0;
    p->tanh_cell_left_shift = shift < 0 ? -shift : shift;
    TML_CHECK(it, p->tanh_cell_left_shift <= 12, TML_ERR_UNSUPPORTED, "cell state scale out of range");

    double q = (double)clip / (double)cell->scale;
    p->cell_clip = clip > 0.0f ? (int32_t)(int16_t)(q > 32767.0 ? 32767.0 : q) : -1;
    return TML_OK;
}

static tml_status_t lstm_eval(tml_interp_t *it, tml_node_t *node) {
    const lstm_data_t *d = node->data;
    const tml_tensor_t *in = tml_node_input(it, node, IN_INPUT);
    tml_tensor_t *hidden = tml_node_input(it, node, IN_HIDDEN);
    tml_tensor_t *cell = tml_node_input(it, node, IN_CELL);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_lstm_s8_weights_t w;
    for (int g = 0; g < TML_LSTM_GATES; g++) {
        w.input_weights[g] = (const int8_t *)tml_node_input(it, node, IN_INPUT_WEIGHTS + g)->data;
        w.recurrent_weights[g] = (const int8_t *)tml_node_input(it, node, IN_RECURRENT_WEIGHTS + g)->data;
        w.bias[g] = (const int32_t *)(const void *)tml_node_input(it, node, IN_BIAS + g)->data;
    }
    if (d->type == TML_INT8) {
        tml_ref_unidirectional_sequence_lstm_s8(&d->p.s8, &w, (const int8_t *)in->data,
            (int8_t *)hidden->data, (int16_t *)(void *)cell->data, (int16_t *)tml_node_scratch(it, node),
            (int8_t *)out->data);
    } else {
        // The same twelve pointers, as float32 ones (both structs are arrays of pointers).
        tml_lstm_f32_weights_t wf;
        _Static_assert(sizeof(wf) == sizeof(w), "both weight structs hold twelve pointers");
        memcpy(&wf, &w, sizeof(wf));
        tml_ref_unidirectional_sequence_lstm_f32(&d->p.f32, &wf, (const float *)(const void *)in->data,
            (float *)(void *)hidden->data, (float *)(void *)cell->data, (float *)tml_node_scratch(it, node),
            (float *)(void *)out->data);
    }
    return TML_OK;
}

const tml_op_t tml_op_unidirectional_sequence_lstm = {
    .builtin = TML_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM,
    .max_version = 4,
    .inputs = {20, 24},
    .outputs = {1, 1},
    .types = TML_TYPES_S8_F32,
    .flags = TML_OP_ABSENT_INPUTS,
    .data_size = sizeof(lstm_data_t),
    .scratch_size = lstm_scratch_size,
    .prepare = lstm_prepare,
    .eval = lstm_eval,
};
