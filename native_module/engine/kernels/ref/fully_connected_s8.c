// int8 FULLY_CONNECTED; see fully_connected.h.
#include "kernels/ref/fully_connected.h"

#include <stddef.h>

#include "tml_quant.h"

void tml_ref_fully_connected_s8(const tml_fully_connected_s8_params_t *p,
    const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output) {
    const tml_fully_connected_shape_t *s = &p->s;
    const int32_t step = p->per_channel ? 1 : 0;
    const int32_t input_offset = p->input_offset;
    const int32_t filter_offset = p->filter_offset;
    for (int32_t b = 0; b < s->batches; b++) {
        const int8_t *in_row = input + (size_t)b * s->accum_depth;
        int32_t input_sum = 0;
        for (int32_t d = 0; d < s->accum_depth; d++) {
            input_sum += in_row[d];
        }
        const int32_t input_part = filter_offset * input_sum + s->accum_depth * filter_offset * input_offset;
        const int32_t *mult = p->multiplier;
        const int8_t *shift = p->shift;
        for (int32_t o = 0; o < s->out_depth; o++) {
            const int8_t *f_row = filter + (size_t)o * s->accum_depth;
            // (f + fo) * (x + io) summed = f.x + io * sum(f) + fo * sum(x) + n * fo * io:
            // the same int32 value with a plain int8 dot product in the loop.
            int32_t acc = 0, filter_sum = 0;
            for (int32_t d = 0; d < s->accum_depth; d++) {
                acc += (int32_t)f_row[d] * (int32_t)in_row[d];
                filter_sum += f_row[d];
            }
            acc += input_offset * filter_sum + input_part;
            if (bias != NULL) {
                acc += bias[o];
            }
            acc = tml_mul_by_quantized_multiplier(acc, *mult, *shift);
            mult += step;
            shift += step;
            acc += p->output_offset;
            output[(size_t)b * s->out_depth + o] = (int8_t)tml_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}
