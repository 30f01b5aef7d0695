// int8 CONV_2D dispatcher: 1x1 filters read their rows straight from the
// input, other filters are unrolled two output pixels at a time into the
// scratch (im2col, left out without TML_KERNEL_CONV_IM2COL); both then run the
// GEMM of kernels/opt/. tml_opt_conv_2d_variant (opt.h) is the rule, conv_path
// applies it to this build; other layers run the reference kernel (left out
// without TML_KERNEL_REFERENCE_CONV, prepare then refusing them). The scratch size and the
// rule are asked at prepare only: TML_COLD.
#include "kernels/kernels.h"

#include <string.h>

#include "kernels/opt/opt.h"
#include "tml_compiler.h"

#if TML_KERNELS_OPT

static void gemm_params(const tml_conv_2d_s8_params_t *p, tml_opt_mat_mult_s8_params_t *m) {
    const tml_conv_2d_shape_t *s = &p->s;
    m->depth = s->filter_h * s->filter_w * s->filter_c;
    m->out_c = s->out_c;
    m->input_offset = p->q.input_offset;
    m->output_offset = p->q.output_offset;
    m->act_min = p->q.act_min;
    m->act_max = p->q.act_max;
    m->multiplier = p->q.multiplier;
    m->shift = p->q.shift;
    m->per_channel = true;
}

// Output pixels of the whole batch in order, as (image, row, column).
typedef struct {
    int32_t b, oy, ox;
} pixel_t;

static void next_pixel(const tml_conv_2d_shape_t *s, pixel_t *px) {
    if (++px->ox == s->out_w) {
        px->ox = 0;
        if (++px->oy == s->out_h) {
            px->oy = 0;
            px->b++;
        }
    }
}

// The input channels under a 1x1 filter at output pixel px (its row of the GEMM).
static const int8_t *input_row(const tml_conv_2d_shape_t *s, const int8_t *input, const pixel_t *px) {
    const int32_t iy = px->oy * s->stride_h, ix = px->ox * s->stride_w;
    return input + (((size_t)px->b * s->in_h + iy) * s->in_w + ix) * s->in_c;
}

#if TML_KERNEL_CONV_IM2COL

static void copy_bytes(int8_t *dst, const int8_t *src, int32_t n) {
    // The first layers copy 1 or 3 channels at a time: not worth a call.
    if (n < 8) {
        for (int32_t i = 0; i < n; i++) {
            dst[i] = src[i];
        }
    } else {
        memcpy(dst, src, (size_t)n);
    }
}

static void fill_bytes(int8_t *dst, int8_t v, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        dst[i] = v;
    }
}

// The filter_h x filter_w x in_c window of output pixel px, in filter order,
// with the input zero point where the window leaves the image: those terms
// then add (zp + input_offset) * f = 0, as the reference skips them.
static void im2col(const tml_conv_2d_shape_t *s, const int8_t *input, const pixel_t *px, int8_t zp,
    int8_t *col) {
    const int8_t *in_b = input + (size_t)px->b * s->in_h * s->in_w * s->in_c;
    const int32_t iy0 = px->oy * s->stride_h - s->pad_h;
    const int32_t ix0 = px->ox * s->stride_w - s->pad_w;
    const int32_t row_bytes = s->filter_w * s->in_c;
    const bool row_inside = ix0 >= 0 && ix0 + (s->filter_w - 1) * s->dilation_w < s->in_w;
    for (int32_t fy = 0; fy < s->filter_h; fy++, col += row_bytes) {
        const int32_t iy = iy0 + s->dilation_h * fy;
        if (iy < 0 || iy >= s->in_h) {
            fill_bytes(col, zp, row_bytes);
            continue;
        }
        const int8_t *in_row = in_b + (size_t)iy * s->in_w * s->in_c;
        if (row_inside && s->dilation_w == 1) {
            copy_bytes(col, in_row + (size_t)ix0 * s->in_c, row_bytes);
            continue;
        }
        for (int32_t fx = 0; fx < s->filter_w; fx++) {
            const int32_t ix = ix0 + s->dilation_w * fx;
            if (ix < 0 || ix >= s->in_w) {
                fill_bytes(col + fx * s->in_c, zp, s->in_c);
            } else {
                copy_bytes(col + fx * s->in_c, in_row + (size_t)ix * s->in_c, s->in_c);
            }
        }
    }
}

#endif // TML_KERNEL_CONV_IM2COL

#endif // TML_KERNELS_OPT

TML_COLD size_t tml_conv_2d_s8_scratch_size(int32_t kernels, int32_t filter_h, int32_t filter_w,
    int32_t filter_c, int32_t in_c) {
    // Two im2col columns for the GEMM of either optimised set; the bounds keep the product
    // inside size_t on a corrupt model.
    if (kernels != TML_KERNELS_REFERENCE && filter_c == in_c && filter_c > 0 && filter_h > 0
        && filter_w > 0 && (filter_h > 1 || filter_w > 1) && filter_h <= 0xffff && filter_w <= 0xffff
        && filter_c <= 0xffff && (uint64_t)filter_h * filter_w * filter_c <= 0x3fffffff) {
        return 2 * (size_t)filter_h * filter_w * filter_c;
    }
    return 0;
}

