#include "tml_math.h"
#include "tml_quant.h"

void tml_quantize_multiplier(double m, int32_t *q, int *shift) {
    // m - m is NaN for the infinite or NaN ratios of a corrupt model's scales.
    if (m == 0.0 || m - m != 0.0) {
        *q = 0;
        *shift = 0;
        return;
    }
    double mantissa = tml_frexp(m, shift);
    int64_t fixed = (int64_t)tml_round(mantissa * (double)((int64_t)1 << 31));
    if (fixed == ((int64_t)1 << 31)) {
        fixed /= 2;
        ++*shift;
    }
    if (*shift < -31) {
        *shift = 0;
        fixed = 0;
    }
    // No real model comes near 2^30; saturate rather than shift past 31 bits
    // (as TFLite does with TFLITE_SINGLE_ROUNDING).
    if (*shift > 30) {
        *shift = 30;
        fixed = m > 0.0 ? INT32_MAX : -INT32_MAX;
    }
    *q = (int32_t)fixed;
}

bool tml_q4_27_multiplier(float input_scale, int32_t *multiplier, int32_t *left_shift) {
    int shift;
    double q = tml_frexp((double)input_scale * (double)(1 << 27), &shift);
    int64_t fixed = (int64_t)tml_round(q * 2147483648.0);
    if (fixed == ((int64_t)1 << 31)) {
        fixed /= 2;
        shift++;
    }
    if (shift < 0 || shift > 31) {
        return false;
    }
    *multiplier = (int32_t)fixed;
    *left_shift = shift;
    return true;
}

int32_t tml_input_radius(int integer_bits, int left_shift, int total_signed_bits) {
    double max_rescaled = 1.0 * (double)((1 << integer_bits) - 1)
        * (double)((int64_t)1 << (total_signed_bits - integer_bits)) / (double)((int64_t)1 << left_shift);
    return (int32_t)tml_floor(max_rescaled);
}
