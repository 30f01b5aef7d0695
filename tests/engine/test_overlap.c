// Convolutions writing their output over their own input, as the planner lays them out
// (tml_plan_window_gap): the output starts the computed gap before the input in one buffer,
// and must come out byte for byte as from separate buffers. One shape per class the kernels
// treat apart: 1x1 (the GEMM reading rows in place), im2col with padding, stride and dilation,
// 1- and 3-channel first layers, odd channels, groups (the reference), batches, and depthwise
// 3x3 stride 1 and 2 (the ARMv7E-M row copies), general windows and multipliers.
//
// test_c.py builds it with the fast paths (TML_KERNELS_OPT=1) and without, test_cortex_m.py
// for the ARMv7E-M and Cortex-M0+ sets on emulated cores. Built with -DGAP_SLACK=-1 it lays
// the output one byte closer than the planner's gap, and must then fail: the GEMM of the
// portable and ARMv7E-M sets then overwrites an input byte a later pixel pair still reads
// (test_c.py and test_cortex_m.py check).
#include <stdbool.h>
#include <stdlib.h>

#include "tml_test.h"
#include "tml_internal.h"
#include "kernels/kernels.h"
#include "kernels/opt/opt.h"

#ifndef GAP_SLACK
#define GAP_SLACK 0
#endif

static uint32_t rng_state = 2026;

static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void fill_s8(int8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (int8_t)(rnd() >> 8);
    }
}

typedef struct {
    int32_t mult[64], bias[64];
    int8_t shift[64];
} quant_t;

// Real layers' requantization, wide enough that one changed input byte changes an output.
static void fill_quant(quant_t *q, tml_channel_quant_t *c, int32_t channels) {
    for (int32_t i = 0; i < channels; i++) {
        q->mult[i] = (int32_t)((1u << 30) + (rnd() >> 2));
        q->shift[i] = (int8_t)(-6 - (int32_t)(rnd() % 3));
        q->bias[i] = (int32_t)(rnd() % 2001) - 1000;
    }
    c->input_offset = (int32_t)(rnd() % 21) - 10;
    c->output_offset = (int32_t)(rnd() % 21) - 10;
    c->act_min = -128;
    c->act_max = 127;
    c->multiplier = q->mult;
    c->shift = q->shift;
}

static int32_t out_size(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t pad) {
    return (in + 2 * pad - (dilation * (filter - 1) + 1)) / stride + 1;
}

typedef struct {
    int32_t batches, in_h, in_w, in_c, out_c, filter, stride, dilation, pad;
} shape_t;

static tml_window_shape_t window_of(const shape_t *sh, int32_t out_c) {
    tml_window_shape_t w = {
        .batches = sh->batches, .in_h = sh->in_h, .in_w = sh->in_w, .in_c = sh->in_c,
        .out_h = out_size(sh->in_h, sh->filter, sh->stride, sh->dilation, sh->pad),
        .out_w = out_size(sh->in_w, sh->filter, sh->stride, sh->dilation, sh->pad),
        .out_c = out_c, .filter_h = sh->filter, .filter_w = sh->filter,
        .stride_h = sh->stride, .stride_w = sh->stride, .dilation_h = sh->dilation,
        .dilation_w = sh->dilation, .pad_h = sh->pad, .pad_w = sh->pad,
    };
    return w;
}

// One buffer with the input at `gap` and the output at 0, as the planner lays out a node
// whose output lies over its input; gap + GAP_SLACK, but never below 0.
typedef struct {
    int8_t *buffer, *in, *out;
    int64_t gap;
} shared_t;

static shared_t share(const tml_window_shape_t *w, const int8_t *input, size_t n_in, size_t n_out) {
    shared_t s;
    s.gap = tml_plan_window_gap(w) + GAP_SLACK;
    if (s.gap < 0) {
        s.gap = 0;
    }
    size_t span = (size_t)s.gap + n_in > n_out ? (size_t)s.gap + n_in : n_out;
    s.buffer = malloc(span + 1);
    s.out = s.buffer + 1;  // misaligned, as in test_kernels_opt.c
    s.in = s.out + s.gap;
    memcpy(s.in, input, n_in);
    return s;
}