// The path tml_conv_2d_s8 takes: tml_opt_conv_2d_variant's, where this build has it and the
// scratch holds two im2col columns; TML_CONV_VARIANT_NONE: the reference kernel.
static tml_conv_variant_t conv_path(const tml_conv_2d_s8_params_t *p, size_t scratch_bytes) {
    #if TML_KERNELS_OPT
    const tml_conv_2d_shape_t *s = &p->s;
    const tml_conv_variant_t variant = tml_opt_conv_2d_variant(s->filter_h, s->filter_w, s->pad_h, s->pad_w,
        s->filter_c, s->in_c, -p->q.input_offset);
    if (variant == TML_CONV_VARIANT_IM2COL
        && (!TML_KERNEL_CONV_IM2COL || scratch_bytes < 2 * (size_t)s->filter_h * s->filter_w * s->filter_c)) {
        return TML_CONV_VARIANT_NONE;
    }
    return variant;
    #else
    (void)p;
    (void)scratch_bytes;
    return TML_CONV_VARIANT_NONE;
    #endif
}

TML_COLD bool tml_conv_2d_s8_fast(const tml_conv_2d_s8_params_t *p, size_t scratch_bytes) {
    return conv_path(p, scratch_bytes) != TML_CONV_VARIANT_NONE;
}

void tml_conv_2d_s8(const tml_conv_2d_s8_params_t *p, const int8_t *input, const int8_t *filter,
    const int32_t *bias, int8_t *output, void *scratch, size_t scratch_bytes) {
    #if TML_KERNELS_OPT
    const tml_conv_2d_shape_t *s = &p->s;
    const tml_conv_variant_t variant = conv_path(p, scratch_bytes);
    if (variant != TML_CONV_VARIANT_NONE) {
        tml_opt_mat_mult_s8_params_t m;
        gemm_params(p, &m);
        const int32_t pixels = s->batches * s->out_h * s->out_w;
        if (variant == TML_CONV_VARIANT_1X1) {
            pixel_t px = {0, 0, 0};
            int8_t *out = output;
            for (int32_t i = 0; i < pixels; i += 2, out += 2 * s->out_c) {
                const int8_t *row0 = input_row(s, input, &px);
                next_pixel(s, &px);
                const int32_t rows = i + 1 < pixels ? 2 : 1;
                // Pixels next to each other in a row (or the next row's first) are some
                // distance apart in the input: the GEMM's row stride.
                const int32_t row_stride = rows == 2 ? (int32_t)(input_row(s, input, &px) - row0) : 0;
                next_pixel(s, &px);
                tml_opt_mat_mult_s8(&m, row0, row_stride, rows, filter, bias, out);
            }
            return;
        }
        #if TML_KERNEL_CONV_IM2COL
        // im2col, with its two columns in the scratch (conv_path checked).
        const int8_t zp = (int8_t)-p->q.input_offset;
        const size_t col_bytes = (size_t)m.depth;
        int8_t *col = scratch;
        pixel_t px = {0, 0, 0};
        int8_t *out = output;
        for (int32_t i = 0; i < pixels; i += 2, out += 2 * s->out_c) {
            const int32_t rows = i + 1 < pixels ? 2 : 1;
            for (int32_t r = 0; r < rows; r++) {
                im2col(s, input, &px, zp, col + r * col_bytes);
                next_pixel(s, &px);
            }
            tml_opt_mat_mult_s8(&m, col, (int32_t)col_bytes, rows, filter, bias, out);
        }
        return;
        #endif
    }
    #endif
    (void)scratch;
    (void)scratch_bytes;
    #if TML_KERNEL_REFERENCE_CONV
    tml_ref_conv_2d_s8(p, input, filter, bias, output);
    #else
    // Not reached: prepare refused every layer tml_conv_2d_s8_fast says no to.
    (void)input;
    (void)filter;
    (void)bias;
    (void)output;
    #endif
}

void tml_conv_2d_s8_rows(const tml_conv_2d_s8_params_t *p, int32_t row0, int32_t rows, int32_t in_row0,
    int32_t in_rows, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
    void *scratch, size_t scratch_bytes) {
    tml_conv_2d_s8_params_t band = *p;
    const int32_t dropped = tml_band_input(row0, rows, p->s.stride_h, p->s.dilation_h, p->s.filter_h, p->s.pad_h,
        p->s.in_h, &in_row0, &in_rows, &band.s.pad_h);
    band.s.batches = 1;
    band.s.out_h = rows;
    band.s.in_h = in_rows;
    const int8_t *band_input = input + (size_t)dropped * p->s.in_w * p->s.in_c;
    tml_conv_2d_s8(&band, band_input, filter, bias, output, scratch, scratch_bytes);
}
