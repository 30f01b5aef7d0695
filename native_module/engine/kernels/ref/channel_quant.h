// Requantization of int32 accumulators with one multiplier per output channel,
// shared by the int8 convolution kernels (TFLite's per-channel conv params).
#ifndef TML_KERNELS_REF_CHANNEL_QUANT_H
#define TML_KERNELS_REF_CHANNEL_QUANT_H

#include <stdint.h>

typedef struct {
    int32_t input_offset;       // -input zero point
    int32_t output_offset;      // output zero point
    int32_t act_min, act_max;   // clamp range of the fused activation
    const int32_t *multiplier;  // one Q31 multiplier per output channel
    const int8_t *shift;        // one exponent per output channel (> 0: left shift)
} tml_channel_quant_t;

#endif // TML_KERNELS_REF_CHANNEL_QUANT_H
