// MAX_POOL_2D reference kernels, NHWC, matching TFLite's
// reference_integer_ops::MaxPool (reference/integer_ops/pooling.h) and
// reference_ops::MaxPool (reference/pooling.h): the maximum over the window
// clipped to the input, then the clamp of the fused activation.
#ifndef TML_KERNELS_REF_MAX_POOL_2D_H
#define TML_KERNELS_REF_MAX_POOL_2D_H

#include <stdint.h>

#include "pool_2d.h"
#include "tml_config.h"

void tml_ref_max_pool_2d_s8(const tml_pool_2d_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
void tml_ref_max_pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_max_pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input,
    float *output) {
    (void)p; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_MAX_POOL_2D_H
