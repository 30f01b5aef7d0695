// SignalRfft (int16), as TFLM's RfftInt16Apply: kissfft (v1.3.0) built with
// FIXED_POINT=16, kiss_fftr over kiss_fft. Every butterfly stage divides by
// its radix with rounding (so the output is the spectrum / fft_length), and
// products round as kissfft's S_MUL: (a * b + 2^14) >> 15 kept in int16.
// Twiddles are floor(0.5 + 32767 * cos/sin(phase)) from double precision.
#include "signal.h"
#include "tml_compiler.h"

// ---- double sin/cos without libm (only for the twiddle tables) ------------

static const double PIO2_HI = 1.57079632679489655800e+00;
static const double PIO2_LO = 6.12323399573676603587e-17;

// Taylor series on |r| <= pi/4: the terms left out are below 1e-19.
static double sin_poly(double r) {
    double r2 = r * r, term = r, sum = r;
    for (int k = 1; k <= 10; k++) {
        term *= -r2 / (double)((2 * k) * (2 * k + 1));
        sum += term;
    }
    return sum;
}

static double cos_poly(double r) {
    double r2 = r * r, term = 1.0, sum = 1.0;
    for (int k = 1; k <= 10; k++) {
        term *= -r2 / (double)((2 * k - 1) * (2 * k));
        sum += term;
    }
    return sum;
}

// cos and sin of x (|x| < 100) by reduction to a quadrant.
static void sincos(double x, double *s, double *c) {
    double q = x / (PIO2_HI + PIO2_LO);
    int32_t k = (int32_t)(q < 0 ? q - 0.5 : q + 0.5);
    double r = (x - (double)k * PIO2_HI) - (double)k * PIO2_LO;
    double sr = sin_poly(r), cr = cos_poly(r);
    switch (k & 3) {
        case 0:
            *s = sr;
            *c = cr;
            break;
        case 1:
            *s = cr;
            *c = -sr;
            break;
        case 2:
            *s = -sr;
            *c = -cr;
            break;
        default:
            *s = -cr;
            *c = sr;
            break;
    }
}

static int16_t q15_round(double v) {
    // floor(0.5 + 32767 * v); |v| <= 1 so the result fits.
    double t = 0.5 + 32767.0 * v;
    int32_t i = (int32_t)t;
    if ((double)i > t) {
        i--;
    }
    return (int16_t)i;
}

static tml_cpx16_t cexp16(double phase) {
    double s, c;
    sincos(phase, &s, &c);
    tml_cpx16_t z = { q15_round(c), q15_round(s) };
    return z;
}

bool tml_signal_rfft_length_ok(int32_t fft_length) {
    return fft_length >= 4 && fft_length <= 65536 && (fft_length & (fft_length - 1)) == 0;
}

uint32_t tml_signal_rfft_state_size(int32_t fft_length) {
    if (!tml_signal_rfft_length_ok(fft_length)) {
        return 0;
    }
    int32_t ncfft = fft_length / 2;
    return (uint32_t)(ncfft + ncfft / 2) * sizeof(tml_cpx16_t);
}

TML_COLD void tml_signal_rfft_init(tml_signal_rfft_t *st, int32_t fft_length, void *tables) {
    const double pi = 3.14159265358979323846264338327950288;
    int32_t n = fft_length / 2;
    st->nfft = fft_length;
    st->ncfft = n;
    st->twiddles = (tml_cpx16_t *)tables;
    st->super_twiddles = st->twiddles + n;
    for (int32_t i = 0; i < n; i++) {
        st->twiddles[i] = cexp16(-2 * pi * i / n);
    }
    for (int32_t i = 0; i < n / 2; i++) {
        st->super_twiddles[i] = cexp16(-pi * ((double)(i + 1) / n + 0.5));
    }
    // kissfft's kf_factor for a power of two: radix 4 while it divides,
    // then a final radix 2.
    int32_t *f = st->factors;
    while (n > 1) {
        int32_t p = (n % 4 == 0) ? 4 : 2;
        n /= p;
        *f++ = p;
        *f++ = n;
    }
}

// ---- fixed-point complex arithmetic as kissfft's FIXED_POINT=16 macros -------

static int16_t sround(int32_t x) {
    return (int16_t)((int32_t)((uint32_t)x + (1u << 14)) >> 15);
}

// (a * b) rounded; the two-product sums are formed in 32 bits with wrap.
static tml_cpx16_t cmul(tml_cpx16_t a, tml_cpx16_t b) {
    tml_cpx16_t m;
    m.r = sround((int32_t)((uint32_t)(a.r * b.r) - (uint32_t)(a.i * b.i)));
    m.i = sround((int32_t)((uint32_t)(a.r * b.i) + (uint32_t)(a.i * b.r)));
    return m;
}

