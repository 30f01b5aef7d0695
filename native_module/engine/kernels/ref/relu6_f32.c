#include "relu6.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_relu6_f32(uint32_t size, const float *input, float *output) {
    for (uint32_t i = 0; i < size; i++) {
        float x = input[i];
        output[i] = x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
    }
}

#endif // TML_KERNELS_F32
