#include "kernels/ref/resize_bilinear.h"
#include "tml_compiler.h"
#include "tml_math.h"

#if TML_KERNELS_F32
static void source_position(int32_t i, float scale, bool half_pixel, int32_t size,
    float *pos, int32_t *lo, int32_t *hi) {
    *pos = half_pixel ? ((float)i + 0.5f) * scale - 0.5f : (float)i * scale;
    int32_t down = (int32_t)tml_floor(*pos);
    int32_t up = (int32_t)-tml_floor(-*pos);
    *lo = down > 0 ? down : 0;
    *hi = up < size - 1 ? up : size - 1;
}

static float scale_of(int32_t in, int32_t out, bool align_corners) {
    if (align_corners && out > 1) {
        return (float)(in - 1) / (float)(out - 1);
    }
    return (float)in / (float)out;
}

TML_COLD void tml_ref_resize_bilinear_f32(const tml_resize_bilinear_params_t *p,
    const float *in, float *out) {
    float sy = scale_of(p->in_h, p->out_h, p->align_corners);
    float sx = scale_of(p->in_w, p->out_w, p->align_corners);
    int32_t row = p->in_w * p->depth;
    for (int32_t b = 0; b < p->batches; b++) {
        const float *image = in + (int64_t)b * p->in_h * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            float iy;
            int32_t y0, y1;
            source_position(y, sy, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);
            float dy = iy - (float)y0;
            for (int32_t x = 0; x < p->out_w; x++) {
                float ix;
                int32_t x0, x1;
                source_position(x, sx, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);
                float dx = ix - (float)x0;
                const float *p00 = image + y0 * row + x0 * p->depth;
                const float *p10 = image + y1 * row + x0 * p->depth;
                const float *p01 = image + y0 * row + x1 * p->depth;
                const float *p11 = image + y1 * row + x1 * p->depth;
                for (int32_t c = 0; c < p->depth; c++) {
                    // Same association as TFLite: ((a * wy) * wx) summed left to right.
                    float v = p00[c] * (1 - dy) * (1 - dx);
                    v = v + p10[c] * dy * (1 - dx);
                    v = v + p01[c] * (1 - dy) * dx;
                    v = v + p11[c] * dy * dx;
                    *out++ = v;
                }
            }
        }
    }
}

#endif // TML_KERNELS_F32
