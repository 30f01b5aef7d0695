// MUL reference kernels, bit-exact with TFLite Micro's reference MUL
// (tensorflow/lite/micro/kernels/mul_common.cc; reference_integer_ops::Mul /
// BroadcastMul6DSlow and reference_ops::Mul for float and int32).
#ifndef TML_KERNELS_REF_MUL_H
#define TML_KERNELS_REF_MUL_H

#include <stdint.h>

#include "broadcast.h"
#include "tml_config.h"

typedef struct {
    tml_bcast_t bc;
    int32_t input1_offset;      // -zero_point
    int32_t input2_offset;
    int32_t output_offset;      // +zero_point
    int32_t output_multiplier;  // s1 * s2 / s_out as Q31 and shift
    int32_t output_shift;
    int32_t act_min;
    int32_t act_max;
} tml_mul_s8_params_t;

void tml_ref_mul_s8(const tml_mul_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out);
#if TML_KERNELS_F32
void tml_ref_mul_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_mul_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif
// int32 wraps on overflow, as the reference does on two's complement targets.
void tml_ref_mul_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out);

#endif // TML_KERNELS_REF_MUL_H
