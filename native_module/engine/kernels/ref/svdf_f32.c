// float32 SVDF; see svdf.h.
#include "kernels/ref/svdf.h"
#include "tml_compiler.h"

#include <stddef.h>

uint32_t tml_svdf_f32_scratch_size(const tml_svdf_shape_t *s) {
    return (uint32_t)s->batches * (uint32_t)s->filters * sizeof(float);
}

#if TML_KERNELS_F32
TML_COLD void tml_ref_svdf_f32(const tml_svdf_f32_params_t *p, const float *input,
    const float *weights_feature, const float *weights_time, const float *bias, float *state,
    float *scratch, float *output) {
    const tml_svdf_shape_t *s = &p->s;
    const size_t state_len = (size_t)s->batches * (size_t)s->filters * (size_t)s->memory;
    for (size_t i = 0; i + 1 < state_len; i++) {
        state[i] = state[i + 1];
    }
    for (int32_t b = 0; b < s->batches; b++) {
        const float *x = input + (size_t)b * s->input_size;
        for (int32_t f = 0; f < s->filters; f++) {
            const float *w = weights_feature + (size_t)f * s->input_size;
            float acc = 0.0f;
            for (int32_t c = 0; c < s->input_size; c++) {
                acc += w[c] * x[c];
            }
            state[((size_t)b * s->filters + (size_t)f) * s->memory + (size_t)s->memory - 1] = acc;
        }
    }
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t f = 0; f < s->filters; f++) {
            size_t row = (size_t)b * s->filters + (size_t)f;
            const float *w = weights_time + (size_t)f * s->memory;
            const float *h = state + row * s->memory;
            float acc = 0.0f;
            for (int32_t t = 0; t < s->memory; t++) {
                acc += w[t] * h[t];
            }
            scratch[row] = acc;
        }
    }
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t u = 0; u < s->units; u++) {
            float acc = bias != NULL ? bias[u] : 0.0f;
            const float *fs = scratch + (size_t)b * s->filters + (size_t)u * s->rank;
            for (int32_t r = 0; r < s->rank; r++) {
                acc += fs[r];
            }
            acc = acc < p->act_min ? p->act_min : acc;
            output[(size_t)b * s->units + u] = acc > p->act_max ? p->act_max : acc;
        }
    }
}

#endif // TML_KERNELS_F32
