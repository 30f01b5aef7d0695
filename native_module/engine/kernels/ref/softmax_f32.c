#include "softmax.h"
#include "tml_compiler.h"
#include "tml_math.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_softmax_f32(const tml_softmax_f32_params_t *p, const float *input,
    float *output) {
    for (int32_t i = 0; i < p->outer; i++) {
        const float *row = input + (size_t)i * p->depth;
        float *out = output + (size_t)i * p->depth;
        float max = -3.40282347e+38f;
        for (int32_t c = 0; c < p->depth; c++) {
            max = max < row[c] ? row[c] : max;
        }
        float sum = 0.0f;
        for (int32_t c = 0; c < p->depth; c++) {
            float e = tml_expf((row[c] - max) * p->beta);
            out[c] = e;
            sum += e;
        }
        for (int32_t c = 0; c < p->depth; c++) {
            out[c] = out[c] / sum;
        }
    }
}

#endif // TML_KERNELS_F32
