#include "div.h"
#include "tml_compiler.h"

TML_COLD bool tml_ref_div_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out) {
    const tml_bcast_t *bc = &p->bc;
    tml_bcast_pos_t pos = {{0}, 0, 0};
    uint32_t rows = tml_bcast_rows(bc);
    int32_t n = bc->shape[TML_BCAST_DIMS - 1];
    int32_t sa = bc->a_stride[TML_BCAST_DIMS - 1];
    int32_t sb = bc->b_stride[TML_BCAST_DIMS - 1];
    for (uint32_t r = 0; r < rows; r++) {
        const int32_t *ra = a + pos.a;
        const int32_t *rb = b + pos.b;
        for (int32_t i = 0; i < n; i++) {
            int32_t x = ra[i * sa], y = rb[i * sb];
            if (y == 0) {
                return false;
            }
            // INT32_MIN / -1 overflows in C; it wraps to INT32_MIN on the targets TFLite runs on.
            int32_t q = (y == -1) ? (int32_t)(0u - (uint32_t)x) : x / y;
            out[i] = q < p->act_min ? p->act_min : (q > p->act_max ? p->act_max : q);
        }
        out += n;
        tml_bcast_next_row(bc, &pos);
    }
    return true;
}
