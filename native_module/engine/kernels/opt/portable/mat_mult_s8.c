// The GEMM of kernels/opt/opt.h in plain C99 for cores without SIMD
// (Cortex-M0+, Xtensa) and the host: two input rows by two filter rows per
// pass, so each byte loaded serves two multiplies, with six accumulators that
// fit the registers of every target. The input offset is applied once per
// output, through the filter row's sum: (x + o) * f summed = x.f + o * sum(f)
// in the same int32 arithmetic.
#include "kernels/opt/opt.h"

#if TML_OPT_PORTABLE

void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *row0,
    const int8_t *row1, const int8_t *filter, const int32_t *bias, int8_t *out0, int8_t *out1) {
    const int32_t k = p->depth, n = p->out_c, offset = p->input_offset;
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t *mult = p->multiplier, *shift = p->shift;
    for (int32_t o = 0; o < n; o += 2) {
        const bool two_filters = o + 1 < n;
        const int8_t *f0 = filter + (size_t)o * k;
        const int8_t *f1 = two_filters ? f0 + k : f0;
        int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0, sum0 = 0, sum1 = 0;
        if (row1 != NULL) {
            for (int32_t i = 0; i < k; i++) {
                const int32_t x0 = row0[i], x1 = row1[i], w0 = f0[i], w1 = f1[i];
                a00 += x0 * w0;
                a01 += x0 * w1;
                a10 += x1 * w0;
                a11 += x1 * w1;
                sum0 += w0;
                sum1 += w1;
            }
        } else {
            for (int32_t i = 0; i < k; i++) {
                const int32_t x0 = row0[i], w0 = f0[i], w1 = f1[i];
                a00 += x0 * w0;
                a01 += x0 * w1;
                sum0 += w0;
                sum1 += w1;
            }
        }
        const int32_t b0 = (bias != NULL ? bias[o] : 0) + offset * sum0;
        out0[o] = tml_opt_output(a00 + b0, *mult, *shift, p->output_offset, p->act_min, p->act_max);
        if (row1 != NULL) {
            out1[o] = tml_opt_output(a10 + b0, *mult, *shift, p->output_offset, p->act_min, p->act_max);
        }
        mult += step;
        shift += step;
        if (two_filters) {
            const int32_t b1 = (bias != NULL ? bias[o + 1] : 0) + offset * sum1;
            out0[o + 1] = tml_opt_output(a01 + b1, *mult, *shift, p->output_offset, p->act_min, p->act_max);
            if (row1 != NULL) {
                out1[o + 1] = tml_opt_output(a11 + b1, *mult, *shift, p->output_offset, p->act_min,
                    p->act_max);
            }
            mult += step;
            shift += step;
        }
    }
}

#endif // TML_OPT_PORTABLE
