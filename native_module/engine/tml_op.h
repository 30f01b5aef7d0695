// The interface between the interpreter and one op (ops/<op>.c).
//
// Each op file defines one `const tml_op_t tml_op_<name>` and registers it in
// tml_ops.c. The interpreter calls, in order:
//   data_size / scratch_size  (sizing: also run on a temporary work buffer to
//                              measure the arena, so they must not write data)
//   prepare                   (once, at tml_init: validate shapes and types,
//                              fill node->data with multipliers, ranges, ...)
//   eval                      (every tml_invoke: read tensors, call a kernel)
#ifndef TML_OP_H
#define TML_OP_H

#include <string.h>

#include "tml.h"
#include "tml_builtins.h"
#include "tml_compiler.h"
#include "kernels/ref/broadcast.h"

// The shape of a windowed op whose kernels write output pixels in raster order (batch, row,
// column), each only after reading its own input window, so the planner may start the output
// a little before its input in the same memory (tml_plan_overlap_gap).
typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
} tml_window_shape_t;

// One band of a patched chain (tml_interp.c): output rows [row0, row0 + rows) of a one-image
// node, written at `output`, from its input's image rows [in_row0, in_row0 + in_rows) at
// `input`, which hold every row those outputs read.
typedef struct {
    const uint8_t *input;
    uint8_t *output;
    int32_t in_row0, in_rows, row0, rows;
} tml_rows_t;

typedef struct tml_op {
    int16_t builtin;       // TML_BUILTIN_*
    uint8_t max_version;   // highest op version accepted
    uint8_t flags;         // TML_OP_*
    uint16_t data_size;    // fixed bytes of node->data (sizeof the op's data struct)
    // data_size on a target with 4-byte pointers, when the data struct holds pointers and so
    // differs there (TML_ILP32_SIZE); 0: the same as data_size.
    uint16_t data_size_ilp32;
    // How many inputs and outputs a node of this op has: {min, max}, TML_MANY for no upper
    // bound. tml_node_check checks them once, before prepare, and that every input below the
    // minimum is present (unless TML_OP_ABSENT_INPUTS), so prepare need not. Both {0, 0}: the
    // op has no tensors, and prepare checks that none is given.
    uint8_t inputs[2];
    uint8_t outputs[2];
    // The types input 0 may have (TML_TYPE_BIT of each), checked with the counts; 0: prepare
    // checks them.
    uint16_t types;
    // TML_OUTPUT_TYPE(type), the one type output 0 may have, checked after input 0's: a bad
    // model otherwise ("output must be int16"); 0: prepare checks it.
    uint8_t output_type;
    // Extra node->data bytes beyond data_size (per-channel arrays); NULL = none.
    size_t (*extra_size)(const tml_interp_t *it, const tml_node_t *node);
    // Scratch bytes needed during eval (node->scratch); NULL = none.
    size_t (*scratch_size)(const tml_interp_t *it, const tml_node_t *node);
    tml_status_t (*prepare)(tml_interp_t *it, tml_node_t *node);
    tml_status_t (*eval)(tml_interp_t *it, tml_node_t *node);
    // Clears the state the node keeps in node->data across invokes, for
    // tml_reset_variables; NULL = none.
    void (*reset)(tml_interp_t *it, tml_node_t *node);
    // The window of a node whose every kernel (reference, fast paths, on every core) keeps the
    // raster order above, two output pixels at most written before the next input is read;
    // false where the node cannot share its input's memory that way. NULL = never. Runs on an
    // unvalidated model, before prepare: it must not fail loudly.
    bool (*window)(const tml_interp_t *it, const tml_node_t *node, tml_window_shape_t *s);
    // A band of the output rows, for a node with a window (above) whose input and output
    // are int8, on one image: lets the planner run a chain of such nodes band by band
    // (tml_plan.c, patched chains). NULL = never.
    tml_status_t (*eval_rows)(tml_interp_t *it, tml_node_t *node, const tml_rows_t *rows);
    // CUSTOM ops only: the opcode's custom_code this op runs ("SignalRfft");
    // .builtin is then TML_BUILTIN_CUSTOM. NULL for builtins.
    const char *custom_name;
} tml_op_t;

