// MAXIMUM and MINIMUM reference kernels, bit-exact with TFLite Micro's
// (tensorflow/lite/micro/kernels/maximum_minimum.cc, MaximumMinimumBroadcastSlow).
// Raw values are compared: int8 inputs and output share one quantization.
#ifndef TML_KERNELS_REF_MAXIMUM_MINIMUM_H
#define TML_KERNELS_REF_MAXIMUM_MINIMUM_H

#include <stdint.h>

#include "broadcast.h"
#include "tml_config.h"

void tml_ref_maximum_s8(const tml_bcast_t *p, const int8_t *a, const int8_t *b, int8_t *out);
void tml_ref_maximum_s32(const tml_bcast_t *p, const int32_t *a, const int32_t *b, int32_t *out);
// x > y ? x : y (MINIMUM: x < y ? x : y), with the reference's NaN behaviour.
#if TML_KERNELS_F32
void tml_ref_maximum_f32(const tml_bcast_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_maximum_f32(const tml_bcast_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif

void tml_ref_minimum_s8(const tml_bcast_t *p, const int8_t *a, const int8_t *b, int8_t *out);
void tml_ref_minimum_s32(const tml_bcast_t *p, const int32_t *a, const int32_t *b, int32_t *out);
#if TML_KERNELS_F32
void tml_ref_minimum_f32(const tml_bcast_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_minimum_f32(const tml_bcast_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif

#endif // TML_KERNELS_REF_MAXIMUM_MINIMUM_H
