// How the engine asks the compiler to lay out code that is not on an invoke's hot path.
#ifndef TML_COMPILER_H
#define TML_COMPILER_H

#if defined(__GNUC__)
// Runs once a model (loading, planning, prepare, messages) or on no int8 model's hot path (the
// float32 kernels, set-up tables): GCC compiles a cold function for size even in an -O2 build
// and places it away from the eval paths. On the definition only, so callers compile as before.
#define TML_COLD __attribute__((cold))
// One out-of-line copy for a helper several callers share, where -O2 would inline or clone it.
#define TML_NOINLINE __attribute__((noinline))
#else
#define TML_COLD
#define TML_NOINLINE
#endif

#endif // TML_COMPILER_H
