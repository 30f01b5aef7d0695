// TANH reference kernels (elementwise).
//
// tml_ref_tanh_s8 matches TFLite's reference_integer_ops::Tanh
// (tensorflow/lite/kernels/internal/reference/integer_ops/tanh.h) bit for bit:
// inputs beyond +-input_range_radius saturate, the rest are rescaled to Q4.27
// and go through gemmlowp's fixed-point tanh; the output has scale 1/128 and
// zero point 0. tml_ref_tanh_f32 applies tanhf.
#ifndef TML_KERNELS_REF_TANH_H
#define TML_KERNELS_REF_TANH_H

#include <stdint.h>

#include "logistic.h"
#include "tml_config.h"

// The same input rescaling as LOGISTIC's (ops/logistic.c, ops/tanh.c); one kernel serves both.
typedef tml_logistic_s8_params_t tml_tanh_s8_params_t;

void tml_ref_tanh_s8(const tml_tanh_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_tanh_f32(uint32_t size, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_tanh_f32(uint32_t size, const float *input, float *output) {
    (void)size; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_TANH_H
