#include "kernels/ref/resize_bilinear.h"

// Input position of output index i in 1/1024 pixels, and its two neighbours.
static void source_position(int32_t i, int32_t scale, bool half_pixel, int32_t size,
    int32_t *pos, int32_t *lo, int32_t *hi) {
    *pos = half_pixel ? i * scale + scale / 2 - (1 << 9) : (i * scale);
    *lo = *pos / (1 << 10) > 0 ? *pos / (1 << 10) : 0;
    int32_t up = (*pos + (1 << 10) - 1) / (1 << 10);
    *hi = up < size - 1 ? up : size - 1;
}

// Ratio in 1/1024 units, rounded to nearest.
static int32_t scale_10(int32_t in, int32_t out, bool align_corners) {
    if (align_corners && out > 1) {
        return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
    }
    return ((1 << 10) * in + out / 2) / out;
}

void tml_ref_resize_bilinear_s8(const tml_resize_bilinear_params_t *p, const int8_t *in, int8_t *out) {
    int32_t sy = scale_10(p->in_h, p->out_h, p->align_corners);
    int32_t sx = scale_10(p->in_w, p->out_w, p->align_corners);
    int32_t row = p->in_w * p->depth;
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *image = in + (int64_t)b * p->in_h * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            int32_t iy, y0, y1;
            source_position(y, sy, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);
            int32_t wy1 = iy - (1 << 10) * y0;
            int32_t wy0 = (1 << 10) - wy1;
            for (int32_t x = 0; x < p->out_w; x++) {
                int32_t ix, x0, x1;
                source_position(x, sx, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);
                int32_t wx1 = ix - (1 << 10) * x0;
                int32_t wx0 = (1 << 10) - wx1;
                const int8_t *p00 = image + y0 * row + x0 * p->depth;
                const int8_t *p10 = image + y1 * row + x0 * p->depth;
                const int8_t *p01 = image + y0 * row + x1 * p->depth;
                const int8_t *p11 = image + y1 * row + x1 * p->depth;
                for (int32_t c = 0; c < p->depth; c++) {
                    // TFLite sums in int64; int32 holds it: the weights lie in (-512, 1536] with
                    // |w0| + |w1| <= 2048 per axis, so |sum| <= 128 * 2048 * 2048 = 2^29.
                    int32_t sum = p00[c] * wy0 * wx0 + p10[c] * wy1 * wx0 + p01[c] * wy0 * wx1
                        + p11[c] * wy1 * wx1;
                    int32_t round = sum > 0 ? (1 << 19) : -(1 << 19);
                    *out++ = (int8_t)((sum + round) / (1 << 20));
                }
            }
        }
    }
}
