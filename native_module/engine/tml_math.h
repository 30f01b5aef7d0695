// The few libm functions the engine needs, written for IEEE-754 so the engine
// links without libm (MicroPython native modules have none by default).
#ifndef TML_MATH_H
#define TML_MATH_H

#include <stdint.h>

// C99 frexp: x = m * 2^e with 0.5 <= |m| < 1.
double tml_frexp(double x, int *e);
// x * 2^e.
double tml_ldexp(double x, int e);
// Round half away from zero (C99 round / roundf).
double tml_round(double x);
float tml_roundf(float x);
double tml_floor(double x);
float tml_fabsf(float x);
// Accurate to a few ulp of float over the ranges the kernels use.
float tml_expf(float x);
float tml_expm1f(float x);
float tml_tanhf(float x);
double tml_exp(double x);
// sqrtf, logf, log and pow, which only the DSP module calls, are its own: dsp/dsp_math.c.

#endif // TML_MATH_H
