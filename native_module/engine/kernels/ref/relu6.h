// RELU6 reference kernels (elementwise), as TFLite Micro's Relu6Quantized and
// Relu6Float (tensorflow/lite/micro/kernels/activations.h): the int8 version
// clamps to the quantized 0 and 6 of the input and assumes the output shares
// the input's quantization, as TFLite Micro does.
#ifndef TML_KERNELS_REF_RELU6_H
#define TML_KERNELS_REF_RELU6_H

#include <stdint.h>

#include "tml_config.h"

void tml_ref_relu6_s8(uint32_t size, int8_t zero, int8_t six, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_relu6_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_relu6_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_RELU6_H
