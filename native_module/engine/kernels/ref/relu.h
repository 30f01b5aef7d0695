// RELU reference kernels (elementwise).
//
// tml_ref_relu_s8 matches TFLite Micro's ReluQuantized
// (tensorflow/lite/micro/kernels/activations_common.cc): the input is
// requantized to the output scale (MultiplyByQuantizedMultiplier) and clamped
// to [max(-128, output zero point), 127].
#ifndef TML_KERNELS_REF_RELU_H
#define TML_KERNELS_REF_RELU_H

#include <stdint.h>

#include "tml_config.h"

typedef struct {
    uint32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier;  // input_scale / output_scale
    int32_t shift;
    int32_t act_min, act_max;
} tml_relu_s8_params_t;

void tml_ref_relu_s8(const tml_relu_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_relu_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_relu_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_RELU_H
