// DEQUANTIZE reference kernel (int8/uint8/int16 -> float32), as TFLite's
// reference_ops::Dequantize (tensorflow/lite/kernels/internal/reference/
// dequantize.h): scale * (q - zero_point) in float.
#ifndef TML_KERNELS_REF_DEQUANTIZE_H
#define TML_KERNELS_REF_DEQUANTIZE_H

#include <stdint.h>

#include "quantize.h"
#include "tml_config.h"

typedef struct {
    uint32_t size;
    int32_t in_type;     // TML_INT8, _UINT8 or _INT16
    float scale;
    int32_t zero_point;
} tml_dequantize_params_t;

#if TML_KERNELS_F32
void tml_ref_dequantize_f32(const tml_dequantize_params_t *p, const void *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_dequantize_f32(const tml_dequantize_params_t *p, const void *input,
    float *output) {
    (void)p; (void)input; (void)output;
}
#endif

#endif // TML_KERNELS_REF_DEQUANTIZE_H
