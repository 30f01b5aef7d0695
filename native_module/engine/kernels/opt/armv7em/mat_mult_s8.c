// The GEMM of kernels/opt/opt.h on Cortex-M4/M7: two input rows by two
// filter rows per pass, four bytes of each per step. Input bytes get the
// input offset while they are unpacked (SXTAB16: x + offset fits 16 bits),
// filter bytes are unpacked plainly, and SMLAD adds two products at once:
// 8 dual multiply-accumulates for 16 MACs. The second row and filter row are
// addressed from the first, which keeps the loop in registers; the
// requantization runs afterwards over up to 32 channels at once.
#include "kernels/opt/opt.h"

#if TML_OPT_ARMV7EM

#include "kernels/opt/armv7em/simd.h"

// Four bytes at i of both rows (x, x + x_step) against both filter rows (f,
// f + f_step), into a00 (row 0, filter 0), a01, a10 and a11.
#define DOT_2X2(i) do { \
        const int32_t w0_ = tml_ld_s8x4(f + (i)), w1_ = tml_ld_s8x4(f + f_step + (i)); \
        const int32_t w0e_ = __sxtb16(w0_), w0o_ = tml_sxtb16_ror8(w0_); \
        const int32_t w1e_ = __sxtb16(w1_), w1o_ = tml_sxtb16_ror8(w1_); \
        int32_t v_ = tml_ld_s8x4(x + (i)); \
        int32_t ve_ = __sxtab16(offset2, v_), vo_ = tml_sxtab16_ror8(offset2, v_); \
        a00 = __smlad(ve_, w0e_, a00); \
        a00 = __smlad(vo_, w0o_, a00); \
        a01 = __smlad(ve_, w1e_, a01); \
        a01 = __smlad(vo_, w1o_, a01); \
        v_ = tml_ld_s8x4(x + x_step + (i)); \
        ve_ = __sxtab16(offset2, v_); \
        vo_ = tml_sxtab16_ror8(offset2, v_); \
        a10 = __smlad(ve_, w0e_, a10); \
        a10 = __smlad(vo_, w0o_, a10); \
        a11 = __smlad(ve_, w1e_, a11); \
        a11 = __smlad(vo_, w1o_, a11); \
} while (0)


