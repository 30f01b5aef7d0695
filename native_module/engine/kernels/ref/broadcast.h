// Loop nest for elementwise binary ops with numpy-style broadcasting
// (ADD, SUB, MUL, MAXIMUM, MINIMUM), in the spirit of TFLite Micro's
// BroadcastBinaryOpSimple: adjacent dimensions that walk both inputs the same
// way are fused, so the common cases (same shapes, scalar, per-channel) run
// as one long inner loop.
#ifndef TML_KERNELS_REF_BROADCAST_H
#define TML_KERNELS_REF_BROADCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TML_BCAST_DIMS 6

// Output loops, outermost first; the innermost is shape[5]. Strides are in
// elements and 0 where that input is broadcast along the loop.
typedef struct {
    int32_t shape[TML_BCAST_DIMS];
    int32_t a_stride[TML_BCAST_DIMS];
    int32_t b_stride[TML_BCAST_DIMS];
} tml_bcast_t;

// Fills bc for out = f(a, b). Shapes are right-aligned; returns false when
// they do not broadcast to the output shape or need more than 6 dimensions.
bool tml_bcast_init(tml_bcast_t *bc, const int32_t *a_dims, int a_rank,
    const int32_t *b_dims, int b_rank, const int32_t *out_dims, int out_rank);

// Float and int32 arithmetic (ADD, SUB, MUL): loops plus the clamp of the
// fused activation.
typedef struct {
    tml_bcast_t bc;
    float act_min;
    float act_max;
} tml_bcast_f32_params_t;

typedef struct {
    tml_bcast_t bc;
    int32_t act_min;
    int32_t act_max;
} tml_bcast_s32_params_t;

// Position of the current row (all loops but the innermost).
typedef struct {
    int32_t idx[TML_BCAST_DIMS - 1];
    int32_t a;
    int32_t b;
} tml_bcast_pos_t;

static inline uint32_t tml_bcast_rows(const tml_bcast_t *bc) {
    uint32_t rows = 1;
    for (int d = 0; d < TML_BCAST_DIMS - 1; d++) {
        rows *= (uint32_t)bc->shape[d];
    }
    return rows;
}

// Advances pos to the next row (odometer over loops 0..4). Out of line: it runs once per row,
// and a copy inlined in each kernel cost more flash than the call costs time.
void tml_bcast_next_row(const tml_bcast_t *bc, tml_bcast_pos_t *pos);

// One output row of an element-wise op: out[i] = f(a[i * sa], b[i * sb]) for
// i < n, with the op's parameters in args.
typedef void (*tml_bcast_row_t)(const void *args, const void *a, int32_t sa, const void *b,
    int32_t sb, void *out, int32_t n);

// Calls row for every output row of bc (elements of elem bytes): the one copy
// of the loop nest that the float, int32, MAXIMUM and MINIMUM kernels share.
// The int8 kernels of ADD, SUB, MUL and PRELU keep their own, inlined.
void tml_bcast_each_row(const tml_bcast_t *bc, size_t elem, const void *args, const void *a,
    const void *b, void *out, tml_bcast_row_t row);

// Same comparison order as TFLite's ActivationFunctionWithMinMax
// (std::min(std::max(x, lo), hi)), so NaN passes through identically.
static inline float tml_bcast_clampf(float x, float lo, float hi) {
    x = x < lo ? lo : x;
    return hi < x ? hi : x;
}

#endif // TML_KERNELS_REF_BROADCAST_H
