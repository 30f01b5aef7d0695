// float32 FULLY_CONNECTED; see fully_connected.h. It is a 1x1 float CONV_2D over batches of one
// pixel: conv_2d_f32.c's loop, whose summation order (along the row, then bias) is TFLite's.
#include "kernels/ref/conv_2d.h"
#include "kernels/ref/fully_connected.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_fully_connected_f32(const tml_fully_connected_f32_params_t *p,
    const float *input, const float *filter, const float *bias, float *output) {
    const tml_fully_connected_shape_t *s = &p->s;
    const tml_conv_2d_f32_params_t conv = {
        .s = {
            .batches = s->batches,
            .in_h = 1, .in_w = 1, .in_c = s->accum_depth,
            .filter_h = 1, .filter_w = 1, .filter_c = s->accum_depth,
            .out_h = 1, .out_w = 1, .out_c = s->out_depth,
            .stride_h = 1, .stride_w = 1,
            .dilation_h = 1, .dilation_w = 1,
        },
        .act_min = p->act_min,
        .act_max = p->act_max,
    };
    tml_ref_conv_2d_f32(&conv, input, filter, bias, output);
}

#endif // TML_KERNELS_F32
