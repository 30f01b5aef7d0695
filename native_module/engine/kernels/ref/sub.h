// SUB reference kernels, bit-exact with TFLite Micro's reference SUB
// (tensorflow/lite/micro/kernels/sub.cc, sub_common.cc; reference_ops::Sub,
// BroadcastQuantSubSlow, SubWithActivation, BroadcastSubSlow).
#ifndef TML_KERNELS_REF_SUB_H
#define TML_KERNELS_REF_SUB_H

#include <stdint.h>

#include "add.h"
#include "broadcast.h"
#include "tml_config.h"

// Same rescaling scheme as ADD (left_shift = 20); note TFLite Micro derives
// SUB's multipliers in float where ADD uses double (see ops/add.c).
typedef tml_add_s8_params_t tml_sub_s8_params_t;

void tml_ref_sub_s8(const tml_sub_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out);
#if TML_KERNELS_F32
void tml_ref_sub_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_sub_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif
void tml_ref_sub_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out);

#endif // TML_KERNELS_REF_SUB_H
