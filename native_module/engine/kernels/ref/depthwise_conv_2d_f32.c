// float32 DEPTHWISE_CONV_2D; see depthwise_conv_2d.h. Summation order (filter
// row, column, then bias) is TFLite's.
#include "kernels/ref/depthwise_conv_2d.h"
#include "kernels/ref/cold.h"

#include <stddef.h>

#if TML_KERNELS_F32
TML_REF_COLD void tml_ref_depthwise_conv_2d_f32(const tml_depthwise_conv_2d_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t out_c = s->in_c * s->depth_multiplier;
    float *out = output;
    for (int32_t b = 0; b < s->batches; b++) {
        const float *in_b = input + (size_t)b * s->in_h * s->in_w * s->in_c;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            const int32_t iy0 = oy * s->stride_h - s->pad_h;
            for (int32_t ox = 0; ox < s->out_w; ox++) {
                const int32_t ix0 = ox * s->stride_w - s->pad_w;
                for (int32_t ic = 0; ic < s->in_c; ic++) {
                    for (int32_t m = 0; m < s->depth_multiplier; m++) {
                        const int32_t oc = ic * s->depth_multiplier + m;
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
                                total += in_b[((size_t)iy * s->in_w + ix) * s->in_c + ic]
                                    * filter[((size_t)fy * s->filter_w + fx) * out_c + oc];
                            }
                        }
                        float v = total + (bias != NULL ? bias[oc] : 0.0f);
                        v = v < p->act_min ? p->act_min : v;
                        v = v > p->act_max ? p->act_max : v;
                        *out++ = v;
                    }
                }
            }
        }
    }
}

#endif // TML_KERNELS_F32
