// DEPTHWISE_CONV_2D with a depth multiplier of 1 on Cortex-M4/M7: four
// channels per pass, one word of input and one of filter per tap, unpacked
// into 16-bit lanes (the input offset added on the way) and accumulated per
// channel with SMLABB/SMLATT. Only the taps inside the image are visited;
// the common 3x3 window with no dilation is unrolled.
#include "kernels/opt/opt.h"

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

typedef struct {
    int32_t a0, a1, a2, a3;  // channels c .. c + 3
} acc4_t;

static inline void tap4(acc4_t *a, const int8_t *x, const int8_t *w, int32_t offset2) {
    const int32_t xv = tml_ld_s8x4(x), wv = tml_ld_s8x4(w);
    const int32_t xe = __sxtab16(offset2, xv), xo = __sxtab16(offset2, tml_ror8(xv));
    const int32_t we = __sxtb16(wv), wo = __sxtb16(tml_ror8(wv));
    a->a0 = __smlabb(xe, we, a->a0);
    a->a2 = __smlatt(xe, we, a->a2);
    a->a1 = __smlabb(xo, wo, a->a1);
    a->a3 = __smlatt(xo, wo, a->a3);
}

void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t ch = s->in_c, offset = p->q.input_offset, offset2 = tml_lanes2(offset);
    const int32_t tap_step = s->dilation_w * ch, row_step = s->dilation_h * s->in_w * ch;
    const int32_t *mult = p->q.multiplier, *shift = p->q.shift;
    const int32_t out_offset = p->q.output_offset, lo = p->q.act_min, hi = p->q.act_max;
    const bool dense3x3 = s->filter_h == 3 && s->filter_w == 3 && s->dilation_h == 1 && s->dilation_w == 1;
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
                const bool full3x3 = dense3x3 && y_lo == 0 && y_hi == 3 && x_lo == 0 && x_hi == 3;
                // The first tap inside the image, in the input and in the filter.
                const int8_t *x_first = in_b
                    + ((size_t)(iy0 + s->dilation_h * y_lo) * s->in_w + (ix0 + s->dilation_w * x_lo)) * ch;
                const int8_t *w_first = filter + ((size_t)y_lo * s->filter_w + x_lo) * ch;
                int32_t c = 0;
                for (; c + 4 <= ch; c += 4) {
                    acc4_t a = {0, 0, 0, 0};
                    if (bias != NULL) {
                        a.a0 = bias[c];
                        a.a1 = bias[c + 1];
                        a.a2 = bias[c + 2];
                        a.a3 = bias[c + 3];
                    }
                    const int8_t *xr = x_first + c, *wr = w_first + c;
                    if (full3x3) {
                        const int32_t in_row = s->in_w * ch, f_row = 3 * ch;
                        for (int32_t fy = 0; fy < 3; fy++, xr += in_row, wr += f_row) {
                            tap4(&a, xr, wr, offset2);
                            tap4(&a, xr + ch, wr + ch, offset2);
                            tap4(&a, xr + 2 * ch, wr + 2 * ch, offset2);
                        }
                    } else {
                        for (int32_t fy = y_lo; fy < y_hi; fy++, xr += row_step, wr += s->filter_w * ch) {
                            const int8_t *x = xr, *w = wr;
                            for (int32_t fx = x_lo; fx < x_hi; fx++, x += tap_step, w += ch) {
                                tap4(&a, x, w, offset2);
                            }
                        }
                    }
                    const int8_t r0 = tml_opt_output(a.a0, mult[c], shift[c], out_offset, lo, hi);
                    const int8_t r1 = tml_opt_output(a.a1, mult[c + 1], shift[c + 1], out_offset, lo, hi);
                    const int8_t r2 = tml_opt_output(a.a2, mult[c + 2], shift[c + 2], out_offset, lo, hi);
                    const int8_t r3 = tml_opt_output(a.a3, mult[c + 3], shift[c + 3], out_offset, lo, hi);
                    out[c] = r0;
                    out[c + 1] = r1;
                    out[c + 2] = r2;
                    out[c + 3] = r3;
                }
                for (; c < ch; c++) {
                    int32_t a = bias != NULL ? bias[c] : 0;
                    const int8_t *xr = x_first + c, *wr = w_first + c;
                    for (int32_t fy = y_lo; fy < y_hi; fy++, xr += row_step, wr += s->filter_w * ch) {
                        const int8_t *x = xr, *w = wr;
                        for (int32_t fx = x_lo; fx < x_hi; fx++, x += tap_step, w += ch) {
                            a += (*x + offset) * *w;
                        }
                    }
                    out[c] = tml_opt_output(a, mult[c], shift[c], out_offset, lo, hi);
                }
            }
        }
    }
}

#endif // TML_OPT_ARMV7EM
