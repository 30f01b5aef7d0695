// DEPTHWISE_CONV_2D on Cortex-M4/M7, four output channels per pass: one
// filter word per tap, unpacked into 16-bit lanes and accumulated per channel
// with SMLABB/SMLATT. With a depth multiplier of 1 the four channels read one
// input word (the input offset added as it is unpacked); with a multiple of 4
// they share one input byte. The filter is first repacked into the scratch so
// that the taps of four channels are consecutive words. A 3x3 filter (no
// dilation, depth multiplier 1) reads three input rows copied with their
// padding, every window unrolled; that holds every SAME and VALID layer. Any
// other window visits only its taps inside the image.
#include "kernels/opt/opt.h"

// Built on every core (no intrinsics), so that a host plans an ARMv7E-M arena exactly.
// The scratch: the packed filter, then for a 3x3 filter on a depth
// multiplier of 1 three input rows padded by one pixel each side.
static size_t packed_size(int32_t filter_h, int32_t filter_w, int32_t out_c) {
    return ((size_t)filter_h * filter_w * (out_c & ~3) + 3) & ~(size_t)3;
}

size_t tml_armv7em_depthwise_conv_2d_s8_scratch_size(int32_t in_w, int32_t in_c, int32_t filter_h,
    int32_t filter_w, int32_t out_c) {
    size_t rows = filter_h == 3 && filter_w == 3 && out_c == in_c ? 3 * ((size_t)in_w + 2) * in_c : 0;
    return packed_size(filter_h, filter_w, out_c) + rows;
}

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

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

// The requantization of the layer. fast: every channel takes the short path
// (tml_opt_short_shift) and the clamp is int8's own range, one SSAT: the real
// models' layers, whose four outputs are stored inline; other layers call
// store4_any.
typedef struct {
    const int32_t *multiplier;
    const int8_t *shift;
    int32_t offset, lo, hi;
    bool fast;
} requant_t;

// Any layer's four outputs, out of line: one copy of the general requantization
// instead of one inlined per window (a call per four channels, in layers that
// clamp inside int8 or have a channel outside the short shifts).
static __attribute__((noinline)) void store4_any(const requant_t *r, int8_t *out, int32_t oc,
    const int32_t acc[4]) {
    for (int32_t j = 0; j < 4; j++) {
        out[oc + j] = tml_arm_output(acc[j], r->multiplier[oc + j], r->shift[oc + j], r->offset, r->lo,
            r->hi);
    }
}

static inline __attribute__((always_inline)) int8_t short_sat(int32_t acc, int32_t q, int32_t shift,
    int32_t offset) {
    const int32_t y = tml_smmulr(__qadd(acc, acc), q);
    return (int8_t)__ssat(tml_opt_round_shift(y, -shift) + offset, 8);
}

static inline __attribute__((always_inline)) void store4(const requant_t *r, int8_t *out,
    int32_t oc, int32_t a0, int32_t a1, int32_t a2, int32_t a3) {
    if (r->fast) {
        const int32_t *q = r->multiplier + oc;
        const int8_t *shift = r->shift + oc;
        const int32_t offset = r->offset;
        out[oc] = short_sat(a0, q[0], shift[0], offset);
        out[oc + 1] = short_sat(a1, q[1], shift[1], offset);
        out[oc + 2] = short_sat(a2, q[2], shift[2], offset);
        out[oc + 3] = short_sat(a3, q[3], shift[3], offset);
    } else {
        const int32_t acc[4] = {a0, a1, a2, a3};
        store4_any(r, out, oc, acc);
    }
}

// Rows iy0 .. iy0 + 2 of the image into rows[3][in_w + 2][ch], with the
// input zero point left and right of each row and for rows outside the
// image: padded taps then add (zp + input_offset) * w = 0, as the reference
// skips them.
static void fill_rows(const tml_depthwise_conv_2d_shape_t *s, const int8_t *in_b, int32_t iy0,
    int8_t zp, int8_t *rows) {
    const int32_t ch = s->in_c, row_bytes = s->in_w * ch;
    for (int32_t r = 0; r < 3; r++, rows += row_bytes + 2 * ch) {
        const int32_t iy = iy0 + r;
        if (iy < 0 || iy >= s->in_h) {
            memset(rows, zp, (size_t)(row_bytes + 2 * ch));
            continue;
        }
        memset(rows, zp, (size_t)ch);
        memcpy(rows + ch, in_b + (size_t)iy * row_bytes, (size_t)row_bytes);
        memset(rows + ch + row_bytes, zp, (size_t)ch);
    }
}

