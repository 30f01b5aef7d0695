// float32 FULLY_CONNECTED; see fully_connected.h. Summation order (along the
// row, then bias) is TFLite's.
#include "kernels/ref/fully_connected.h"
#include "kernels/ref/cold.h"

#include <stddef.h>

#if TML_KERNELS_F32
TML_REF_COLD void tml_ref_fully_connected_f32(const tml_fully_connected_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output) {
    const tml_fully_connected_shape_t *s = &p->s;
    for (int32_t b = 0; b < s->batches; b++) {
        const float *in_row = input + (size_t)b * s->accum_depth;
        for (int32_t o = 0; o < s->out_depth; o++) {
            const float *f_row = filter + (size_t)o * s->accum_depth;
            float total = 0.0f;
            for (int32_t d = 0; d < s->accum_depth; d++) {
                total += in_row[d] * f_row[d];
            }
            float v = total + (bias != NULL ? bias[o] : 0.0f);
            v = v < p->act_min ? p->act_min : v;
            v = v > p->act_max ? p->act_max : v;
            output[(size_t)b * s->out_depth + o] = v;
        }
    }
}

#endif // TML_KERNELS_F32
