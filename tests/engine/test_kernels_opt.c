// The dispatchers' fast paths (kernels/opt/, whichever set this compiler
// builds) give the reference kernels' bytes: random shapes that reach every
// path (1x1, im2col with padding, stride and dilation, 1- and 3-channel first
// layers, odd channel counts, groups, depthwise 3x3 and general, batches; and on one image,
// the same layers a band of output rows at a time, as a patched chain runs them),
// random requantization including saturating values, and misaligned buffers.
// test_c.py builds this file with TML_KERNELS_OPT=1 and again with 0, without the variants
// --ops-from can leave out, and without them and the reference kernels as well: the layers no
// fast path then takes are the ones prepare refuses, checked by their rule (fast_paths_rule).
// Also the fixed-point multiplies of tml_fixedpoint.h against gemmlowp's own formulas.
#include <stdbool.h>
#include <stdlib.h>

#include "tml_test.h"
#include "kernels/kernels.h"
#include "kernels/opt/opt.h"
#include "tml_fixedpoint.h"

static uint32_t rng_state = 12345;

static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int32_t rnd_in(int32_t lo, int32_t hi) {
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

// Bytes biased towards the ends of the int8 range, where saturation happens.
static void fill_s8(int8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd();
        p[i] = (r & 7) == 0 ? -128 : (r & 7) == 1 ? 127 : (int8_t)(r >> 8);
    }
}

// One multiplier and shift per channel, and a random zero point, bias and
// activation range: the requantization of real layers and of extremes.
typedef struct {
    int32_t mult[256], bias[256];
    int8_t shift[256];
} quant_t;

static void fill_quant(quant_t *q, tml_channel_quant_t *c, int32_t channels) {
    for (int32_t i = 0; i < channels; i++) {
        q->mult[i] = (int32_t)((1u << 30) + (rnd() >> 2));
        // Mostly the right shifts of real layers; some left, none and extreme ones.
        q->shift[i] = (int8_t)((rnd() & 7) == 0 ? rnd_in(-31, 4) : rnd_in(-21, -1));
        // Now and then a bias near the int32 limits: accumulators past +-2^30.
        q->bias[i] = (rnd() & 7) == 0 ? (int32_t)rnd() : rnd_in(-40000, 40000);
    }
    c->input_offset = -rnd_in(-128, 127);
    c->output_offset = rnd_in(-128, 127);
    c->act_min = (rnd() & 1) ? -128 : rnd_in(-128, 0);
    c->act_max = (rnd() & 1) ? 127 : rnd_in(c->act_min, 127);
    c->multiplier = q->mult;
    c->shift = q->shift;
}

// Buffers one byte past an aligned address, so no kernel can rely on alignment.
static int8_t *alloc_misaligned(size_t n) {
    uint8_t *p = malloc(n + 8);
    return (int8_t *)(p + 1);
}

static void free_misaligned(int8_t *p) {
    free((uint8_t *)p - 1);
}

static int32_t out_size(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t pad) {
    return (in + 2 * pad - (dilation * (filter - 1) + 1)) / stride + 1;
}


// Random bands of output rows through the _rows dispatchers, each from a copy of the input
// rows it reads (tml_window_rows), sometimes with a row or two more around them, in a buffer
// of exactly that size: a read outside the held rows reads the wrong bytes or trips the
// sanitizer. Their rows must be the whole layer's.
typedef void (*rows_fn_t)(const void *p, int32_t row0, int32_t rows, int32_t in_row0, int32_t in_rows,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch,
    size_t scratch_bytes);

static void conv_rows(const void *p, int32_t row0, int32_t rows, int32_t in_row0, int32_t in_rows,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch,
    size_t scratch_bytes) {
    tml_conv_2d_s8_rows(p, row0, rows, in_row0, in_rows, input, filter, bias, output, scratch, scratch_bytes);
}

