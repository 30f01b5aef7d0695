// Hann window, HTK mel filterbank, orthonormal DCT-II and the log-mel frame.
#include "tml_dsp.h"
#include "tml_math.h"

#define PI 3.14159265358979323846
#define LN10 2.30258509299404568402

tml_dsp_status_t tml_dsp_hann(float *w, uint32_t n, bool periodic) {
    if (n < 2) {
        return TML_DSP_ERR_ARG;
    }
    double den = periodic ? (double)n : (double)(n - 1);
    for (uint32_t i = 0; i < n; i++) {
        double s, c;
        tml_dsp_sincos(2.0 * PI * (double)i / den, &s, &c);
        w[i] = (float)(0.5 - 0.5 * c);
    }
    return TML_DSP_OK;
}

static double hz_to_mel(double f) {
    return 2595.0 / LN10 * tml_log(1.0 + f / 700.0);
}

static double mel_to_hz(double m) {
    return 700.0 * (tml_exp(m * LN10 / 2595.0) - 1.0);
}

static bool mel_args_ok(uint32_t n_fft, uint32_t n_mels, double rate, double fmin,
    double fmax) {
    return n_fft >= 4 && n_fft <= 65536 && n_mels > 0 && rate > 0.0 && fmin >= 0.0
           && fmax > fmin && fmax <= rate / 2;
}

// Edge frequency e (0..n_mels + 1) of the filterbank.
static double mel_edge(uint32_t e, uint32_t n_mels, double fmin, double fmax) {
    double lo = hz_to_mel(fmin), hi = hz_to_mel(fmax);
    return mel_to_hz(lo + (hi - lo) * (double)e / (double)(n_mels + 1));
}

static double mel_weight(double f, double lo, double mid, double hi) {
    double up = (f - lo) / (mid - lo), down = (hi - f) / (hi - mid);
    double w = up < down ? up : down;
    return w > 0.0 ? w : 0.0;
}

// Only bins strictly between a band's outer edges have a weight: scanning from one bin below
// the lower edge to one above the upper finds the same bins as scanning them all, in time
// linear in the filterbank's size. A NaN edge (from an infinite rate) scans them all.
static uint32_t first_bin(double f, double bin_hz) {
    double b = f / bin_hz;
    return b > 1.0 && b < 4294967296.0 ? (uint32_t)b - 1 : 0;
}

static uint32_t end_bin(double f, double bin_hz, uint32_t n_bins) {
    double b = f / bin_hz + 2.0;
    return b >= 0.0 && b < (double)n_bins ? (uint32_t)b : n_bins;
}

// Lays out the sparse filterbank; writes only when bands != NULL.
static uint32_t mel_layout(uint16_t *bands, float *weights, uint32_t n_fft, uint32_t n_mels,
    double rate, double fmin, double fmax) {
    uint32_t n_bins = n_fft / 2 + 1, total = 0;
    for (uint32_t m = 0; m < n_mels; m++) {
        double lo = mel_edge(m, n_mels, fmin, fmax);
        double mid = mel_edge(m + 1, n_mels, fmin, fmax);
        double hi = mel_edge(m + 2, n_mels, fmin, fmax);
        uint32_t first = 0, count = 0, end = end_bin(hi, rate / (double)n_fft, n_bins);
        for (uint32_t b = first_bin(lo, rate / (double)n_fft); b < end; b++) {
            double w = mel_weight((double)b * rate / (double)n_fft, lo, mid, hi);
            if (w > 0.0) {
                if (count == 0) {
                    first = b;
                }
                count = b - first + 1;
            }
        }
        if (bands != NULL) {
            bands[2 * m] = (uint16_t)first;
            bands[2 * m + 1] = (uint16_t)count;
            for (uint32_t i = 0; i < count; i++) {
                double f = (double)(first + i) * rate / (double)n_fft;
                weights[total + i] = (float)mel_weight(f, lo, mid, hi);
            }
        }
        total += count;
    }
    return total;
}

uint32_t tml_dsp_mel_weights_size(uint32_t n_fft, uint32_t n_mels, double rate, double fmin,
    double fmax) {
    if (!mel_args_ok(n_fft, n_mels, rate, fmin, fmax)) {
        return 0;
    }
    return mel_layout(NULL, NULL, n_fft, n_mels, rate, fmin, fmax);
}

