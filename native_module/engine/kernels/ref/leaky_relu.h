// LEAKY_RELU reference kernels (elementwise).
//
// tml_ref_leaky_relu_s8 matches TFLite's reference_ops::QuantizeLeakyRelu
// (tensorflow/lite/kernels/internal/reference/leaky_relu.h) bit for bit: the
// offset input is requantized with the identity multiplier when >= 0 and with
// the alpha multiplier (alpha may be negative) otherwise.
#ifndef TML_KERNELS_REF_LEAKY_RELU_H
#define TML_KERNELS_REF_LEAKY_RELU_H

#include <stdint.h>

#include "tml_config.h"

typedef struct {
    uint32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier_identity;  // input_scale / output_scale
    int32_t shift_identity;
    int32_t multiplier_alpha;     // input_scale * alpha / output_scale
    int32_t shift_alpha;
} tml_leaky_relu_s8_params_t;

void tml_ref_leaky_relu_s8(const tml_leaky_relu_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_leaky_relu_f32(uint32_t size, float alpha, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_leaky_relu_f32(uint32_t size, float alpha, const float *input,
    float *output) {
    (void)size; (void)alpha; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_LEAKY_RELU_H