static void depthwise_rows(const void *p, int32_t row0, int32_t rows, int32_t in_row0, int32_t in_rows,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch,
    size_t scratch_bytes) {
    tml_depthwise_conv_2d_s8_rows(p, row0, rows, in_row0, in_rows, input, filter, bias, output, scratch,
        scratch_bytes);
}

// Stands in for a dispatcher whose layer prepare refuses (TML_KERNEL_REFERENCE_CONV=0): the
// bands still draw their random sizes, so the later cases are the other builds' cases.
static void refused_rows(const void *p, int32_t row0, int32_t rows, int32_t in_row0, int32_t in_rows,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch,
    size_t scratch_bytes) {
    (void)p, (void)row0, (void)rows, (void)in_row0, (void)in_rows, (void)input, (void)filter;
    (void)bias, (void)output, (void)scratch, (void)scratch_bytes;
}

// Returns false when a band's bytes differ from the whole layer's (want).
static bool bands_equal(rows_fn_t fn, const void *p, int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h,
    int32_t out_w, int32_t out_c, int32_t fh, int32_t stride, int32_t dilation, int32_t pad, const int8_t *in,
    const int8_t *f, const int32_t *bias, const int8_t *want, void *scratch, size_t n_scratch) {
    const size_t in_row = (size_t)in_w * in_c, out_row = (size_t)out_w * out_c;
    for (int32_t y0 = 0; y0 < out_h;) {
        const int32_t rows = rnd_in(1, out_h - y0 < 4 ? out_h - y0 : 4);
        int32_t first, end;
        tml_window_rows(y0, rows, stride, dilation, fh, pad, in_h, &first, &end);
        // Now and then rows beyond those it reads, as a patched chain's buffers hold.
        if (end > first) {
            const int32_t above = rnd_in(0, 2), below = rnd_in(0, 1);
            first = first > above ? first - above : 0;
            end = end + below < in_h ? end + below : in_h;
        }
        int8_t *held = alloc_misaligned((size_t)(end - first) * in_row + 1);
        int8_t *got = alloc_misaligned((size_t)rows * out_row);
        memcpy(held, in + (size_t)first * in_row, (size_t)(end - first) * in_row);
        fn(p, y0, rows, first, end - first, held, f, bias, got, scratch, n_scratch);
        const bool same = memcmp(got, want + (size_t)y0 * out_row, (size_t)rows * out_row) == 0;
        free_misaligned(held);
        free_misaligned(got);
        if (!same) {
            return false;
        }
        y0 += rows;
    }
    return true;
}

