// float32 ADD, SUB, MUL and DIV share one row loop with the operator picked per element: float
// ops are cold in this engine (its models are int8), so one loop costs less flash than four.
#include "add.h"
#include "div.h"
#include "mul.h"
#include "sub.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
typedef enum { ARITH_ADD, ARITH_SUB, ARITH_MUL, ARITH_DIV } arith_t;

typedef struct {
    const tml_bcast_f32_params_t *p;
    arith_t op;
} arith_args_t;

static void arith_f32_row(const void *args, const void *a, int32_t sa, const void *b, int32_t sb,
    void *out, int32_t n) {
    const arith_args_t *x = args;
    const float *ra = a, *rb = b;
    float *o = out;
    for (int32_t i = 0; i < n; i++) {
        float u = ra[i * sa], v = rb[i * sb];
        float r;
        switch (x->op) {
            case ARITH_ADD:
                r = u + v;
                break;
            case ARITH_SUB:
                r = u - v;
                break;
            case ARITH_MUL:
                r = u * v;
                break;
            default:
                r = u / v;
                break;
        }
        o[i] = tml_bcast_clampf(r, x->p->act_min, x->p->act_max);
    }
}

// Out of line: inlined, each of the four entry points would carry its own copy.
TML_NOINLINE static void arith_f32(const tml_bcast_f32_params_t *p, const float *a,
    const float *b, float *out, arith_t op) {
    arith_args_t args = {p, op};
    tml_bcast_each_row(&p->bc, sizeof(*out), &args, a, b, out, arith_f32_row);
}

TML_COLD void tml_ref_add_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    arith_f32(p, a, b, out, ARITH_ADD);
}

TML_COLD void tml_ref_sub_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    arith_f32(p, a, b, out, ARITH_SUB);
}

TML_COLD void tml_ref_mul_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    arith_f32(p, a, b, out, ARITH_MUL);
}

TML_COLD void tml_ref_div_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    arith_f32(p, a, b, out, ARITH_DIV);
}

#endif // TML_KERNELS_F32