static tml_cpx16_t fixdiv(tml_cpx16_t c, int32_t div) {
    int32_t k = 32767 / div;
    c.r = sround(c.r * k);
    c.i = sround(c.i * k);
    return c;
}

static tml_cpx16_t cadd(tml_cpx16_t a, tml_cpx16_t b) {
    tml_cpx16_t z = { (int16_t)(a.r + b.r), (int16_t)(a.i + b.i) };
    return z;
}

static tml_cpx16_t csub(tml_cpx16_t a, tml_cpx16_t b) {
    tml_cpx16_t z = { (int16_t)(a.r - b.r), (int16_t)(a.i - b.i) };
    return z;
}

static void bfly2(tml_cpx16_t *out, int32_t fstride, const tml_cpx16_t *tw, int32_t m) {
    tml_cpx16_t *out2 = out + m;
    for (int32_t k = 0; k < m; k++) {
        out[k] = fixdiv(out[k], 2);
        out2[k] = fixdiv(out2[k], 2);
        tml_cpx16_t t = cmul(out2[k], tw[k * fstride]);
        out2[k] = csub(out[k], t);
        out[k] = cadd(out[k], t);
    }
}

static void bfly4(tml_cpx16_t *out, int32_t fstride, const tml_cpx16_t *tw, int32_t m) {
    for (int32_t k = 0; k < m; k++) {
        tml_cpx16_t *a = out + k, *b = a + m, *c = a + 2 * m, *d = a + 3 * m;
        *a = fixdiv(*a, 4);
        *b = fixdiv(*b, 4);
        *c = fixdiv(*c, 4);
        *d = fixdiv(*d, 4);
        tml_cpx16_t s0 = cmul(*b, tw[k * fstride]);
        tml_cpx16_t s1 = cmul(*c, tw[2 * k * fstride]);
        tml_cpx16_t s2 = cmul(*d, tw[3 * k * fstride]);
        tml_cpx16_t s5 = csub(*a, s1);
        *a = cadd(*a, s1);
        tml_cpx16_t s3 = cadd(s0, s2);
        tml_cpx16_t s4 = csub(s0, s2);
        *c = csub(*a, s3);
        *a = cadd(*a, s3);
        b->r = (int16_t)(s5.r + s4.i);
        b->i = (int16_t)(s5.i - s4.r);
        d->r = (int16_t)(s5.r - s4.i);
        d->i = (int16_t)(s5.i + s4.r);
    }
}

// Decimation in time, as kissfft's kf_work: gather the sub-sequences, then
// combine them with one butterfly of this stage's radix.
static void work(const tml_signal_rfft_t *st, tml_cpx16_t *out, const tml_cpx16_t *in, int32_t fstride,
    const int32_t *factors) {
    int32_t p = factors[0], m = factors[1];
    if (m == 1) {
        for (int32_t j = 0; j < p; j++) {
            out[j] = in[j * fstride];
        }
    } else {
        for (int32_t j = 0; j < p; j++) {
            work(st, out + j * m, in + j * fstride, fstride * p, factors + 2);
        }
    }
    if (p == 4) {
        bfly4(out, fstride, st->twiddles, m);
    } else {
        bfly2(out, fstride, st->twiddles, m);
    }
}

void tml_ref_signal_rfft_s16(const tml_signal_rfft_t *st, const int16_t *in, tml_cpx16_t *out, tml_cpx16_t *tmp) {
    int32_t n = st->ncfft;
    // The real input read as n complex values (even samples real, odd imaginary).
    work(st, tmp, (const tml_cpx16_t *)(const void *)in, 1, st->factors);
    tml_cpx16_t dc = fixdiv(tmp[0], 2);
    out[0].r = (int16_t)(dc.r + dc.i);
    out[n].r = (int16_t)(dc.r - dc.i);
    out[0].i = 0;
    out[n].i = 0;
    for (int32_t k = 1; k <= n / 2; k++) {
        tml_cpx16_t fpk = fixdiv(tmp[k], 2);
        tml_cpx16_t fpnk = { tmp[n - k].r, (int16_t)-tmp[n - k].i };
        fpnk = fixdiv(fpnk, 2);
        tml_cpx16_t f1k = cadd(fpk, fpnk);
        tml_cpx16_t f2k = csub(fpk, fpnk);
        tml_cpx16_t tw = cmul(f2k, st->super_twiddles[k - 1]);
        out[k].r = (int16_t)((f1k.r + tw.r) >> 1);
        out[k].i = (int16_t)((f1k.i + tw.i) >> 1);
        out[n - k].r = (int16_t)((f1k.r - tw.r) >> 1);
        out[n - k].i = (int16_t)((tw.i - f1k.i) >> 1);
    }
}