static void check_conv(const char *what, shape_t sh, int32_t groups) {
    tml_conv_2d_s8_params_t p;
    tml_conv_2d_shape_t *s = &p.s;
    quant_t q;
    tml_window_shape_t w = window_of(&sh, sh.out_c);
    *s = (tml_conv_2d_shape_t){
        .batches = sh.batches, .in_h = sh.in_h, .in_w = sh.in_w,
        .in_c = sh.in_c, .out_h = w.out_h, .out_w = w.out_w, .out_c = sh.out_c,
        .filter_h = sh.filter, .filter_w = sh.filter, .filter_c = sh.in_c / groups,
        .stride_h = sh.stride, .stride_w = sh.stride, .dilation_h = sh.dilation,
        .dilation_w = sh.dilation, .pad_h = sh.pad, .pad_w = sh.pad,
    };
    fill_quant(&q, &p.q, sh.out_c);
    size_t n_in = (size_t)sh.batches * sh.in_h * sh.in_w * sh.in_c;
    size_t n_out = (size_t)sh.batches * w.out_h * w.out_w * sh.out_c;
    size_t n_f = (size_t)sh.out_c * sh.filter * sh.filter * s->filter_c;
    size_t n_scratch = tml_conv_2d_s8_scratch_size(TML_KERNEL_SET, sh.filter, sh.filter, s->filter_c,
        sh.in_c);
    int8_t *in = malloc(n_in), *f = malloc(n_f), *want = malloc(n_out);
    int8_t *scratch = malloc(n_scratch + 1);
    fill_s8(in, n_in);
    fill_s8(f, n_f);
    tml_conv_2d_s8(&p, in, f, q.bias, want, scratch, n_scratch);
    shared_t sh_buf = share(&w, in, n_in, n_out);
    tml_conv_2d_s8(&p, sh_buf.in, f, q.bias, sh_buf.out, scratch, n_scratch);
    test_checks++;
    if (memcmp(sh_buf.out, want, n_out) != 0) {
        TEST_FAIL_AT_("conv %s: output %d bytes before its input differs", what, (int)sh_buf.gap);
    }
    free(sh_buf.buffer);
    free(in);
    free(f);
    free(want);
    free(scratch);
}

static void check_depthwise(const char *what, shape_t sh, int32_t mult) {
    tml_depthwise_conv_2d_s8_params_t p;
    tml_depthwise_conv_2d_shape_t *s = &p.s;
    quant_t q;
    const int32_t out_c = sh.in_c * mult;
    tml_window_shape_t w = window_of(&sh, out_c);
    *s = (tml_depthwise_conv_2d_shape_t){
        .batches = sh.batches, .in_h = sh.in_h, .in_w = sh.in_w,
        .in_c = sh.in_c, .out_h = w.out_h, .out_w = w.out_w, .depth_multiplier = mult,
        .filter_h = sh.filter, .filter_w = sh.filter, .stride_h = sh.stride, .stride_w = sh.stride,
        .dilation_h = sh.dilation, .dilation_w = sh.dilation, .pad_h = sh.pad, .pad_w = sh.pad,
    };
    fill_quant(&q, &p.q, out_c);
    size_t n_in = (size_t)sh.batches * sh.in_h * sh.in_w * sh.in_c;
    size_t n_out = (size_t)sh.batches * w.out_h * w.out_w * out_c;
    size_t n_f = (size_t)sh.filter * sh.filter * out_c;
    size_t n_scratch = tml_depthwise_conv_2d_s8_scratch_size(TML_KERNEL_SET, sh.in_w, sh.in_c,
        sh.filter, sh.filter, out_c);
    int8_t *in = malloc(n_in), *f = malloc(n_f), *want = malloc(n_out);
    int8_t *scratch = malloc(n_scratch + 1);
    fill_s8(in, n_in);
    fill_s8(f, n_f);
    tml_depthwise_conv_2d_s8(&p, in, f, q.bias, want, scratch, n_scratch);
    shared_t sh_buf = share(&w, in, n_in, n_out);
    tml_depthwise_conv_2d_s8(&p, sh_buf.in, f, q.bias, sh_buf.out, scratch, n_scratch);
    test_checks++;
    if (memcmp(sh_buf.out, want, n_out) != 0) {
        TEST_FAIL_AT_("depthwise %s: output %d bytes before its input differs", what, (int)sh_buf.gap);
    }
    free(sh_buf.buffer);
    free(in);
    free(f);
    free(want);
    free(scratch);
}

