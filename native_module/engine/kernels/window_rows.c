// The rows of an image a band of output rows reads, for the planner (tml_plan.c) and the
// *_rows kernels of a patched chain; out of line, one copy for all of them (not a hot path:
// once per band of a layer).
#include "kernels/kernels.h"

// The image rows [*first, *end) that output rows [row0, row0 + rows) of a window read (stride,
// dilation, filter height and leading padding along the height; in_h rows in the image);
// *first == *end when they read none. With a dilation, the first row inside the image may be
// the second output row's, not the first's: rows are walked in from both ends until one
// starts (ends) inside the image, and every later (earlier) one starts (ends) further in.
void tml_window_rows(int32_t row0, int32_t rows, int32_t stride, int32_t dilation,
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
// image) and returns how many rows were dropped from the input's start.
int32_t tml_band_input(int32_t row0, int32_t rows, int32_t stride, int32_t dilation,
    int32_t filter, int32_t pad, int32_t in_h, int32_t *in_row0, int32_t *in_rows, int32_t *band_pad) {
    int32_t first, end, dropped = 0;
    tml_window_rows(row0, rows, stride, dilation, filter, pad, in_h, &first, &end);
    if (first > *in_row0) {
        dropped = first - *in_row0;
        *in_rows -= dropped;
        *in_row0 = first;
    }
    *band_pad = pad + *in_row0 - row0 * stride;
    return dropped;
}