static void check_conv(int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c, int32_t groups,
    int32_t out_c, int32_t fh, int32_t fw, int32_t stride, int32_t dilation, int32_t pad) {
    tml_conv_2d_s8_params_t p;
    tml_conv_2d_shape_t *s = &p.s;
    quant_t q;
    s->batches = batches;
    s->in_h = in_h;
    s->in_w = in_w;
    s->in_c = in_c;
    s->filter_h = fh;
    s->filter_w = fw;
    s->filter_c = in_c / groups;
    s->out_c = out_c;
    s->stride_h = s->stride_w = stride;
    s->dilation_h = s->dilation_w = dilation;
    s->pad_h = s->pad_w = pad;
    s->out_h = out_size(in_h, fh, stride, dilation, pad);
    s->out_w = out_size(in_w, fw, stride, dilation, pad);
    fill_quant(&q, &p.q, out_c);
    size_t n_in = (size_t)batches * in_h * in_w * in_c, n_f = (size_t)out_c * fh * fw * s->filter_c;
    size_t n_out = (size_t)batches * s->out_h * s->out_w * out_c;
    size_t n_scratch = tml_conv_2d_s8_scratch_size(TML_KERNEL_SET, fh, fw, s->filter_c, in_c);
    int8_t *in = alloc_misaligned(n_in), *f = alloc_misaligned(n_f);
    int8_t *want = alloc_misaligned(n_out), *got = alloc_misaligned(n_out);
    int8_t *scratch = alloc_misaligned(n_scratch);
    fill_s8(in, n_in);
    fill_s8(f, n_f);
    const int32_t *bias = (rnd() & 3) ? q.bias : NULL;
    tml_ref_conv_2d_s8(&p, in, f, bias, want);
    // Without the reference kernel, prepare refuses the layers no fast path takes (fast_paths_rule).
    const bool runs = TML_KERNEL_REFERENCE_CONV || tml_conv_2d_s8_fast(&p, n_scratch);
    if (runs) {
        tml_conv_2d_s8(&p, in, f, bias, got, scratch, n_scratch);
    }
    if (runs && memcmp(got, want, n_out) != 0) {
        TEST_FAIL_AT_("conv %dx%dx%dx%d groups %d out_c %d filter %dx%d stride %d dilation %d pad %d differs",
            (int)batches, (int)in_h, (int)in_w, (int)in_c, (int)groups, (int)out_c, (int)fh, (int)fw,
            (int)stride, (int)dilation, (int)pad);
    }
    if (batches == 1 && !bands_equal(runs ? conv_rows : refused_rows, &p, in_h, in_w, in_c, s->out_h, s->out_w,
        out_c, fh, stride, dilation, pad, in, f, bias, want, scratch, n_scratch) && runs) {
        TEST_FAIL_AT_("conv %dx%dx%d out_c %d filter %dx%d stride %d dilation %d pad %d: a band differs",
            (int)in_h, (int)in_w, (int)in_c, (int)out_c, (int)fh, (int)fw, (int)stride, (int)dilation, (int)pad);
    }
    test_checks++;
    free_misaligned(in);
    free_misaligned(f);
    free_misaligned(want);
    free_misaligned(got);
    free_misaligned(scratch);
}

static void check_depthwise(int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c, int32_t mult,
    int32_t fh, int32_t fw, int32_t stride, int32_t dilation, int32_t pad) {
    tml_depthwise_conv_2d_s8_params_t p;
    tml_depthwise_conv_2d_shape_t *s = &p.s;
    quant_t q;
    const int32_t out_c = in_c * mult;
    s->batches = batches;
    s->in_h = in_h;
    s->in_w = in_w;
    s->in_c = in_c;
    s->filter_h = fh;
    s->filter_w = fw;
    s->depth_multiplier = mult;
    s->stride_h = s->stride_w = stride;
    s->dilation_h = s->dilation_w = dilation;
    s->pad_h = s->pad_w = pad;
    s->out_h = out_size(in_h, fh, stride, dilation, pad);
    s->out_w = out_size(in_w, fw, stride, dilation, pad);
    fill_quant(&q, &p.q, out_c);
    size_t n_in = (size_t)batches * in_h * in_w * in_c, n_f = (size_t)fh * fw * out_c;
    size_t n_out = (size_t)batches * s->out_h * s->out_w * out_c;
    int8_t *in = alloc_misaligned(n_in), *f = alloc_misaligned(n_f);
    int8_t *want = alloc_misaligned(n_out), *got = alloc_misaligned(n_out);
    size_t n_scratch =
        tml_depthwise_conv_2d_s8_scratch_size(TML_KERNEL_SET, in_w, in_c, fh, fw, out_c);
    int8_t *scratch = alloc_misaligned(n_scratch);
    fill_s8(in, n_in);
    fill_s8(f, n_f);
    const int32_t *bias = (rnd() & 3) ? q.bias : NULL;
    tml_ref_depthwise_conv_2d_s8(&p, in, f, bias, want);
    const bool runs = TML_KERNEL_REFERENCE_CONV || tml_depthwise_conv_2d_s8_fast(&p, n_scratch);
    if (runs) {
        tml_depthwise_conv_2d_s8(&p, in, f, bias, got, scratch, n_scratch);
    }
    if (runs && memcmp(got, want, n_out) != 0) {
        TEST_FAIL_AT_("depthwise %dx%dx%dx%d multiplier %d filter %dx%d stride %d dilation %d pad %d differs",
            (int)batches, (int)in_h, (int)in_w, (int)in_c, (int)mult, (int)fh, (int)fw, (int)stride,
            (int)dilation, (int)pad);
    }
    if (batches == 1 && !bands_equal(runs ? depthwise_rows : refused_rows, &p, in_h, in_w, in_c, s->out_h,
        s->out_w, out_c, fh, stride, dilation, pad, in, f, bias, want, scratch, n_scratch) && runs) {
        TEST_FAIL_AT_("depthwise %dx%dx%d multiplier %d filter %dx%d stride %d dilation %d pad %d: a band differs",
            (int)in_h, (int)in_w, (int)in_c, (int)mult, (int)fh, (int)fw, (int)stride, (int)dilation, (int)pad);
    }
    test_checks++;
    free_misaligned(in);
    free_misaligned(f);
    free_misaligned(want);
    free_misaligned(got);
    free_misaligned(scratch);
}

