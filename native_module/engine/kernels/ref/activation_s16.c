// int16 sigmoid and tanh; see activation_s16.h.
#include "kernels/ref/activation_s16.h"

// The scaled input: x * multiplier / 2^left_shift, rounded half up.
static int32_t scaled(int16_t x, int32_t *multiplier, int32_t *left_shift) {
    if (*multiplier == 0) {
        *multiplier = 3 << *left_shift;
        *left_shift = 0;
    }
    int32_t round = *left_shift > 0 ? 1 << (*left_shift - 1) : 0;
    return ((int32_t)x * *multiplier + round) >> *left_shift;
}

// Table value at |x| with `frac_bits` bits below the table step, interpolated linearly:
// a fixed-point number with frac_bits more fractional bits than the table.
static uint32_t lookup(uint32_t a, int frac_bits) {
    uint32_t i = a >> frac_bits;
    if (i >= 255) {
        return 0;  // saturated: the caller knows the limit
    }
    uint32_t lo = tml_sigmoid_table_u16[i];
    uint32_t hi = tml_sigmoid_table_u16[i + 1];
    return (lo << frac_bits) + (a & ((1u << frac_bits) - 1)) * (hi - lo);
}

void tml_ref_logistic_s16(int32_t multiplier, int32_t left_shift, uint32_t n, const int16_t *input,
    int16_t *output) {
    for (uint32_t k = 0; k < n; k++) {
        int32_t m = multiplier, s = left_shift;
        int32_t x = scaled(input[k], &m, &s);
        uint32_t a = x < 0 ? (uint32_t)0 - (uint32_t)x : (uint32_t)x;
        // 9 fraction bits: 7 for the table step of 1/24 after the 3/4 scaling, 2 for Q3.12.
        uint32_t r = (a >> 9) >= 255 ? 0x7fffu << 10 : lookup(a, 9);
        // sigmoid(-x) = 1 - sigmoid(x); both roundings as TFLite's.
        r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
        output[k] = (int16_t)(r >> 10);
    }
}

void tml_ref_tanh_s16(int32_t multiplier, int32_t left_shift, uint32_t n, const int16_t *input,
    int16_t *output) {
    for (uint32_t k = 0; k < n; k++) {
        int32_t m = multiplier, s = left_shift;
        int32_t x = scaled(input[k], &m, &s);
        uint32_t a = x < 0 ? (uint32_t)0 - (uint32_t)x : (uint32_t)x;
        // One fraction bit fewer than the sigmoid: tanh(x) reads sigmoid(2x).
        int32_t r = (a >> 8) >= 255 ? (int32_t)(0xffffu << 8) : (int32_t)lookup(a, 8);
        r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[k] = (int16_t)(r >> 8);
    }
}
