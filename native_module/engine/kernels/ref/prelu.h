// PRELU reference kernels: x for x >= 0, alpha * x below, alpha broadcast
// against the input (numpy rules).
//
// tml_ref_prelu_s8 matches TFLite's reference_ops::BroadcastPrelu4DSlow
// (tensorflow/lite/kernels/internal/reference/prelu.h) bit for bit: the
// offset input is requantized with input_scale / output_scale when >= 0,
// otherwise the product with the offset alpha is requantized with
// input_scale * alpha_scale / output_scale.
#ifndef TML_KERNELS_REF_PRELU_H
#define TML_KERNELS_REF_PRELU_H

#include <stdint.h>

#include "broadcast.h"
#include "tml_config.h"

typedef struct {
    tml_bcast_t bc;              // a = input, b = alpha
    int32_t input_offset;        // -input zero point
    int32_t alpha_offset;        // -alpha zero point
    int32_t output_offset;       // +output zero point
    int32_t multiplier_pos;
    int32_t shift_pos;
    int32_t multiplier_neg;
    int32_t shift_neg;
} tml_prelu_s8_params_t;

void tml_ref_prelu_s8(const tml_prelu_s8_params_t *p, const int8_t *input, const int8_t *alpha, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_prelu_f32(const tml_bcast_t *bc, const float *input, const float *alpha, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_prelu_f32(const tml_bcast_t *bc, const float *input, const float *alpha,
    float *output) {
    (void)bc; (void)input; (void)alpha; (void)output;
}
#endif

#endif // TML_KERNELS_REF_PRELU_H
