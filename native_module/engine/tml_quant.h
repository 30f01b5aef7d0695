// Fixed-point arithmetic shared by the int8 kernels, matching TFLite's
// reference semantics bit for bit (gemmlowp's rounding doubling high multiply
// and rounding right shift, applied twice: TFLITE_SINGLE_ROUNDING off, as in
// TFLite Micro's default build).
#ifndef TML_QUANT_H
#define TML_QUANT_H

#include <stdbool.h>
#include <stdint.h>

// Splits a real multiplier into a Q31 mantissa and a power-of-two exponent
// (TFLite's QuantizeMultiplier): m ~= q * 2^(shift - 31).
void tml_quantize_multiplier(double m, int32_t *q, int *shift);

// input_scale * 2^27 (the Q4.27 input of the fixed-point logistic and tanh)
// as a Q31 multiplier and a left shift, as TFLite's logistic and tanh prepare
// compute it: the frexp mantissa is rounded directly, not through
// QuantizeMultiplier. False when the shift falls outside 0..31.
bool tml_q4_27_multiplier(float input_scale, int32_t *multiplier, int32_t *left_shift);

// Largest |input| a fixed-point sigmoid/tanh with this many integer bits can
// see before saturating (TFLite's CalculateInputRadius).
int32_t tml_input_radius(int integer_bits, int left_shift, int total_signed_bits);

// gemmlowp's SaturatingRoundingDoublingHighMul in fewer instructions: its (ab + nudge) / 2^31,
// nudge 2^30 for ab >= 0 and 1 - 2^30 below, truncated towards zero, is floor((ab + 2^30) / 2^31)
// for either sign (below 0, truncating (ab + 1 - 2^30) / 2^31 is rounding it up, which adds
// 2^31 - 1 before flooring). One add and an arithmetic shift, no sign test or 64-bit division.
static inline int32_t tml_sat_round_doubling_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

static inline int32_t tml_rounding_divide_by_pot(int32_t x, int exponent) {
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * q * 2^(shift - 31) with TFLite's rounding (MultiplyByQuantizedMultiplier).
static inline int32_t tml_mul_by_quantized_multiplier(int32_t x, int32_t q, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return tml_rounding_divide_by_pot(
        tml_sat_round_doubling_high_mul((int32_t)((uint32_t)x << left), q), right);
}

// x * q * 2^(shift - 31) where shift <= 0 (MultiplyByQuantizedMultiplierSmallerThanOneExp).
static inline int32_t tml_mul_by_quantized_multiplier_lt1(int32_t x, int32_t q, int shift) {
    return tml_rounding_divide_by_pot(tml_sat_round_doubling_high_mul(x, q), -shift);
}

// x * 2^left_shift * q (MultiplyByQuantizedMultiplierGreaterThanOne).
static inline int32_t tml_mul_by_quantized_multiplier_gt1(int32_t x, int32_t q, int left_shift) {
    return tml_sat_round_doubling_high_mul((int32_t)((uint32_t)x << left_shift), q);
}

static inline int32_t tml_clamp_i32(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

#endif // TML_QUANT_H
