// DIV reference kernels, as TFLite's reference_ops::Div / BroadcastDivSlow
// for float32 and int32 (C division: int32 truncates toward zero), then the
// fused activation's clamp.
#ifndef TML_KERNELS_REF_DIV_H
#define TML_KERNELS_REF_DIV_H

#include <stdbool.h>
#include <stdint.h>

#include "broadcast.h"
#include "tml_config.h"

#if TML_KERNELS_F32
void tml_ref_div_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b, float *out);
#else  // left out (tml_config.h): the calls compile to nothing
static inline void tml_ref_div_f32(const tml_bcast_f32_params_t *p, const float *a, const float *b,
    float *out) {
    (void)p; (void)a; (void)b; (void)out;
}
#endif
// false when a divisor is zero (out is then incomplete).
bool tml_ref_div_s32(const tml_bcast_s32_params_t *p, const int32_t *a, const int32_t *b, int32_t *out);

#endif // TML_KERNELS_REF_DIV_H
