#include "sub.h"
#include "tml_quant.h"

static void sub_s32_row(const void *args, const void *a, int32_t sa, const void *b, int32_t sb,
    void *out, int32_t n) {
    const tml_bcast_s32_params_t *p = args;
    const int32_t *ra = a, *rb = b;
    int32_t *o = out;
    for (int32_t i = 0; i < n; i++) {
        int32_t v = (int32_t)((uint32_t)ra[i * sa] - (uint32_t)rb[i * sb]);
        o[i] = tml_clamp_i32(v, p->act_min, p->act_max);
    }
}

void tml_ref_sub_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out) {
    tml_bcast_each_row(&p->bc, sizeof(*out), p, a, b, out, sub_s32_row);
}
