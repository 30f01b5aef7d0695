// float32 AVERAGE_POOL_2D and MAX_POOL_2D: one loop over the windows (float ops are cold here),
// reducing each by a sum then a division, or by std::max from the lowest float, as TFLite's
// reference pooling does; then the activation's std::min(std::max(x, lo), hi), NaN included.
#include "average_pool_2d.h"
#include "max_pool_2d.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
// False when an average window falls wholly in the padding (TFLite divides by zero there).
TML_COLD static bool pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input,
    float *output, bool average) {
    const tml_pool_2d_shape_t *s = &p->s;
    const int32_t c_n = s->channels;
    for (int32_t b = 0; b < s->batches; b++) {
        const float *in_b = input + (size_t)b * s->in_h * s->in_w * c_n;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            for (int32_t ox = 0; ox < s->out_w; ox++) {
                tml_pool_2d_window_t w = tml_pool_2d_window(s, oy, ox);
                if (average && (w.y1 <= w.y0 || w.x1 <= w.x0)) {
                    return false;
                }
                for (int32_t c = 0; c < c_n; c++) {
                    float acc = average ? 0.0f : -3.40282347e+38f;  // lowest float, as TFLite
                    for (int32_t y = w.y0; y < w.y1; y++) {
                        for (int32_t x = w.x0; x < w.x1; x++) {
                            float v = in_b[((size_t)y * s->in_w + x) * c_n + c];
                            acc = average ? acc + v : (acc < v ? v : acc);  // std::max(acc, v)
                        }
                    }
                    if (average) {
                        acc = acc / (float)((w.y1 - w.y0) * (w.x1 - w.x0));
                    }
                    acc = acc < p->act_min ? p->act_min : acc;
                    *output++ = p->act_max < acc ? p->act_max : acc;
                }
            }
        }
    }
    return true;
}

TML_COLD bool tml_ref_average_pool_2d_f32(const tml_pool_2d_f32_params_t *p,
    const float *input, float *output) {
    return pool_2d_f32(p, input, output, true);
}

TML_COLD void tml_ref_max_pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input,
    float *output) {
    pool_2d_f32(p, input, output, false);
}

#endif // TML_KERNELS_F32