// packed[(block * taps + tap) * 4 + j] = filter[tap * out_c + block * 4 + j]:
// the taps of output channels 4 * block .. + 3, one word each.
static __attribute__((noinline)) void pack_filter(const int8_t *filter, int32_t taps, int32_t out_c, int8_t *packed) {
    for (int32_t oc = 0; oc + 4 <= out_c; oc += 4) {
        const int8_t *f = filter + oc;
        for (int32_t t = 0; t < taps; t++, f += out_c, packed += 4) {
            const int32_t v = tml_ld_s8x4(f);
            memcpy(packed, &v, sizeof(v));
        }
    }
}

// A 3x3 window of the padded rows, no dilation, depth multiplier 1: nine taps
// unrolled; a channel's taps in a row of the input are ch bytes apart. Out of
// line: inlined, its loop loses registers to the caller's.
static __attribute__((noinline)) void pixel_3x3(const int8_t *x_first, const int8_t *packed, int32_t ch,
    int32_t x_row, int32_t offset, const int32_t *bias, const requant_t *r, int8_t *out) {
    const int32_t offset2 = tml_lanes2(offset), ch2 = 2 * ch;
    for (int32_t c = 0; c + 4 <= ch; c += 4, packed += 36) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        const int8_t *x = x_first + c;
        // Opaque to the optimiser: otherwise it keeps nine tap pointers, spilled,
        // where [x, ch] addressing needs none.
        __asm__ ("" : "+r" (x));
        TAP_WORD(x, packed);
        TAP_WORD(x + ch, packed + 4);
        TAP_WORD(x + ch2, packed + 8);
        x += x_row;
        TAP_WORD(x, packed + 12);
        TAP_WORD(x + ch, packed + 16);
        TAP_WORD(x + ch2, packed + 20);
        x += x_row;
        TAP_WORD(x, packed + 24);
        TAP_WORD(x + ch, packed + 28);
        TAP_WORD(x + ch2, packed + 32);
        store4(r, out, c, a0, a1, a2, a3);
    }
}

// Any window: rows x cols taps from x_first (input) and the packed filter
// from tap first_tap, x_col and x_row apart in the input, filter_w apart in a
// block of the packed filter. broadcast: depth multiplier 4k.
static void pixel_any(const tml_depthwise_conv_2d_s8_params_t *p,
    const int8_t *x_first, const int8_t *packed, int32_t first_tap, int32_t rows, int32_t cols, int32_t x_col, int32_t x_row,
    const int32_t *bias, const requant_t *r, int8_t *out, bool broadcast) {
    const int32_t multiplier = p->s.depth_multiplier, out_c = p->s.in_c * multiplier;
    const int32_t taps = p->s.filter_h * p->s.filter_w, w_row = 4 * p->s.filter_w;
    const int32_t offset = p->q.input_offset, offset2 = tml_lanes2(offset);
    for (int32_t oc = 0; oc + 4 <= out_c; oc += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != NULL) {
            a0 = bias[oc];
            a1 = bias[oc + 1];
            a2 = bias[oc + 2];
            a3 = bias[oc + 3];
        }
        const int8_t *x = x_first + (broadcast ? oc / multiplier : oc);
        const int8_t *w = packed + ((oc / 4) * taps + first_tap) * 4;
        for (int32_t fy = 0; fy < rows; fy++, x += x_row, w += w_row) {
            const int8_t *xc = x, *wc = w;
            for (int32_t fx = 0; fx < cols; fx++, xc += x_col, wc += 4) {
                if (broadcast) {
                    TAP_BYTE(xc, wc);
                } else {
                    TAP_WORD(xc, wc);
                }
            }
        }
        store4(r, out, oc, a0, a1, a2, a3);
    }
}

