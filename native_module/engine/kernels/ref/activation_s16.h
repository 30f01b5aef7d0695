// int16 sigmoid and tanh by table interpolation, as TFLite's reference_integer_ops::Logistic
// and Tanh for int16 (kernels/internal/reference/integer_ops/logistic.h, tanh.h), bit for
// bit. Both read tml_sigmoid_table_u16, tanh through tanh(x) = 2 * sigmoid(2x) - 1.
//
// The input is scaled by (x * multiplier + rounding) >> left_shift before the lookup, and a
// multiplier of 0 means 3 << left_shift with no shift (the power-of-two case, Q3.12 input
// for sigmoid). Outputs are Q0.15.
#ifndef TML_KERNELS_REF_ACTIVATION_S16_H
#define TML_KERNELS_REF_ACTIVATION_S16_H

#include <stdint.h>

extern const uint16_t tml_sigmoid_table_u16[256];

void tml_ref_logistic_s16(int32_t multiplier, int32_t left_shift, uint32_t n, const int16_t *input,
    int16_t *output);
void tml_ref_tanh_s16(int32_t multiplier, int32_t left_shift, uint32_t n, const int16_t *input,
    int16_t *output);

#endif // TML_KERNELS_REF_ACTIVATION_S16_H
