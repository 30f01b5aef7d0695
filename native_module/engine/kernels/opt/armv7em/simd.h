// Loads and unpacks for the ARMv7E-M kernels. SXTB16 sign-extends bytes 0
// and 2 of a word into two 16-bit lanes; rotating the word by 8 first gives
// bytes 1 and 3. Inputs and filters are unpacked the same way, so SMLAD
// (lane 0 x lane 0 + lane 1 x lane 1) pairs matching bytes.
#ifndef TML_KERNELS_OPT_ARMV7EM_SIMD_H
#define TML_KERNELS_OPT_ARMV7EM_SIMD_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

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

#endif // TML_KERNELS_OPT_ARMV7EM_SIMD_H
