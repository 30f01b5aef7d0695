// LOGISTIC reference kernels (elementwise).
//
// tml_ref_logistic_s8 matches TFLite's reference_integer_ops::Logistic
// (tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h) bit for
// bit: inputs beyond +-input_range_radius saturate, the rest are rescaled to
// Q4.27 and go through gemmlowp's fixed-point logistic; the output has scale
// 1/256 and zero point -128. tml_ref_logistic_f32 follows the float
// reference_ops::Logistic (reference/logistic.h), cut-offs included.
#ifndef TML_KERNELS_REF_LOGISTIC_H
#define TML_KERNELS_REF_LOGISTIC_H

#include <stdint.h>

#include "tml_config.h"

typedef struct {
    uint32_t size;
    int32_t input_zero_point;
    int32_t input_range_radius;
    int32_t input_multiplier;  // input_scale * 2^27 = multiplier * 2^(left_shift - 31)
    int32_t input_left_shift;
} tml_logistic_s8_params_t;

void tml_ref_logistic_s8(const tml_logistic_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_logistic_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_logistic_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_LOGISTIC_H
