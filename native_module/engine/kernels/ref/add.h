// ADD reference kernels, bit-exact with TFLite Micro's reference ADD
// (tensorflow/lite/micro/kernels/add.cc; reference_ops::Add / BroadcastAdd6DSlow
// and reference_integer_ops::Add with the left_shift = 20 rescaling).
#ifndef TML_KERNELS_REF_ADD_H
#define TML_KERNELS_REF_ADD_H

#include <stdint.h>

#include "broadcast.h"
#include "tml_config.h"

// Quantized add (also used by SUB): each input is offset, shifted left by
// left_shift and rescaled to a common scale, then the sum is rescaled to the
// output. All multipliers are below one (shift <= 0).
typedef struct {
    tml_bcast_t bc;
    int32_t input1_offset;      // -zero_point
    int32_t input2_offset;
    int32_t output_offset;      // +zero_point
    int32_t input1_multiplier;
    int32_t input2_multiplier;
    int32_t output_multiplier;
    int32_t input1_shift;
    int32_t input2_shift;
    int32_t output_shift;
    int32_t left_shift;
    int32_t act_min;
    int32_t act_max;
} tml_add_s8_params_t;

void tml_ref_add_s8(const tml_add_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out);
#if TML_KERNELS_F32
void tml_ref_add_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_add_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif
// int32 wraps on overflow, as the reference does on two's complement targets.
void tml_ref_add_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out);

#endif // TML_KERNELS_REF_ADD_H
