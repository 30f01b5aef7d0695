// tml_math.c and the DSP module's dsp_math.c against the host libm: the exact functions must agree bit for
// bit (subnormals, infinities and NaNs included), the float transcendental
// functions within 1 ulp, the double ones within a few ulp.
//
// Build: cc -std=c99 -O2 -Inative_module/engine -Inative_module/dsp tests/engine/test_math.c
//        native_module/engine/tml_math.c native_module/dsp/dsp_math.c -lm
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tml_dsp.h"
#include "tml_math.h"

static int failures;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd64(void) {
    // xorshift64*
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static double d_of(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static uint64_t bits_d(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

static float f_of(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

static uint32_t bits_f(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

static int same_d(double a, double b) {
    return (isnan(a) && isnan(b)) || bits_d(a) == bits_d(b);
}

static int same_f(float a, float b) {
    return (isnan(a) && isnan(b)) || bits_f(a) == bits_f(b);
}

// Distance in ulps between two finite floats of the same sign (or both zero).
static int64_t ulps_f(float a, float b) {
    if (isnan(a) || isnan(b)) {
        return (isnan(a) && isnan(b)) ? 0 : INT32_MAX;
    }
    if (a == b) {
        return 0;
    }
    int32_t ia = (int32_t)bits_f(a), ib = (int32_t)bits_f(b);
    if (ia < 0) {
        ia = INT32_MIN - ia;
    }
    if (ib < 0) {
        ib = INT32_MIN - ib;
    }
    int64_t d = (int64_t)ia - ib;
    return d < 0 ? -d : d;
}

static int64_t ulps_d(double a, double b) {
    if (isnan(a) || isnan(b)) {
        return (isnan(a) && isnan(b)) ? 0 : INT64_MAX;
    }
    if (a == b) {
        return 0;
    }
    int64_t ia = (int64_t)bits_d(a), ib = (int64_t)bits_d(b);
    if (ia < 0) {
        ia = INT64_MIN - ia;
    }
    if (ib < 0) {
        ib = INT64_MIN - ib;
    }
    int64_t d = ia - ib;
    if (d == INT64_MIN) {
        return INT64_MAX;
    }
    return d < 0 ? -d : d;
}

// A mix of special values, random bit patterns (all exponents, subnormals)
// and values near integers and halves.
static double sample_d(int i) {
    static const double special[] = {
        0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
        -0.49999999999999994, 4503599627370495.5, -4503599627370495.5, 4503599627370496.0,
        9007199254740993.0, 1e308, -1e308, 4.9406564584124654e-324, -4.9406564584124654e-324,
        2.2250738585072009e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
    };
    int ns = (int)(sizeof(special) / sizeof(special[0]));
    if (i < ns) {
        return special[i];
    }
    if (i == ns) {
        return INFINITY;
    }
    if (i == ns + 1) {
        return -INFINITY;
    }
    if (i == ns + 2) {
        return NAN;
    }
    uint64_t r = rnd64();
    switch (i % 4) {
        case 0:
            return d_of(r);
        case 1:
            return d_of(r & 0x800fffffffffffffull);  // subnormal
        case 2:
            return (double)(int64_t)(r >> 40) * 0.5 - 4e6;  // halves
        default:
            return d_of((r & 0x800fffffffffffffull) | ((uint64_t)(1023 + (r >> 52) % 60) << 52));
    }
}

#define CHECK(cond, ...) \
    do { if (!(cond)) { failures++; if (failures < 20) { printf(__VA_ARGS__); } } } while (0)

static void test_exact_double(void) {
    for (int i = 0; i < 400000; i++) {
        double x = sample_d(i);
        int e1 = 0, e2 = 0;
        double m1 = tml_frexp(x, &e1);
        double m2 = frexp(x, &e2);
        CHECK(same_d(m1, m2) && (isnan(x) || isinf(x) || e1 == e2),
            "frexp(%a): got %a %d, want %a %d\n", x, m1, e1, m2, e2);
        CHECK(same_d(tml_floor(x), floor(x)), "floor(%a): got %a want %a\n", x, tml_floor(x), floor(x));
        CHECK(same_d(tml_round(x), round(x)), "round(%a): got %a want %a\n", x, tml_round(x), round(x));
        int e = (int)(rnd64() % 2300) - 1150;
        CHECK(same_d(tml_ldexp(x, e), ldexp(x, e)), "ldexp(%a, %d): got %a want %a\n", x, e,
            tml_ldexp(x, e), ldexp(x, e));
    }
    // ldexp at the subnormal boundary, where double rounding would show.
    for (int i = 0; i < 200000; i++) {
        double x = d_of((rnd64() & 0x000fffffffffffffull) | ((uint64_t)1023 << 52));
        int e = -1022 - (int)(rnd64() % 60);
        CHECK(same_d(tml_ldexp(x, e), ldexp(x, e)), "ldexp(%a, %d): got %a want %a\n", x, e,
            tml_ldexp(x, e), ldexp(x, e));
    }
}

static void test_exact_float(void) {
    for (uint64_t u = 0; u < 0x100000000ull; u += 97) {
        float x = f_of((uint32_t)u);
        CHECK(same_f(tml_roundf(x), roundf(x)), "roundf(%a): got %a want %a\n", x, tml_roundf(x), roundf(x));
        CHECK(same_f(tml_fabsf(x), fabsf(x)), "fabsf(%a)\n", x);
        CHECK(same_f(tml_sqrtf(x), sqrtf(x)), "sqrtf(%a): got %a want %a\n", x, tml_sqrtf(x), sqrtf(x));
    }
}

static void ulp_stats(const char *name, int64_t max_ulp, int64_t limit, long mismatches, long n) {
    printf("%-8s max %lld ulp, %ld of %ld not equal to libm\n", name, (long long)max_ulp, mismatches, n);
    CHECK(max_ulp <= limit, "%s: %lld ulp > %lld\n", name, (long long)max_ulp, (long long)limit);
}

// Each float function against libm's float version and against the double
// version rounded to float (a correctly rounded reference in nearly all cases).
typedef struct {
    const char *name;
    int64_t max_libm, max_ref;
    long diff_libm, diff_ref;
} fstat_t;

static void fstat_add(fstat_t *s, float got, float libm_f, float ref) {
    int64_t d = ulps_f(got, libm_f);
    s->max_libm = d > s->max_libm ? d : s->max_libm;
    s->diff_libm += d != 0;
    d = ulps_f(got, ref);
    s->max_ref = d > s->max_ref ? d : s->max_ref;
    s->diff_ref += d != 0;
}

static void fstat_report(const fstat_t *s, long n) {
    printf("%-8s vs libm float: max %lld ulp, %ld differ; vs rounded double: max %lld ulp, %ld differ (of %ld)\n",
        s->name, (long long)s->max_libm, s->diff_libm, (long long)s->max_ref, s->diff_ref, n);
    CHECK(s->max_ref <= 1, "%s: %lld ulp from the rounded double result\n", s->name, (long long)s->max_ref);
    CHECK(s->max_libm <= 2, "%s: %lld ulp from libm\n", s->name, (long long)s->max_libm);
}

static void test_float_funcs(void) {
    fstat_t s_exp = {"expf", 0, 0, 0, 0}, s_expm1 = {"expm1f", 0, 0, 0, 0};
    fstat_t s_log = {"logf", 0, 0, 0, 0}, s_tanh = {"tanhf", 0, 0, 0, 0};
    long n = 0;
    for (uint64_t u = 0; u < 0x100000000ull; u += 61) {
        float x = f_of((uint32_t)u);
        n++;
        fstat_add(&s_exp, tml_expf(x), expf(x), (float)exp((double)x));
        fstat_add(&s_expm1, tml_expm1f(x), expm1f(x), (float)expm1((double)x));
        fstat_add(&s_log, tml_logf(x), logf(x), (float)log((double)x));
        fstat_add(&s_tanh, tml_tanhf(x), tanhf(x), (float)tanh((double)x));
    }
    fstat_report(&s_exp, n);
    fstat_report(&s_expm1, n);
    fstat_report(&s_log, n);
    fstat_report(&s_tanh, n);
}

static void test_double_funcs(void) {
    int64_t m_exp = 0, m_log = 0, m_pow = 0;
    long d_exp = 0, d_log = 0, d_pow = 0, n = 0;
    for (int i = 0; i < 2000000; i++) {
        double x = sample_d(i);
        double xe = (double)(int64_t)(rnd64() >> 11) / 9007199254740992.0 * 1500.0 - 750.0;
        int64_t d;
        n++;
        d = ulps_d(tml_exp(xe), exp(xe));
        m_exp = d > m_exp ? d : m_exp;
        d_exp += d != 0;
        d = ulps_d(tml_log(x), log(x));
        m_log = d > m_log ? d : m_log;
        d_log += d != 0;
        double px = i % 3 == 0 ? x : (double)(rnd64() % 100000) / 1000.0 - (i % 5 == 0 ? 50 : 0);
        double py = i % 7 == 0 ? (double)((int)(rnd64() % 41) - 20)
            : (double)(int64_t)(rnd64() >> 11) / 9007199254740992.0 * 20.0 - 10.0;
        double want = pow(px, py), got = tml_pow(px, py);
        // Within one float ulp wherever the result is a normal float.
        if (fabs(want) > 1.2e-38 && fabs(want) < 3.4e38) {
            d = ulps_f((float)got, (float)want);
            CHECK(d <= 1, "pow(%a, %a): got %a want %a (%lld float ulp)\n", px, py, got, want, (long long)d);
        } else {
            CHECK(same_d(got, want) || ulps_d(got, want) < 100000 || (isnan(got) && isnan(want)),
                "pow(%a, %a): got %a want %a\n", px, py, got, want);
        }
        d = ulps_d(got, want);
        m_pow = d > m_pow && d < 1000000 ? d : m_pow;
        d_pow += d != 0;
    }
    ulp_stats("exp", m_exp, 2, d_exp, n);
    ulp_stats("log", m_log, 2, d_log, n);
    printf("pow      max %lld ulp, %ld of %ld not equal to libm\n", (long long)m_pow, d_pow, n);
    // Exact integer powers.
    CHECK(tml_pow(2.0, 10.0) == 1024.0, "pow(2, 10)\n");
    CHECK(tml_pow(2.0, -1074.0) == ldexp(1.0, -1074), "pow(2, -1074)\n");
    CHECK(tml_pow(10.0, -320.0) == pow(10.0, -320.0) || ulps_d(tml_pow(10.0, -320.0), pow(10.0, -320.0)) <= 1,
        "pow(10, -320)\n");
    CHECK(tml_pow(-2.0, 3.0) == -8.0, "pow(-2, 3)\n");
    CHECK(isnan(tml_pow(-2.0, 0.5)), "pow(-2, 0.5)\n");
    CHECK(tml_pow(0.0, -1.0) == INFINITY && tml_pow(-0.0, -1.0) == -INFINITY, "pow(0, -1)\n");
    CHECK(tml_pow(0.5, INFINITY) == 0.0 && tml_pow(2.0, -INFINITY) == 0.0, "pow(x, inf)\n");
    CHECK(tml_pow(NAN, 0.0) == 1.0 && isnan(tml_pow(NAN, 1.0)), "pow(nan)\n");
}

int main(void) {
    test_exact_double();
    test_exact_float();
    test_float_funcs();
    test_double_funcs();
    if (failures) {
        printf("FAIL: %d failures\n", failures);
        return 1;
    }
    printf("OK\n");
    return 0;
}
