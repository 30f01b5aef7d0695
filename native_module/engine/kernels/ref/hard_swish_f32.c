#include "hard_swish.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_hard_swish_f32(uint32_t size, const float *input, float *output) {
    for (uint32_t i = 0; i < size; i++) {
        float x = input[i];
        float r = x + 3.0f;
        r = 0.0f < r ? r : 0.0f;  // std::min(6, std::max(0, x + 3)), NaN included
        r = r < 6.0f ? r : 6.0f;
        output[i] = x * r / 6.0f;
    }
}

#endif // TML_KERNELS_F32
