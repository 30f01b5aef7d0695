// QUANTIZE reference kernels.
//
// tml_ref_quantize_f32 (float -> int8/uint8/int16) matches TFLite's
// reference_ops::AffineQuantize (tensorflow/lite/kernels/internal/reference/
// quantize.h): round(x / scale) half away from zero, in float, plus the zero
// point, clamped. tml_ref_quantize_int (integer -> integer) matches
// reference_ops::Requantize (reference/requantize.h), including its int8 <->
// uint8 shortcut when only the zero point moves by 128.
#ifndef TML_KERNELS_REF_QUANTIZE_H
#define TML_KERNELS_REF_QUANTIZE_H

#include <stdint.h>

#include "tml.h"  // tml_type_t
#include "tml_config.h"

typedef struct {
    uint32_t size;
    float scale;            // output scale
    int32_t zero_point;     // output zero point
    int32_t out_type;       // TML_INT8, _UINT8 or _INT16
} tml_quantize_f32_params_t;

typedef struct {
    uint32_t size;
    int32_t in_type;        // TML_INT8, _UINT8, _INT16 or _INT32
    int32_t out_type;       // TML_INT8, _UINT8, _INT16 or _INT32
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier;     // input_scale / output_scale
    int32_t shift;
} tml_quantize_int_params_t;

// round(x / scale) + zero_point clamped to [lo, hi], one value. Where TFLite's
// float to int32 conversion would be undefined (|x / scale| >= 2^31, NaN) this
// saturates instead (NaN gives the zero point). The faces quantize inputs
// with it too, so predict() and a QUANTIZE op agree.
int32_t tml_quantize_value(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi);

#if TML_KERNELS_F32
void tml_ref_quantize_f32(const tml_quantize_f32_params_t *p, const float *input, void *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_quantize_f32(const tml_quantize_f32_params_t *p, const float *input,
    void *output) {
    (void)p; (void)input; (void)output;
}
#endif
void tml_ref_quantize_int(const tml_quantize_int_params_t *p, const void *input, void *output);

#endif // TML_KERNELS_REF_QUANTIZE_H
