// tinyml DSP: the feature pipelines that sit in front of a model.
//
// Plain C99 with no allocation and no globals: every buffer, table and state
// belongs to the caller, and the same code runs in the MicroPython module and
// in the CPython twin, so features computed on the host equal the device's.
// Processing is float32; one-time set-up (filter design, FFT twiddles, mel
// and DCT tables) is computed in double.
//
// Layouts: multi-axis samples are interleaved frames, x[frame * channels + axis].
#ifndef TML_DSP_H
#define TML_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Features must not depend on whether the compiler fuses a * b + c into one rounding (FMA on
// Cortex-M4F/M7 and Xtensa, none on a plain x86-64 build): with contraction off, host and
// device compute the same float32 operations and agree bit for bit.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

typedef enum {
    TML_DSP_OK = 0,
    TML_DSP_ERR_ARG,    // a size, length or parameter is out of range
    TML_DSP_ERR_SIZE,   // a caller buffer is too small (or the wrong length)
    TML_DSP_STATUS_COUNT
} tml_dsp_status_t;

const char *tml_dsp_status_str(tml_dsp_status_t st);

// Output element types for quantizing writers; the values are TFLite's
// TensorType codes (as tml_type_t in the engine).
typedef enum {
    TML_DSP_FLOAT32 = 0,
    TML_DSP_UINT8 = 3,
    TML_DSP_INT16 = 7,
    TML_DSP_INT8 = 9,
} tml_dsp_dtype_t;

// Bytes per element of a tml_dsp_dtype_t, 0 when unknown.
size_t tml_dsp_dtype_size(int dtype);

// ---- math helpers (not in the engine's tml_math.h) ------------------------

// sin and cos of x in double, accurate to about 1 ulp for |x| < 1e6.
void tml_dsp_sincos(double x, double *s, double *c);

// The libm functions the DSP needs beyond the engine's tml_math.h (dsp_math.c): sqrtf is
// correctly rounded, log and pow accurate to about one double ulp, logf to one float ulp.
float tml_sqrtf(float x);
float tml_logf(float x);
double tml_log(double x);
double tml_pow(double x, double y);

// ---- sliding window -------------------------------------------------------

// A ring buffer of the last `length` frames of `channels` axes. A window is
// ready once `length` frames have arrived, then every `hop` frames.
typedef struct {
    float *ring;          // length * channels floats, caller-owned
    uint32_t length;      // frames per window
    uint32_t channels;    // axes per frame
    uint32_t hop;         // frames between windows (1..length for overlap, > length to skip)
    uint32_t head;        // next frame slot to write
    uint32_t filled;      // frames stored so far, saturates at length
    uint32_t since;       // frames since the last window
} tml_dsp_window_t;

tml_dsp_status_t tml_dsp_window_init(tml_dsp_window_t *w, float *ring, uint32_t length,
    uint32_t channels, uint32_t hop);
// Consume frames from x (n_frames interleaved frames, float or int16) until
// all are used or a window completes. *consumed gets the frames used, *ready
// whether a window is complete (read it before pushing again).
void tml_dsp_window_push_f32(tml_dsp_window_t *w, const float *x, size_t n_frames,
    size_t *consumed, bool *ready);
void tml_dsp_window_push_s16(tml_dsp_window_t *w, const int16_t *x, size_t n_frames,
    size_t *consumed, bool *ready);
// Copy the current window, oldest frame first, into out (length * channels).
void tml_dsp_window_read(const tml_dsp_window_t *w, float *out);

// ---- scaling and quantization ----------------------------------------------

// y = (x[i] - offset[axis]) * gain[axis], axis = i % channels, then quantize
// into out as dtype: q = round_half_away(y / scale) + zero_point, clamped
// (TFLite's rounding, the same as the engine's predict on float input). For
// float32 output scale and zero_point are ignored. offset or gain may be NULL
// (0 and 1). Standardization is offset = mean, gain = 1 / std.
tml_dsp_status_t tml_dsp_affine_quantize(const float *x, size_t n, uint32_t channels,
    const float *offset, const float *gain, void *out, int dtype, float scale,
    int32_t zero_point);

// ---- IIR biquad ----------------------------------------------------------

typedef enum {
    TML_DSP_LOWPASS = 0,
    TML_DSP_HIGHPASS = 1,
    TML_DSP_BANDPASS = 2,  // constant 0 dB peak gain at the centre frequency
} tml_dsp_filter_t;

// Design one second-order section (RBJ audio EQ cookbook forms):
// coeffs = {b0, b1, b2, a1, a2}, normalised so a0 = 1. q is the quality
// factor (0.7071 for Butterworth low/high-pass; centre / bandwidth for bandpass).
tml_dsp_status_t tml_dsp_biquad_design(int kind, double cutoff, double rate, double q,
    float coeffs[5]);
// Filter interleaved frames in place through `stages` cascaded sections
// (coeffs: 5 per stage), transposed direct form II. state holds
// 2 * stages * channels floats, zero it to start; it carries across calls.
void tml_dsp_biquad_process(const float *coeffs, uint32_t stages, float *state,
    float *x, size_t n_frames, uint32_t channels);

// ---- spectra ---------------------------------------------------------------

// Twiddle table for a real FFT of length n (a power of two, 4..65536):
// n floats, cos(2 pi k / n) then -sin(2 pi k / n) for k < n / 2.
tml_dsp_status_t tml_dsp_rfft_twiddle(float *tw, uint32_t n);
// Real FFT in place: x (n floats) becomes the packed spectrum
// {Re X0, Re X(n/2), Re X1, Im X1, ..., Re X(n/2-1), Im X(n/2-1)}.
tml_dsp_status_t tml_dsp_rfft(float *x, uint32_t n, const float *tw);
// From a packed spectrum, write n/2 + 1 bins: |X_k| (power = false) or
// |X_k|^2 (power = true). out may alias x.
void tml_dsp_spectrum(const float *x, uint32_t n, float *out, bool power);