static void check_fully_connected(int32_t batches, int32_t depth, int32_t units, bool per_channel,
    int32_t filter_offset) {
    tml_fully_connected_s8_params_t p;
    tml_channel_quant_t c;
    quant_t q;
    fill_quant(&q, &c, units);
    p.s.batches = batches;
    p.s.accum_depth = depth;
    p.s.out_depth = units;
    p.input_offset = c.input_offset;
    p.filter_offset = filter_offset;
    p.output_offset = c.output_offset;
    p.act_min = c.act_min;
    p.act_max = c.act_max;
    p.multiplier = q.mult;
    p.shift = q.shift;
    p.per_channel = per_channel;
    size_t n_in = (size_t)batches * depth, n_f = (size_t)units * depth, n_out = (size_t)batches * units;
    int8_t *in = alloc_misaligned(n_in), *f = alloc_misaligned(n_f);
    int8_t *want = alloc_misaligned(n_out), *got = alloc_misaligned(n_out);
    fill_s8(in, n_in);
    fill_s8(f, n_f);
    const int32_t *bias = (rnd() & 3) ? q.bias : NULL;
    tml_ref_fully_connected_s8(&p, in, f, bias, want);
    tml_fully_connected_s8(&p, in, f, bias, got);
    if (memcmp(got, want, n_out) != 0) {
        TEST_FAIL_AT_("fully connected %dx%d units %d per_channel %d filter_offset %d differs",
            (int)batches, (int)depth, (int)units, (int)per_channel, (int)filter_offset);
    }
    test_checks++;
    free_misaligned(in);
    free_misaligned(f);
    free_misaligned(want);
    free_misaligned(got);
}

// The recurrent ops' sums (tml_mat_vec_s8_s32) against the definition, in int64 so that a
// wrapped sum would show: depths that leave every tail of the four-byte loops.
static void check_mat_vec(int32_t depth, int32_t rows) {
    quant_t q;
    tml_channel_quant_t c;
    fill_quant(&q, &c, rows);
    for (int32_t o = 0; o < rows; o++) {
        // Sums that fit int32, as the ops' are: fill_quant's biases near the int32 limits
        // would overflow the definition's own int32 sum (a wrap, not a kernel's difference).
        q.bias[o] %= 1 << 24;
    }
    int8_t *x = alloc_misaligned((size_t)depth), *f = alloc_misaligned((size_t)rows * depth);
    int32_t *got = malloc(sizeof(int32_t) * (size_t)rows);
    fill_s8(x, (size_t)depth);
    fill_s8(f, (size_t)rows * depth);
    const int32_t *bias = (rnd() & 3) ? q.bias : NULL;
    const int32_t offset = c.input_offset;
    tml_mat_vec_s8_s32(x, offset, f, depth, rows, bias, got);
    for (int32_t o = 0; o < rows; o++) {
        int64_t want = bias != NULL ? bias[o] : 0;
        for (int32_t k = 0; k < depth; k++) {
            want += (int64_t)(x[k] + offset) * f[(size_t)o * depth + k];
        }
        if (got[o] != want) {
            TEST_FAIL_AT_("mat_vec depth %d rows %d offset %d: row %d differs", (int)depth, (int)rows,
                (int)offset, (int)o);
        }
    }
    test_checks++;
    free_misaligned(x);
    free_misaligned(f);
    free(got);
}