// For .data_size_ilp32: `bytes`, the size of `type` on a 32-bit target, written out so that a
// 64-bit host can plan a 32-bit board's arena. Every 32-bit build checks it: a wrong value
// does not compile there ("size of array is negative").
#define TML_ILP32_SIZE(type, bytes) \
    ((bytes) + 0 * sizeof(char[(sizeof(void *) != 4 || sizeof(type) == (bytes)) ? 1 : -1]))

enum {
    // Output 0 is input 0 with another shape (RESHAPE, SQUEEZE, EXPAND_DIMS):
    // the planner gives both the same memory and eval may be empty.
    TML_OP_ALIAS = 1,
    // Output 0 may be written over input 0 (same type and size; out[i] depends on in[i] and
    // on other inputs' elements at or broadcast to i, all read before out[i] is written): the
    // planner gives them the same memory when this node is the input's last reader
    // (activations such as RELU, LOGISTIC, HARD_SWISH; ADD).
    TML_OP_INPLACE = 2,
    // Some inputs below the minimum count may be absent (index -1): prepare checks which
    // (SVDF's bias, the LSTM's gates).
    TML_OP_ABSENT_INPUTS = 4,
    // Output 0 has input 0's type: checked with the counts.
    TML_OP_SAME_TYPE = 8,
    // Output 0 has as many elements as input 0: checked after the types.
    TML_OP_SAME_SIZE = 16,
    // A quantized (not float32) output 0 has a positive scale: checked last.
    TML_OP_OUTPUT_SCALE = 32,
};

// tml_op_t.types: every type an op accepts is below 16.
#define TML_TYPE_BIT(type) (1u << (type))
#define TML_TYPES_S8_F32 (TML_TYPE_BIT(TML_INT8) | TML_TYPE_BIT(TML_FLOAT32))
// tml_op_t.output_type: type + 1, so that 0 (float32 otherwise) can mean "not declared".
#define TML_OUTPUT_TYPE(type) ((type) + 1)

// Whether a tensor type is float32 (int16) in a build with kernels for it. A build without
// them (TML_KERNELS_F32 / TML_KERNELS_S16 = 0, tml_config.h) refuses such tensors at load, so
// these are 0 there and the float32 (int16) branches of prepare and eval compile out.
#define TML_IS_F32(type) (TML_KERNELS_F32 && (type) == TML_FLOAT32)
#define TML_IS_S16(type) (TML_KERNELS_S16 && (type) == TML_INT16)

// tml_op_t.inputs / .outputs: no upper bound (CONCATENATION's inputs).
#define TML_MANY 255

// The node has as many inputs and outputs as its op declares, the inputs it must have are
// present and input 0 and output 0 have the types, sizes and scale it declares; fails with
// "expected 2 inputs, 1 output", "missing input 1", "int16 input not supported", "output must
// be uint32", "input and output types differ", "output size differs from input" or "output scale must be positive" otherwise. The
// interpreter runs it before each prepare.
tml_status_t tml_node_check(tml_interp_t *it, const tml_node_t *node);

// ---- tensors of a node -----------------------------------------------------

// Input/output i of the node, NULL when absent (index -1) or out of range.
tml_tensor_t *tml_node_input(const tml_interp_t *it, const tml_node_t *node, int i);
tml_tensor_t *tml_node_output(const tml_interp_t *it, const tml_node_t *node, int i);
// The node's scratch (scratch_bytes of it), valid only during eval; NULL when it has none.
static inline void *tml_node_scratch(const tml_interp_t *it, const tml_node_t *node) {
    return node->scratch_bytes > 0 ? it->arena + node->scratch_offset : NULL;
}
// Tensor index of input i (-1 when absent or out of range).
int32_t tml_node_input_index(const tml_node_t *node, int i);

