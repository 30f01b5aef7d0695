// CAST between int8/uint8/int16/uint16/int32/uint32/int64/bool/float32
// (TFLM's audio front end casts uint32 <-> int32, int16 -> int32,
// int32 -> int8 and int16 -> float32).
#include "tml_op.h"
#include "kernels/ref/cast.h"

static TML_COLD tml_status_t cast_prepare(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in, *out;
    tml_node_unary(it, node, &in, &out);
    if (!tml_ref_cast_type_ok(in->type)) {
        return tml_fail_type(it, in->type, "input");
    }
    if (!tml_ref_cast_type_ok(out->type)) {
        return tml_fail_type(it, out->type, "output");
    }
    return TML_OK;
}

static tml_status_t cast_eval(tml_interp_t *it, tml_node_t *node) {
    const tml_tensor_t *in = tml_node_input(it, node, 0);
    tml_tensor_t *out = tml_node_output(it, node, 0);
    tml_ref_cast(in->data, in->type, out->data, out->type, tml_elements(in));
    return TML_OK;
}

const tml_op_t tml_op_cast = {
    .builtin = TML_BUILTIN_CAST,
    .max_version = 7,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .flags = TML_OP_SAME_SIZE,
    .prepare = cast_prepare,
    .eval = cast_eval,
};
