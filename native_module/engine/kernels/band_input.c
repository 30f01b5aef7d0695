// The input of one band of a patched chain, for the *_rows kernels of both convolutions: out
// of line, one copy for both (not a hot path: once per band of a layer).
#include "kernels/kernels.h"

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
