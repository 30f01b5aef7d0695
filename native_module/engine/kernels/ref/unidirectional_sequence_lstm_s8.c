// int8 UNIDIRECTIONAL_SEQUENCE_LSTM with an int16 cell state; see
// unidirectional_sequence_lstm.h.
#include "kernels/ref/unidirectional_sequence_lstm.h"

#include <stddef.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/ref/activation_s16.h"
#include "tml_compiler.h"
#include "tml_quant.h"

uint32_t tml_lstm_s8_scratch_size(const tml_lstm_shape_t *s) {
    return 4u * (uint32_t)s->units * sizeof(int16_t) + (uint32_t)s->units * sizeof(int32_t);
}

static int16_t sat16(int32_t v) {
    return (int16_t)tml_clamp_i32(v, INT16_MIN, INT16_MAX);
}

// acc[u] = (W[u] + w_offset) . (x + x_offset) (+ bias[u]) for weights with a zero point, which
// converters do not write: cold (TML_COLD).
TML_COLD TML_NOINLINE static void mat_vec_offset_weights(const int8_t *weights,
    int32_t w_offset, const int8_t *x, int32_t x_offset, int32_t n, const int32_t *bias,
    int32_t units, int32_t *acc) {
    for (int32_t u = 0; u < units; u++) {
        const int8_t *row = weights + (size_t)u * (size_t)n;
        int32_t sum = bias != NULL ? bias[u] : 0;
        for (int32_t k = 0; k < n; k++) {
            sum += ((int32_t)row[k] + w_offset) * ((int32_t)x[k] + x_offset);
        }
        acc[u] = sum;
    }
}

// out[u] = requantized (W[u] + w_offset) . (x + x_offset) (+ bias[u]) as int16: TFLite's
// integer FullyConnected with an int16 output of zero point 0 and no activation. Symmetric
// weights (w_offset 0, as converters write them) take the fully-connected kernels' sums
// (kernels.h: the same int32 sums, faster), acc holding units of them.
static void matvec(const int8_t *weights, int32_t w_offset, const int8_t *x, int32_t x_offset,
    int32_t n, const int32_t *bias, tml_lstm_scale_t scale, int32_t units, int16_t *out,
    int32_t *acc) {
    if (w_offset == 0) {
        tml_mat_vec_s8_s32(x, x_offset, weights, n, units, bias, acc);
    } else {
        mat_vec_offset_weights(weights, w_offset, x, x_offset, n, bias, units, acc);
    }
    for (int32_t u = 0; u < units; u++) {
        out[u] = sat16(tml_mul_by_quantized_multiplier(acc[u], scale.multiplier, scale.shift));
    }
}

// Elementwise a * b requantized, plus zero_point, saturated to [lo, hi] (TFLite's
// MulElementwise with symmetric inputs).
static int32_t mul(int16_t a, int16_t b, tml_lstm_scale_t scale, int32_t zero_point, int32_t lo,
    int32_t hi) {
    int32_t v = tml_mul_by_quantized_multiplier((int32_t)a * (int32_t)b, scale.multiplier, scale.shift);
    return tml_clamp_i32(zero_point + v, lo, hi);
}

// One gate for one batch row: both products, a saturating sum, then the nonlinearity.
static void gate(const tml_lstm_s8_params_t *p, const tml_lstm_s8_weights_t *w, int g,
    const int8_t *x, const int8_t *h, bool sigmoid, int16_t *out, int16_t *tmp, int32_t *acc) {
    const int32_t units = p->s.units;
    matvec(w->input_weights[g], p->input_weights_offset[g], x, p->input_offset, p->s.input_size,
        w->bias[g], p->input_scale[g], units, out, acc);
    matvec(w->recurrent_weights[g], p->recurrent_weights_offset[g], h, p->hidden_offset, units,
        NULL, p->recurrent_scale[g], units, tmp, acc);
    for (int32_t u = 0; u < units; u++) {
        out[u] = sat16((int32_t)out[u] + (int32_t)tmp[u]);
    }
    if (sigmoid) {
        tml_ref_logistic_s16(0, 0, (uint32_t)units, out, out);
    } else {
        // Q3.12 in: the power-of-two case with no shift.
        tml_ref_tanh_s16(0, 0, (uint32_t)units, out, out);
    }
}

// One time step of one batch row.
static void step(const tml_lstm_s8_params_t *p, const tml_lstm_s8_weights_t *w, const int8_t *x,
    int8_t *h, int16_t *c, int16_t *scratch, int8_t *out) {
    const int32_t units = p->s.units;
    int16_t *forget = scratch;
    int16_t *in_gate = scratch + units;
    int16_t *cell_gate = scratch + 2 * units;
    int16_t *tmp = scratch + 3 * units;
    int32_t *acc = (int32_t *)(void *)(scratch + 4 * units);

    gate(p, w, TML_LSTM_FORGET_GATE, x, h, true, forget, tmp, acc);
    gate(p, w, TML_LSTM_INPUT_GATE, x, h, true, in_gate, tmp, acc);
    gate(p, w, TML_LSTM_CELL_GATE, x, h, false, cell_gate, tmp, acc);

    for (int32_t u = 0; u < units; u++) {
        int32_t kept = mul(forget[u], c[u], p->forget_times_cell, 0, INT16_MIN, INT16_MAX);
        int32_t added = mul(in_gate[u], cell_gate[u], p->input_times_cell_gate, 0, INT16_MIN, INT16_MAX);
        int32_t v = tml_clamp_i32(kept + added, INT16_MIN, INT16_MAX);
        if (p->cell_clip >= 0) {
            v = tml_clamp_i32(v, -p->cell_clip, p->cell_clip);
        }
        c[u] = (int16_t)v;
    }

    // The output gate still sees the old hidden state; in_gate's row is free again.
    int16_t *out_gate = in_gate;
    gate(p, w, TML_LSTM_OUTPUT_GATE, x, h, true, out_gate, tmp, acc);
    int16_t *tanh_cell = forget;
    tml_ref_tanh_s16(p->tanh_cell_multiplier, p->tanh_cell_left_shift, (uint32_t)units, c, tanh_cell);
    for (int32_t u = 0; u < units; u++) {
        h[u] = (int8_t)mul(tanh_cell[u], out_gate[u], p->output_times_tanh_cell, p->hidden_zero_point,
            INT8_MIN, INT8_MAX);
    }
    memcpy(out, h, (size_t)units);
}

void tml_ref_unidirectional_sequence_lstm_s8(const tml_lstm_s8_params_t *p,
    const tml_lstm_s8_weights_t *w, const int8_t *input, int8_t *hidden, int16_t *cell,
    int16_t *scratch, int8_t *output) {
    const tml_lstm_shape_t *s = &p->s;
    // Batch rows never mix, so each row runs its own sequence in time order whatever the
    // layout; only the row and step positions differ.
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t t = 0; t < s->time_steps; t++) {
            size_t row = s->time_major ? (size_t)t * (size_t)s->batches + (size_t)b
                : (size_t)b * (size_t)s->time_steps + (size_t)t;
            step(p, w, input + row * (size_t)s->input_size, hidden + (size_t)b * (size_t)s->units,
                cell + (size_t)b * (size_t)s->units, scratch, output + row * (size_t)s->units);
        }
    }
}
