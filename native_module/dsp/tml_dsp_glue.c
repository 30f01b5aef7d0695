// Argument checks and calls behind the Python-visible dsp functions; see
// tml_dsp_glue.h. Messages follow MicroPython's style: short, lower case.
#include "tml_dsp_glue.h"

#define FAIL_IF(cond, msg) \
    do { \
        if (cond) { \
            return msg; \
        } \
    } while (0)

#define GLUE(name) const char *tml_dsp_glue_##name(const tml_dsp_arg_t * a, int n_args, \
    int32_t * ret)

static const char *status_msg(tml_dsp_status_t st) {
    return st == TML_DSP_OK ? NULL : tml_dsp_status_str(st);
}

GLUE(window_push) {
    (void)n_args;
    const tml_dsp_buf_t *ring = &a[0].buf, *state = &a[1].buf, *x = &a[2].buf;
    int32_t channels = a[3].n, hop = a[4].n;
    FAIL_IF(channels <= 0 || hop <= 0, "channels and hop must be positive");
    FAIL_IF(ring->len == 0 || ring->len % (uint32_t)channels, "ring length must be a multiple of channels");
    FAIL_IF(state->len < 3, "state needs 3 entries");
    FAIL_IF(x->len % (uint32_t)channels, "samples must be whole frames");
    int32_t *s = state->ptr;
    tml_dsp_window_t w;
    tml_dsp_window_init(&w, ring->ptr, (uint32_t)(ring->len / (uint32_t)channels),
        (uint32_t)channels, (uint32_t)hop);
    FAIL_IF(s[0] < 0 || (uint32_t)s[0] >= w.length || s[1] < 0 || (uint32_t)s[1] > w.length
        || s[2] < 0, "corrupt window state");
    w.head = (uint32_t)s[0];
    w.filled = (uint32_t)s[1];
    w.since = (uint32_t)s[2];
    size_t used;
    bool ready;
    if (x->type == 'h') {
        tml_dsp_window_push_s16(&w, x->ptr, x->len / (uint32_t)channels, &used, &ready);
    } else {
        tml_dsp_window_push_f32(&w, x->ptr, x->len / (uint32_t)channels, &used, &ready);
    }
    s[0] = (int32_t)w.head;
    s[1] = (int32_t)w.filled;
    s[2] = (int32_t)w.since;
    *ret = (int32_t)(used * 2 + (ready ? 1 : 0));
    return NULL;
}

GLUE(window_read) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *ring = &a[0].buf, *state = &a[1].buf, *out = &a[2].buf;
    int32_t channels = a[3].n;
    FAIL_IF(channels <= 0 || ring->len == 0 || ring->len % (uint32_t)channels,
        "ring length must be a multiple of channels");
    FAIL_IF(out->len < ring->len, "output shorter than the window");
    FAIL_IF(state->len < 3, "state needs 3 entries");
    const int32_t *s = state->ptr;
    tml_dsp_window_t w;
    tml_dsp_window_init(&w, ring->ptr, (uint32_t)(ring->len / (uint32_t)channels),
        (uint32_t)channels, 1);
    FAIL_IF(s[0] < 0 || (uint32_t)s[0] >= w.length || s[1] < 0 || (uint32_t)s[1] > w.length,
        "corrupt window state");
    w.head = (uint32_t)s[0];
    w.filled = (uint32_t)s[1];
    tml_dsp_window_read(&w, out->ptr);
    return NULL;
}

GLUE(affine_quantize) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *x = &a[0].buf, *out = &a[1].buf, *off = &a[3].buf, *gain = &a[4].buf;
    int32_t channels = a[2].n, dtype = a[5].n;
    size_t esize = tml_dsp_dtype_size(dtype);
    FAIL_IF(channels <= 0, "channels must be positive");
    FAIL_IF(esize == 0, "unsupported dtype");
    FAIL_IF(off->len != 0 && off->len < (uint32_t)channels, "offset needs one value per channel");
    FAIL_IF(gain->len != 0 && gain->len < (uint32_t)channels, "gain needs one value per channel");
    FAIL_IF(out->len < x->len * esize, "output buffer too small");
    return status_msg(tml_dsp_affine_quantize(x->ptr, x->len, (uint32_t)channels,
        off->len ? off->ptr : NULL, gain->len ? gain->ptr : NULL, out->ptr, dtype,
        (float)a[6].r, a[7].n));
}