// {batches, in_h, in_w, in_c, out_c, filter, stride, dilation, pad}
TEST(conv_output_over_its_input) {
    check_conv("1x1 widening (VWW's 48x48x8 -> 16)", (shape_t){1, 12, 12, 8, 16, 1, 1, 1, 0}, 1);
    check_conv("1x1 narrowing", (shape_t){1, 9, 7, 16, 8, 1, 1, 1, 0}, 1);
    check_conv("1x1 stride 2", (shape_t){1, 10, 10, 8, 12, 1, 2, 1, 0}, 1);
    check_conv("1x1 odd channels, odd pixel count", (shape_t){1, 5, 7, 5, 7, 1, 1, 1, 0}, 1);
    check_conv("3x3 padding 1", (shape_t){1, 9, 9, 8, 8, 3, 1, 1, 1}, 1);
    check_conv("3x3 widening", (shape_t){1, 8, 8, 4, 16, 3, 1, 1, 1}, 1);
    check_conv("3x3 stride 2", (shape_t){1, 11, 11, 8, 16, 3, 2, 1, 1}, 1);
    check_conv("3x3 dilation 2", (shape_t){1, 10, 10, 6, 6, 3, 1, 2, 2}, 1);
    check_conv("3x3 first layer, 1 channel", (shape_t){1, 16, 16, 1, 8, 3, 2, 1, 1}, 1);
    check_conv("3x3 first layer, 3 channels", (shape_t){1, 16, 16, 3, 8, 3, 2, 1, 1}, 1);
    check_conv("10x4-like 5x5, odd channels", (shape_t){1, 12, 9, 3, 5, 5, 1, 1, 2}, 1);
    check_conv("grouped (reference)", (shape_t){1, 8, 8, 8, 8, 3, 1, 1, 1}, 2);
    check_conv("batches", (shape_t){2, 6, 6, 4, 8, 3, 1, 1, 1}, 1);
    check_conv("1x1 batches", (shape_t){3, 5, 5, 4, 6, 1, 1, 1, 0}, 1);
}

TEST(depthwise_output_over_its_input) {
    check_depthwise("3x3 stride 1 padding 1", (shape_t){1, 10, 12, 16, 0, 3, 1, 1, 1}, 1);
    check_depthwise("3x3 stride 2", (shape_t){1, 12, 12, 16, 0, 3, 2, 1, 0}, 1);
    check_depthwise("3x3 stride 2 padding 1", (shape_t){1, 11, 11, 8, 0, 3, 2, 1, 1}, 1);
    check_depthwise("3x3 odd channels", (shape_t){1, 9, 9, 7, 0, 3, 1, 1, 1}, 1);
    check_depthwise("3x3 dilation 2", (shape_t){1, 12, 12, 8, 0, 3, 1, 2, 2}, 1);
    check_depthwise("5x5", (shape_t){1, 10, 10, 8, 0, 5, 1, 1, 2}, 1);
    check_depthwise("1 channel, multiplier 8", (shape_t){1, 12, 12, 1, 0, 3, 1, 1, 1}, 8);
    check_depthwise("3 channels, multiplier 4", (shape_t){1, 10, 10, 3, 0, 3, 2, 1, 1}, 4);
    check_depthwise("batches", (shape_t){2, 8, 8, 8, 0, 3, 1, 1, 1}, 1);
}

// The gap by hand: a 1x1 layer from 8 to 16 channels on 4 pixels writes its second pair's
// 64 bytes, all but the last while it still reads that pair from byte 16: 63 - 16 = 47.
TEST(gap_of_a_small_pointwise_layer) {
    tml_window_shape_t w = {
        .batches = 1, .in_h = 2, .in_w = 2, .in_c = 8, .out_h = 2, .out_w = 2, .out_c = 16,
        .filter_h = 1, .filter_w = 1, .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
    };
    TEST_EQ_INT(tml_plan_window_gap(&w), 47);
}

int main(void) {
    RUN_TEST(conv_output_over_its_input);
    RUN_TEST(depthwise_output_over_its_input);
    RUN_TEST(gap_of_a_small_pointwise_layer);
    return test_report();
}
