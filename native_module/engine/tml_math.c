// libm replacements for the engine (see tml_math.h), written for IEEE-754
// binary32/binary64 without libm so that native modules link without it.
//
// frexp, ldexp, round, floor and fabsf are exact. The transcendental functions evaluate in double precision and are
// accurate to about one double ulp, so the float versions are correctly
// rounded except in rare double-rounding cases.
#include <stdbool.h>
#include <string.h>

#include "tml_compiler.h"
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

TML_NOINLINE double tml_ldexp(double x, int e) {
    // Scale in steps that stay exact; the last multiplication rounds once. Below 2^-1022 the
    // steps are 2^(-1022 + 53), so that no intermediate result is subnormal (which would round
    // twice). Past two steps either way the result is inf or 0 whatever e is: e is clamped
    // first so that the loops stop after two.
    e = e > 3 * 1023 ? 3 * 1023 : (e < -1022 - 2 * 969 ? -1022 - 2 * 969 : e);
    while (e > 1023) {
        x *= pow2i(1023);
        e -= 1023;
    }
    while (e < -1022) {
        x *= pow2i(-1022 + 53);
        e += 1022 - 53;
    }
    return x * pow2i(e);
}

// x rounded to an integer, half away from zero (nearest) or towards -inf: the fraction bits
// are cleared after adding to the magnitude what carries into the integer part (half a unit,
// or for a negative x a unit less one ulp, which carries unless x is integral). One body for
// floor and round: neither runs in a kernel's inner loop.
static TML_NOINLINE double to_integer(double x, bool nearest) {
    uint64_t u = dbits(x);
    uint64_t sign = u & D_SIGN;
    int e = dexp_field(u) - 1023;
    if (e >= 52) {
        return x;  // integral, inf or nan
    }
    if (e < 0) {
        // |x| < 1: +-0, or +-1 when rounding 0.5 <= |x|, or -1 for the floor of a negative.
        bool one = nearest ? e == -1 : (sign != 0 && (u & ~D_SIGN) != 0);
        return dfrom(sign | (one ? (uint64_t)1023 << 52 : 0));
    }
    uint64_t frac = D_FRAC_MASK >> e;
    uint64_t add = nearest ? (frac + 1) >> 1 : (sign != 0 ? frac : 0);
    return dfrom((u + add) & ~frac);
}

double tml_floor(double x) {
    return to_integer(x, false);
}

double tml_round(double x) {
    return to_integer(x, true);
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

// The Taylor coefficients of exp(r) - 1 - r over r^2, highest first: 1/14! to 1/2!.
static const double expm1_coefs[] = {
    1.0 / 87178291200.0, 1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
    1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5,
};

// exp(r) - 1 for |r| <= 0.35 by its Taylor series (terms to r^14/14!, whose
// contribution there is below 2^-60), by Horner's rule.
static TML_NOINLINE double expm1_small(double r) {
    const double *c = expm1_coefs;
    double p = *c++;
    while (c < expm1_coefs + sizeof(expm1_coefs) / sizeof(expm1_coefs[0])) {
        p = *c++ + r * p;
    }
    // r + r^2 * p keeps the leading term exact.
    return r + (r * r) * p;
}

// Out of line: at -O2 the float versions would each take a copy.
TML_NOINLINE double tml_exp(double x) {
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
static TML_NOINLINE double expm1_d(double x) {
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