TEST(mat_vec_equals_definition) {
    check_mat_vec(257, 80);  // the speech LSTM's input gates
    check_mat_vec(80, 80);   // and its recurrent ones
    check_mat_vec(28, 20);   // MNIST LSTM
    check_mat_vec(96, 9);    // odd row count
    for (int i = 0; i < 100; i++) {
        check_mat_vec(rnd_in(1, 70), rnd_in(1, 20));
    }
}

TEST(conv_1x1_equals_reference) {
    check_conv(1, 5, 7, 16, 1, 24, 1, 1, 1, 1, 0);
    check_conv(2, 4, 3, 7, 1, 5, 1, 1, 1, 1, 0);   // odd channels, odd pixel count, batches
    check_conv(1, 9, 9, 12, 1, 9, 1, 1, 2, 1, 0);  // stride 2
    check_conv(1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 0);   // one pixel, one output channel
    check_conv(1, 3, 5, 8, 1, 45, 1, 1, 1, 1, 0);  // depth 8 past one chunk of 32 outputs
    check_conv(1, 4, 2, 16, 1, 70, 1, 1, 1, 1, 0); // depth 16, three chunks
}

TEST(conv_im2col_equals_reference) {
    check_conv(1, 8, 8, 8, 1, 16, 3, 3, 1, 1, 1);   // padding
    check_conv(1, 9, 7, 5, 1, 7, 3, 3, 2, 1, 1);    // stride 2, odd sizes
    check_conv(1, 10, 10, 4, 1, 6, 3, 3, 1, 2, 2);  // dilation
    check_conv(2, 6, 5, 9, 1, 3, 2, 3, 1, 1, 0);    // 2x3 filter, batches
    check_conv(1, 12, 12, 8, 1, 4, 5, 5, 2, 1, 2);  // 5x5
}

TEST(conv_first_layers_equal_reference) {
    check_conv(1, 16, 16, 1, 1, 8, 3, 3, 2, 1, 1);   // grayscale image
    check_conv(1, 15, 15, 3, 1, 8, 3, 3, 2, 1, 1);   // RGB image
    check_conv(1, 16, 10, 1, 1, 16, 10, 4, 2, 1, 4); // spectrogram, 10x4 filter
    check_conv(1, 11, 11, 3, 1, 16, 3, 3, 1, 1, 0);  // RGB, no padding
}

TEST(conv_groups_equal_reference) {
    check_conv(1, 6, 6, 8, 2, 6, 3, 3, 1, 1, 1);
    check_conv(1, 5, 5, 6, 3, 3, 1, 1, 1, 1, 0);
}

TEST(depthwise_equals_reference) {
    check_depthwise(1, 9, 9, 16, 1, 3, 3, 1, 1, 1);   // 3x3 interior and borders
    check_depthwise(1, 9, 9, 8, 1, 3, 3, 2, 1, 1);    // stride 2
    check_depthwise(1, 7, 8, 13, 1, 3, 3, 1, 1, 1);   // odd channels: tail
    check_depthwise(2, 6, 6, 5, 1, 3, 3, 1, 1, 0);    // batches, no padding
    check_depthwise(1, 10, 10, 8, 1, 3, 3, 1, 2, 2);  // dilation
    check_depthwise(1, 8, 8, 4, 1, 5, 5, 1, 1, 2);    // 5x5
    check_depthwise(1, 6, 9, 3, 1, 1, 4, 2, 1, 0);    // 1x4
    check_depthwise(1, 6, 6, 3, 2, 3, 3, 1, 1, 1);    // depth multiplier 2: the reference
    check_depthwise(1, 12, 12, 1, 8, 3, 3, 2, 1, 1);  // grayscale first layer, multiplier 8
    check_depthwise(1, 7, 7, 3, 4, 3, 3, 1, 1, 1);    // multiplier 4 on three channels
    check_depthwise(1, 3, 3, 4, 1, 5, 5, 1, 1, 2);    // filter larger than the image
}

