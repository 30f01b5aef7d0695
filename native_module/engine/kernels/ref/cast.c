#include <string.h>

#include "cast.h"
#include "tml_compiler.h"
#include "tml.h"

bool tml_ref_cast_type_ok(int32_t type) {
    switch (type) {
        case TML_INT8:
        case TML_UINT8:
        case TML_INT16:
        case TML_UINT16:
        case TML_INT32:
        case TML_UINT32:
        case TML_INT64:
        case TML_BOOL:
        case TML_FLOAT32:
            return true;
        default:
            return false;
    }
}

// Element i of an integer tensor, widened.
static int64_t load_int(const void *p, int32_t type, uint32_t i) {
    switch (type) {
        case TML_INT8:
            return ((const int8_t *)p)[i];
        case TML_UINT8:
        case TML_BOOL:
            return ((const uint8_t *)p)[i];
        case TML_INT16:
            return ((const int16_t *)p)[i];
        case TML_UINT16:
            return ((const uint16_t *)p)[i];
        case TML_INT32:
            return ((const int32_t *)p)[i];
        case TML_UINT32:
            return ((const uint32_t *)p)[i];
        default:
            return ((const int64_t *)p)[i];
    }
}

static void store_int(void *p, int32_t type, uint32_t i, int64_t v) {
    uint64_t u = (uint64_t)v;  // truncation below keeps the low bits, as static_cast does
    switch (type) {
        case TML_INT8:
        case TML_UINT8:
            ((uint8_t *)p)[i] = (uint8_t)u;
            break;
        case TML_BOOL:
            ((uint8_t *)p)[i] = v != 0;
            break;
        case TML_INT16:
        case TML_UINT16:
            ((uint16_t *)p)[i] = (uint16_t)u;
            break;
        case TML_INT32:
        case TML_UINT32:
            ((uint32_t *)p)[i] = (uint32_t)u;
            break;
        default:
            ((uint64_t *)p)[i] = u;
            break;
    }
}

// float to int64 toward zero, saturated (out of range is undefined in C).
static int64_t float_to_int(float f) {
    if (f != f) {
        return 0;
    }
    if (f >= 9.2233720e18f) {
        return INT64_MAX;
    }
    if (f <= -9.2233720e18f) {
        return INT64_MIN;
    }
    return (int64_t)f;
}

TML_COLD void tml_ref_cast(const void *in, int32_t in_type, void *out, int32_t out_type, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (in_type == TML_FLOAT32) {
            float f = ((const float *)in)[i];
            if (out_type == TML_FLOAT32) {
                ((float *)out)[i] = f;
            } else if (out_type == TML_BOOL) {
                ((uint8_t *)out)[i] = f != 0.0f;
            } else {
                store_int(out, out_type, i, float_to_int(f));
            }
        } else {
            int64_t v = load_int(in, in_type, i);
            if (out_type == TML_FLOAT32) {
                ((float *)out)[i] = (in_type == TML_INT64) ? (float)v : (float)(int64_t)v;
            } else {
                store_int(out, out_type, i, v);
            }
        }
    }
}
