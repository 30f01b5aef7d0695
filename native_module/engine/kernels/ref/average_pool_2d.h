// AVERAGE_POOL_2D reference kernels, NHWC.
//
// tml_ref_average_pool_2d_s8 matches TFLite's reference_integer_ops::AveragePool
// (tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h) bit for
// bit: an int32 sum over the clipped window, divided by the number of pixels
// with rounding half away from zero, then clamped. tml_ref_average_pool_2d_f32
// follows reference_ops::AveragePool (reference/pooling.h), summing in the
// same order.
#ifndef TML_KERNELS_REF_AVERAGE_POOL_2D_H
#define TML_KERNELS_REF_AVERAGE_POOL_2D_H

#include <stdbool.h>
#include <stdint.h>

#include "pool_2d.h"
#include "tml_config.h"

// Both return false when a window holds no input pixel (TFLite fails then).
bool tml_ref_average_pool_2d_s8(const tml_pool_2d_s8_params_t *p, const int8_t *input, int8_t *output);
#if TML_KERNELS_F32
bool tml_ref_average_pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline bool tml_ref_average_pool_2d_f32(const tml_pool_2d_f32_params_t *p,
    const float *input, float *output) {
    (void)p; (void)input; (void)output; return false;
}
#endif

#endif // TML_KERNELS_REF_AVERAGE_POOL_2D_H
