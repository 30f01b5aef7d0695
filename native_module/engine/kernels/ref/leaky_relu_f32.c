#include "leaky_relu.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_leaky_relu_f32(uint32_t size, float alpha, const float *input,
    float *output) {
    for (uint32_t i = 0; i < size; i++) {
        float x = input[i];
        // alpha may be above 1 or negative, so this is not a max().
        output[i] = x > 0.0f ? x : x * alpha;
    }
}

#endif // TML_KERNELS_F32