// dims[i], or 1 if i is outside the rank (so a rank-2 tensor reads as 1x1xHxW
// through tml_dim(t, i - 4 + ndim) style helpers).
int32_t tml_dim(const tml_tensor_t *t, int i);
bool tml_same_shape(const tml_tensor_t *a, const tml_tensor_t *b);

// ---- quantization parameters from the model ---------------------------------

typedef struct {
    const uint8_t *scales;       // little-endian float32 vector in the model
    const uint8_t *zero_points;  // little-endian int64 vector in the model (may be NULL)
    uint32_t count;              // number of scales
    uint32_t zp_count;
    int32_t quantized_dimension;
} tml_quant_t;

// Reads the full quantization of tensor `index` (per-channel arrays included).
// count == 0 when the tensor has none.
tml_status_t tml_tensor_quant(const tml_interp_t *it, int32_t index, tml_quant_t *q);
float tml_quant_scale(const tml_quant_t *q, uint32_t i);
int32_t tml_quant_zero_point(const tml_quant_t *q, uint32_t i);

// ---- builtin options of a node (TFLite's *Options tables) -----------------------
// field is the field's index in the schema's table (0-based); def is the
// schema's default. Absent options table -> def.

int32_t tml_opt_i32(const tml_interp_t *it, const tml_node_t *node, int field, int32_t def);
// Byte-sized fields: enums such as Padding and ActivationFunctionType.
int32_t tml_opt_u8(const tml_interp_t *it, const tml_node_t *node, int field, uint8_t def);
float tml_opt_f32(const tml_interp_t *it, const tml_node_t *node, int field, float def);
bool tml_opt_bool(const tml_interp_t *it, const tml_node_t *node, int field, bool def);
// Vector of int32 (e.g. ReshapeOptions.new_shape): count, and elements via
// tml_rd_i32(*vec + 4 * i). Returns 0 and *vec = NULL when absent.
uint32_t tml_opt_vec_i32(const tml_interp_t *it, const tml_node_t *node, int field, const uint8_t **vec);
// String field (VarHandleOptions.shared_name): byte count, and *str into the model (not
// NUL-terminated). 0 and NULL when absent.
uint32_t tml_opt_str(const tml_interp_t *it, const tml_node_t *node, int field, const char **str);

// ---- other subgraphs (CALL_ONCE's initialiser) ---------------------------------------
// Operators of subgraph sg (0 when sg does not exist).
uint32_t tml_subgraph_nodes(tml_interp_t *it, uint32_t sg);
// Operator and tensor `index` of subgraph sg, parsed and validated as subgraph 0's are
// (op looked up, tensor indices in range, constant data located).
tml_status_t tml_subgraph_node(tml_interp_t *it, uint32_t sg, uint32_t index, tml_node_t *node);
tml_status_t tml_subgraph_tensor(tml_interp_t *it, uint32_t sg, uint32_t index, tml_tensor_t *t);

// ---- custom options of a CUSTOM op ---------------------------------------------
// The operator's custom_options bytes (a flexbuffer for TFLM's ops; read them
// with tml_flexbuf.h): byte count, and *data into the model. 0 and NULL when
// absent or when the node is not a custom op.
uint32_t tml_custom_options(const tml_interp_t *it, const tml_node_t *node, const uint8_t **data);

// Name of the op for messages: custom_name for custom ops, else the builtin's.
const char *tml_op_name(const tml_op_t *op);