tml_dsp_status_t tml_dsp_mel_init(uint16_t *bands, float *weights, size_t weights_len,
    uint32_t n_fft, uint32_t n_mels, double rate, double fmin, double fmax) {
    if (!mel_args_ok(n_fft, n_mels, rate, fmin, fmax)) {
        return TML_DSP_ERR_ARG;
    }
    if (weights_len < mel_layout(NULL, NULL, n_fft, n_mels, rate, fmin, fmax)) {
        return TML_DSP_ERR_SIZE;
    }
    mel_layout(bands, weights, n_fft, n_mels, rate, fmin, fmax);
    return TML_DSP_OK;
}

void tml_dsp_mel_apply(const uint16_t *bands, const float *weights, uint32_t n_mels,
    const float *spec, float *out) {
    for (uint32_t m = 0; m < n_mels; m++) {
        const float *s = spec + bands[2 * m];
        float acc = 0.0f;
        for (uint32_t i = 0; i < bands[2 * m + 1]; i++) {
            acc += weights[i] * s[i];
        }
        weights += bands[2 * m + 1];
        out[m] = acc;
    }
}

tml_dsp_status_t tml_dsp_dct_init(float *table, uint32_t n_in, uint32_t n_out) {
    if (n_in == 0 || n_out == 0 || n_out > n_in) {
        return TML_DSP_ERR_ARG;
    }
    double s0 = tml_pow(1.0 / (double)n_in, 0.5), sk = tml_pow(2.0 / (double)n_in, 0.5);
    for (uint32_t k = 0; k < n_out; k++) {
        for (uint32_t i = 0; i < n_in; i++) {
            double s, c;
            tml_dsp_sincos(PI * (double)k * (2.0 * i + 1.0) / (2.0 * n_in), &s, &c);
            table[k * n_in + i] = (float)((k == 0 ? s0 : sk) * c);
        }
    }
    return TML_DSP_OK;
}

void tml_dsp_dct(const float *table, uint32_t n_in, uint32_t n_out, const float *x, float *out) {
    for (uint32_t k = 0; k < n_out; k++) {
        const float *row = table + (size_t)k * n_in;
        float acc = 0.0f;
        for (uint32_t i = 0; i < n_in; i++) {
            acc += row[i] * x[i];
        }
        out[k] = acc;
    }
}

static tml_dsp_status_t logmel_tail(uint32_t n_fft, const float *tw, const uint16_t *bands,
    const float *weights, uint32_t n_mels, float floor, float *scratch, float *out) {
    tml_dsp_status_t st = tml_dsp_rfft(scratch, n_fft, tw);
    if (st != TML_DSP_OK) {
        return st;
    }
    tml_dsp_spectrum(scratch, n_fft, scratch, true);
    tml_dsp_mel_apply(bands, weights, n_mels, scratch, out);
    tml_dsp_log(out, n_mels, floor);
    return TML_DSP_OK;
}

tml_dsp_status_t tml_dsp_logmel_s16(const int16_t *frame, uint32_t frame_len,
    const float *window, uint32_t n_fft, const float *tw, const uint16_t *bands,
    const float *weights, uint32_t n_mels, float floor, float *scratch, float *out) {
    if (frame_len > n_fft) {
        return TML_DSP_ERR_ARG;
    }
    uint32_t i = 0;
    for (; i < frame_len; i++) {
        scratch[i] = (float)frame[i] * (1.0f / 32768.0f) * window[i];
    }
    for (; i < n_fft; i++) {
        scratch[i] = 0.0f;
    }
    return logmel_tail(n_fft, tw, bands, weights, n_mels, floor, scratch, out);
}

tml_dsp_status_t tml_dsp_logmel_f32(const float *frame, uint32_t frame_len,
    const float *window, uint32_t n_fft, const float *tw, const uint16_t *bands,
    const float *weights, uint32_t n_mels, float floor, float *scratch, float *out) {
    if (frame_len > n_fft) {
        return TML_DSP_ERR_ARG;
    }
    uint32_t i = 0;
    for (; i < frame_len; i++) {
        scratch[i] = frame[i] * window[i];
    }
    for (; i < n_fft; i++) {
        scratch[i] = 0.0f;
    }
    return logmel_tail(n_fft, tw, bands, weights, n_mels, floor, scratch, out);
}