// Which layers the dispatchers take a fast path for, in this build: the one rule that prepare
// asks when the reference kernels are left out (TML_KERNEL_REFERENCE_CONV=0).
static bool conv_fast(int32_t in_c, int32_t groups, int32_t fh, int32_t fw, int32_t pad, size_t scratch) {
    tml_conv_2d_s8_params_t p = {0};
    p.s.in_c = in_c;
    p.s.filter_c = in_c / groups;
    p.s.filter_h = fh;
    p.s.filter_w = fw;
    p.s.pad_h = p.s.pad_w = pad;
    p.q.input_offset = 5;
    return tml_conv_2d_s8_fast(&p, scratch);
}

static bool depthwise_fast(int32_t in_w, int32_t in_c, int32_t mult) {
    tml_depthwise_conv_2d_s8_params_t p = {0};
    p.s.in_w = in_w;
    p.s.in_c = in_c;
    p.s.filter_h = p.s.filter_w = 3;
    p.s.depth_multiplier = mult;
    const size_t scratch = tml_depthwise_conv_2d_s8_scratch_size(TML_KERNEL_SET, in_w, in_c, 3, 3, in_c * mult);
    return tml_depthwise_conv_2d_s8_fast(&p, scratch);
}

TEST(fast_paths_rule) {
    const bool opt = TML_KERNELS_OPT;
    TEST_CHECK(conv_fast(16, 1, 1, 1, 0, 0) == opt);  // 1x1: no scratch needed
    TEST_CHECK(conv_fast(8, 1, 3, 3, 1, 2 * 3 * 3 * 8) == (opt && TML_KERNEL_CONV_IM2COL));
    TEST_CHECK(!conv_fast(8, 1, 3, 3, 1, 2 * 3 * 3 * 8 - 1));  // scratch too small
    TEST_CHECK(!conv_fast(8, 2, 3, 3, 1, 2 * 3 * 3 * 4));      // grouped
    TEST_CHECK(!conv_fast(6, 3, 1, 1, 0, 0));
    TEST_CHECK(depthwise_fast(9, 16, 1) == opt);
    TEST_CHECK(depthwise_fast(9, 13, 1) == (opt && TML_KERNEL_DW_TAIL));
    TEST_CHECK(depthwise_fast(12, 1, 8) == (opt && TML_KERNEL_DW_BROADCAST));
    TEST_CHECK(depthwise_fast(7, 3, 4) == (opt && TML_KERNEL_DW_BROADCAST));
    TEST_CHECK(!depthwise_fast(6, 3, 2));
    TEST_CHECK(!depthwise_fast(6, 3, 3));
    // Past scratch_size's bounds (a corrupt model): no scratch planned, so no ARMv7E-M path.
    TEST_CHECK(depthwise_fast(9, 70000, 1) == (opt && TML_KERNEL_SET != TML_KERNELS_ARMV7EM));
}

TEST(fully_connected_equals_reference) {
    check_fully_connected(1, 250, 64, false, 0);
    check_fully_connected(1, 7, 3, true, 0);
    check_fully_connected(1, 129, 10, true, 0);  // one row: a last pass of two filter rows
    check_fully_connected(3, 33, 10, true, 0);
    check_fully_connected(2, 640, 11, false, 0);
    check_fully_connected(2, 16, 5, false, 9);  // asymmetric weights
    check_fully_connected(2, 8, 33, false, 0);  // depth 8, one output past a chunk, per tensor
}

