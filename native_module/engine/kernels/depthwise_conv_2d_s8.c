// int8 DEPTHWISE_CONV_2D dispatcher: depth multipliers of 1 (every
// depthwise layer of the MobileNets and DS-CNNs) and multiples of 4 (first
// layers on one input channel) take kernels/opt/.
#include "kernels/kernels.h"

#include "kernels/opt/opt.h"

void tml_depthwise_conv_2d_s8(const tml_depthwise_conv_2d_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output) {
    #if TML_KERNELS_OPT
    if (tml_opt_depthwise_multiplier(p->s.depth_multiplier)) {
        tml_opt_depthwise_conv_2d_s8(p, input, filter, bias, output);
        return;
    }
    #endif
    tml_ref_depthwise_conv_2d_s8(p, input, filter, bias, output);
}
