// RESIZE_BILINEAR reference kernels, NHWC. The int8 kernel matches TFLite's
// reference_ops::ResizeBilinearInteger (10-bit fixed-point positions, double
// rounding of the 20-bit products); the float32 kernel matches
// reference_ops::ResizeBilinear, operation for operation.
#ifndef TML_KERNELS_REF_RESIZE_BILINEAR_H
#define TML_KERNELS_REF_RESIZE_BILINEAR_H

#include <stdbool.h>
#include <stdint.h>

#include "tml_config.h"

typedef struct {
    int32_t batches;
    int32_t in_h;
    int32_t in_w;
    int32_t out_h;
    int32_t out_w;
    int32_t depth;
    bool align_corners;
    bool half_pixel_centers;
} tml_resize_bilinear_params_t;

void tml_ref_resize_bilinear_s8(const tml_resize_bilinear_params_t *p, const int8_t *in, int8_t *out);
#if TML_KERNELS_F32
void tml_ref_resize_bilinear_f32(const tml_resize_bilinear_params_t *p, const float *in, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_resize_bilinear_f32(const tml_resize_bilinear_params_t *p,
    const float *in, float *out) {
    (void)p; (void)in; (void)out;
}
#endif

#endif // TML_KERNELS_REF_RESIZE_BILINEAR_H
