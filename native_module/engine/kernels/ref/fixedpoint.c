// The out-of-line part of tml_fixedpoint.h: an inlined copy of the exponential
// in each of the int8 SOFTMAX, LOGISTIC and TANH kernels cost 0.6 KB of flash
// more than this one, for a call per element.
#include "tml_fixedpoint.h"

// The input is split into a part in [-1/4, 0) and a multiple of 1/4 whose bits
// select constant factors exp(-2^k).
int32_t tml_fp_exp_on_negative_values(int32_t a, int int_bits) {
    static const int32_t factors[7] = {
        1672461947,  // exp(-1/4)
        1302514674,  // exp(-1/2)
        790015084,   // exp(-1)
        290630308,   // exp(-2)
        39332535,    // exp(-4)
        720401,      // exp(-8)
        242,         // exp(-16)
    };
    const int frac_bits = 31 - int_bits;
    const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
    int32_t a_mod_quarter_minus_quarter = tml_fp_sub(a & (one_quarter - 1), one_quarter);
    // Q(int_bits) to Q0: tml_fp_rescale, whose other direction int_bits >= 0 never takes.
    int32_t result = tml_fp_exp_on_interval_neg_quarter_0(
        tml_fp_sat_shift_left(a_mod_quarter_minus_quarter, int_bits));
    int32_t remainder = tml_fp_sub(a_mod_quarter_minus_quarter, a);
    for (int k = -2; k <= 4; k++) {
        if (int_bits > k && (remainder & ((int32_t)1 << (frac_bits + k)))) {
            result = tml_fp_mul(result, factors[k + 2]);
        }
    }
    if (int_bits > 5) {
        // Below -32 the result underflows Q0.
        int32_t clamp = -((int32_t)1 << (36 - int_bits));
        if (a < clamp) {
            result = 0;
        }
    }
    return a == 0 ? TML_FP_ONE_Q0 : result;
}
