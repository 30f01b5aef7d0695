#include "prelu.h"
#include "tml_compiler.h"

#if TML_KERNELS_F32
TML_COLD void tml_ref_prelu_f32(const tml_bcast_t *bc, const float *input, const float *alpha,
    float *output) {
    tml_bcast_pos_t pos = {{0}, 0, 0};
    uint32_t rows = tml_bcast_rows(bc);
    int32_t n = bc->shape[TML_BCAST_DIMS - 1];
    int32_t sa = bc->a_stride[TML_BCAST_DIMS - 1];
    int32_t sb = bc->b_stride[TML_BCAST_DIMS - 1];
    for (uint32_t r = 0; r < rows; r++) {
        const float *ra = input + pos.a;
        const float *rb = alpha + pos.b;
        for (int32_t i = 0; i < n; i++) {
            float x = ra[i * sa];
            output[i] = x >= 0.0f ? x : x * rb[i * sb];
        }
        output += n;
        tml_bcast_next_row(bc, &pos);
    }
}

#endif // TML_KERNELS_F32
