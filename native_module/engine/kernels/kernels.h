// The kernels the ops call: one dispatcher per op and type. Each picks the
// fastest kernel this build has for the shape (kernels/opt/, chosen at compile
// time by the core's features) and ends at the reference kernel in
// kernels/ref/, which defines the result: every fast path gives its bytes.
//
// A dispatcher that may use scratch has a companion <name>_scratch_size(),
// which the op's scratch_size reports to the planner for the kernel set being
// planned (it->target.kernels: a host plans a board's arena); eval then passes
// node->scratch and node->scratch_bytes. With less scratch than asked for, the
// dispatcher takes a path that needs none.
#ifndef TML_KERNELS_H
#define TML_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tml.h"
#include "kernels/ref/conv_2d.h"
#include "kernels/ref/depthwise_conv_2d.h"
#include "kernels/ref/fully_connected.h"

// Scratch of tml_conv_2d_s8 built with kernel set `kernels` (tml_kernel_set_t) for a
// filter_h x filter_w x filter_c filter with in_c input channels (filter_c < in_c:
// grouped); 0 when no path needs any.
size_t tml_conv_2d_s8_scratch_size(int32_t kernels, int32_t filter_h, int32_t filter_w, int32_t filter_c, int32_t in_c);
void tml_conv_2d_s8(const tml_conv_2d_s8_params_t *p, const int8_t *input, const int8_t *filter,
    const int32_t *bias, int8_t *output, void *scratch, size_t scratch_bytes);
// True when tml_conv_2d_s8 (and each band of tml_conv_2d_s8_rows) takes a fast path of this
// build for p with scratch_bytes of scratch; false: the reference kernel, which a build with
// TML_KERNEL_REFERENCE_CONV=0 lacks, so that its prepare refuses the layer.
bool tml_conv_2d_s8_fast(const tml_conv_2d_s8_params_t *p, size_t scratch_bytes);

// Scratch of tml_depthwise_conv_2d_s8 built with kernel set `kernels` for an input in_w
// wide with in_c channels and a filter_h x filter_w filter with out_c output channels; 0
// when no path needs any.
size_t tml_depthwise_conv_2d_s8_scratch_size(int32_t kernels, int32_t in_w, int32_t in_c, int32_t filter_h,
    int32_t filter_w, int32_t out_c);
void tml_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch, size_t scratch_bytes);
// As tml_conv_2d_s8_fast, for tml_depthwise_conv_2d_s8.
bool tml_depthwise_conv_2d_s8_fast(const tml_depthwise_conv_2d_s8_params_t *p, size_t scratch_bytes);

// Output rows [row0, row0 + rows) of a one-image convolution (batches 1), from an input of
// which only image rows [in_row0, in_row0 + in_rows) are at `input`, into rows x out_w x out_c
// bytes at `output`: one band of a patched chain (tml_interp.c). The held rows must include
// every image row those outputs read (tml_window_rows). Bit-exact with the whole layer's rows,
// on every path: the band is the same layer on a shorter input, its top padding moved by the
// rows left out (negative when it starts inside the image), so each path sees a shape it runs.
void tml_conv_2d_s8_rows(const tml_conv_2d_s8_params_t *p, int32_t row0, int32_t rows, int32_t in_row0,
    int32_t in_rows, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
    void *scratch, size_t scratch_bytes);
void tml_depthwise_conv_2d_s8_rows(const tml_depthwise_conv_2d_s8_params_t *p, int32_t row0, int32_t rows,
    int32_t in_row0, int32_t in_rows, const int8_t *input, const int8_t *filter, const int32_t *bias,
    int8_t *output, void *scratch, size_t scratch_bytes);

// The image rows [*first, *end) that output rows [row0, row0 + rows) of a window read (stride,
// dilation, filter height and leading padding along the height; in_h rows in the image);
// *first == *end when they read none. With a dilation, the first row inside the image may be
// the second output row's, not the first's: rows are walked in from both ends until one
// starts (ends) inside the image, and every later (earlier) one starts (ends) further in.
static inline void tml_window_rows(int32_t row0, int32_t rows, int32_t stride, int32_t dilation,
    int32_t filter, int32_t pad, int32_t in_h, int32_t *first, int32_t *end) {
    const int32_t span = (filter - 1) * dilation;
    int32_t lo = in_h, hi = 0;
    for (int32_t oy = row0; oy < row0 + rows; oy++) {
        const int32_t iy0 = oy * stride - pad;
        const int32_t tap = iy0 < 0 ? iy0 + (-iy0 + dilation - 1) / dilation * dilation : iy0;
        if (tap <= iy0 + span && tap < in_h) {
            lo = tap < lo ? tap : lo;
        }
        if (iy0 >= 0) {
            break;
        }
    }
    for (int32_t oy = row0 + rows - 1; oy >= row0; oy--) {
        const int32_t iy0 = oy * stride - pad, last = iy0 + span;
        const int32_t tap = last >= in_h ? last - (last - in_h + dilation) / dilation * dilation : last;
        if (tap >= iy0 && tap >= 0) {
            hi = tap + 1 > hi ? tap + 1 : hi;
        }
        if (last < in_h) {
            break;
        }
    }
    *first = lo < hi ? lo : 0;
    *end = lo < hi ? hi : 0;
}

// A band's input, for the *_rows kernels: drops the held rows before the first one output
// rows [row0, row0 + rows) read, so the band has the top padding of the layer's own first rows
// at most and none inside the image (where the 1x1 path needs none). Updates *in_row0 and
// *in_rows, sets *band_pad to the band's top padding (negative when it starts inside the
// image) and returns how many rows were dropped from the input's start (kernels/band_input.c).
int32_t tml_band_input(int32_t row0, int32_t rows, int32_t stride, int32_t dilation, int32_t filter,
    int32_t pad, int32_t in_h, int32_t *in_row0, int32_t *in_rows, int32_t *band_pad);

void tml_fully_connected_s8(const tml_fully_connected_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output);

// Accumulators of one int8 row against `rows` int8 filter rows of `depth`, with no
// requantization: acc[o] = bias[o] (0 when bias is NULL) + the sum over k of
// (x[k] + input_offset) * filter[o * depth + k]. The gate products of the LSTM and the
// feature products of SVDF, which requantize to int16 or their state themselves.
void tml_mat_vec_s8_s32(const int8_t *x, int32_t input_offset, const int8_t *filter,
    int32_t depth, int32_t rows, const int32_t *bias, int32_t *acc);

#endif // TML_KERNELS_H