// Sums of two rows (x, x + x_step) against two filter rows (f, f + f_step)
// of depth k, started from the biases: acc = {r0.f0, r0.f1, r1.f0, r1.f1}.
// Kept out of line so that its loop has the registers to itself.
static __attribute__((noinline)) void dot_2x2(const int8_t *x, int32_t x_step, const int8_t *f,
    int32_t f_step, int32_t k, int32_t offset, int32_t b0, int32_t b1, int32_t acc[4]) {
    const int32_t offset2 = tml_lanes2(offset), k4 = k & ~3;
    int32_t a00 = b0, a01 = b1, a10 = b0, a11 = b1;
    int32_t i = 0;
    // Eight bytes per step: the loop's own instructions count half as much.
    for (; i + 8 <= k4; i += 8) {
        DOT_2X2(i);
        DOT_2X2(i + 4);
    }
    if (i < k4) {
        DOT_2X2(i);
        i += 4;
    }
    for (; i < k; i++) {
        const int32_t w0 = f[i], w1 = f[f_step + i];
        const int32_t x0 = x[i] + offset, x1 = x[x_step + i] + offset;
        a00 += x0 * w0;
        a01 += x0 * w1;
        a10 += x1 * w0;
        a11 += x1 * w1;
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

// Output channels per pass: the sums of two input rows wait on the stack
// (2 x 32 x 4 bytes) for one requantization loop with few live registers.
#define CHUNK 32

// Requantizes n accumulators of two rows for output channels starting at
// mult and shift (step 0: one for all). Out of line: one copy for the shallow
// and the general paths, called once per chunk.
static __attribute__((noinline)) void requantize(const tml_opt_mat_mult_s8_params_t *p,
    const int32_t *acc0, const int32_t *acc1, int32_t n, const int32_t *mult, const int8_t *shift, int32_t step,
    int8_t *out0, int8_t *out1) {
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    bool fast = lo == INT8_MIN && hi == INT8_MAX;
    for (int32_t o = 0; o < n && fast; o++) {
        fast = tml_opt_short_shift(shift[o * step]);
    }
    // Channel c = o * step indexes both arrays: one induction variable, scaled by each load.
    if (fast) {
        // Both rows, every channel short, the whole int8 range: SSAT clamps.
        for (int32_t o = 0, c = 0; o < n; o++, c += step) {
            const int32_t q = mult[c], e = -shift[c];
            const int32_t y0 = tml_smmulr(__qadd(acc0[o], acc0[o]), q);
            const int32_t y1 = tml_smmulr(__qadd(acc1[o], acc1[o]), q);
            out0[o] = (int8_t)__ssat(tml_opt_round_shift(y0, e) + offset, 8);
            out1[o] = (int8_t)__ssat(tml_opt_round_shift(y1, e) + offset, 8);
        }
        return;
    }
    for (int32_t o = 0, c = 0; o < n; o++, c += step) {
        out0[o] = tml_arm_output(acc0[o], mult[c], shift[c], offset, lo, hi);
        out1[o] = tml_arm_output(acc1[o], mult[c], shift[c], offset, lo, hi);
    }
}

// Depths of 8 or 16 (the first pointwise layers of small networks): both
// rows stay unpacked in registers while every filter row passes once, the
// sums wait on the stack as in the general path, and the same requantize
// loop (SSAT where it can) stores each chunk. WORDS is a constant at each
// call, so the unused words compile away. Depths 4 and 12 (no model we have)
// take the general loop: a copy for each costs 0.5 KB of flash.
#define UNPACK_WORD(w) \
    int32_t x0e##w = 0, x0o##w = 0, x1e##w = 0, x1o##w = 0; \
    if (WORDS > w) { \
        const int32_t v0 = tml_ld_s8x4(x0 + 4 * w), v1 = tml_ld_s8x4(x1 + 4 * w); \
        x0e##w = __sxtab16(offset2, v0); \
        x0o##w = tml_sxtab16_ror8(offset2, v0); \
        x1e##w = __sxtab16(offset2, v1); \
        x1o##w = tml_sxtab16_ror8(offset2, v1); \
    }

#define FILTER_WORD(w) \
    if (WORDS > w) { \
        const int32_t wv = tml_ld_s8x4(filter + 4 * w); \
        const int32_t we = __sxtb16(wv), wo = tml_sxtb16_ror8(wv); \
        a0 = __smlad(x0e##w, we, a0); \
        a0 = __smlad(x0o##w, wo, a0); \
        a1 = __smlad(x1e##w, we, a1); \
        a1 = __smlad(x1o##w, wo, a1); \
    }

static inline __attribute__((always_inline)) void shallow(const tml_opt_mat_mult_s8_params_t *p,
    const int8_t *x0, const int8_t *x1, const int8_t *filter, const int32_t *bias, int8_t *out0,
    int8_t *out1, const int WORDS) {
    const int32_t offset2 = tml_lanes2(p->input_offset), step = p->per_channel ? 1 : 0;
    UNPACK_WORD(0)
    UNPACK_WORD(1)
    UNPACK_WORD(2)
    UNPACK_WORD(3)
    const int32_t n = p->out_c;
    int32_t acc0[CHUNK], acc1[CHUNK];
    for (int32_t base = 0; base < n; base += CHUNK) {
        const int32_t chunk = n - base < CHUNK ? n - base : CHUNK;
        for (int32_t o = 0; o < chunk; o++, filter += 4 * WORDS) {
            int32_t a0 = bias != NULL ? bias[base + o] : 0, a1 = a0;
            FILTER_WORD(0)
            FILTER_WORD(1)
            FILTER_WORD(2)
            FILTER_WORD(3)
            acc0[o] = a0;
            acc1[o] = a1;
        }
        requantize(p, acc0, acc1, chunk, p->multiplier + base * step, p->shift + base * step, step,
            out0 + base, out1 + base);
    }
}

// Sums of one row x against four filter rows (f, f + k, f + 2k, f + 3k) over
// their first k4 bytes (a multiple of 4), added to acc. Each input word is
// loaded and unpacked once for the four rows: 25 instructions for 16 MACs.
// The loop needs 14 registers; written in C, GCC spills four of them in it.
static __attribute__((noinline, noclone)) void dot_1x4(const int8_t *x, const int8_t *f, int32_t k,
    int32_t k4, int32_t offset2, int32_t acc[4]) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const int8_t *end = f + k4;
    const int32_t k3 = 3 * k;
    #if defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
    // Distance from the filter bytes to x's, in a register: the loop reads x at f + dx.
    const int32_t dx = (int32_t)((uintptr_t)x - (uintptr_t)f);
    int32_t v, t, ve, vo;
    // Tested as f < end, not k4 > 0: GCC then finds the 14 registers at -O1 to -O3 (at -Os
    // it does not, hence the C loop below, and -O0 has no registers to spare).
    if (f < end) {
        __asm__ (
            "1:\n\t"
            "ldr %[v], [%[f], %[dx]]\n\t"
            "sxtab16 %[ve], %[off], %[v]\n\t"
            "sxtab16 %[vo], %[off], %[v], ror #8\n\t"
            "ldr %[v], [%[f], %[k]]\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "smlad %[a1], %[ve], %[t], %[a1]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[a1], %[vo], %[v], %[a1]\n\t"
            "ldr %[v], [%[f], %[k], lsl #1]\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "smlad %[a2], %[ve], %[t], %[a2]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[a2], %[vo], %[v], %[a2]\n\t"
            "ldr %[v], [%[f], %[k3]]\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "smlad %[a3], %[ve], %[t], %[a3]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[a3], %[vo], %[v], %[a3]\n\t"
            "ldr %[v], [%[f]], #4\n\t"
            "sxtb16 %[t], %[v]\n\t"
            "smlad %[a0], %[ve], %[t], %[a0]\n\t"
            "sxtb16 %[v], %[v], ror #8\n\t"
            "smlad %[a0], %[vo], %[v], %[a0]\n\t"
            "cmp %[f], %[end]\n\t"
            "bne 1b\n\t"
            : [a0] "+r" (a0), [a1] "+r" (a1), [a2] "+r" (a2), [a3] "+r" (a3), [f] "+r" (f),
            [v] "=&r" (v), [t] "=&r" (t), [ve] "=&r" (ve), [vo] "=&r" (vo)
            : [end] "r" (end), [dx] "r" (dx), [k] "r" (k), [k3] "r" (k3), [off] "r" (offset2)
            : "cc", "memory");
    }
    #else
    for (; f < end; f += 4, x += 4) {
        const int32_t v = tml_ld_s8x4(x);
        const int32_t ve = __sxtab16(offset2, v), vo = tml_sxtab16_ror8(offset2, v);
        int32_t w = tml_ld_s8x4(f);
        a0 = __smlad(vo, tml_sxtb16_ror8(w), __smlad(ve, __sxtb16(w), a0));
        w = tml_ld_s8x4(f + k);
        a1 = __smlad(vo, tml_sxtb16_ror8(w), __smlad(ve, __sxtb16(w), a1));
        w = tml_ld_s8x4(f + 2 * k);
        a2 = __smlad(vo, tml_sxtb16_ror8(w), __smlad(ve, __sxtb16(w), a2));
        w = tml_ld_s8x4(f + k3);
        a3 = __smlad(vo, tml_sxtb16_ror8(w), __smlad(ve, __sxtb16(w), a3));
    }
    #endif
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

// acc plus the sum of one row x against one filter row f over k4 bytes (a
// multiple of 4): layers with fewer than four outputs.
static int32_t dot_1x1(const int8_t *x, const int8_t *f, int32_t k4, int32_t offset2, int32_t acc) {
    for (int32_t i = 0; i < k4; i += 4) {
        const int32_t v = tml_ld_s8x4(x + i), w = tml_ld_s8x4(f + i);
        acc = __smlad(__sxtab16(offset2, v), __sxtb16(w), acc);
        acc = __smlad(tml_sxtab16_ror8(offset2, v), tml_sxtb16_ror8(w), acc);
    }
    return acc;
}

// The sums of x against `group` filter rows from f (4, f_step = k apart, or 1),
// started from their biases (bias at the first row, or NULL), into a[0..group).
static inline __attribute__((always_inline)) void group_sums(const int8_t *x, int32_t offset,
    const int8_t *f, int32_t k, int32_t group, const int32_t *bias, int32_t a[4]) {
    const int32_t k4 = k & ~3, offset2 = tml_lanes2(offset), f_step = group == 4 ? k : 0;
    for (int32_t j = 0; j < 4; j++) {
        a[j] = bias != NULL ? bias[j < group ? j : 0] : 0;
    }
    if (group == 4) {
        dot_1x4(x, f, f_step, k4, offset2, a);
    } else {
        a[0] = dot_1x1(x, f, k4, offset2, a[0]);
    }
    for (int32_t i = k4; i < k; i++) {
        const int32_t x0 = x[i] + offset;
        for (int32_t j = 0; j < 4; j++) {
            a[j] += x0 * f[j * f_step + i];
        }
    }
}

// Both below take four filter rows per pass. A last pass of fewer than four
// rows moves back so that it ends at the last row, writing some results again
// with the same values; fewer than four rows in all go one at a time.
void tml_opt_mat_vec_s8_s32(const int8_t *x, int32_t input_offset, const int8_t *filter,
    int32_t depth, int32_t rows, const int32_t *bias, int32_t *acc) {
    const int32_t group = rows >= 4 ? 4 : 1;
    for (int32_t o = 0; o < rows; o += group) {
        if (o + group > rows) {
            o = rows - group;
        }
        int32_t a[4];
        group_sums(x, input_offset, filter + (size_t)o * depth, depth, group,
            bias != NULL ? bias + o : NULL, a);
        for (int32_t j = 0; j < group; j++) {
            acc[o + j] = a[j];
        }
    }
}

// One input row (fully connected layers on one batch), each pass's outputs
// requantized at once.
static void one_row(const tml_opt_mat_mult_s8_params_t *p, const int8_t *x, const int8_t *filter,
    const int32_t *bias, int8_t *output) {
    const int32_t k = p->depth, n = p->out_c, step = p->per_channel ? 1 : 0;
    // In locals: the output stores may alias p for all the compiler knows.
    const int32_t *mult = p->multiplier;
    const int8_t *shift = p->shift;
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t group = n >= 4 ? 4 : 1;
    for (int32_t o = 0; o < n; o += group) {
        if (o + group > n) {
            o = n - group;
        }
        int32_t a[4];
        group_sums(x, p->input_offset, filter + (size_t)o * k, k, group,
            bias != NULL ? bias + o : NULL, a);
        for (int32_t j = 0; j < group; j++) {
            const int32_t c = (o + j) * step;
            output[o + j] = tml_arm_output(a[j], mult[c], shift[c], offset, lo, hi);
        }
    }
}

void tml_opt_mat_mult_s8(const tml_opt_mat_mult_s8_params_t *p, const int8_t *input,
    int32_t row_stride, int32_t rows, const int8_t *filter, const int32_t *bias, int8_t *output) {
    const int32_t k = p->depth, n = p->out_c;
    if (rows == 1) {
        one_row(p, input, filter, bias, output);
        return;
    }
    if (rows == 2 && (k == 8 || k == 16)) {
        const int8_t *x1 = input + row_stride;
        if (k == 8) {
            shallow(p, input, x1, filter, bias, output, output + n, 2);
        } else {
            shallow(p, input, x1, filter, bias, output, output + n, 4);
        }
        return;
    }
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t x_step = row_stride;
    int32_t acc0[CHUNK], acc1[CHUNK];
    for (int32_t base = 0; base < n; base += CHUNK) {
        const int32_t chunk = n - base < CHUNK ? n - base : CHUNK;
        for (int32_t j = 0; j < chunk; j += 2) {
            const int32_t o = base + j;
            const bool two_filters = j + 1 < chunk;
            int32_t acc[4];
            // An odd last filter row pairs with itself; its second results are dropped.
            dot_2x2(input, x_step, filter + (size_t)o * k, two_filters ? k : 0, k, p->input_offset,
                bias != NULL ? bias[o] : 0, bias != NULL && two_filters ? bias[o + 1] : 0, acc);
            acc0[j] = acc[0];
            acc1[j] = acc[2];
            if (two_filters) {
                acc0[j + 1] = acc[1];
                acc1[j + 1] = acc[3];
            }
        }
        requantize(p, acc0, acc1, chunk, p->multiplier + base * step,
            p->shift + base * step, step, output + base, output + n + base);
    }
}

#endif // TML_OPT_ARMV7EM
