#include "elu.h"
#include "tml_compiler.h"
#include "tml_math.h"

TML_COLD void tml_ref_elu_table_s8(float input_scale, int32_t input_zero_point, float output_scale,
    int32_t output_zero_point, int8_t table[256]) {
    const float inverse_scale = 1.0f / output_scale;
    for (int32_t q = INT8_MIN; q <= INT8_MAX; q++) {
        float x = input_scale * (float)(q - input_zero_point);
        float y = x < 0.0f ? tml_expf(x) - 1.0f : x;
        float rescaled = tml_roundf(y * inverse_scale);
        float shifted = rescaled + (float)output_zero_point;
        // The float is integral here; clamp before converting so that the
        // conversion is defined (NaN, from a zero output scale, gives 0).
        int32_t v = shifted > 127.0f ? INT8_MAX
            : shifted < -128.0f ? INT8_MIN
            : shifted == shifted ? (int32_t)shifted : 0;
        table[(uint8_t)(int8_t)q] = (int8_t)v;
    }
}
