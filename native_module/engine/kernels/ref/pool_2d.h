// Shape of a 2D pooling window walk (AVERAGE_POOL_2D, MAX_POOL_2D), NHWC.
#ifndef TML_KERNELS_REF_POOL_2D_H
#define TML_KERNELS_REF_POOL_2D_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int32_t batches, channels;
    int32_t in_h, in_w;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;  // leading padding (top, left)
} tml_pool_2d_shape_t;

// Parameters of both pooling kernels: the walk and the clamp of the fused
// activation (int8 input and output share one quantization).
typedef struct {
    tml_pool_2d_shape_t s;
    int32_t act_min, act_max;
} tml_pool_2d_s8_params_t;

typedef struct {
    tml_pool_2d_shape_t s;
    float act_min, act_max;
} tml_pool_2d_f32_params_t;

// Window of output pixel (oy, ox) clipped to the input: rows y0..y1-1 and
// columns x0..x1-1 of the input, as TFLite's reference pooling computes it.
typedef struct {
    int32_t y0, y1, x0, x1;
} tml_pool_2d_window_t;

static inline tml_pool_2d_window_t tml_pool_2d_window(const tml_pool_2d_shape_t *s, int32_t oy,
    int32_t ox) {
    int32_t iy = oy * s->stride_h - s->pad_h;
    int32_t ix = ox * s->stride_w - s->pad_w;
    tml_pool_2d_window_t w;
    w.y0 = iy < 0 ? 0 : iy;
    w.y1 = iy + s->filter_h < s->in_h ? iy + s->filter_h : s->in_h;
    w.x0 = ix < 0 ? 0 : ix;
    w.x1 = ix + s->filter_w < s->in_w ? ix + s->filter_w : s->in_w;
    return w;
}

#endif // TML_KERNELS_REF_POOL_2D_H
