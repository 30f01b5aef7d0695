// float32 DEPTHWISE_CONV_2D; see depthwise_conv_2d.h. It is a grouped float CONV_2D with one
// input channel per group, whose filter [1, filter_h, filter_w, out_c] holds output channel oc's
// weights at stride out_c: conv_2d_f32.c's loop, with the same summation order (filter row,
// column, then bias) as TFLite's depthwise reference.
#include "kernels/ref/conv_2d.h"
#include "kernels/ref/depthwise_conv_2d.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_depthwise_conv_2d_f32(const tml_depthwise_conv_2d_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output) {
    const tml_depthwise_conv_2d_shape_t *s = &p->s;
    const int32_t out_c = s->in_c * s->depth_multiplier;
    const tml_conv_2d_f32_params_t conv = {
        .s = {
            .batches = s->batches,
            .in_h = s->in_h, .in_w = s->in_w, .in_c = s->in_c,
            .filter_h = s->filter_h, .filter_w = s->filter_w, .filter_c = 1,
            .out_h = s->out_h, .out_w = s->out_w, .out_c = out_c,
            .stride_h = s->stride_h, .stride_w = s->stride_w,
            .dilation_h = s->dilation_h, .dilation_w = s->dilation_w,
            .pad_h = s->pad_h, .pad_w = s->pad_w,
        },
        .act_min = p->act_min,
        .act_max = p->act_max,
    };
    tml_ref_conv_2d_f32_strided(&conv, input, filter, 1, out_c, bias, output);
}

#endif // TML_KERNELS_F32
