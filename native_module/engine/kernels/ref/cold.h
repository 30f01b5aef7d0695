// Code that no int8 model's hot path runs is marked cold: the float32 kernels (this engine's
// product is int8), set-up run once at prepare (broadcast shapes, FFT and ELU tables), type
// juggling (CAST, int32 DIV) and variants converters do not write. GCC compiles a cold
// function for size inside the kernels' -O2 build. The attribute sits on the definition only
// (the headers leave it out), so callers in other files compile as before.
#ifndef TML_KERNELS_REF_COLD_H
#define TML_KERNELS_REF_COLD_H

#if defined(__GNUC__)
#define TML_REF_COLD __attribute__((cold))
#else
#define TML_REF_COLD
#endif

#endif // TML_KERNELS_REF_COLD_H
