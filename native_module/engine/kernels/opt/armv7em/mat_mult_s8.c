// The GEMM of kernels/opt/opt.h on Cortex-M4/M7: two input rows by two
// filter rows per pass, four bytes of each per step. Input bytes get the
// input offset while they are unpacked (SXTAB16: x + offset fits 16 bits),
// filter bytes are unpacked plainly, and SMLAD adds two products at once:
// 8 dual multiply-accumulates for 16 MACs. The second row and filter row are
// addressed from the first, and the requantization constants of a filter
// row serve both input rows, which keeps the loop in registers.
#include "kernels/opt/opt.h"

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

// Requantizes the results of filter row o for one or two input rows.
static inline void store(const tml_opt_mat_mult_s8_params_t *p, int32_t q, int32_t shift,
    int32_t acc0, int32_t acc1, int8_t *out0, int8_t *out1) {
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    if (tml_opt_short_shift(shift)) {
        const int32_t e = -shift;
        *out0 = tml_arm_output_short(acc0, q, e, offset, lo, hi);
        if (out1 != NULL) {
            *out1 = tml_arm_output_short(acc1, q, e, offset, lo, hi);
        }
    } else {
        *out0 = tml_opt_output(acc0, q, shift, offset, lo, hi);
        if (out1 != NULL) {
            *out1 = tml_opt_output(acc1, q, shift, offset, lo, hi);
        }
    }
}

// One input row: two filter rows per pass.
static void one_row(const tml_opt_mat_mult_s8_params_t *p, const int8_t *x, const int8_t *filter,
    const int32_t *bias, int8_t *output) {
    const int32_t k = p->depth, k4 = p->depth & ~3, n = p->out_c;
    const int32_t offset = p->input_offset, offset2 = tml_lanes2(offset);
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t *mult = p->multiplier, *shift = p->shift;
    for (int32_t o = 0; o < n; o += 2) {
        const bool two_filters = o + 1 < n;
        const int8_t *f = filter + (size_t)o * k;
        const int32_t f_step = two_filters ? k : 0;
        int32_t a0 = bias != NULL ? bias[o] : 0;
        int32_t a1 = bias != NULL && two_filters ? bias[o + 1] : 0;
        int32_t i = 0;
        for (; i < k4; i += 4) {
            const int32_t w0 = tml_ld_s8x4(f + i), w1 = tml_ld_s8x4(f + f_step + i);
            const int32_t v = tml_ld_s8x4(x + i);
            const int32_t ve = __sxtab16(offset2, v), vo = tml_sxtab16_ror8(offset2, v);
            a0 = __smlad(ve, __sxtb16(w0), a0);
            a0 = __smlad(vo, tml_sxtb16_ror8(w0), a0);
            a1 = __smlad(ve, __sxtb16(w1), a1);
            a1 = __smlad(vo, tml_sxtb16_ror8(w1), a1);
        }
        for (; i < k; i++) {
            const int32_t x0 = x[i] + offset;
            a0 += x0 * f[i];
            a1 += x0 * f[f_step + i];
        }
        store(p, mult[0], shift[0], a0, 0, output + o, NULL);
        mult += step;
        shift += step;
        if (two_filters) {
            store(p, mult[0], shift[0], a1, 0, output + o + 1, NULL);
            mult += step;
            shift += step;
        }
    }
}

void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *input,
    int32_t row_stride, int32_t rows, const int8_t *filter, const int32_t *bias, int8_t *output) {
    if (rows == 1) {
        one_row(p, input, filter, bias, output);
        return;
    }
    const int32_t k = p->depth, k4 = p->depth & ~3, n = p->out_c;
    const int32_t offset = p->input_offset, offset2 = tml_lanes2(offset);
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t *mult = p->multiplier, *shift = p->shift;
    const int32_t x_step = row_stride;
    int8_t *out1 = output + n;
    for (int32_t o = 0; o < n; o += 2) {
        const bool two_filters = o + 1 < n;
        const int8_t *f = filter + (size_t)o * k;
        // An odd last filter row pairs with itself; its second results are dropped.
        const int32_t f_step = two_filters ? k : 0;
        const int32_t b0 = bias != NULL ? bias[o] : 0;
        const int32_t b1 = bias != NULL && two_filters ? bias[o + 1] : 0;
        int32_t a00 = b0, a01 = b1, a10 = b0, a11 = b1;
        const int8_t *x = input;
        int32_t i = 0;
        for (; i < k4; i += 4) {
            const int32_t w0 = tml_ld_s8x4(f + i), w1 = tml_ld_s8x4(f + f_step + i);
            const int32_t w0e = __sxtb16(w0), w0o = tml_sxtb16_ror8(w0);
            const int32_t w1e = __sxtb16(w1), w1o = tml_sxtb16_ror8(w1);
            int32_t v = tml_ld_s8x4(x + i);
            int32_t ve = __sxtab16(offset2, v), vo = tml_sxtab16_ror8(offset2, v);
            a00 = __smlad(ve, w0e, a00);
            a00 = __smlad(vo, w0o, a00);
            a01 = __smlad(ve, w1e, a01);
            a01 = __smlad(vo, w1o, a01);
            v = tml_ld_s8x4(x + x_step + i);
            ve = __sxtab16(offset2, v);
            vo = tml_sxtab16_ror8(offset2, v);
            a10 = __smlad(ve, w0e, a10);
            a10 = __smlad(vo, w0o, a10);
            a11 = __smlad(ve, w1e, a11);
            a11 = __smlad(vo, w1o, a11);
        }
        for (; i < k; i++) {
            const int32_t w0 = f[i], w1 = f[f_step + i];
            const int32_t x0 = x[i] + offset, x1 = x[x_step + i] + offset;
            a00 += x0 * w0;
            a01 += x0 * w1;
            a10 += x1 * w0;
            a11 += x1 * w1;
        }
        store(p, mult[0], shift[0], a00, a10, output + o, out1 + o);
        mult += step;
        shift += step;
        if (two_filters) {
            store(p, mult[0], shift[0], a01, a11, output + o + 1, out1 + o + 1);
            mult += step;
            shift += step;
        }
    }
}

#endif // TML_OPT_ARMV7EM
