// Code that no int8 model's hot path runs is marked cold: the float32 kernels (this engine's
// product is int8) and what runs once at prepare (broadcast shapes, FFT tables). GCC compiles
// a cold function for size inside the kernels' -O2 build, at the definition only: the headers
// leave it out, so callers' code is unchanged.
#ifndef TML_KERNELS_REF_COLD_H
#define TML_KERNELS_REF_COLD_H

#if defined(__GNUC__)
#define TML_REF_COLD __attribute__((cold))
#else
#define TML_REF_COLD
#endif

#endif // TML_KERNELS_REF_COLD_H
