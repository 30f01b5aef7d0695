// DEPTHWISE_CONV_2D in plain C99 (see mat_mult_s8.c for the cores), for the
// layers of tml_opt_depthwise_built: for each output pixel
// only the filter taps inside the image are visited (no per-tap bounds
// checks), four output channels at a time in registers, reading channels
// that are contiguous in memory.
#include "kernels/opt/opt.h"

#if TML_OPT_PORTABLE

static inline int8_t output_byte(const tml_depthwise_conv_2d_s8_params_t *p, int32_t acc, int32_t c) {
    return tml_opt_output_any(acc, p->q.multiplier[c], p->q.shift[c], p->q.output_offset, p->q.act_min,
        p->q.act_max);
}

void tml_opt_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch) {
    (void)scratch;
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t ch = s->in_c, multiplier = s->depth_multiplier, out_c = ch * multiplier;
    const int32_t offset = p->q.input_offset;
    const int32_t x_col = s->dilation_w * ch, x_row = s->dilation_h * s->in_w * ch;
    const int32_t w_row = s->filter_w * out_c;
    // Input channel of output channel oc: oc with a multiplier of 1, oc / multiplier otherwise
    // (a multiple of 4, so four channels in a row share it).
    // (Always 1 without TML_KERNEL_DW_BROADCAST, whose broadcast loop then compiles out.)
    const int32_t x_lane = multiplier == 1 || !TML_KERNEL_DW_BROADCAST ? 1 : 0;
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
                const int32_t rows = y_hi - y_lo, cols = x_hi - x_lo;
                const bool inside = rows > 0 && cols > 0;
                // The first tap inside the image (unread when there is none).
                const int8_t *x0 = inside ? in_b + ((size_t)(iy0 + s->dilation_h * y_lo) * s->in_w
                    + (size_t)(ix0 + s->dilation_w * x_lo)) * ch : in_b;
                const int8_t *w0 = inside ? filter + ((size_t)y_lo * s->filter_w + x_lo) * out_c : filter;
                int32_t oc = 0;
                for (; oc + 4 <= out_c; oc += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    const int8_t *xr = x0 + (x_lane == 1 ? oc : oc / multiplier), *wr = w0 + oc;
                    for (int32_t fy = 0; inside && fy < rows; fy++, xr += x_row, wr += w_row) {
                        const int8_t *x = xr, *w = wr;
                        if (x_lane == 1) {
                            // Four channels side by side: the host compiler vectorizes this.
                            for (int32_t fx = 0; fx < cols; fx++, x += x_col, w += out_c) {
                                a0 += (x[0] + offset) * w[0];
                                a1 += (x[1] + offset) * w[1];
                                a2 += (x[2] + offset) * w[2];
                                a3 += (x[3] + offset) * w[3];
                            }
                            continue;
                        }
                        for (int32_t fx = 0; fx < cols; fx++, x += x_col, w += out_c) {
                            const int32_t v = x[0] + offset;
                            a0 += v * w[0];
                            a1 += v * w[1];
                            a2 += v * w[2];
                            a3 += v * w[3];
                        }
                    }
                    const int32_t acc[4] = {a0, a1, a2, a3};
                    for (int32_t j = 0; j < 4; j++) {
                        out[oc + j] = output_byte(p, acc[j] + (bias != NULL ? bias[oc + j] : 0), oc + j);
                    }
                }
                // The last in_c % 4 channels of a depth multiplier of 1.
                for (; TML_KERNEL_DW_TAIL && oc < out_c; oc++) {
                    int32_t a = 0;
                    const int8_t *xr = x0 + oc, *wr = w0 + oc;
                    for (int32_t fy = 0; inside && fy < rows; fy++, xr += x_row, wr += w_row) {
                        const int8_t *x = xr, *w = wr;
                        for (int32_t fx = 0; fx < cols; fx++, x += x_col, w += out_c) {
                            a += (*x + offset) * *w;
                        }
                    }
                    out[oc] = output_byte(p, a + (bias != NULL ? bias[oc] : 0), oc);
                }
            }
        }
    }
}

#endif // TML_OPT_PORTABLE
