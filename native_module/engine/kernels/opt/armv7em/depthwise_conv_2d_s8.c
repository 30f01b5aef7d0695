// DEPTHWISE_CONV_2D on Cortex-M4/M7, four output channels per pass: one
// filter word per tap, unpacked into 16-bit lanes and accumulated per channel
// with SMLABB/SMLATT. With a depth multiplier of 1 the four channels read one
// input word (the input offset added as it is unpacked); with a multiple of 4
// they share one input byte. Only the taps inside the image are visited, and
// a 3x3 window inside the image is unrolled.
#include "kernels/opt/opt.h"

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

// The taps of one output pixel that fall inside the image: rows x cols of
// them from x (input) and w (filter), x_col and x_row apart in the input,
// out_c and w_row apart in the filter.
typedef struct {
    const int8_t *x, *w;
    int32_t rows, cols;
    int32_t x_col, x_row, w_row;
} window_t;

// Multiply-accumulates four channels of one tap: lanes xe = (x0, x2) and
// xo = (x1, x3) of the input (with the offset), the filter word at w.
#define TAP(xe, xo, w) do { \
        const int32_t wv_ = tml_ld_s8x4(w); \
        const int32_t we_ = __sxtb16(wv_), wo_ = tml_sxtb16_ror8(wv_); \
        a0 = __smlabb((xe), we_, a0); \
        a2 = __smlatt((xe), we_, a2); \
        a1 = __smlabb((xo), wo_, a1); \
        a3 = __smlatt((xo), wo_, a3); \
} while (0)

// Depth multiplier 1: input channels c .. c + 3 are one word.
#define TAP_WORD(x, w) do { \
        const int32_t v_ = tml_ld_s8x4(x); \
        TAP(__sxtab16(offset2, v_), tml_sxtab16_ror8(offset2, v_), (w)); \
} while (0)

// Depth multiplier 4k: one input channel for all four.
#define TAP_BYTE(x, w) do { \
        const int32_t v_ = tml_lanes2(*(x) + offset); \
        TAP(v_, v_, (w)); \
} while (0)

// The requantization of the layer. all_short: every channel takes the short
// path (tml_opt_short_shift), so the per-channel check can go.
typedef struct {
    const int32_t *multiplier, *shift;
    int32_t offset, lo, hi;
    bool all_short;
} requant_t;

static inline __attribute__((always_inline)) void store4(const requant_t *r, int8_t *out, int32_t oc,
    int32_t a0, int32_t a1, int32_t a2, int32_t a3) {
    const int32_t *q = r->multiplier + oc, *shift = r->shift + oc;
    const int32_t offset = r->offset, lo = r->lo, hi = r->hi;
    if (r->all_short) {
        out[oc] = tml_arm_output_short(a0, q[0], -shift[0], offset, lo, hi);
        out[oc + 1] = tml_arm_output_short(a1, q[1], -shift[1], offset, lo, hi);
        out[oc + 2] = tml_arm_output_short(a2, q[2], -shift[2], offset, lo, hi);
        out[oc + 3] = tml_arm_output_short(a3, q[3], -shift[3], offset, lo, hi);
        return;
    }
    out[oc] = tml_arm_output(a0, q[0], shift[0], offset, lo, hi);
    out[oc + 1] = tml_arm_output(a1, q[1], shift[1], offset, lo, hi);
    out[oc + 2] = tml_arm_output(a2, q[2], shift[2], offset, lo, hi);
    out[oc + 3] = tml_arm_output(a3, q[3], shift[3], offset, lo, hi);
}

// A 3x3 window inside the image, no dilation, depth multiplier 1: nine taps
// unrolled, one channel's taps ch bytes apart within a row of the filter and
// of the input.
static void pixel_3x3(const int8_t *x, const int8_t *w, int32_t ch, int32_t x_row, int32_t offset,
    const int32_t *bias, const requant_t *r, int8_t *out) {
    const int32_t offset2 = tml_lanes2(offset);
    int32_t c = 0;
    for (; c + 4 <= ch; c += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        const int8_t *xr = x + c, *wr = w + c;
        TAP_WORD(xr, wr);
        TAP_WORD(xr + ch, wr + ch);
        TAP_WORD(xr + 2 * ch, wr + 2 * ch);
        xr += x_row;
        wr += 3 * ch;
        TAP_WORD(xr, wr);
        TAP_WORD(xr + ch, wr + ch);
        TAP_WORD(xr + 2 * ch, wr + 2 * ch);
        xr += x_row;
        wr += 3 * ch;
        TAP_WORD(xr, wr);
        TAP_WORD(xr + ch, wr + ch);
        TAP_WORD(xr + 2 * ch, wr + 2 * ch);
        store4(r, out, c, a0, a1, a2, a3);
    }
    for (; c < ch; c++) {
        int32_t a = bias != NULL ? bias[c] : 0;
        const int8_t *xr = x + c, *wr = w + c;
        for (int32_t fy = 0; fy < 3; fy++, xr += x_row, wr += 3 * ch) {
            a += (xr[0] + offset) * wr[0] + (xr[ch] + offset) * wr[ch] + (xr[2 * ch] + offset) * wr[2 * ch];
        }
        out[c] = tml_arm_output(a, r->multiplier[c], r->shift[c], r->offset, r->lo, r->hi);
    }
}

