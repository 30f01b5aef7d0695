#include "sub.h"

#if TML_KERNELS_F32
static void sub_f32_row(const void *args, const void *a, int32_t sa, const void *b, int32_t sb,
    void *out, int32_t n) {
    const tml_bcast_f32_params_t *p = args;
    const float *ra = a, *rb = b;
    float *o = out;
    for (int32_t i = 0; i < n; i++) {
        o[i] = tml_bcast_clampf(ra[i * sa] - rb[i * sb], p->act_min, p->act_max);
    }
}

void tml_ref_sub_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b, float *out) {
    tml_bcast_each_row(&p->bc, sizeof(*out), p, a, b, out, sub_f32_row);
}

#endif // TML_KERNELS_F32
