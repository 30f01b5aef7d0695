#include "mean.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_mean_f32(const tml_mean_shape_t *s, const float *input, float *output) {
    uint32_t n_in = tml_mean_in_size(s);
    for (uint32_t o = 0; o < s->out_size; o++) {
        output[o] = 0.0f;
    }
    tml_mean_walk_t w;
    tml_mean_walk_init(s, &w);
    for (uint32_t i = 0; i < n_in; i++) {
        output[w.out] += input[i];
        tml_mean_walk_next(s, &w);
    }
    if (s->count > 0) {
        const float count = (float)s->count;
        for (uint32_t o = 0; o < s->out_size; o++) {
            output[o] = output[o] / count;
        }
    }
}

#endif // TML_KERNELS_F32
