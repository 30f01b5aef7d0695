// Loads and unpacks for the ARMv7E-M kernels. SXTB16 sign-extends bytes 0
// and 2 of a word into two 16-bit lanes; rotating the word by 8 first gives
// bytes 1 and 3. Inputs and filters are unpacked the same way, so SMLAD
// (lane 0 x lane 0 + lane 1 x lane 1) pairs matching bytes.
#ifndef TML_KERNELS_OPT_ARMV7EM_SIMD_H
#define TML_KERNELS_OPT_ARMV7EM_SIMD_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "kernels/opt/opt.h"

// Four bytes from any address (Cortex-M4/M7 LDR allows unaligned addresses).
static inline int32_t tml_ld_s8x4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline int32_t tml_ror8(int32_t v) {
    return (int32_t)(((uint32_t)v >> 8) | ((uint32_t)v << 24));
}

// An offset in both 16-bit lanes, for SXTAB16.
static inline int32_t tml_lanes2(int32_t v) {
    return (int32_t)(((uint32_t)v & 0xffff) * 0x10001u);
}

// SXTB16 and SXTAB16 of the word rotated by 8 (bytes 1 and 3) in one
// instruction: compilers do not fold the rotation into the operand.
static inline int32_t tml_sxtb16_ror8(int32_t v) {
    int32_t r;
    __asm__ ("sxtb16 %0, %1, ror #8" : "=r" (r) : "r" (v));
    return r;
}

static inline int32_t tml_sxtab16_ror8(int32_t a, int32_t v) {
    int32_t r;
    __asm__ ("sxtab16 %0, %1, %2, ror #8" : "=r" (r) : "r" (a), "r" (v));
    return r;
}

// (a * b + 2^31) >> 32: SMMULR, which compilers do not emit for the C expression.
static inline int32_t tml_smmulr(int32_t a, int32_t b) {
    int32_t r;
    __asm__ ("smmulr %0, %1, %2" : "=r" (r) : "r" (a), "r" (b));
    return r;
}

// tml_opt_output_short (kernels/opt/opt.h) in five instructions before the clamp:
// QADD is the saturating doubling, SMMULR the rounded high word.
static inline int8_t tml_arm_output_short(int32_t acc, int32_t q, int32_t e, int32_t offset,
    int32_t lo, int32_t hi) {
    const int32_t y = tml_smmulr(__qadd(acc, acc), q);
    return (int8_t)tml_clamp_i32(tml_opt_round_shift(y, e) + offset, lo, hi);
}

// tml_opt_output_any with the short path above.
static inline int8_t tml_arm_output(int32_t acc, int32_t q, int32_t shift, int32_t offset, int32_t lo,
    int32_t hi) {
    if (tml_opt_short_shift(shift)) {
        return tml_arm_output_short(acc, q, -shift, offset, lo, hi);
    }
    return tml_opt_output(acc, q, shift, offset, lo, hi);
}

#endif // TML_KERNELS_OPT_ARMV7EM_SIMD_H
