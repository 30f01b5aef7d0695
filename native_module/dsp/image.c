// Crop, resize, colour conversion and quantization of raw image buffers into
// a model's input tensor, in one pass with no intermediate image.
#include "tml_dsp.h"
#include "tml_math.h"

size_t tml_dsp_pixfmt_size(int fmt) {
    switch (fmt) {
        case TML_DSP_GRAY8:
            return 1;
        case TML_DSP_RGB565:
        case TML_DSP_RGB565_BE:
            return 2;
        case TML_DSP_RGB888:
            return 3;
        default:
            return 0;
    }
}

// Pixel (x, y) of the source as R, G, B (gray sources repeat the value).
static void fetch_rgb(const tml_dsp_image_args_t *a, uint32_t x, uint32_t y, int32_t rgb[3]) {
    const uint8_t *p = a->src + ((size_t)y * a->width + x) * tml_dsp_pixfmt_size(a->fmt);
    uint32_t v;
    switch (a->fmt) {
        case TML_DSP_GRAY8:
            rgb[0] = rgb[1] = rgb[2] = p[0];
            return;
        case TML_DSP_RGB888:
            rgb[0] = p[0];
            rgb[1] = p[1];
            rgb[2] = p[2];
            return;
        case TML_DSP_RGB565:
            v = (uint32_t)p[0] | ((uint32_t)p[1] << 8);
            break;
        default:
            v = ((uint32_t)p[0] << 8) | (uint32_t)p[1];
            break;
    }
    uint32_t r = (v >> 11) & 31, g = (v >> 5) & 63, b = v & 31;
    rgb[0] = (int32_t)((r << 3) | (r >> 2));
    rgb[1] = (int32_t)((g << 2) | (g >> 4));
    rgb[2] = (int32_t)((b << 3) | (b >> 2));
}

// Pixel (x, y) as dst_channels 8-bit values.
static void fetch(const tml_dsp_image_args_t *a, uint32_t x, uint32_t y, int32_t *px) {
    if (a->fmt == TML_DSP_GRAY8) {
        int32_t g = a->src[(size_t)y * a->width + x];
        px[0] = px[1] = px[2] = g;
        return;
    }
    fetch_rgb(a, x, y, px);
    if (a->dst_channels == 1) {
        px[0] = (77 * px[0] + 150 * px[1] + 29 * px[2] + 128) >> 8;
    }
}

// Source coordinate of destination index d, in 1/256 pixel, pixel centres
// aligned: s = (d + 0.5) * src / dst - 0.5, clamped to [0, src - 1].
static int32_t src_coord_q8(uint32_t d, uint32_t src, uint32_t dst) {
    int64_t num = (int64_t)(2 * d + 1) * src - dst;   // s = num / (2 dst)
    if (num < 0) {
        return 0;
    }
    int64_t q = num * 256 / (2 * (int64_t)dst);
    int64_t max = (int64_t)(src - 1) * 256;
    return (int32_t)(q < max ? q : max);
}

static int32_t quantize(float v, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
    float q = v / scale;
    if (!(q > (float)(lo - zero_point) - 1.0f)) {
        return lo;
    }
    if (q > (float)(hi - zero_point) + 1.0f) {
        return hi;
    }
    int32_t r = (int32_t)tml_roundf(q) + zero_point;
    return r < lo ? lo : (r > hi ? hi : r);
}

static void store(const tml_dsp_image_args_t *a, void *out, size_t i, int32_t p) {
    float v = (float)p * a->gain + a->offset;
    switch (a->dtype) {
        case TML_DSP_FLOAT32:
            ((float *)out)[i] = v;
            break;
        case TML_DSP_UINT8:
            ((uint8_t *)out)[i] = (uint8_t)quantize(v, a->scale, a->zero_point, 0, 255);
            break;
        case TML_DSP_INT8:
            ((int8_t *)out)[i] = (int8_t)quantize(v, a->scale, a->zero_point, -128, 127);
            break;
        default:
            ((int16_t *)out)[i] = (int16_t)quantize(v, a->scale, a->zero_point, -32768, 32767);
            break;
    }
}

tml_dsp_status_t tml_dsp_image_to_tensor(const tml_dsp_image_args_t *a, void *out,
    size_t out_bytes) {
    size_t esize = tml_dsp_dtype_size(a->dtype);
    if (tml_dsp_pixfmt_size(a->fmt) == 0 || esize == 0
        || (a->dst_channels != 1 && a->dst_channels != 3)
        || a->dst_w == 0 || a->dst_h == 0 || a->rw == 0 || a->rh == 0
        || a->rx + a->rw > a->width || a->ry + a->rh > a->height
        || a->rx + a->rw < a->rx || a->ry + a->rh < a->ry
        || (a->dtype != TML_DSP_FLOAT32 && !(a->scale > 0.0f))) {
        return TML_DSP_ERR_ARG;
    }
    if ((uint64_t)out_bytes != (uint64_t)a->dst_w * a->dst_h * a->dst_channels * esize) {
        return TML_DSP_ERR_SIZE;
    }
    uint32_t nc = a->dst_channels;
    size_t i = 0;
    for (uint32_t dy = 0; dy < a->dst_h; dy++) {
        int32_t sy = src_coord_q8(dy, a->rh, a->dst_h);
        for (uint32_t dx = 0; dx < a->dst_w; dx++) {
            int32_t sx = src_coord_q8(dx, a->rw, a->dst_w);
            int32_t px[3];
            if (!a->bilinear) {
                // Nearest: the source pixel whose area holds the destination centre.
                uint32_t nx = (uint32_t)(((uint64_t)(2 * dx + 1) * a->rw) / (2 * a->dst_w));
                uint32_t ny = (uint32_t)(((uint64_t)(2 * dy + 1) * a->rh) / (2 * a->dst_h));
                fetch(a, a->rx + nx, a->ry + ny, px);
            } else {
                uint32_t x0 = (uint32_t)sx >> 8, y0 = (uint32_t)sy >> 8;
                int32_t fx = sx & 255, fy = sy & 255;
                uint32_t x1 = x0 + 1 < a->rw ? x0 + 1 : x0;
                uint32_t y1 = y0 + 1 < a->rh ? y0 + 1 : y0;
                int32_t p00[3], p10[3], p01[3], p11[3];
                fetch(a, a->rx + x0, a->ry + y0, p00);
                fetch(a, a->rx + x1, a->ry + y0, p10);
                fetch(a, a->rx + x0, a->ry + y1, p01);
                fetch(a, a->rx + x1, a->ry + y1, p11);
                for (uint32_t c = 0; c < nc; c++) {
                    int32_t top = p00[c] * (256 - fx) + p10[c] * fx;
                    int32_t bot = p01[c] * (256 - fx) + p11[c] * fx;
                    px[c] = (top * (256 - fy) + bot * fy + 32768) >> 16;
                }
            }
            for (uint32_t c = 0; c < nc; c++) {
                store(a, out, i++, px[c]);
            }
        }
    }
    return TML_DSP_OK;
}