GLUE(biquad_design) {
    (void)n_args;
    (void)ret;
    FAIL_IF(a[0].buf.len < 5, "coefficients need 5 entries");
    FAIL_IF(a[1].n < 0 || a[1].n > TML_DSP_BANDPASS, "unknown filter kind");
    FAIL_IF(!(a[3].r > 0.0) || !(a[2].r > 0.0) || !(a[2].r < a[3].r / 2),
        "cutoff must be between 0 and rate / 2");
    FAIL_IF(!(a[4].r > 0.0), "q must be positive");
    return status_msg(tml_dsp_biquad_design(a[1].n, a[2].r, a[3].r, a[4].r, a[0].buf.ptr));
}

GLUE(biquad) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *k = &a[0].buf, *state = &a[1].buf, *x = &a[2].buf;
    int32_t channels = a[3].n;
    FAIL_IF(channels <= 0, "channels must be positive");
    FAIL_IF(k->len == 0 || k->len % 5, "coefficients must be 5 per stage");
    uint32_t stages = (uint32_t)(k->len / 5);
    FAIL_IF(state->len < 2 * (uint64_t)stages * (uint32_t)channels, "state needs 2 * stages * channels");
    FAIL_IF(x->len % (uint32_t)channels, "samples must be whole frames");
    tml_dsp_biquad_process(k->ptr, stages, state->ptr, x->ptr, x->len / (uint32_t)channels,
        (uint32_t)channels);
    return NULL;
}

GLUE(rfft_twiddle) {
    (void)n_args;
    (void)ret;
    FAIL_IF(tml_dsp_rfft_twiddle(a[0].buf.ptr, (uint32_t)a[0].buf.len) != TML_DSP_OK,
        "fft length must be a power of two, 4 to 65536");
    return NULL;
}

GLUE(spectrum) {
    (void)ret;
    const tml_dsp_buf_t *x = &a[0].buf, *tw = &a[1].buf, *out = &a[2].buf;
    FAIL_IF(tw->len != x->len, "twiddle table length differs from the fft length");
    FAIL_IF(out->len < x->len / 2 + 1, "output needs n / 2 + 1 entries");
    FAIL_IF(tml_dsp_rfft(x->ptr, (uint32_t)x->len, tw->ptr) != TML_DSP_OK,
        "fft length must be a power of two, 4 to 65536");
    tml_dsp_spectrum(x->ptr, (uint32_t)x->len, out->ptr, n_args > 3 && a[3].n);
    return NULL;
}

static const char *per_axis(const tml_dsp_arg_t *a, bool rms) {
    const tml_dsp_buf_t *x = &a[0].buf, *out = &a[2].buf;
    int32_t channels = a[1].n;
    FAIL_IF(channels <= 0, "channels must be positive");
    FAIL_IF(x->len % (uint32_t)channels, "samples must be whole frames");
    FAIL_IF(out->len < (uint32_t)channels, "output needs one entry per channel");
    if (rms) {
        tml_dsp_rms(x->ptr, x->len / (uint32_t)channels, (uint32_t)channels, out->ptr);
    } else {
        tml_dsp_mean(x->ptr, x->len / (uint32_t)channels, (uint32_t)channels, out->ptr);
    }
    return NULL;
}

GLUE(rms) {
    (void)n_args;
    (void)ret;
    return per_axis(a, true);
}

GLUE(mean) {
    (void)n_args;
    (void)ret;
    return per_axis(a, false);
}

GLUE(peaks) {
    (void)n_args;
    const tml_dsp_buf_t *spec = &a[0].buf, *bins = &a[1].buf, *h = &a[2].buf;
    FAIL_IF(bins->len < h->len, "bins shorter than heights");
    FAIL_IF(spec->len > 65535, "spectrum too long");
    *ret = (int32_t)tml_dsp_peaks(spec->ptr, (uint32_t)spec->len, (uint32_t)h->len, bins->ptr,
        h->ptr);
    return NULL;
}

