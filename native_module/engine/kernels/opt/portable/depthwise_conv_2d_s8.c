// DEPTHWISE_CONV_2D with a depth multiplier of 1 in plain C99 (see
// mat_mult_s8.c for the cores): for each output pixel only the filter taps
// inside the image are visited (no per-tap bounds checks), four channels at a
// time in registers, so channels are contiguous in the inner loop.
#include "kernels/opt/opt.h"

#if TML_OPT_PORTABLE

void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t ch = s->in_c, offset = p->q.input_offset;
    const int32_t tap_step = s->dilation_w * ch;
    int8_t *out = output;
    for (int32_t b = 0; b < s->batches; b++) {
        const int8_t *in_b = input + (size_t)b * s->in_h * s->in_w * ch;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            const int32_t iy0 = oy * s->stride_h - s->pad_h;
            int32_t y_lo, y_hi;
            tml_opt_taps(iy0, s->dilation_h, s->in_h, s->filter_h, &y_lo, &y_hi);
            for (int32_t ox = 0; ox < s->out_w; ox++, out += ch) {
                const int32_t ix0 = ox * s->stride_w - s->pad_w;
                int32_t x_lo, x_hi;
                tml_opt_taps(ix0, s->dilation_w, s->in_w, s->filter_w, &x_lo, &x_hi);
                int32_t c = 0;
                for (; c + 4 <= ch; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (int32_t fy = y_lo; fy < y_hi; fy++) {
                        const int32_t iy = iy0 + s->dilation_h * fy;
                        const int8_t *x = in_b + ((size_t)iy * s->in_w + ix0 + s->dilation_w * x_lo) * ch + c;
                        const int8_t *w = filter + ((size_t)fy * s->filter_w + x_lo) * ch + c;
                        for (int32_t fx = x_lo; fx < x_hi; fx++, x += tap_step, w += ch) {
                            a0 += (x[0] + offset) * w[0];
                            a1 += (x[1] + offset) * w[1];
                            a2 += (x[2] + offset) * w[2];
                            a3 += (x[3] + offset) * w[3];
                        }
                    }
                    int32_t acc[4] = {a0, a1, a2, a3};
                    for (int32_t j = 0; j < 4; j++) {
                        const int32_t oc = c + j;
                        out[oc] = tml_opt_output(acc[j] + (bias != NULL ? bias[oc] : 0), p->q.multiplier[oc],
                            p->q.shift[oc], p->q.output_offset, p->q.act_min, p->q.act_max);
                    }
                }
                for (; c < ch; c++) {
                    int32_t a = 0;
                    for (int32_t fy = y_lo; fy < y_hi; fy++) {
                        const int32_t iy = iy0 + s->dilation_h * fy;
                        const int8_t *x = in_b + ((size_t)iy * s->in_w + ix0 + s->dilation_w * x_lo) * ch + c;
                        const int8_t *w = filter + ((size_t)fy * s->filter_w + x_lo) * ch + c;
                        for (int32_t fx = x_lo; fx < x_hi; fx++, x += tap_step, w += ch) {
                            a += (*x + offset) * *w;
                        }
                    }
                    out[c] = tml_opt_output(a + (bias != NULL ? bias[c] : 0), p->q.multiplier[c],
                        p->q.shift[c], p->q.output_offset, p->q.act_min, p->q.act_max);
                }
            }
        }
    }
}

#endif // TML_OPT_PORTABLE
