// The GEMM of kernels/opt/opt.h in plain C99 for cores without SIMD
// (Cortex-M0+, Xtensa) and the host: two input rows by two filter rows per
// pass, so each byte loaded serves two multiplies, with six accumulators that
// fit the registers of every target. The input offset is applied once per
// output, through the filter row's sum: (x + o) * f summed = x.f + o * sum(f)
// in the same int32 arithmetic.
#include "kernels/opt/opt.h"

#if TML_OPT_PORTABLE

static inline int8_t output_byte(const tml_opt_mat_mult_s8_params_t *p, int32_t acc, int32_t q,
    int32_t shift) {
    return tml_opt_output_any(acc, q, shift, p->output_offset, p->act_min, p->act_max);
}

void tml_opt_mat_vec_s8_s32(const int8_t *x, int32_t input_offset, const int8_t *filter,
    int32_t depth, int32_t rows, const int32_t *bias, int32_t *acc) {
    const int32_t k = depth;
    int32_t o = 0;
    for (; o + 4 <= rows; o += 4) {
        const int8_t *f0 = filter + (size_t)o * k, *f1 = f0 + k, *f2 = f1 + k, *f3 = f2 + k;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int32_t i = 0; i < k; i++) {
            const int32_t xi = x[i];
            a0 += xi * f0[i];
            a1 += xi * f1[i];
            a2 += xi * f2[i];
            a3 += xi * f3[i];
            s0 += f0[i];
            s1 += f1[i];
            s2 += f2[i];
            s3 += f3[i];
        }
        acc[o] = a0 + input_offset * s0 + (bias != NULL ? bias[o] : 0);
        acc[o + 1] = a1 + input_offset * s1 + (bias != NULL ? bias[o + 1] : 0);
        acc[o + 2] = a2 + input_offset * s2 + (bias != NULL ? bias[o + 2] : 0);
        acc[o + 3] = a3 + input_offset * s3 + (bias != NULL ? bias[o + 3] : 0);
    }
    for (; o < rows; o++) {
        const int8_t *f = filter + (size_t)o * k;
        int32_t a = 0, sum = 0;
        for (int32_t i = 0; i < k; i++) {
            a += x[i] * f[i];
            sum += f[i];
        }
        acc[o] = a + input_offset * sum + (bias != NULL ? bias[o] : 0);
    }
}

// One input row (fully connected layers on one batch): the matrix-vector sums below, four
// filter rows at a time, then requantized.
static void one_row(const tml_opt_mat_mult_s8_params_t *p, const int8_t *x, const int8_t *filter,
    const int32_t *bias, int8_t *output) {
    const int32_t k = p->depth, n = p->out_c;
    const int32_t step = p->per_channel ? 1 : 0;
    for (int32_t o = 0; o < n; o += 4) {
        const int32_t rows = n - o < 4 ? n - o : 4;
        int32_t acc[4];
        tml_opt_mat_vec_s8_s32(x, p->input_offset, filter + (size_t)o * k, k, rows,
            bias != NULL ? bias + o : NULL, acc);
        for (int32_t j = 0; j < rows; j++) {
            output[o + j] = output_byte(p, acc[j], p->multiplier[(o + j) * step],
                p->shift[(o + j) * step]);
        }
    }
}

void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *input,
    int32_t row_stride, int32_t rows, const int8_t *filter, const int32_t *bias, int8_t *output) {
    const int32_t k = p->depth, n = p->out_c, offset = p->input_offset;
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t *mult = p->multiplier;
    const int8_t *shift = p->shift;
    const int8_t *row0 = input, *row1 = input + row_stride;
    if (rows == 1) {
        one_row(p, input, filter, bias, output);
        return;
    }
    for (int32_t o = 0; o < n; o += 2) {
        const bool two_filters = o + 1 < n;
        const int8_t *f0 = filter + (size_t)o * k;
        const int8_t *f1 = two_filters ? f0 + k : f0;
        int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0, sum0 = 0, sum1 = 0;
        for (int32_t i = 0; i < k; i++) {
            const int32_t x0 = row0[i], x1 = row1[i], w0 = f0[i], w1 = f1[i];
            a00 += x0 * w0;
            a01 += x0 * w1;
            a10 += x1 * w0;
            a11 += x1 * w1;
            sum0 += w0;
            sum1 += w1;
        }
        const int32_t b0 = (bias != NULL ? bias[o] : 0) + offset * sum0;
        // Channel c indexes both arrays: one induction variable, scaled by each load.
        const int32_t c = o * step;
        output[o] = output_byte(p, a00 + b0, mult[c], shift[c]);
        output[n + o] = output_byte(p, a10 + b0, mult[c], shift[c]);
        if (two_filters) {
            const int32_t b1 = (bias != NULL ? bias[o + 1] : 0) + offset * sum1;
            output[o + 1] = output_byte(p, a01 + b1, mult[c + step], shift[c + step]);
            output[n + o + 1] = output_byte(p, a11 + b1, mult[c + step], shift[c + step]);
        }
    }
}

#endif // TML_OPT_PORTABLE
