// IEEE-754 bit access and constants shared by the libm replacements of the engine (tml_math.c)
// and of the DSP module (dsp/dsp_math.c); not for kernels.
#ifndef TML_MATH_BITS_H
#define TML_MATH_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint64_t dbits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof(u));
    return u;
}

static inline double dfrom(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

static inline uint32_t fbits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    return u;
}

static inline float ffrom(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

#define D_SIGN ((uint64_t)1 << 63)
#define D_EXP_MASK ((uint64_t)0x7ff << 52)
#define D_FRAC_MASK (((uint64_t)1 << 52) - 1)

static inline int dexp_field(uint64_t u) {
    return (int)((u >> 52) & 0x7ff);
}

static inline double d_inf(void) {
    return dfrom(D_EXP_MASK);
}

static inline double d_nan(void) {
    return dfrom(D_EXP_MASK | ((uint64_t)1 << 51));
}

static inline int d_isnan(double x) {
    return (dbits(x) & ~D_SIGN) > D_EXP_MASK;
}

// 2^e for -1022 <= e <= 1023, exactly.
static inline double pow2i(int e) {
    return dfrom((uint64_t)(e + 1023) << 52);
}

// ln 2 split so that k * LN2_HI is exact for |k| < 2^20.
static const double LN2_HI = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
static const double LN2_LO = 1.90821492927058770002e-10;  // 0x3dea39ef35793c76
static const double INV_LN2 = 1.44269504088896338700e+00;

#endif // TML_MATH_BITS_H
