// libm replacements for the engine (see tml_math.h), written for IEEE-754
// binary32/binary64 without libm so that native modules link without it.
//
// frexp, ldexp, round, floor and fabsf are exact. The transcendental functions evaluate in double precision and are
// accurate to about one double ulp, so the float versions are correctly
// rounded except in rare double-rounding cases.
#include <string.h>

#include "tml_math.h"
#include "tml_math_bits.h"

// ---- exact functions -----------------------------------------------------

double tml_frexp(double x, int *e) {
    uint64_t u = dbits(x);
    int ef = dexp_field(u);
    if (ef == 0x7ff || (u & ~D_SIGN) == 0) {
        *e = 0;  // zero, inf or nan: returned unchanged
        return x;
    }
    int bias = 0;
    if (ef == 0) {
        // Subnormal: scale into the normal range first (exact).
        x *= pow2i(64);
        u = dbits(x);
        ef = dexp_field(u);
        bias = 64;
    }
    *e = ef - 1022 - bias;
    return dfrom((u & ~D_EXP_MASK) | ((uint64_t)1022 << 52));
}

double tml_ldexp(double x, int e) {
    // Scale in steps that stay exact; the last multiplication rounds once.
    if (e > 1023) {
        x *= pow2i(1023);
        e -= 1023;
        if (e > 1023) {
            x *= pow2i(1023);
            e -= 1023;
            if (e > 1023) {
                e = 1023;
            }
        }
    } else if (e < -1022) {
        // Step by 2^(-1022 + 53) so that an intermediate result never becomes
        // subnormal (which would round twice).
        x *= pow2i(-1022 + 53);
        e += 1022 - 53;
        if (e < -1022) {
            x *= pow2i(-1022 + 53);
            e += 1022 - 53;
            if (e < -1022) {
                e = -1022;
            }
        }
    }
    return x * pow2i(e);
}

double tml_floor(double x) {
    uint64_t u = dbits(x);
    int e = dexp_field(u) - 1023;
    if (e >= 52) {
        return x;  // integral, inf or nan
    }
    if (e < 0) {
        if ((u & ~D_SIGN) == 0) {
            return x;  // +-0
        }
        return (u & D_SIGN) ? -1.0 : 0.0;
    }
    uint64_t frac = D_FRAC_MASK >> e;
    if ((u & frac) == 0) {
        return x;
    }
    if (u & D_SIGN) {
        u += frac + 1;  // towards -inf: bump the magnitude (may carry into the exponent)
    }
    return dfrom(u & ~frac);
}

double tml_round(double x) {
    uint64_t u = dbits(x);
    int e = dexp_field(u) - 1023;
    if (e >= 52) {
        return x;
    }
    if (e < -1) {
        return dfrom(u & D_SIGN);  // |x| < 0.5
    }
    if (e == -1) {
        return dfrom((u & D_SIGN) | ((uint64_t)1023 << 52));  // 0.5 <= |x| < 1
    }
    uint64_t frac = D_FRAC_MASK >> e;
    if ((u & frac) == 0) {
        return x;
    }
    u += (frac + 1) >> 1;  // add half a unit to the magnitude, then truncate
    return dfrom(u & ~frac);
}

float tml_roundf(float x) {
    uint32_t u = fbits(x);
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23) {
        return x;
    }
    if (e < -1) {
        return ffrom(u & 0x80000000u);
    }
    if (e == -1) {
        return ffrom((u & 0x80000000u) | 0x3f800000u);
    }
    uint32_t frac = 0x007fffffu >> e;
    if ((u & frac) == 0) {
        return x;
    }
    u += (frac + 1) >> 1;
    return ffrom(u & ~frac);
}

float tml_fabsf(float x) {
    return ffrom(fbits(x) & 0x7fffffffu);
}

// ---- exp in double precision ----------------------------------------------

// exp(r) - 1 for |r| <= 0.35 by its Taylor series (terms to r^14/14!, whose
// contribution there is below 2^-60).
static double expm1_small(double r) {
    double p = 1.0 / 87178291200.0;  // 1/14!
    p = 1.0 / 6227020800.0 + r * p;
    p = 1.0 / 479001600.0 + r * p;
    p = 1.0 / 39916800.0 + r * p;
    p = 1.0 / 3628800.0 + r * p;
    p = 1.0 / 362880.0 + r * p;
    p = 1.0 / 40320.0 + r * p;
    p = 1.0 / 5040.0 + r * p;
    p = 1.0 / 720.0 + r * p;
    p = 1.0 / 120.0 + r * p;
    p = 1.0 / 24.0 + r * p;
    p = 1.0 / 6.0 + r * p;
    p = 0.5 + r * p;
    // r + r^2 * p keeps the leading term exact.
    return r + (r * r) * p;
}

double tml_exp(double x) {
    if (d_isnan(x)) {
        return x;
    }
    if (x > 709.782712893384) {
        return d_inf();
    }
    if (x < -745.1332191019412) {
        return 0.0;
    }
    double kd = tml_round(x * INV_LN2);
    int k = (int)kd;
    double r = (x - kd * LN2_HI) - kd * LN2_LO;
    return tml_ldexp(1.0 + expm1_small(r), k);
}

// exp(x) - 1, accurate relative to the result also near 0.
static double expm1_d(double x) {
    if (x > -0.34 && x < 0.34) {
        return expm1_small(x);
    }
    if (x < -40.0) {
        return -1.0;
    }
    return tml_exp(x) - 1.0;
}

// ---- float versions ------------------------------------------------------------

float tml_expf(float x) {
    return (float)tml_exp((double)x);
}

float tml_expm1f(float x) {
    return (float)expm1_d((double)x);
}

float tml_tanhf(float x) {
    double ax = (double)tml_fabsf(x);
    double t;
    if (d_isnan(ax)) {
        return x;
    }
    if (ax > 20.0) {
        t = 1.0;
    } else {
        // tanh(a) = e / (e + 2) with e = exp(2a) - 1, accurate also for small a.
        double e = expm1_d(2.0 * ax);
        t = e / (e + 2.0);
    }
    return (float)(x < 0 ? -t : t);
}
