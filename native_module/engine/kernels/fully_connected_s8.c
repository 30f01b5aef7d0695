// int8 FULLY_CONNECTED dispatcher: symmetric weights (filter zero point 0,
// as int8 TFLite models have) run the GEMM of kernels/opt/, two batch rows
// per pass. Also the GEMM's accumulators alone, for the recurrent ops.
#include "kernels/kernels.h"

#include "kernels/opt/opt.h"

void tml_fully_connected_s8(const tml_fully_connected_s8_params_t *p, const int8_t *input,
    const int8_t *filter, const int32_t *bias, int8_t *output) {
    #if TML_KERNELS_OPT
    if (p->filter_offset == 0) {
        const tml_fully_connected_shape_t *s = &p->s;
        const tml_opt_mat_mult_s8_params_t m = {
            .depth = s->accum_depth,
            .out_c = s->out_depth,
            .input_offset = p->input_offset,
            .output_offset = p->output_offset,
            .act_min = p->act_min,
            .act_max = p->act_max,
            .multiplier = p->multiplier,
            .shift = p->shift,
            .per_channel = p->per_channel != 0,
        };
        for (int32_t b = 0; b < s->batches; b += 2) {
            tml_opt_mat_mult_s8(&m, input + (size_t)b * s->accum_depth, s->accum_depth,
                b + 1 < s->batches ? 2 : 1, filter, bias, output + (size_t)b * s->out_depth);
        }
        return;
    }
    #endif
    tml_ref_fully_connected_s8(p, input, filter, bias, output);
}

void tml_mat_vec_s8_s32(const int8_t *x, int32_t input_offset, const int8_t *filter,
    int32_t depth, int32_t rows, const int32_t *bias, int32_t *acc) {
    #if TML_KERNELS_OPT
    tml_opt_mat_vec_s8_s32(x, input_offset, filter, depth, rows, bias, acc);
    #else
    for (int32_t o = 0; o < rows; o++) {
        const int8_t *f = filter + (size_t)o * (size_t)depth;
        int32_t a = bias != NULL ? bias[o] : 0;
        for (int32_t k = 0; k < depth; k++) {
            a += ((int32_t)x[k] + input_offset) * (int32_t)f[k];
        }
        acc[o] = a;
    }
    #endif
}
