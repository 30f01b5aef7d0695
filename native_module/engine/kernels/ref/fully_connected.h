// FULLY_CONNECTED reference kernels: pure functions over row-major data.
//
// tml_ref_fully_connected_s8 matches TFLite's reference_integer_ops::
// FullyConnected (per-tensor: filter_offset applied, one multiplier) and
// FullyConnectedPerChannel (filter_offset 0, one multiplier per output)
// in tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h
// bit for bit, with TFLITE_SINGLE_ROUNDING off. tml_ref_fully_connected_f32
// follows reference_ops::FullyConnected (reference/fully_connected.h) in the
// same summation order.
#ifndef TML_KERNELS_REF_FULLY_CONNECTED_H
#define TML_KERNELS_REF_FULLY_CONNECTED_H

#include <stdint.h>

#include "tml_config.h"

typedef struct {
    int32_t batches;       // rows of input and output
    int32_t accum_depth;   // input row length (filter row length)
    int32_t out_depth;     // output row length (<= filter rows)
} tml_fully_connected_shape_t;

// The op keeps these in its data for the model's lifetime, so the narrow fields share one word
// and the pointers come last (no padding before them on a 64-bit host).
typedef struct {
    tml_fully_connected_shape_t s;
    int32_t input_offset;     // -input zero point
    int32_t filter_offset;    // -filter zero point (0 for per-channel weights)
    int32_t output_offset;    // output zero point
    // Where per-tensor weights keep their one multiplier and shift (multiplier and shift then
    // point here), so the op's data needs no other field.
    int32_t tensor_multiplier;
    int8_t act_min, act_max;  // clamp range of the fused activation (the output is int8)
    int8_t tensor_shift;
    uint8_t per_channel;        // 1: multiplier[o] for output o; 0: multiplier[0]
    const int32_t *multiplier;  // Q31 multipliers: out_depth of them, or 1
    const int8_t *shift;        // exponents (> 0: left shift), same count
} tml_fully_connected_s8_params_t;

typedef struct {
    tml_fully_connected_shape_t s;
    float act_min, act_max;
} tml_fully_connected_f32_params_t;

// input [batches, accum_depth], filter [>= out_depth, accum_depth],
// bias [out_depth] or NULL, output [batches, out_depth].
void tml_ref_fully_connected_s8(const tml_fully_connected_s8_params_t *p,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);

#if TML_KERNELS_F32
void tml_ref_fully_connected_f32(const tml_fully_connected_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_fully_connected_f32(const tml_fully_connected_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output) {
    (void)p; (void)input; (void)filter; (void)bias; (void)output;
}
#endif

#endif // TML_KERNELS_REF_FULLY_CONNECTED_H
