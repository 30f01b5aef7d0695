// Kernels that no int8 model's hot path runs (the float32 kernels: this engine's product is
// int8) are marked cold: GCC then compiles them for size inside the kernels' -O2 build, and
// lays out their callers' branches with int8 as the likely case.
#ifndef TML_KERNELS_REF_COLD_H
#define TML_KERNELS_REF_COLD_H

#if defined(__GNUC__)
#define TML_REF_COLD __attribute__((cold))
#else
#define TML_REF_COLD
#endif

#endif // TML_KERNELS_REF_COLD_H
