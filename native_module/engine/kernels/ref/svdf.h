// SVDF reference kernels: one step of a rank-r singular value decomposition filter over a
// state of the last `memory` feature activations per filter.
//
// Each call shifts the state left by one step, writes the new feature activations
// (weights_feature . input) into each filter's last slot, then sums weights_time . state
// per filter, adds the bias per unit (rank filters per unit) and applies the output scale.
//
// tml_ref_svdf_s8 matches TFLite Micro's EvalIntegerSvdfReference (kernels/svdf_common.cc,
// as in the tflite-micro wheel the tests use: see svdf_s8.c for the state's zero point)
// bit for bit, for both of its variants: int8 time weights with an int8 state, and int16
// time weights with an int16 state. As there, the fused activation is not applied: the
// int8 output only saturates. tml_ref_svdf_f32 follows EvalFloatSvdfReference in the same
// summation order.
#ifndef TML_KERNELS_REF_SVDF_H
#define TML_KERNELS_REF_SVDF_H

#include <stdbool.h>
#include <stdint.h>

#include "tml_config.h"

typedef struct {
    int32_t batches;
    int32_t input_size;
    int32_t filters;   // units * rank
    int32_t units;
    int32_t rank;
    int32_t memory;    // time steps kept per filter
} tml_svdf_shape_t;

typedef struct {
    tml_svdf_shape_t s;
    int32_t input_zero_point;
    int32_t state_zero_point;
    int32_t output_zero_point;
    int32_t feature_multiplier, feature_shift;  // input * weights_feature -> state
    int32_t output_multiplier, output_shift;    // state * weights_time -> output
    bool state_int16;  // int16 time weights and state, else int8
} tml_svdf_s8_params_t;

typedef struct {
    tml_svdf_shape_t s;
    float act_min, act_max;
} tml_svdf_f32_params_t;

// Scratch bytes the kernels need: int32 (or float) per batch and filter, then per batch
// and unit for the integer kernel.
uint32_t tml_svdf_s8_scratch_size(const tml_svdf_shape_t *s);
uint32_t tml_svdf_f32_scratch_size(const tml_svdf_shape_t *s);

// input [batches, input_size], weights_feature [filters, input_size], weights_time
// [filters, memory] (int8 or int16 as the state), bias [units] or NULL, state
// [batches, filters * memory] (int8 or int16; updated), output [batches, units].
void tml_ref_svdf_s8(const tml_svdf_s8_params_t *p, const int8_t *input,
    const int8_t *weights_feature, const void *weights_time, const int32_t *bias, void *state,
    int32_t *scratch, int8_t *output);

#if TML_KERNELS_F32
void tml_ref_svdf_f32(const tml_svdf_f32_params_t *p, const float *input,
    const float *weights_feature, const float *weights_time, const float *bias, float *state,
    float *scratch, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_svdf_f32(const tml_svdf_f32_params_t *p, const float *input,
    const float *weights_feature, const float *weights_time, const float *bias, float *state,
    float *scratch, float *output) {
    (void)p; (void)input; (void)weights_feature; (void)weights_time; (void)bias; (void)state;
    (void)scratch; (void)output;
}
#endif

#endif // TML_KERNELS_REF_SVDF_H
