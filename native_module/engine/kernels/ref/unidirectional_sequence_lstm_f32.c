// float32 UNIDIRECTIONAL_SEQUENCE_LSTM; see unidirectional_sequence_lstm.h.
#include "kernels/ref/unidirectional_sequence_lstm.h"
#include "tml_compiler.h"

#include <stddef.h>
#include <string.h>

#include "kernels/ref/logistic.h"
#include "kernels/ref/tanh.h"

uint32_t tml_lstm_f32_scratch_size(const tml_lstm_shape_t *s) {
    return 4u * (uint32_t)s->units * sizeof(float);
}

// out[u] = W[u] . x (+ bias[u]), the dot product summed first as TFLite's FullyConnected.
#if TML_KERNELS_F32
static void matvec(const float *weights, const float *x, int32_t n, const float *bias, int32_t units,
    float *out) {
    for (int32_t u = 0; u < units; u++) {
        const float *row = weights + (size_t)u * (size_t)n;
        float acc = 0.0f;
        for (int32_t k = 0; k < n; k++) {
            acc += x[k] * row[k];
        }
        out[u] = acc + (bias != NULL ? bias[u] : 0.0f);
    }
}

static void gate(const tml_lstm_f32_params_t *p, const tml_lstm_f32_weights_t *w, int g,
    const float *x, const float *h, bool sigmoid, float *out, float *tmp) {
    const int32_t units = p->s.units;
    matvec(w->input_weights[g], x, p->s.input_size, w->bias[g], units, out);
    matvec(w->recurrent_weights[g], h, units, NULL, units, tmp);
    for (int32_t u = 0; u < units; u++) {
        out[u] += tmp[u];
    }
    if (sigmoid) {
        tml_ref_logistic_f32((uint32_t)units, out, out);
    } else {
        tml_ref_tanh_f32((uint32_t)units, out, out);
    }
}

static void step(const tml_lstm_f32_params_t *p, const tml_lstm_f32_weights_t *w, const float *x,
    float *h, float *c, float *scratch, float *out) {
    const int32_t units = p->s.units;
    float *forget = scratch;
    float *in_gate = scratch + units;
    float *cell_gate = scratch + 2 * units;
    float *tmp = scratch + 3 * units;

    gate(p, w, TML_LSTM_FORGET_GATE, x, h, true, forget, tmp);
    gate(p, w, TML_LSTM_INPUT_GATE, x, h, true, in_gate, tmp);
    gate(p, w, TML_LSTM_CELL_GATE, x, h, false, cell_gate, tmp);
    for (int32_t u = 0; u < units; u++) {
        float v = forget[u] * c[u] + in_gate[u] * cell_gate[u];
        if (p->cell_clip > 0.0f) {
            v = v > p->cell_clip ? p->cell_clip : (v < -p->cell_clip ? -p->cell_clip : v);
        }
        c[u] = v;
    }
    float *out_gate = in_gate;
    gate(p, w, TML_LSTM_OUTPUT_GATE, x, h, true, out_gate, tmp);
    float *tanh_cell = forget;
    tml_ref_tanh_f32((uint32_t)units, c, tanh_cell);
    for (int32_t u = 0; u < units; u++) {
        h[u] = tanh_cell[u] * out_gate[u];
    }
    memcpy(out, h, (size_t)units * sizeof(float));
}

TML_COLD void tml_ref_unidirectional_sequence_lstm_f32(const tml_lstm_f32_params_t *p,
    const tml_lstm_f32_weights_t *w, const float *input, float *hidden, float *cell,
    float *scratch, float *output) {
    const tml_lstm_shape_t *s = &p->s;
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t t = 0; t < s->time_steps; t++) {
            size_t row = s->time_major ? (size_t)t * (size_t)s->batches + (size_t)b
                : (size_t)b * (size_t)s->time_steps + (size_t)t;
            step(p, w, input + row * (size_t)s->input_size, hidden + (size_t)b * (size_t)s->units,
                cell + (size_t)b * (size_t)s->units, scratch, output + row * (size_t)s->units);
        }
    }
}

#endif // TML_KERNELS_F32
