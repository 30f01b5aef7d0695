#include "max_pool_2d.h"
#include "kernels/ref/cold.h"

#if TML_KERNELS_F32
TML_REF_COLD void tml_ref_max_pool_2d_f32(const tml_pool_2d_f32_params_t *p, const float *input,
    float *output) {
    const tml_pool_2d_shape_t *s = &p->s;
    const int32_t c_n = s->channels;
    for (int32_t b = 0; b < s->batches; b++) {
        const float *in_b = input + (size_t)b * s->in_h * s->in_w * c_n;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            for (int32_t ox = 0; ox < s->out_w; ox++) {
                tml_pool_2d_window_t w = tml_pool_2d_window(s, oy, ox);
                for (int32_t c = 0; c < c_n; c++) {
                    float max = -3.40282347e+38f;  // lowest float, as TFLite starts
                    for (int32_t y = w.y0; y < w.y1; y++) {
                        for (int32_t x = w.x0; x < w.x1; x++) {
                            float v = in_b[((size_t)y * s->in_w + x) * c_n + c];
                            max = max < v ? v : max;  // std::max(max, v)
                        }
                    }
                    max = max < p->act_min ? p->act_min : max;
                    *output++ = p->act_max < max ? p->act_max : max;
                }
            }
        }
    }
}

#endif // TML_KERNELS_F32
