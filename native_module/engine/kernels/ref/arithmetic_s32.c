// int32 ADD, SUB and MUL share one row loop with the operator picked per element (int32
// arithmetic is cold here: shape and index tensors). The results wrap, as the reference's
// do on two's complement targets.
#include "add.h"
#include "mul.h"
#include "sub.h"
#include "tml_quant.h"
#include "tml_compiler.h"

typedef enum { ARITH_ADD, ARITH_SUB, ARITH_MUL } arith_t;

typedef struct {
    const tml_bcast_s32_params_t *p;
    arith_t op;
} arith_args_t;

static void arith_s32_row(const void *args, const void *a, int32_t sa, const void *b, int32_t sb,
    void *out, int32_t n) {
    const arith_args_t *x = args;
    const int32_t *ra = a, *rb = b;
    int32_t *o = out;
    for (int32_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)ra[i * sa], v = (uint32_t)rb[i * sb];
        uint32_t r = x->op == ARITH_ADD ? u + v : (x->op == ARITH_SUB ? u - v : u * v);
        o[i] = tml_clamp_i32((int32_t)r, x->p->act_min, x->p->act_max);
    }
}

// Out of line: inlined, each of the three entry points would carry its own copy.
TML_NOINLINE static void arith_s32(const tml_bcast_s32_params_t *p, const int32_t *a,
    const int32_t *b, int32_t *out, arith_t op) {
    arith_args_t args = {p, op};
    tml_bcast_each_row(&p->bc, sizeof(*out), &args, a, b, out, arith_s32_row);
}

void tml_ref_add_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out) {
    arith_s32(p, a, b, out, ARITH_ADD);
}

void tml_ref_sub_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out) {
    arith_s32(p, a, b, out, ARITH_SUB);
}

void tml_ref_mul_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out) {
    arith_s32(p, a, b, out, ARITH_MUL);
}
