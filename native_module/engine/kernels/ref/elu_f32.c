#include "elu.h"
#include "tml_compiler.h"
#include "tml_math.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_elu_f32(uint32_t size, const float *input, float *output) {
    for (uint32_t i = 0; i < size; i++) {
        float x = input[i];
        output[i] = x < 0.0f ? tml_expm1f(x) : x;
    }
}

#endif // TML_KERNELS_F32