// x[i] = sqrt(x[i]) (magnitudes from powers).
void tml_dsp_sqrt(float *x, size_t n);

// Root mean square per axis over n_frames interleaved frames.
void tml_dsp_rms(const float *x, size_t n_frames, uint32_t channels, float *out);
// Mean per axis.
void tml_dsp_mean(const float *x, size_t n_frames, uint32_t channels, float *out);

// The k highest local maxima of spec[0..n_bins) (spec[i] > spec[i-1] and
// spec[i] >= spec[i+1]; edge bins compare with their one neighbour), highest
// first, ties to the lower bin. Writes bins and heights; returns how many found.
uint32_t tml_dsp_peaks(const float *spec, uint32_t n_bins, uint32_t k, uint16_t *bins,
    float *heights);

// Sum of power[b] for edges[j] <= b < edges[j+1], for j < n_bands
// (edges: n_bands + 1 bin indices, non-decreasing, each <= n_bins).
tml_dsp_status_t tml_dsp_band_power(const float *power, uint32_t n_bins,
    const uint16_t *edges, uint32_t n_bands, float *out);

// ---- windows, mel filterbank, DCT -----------------------------------------

// Hann window of length n: periodic 0.5 - 0.5 cos(2 pi i / n) (librosa's
// default), or symmetric with denominator n - 1.
tml_dsp_status_t tml_dsp_hann(float *w, uint32_t n, bool periodic);

// Triangular mel filterbank over the n_fft / 2 + 1 bins of a real FFT, HTK
// mel scale (2595 log10(1 + f / 700)), peak 1, no area normalisation, band
// edges placed in Hz (continuous, as librosa with htk=True, norm=None).
// Stored sparsely: bands[2 * m] = first bin, bands[2 * m + 1] = bin count,
// weights back to back. weights needs tml_dsp_mel_weights_size() floats.
uint32_t tml_dsp_mel_weights_size(uint32_t n_fft, uint32_t n_mels, double rate, double fmin,
    double fmax);
tml_dsp_status_t tml_dsp_mel_init(uint16_t *bands, float *weights, size_t weights_len,
    uint32_t n_fft, uint32_t n_mels, double rate, double fmin, double fmax);
// out[m] = sum of weights * spec over band m.
void tml_dsp_mel_apply(const uint16_t *bands, const float *weights, uint32_t n_mels,
    const float *spec, float *out);
// x[i] = log(max(x[i], floor)), natural log.
void tml_dsp_log(float *x, size_t n, float floor);

// Orthonormal DCT-II table (n_out rows of n_in), as scipy.fft.dct(norm="ortho").
tml_dsp_status_t tml_dsp_dct_init(float *table, uint32_t n_in, uint32_t n_out);
void tml_dsp_dct(const float *table, uint32_t n_in, uint32_t n_out, const float *x, float *out);

// One audio frame to log-mel energies: frame (frame_len int16 or float
// samples, scaled by 1/32768 for int16) times window, zero-padded to n_fft,
// power spectrum, mel filterbank, log(max(., floor)). scratch: n_fft floats.
tml_dsp_status_t tml_dsp_logmel_s16(const int16_t *frame, uint32_t frame_len,
    const float *window, uint32_t n_fft, const float *tw, const uint16_t *bands,
    const float *weights, uint32_t n_mels, float floor, float *scratch, float *out);
tml_dsp_status_t tml_dsp_logmel_f32(const float *frame, uint32_t frame_len,
    const float *window, uint32_t n_fft, const float *tw, const uint16_t *bands,
    const float *weights, uint32_t n_mels, float floor, float *scratch, float *out);

// ---- images ------------------------------------------------------------------

typedef enum {
    TML_DSP_GRAY8 = 0,    // 1 byte per pixel
    TML_DSP_RGB565 = 1,   // 2 bytes per pixel, little-endian (OpenMV and most LCDs)
    TML_DSP_RGB888 = 2,   // 3 bytes per pixel, R G B
    TML_DSP_RGB565_BE = 3,// 2 bytes per pixel, big-endian (many camera sensors)
} tml_dsp_pixfmt_t;

// Crop the rectangle (rx, ry, rw, rh) of src (width x height, fmt), resize it
// to dst_w x dst_h with nearest-neighbour or bilinear sampling, convert to
// dst_channels (1: gray, 3: RGB), then scale each 8-bit value p as
// p * gain + offset and quantize into out (dtype, scale, zero_point as in
// tml_dsp_affine_quantize; for uint8/int8 output with gain 1 and offset 0 or
// -128 this is exact integer arithmetic). Output layout is HWC.
// Gray from RGB: (77 R + 150 G + 29 B + 128) >> 8. RGB565 expands each field
// by bit replication (r5 << 3 | r5 >> 2). Bilinear weights are 8-bit fixed
// point with pixel centres aligned (as OpenCV's INTER_LINEAR), rounded.
typedef struct {
    const uint8_t *src;
    uint32_t width, height;
    int fmt;
    uint32_t rx, ry, rw, rh;
    uint32_t dst_w, dst_h, dst_channels;
    bool bilinear;
    float gain, offset;
    int dtype;
    float scale;
    int32_t zero_point;
} tml_dsp_image_args_t;

tml_dsp_status_t tml_dsp_image_to_tensor(const tml_dsp_image_args_t *a, void *out,
    size_t out_bytes);
size_t tml_dsp_pixfmt_size(int fmt);

#endif // TML_DSP_H