// Little-endian loads from unaligned model bytes.
static inline int32_t tml_rd_i32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}
static inline float tml_rd_f32(const uint8_t *p) {
    uint32_t u = (uint32_t)tml_rd_i32(p);
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

// ---- errors ---------------------------------------------------------------
// Every failure goes through these: they record the status, the node being
// prepared/evaluated and a message "op 12 CONV_2D: <msg>" in it->err_msg.

tml_status_t tml_fail(tml_interp_t *it, tml_status_t st, const char *msg);
// Records st with the message fmt formats (%s, %d, %zu and %lld: tml_status.c); returns st.
// One format shared by several messages that differ in a word or a number stores their
// common text once.
tml_status_t tml_failf(tml_interp_t *it, tml_status_t st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// How a refusal by a firmware built for other models ends (tinyml firmware build --ops-from).
#define TML_NOT_BUILT_IN " not built in; rebuild with --ops-from naming this model"
// "<msg> <value><tail>", e.g. tml_fail_int(it, TML_ERR_MODEL, "bad axis", axis, "") or
// tml_fail_int(it, TML_ERR_MODEL, "tensor", 3, " is corrupt")
tml_status_t tml_fail_int(tml_interp_t *it, tml_status_t st, const char *msg, int64_t value, const char *tail);
// "<msg>: expected <expected>, got <got>"
tml_status_t tml_fail_mismatch(tml_interp_t *it, tml_status_t st, const char *msg, int32_t expected, int32_t got);
// "<type name> <what> not supported", e.g. "int16 input not supported"
tml_status_t tml_fail_type(tml_interp_t *it, int32_t type, const char *what);

// tml_fail(it, TML_ERR_MODEL, msg): most failures, so a call one argument shorter.
tml_status_t tml_fail_model(tml_interp_t *it, const char *msg);

#define TML_CHECK(it, cond, st, msg) \
    do { \
        if (!(cond)) { \
            return (st) == TML_ERR_MODEL ? tml_fail_model((it), (msg)) : tml_fail((it), (st), (msg)); \
        } \
    } while (0)
#define TML_TRY(expr) \
    do { tml_status_t tml_try_st_ = (expr); if (tml_try_st_ != TML_OK) { return tml_try_st_; } } while (0)

// ---- shared op helpers ----------------------------------------------------------

// Input 0 and output 0 of a node tml_node_check passed (declared with one input and output).
void tml_node_unary(const tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **in,
    const tml_tensor_t **out);
// OK when t is a constant of the model (its data read at prepare: PAD's paddings, RESIZE_*'s
// size); else unsupported, "<what> must be constant".
tml_status_t tml_check_const(tml_interp_t *it, const tml_tensor_t *t, const char *what);
// Inputs 0 and 1 and output 0 of a node tml_node_check passed (declared with two inputs and
// one output), checked to be of one type and to broadcast into the output, which *bc then
// describes (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM); which types is the caller's to check.
tml_status_t tml_node_binary(tml_interp_t *it, const tml_node_t *node, const tml_tensor_t **a,
    const tml_tensor_t **b, const tml_tensor_t **out, tml_bcast_t *bc);

// TFLite fused activation codes (ActivationFunctionType).
enum {
    TML_ACT_NONE = 0,
    TML_ACT_RELU = 1,
    TML_ACT_RELU_N1_TO_1 = 2,
    TML_ACT_RELU6 = 3,
    TML_ACT_TANH = 4,
    TML_ACT_SIGN_BIT = 5,
};

// Clamp range of a fused activation on a quantized output (int8/uint8/int16),
// as TFLite's CalculateActivationRangeQuantized.
tml_status_t tml_act_range_quant(tml_interp_t *it, int32_t act, const tml_tensor_t *out, int32_t *min, int32_t *max);
// Clamp range of a fused activation on a float output.
tml_status_t tml_act_range_float(tml_interp_t *it, int32_t act, float *min, float *max);
// Clamp range of a fused activation on an int32 output, as TFLite's
// CalculateActivationRange<int32_t>: activations it has no range for (TANH,
// SIGN_BIT, unknown codes) clamp nothing rather than fail.
void tml_act_range_s32(int32_t act, int32_t *min, int32_t *max);

// TFLite padding (Padding enum: SAME = 0, VALID = 1).
enum { TML_PAD_SAME = 0, TML_PAD_VALID = 1 };
// Output size and leading padding of one spatial dimension, as TFLite's
// ComputeOutSize / ComputePaddingHeightWidth (the trailing odd pixel of SAME
// padding goes after, so only the leading padding is needed).
int32_t tml_out_size(int32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation);
int32_t tml_pad_before(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t out);

#endif // TML_OP_H
