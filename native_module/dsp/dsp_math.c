// The libm replacements only the DSP module calls (sqrtf, log, logf, pow), built on the engine's
// tml_math.c (exp, frexp, floor): no op needs them, so they are the module's code, not the
// engine's, and an engine built without the module carries none of them.
#include "tml_dsp.h"
#include "tml_math.h"
#include "tml_math_bits.h"

float tml_sqrtf(float x) {
    uint32_t u = fbits(x);
    if ((u & 0x7fffffffu) == 0 || u == 0x7f800000u || (u & 0x7fffffffu) > 0x7f800000u) {
        return x + x;  // +-0, +inf, nan
    }
    if (u & 0x80000000u) {
        return (float)d_nan();
    }
    int e = (int)(u >> 23);
    uint32_t m = u & 0x007fffffu;
    if (e == 0) {
        // Subnormal: normalise the mantissa.
        e = 1;
        while ((m & 0x00800000u) == 0) {
            m <<= 1;
            e--;
        }
    } else {
        m |= 0x00800000u;
    }
    e -= 127;  // x = m * 2^(e - 23), 2^23 <= m < 2^24
    if (e & 1) {
        m <<= 1;
        e--;
    }
    // Now 2^23 <= m < 2^25 and e is even. r = floor(sqrt(m * 2^25)) has 25
    // bits: the 24 of the result and a rounding bit. The exact root is never
    // halfway between two results (that would make m * 2^25 an odd square).
    uint64_t v = (uint64_t)m << 25;
    uint64_t r = 0;
    uint64_t bit = (uint64_t)1 << 50;
    while (bit > v) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    uint32_t q = (uint32_t)(r >> 1) + (uint32_t)(r & 1);
    int re = e / 2;  // sqrt(x) = q * 2^(re - 23)
    if (q == 0x01000000u) {
        q >>= 1;
        re++;
    }
    return ffrom(((uint32_t)(re + 127) << 23) | (q & 0x007fffffu));
}

double tml_log(double x) {
    uint64_t u = dbits(x);
    if (d_isnan(x)) {
        return x;
    }
    if ((u & ~D_SIGN) == 0) {
        return -d_inf();
    }
    if (u & D_SIGN) {
        return d_nan();
    }
    if (u == D_EXP_MASK) {
        return x;  // +inf
    }
    int k;
    double m = tml_frexp(x, &k);  // 0.5 <= m < 1
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        k--;
    }
    // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716; m - 1 is exact.
    double f = m - 1.0;
    double s = f / (m + 1.0);
    double z = s * s;
    double p = 1.0 / 23.0;
    p = 1.0 / 21.0 + z * p;
    p = 1.0 / 19.0 + z * p;
    p = 1.0 / 17.0 + z * p;
    p = 1.0 / 15.0 + z * p;
    p = 1.0 / 13.0 + z * p;
    p = 1.0 / 11.0 + z * p;
    p = 1.0 / 9.0 + z * p;
    p = 1.0 / 7.0 + z * p;
    p = 1.0 / 5.0 + z * p;
    p = 1.0 / 3.0 + z * p;
    double two_s = 2.0 * s;
    double lm = two_s + two_s * (z * p);
    double kd = (double)k;
    return kd * LN2_HI + (kd * LN2_LO + lm);
}

static int is_integer(double y) {
    return tml_floor(y) == y;
}

static int is_odd_integer(double y) {
    if (!is_integer(y)) {
        return 0;
    }
    double h = y * 0.5;
    return tml_floor(h) != h;
}

double tml_pow(double x, double y) {
    if (y == 0.0 || x == 1.0) {
        return 1.0;
    }
    if (d_isnan(x) || d_isnan(y)) {
        return x + y;
    }
    double ay = y < 0 ? -y : y;
    double ax = x < 0 ? -x : x;
    if (ay == d_inf()) {
        if (ax == 1.0) {
            return 1.0;
        }
        return (ax > 1.0) == (y > 0) ? d_inf() : 0.0;
    }
    int odd = is_odd_integer(y);
    if (x == 0.0 || ax == d_inf()) {
        // 0^y and inf^y: 0 or inf, negative only for negative x and odd y.
        double mag = ((x == 0.0) == (y < 0)) ? d_inf() : 0.0;
        return (odd && (dbits(x) & D_SIGN)) ? -mag : mag;
    }
    if (x < 0 && !is_integer(y)) {
        return d_nan();
    }
    double result;
    if (ay <= 1024.0 && is_integer(ay)) {
        // Integer powers by squaring: exact whenever the result is representable
        // (powers of two, small integers).
        uint32_t n = (uint32_t)ay;
        double b = ax;
        result = 1.0;
        while (n) {
            if (n & 1) {
                result *= b;
            }
            b *= b;
            n >>= 1;
        }
        if (y < 0) {
            result = 1.0 / result;
        }
        if (result == 0.0 || result == d_inf()) {
            // An intermediate power overflowed; the result may still be finite.
            result = tml_exp(y * tml_log(ax));
        }
    } else {
        result = tml_exp(y * tml_log(ax));
    }
    return (x < 0 && odd) ? -result : result;
}

float tml_logf(float x) {
    return (float)tml_log((double)x);
}