GLUE(band_power) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *p = &a[0].buf, *edges = &a[1].buf, *out = &a[2].buf;
    FAIL_IF(edges->len < out->len + 1, "edges need one more entry than bands");
    FAIL_IF(tml_dsp_band_power(p->ptr, (uint32_t)p->len, edges->ptr, (uint32_t)out->len,
        out->ptr) != TML_DSP_OK, "band edges must increase and lie within the spectrum");
    return NULL;
}

GLUE(hann) {
    (void)ret;
    FAIL_IF(tml_dsp_hann(a[0].buf.ptr, (uint32_t)a[0].buf.len, n_args < 2 || a[1].n)
        != TML_DSP_OK, "window length must be at least 2");
    return NULL;
}

// More bands than FFT bins would leave bands empty; the bound also keeps set-up time linear.
static bool mel_ok(int32_t n_fft, int32_t n_mels, double rate, double fmin, double fmax) {
    return n_fft >= 4 && n_fft <= 65536 && (n_fft & (n_fft - 1)) == 0 && n_mels > 0
           && n_mels <= n_fft / 2 + 1 && rate > 0.0 && fmin >= 0.0 && fmax > fmin && fmax <= rate / 2;
}

#define MEL_ARGS_MSG "need power-of-two n_fft, 0 < n_mels <= n_fft / 2 + 1 and 0 <= fmin < fmax <= rate / 2"

GLUE(mel_size) {
    (void)n_args;
    FAIL_IF(!mel_ok(a[0].n, a[1].n, a[2].r, a[3].r, a[4].r),
        MEL_ARGS_MSG);
    *ret = (int32_t)tml_dsp_mel_weights_size((uint32_t)a[0].n, (uint32_t)a[1].n, a[2].r,
        a[3].r, a[4].r);
    return NULL;
}

GLUE(mel_init) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *bands = &a[0].buf, *w = &a[1].buf;
    int32_t n_mels = (int32_t)(bands->len / 2);
    FAIL_IF(!mel_ok(a[2].n, n_mels, a[3].r, a[4].r, a[5].r),
        MEL_ARGS_MSG);
    FAIL_IF(tml_dsp_mel_init(bands->ptr, w->ptr, w->len, (uint32_t)a[2].n, (uint32_t)n_mels,
        a[3].r, a[4].r, a[5].r) != TML_DSP_OK, "weights buffer too small");
    return NULL;
}

GLUE(logmel) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *frame = &a[0].buf, *win = &a[1].buf, *tw = &a[2].buf;
    const tml_dsp_buf_t *bands = &a[3].buf, *w = &a[4].buf, *scratch = &a[5].buf;
    const tml_dsp_buf_t *out = &a[6].buf;
    uint32_t n_fft = (uint32_t)tw->len, n_mels = (uint32_t)out->len;
    FAIL_IF(scratch->len != n_fft, "scratch length differs from the fft length");
    FAIL_IF(frame->len > n_fft, "frame longer than the fft");
    FAIL_IF(win->len < frame->len, "window shorter than the frame");
    FAIL_IF(bands->len < 2 * n_mels, "filterbank has fewer bands than the output");
    const uint16_t *b = bands->ptr;
    size_t total = 0;
    for (uint32_t m = 0; m < n_mels; m++) {
        FAIL_IF((uint32_t)b[2 * m] + b[2 * m + 1] > n_fft / 2 + 1, "filterbank does not fit the fft");
        total += b[2 * m + 1];
    }
    FAIL_IF(total > w->len, "filterbank weights too short");
    tml_dsp_status_t st;
    if (frame->type == 'h') {
        st = tml_dsp_logmel_s16(frame->ptr, (uint32_t)frame->len, win->ptr, n_fft, tw->ptr,
            b, w->ptr, n_mels, (float)a[7].r, scratch->ptr, out->ptr);
    } else {
        st = tml_dsp_logmel_f32(frame->ptr, (uint32_t)frame->len, win->ptr, n_fft, tw->ptr,
            b, w->ptr, n_mels, (float)a[7].r, scratch->ptr, out->ptr);
    }
    FAIL_IF(st != TML_DSP_OK, "fft length must be a power of two, 4 to 65536");
    return NULL;
}

GLUE(dct_init) {
    (void)n_args;
    (void)ret;
    int32_t n_in = a[1].n;
    FAIL_IF(n_in <= 0 || a[0].buf.len % (uint32_t)n_in, "table length must be a multiple of n_in");
    FAIL_IF(tml_dsp_dct_init(a[0].buf.ptr, (uint32_t)n_in, (uint32_t)(a[0].buf.len / (uint32_t)n_in))
        != TML_DSP_OK, "need 1 <= n_out <= n_in");
    return NULL;
}

