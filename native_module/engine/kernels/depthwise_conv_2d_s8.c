// int8 DEPTHWISE_CONV_2D dispatcher: depth multipliers of 1 (every
// depthwise layer of the MobileNets and DS-CNNs) and multiples of 4 (first
// layers on one input channel) take kernels/opt/, with the scratch sized by
// tml_depthwise_conv_2d_s8_scratch_size (tml_depthwise_conv_2d_s8_fast is the
// rule); others run the reference kernel (left out without
// TML_KERNEL_REFERENCE_CONV, prepare then refusing them).
#include "kernels/kernels.h"

#include "kernels/opt/opt.h"

size_t tml_depthwise_conv_2d_s8_scratch_size(int32_t kernels, int32_t in_w, int32_t in_c,
    int32_t filter_h, int32_t filter_w, int32_t out_c) {
    // The bounds keep the products inside size_t on a corrupt model.
    if (kernels == TML_KERNELS_ARMV7EM && in_w > 0 && in_c > 0 && filter_h > 0 && filter_w > 0
        && out_c > 0 && in_w <= 0xffff && in_c <= 0xffff && filter_h <= 0xffff && filter_w <= 0xffff
        && out_c <= 0xffff && (uint64_t)filter_h * filter_w * out_c <= 0x3fffffff
        && (uint64_t)in_w * in_c <= 0x3fffffff) {
        return tml_armv7em_depthwise_conv_2d_s8_scratch_size(in_w, in_c, filter_h, filter_w, out_c);
    }
    return 0;
}

bool tml_depthwise_conv_2d_s8_fast(const tml_depthwise_conv_2d_s8_params_t *p, size_t scratch_bytes) {
    #if TML_KERNELS_OPT
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const size_t needed = tml_depthwise_conv_2d_s8_scratch_size(TML_KERNEL_SET, s->in_w, s->in_c, s->filter_h,
        s->filter_w, s->in_c * s->depth_multiplier);
    // A corrupt shape past scratch_size's bounds gets no scratch, so no ARMv7E-M fast path.
    const bool sized = TML_KERNEL_SET != TML_KERNELS_ARMV7EM || needed > 0;
    return sized && tml_opt_depthwise_built(s->depth_multiplier, s->in_c) && scratch_bytes >= needed;
    #else
    (void)p;
    (void)scratch_bytes;
    return false;
    #endif
}

void tml_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output, void *scratch, size_t scratch_bytes) {
    #if TML_KERNELS_OPT
    if (tml_depthwise_conv_2d_s8_fast(p, scratch_bytes)) {
        tml_opt_depthwise_conv_2d_s8(p, input, filter, bias, output, scratch);
        return;
    }
    #endif
    (void)scratch;
    (void)scratch_bytes;
    #if TML_KERNEL_REFERENCE_CONV
    tml_ref_depthwise_conv_2d_s8(p, input, filter, bias, output);
    #else
    // Not reached: prepare refused every layer tml_depthwise_conv_2d_s8_fast says no to.
    (void)input;
    (void)filter;
    (void)bias;
    (void)output;
    #endif
}

void tml_depthwise_conv_2d_s8_rows(const tml_depthwise_conv_2d_s8_params_t *p, int32_t row0, int32_t rows,
    int32_t in_row0, int32_t in_rows, const int8_t *input, const int8_t *filter, const int32_t *bias,
    int8_t *output, void *scratch, size_t scratch_bytes) {
    tml_depthwise_conv_2d_s8_params_t band = *p;
    const int32_t dropped = tml_band_input(row0, rows, p->s.stride_h, p->s.dilation_h, p->s.filter_h, p->s.pad_h,
        p->s.in_h, &in_row0, &in_rows, &band.s.pad_h);
    band.s.batches = 1;
    band.s.out_h = rows;
    band.s.in_h = in_rows;
    const int8_t *band_input = input + (size_t)dropped * p->s.in_w * p->s.in_c;
    tml_depthwise_conv_2d_s8(&band, band_input, filter, bias, output, scratch, scratch_bytes);
}
