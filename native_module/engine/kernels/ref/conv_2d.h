// CONV_2D reference kernels: pure functions, NHWC tensors, OHWI filters.
//
// tml_ref_conv_2d_s8 matches TFLite's reference_integer_ops::ConvPerChannel
// (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h) bit for bit,
// with TFLITE_SINGLE_ROUNDING off; tml_ref_conv_2d_f32 follows
// reference_ops::Conv (reference/conv.h) in the same summation order.
// Grouped convolution (filter_c < in_c) is handled as TFLite does.
#ifndef TML_KERNELS_REF_CONV_2D_H
#define TML_KERNELS_REF_CONV_2D_H

#include <stdint.h>

#include "kernels/ref/channel_quant.h"
#include "tml_config.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t filter_h, filter_w, filter_c;  // filter_c = in_c / groups
    int32_t out_h, out_w, out_c;           // out_c is a multiple of groups
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;                  // leading padding (top, left)
} tml_conv_2d_shape_t;

typedef struct {
    tml_conv_2d_shape_t s;
    tml_channel_quant_t q;
} tml_conv_2d_s8_params_t;

typedef struct {
    tml_conv_2d_shape_t s;
    float act_min, act_max;
} tml_conv_2d_f32_params_t;

// input [batches, in_h, in_w, in_c], filter [out_c, filter_h, filter_w, filter_c],
// bias [out_c] or NULL, output [batches, out_h, out_w, out_c].
void tml_ref_conv_2d_s8(const tml_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output);

#if TML_KERNELS_F32
void tml_ref_conv_2d_f32(const tml_conv_2d_f32_params_t *p, const float *input,
    const float *filter, const float *bias, float *output);
// The same with the filter's layout given: output channel oc's weight for input channel ic at
// filter pixel (fy, fx) is filter[oc * filter_stride + (fy * filter_w + fx) * pixel_stride + ic].
// DEPTHWISE_CONV_2D's float kernel is this one with groups of one input channel.
void tml_ref_conv_2d_f32_strided(const tml_conv_2d_f32_params_t *p, const float *input,
    const float *filter, int32_t filter_stride, int32_t pixel_stride, const float *bias,
    float *output);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_conv_2d_f32(const tml_conv_2d_f32_params_t *p, const float *input,
    const float *filter, const float *bias, float *output) {
    (void)p; (void)input; (void)filter; (void)bias; (void)output;
}
#endif

#endif // TML_KERNELS_REF_CONV_2D_H
