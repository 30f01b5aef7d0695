#include "quantize.h"
#include "tml_compiler.h"
#include "tml_math.h"

int32_t tml_quantize_value(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
    float r = tml_roundf(x / scale);
    int32_t q;
    if (r >= 2147483648.0f) {
        return hi;
    } else if (r < -2147483648.0f) {
        return lo;
    } else if (r != r) {
        q = 0;
    } else {
        q = (int32_t)r;
    }
    int64_t v = (int64_t)q + zero_point;
    return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

#if TML_KERNELS_F32
// uint8 and int16 outputs (rare: int8 is this engine's type), one loop storing either: cold.
TML_COLD TML_NOINLINE static void quantize_f32_wide(
    const tml_quantize_f32_params_t *p, const float *input, void *output) {
    bool u8 = p->out_type == TML_UINT8;
    for (uint32_t i = 0; i < p->size; i++) {
        int32_t q = tml_quantize_value(input[i], p->scale, p->zero_point, u8 ? 0 : INT16_MIN,
            u8 ? UINT8_MAX : INT16_MAX);
        if (u8) {
            ((uint8_t *)output)[i] = (uint8_t)q;
        } else {
            ((int16_t *)output)[i] = (int16_t)q;
        }
    }
}

void tml_ref_quantize_f32(const tml_quantize_f32_params_t *p, const float *input, void *output) {
    if (p->out_type == TML_INT8) {
        int8_t *out = output;
        for (uint32_t i = 0; i < p->size; i++) {
            out[i] = (int8_t)tml_quantize_value(input[i], p->scale, p->zero_point, INT8_MIN, INT8_MAX);
        }
    } else if (p->out_type == TML_UINT8 || p->out_type == TML_INT16) {
        quantize_f32_wide(p, input, output);
    }  // anything else is rejected by the op's prepare
}

#endif // TML_KERNELS_F32