GLUE(dct) {
    (void)n_args;
    (void)ret;
    const tml_dsp_buf_t *t = &a[0].buf, *x = &a[1].buf, *out = &a[2].buf;
    FAIL_IF(x->len == 0 || t->len < (uint64_t)x->len * out->len, "table smaller than n_in * n_out");
    tml_dsp_dct(t->ptr, (uint32_t)x->len, (uint32_t)out->len, x->ptr, out->ptr);
    return NULL;
}

GLUE(log) {
    (void)n_args;
    (void)ret;
    FAIL_IF(!(a[1].r > 0.0), "floor must be positive");
    tml_dsp_log(a[0].buf.ptr, a[0].buf.len, (float)a[1].r);
    return NULL;
}

GLUE(sqrt) {
    (void)n_args;
    (void)ret;
    tml_dsp_sqrt(a[0].buf.ptr, a[0].buf.len);
    return NULL;
}

// image(src, width, height, fmt, out, dst_w, dst_h, dst_channels, dtype, scale, zero_point
//       [, rx, ry, rw, rh, bilinear, gain, offset]); rw or rh of 0 means to the edge.
GLUE(image) {
    (void)ret;
    tml_dsp_image_args_t ia;
    FAIL_IF(a[1].n <= 0 || a[2].n <= 0, "image size must be positive");
    ia.src = a[0].buf.ptr;
    ia.width = (uint32_t)a[1].n;
    ia.height = (uint32_t)a[2].n;
    ia.fmt = a[3].n;
    size_t psize = tml_dsp_pixfmt_size(ia.fmt);
    FAIL_IF(psize == 0, "unknown pixel format");
    FAIL_IF(a[0].buf.len < (uint64_t)ia.width * ia.height * psize, "image buffer too small");
    FAIL_IF(a[5].n <= 0 || a[6].n <= 0, "output size must be positive");
    ia.dst_w = (uint32_t)a[5].n;
    ia.dst_h = (uint32_t)a[6].n;
    FAIL_IF(a[7].n != 1 && a[7].n != 3, "channels must be 1 or 3");
    ia.dst_channels = (uint32_t)a[7].n;
    ia.dtype = a[8].n;
    FAIL_IF(tml_dsp_dtype_size(ia.dtype) == 0, "unsupported dtype");
    ia.scale = (float)a[9].r;
    ia.zero_point = a[10].n;
    int32_t rx = n_args > 11 ? a[11].n : 0, ry = n_args > 12 ? a[12].n : 0;
    int32_t rw = n_args > 13 ? a[13].n : 0, rh = n_args > 14 ? a[14].n : 0;
    FAIL_IF(rx < 0 || ry < 0 || rw < 0 || rh < 0, "crop must not be negative");
    FAIL_IF((uint32_t)rx >= ia.width || (uint32_t)ry >= ia.height, "crop outside the image");
    ia.rx = (uint32_t)rx;
    ia.ry = (uint32_t)ry;
    ia.rw = rw ? (uint32_t)rw : ia.width - ia.rx;
    ia.rh = rh ? (uint32_t)rh : ia.height - ia.ry;
    FAIL_IF(ia.rw > ia.width - ia.rx || ia.rh > ia.height - ia.ry, "crop outside the image");
    ia.bilinear = n_args > 15 && a[15].n;
    ia.gain = n_args > 16 ? (float)a[16].r : 1.0f;
    ia.offset = n_args > 17 ? (float)a[17].r : 0.0f;
    // In 64 bits: on a 32-bit board 65536 x 65536 pixels would wrap to 0 bytes.
    uint64_t need = (uint64_t)ia.dst_w * ia.dst_h * ia.dst_channels * tml_dsp_dtype_size(ia.dtype);
    FAIL_IF(a[4].buf.len < need, "output buffer too small");
    FAIL_IF(ia.dtype != TML_DSP_FLOAT32 && !(ia.scale > 0.0f), "scale must be positive");
    return status_msg(tml_dsp_image_to_tensor(&ia, a[4].buf.ptr, (size_t)need));
}
