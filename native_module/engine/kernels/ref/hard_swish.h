// HARD_SWISH reference kernels (elementwise): x * relu6(x + 3) / 6.
//
// tml_ref_hard_swish_s8 matches TFLite's quantized reference_ops::HardSwish
// (tensorflow/lite/kernels/internal/reference/hard_swish.h) bit for bit,
// including its int16 fixed-point steps, saturations and the truncating
// final multiply. tml_ref_hard_swish_f32 follows the float version.
#ifndef TML_KERNELS_REF_HARD_SWISH_H
#define TML_KERNELS_REF_HARD_SWISH_H

#include <stdint.h>

#include "tml_config.h"

typedef struct {
    uint32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int16_t output_multiplier;   // Q15, (input_scale / 128) / output_scale
    int16_t reluish_multiplier;  // Q15, (input_scale / 128) / (3 / 32768)
    int32_t output_exponent;     // <= 0
    int32_t reluish_exponent;
} tml_hard_swish_s8_params_t;

void tml_ref_hard_swish_s8(const tml_hard_swish_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_hard_swish_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_hard_swish_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_HARD_SWISH_H
