// ELU reference kernels (elementwise): x for x >= 0, exp(x) - 1 below.
//
// The int8 version is a 256-entry lookup table built once, exactly as TFLite
// Micro's ELU PopulateLookupTable (tensorflow/lite/micro/kernels/elu.cc):
// dequantize in float, expf(x) - 1, multiply by 1 / output_scale, round half
// away from zero, add the output zero point and clamp.
#ifndef TML_KERNELS_REF_ELU_H
#define TML_KERNELS_REF_ELU_H

#include <stdint.h>

#include "tml_config.h"

// table[(uint8_t)q] is the output for input q.
void tml_ref_elu_table_s8(float input_scale, int32_t input_zero_point, float output_scale,
    int32_t output_zero_point, int8_t table[256]);
void tml_ref_elu_s8(uint32_t size, const int8_t table[256], const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_elu_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_elu_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_ELU_H