static void pixel_word(const tml_depthwise_conv_2d_s8_params_t *p, const window_t *win,
    const int32_t *bias, const requant_t *r, int8_t *out) {
    const int32_t ch = p->s.in_c, offset = p->q.input_offset, offset2 = tml_lanes2(offset);
    const int32_t rows = win->rows, cols = win->cols, x_col = win->x_col;
    const int32_t x_row = win->x_row, w_row = win->w_row;
    int32_t c = 0;
    for (; c + 4 <= ch; c += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        const int8_t *x = win->x + c, *w = win->w + c;
        for (int32_t fy = 0; fy < rows; fy++, x += x_row, w += w_row) {
            const int8_t *xc = x, *wc = w;
            for (int32_t fx = 0; fx < cols; fx++, xc += x_col, wc += ch) {
                TAP_WORD(xc, wc);
            }
        }
        store4(r, out, c, a0, a1, a2, a3);
    }
    // The last in_c % 4 channels.
    for (; c < ch; c++) {
        int32_t a = bias != NULL ? bias[c] : 0;
        const int8_t *x = win->x + c, *w = win->w + c;
        for (int32_t fy = 0; fy < rows; fy++, x += x_row, w += w_row) {
            const int8_t *xc = x, *wc = w;
            for (int32_t fx = 0; fx < cols; fx++, xc += x_col, wc += ch) {
                a += (*xc + offset) * *wc;
            }
        }
        out[c] = tml_arm_output(a, r->multiplier[c], r->shift[c], r->offset, r->lo, r->hi);
    }
}

static void pixel_byte(const tml_depthwise_conv_2d_s8_params_t *p, const window_t *win,
    const int32_t *bias, const requant_t *r, int8_t *out) {
    const int32_t multiplier = p->s.depth_multiplier, out_c = p->s.in_c * multiplier;
    const int32_t offset = p->q.input_offset;
    const int32_t rows = win->rows, cols = win->cols, x_col = win->x_col;
    const int32_t x_row = win->x_row, w_row = win->w_row;
    for (int32_t oc = 0; oc < out_c; oc += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[oc];
            a1 = bias[oc + 1];
            a2 = bias[oc + 2];
            a3 = bias[oc + 3];
        }
        const int8_t *x = win->x + oc / multiplier, *w = win->w + oc;
        for (int32_t fy = 0; fy < rows; fy++, x += x_row, w += w_row) {
            const int8_t *xc = x, *wc = w;
            for (int32_t fx = 0; fx < cols; fx++, xc += x_col, wc += out_c) {
                TAP_BYTE(xc, wc);
            }
        }
        store4(r, out, oc, a0, a1, a2, a3);
    }
}

void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t ch = s->in_c, out_c = ch * s->depth_multiplier;
    requant_t r = {p->q.multiplier, p->q.shift, p->q.output_offset, p->q.act_min, p->q.act_max, true};
    for (int32_t c = 0; c < out_c; c++) {
        r.all_short = r.all_short && tml_opt_short_shift(p->q.shift[c]);
    }
    const bool dense3x3 = s->filter_h == 3 && s->filter_w == 3 && s->dilation_h == 1
        && s->dilation_w == 1 && s->depth_multiplier == 1;
    window_t win;
    win.x_col = s->dilation_w * ch;
    win.x_row = s->dilation_h * s->in_w * ch;
    win.w_row = s->filter_w * out_c;
    int8_t *out = output;
    for (int32_t b = 0; b < s->batches; b++) {
        const int8_t *in_b = input + (size_t)b * s->in_h * s->in_w * ch;
        for (int32_t oy = 0; oy < s->out_h; oy++) {
            const int32_t iy0 = oy * s->stride_h - s->pad_h;
            int32_t y_lo, y_hi;
            tml_opt_taps(iy0, s->dilation_h, s->in_h, s->filter_h, &y_lo, &y_hi);
            for (int32_t ox = 0; ox < s->out_w; ox++, out += out_c) {
                const int32_t ix0 = ox * s->stride_w - s->pad_w;
                int32_t x_lo, x_hi;
                tml_opt_taps(ix0, s->dilation_w, s->in_w, s->filter_w, &x_lo, &x_hi);
                win.rows = y_hi - y_lo;
                win.cols = x_hi - x_lo;
                if (win.rows <= 0 || win.cols <= 0) {
                    // No tap inside the image: any valid pointers do, none is read.
                    win.rows = win.cols = 0;
                    win.x = in_b;
                    win.w = filter;
                } else {
                    win.x = in_b + ((size_t)(iy0 + s->dilation_h * y_lo) * s->in_w
                        + (size_t)(ix0 + s->dilation_w * x_lo)) * ch;
                    win.w = filter + ((size_t)y_lo * s->filter_w + x_lo) * out_c;
                }
                if (dense3x3 && win.rows == 3 && win.cols == 3) {
                    pixel_3x3(win.x, win.w, ch, win.x_row, p->q.input_offset, bias, &r, out);
                } else if (s->depth_multiplier == 1) {
                    pixel_word(p, &win, bias, &r, out);
                } else {
                    pixel_byte(p, &win, bias, &r, out);
                }
            }
        }
    }
}

#endif // TML_OPT_ARMV7EM
