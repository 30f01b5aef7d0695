// The GEMM of kernels/opt/opt.h on Cortex-M4/M7: two input rows by two
// filter rows per pass, four bytes of each per step. Input bytes get the
// input offset while they are unpacked (SXTAB16: x + offset fits 16 bits),
// filter bytes are unpacked plainly, and SMLAD adds two products at once:
// 8 dual multiply-accumulates for 16 MACs.
#include "kernels/opt/opt.h"

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *row0,
    const int8_t *row1, const int8_t *filter, const int32_t *bias, int8_t *out0, int8_t *out1) {
    const int32_t k = p->depth, n = p->out_c, offset = p->input_offset;
    const int32_t k4 = k & ~3;
    const int32_t offset2 = tml_lanes2(offset);
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t *mult = p->multiplier, *shift = p->shift;
    for (int32_t o = 0; o < n; o += 2) {
        const bool two_filters = o + 1 < n;
        const int8_t *f0 = filter + (size_t)o * k;
        const int8_t *f1 = two_filters ? f0 + k : f0;
        const int32_t b0 = bias != NULL ? bias[o] : 0;
        const int32_t b1 = bias != NULL && two_filters ? bias[o + 1] : 0;
        int32_t a00 = b0, a01 = b1, a10 = b0, a11 = b1;
        int32_t i = 0;
        if (row1 != NULL) {
            for (; i < k4; i += 4) {
                const int32_t w0 = tml_ld_s8x4(f0 + i), w1 = tml_ld_s8x4(f1 + i);
                const int32_t w0e = __sxtb16(w0), w0o = __sxtb16(tml_ror8(w0));
                const int32_t w1e = __sxtb16(w1), w1o = __sxtb16(tml_ror8(w1));
                const int32_t x0 = tml_ld_s8x4(row0 + i);
                const int32_t x0e = __sxtab16(offset2, x0), x0o = __sxtab16(offset2, tml_ror8(x0));
                a00 = __smlad(x0e, w0e, a00);
                a00 = __smlad(x0o, w0o, a00);
                a01 = __smlad(x0e, w1e, a01);
                a01 = __smlad(x0o, w1o, a01);
                const int32_t x1 = tml_ld_s8x4(row1 + i);
                const int32_t x1e = __sxtab16(offset2, x1), x1o = __sxtab16(offset2, tml_ror8(x1));
                a10 = __smlad(x1e, w0e, a10);
                a10 = __smlad(x1o, w0o, a10);
                a11 = __smlad(x1e, w1e, a11);
                a11 = __smlad(x1o, w1o, a11);
            }
            for (; i < k; i++) {
                const int32_t w0 = f0[i], w1 = f1[i];
                const int32_t x0 = row0[i] + offset, x1 = row1[i] + offset;
                a00 += x0 * w0;
                a01 += x0 * w1;
                a10 += x1 * w0;
                a11 += x1 * w1;
            }
        } else {
            for (; i < k4; i += 4) {
                const int32_t w0 = tml_ld_s8x4(f0 + i), w1 = tml_ld_s8x4(f1 + i);
                const int32_t x0 = tml_ld_s8x4(row0 + i);
                const int32_t x0e = __sxtab16(offset2, x0), x0o = __sxtab16(offset2, tml_ror8(x0));
                a00 = __smlad(x0e, __sxtb16(w0), a00);
                a00 = __smlad(x0o, __sxtb16(tml_ror8(w0)), a00);
                a01 = __smlad(x0e, __sxtb16(w1), a01);
                a01 = __smlad(x0o, __sxtb16(tml_ror8(w1)), a01);
            }
            for (; i < k; i++) {
                const int32_t x0 = row0[i] + offset;
                a00 += x0 * f0[i];
                a01 += x0 * f1[i];
            }
        }
        const int32_t out_offset = p->output_offset, lo = p->act_min, hi = p->act_max;
        out0[o] = tml_opt_output(a00, *mult, *shift, out_offset, lo, hi);
        if (row1 != NULL) {
            out1[o] = tml_opt_output(a10, *mult, *shift, out_offset, lo, hi);
        }
        mult += step;
        shift += step;
        if (two_filters) {
            out0[o + 1] = tml_opt_output(a01, *mult, *shift, out_offset, lo, hi);
            if (row1 != NULL) {
                out1[o + 1] = tml_opt_output(a11, *mult, *shift, out_offset, lo, hi);
            }
            mult += step;
            shift += step;
        }
    }
}

#endif // TML_OPT_ARMV7EM
