#include "quantize.h"
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
void tml_ref_quantize_f32(const tml_quantize_f32_params_t *p, const float *input, void *output) {
    switch (p->out_type) {
        case TML_INT8: {
            int8_t *out = output;
            for (uint32_t i = 0; i < p->size; i++) {
                out[i] = (int8_t)tml_quantize_value(input[i], p->scale, p->zero_point, INT8_MIN, INT8_MAX);
            }
            break;
        }
        case TML_UINT8: {
            uint8_t *out = output;
            for (uint32_t i = 0; i < p->size; i++) {
                out[i] = (uint8_t)tml_quantize_value(input[i], p->scale, p->zero_point, 0, UINT8_MAX);
            }
            break;
        }
        case TML_INT16: {
            int16_t *out = output;
            for (uint32_t i = 0; i < p->size; i++) {
                out[i] = (int16_t)tml_quantize_value(input[i], p->scale, p->zero_point, INT16_MIN, INT16_MAX);
            }
            break;
        }
        default:
            break;  // rejected by the op's prepare
    }
}

#endif // TML_KERNELS_F32
