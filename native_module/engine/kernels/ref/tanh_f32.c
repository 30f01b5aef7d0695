#include "tanh.h"
#include "tml_compiler.h"
#include "tml_math.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_tanh_f32(uint32_t size, const float *input, float *output) {
    for (uint32_t i = 0; i < size; i++) {
        output[i] = tml_tanhf(input[i]);
    }
}

#endif // TML_KERNELS_F32
