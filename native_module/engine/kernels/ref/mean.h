// MEAN reference kernels: the average over any set of axes.
//
// Elements are summed in input order, as TFLite's reference_ops::Mean and
// QuantizedMeanOrSum (tensorflow/lite/kernels/internal/reference/reduce.h) do.
// tml_ref_mean_s8 matches the int8 MEAN of current TFLite Micro (reduce_common.cc
// -> QuantizedMeanOrSum) bit for bit: the int32 sum minus count * input zero
// point is requantized with input_scale / output_scale, into which 1 / count
// is folded (multiplier * 2^k / count, k <= 32), plus the output zero point.
// tml_ref_mean_f32 divides the float sum by the count.
#ifndef TML_KERNELS_REF_MEAN_H
#define TML_KERNELS_REF_MEAN_H

#include <stddef.h>
#include <stdint.h>

#include "tml_config.h"

typedef struct {
    int32_t ndim;
    int32_t dims[TML_MAX_DIMS];   // input shape
    uint32_t reduce_mask;         // bit d set: axis d is averaged over
    uint32_t count;               // input elements per output element
    uint32_t out_size;            // output elements
} tml_mean_shape_t;

typedef struct {
    tml_mean_shape_t s;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier;  // input_scale / output_scale
    int32_t shift;
} tml_mean_s8_params_t;

// scratch: tml_ref_mean_s8_scratch_size() bytes, 4-byte aligned (int32 sums).
void tml_ref_mean_s8(const tml_mean_s8_params_t *p, const int8_t *input, int8_t *output, int32_t *scratch);
#if TML_KERNELS_F32
void tml_ref_mean_f32(const tml_mean_shape_t *s, const float *input, float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_mean_f32(const tml_mean_shape_t *s, const float *input, float *output) {
    (void)s; (void)input; (void)output;
}
#endif

static inline size_t tml_ref_mean_s8_scratch_size(const tml_mean_shape_t *s) {
    return (size_t)s->out_size * sizeof(int32_t);
}

// ---- shared walk ------------------------------------------------------------

// Odometer over the input in row-major order that tracks the output offset
// of each element (reduced axes do not move it).
typedef struct {
    int32_t idx[TML_MAX_DIMS];
    uint32_t out_stride[TML_MAX_DIMS];
    uint32_t out;  // output offset of the current element
} tml_mean_walk_t;

static inline void tml_mean_walk_init(const tml_mean_shape_t *s, tml_mean_walk_t *w) {
    uint32_t stride = 1;
    for (int d = s->ndim - 1; d >= 0; d--) {
        w->idx[d] = 0;
        if (s->reduce_mask & (1u << d)) {
            w->out_stride[d] = 0;
        } else {
            w->out_stride[d] = stride;
            stride *= (uint32_t)s->dims[d];
        }
    }
    w->out = 0;
}

static inline void tml_mean_walk_next(const tml_mean_shape_t *s, tml_mean_walk_t *w) {
    for (int d = s->ndim - 1; d >= 0; d--) {
        w->out += w->out_stride[d];
        if (++w->idx[d] < s->dims[d]) {
            return;
        }
        w->out -= w->out_stride[d] * (uint32_t)s->dims[d];
        w->idx[d] = 0;
    }
}

static inline uint32_t tml_mean_in_size(const tml_mean_shape_t *s) {
    uint32_t n = 1;
    for (int d = 0; d < s->ndim; d++) {
        n *= (uint32_t)s->dims[d];
    }
    return n;
}

#endif // TML_KERNELS_REF_MEAN_H
