// gemmlowp-style fixed-point arithmetic on raw int32 values, as TFLite's
// reference SOFTMAX, LOGISTIC and TANH kernels use it, reproduced bit for bit.
//
// A value in "Qn" has n integer bits and 31 - n fractional bits: raw r means
// r / 2^(31 - n). Multiplying a Qa by a Qb (tml_sat_round_doubling_high_mul)
// gives a Q(a + b). Addition and subtraction wrap, as int32 does in gemmlowp
// on two's complement targets. Functions that take `int_bits` are generic in
// the input format; results are Q0 unless stated.
#ifndef TML_FIXEDPOINT_H
#define TML_FIXEDPOINT_H

#include <stdint.h>

#include "tml_quant.h"

#define TML_FP_ONE_Q0 INT32_MAX  // 1.0 saturates to the largest Q0 value

static inline int32_t tml_fp_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t tml_fp_sub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t tml_fp_neg(int32_t a) {
    return (int32_t)(0u - (uint32_t)a);
}

// gemmlowp's fixed-point multiply: tml_sat_round_doubling_high_mul (tml_quant.h).
static inline int32_t tml_fp_mul(int32_t a, int32_t b) {
    return tml_sat_round_doubling_high_mul(a, b);
}

// (a + b) / 2 rounded half away from zero: gemmlowp's (sum + (sum >= 0 ? 1 : -1)) / 2,
// truncated, is (sum + 1) >> 1 for sum >= 0 and sum >> 1 below.
static inline int32_t tml_fp_rounding_half_sum(int32_t a, int32_t b) {
    int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0)) >> 1);
}

