#include "dequantize.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_dequantize_f32(const tml_dequantize_params_t *p, const void *input,
    float *output) {
    const float scale = p->scale;
    const int32_t zp = p->zero_point;
    switch (p->in_type) {
        case TML_INT8: {
            const int8_t *in = input;
            for (uint32_t i = 0; i < p->size; i++) {
                output[i] = scale * (float)(in[i] - zp);
            }
            break;
        }
        case TML_UINT8: {
            const uint8_t *in = input;
            for (uint32_t i = 0; i < p->size; i++) {
                output[i] = scale * (float)(in[i] - zp);
            }
            break;
        }
        case TML_INT16: {
            const int16_t *in = input;
            for (uint32_t i = 0; i < p->size; i++) {
                output[i] = scale * (float)(in[i] - zp);
            }
            break;
        }
        default:
            break;  // rejected by the op's prepare
    }
}

#endif // TML_KERNELS_F32
