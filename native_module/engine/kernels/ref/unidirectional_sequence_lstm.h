// UNIDIRECTIONAL_SEQUENCE_LSTM reference kernels: a plain LSTM (no peephole, projection,
// layer norm or CIFG) over every time step of the input, carrying the hidden and cell state
// from step to step and, as variable tensors, from one invoke to the next.
//
// Each step, for each batch row, with h the hidden state and c the cell state:
//   f = sigmoid(W_f x + R_f h + b_f)   i = sigmoid(W_i x + R_i h + b_i)
//   g = tanh(W_c x + R_c h + b_c)      o = sigmoid(W_o x + R_o h + b_o)
//   c = clip(f * c + i * g)            h = o * tanh(c)
// and h is the step's output row.
//
// tml_ref_unidirectional_sequence_lstm_s8 is TFLite Micro's integer LSTM with int8
// activations, int8 weights, int32 biases and an int16 cell state (kernels/lstm_eval.h,
// lstm_eval.cc, lstm_eval_common.cc), bit for bit: each gate's two products go to int16 in
// Q3.12, add with saturation, and pass the int16 sigmoid or tanh (activation_s16.h) to Q0.15;
// the elementwise products requantize to the cell state's scale and to the hidden state's.
#ifndef TML_KERNELS_REF_UNIDIRECTIONAL_SEQUENCE_LSTM_H
#define TML_KERNELS_REF_UNIDIRECTIONAL_SEQUENCE_LSTM_H

#include <stdbool.h>
#include <stdint.h>

#include "tml_config.h"

// Gate order of the arrays below (not the model's input order).
enum { TML_LSTM_INPUT_GATE, TML_LSTM_FORGET_GATE, TML_LSTM_CELL_GATE, TML_LSTM_OUTPUT_GATE, TML_LSTM_GATES };

typedef struct {
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t units;        // hidden and cell state size per batch row
    bool time_major;      // input [time, batch, input], else [batch, time, input]
} tml_lstm_shape_t;

// One requantization: value * multiplier * 2^(shift - 31), TFLite's rounding.
typedef struct {
    int32_t multiplier;
    int32_t shift;
} tml_lstm_scale_t;

typedef struct {
    tml_lstm_shape_t s;
    int32_t input_offset;                        // -input zero point
    int32_t hidden_offset;                       // -hidden state zero point
    int32_t hidden_zero_point;
    int32_t input_weights_offset[TML_LSTM_GATES];      // -weights zero point (usually 0)
    int32_t recurrent_weights_offset[TML_LSTM_GATES];
    tml_lstm_scale_t input_scale[TML_LSTM_GATES];      // x . W -> Q3.12
    tml_lstm_scale_t recurrent_scale[TML_LSTM_GATES];  // h . R -> Q3.12
    tml_lstm_scale_t forget_times_cell;          // Q0.15 * cell -> cell
    tml_lstm_scale_t input_times_cell_gate;      // Q0.15 * Q0.15 -> cell
    tml_lstm_scale_t output_times_tanh_cell;     // Q0.15 * Q0.15 -> hidden
    int32_t cell_clip;                           // in cell units; < 0: no clipping
    int32_t tanh_cell_multiplier;                // tanh(cell) input scaling (activation_s16.h)
    int32_t tanh_cell_left_shift;
} tml_lstm_s8_params_t;

typedef struct {
    const int8_t *input_weights[TML_LSTM_GATES];      // [units, input_size]
    const int8_t *recurrent_weights[TML_LSTM_GATES];  // [units, units]
    const int32_t *bias[TML_LSTM_GATES];              // [units]
} tml_lstm_s8_weights_t;

typedef struct {
    tml_lstm_shape_t s;
    float cell_clip;  // <= 0: no clipping
} tml_lstm_f32_params_t;

typedef struct {
    const float *input_weights[TML_LSTM_GATES];
    const float *recurrent_weights[TML_LSTM_GATES];
    const float *bias[TML_LSTM_GATES];
} tml_lstm_f32_weights_t;

// Scratch bytes: four rows of units (int16, or float), and for int8 a row of int32 sums
// (4-byte aligned when the scratch is: it follows 8 * units bytes).
uint32_t tml_lstm_s8_scratch_size(const tml_lstm_shape_t *s);
uint32_t tml_lstm_f32_scratch_size(const tml_lstm_shape_t *s);

// input as the shape says, hidden [batches, units] int8 and cell [batches, units] int16
// (both updated), output like the input with units for input_size.
void tml_ref_unidirectional_sequence_lstm_s8(const tml_lstm_s8_params_t *p,
    const tml_lstm_s8_weights_t *w, const int8_t *input, int8_t *hidden, int16_t *cell,
    int16_t *scratch, int8_t *output);

// The same in float32 (TFLite Micro's EvalLstm<float, ...>), in its summation order.
#if TML_KERNELS_F32
void tml_ref_unidirectional_sequence_lstm_f32(const tml_lstm_f32_params_t *p,
    const tml_lstm_f32_weights_t *w, const float *input, float *hidden, float *cell,
    float *scratch, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_unidirectional_sequence_lstm_f32(const tml_lstm_f32_params_t *p,
    const tml_lstm_f32_weights_t *w, const float *input, float *hidden, float *cell,
    float *scratch, float *output) {
    (void)p; (void)w; (void)input; (void)hidden; (void)cell; (void)scratch; (void)output;
}
#endif

#endif // TML_KERNELS_REF_UNIDIRECTIONAL_SEQUENCE_LSTM_H
