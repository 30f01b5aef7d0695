// float32 CONV_2D; see conv_2d.h. The summation order (filter row, column,
// channel, then bias) is TFLite's, so results match to the last bit when the
// compiler does not contract multiply-adds.
#include "kernels/ref/conv_2d.h"
#include "tml_compiler.h"

#include <stddef.h>

#if TML_KERNELS_F32
TML_COLD void tml_ref_conv_2d_f32_strided(const tml_conv_2d_f32_params_t *p,
    const float *input, const float *filter, int32_t filter_stride, int32_t pixel_stride,
    const float *bias, float *output) {
    const tml_conv_2d_shape_t *s = &p->s;
    const int32_t filters_per_group = s->out_c / (s->in_c / s->filter_c);
    for (int32_t b = 0; b < s->batches; b++) {
        const float *in_b = input + (size_t)b * s->in_h * s->in_w * s->in_c;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            const int32_t iy0 = oy * s->stride_h - s->pad_h;
            for (int32_t ox = 0; ox < s->out_w; ox++) {
                const int32_t ix0 = ox * s->stride_w - s->pad_w;
                for (int32_t oc = 0; oc < s->out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const float *f_oc = filter + (size_t)oc * filter_stride;
                    float total = 0.0f;
                    for (int32_t fy = 0; fy < s->filter_h; fy++) {
                        const int32_t iy = iy0 + s->dilation_h * fy;
                        if (iy < 0 || iy >= s->in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < s->filter_w; fx++) {
                            const int32_t ix = ix0 + s->dilation_w * fx;
                            if (ix < 0 || ix >= s->in_w) {
                                continue;
                            }
                            const float *in_px = in_b + ((size_t)iy * s->in_w + ix) * s->in_c
                                + (size_t)group * s->filter_c;
                            const float *f_px =
                                f_oc + ((size_t)fy * s->filter_w + fx) * pixel_stride;
                            for (int32_t ic = 0; ic < s->filter_c; ic++) {
                                total += in_px[ic] * f_px[ic];
                            }
                        }
                    }
                    float v = total + (bias != NULL ? bias[oc] : 0.0f);
                    v = v < p->act_min ? p->act_min : v;
                    v = v > p->act_max ? p->act_max : v;
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] = v;
                }
            }
        }
    }
}

TML_COLD void tml_ref_conv_2d_f32(const tml_conv_2d_f32_params_t *p, const float *input,
    const float *filter, const float *bias, float *output) {
    const tml_conv_2d_shape_t *s = &p->s;
    tml_ref_conv_2d_f32_strided(p, input, filter, s->filter_h * s->filter_w * s->filter_c,
        s->filter_c, bias, output);
}

#endif // TML_KERNELS_F32
