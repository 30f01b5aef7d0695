// TFLM_DECODE's lookup tables, shared with the ops that decode their compressed weights
// themselves, a block at a time, instead of reading the whole layer from the arena
// (FULLY_CONNECTED; the DECODE output is then TML_TENSOR_DEFERRED and never planned).
#ifndef TML_OPS_DECODE_H
#define TML_OPS_DECODE_H

#include "tml_op.h"

// A LUT header, read from an ancillary tensor that DECODE's prepare checked against its
// encoded tensor and output.
typedef struct {
    const uint8_t *indices;
    const uint8_t *tables;  // channels * stride values of elem bytes
    uint32_t elem;          // bytes of one output value
    uint32_t bit_width;
    uint32_t stride;
    uint32_t channels;
    uint32_t inner;         // elements of one channel when the axis is the first one
    bool axis_last;         // channels interleave: element i is of channel i % channels
} tml_lut_t;

// The tables that DECODE node `decode` uses for its output tensor `output` (a tensor index).
tml_status_t tml_lut_read(tml_interp_t *it, const tml_node_t *decode, int32_t output, tml_lut_t *lut);

// Writes elements first .. first + count - 1 of the decoded tensor to out. Returns false on an
// index past its table (a corrupt or altered model).
bool tml_lut_decode(const tml_lut_t *lut, uint32_t first, uint32_t count, uint8_t *out);

#endif // TML_OPS_DECODE_H
