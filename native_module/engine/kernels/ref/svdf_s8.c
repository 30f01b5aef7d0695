// int8 SVDF with an int8 or int16 state; see svdf.h.
#include "kernels/ref/svdf.h"

#include <stddef.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tml_quant.h"

uint32_t tml_svdf_s8_scratch_size(const tml_svdf_shape_t *s) {
    return (uint32_t)s->batches * ((uint32_t)s->filters + (uint32_t)s->units) * sizeof(int32_t);
}

// Stores the low bits of v, two's complement, as a C++ narrowing conversion does.
static void state_set(void *state, bool int16, size_t i, int32_t v) {
    if (int16) {
        ((int16_t *)state)[i] = (int16_t)((int32_t)((uint32_t)v & 0xffffu) - (int32_t)(((uint32_t)v & 0x8000u) << 1));
    } else {
        ((int8_t *)state)[i] = (int8_t)((int32_t)((uint32_t)v & 0xffu) - (int32_t)(((uint32_t)v & 0x80u) << 1));
    }
}

void tml_ref_svdf_s8(const tml_svdf_s8_params_t *p, const int8_t *input,
    const int8_t *weights_feature, const void *weights_time, const int32_t *bias, void *state,
    int32_t *scratch, int8_t *output) {
    const tml_svdf_shape_t *s = &p->s;
    const bool wide = p->state_int16;
    const size_t state_len = (size_t)s->batches * (size_t)s->filters * (size_t)s->memory;
    const int32_t state_min = wide ? INT16_MIN : INT8_MIN;
    const int32_t state_max = wide ? INT16_MAX : INT8_MAX;

    // The whole state moves one step left, across filter boundaries too: each filter's
    // first slot takes the next filter's oldest value, which the new activation of the
    // previous filter's last slot then overwrites.
    if (state_len > 1) {
        const size_t elem = wide ? sizeof(int16_t) : sizeof(int8_t);
        memmove(state, (uint8_t *)state + elem, (state_len - 1) * elem);
    }

    // New feature activations into each filter's last slot: saturated to the state type,
    // then offset by the state's zero point, which may wrap around in the narrowing store.
    // That is the order of the TFLite Micro release we test against; later sources add the
    // zero point before saturating.
    // The sums are the fully-connected kernels' (kernels.h), in the scratch's filter_sum
    // row, which the time weights fill only afterwards.
    for (int32_t b = 0; b < s->batches; b++) {
        const int8_t *x = input + (size_t)b * s->input_size;
        tml_mat_vec_s8_s32(x, -p->input_zero_point, weights_feature, s->input_size, s->filters, NULL,
            scratch);
        for (int32_t f = 0; f < s->filters; f++) {
            int32_t acc = tml_mul_by_quantized_multiplier(scratch[f], p->feature_multiplier, p->feature_shift);
            acc = tml_clamp_i32(acc, state_min, state_max) + p->state_zero_point;
            size_t slot = ((size_t)b * s->filters + (size_t)f) * s->memory + (size_t)s->memory - 1;
            state_set(state, wide, slot, acc);
        }
    }

    // Time weights against each filter's history.
    int32_t *filter_sum = scratch;
    int32_t *unit_sum = scratch + (size_t)s->batches * s->filters;
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t f = 0; f < s->filters; f++) {
            size_t row = (size_t)b * s->filters + (size_t)f;
            const size_t w0 = (size_t)f * s->memory, s0 = row * s->memory;
            int32_t acc = 0;
            // One loop per type: the type test stays out of the innermost loop.
            if (wide) {
                const int16_t *w = (const int16_t *)weights_time + w0, *h = (const int16_t *)state + s0;
                for (int32_t t = 0; t < s->memory; t++) {
                    acc += (int32_t)w[t] * ((int32_t)h[t] - p->state_zero_point);
                }
            } else {
                const int8_t *w = (const int8_t *)weights_time + w0, *h = (const int8_t *)state + s0;
                for (int32_t t = 0; t < s->memory; t++) {
                    acc += (int32_t)w[t] * ((int32_t)h[t] - p->state_zero_point);
                }
            }
            filter_sum[row] = acc;
        }
    }

    // Bias, then the rank filters of each unit, then the output scale.
    for (int32_t b = 0; b < s->batches; b++) {
        for (int32_t u = 0; u < s->units; u++) {
            int32_t acc = bias != NULL ? bias[u] : 0;
            const int32_t *fs = filter_sum + (size_t)b * s->filters + (size_t)u * s->rank;
            for (int32_t r = 0; r < s->rank; r++) {
                acc += fs[r];
            }
            unit_sum[(size_t)b * s->units + u] = acc;
        }
    }
    for (size_t i = 0; i < (size_t)s->batches * s->units; i++) {
        int32_t v = tml_mul_by_quantized_multiplier(unit_sum[i], p->output_multiplier, p->output_shift);
        output[i] = (int8_t)tml_clamp_i32(v + p->output_zero_point, INT8_MIN, INT8_MAX);
    }
}
