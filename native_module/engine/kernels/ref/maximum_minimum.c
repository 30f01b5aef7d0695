// The six kernels differ only in element type and in the comparison, so one
// macro writes the row loop of each, and they share the broadcast loop nest
// (tml_bcast_each_row): a row function per (op, type) keeps the inner loop
// free of a runtime op or type switch.
#include "maximum_minimum.h"

// `x CMP y ? x : y` is the reference's expression, so NaN handling matches
// (a NaN in x yields y, and vice versa).
#define TML_REF_MAXIMUM_MINIMUM(name, type, CMP) \
    static void name##_row(const void *args, const void *a, int32_t sa, const void *b, \
        int32_t sb, void *out, int32_t n) { \
        (void)args; \
        const type *ra = a, *rb = b; \
        type *o = out; \
        for (int32_t i = 0; i < n; i++) { \
            type x = ra[i * sa], y = rb[i * sb]; \
            o[i] = x CMP y ? x : y; \
        } \
    } \
    void name(const tml_bcast_t *bc, const type *a, const type *b, type *out) { \
        tml_bcast_each_row(bc, sizeof(type), NULL, a, b, out, name##_row); \
    }

TML_REF_MAXIMUM_MINIMUM(tml_ref_maximum_s8, int8_t, >)
TML_REF_MAXIMUM_MINIMUM(tml_ref_maximum_s32, int32_t, >)
#if TML_KERNELS_F32
TML_REF_MAXIMUM_MINIMUM(tml_ref_maximum_f32, float, >)
#endif
TML_REF_MAXIMUM_MINIMUM(tml_ref_minimum_s8, int8_t, <)
TML_REF_MAXIMUM_MINIMUM(tml_ref_minimum_s32, int32_t, <)
#if TML_KERNELS_F32
TML_REF_MAXIMUM_MINIMUM(tml_ref_minimum_f32, float, <)
#endif
