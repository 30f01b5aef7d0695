#include "logistic.h"
#include "tml_compiler.h"
#include "tml_math.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_logistic_f32(uint32_t size, const float *input, float *output) {
    // Beyond these the result is 1 (or exp(x)) to float precision.
    const float cutoff_upper = 16.619047164916992188f;
    const float cutoff_lower = -9.0f;
    for (uint32_t i = 0; i < size; i++) {
        float x = input[i];
        float y;
        if (x > cutoff_upper) {
            y = 1.0f;
        } else if (x < cutoff_lower) {
            y = tml_expf(x);
        } else {
            y = 1.0f / (1.0f + tml_expf(-x));
        }
        output[i] = y;
    }
}

#endif // TML_KERNELS_F32