// The last in_c % 4 channels of a depth multiplier of 1, from the filter itself.
static void pixel_tail(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *x_first,
    const int8_t *w_first, int32_t rows, int32_t cols, int32_t x_col, int32_t x_row,
    const int32_t *bias, const requant_t *r, int8_t *out) {
    const int32_t ch = p->s.in_c, offset = p->q.input_offset, w_row = p->s.filter_w * ch;
    for (int32_t c = ch & ~3; c < ch; c++) {
        int32_t a = bias != NULL ? bias[c] : 0;
        const int8_t *x = x_first + c, *w = w_first + c;
        for (int32_t fy = 0; fy < rows; fy++, x += x_row, w += w_row) {
            const int8_t *xc = x, *wc = w;
            for (int32_t fx = 0; fx < cols; fx++, xc += x_col, wc += ch) {
                a += (*xc + offset) * *wc;
            }
        }
        out[c] = tml_arm_output(a, r->multiplier[c], r->shift[c], r->offset, r->lo, r->hi);
    }
}

void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t ch = s->in_c, out_c = ch * s->depth_multiplier;
    // Constant false without TML_KERNEL_DW_BROADCAST: the byte-broadcast taps compile out.
    const bool broadcast = TML_KERNEL_DW_BROADCAST && s->depth_multiplier != 1;
    const bool dense3x3 = s->filter_h == 3 && s->filter_w == 3 && s->dilation_h == 1
        && s->dilation_w == 1 && !broadcast;
    int8_t *packed = scratch;
    pack_filter(filter, s->filter_h * s->filter_w, out_c, packed);
    requant_t r = {p->q.multiplier, p->q.shift, p->q.output_offset, p->q.act_min, p->q.act_max,
                   p->q.act_min == INT8_MIN && p->q.act_max == INT8_MAX};
    for (int32_t c = 0; c < out_c; c++) {
        r.fast = r.fast && tml_opt_short_shift(p->q.shift[c]);
    }
    // 3x3 windows through padded rows: every pixel takes the unrolled path.
    const int32_t zp = -p->q.input_offset;
    if (dense3x3 && s->pad_w <= 1 && (s->out_w - 1) * s->stride_w - s->pad_w + 2 <= s->in_w
        && zp >= INT8_MIN && zp <= INT8_MAX) {
        int8_t *rows = packed + packed_size(3, 3, out_c);
        const int32_t padded_row = (s->in_w + 2) * ch;
        int8_t *out = output;
        for (int32_t b = 0; b < s->batches; b++) {
            const int8_t *in_b = input + (size_t)b * s->in_h * s->in_w * ch;
            for (int32_t oy = 0; oy < s->out_h; oy++) {
                fill_rows(s, in_b, oy * s->stride_h - s->pad_h, (int8_t)zp, rows);
                for (int32_t ox = 0; ox < s->out_w; ox++, out += out_c) {
                    const int8_t *x_first = rows + (size_t)(ox * s->stride_w - s->pad_w + 1) * ch;
                    pixel_3x3(x_first, packed, ch, padded_row, p->q.input_offset, bias, &r, out);
                    if (TML_KERNEL_DW_TAIL && (ch & 3) != 0) {
                        pixel_tail(p, x_first, filter, 3, 3, ch, padded_row, bias, &r, out);
                    }
                }
            }
        }
        return;
    }
    const int32_t x_col = s->dilation_w * ch, x_row = s->dilation_h * s->in_w * ch;
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
                int32_t rows = y_hi - y_lo, cols = x_hi - x_lo;
                const int8_t *x_first = in_b;
                if (rows <= 0 || cols <= 0) {
                    rows = cols = 0;  // no tap inside the image: the outputs are the biases
                } else {
                    x_first += ((size_t)(iy0 + s->dilation_h * y_lo) * s->in_w
                        + (size_t)(ix0 + s->dilation_w * x_lo)) * ch;
                }
                const int32_t first_tap = rows > 0 ? y_lo * s->filter_w + x_lo : 0;
                pixel_any(p, x_first, packed, first_tap, rows, cols, x_col, x_row, bias, &r, out,
                    broadcast);
                if (TML_KERNEL_DW_TAIL && !broadcast && (ch & 3) != 0) {
                    pixel_tail(p, x_first, filter + (size_t)(rows > 0 ? y_lo * s->filter_w + x_lo : 0) * ch,
                        rows, cols, x_col, x_row, bias, &r, out);
                }
            }
        }
    }
}

#endif // TML_OPT_ARMV7EM