TEST(random_shapes_equal_reference) {
    for (int i = 0; i < 150; i++) {
        const int32_t in_c = rnd_in(1, 20), f = rnd_in(1, 4), stride = rnd_in(1, 3);
        const int32_t dilation = rnd_in(1, 2), pad = rnd_in(0, f - 1);
        const int32_t in_h = rnd_in(dilation * (f - 1) + 1, 12), in_w = rnd_in(dilation * (f - 1) + 1, 12);
        check_conv(rnd_in(1, 2), in_h, in_w, in_c, 1, rnd_in(1, 21), f, rnd_in(1, 4) > 1 ? f : 1,
            stride, dilation, pad);
        const int32_t multipliers[4] = {1, 1, 4, 8};
        check_depthwise(rnd_in(1, 2), in_h, in_w, in_c, multipliers[rnd() & 3], f, rnd_in(1, f), stride,
            dilation, pad);
        check_fully_connected(rnd_in(1, 4), rnd_in(1, 70), rnd_in(1, 20), rnd() & 1, 0);
    }
}

// gemmlowp's SaturatingRoundingDoublingHighMul and RoundingHalfSum as gemmlowp writes them
// (a sign-dependent nudge, then a division that truncates): tml_fixedpoint.h computes them in
// shorter forms that SOFTMAX, LOGISTIC, TANH and HARD_SWISH rely on being the same values.
static int32_t gemmlowp_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t ab = (int64_t)a * b;
    return (int32_t)((ab + (ab >= 0 ? (1 << 30) : (1 - (1 << 30)))) / ((int64_t)1 << 31));
}

static int16_t gemmlowp_high_mul16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    const int32_t ab = (int32_t)a * b;
    return (int16_t)((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}

static int32_t gemmlowp_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

TEST(fixedpoint_equals_gemmlowp) {
    // The ends of the range, and products on a rounding tie (ab = +-2^30 + k * 2^31).
    static const int32_t edges[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, INT32_MAX - 1,
                                    INT32_MIN + 1, 1 << 30, -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1,
                                    1 << 15, -(1 << 15), 1 << 16, -(1 << 16), 3 << 14, -(3 << 14)};
    const int n = (int)(sizeof(edges) / sizeof(edges[0]));
    bool same = true;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            same = same && tml_fp_mul(edges[i], edges[j]) == gemmlowp_high_mul(edges[i], edges[j])
                && tml_fp_rounding_half_sum(edges[i], edges[j]) == gemmlowp_half_sum(edges[i], edges[j])
                && tml_fp16_sat_round_doubling_high_mul((int16_t)edges[i], (int16_t)edges[j])
                == gemmlowp_high_mul16((int16_t)edges[i], (int16_t)edges[j]);
        }
    }
    for (int i = 0; i < 20000 && same; i++) {
        // Operands of every magnitude, so that products land near every power of two.
        const uint32_t r = rnd();
        const int32_t a = (int32_t)rnd() >> (r & 31), b = (int32_t)rnd() >> ((r >> 5) & 31);
        same = tml_fp_mul(a, b) == gemmlowp_high_mul(a, b)
            && tml_fp_rounding_half_sum(a, b) == gemmlowp_half_sum(a, b)
            && tml_fp16_sat_round_doubling_high_mul((int16_t)a, (int16_t)b)
            == gemmlowp_high_mul16((int16_t)a, (int16_t)b);
    }
    TEST_CHECK(same);
}

int main(void) {
    RUN_TEST(fixedpoint_equals_gemmlowp);
    RUN_TEST(conv_1x1_equals_reference);
    RUN_TEST(conv_im2col_equals_reference);
    RUN_TEST(conv_first_layers_equal_reference);
    RUN_TEST(conv_groups_equal_reference);
    RUN_TEST(depthwise_equals_reference);
    RUN_TEST(fast_paths_rule);
    RUN_TEST(fully_connected_equals_reference);
    RUN_TEST(random_shapes_equal_reference);
    RUN_TEST(mat_vec_equals_definition);
    return test_report();
}
