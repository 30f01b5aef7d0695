// Element access in real values for the faces: quantize on write, dequantize
// on read, with TFLite's rounding (round half away from zero, then clamp). A build without
// float32 or int16 kernels has no such tensor (tml_config.h), so it leaves those cases out.
#include "tml_op.h"
#include "kernels/ref/quantize.h"

void tml_tensor_set_f32(tml_tensor_t *t, uint32_t i, float v) {
    float scale = t->scale > 0.0f ? t->scale : 1.0f;
    switch (t->type) {
#if TML_KERNELS_F32
        case TML_FLOAT32:
            memcpy(t->data + 4 * i, &v, 4);
            break;
#endif
        case TML_INT8:
            ((int8_t *)t->data)[i] = (int8_t)tml_quantize_value(v, scale, t->zero_point, -128, 127);
            break;
        case TML_UINT8:
            t->data[i] = (uint8_t)tml_quantize_value(v, scale, t->zero_point, 0, 255);
            break;
#if TML_KERNELS_S16
        case TML_INT16: {
            int16_t q = (int16_t)tml_quantize_value(v, scale, t->zero_point, -32768, 32767);
            memcpy(t->data + 2 * i, &q, 2);
            break;
        }
#endif
        case TML_INT32: {
            int32_t q = tml_quantize_value(v, scale, t->zero_point, INT32_MIN + 128, INT32_MAX - 128);
            memcpy(t->data + 4 * i, &q, 4);
            break;
        }
        default:
            break;
    }
}

float tml_tensor_get_f32(const tml_tensor_t *t, uint32_t i) {
    float scale = t->scale > 0.0f ? t->scale : 1.0f;
    int32_t zp = t->scale > 0.0f ? t->zero_point : 0;
    switch (t->type) {
#if TML_KERNELS_F32
        case TML_FLOAT32: {
            float v;
            memcpy(&v, t->data + 4 * i, 4);
            return v;
        }
#endif
        case TML_INT8:
            return scale * (float)(((const int8_t *)t->data)[i] - zp);
        case TML_UINT8:
            return scale * (float)(t->data[i] - zp);
#if TML_KERNELS_S16
        case TML_INT16: {
            int16_t q;
            memcpy(&q, t->data + 2 * i, 2);
            return scale * (float)(q - zp);
        }
#endif
        case TML_INT32: {
            int32_t q;
            memcpy(&q, t->data + 4 * i, 4);
            return scale * (float)((int64_t)q - zp);
        }
        case TML_BOOL:
            return t->data[i] ? 1.0f : 0.0f;
        default:
            return 0.0f;
    }
}

void tml_tensor_get_f32_all(const tml_tensor_t *t, float *out) {
    uint32_t n = tml_elements(t);
    if (t->type == TML_INT8 && t->scale > 0.0f) {
        const int8_t *q = (const int8_t *)t->data;
        float scale = t->scale;
        int32_t zp = t->zero_point;
        for (uint32_t i = 0; i < n; i++) {
            out[i] = scale * (float)(q[i] - zp);
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        out[i] = tml_tensor_get_f32(t, i);
    }
}

bool tml_tensor_real_io(const tml_tensor_t *t) {
    return TML_IS_F32(t->type) || t->type == TML_INT8 || t->type == TML_UINT8
           || TML_IS_S16(t->type) || t->type == TML_INT32;
}