// x * 2^exponent saturated, for 0 <= exponent < 32.
static inline int32_t tml_fp_sat_shift_left(int32_t x, int exponent) {
    int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

// x * 2^exponent: a saturating left shift for exponent > 0, a rounding right
// shift for exponent < 0 (gemmlowp's SaturatingRoundingMultiplyByPOT).
static inline int32_t tml_fp_mul_pot(int32_t x, int exponent) {
    if (exponent > 0) {
        return tml_fp_sat_shift_left(x, exponent);
    }
    if (exponent < 0) {
        return tml_rounding_divide_by_pot(x, -exponent);
    }
    return x;
}

// Changes the format of x from Q(src_bits) to Q(dst_bits) (gemmlowp's Rescale).
static inline int32_t tml_fp_rescale(int32_t x, int src_bits, int dst_bits) {
    return tml_fp_mul_pot(x, src_bits - dst_bits);
}

// Leading zero bits of x; 32 for 0.
static inline int tml_fp_clz(uint32_t x) {
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while ((x & 0x80000000u) == 0) {
        x <<= 1;
        n++;
    }
    return n;
}

// exp(a) for a in [-1/4, 0), a and result in Q0: a Taylor expansion around -1/8.
static inline int32_t tml_fp_exp_on_interval_neg_quarter_0(int32_t a) {
    const int32_t exp_minus_one_eighth = 1895147668;  // exp(-1/8) in Q0
    const int32_t one_third = 715827883;              // 1/3 in Q0
    int32_t x = tml_fp_add(a, 1 << 28);               // x = a + 1/8
    int32_t x2 = tml_fp_mul(x, x);
    int32_t x3 = tml_fp_mul(x2, x);
    int32_t x4 = tml_fp_mul(x2, x2);
    int32_t x4_over_4 = tml_fp_mul_pot(x4, -2);
    // x^4/24 + x^3/6 + x^2/2 = ((x^4/4 + x^3) / 3 + x^2) / 2
    int32_t poly = tml_fp_mul_pot(
        tml_fp_add(tml_fp_mul(tml_fp_add(x4_over_4, x3), one_third), x2), -1);
    return tml_fp_add(exp_minus_one_eighth,
        tml_fp_mul(exp_minus_one_eighth, tml_fp_add(x, poly)));
}

// exp(a) for a <= 0 given in Q(int_bits); result in Q0. Out of line
// (kernels/ref/fixedpoint.c): SOFTMAX, LOGISTIC and TANH share one copy.
int32_t tml_fp_exp_on_negative_values(int32_t a, int int_bits);

// Newton-Raphson reciprocal of (1 + a) / 2 in Q2, a in (0, 1) in Q0.
static inline int32_t tml_fp_half_reciprocal_iter(int32_t a) {
    const int32_t c48_over_17 = 1515870810;       // 48/17 in Q2
    const int32_t cneg32_over_17 = -1010580540;   // -32/17 in Q2
    const int32_t one_q2 = (int32_t)1 << 29;
    int32_t half_denominator = tml_fp_rounding_half_sum(a, TML_FP_ONE_Q0);
    int32_t x = tml_fp_add(c48_over_17, tml_fp_mul(half_denominator, cneg32_over_17));
    for (int i = 0; i < 3; i++) {
        int32_t half_denominator_times_x = tml_fp_mul(half_denominator, x);     // Q2
        int32_t one_minus = tml_fp_sub(one_q2, half_denominator_times_x);        // Q2
        x = tml_fp_add(x, tml_fp_rescale(tml_fp_mul(x, one_minus), 4, 2));
    }
    return x;
}

// 1 / (1 + a) for a in (0, 1); a and result in Q0.
static inline int32_t tml_fp_one_over_one_plus_x(int32_t a) {
    // x approximates 2 / (1 + a) in Q2; the same raw value read as Q1 is
    // 1 / (1 + a).
    return tml_fp_rescale(tml_fp_half_reciprocal_iter(a), 1, 0);
}

// (1 - a) / (1 + a) for a in (0, 1); a and result in Q0.
static inline int32_t tml_fp_one_minus_x_over_one_plus_x(int32_t a) {
    int32_t x = tml_fp_half_reciprocal_iter(a);
    return tml_fp_rescale(tml_fp_sub(x, (int32_t)1 << 29), 2, 0);
}

// tanh(a) for a in Q(int_bits); result in Q0.
static inline int32_t tml_fp_tanh(int32_t a, int int_bits) {
    if (a == 0) {
        return 0;
    }
    int32_t n = a < 0 ? a : tml_fp_neg(a);
    // -tanh(n) = (1 - exp(2n)) / (1 + exp(2n)); 2n is n read with one more integer bit.
    int32_t t = tml_fp_one_minus_x_over_one_plus_x(tml_fp_exp_on_negative_values(n, int_bits + 1));
    return a < 0 ? tml_fp_neg(t) : t;
}

// logistic(a) = 1 / (1 + exp(-a)) for a in Q(int_bits); result in Q0.
static inline int32_t tml_fp_logistic(int32_t a, int int_bits) {
    if (a == 0) {
        return (int32_t)1 << 30;
    }
    int32_t abs_a = a > 0 ? a : tml_fp_neg(a);
    int32_t pos = tml_fp_one_over_one_plus_x(tml_fp_exp_on_negative_values(tml_fp_neg(abs_a), int_bits));
    return a > 0 ? pos : tml_fp_sub(TML_FP_ONE_Q0, pos);
}

// 1 / x for x > 0 in Q(int_bits), as a Q0 value times 2^num_bits_over_unit
// (TFLite's GetReciprocal).
static inline int32_t tml_fp_reciprocal(int32_t x, int int_bits, int *num_bits_over_unit) {
    int headroom_plus_one = tml_fp_clz((uint32_t)x);
    *num_bits_over_unit = int_bits - headroom_plus_one;
    if (headroom_plus_one >= 32) {
        return TML_FP_ONE_Q0;  // x == 0: not reached by the kernels
    }
    int32_t shifted_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    return tml_fp_one_over_one_plus_x(shifted_minus_one);
}

// ---- int16 raw values (HARD_SWISH) ---------------------------------------------

static inline int16_t tml_fp16_sat(int32_t x) {
    return (int16_t)(x > INT16_MAX ? INT16_MAX : (x < INT16_MIN ? INT16_MIN : x));
}

// gemmlowp's SaturatingRoundingDoublingHighMul on int16, as tml_fp_mul computes it: its
// (ab + nudge) / 2^15 (nudge 2^14, or 1 - 2^14 below 0, truncated) is floor((ab + 2^14) / 2^15).
static inline int16_t tml_fp16_sat_round_doubling_high_mul(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * b + (1 << 14)) >> 15);
}

// As above but truncating towards zero instead of rounding (ARM SQDMULH).
static inline int16_t tml_fp16_sat_doubling_high_mul(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

// gemmlowp's RoundingDivideByPOT on int16 (mask and threshold in int16 too,
// which matters only for exponents of 16 and more).
static inline int16_t tml_fp16_rounding_divide_by_pot(int16_t x, int exponent) {
    int16_t mask = (int16_t)(((int64_t)1 << exponent) - 1);
    int16_t remainder = (int16_t)(x & mask);
    int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

// x * 2^amount saturated to int16 (TFLite's SaturatingLeftShift).
static inline int16_t tml_fp16_sat_left_shift(int16_t x, int amount) {
    return tml_fp16_sat((int32_t)x * ((int32_t)1 << amount));
}

#endif // TML_FIXEDPOINT_H
