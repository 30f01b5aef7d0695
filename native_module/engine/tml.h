// tinyml engine: the whole public C API.
//
// Reads a TFLite flatbuffer in place, plans one caller-provided arena and runs
// the graph. No malloc, no globals, no I/O: every state lives in the caller's
// tml_interp_t and arena, so several models can run side by side.
//
// Typical use:
//     tml_interp_t it;
//     if (tml_load(&it, model, model_len) != TML_OK) { report(it.err_msg); }
//     size_t work_len = tml_work_size(&it), need;
//     tml_arena_size(&it, work, work_len, &need);      // work may be freed after
//     tml_init(&it, arena, need);                      // prepares every op
//     memcpy(tml_input(&it, 0)->data, x, tml_input(&it, 0)->bytes);
//     tml_invoke(&it);
//     read tml_output(&it, 0)->data
#ifndef TML_H
#define TML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tml_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TML_OK = 0,
    TML_ERR_ARG,          // caller passed something unusable (wrong input size, bad index)
    TML_ERR_MODEL,        // the flatbuffer is corrupt, truncated or inconsistent
    TML_ERR_UNSUPPORTED,  // valid model, but an op, type or quantization we do not run
    TML_ERR_ARENA,        // arena (or work buffer) too small: see tml_interp_t.arena_needed
    TML_ERR_INTERNAL,
    TML_STATUS_COUNT
} tml_status_t;

// Tensor element types; the values are TFLite's TensorType codes.
typedef enum {
    TML_FLOAT32 = 0,
    TML_FLOAT16 = 1,
    TML_INT32 = 2,
    TML_UINT8 = 3,
    TML_INT64 = 4,
    TML_STRING = 5,
    TML_BOOL = 6,
    TML_INT16 = 7,
    TML_COMPLEX64 = 8,
    TML_INT8 = 9,
    TML_FLOAT64 = 10,
    TML_COMPLEX128 = 11,
    TML_UINT64 = 12,
    TML_RESOURCE = 13,
    TML_VARIANT = 14,
    TML_UINT32 = 15,
    TML_UINT16 = 16,
    TML_INT4 = 17,
    TML_BFLOAT16 = 18,
    TML_INT2 = 19,
    TML_UINT4 = 20,
} tml_type_t;

enum {
    TML_TENSOR_CONST = 1,     // data points into the model buffer (weights)
    TML_TENSOR_VARIABLE = 2,  // persistent state kept across invokes
    TML_TENSOR_INDEXES = 4,   // constant whose values eval uses as indices (checked by
                              // prepare), so a change after loading is refused like a shape's
    TML_TENSOR_DEFERRED = 8,  // a DECODE output its one reader decodes itself, a block at a time
                              // into its scratch (FULLY_CONNECTED): never planned, data NULL
};

// A tensor as the interpreter sees it. dims points at the shape vector inside
// the model (little-endian int32, alignment checked at load), so a tensor
// costs 24 bytes of arena on a 32-bit MCU.
typedef struct {
    uint8_t *data;
    const int32_t *dims;
    uint32_t bytes;
    float scale;          // per-tensor scale (first channel when per-channel), 0 if none
    int32_t zero_point;
    uint8_t ndim;
    uint8_t type;         // tml_type_t
    uint8_t flags;        // TML_TENSOR_*
    uint8_t quant_count;  // number of scales in the model (0: none, 1: per-tensor, 255: >= 255)
} tml_tensor_t;

struct tml_op;

// The kernel sets a build can have (kernels/opt/opt.h). They differ in the scratch they ask
// for, so the arena depends on the set.
typedef enum {
    TML_KERNELS_REFERENCE = 0,  // TML_KERNELS_OPT=0: kernels/ref/ only
    TML_KERNELS_PORTABLE = 1,   // kernels/opt/portable/ (Cortex-M0+, Xtensa, the host)
    TML_KERNELS_ARMV7EM = 2,    // kernels/opt/armv7em/ (Cortex-M4/M7)
} tml_kernel_set_t;

// What an arena's size depends on besides the model: the size of a pointer (the tensor and
// node tables and op data hold pointers) and the kernel set (their scratch). A host plans a
// board's arena by naming the board's target (tml_arena_size_for).
typedef struct {
    uint8_t pointer_bytes;  // 4 (every MCU we build for) or this build's sizeof(void *)
    uint8_t kernels;        // tml_kernel_set_t
} tml_target_t;

// One operator of the graph: what the op's prepare/eval need to find their
// tensors, options and precomputed data. inputs/outputs point into the model. The arena holds
// one per operator, so what can be an offset is one (48 bytes on a 64-bit host, 32 on an MCU).
typedef struct {
    const struct tml_op *op;
    void *data;              // op data, filled by prepare (persistent arena)
    const int32_t *inputs;   // tensor indices, -1 = optional input absent
    const int32_t *outputs;
    uint32_t options;        // offset of the builtin options table in the model, 0 if none;
                             // for a CUSTOM op, of its custom_options byte vector
    uint32_t scratch_offset; // where the node's scratch starts in the arena (tml_node_scratch)
    uint32_t scratch_bytes;  // 0: the node has no scratch
    uint16_t n_inputs;
    uint16_t n_outputs;
} tml_node_t;

// Patch-based execution of a model's first layers (tml_plan.c): a chain of windowed int8 nodes
// [first, last] run a band of `rows` output rows of the last node at a time, through band
// buffers in place of the whole tensors between them, when that lowers the planned peak.
typedef struct {
    uint16_t first, last;    // the chain's nodes; last < first: no chain patched
    uint16_t rows, bands;    // output rows of `last` per band, and how many bands
    uint32_t peak_before;    // planned activation bytes without patching
    uint32_t peak_after;     // and with (peak_before when not patched)
    uint32_t extra_macs;     // multiply-accumulates the bands' overlaps compute again
} tml_patch_t;

#define TML_ERR_MSG_LEN 96

typedef struct tml_interp {
    // model (set by tml_load)
    const uint8_t *model;
    size_t model_len;
    uint32_t subgraph;       // offset of subgraph 0
    uint32_t tensors_vec;    // offsets of the flatbuffer vectors we use
    uint32_t operators_vec;
    uint32_t opcodes_vec;
    uint32_t buffers_vec;
    const int32_t *graph_inputs;
    const int32_t *graph_outputs;
    uint32_t n_tensors;
    uint32_t n_nodes;
    uint32_t n_opcodes;
    uint32_t n_buffers;
    uint16_t n_inputs;
    uint16_t n_outputs;
    // runtime (set by tml_arena_size / tml_init)
    tml_tensor_t *tensors;
    tml_node_t *nodes;
    uint8_t *arena;
    size_t arena_len;
    size_t arena_needed;     // exact arena bytes, known after tml_arena_size or an ARENA error
    size_t activations_bytes;  // planned activation + scratch bytes (part of arena_needed)
    size_t persistent_bytes;   // tensor/node tables + op data (part of arena_needed)
    bool ready;              // tml_init succeeded
    // error detail of the last failing call
    int32_t err_node;        // node index, -1 when not about one node
    uint8_t err_len;
    char err_msg[TML_ERR_MSG_LEN];
    // optional per-node timing during tml_invoke: ticks() in microseconds
    uint32_t (*ticks_us)(void);
    uint32_t *node_us;       // n_nodes entries, caller-owned
    // private: the target being sized; the ops' scratch_size read its kernel set
    tml_target_t target;
    // The patched chain of the last tml_arena_size(_for), for the target it planned.
    tml_patch_t patch;
    // private: the placement order tml_arena_size found best for this build (tml_plan.c)
    uint8_t plan_order;
    // private: the chain this build patches (tml_init replays it, tml_invoke runs it)
    tml_patch_t plan_patch;
    // private: digest of what the engine trusts in the model after tml_init (shapes, tensor
    // indices, TML_TENSOR_INDEXES constants); see tml_check_unchanged
    uint32_t structure_digest;
    // private: digest of the engine's own tables in the arena (tensors, nodes, op data: the
    // arena bytes from tables_offset to the end), which a caller could overwrite through its
    // arena buffer; see tml_check_unchanged
    uint32_t tables_digest;
    size_t tables_offset;
} tml_interp_t;

// Parses and validates the model (bounds, types, op support). The model buffer
// must stay alive, and unchanged but for weights (see tml_check_unchanged), for as long as
// the interpreter is used.
// It must be 4-byte aligned.
tml_status_t tml_load(tml_interp_t *it, const void *model, size_t len);

// Bytes of temporary memory tml_arena_size() needs (after tml_load).
size_t tml_work_size(const tml_interp_t *it);

// Exact arena size tml_init() will need, computed in a temporary work buffer.
tml_status_t tml_arena_size(tml_interp_t *it, void *work, size_t work_len, size_t *needed);

// This build's target: the one tml_arena_size and tml_init plan for.
tml_target_t tml_native_target(void);

// tml_arena_size for another target: the exact arena tml_init() of a build for `target`
// needs (a 64-bit host planning a 32-bit board's arena). Leaves it->arena_needed alone
// unless target is this build's. TML_ERR_ARG for a pointer size other than 4 or this
// build's, or an unknown kernel set.
tml_status_t tml_arena_size_for(tml_interp_t *it, tml_target_t target, void *work, size_t work_len,
    size_t *needed);

// One buffer of the plan the last tml_arena_size(_for) left in its work buffer: buffer i <
// tml_plan_count() is tensor i (i < n_tensors) or the scratch of node i - n_tensors. For tools
// (tinyml inspect: where the arena peaks, and with which tensors); the engine never needs it.
typedef struct {
    uint32_t offset;     // from the start of the activation area
    uint32_t size;       // 0: no memory of its own (a constant, a variable, no scratch, or an
                         // alias: then `shares` names the tensor whose memory it uses)
    int32_t first_node;  // the node that writes it (0 for graph inputs); -1 when unused
    int32_t last_node;   // the last node that reads it (the last node for graph outputs)
    int32_t shares;      // -1, or the tensor whose memory this tensor uses
    // -1, or the bytes this tensor starts at least before the memory of the input that the
    // node writing it (first_node) finishes reading as it writes: it may lie over that input
    // from there on (input 0 of first_node, or the tensor whose memory that one shares).
    int32_t gap;
} tml_plan_buffer_t;
uint32_t tml_plan_count(const tml_interp_t *it);
bool tml_plan_buffer(const tml_interp_t *it, const void *work, uint32_t i, tml_plan_buffer_t *b);

// Lays out tensors in the arena and prepares every op. On TML_ERR_ARENA,
// it->arena_needed holds the bytes required. The arena must be 8-byte aligned.
tml_status_t tml_init(tml_interp_t *it, void *arena, size_t arena_len);

// Runs the graph once. Inputs are read from tml_input(it, i)->data.
// Calls tml_check_unchanged first.
tml_status_t tml_invoke(tml_interp_t *it);

// TML_ERR_MODEL when the parts of the model buffer the engine trusts since tml_init (shapes,
// tensor indices, index tables) have changed: a model in a writable buffer may have its
// weights changed between invokes, nothing else. TML_ERR_ARG when the engine's tables in the
// arena (tensors, nodes, op data) were written since tml_init or the last tml_invoke: a caller
// may write tensors' bytes, never the rest of its arena. Faces call it before they touch the
// inputs; it costs a pass over those few bytes and the tables.
tml_status_t tml_check_unchanged(tml_interp_t *it);

// Clears the state that variable tensors (an SVDF's activation state, an LSTM's hidden and
// cell state) carry from one tml_invoke to the next, as tml_init left it: an int8 variable
// holds its zero point (real 0), any other type zeros. This is TFLite Micro's
// ResetVariableTensors.
tml_status_t tml_reset_variables(tml_interp_t *it);

// Graph inputs and outputs (valid after tml_init); NULL when out of range.
tml_tensor_t *tml_input(tml_interp_t *it, uint32_t i);
tml_tensor_t *tml_output(tml_interp_t *it, uint32_t i);

// Name of the op node i runs ("CONV_2D"), or NULL.
const char *tml_node_name(const tml_interp_t *it, uint32_t i);

// Name of a TFLite builtin op this build runs ("CONV_2D"), "UNKNOWN" for any other.
const char *tml_builtin_name(int32_t builtin);
// Bytes of the longest TFLite builtin name with its NUL (PLACEHOLDER_FOR_GREATER_OP_CODES).
#define TML_BUILTIN_NAME_LEN 33
// Name of any TFLite builtin ("GATHER" also in a build without it), decoded into buf (or a
// constant string); "UNKNOWN" out of the table. A build made with TML_BUILTIN_NAMES=0 has no
// table: then it is tml_builtin_name.
const char *tml_any_builtin_name(int32_t builtin, char buf[TML_BUILTIN_NAME_LEN]);
// Code of the builtin named name[0..len) as tml_any_builtin_name names them, -1 when none.
int32_t tml_builtin_code(const char *name, size_t len);

// Whether this build runs the builtin at that version.
bool tml_builtin_supported(int32_t builtin, int32_t version);
// Whether this build runs the CUSTOM op with that custom_code ("SignalRfft").
bool tml_custom_supported(const char *name, int32_t version);

// Real-valued element access for the faces: element i of a float tensor as
// is, of a quantized tensor quantized/dequantized with its scale and zero
// point (TFLite's rounding, saturating). Only for types where
// tml_tensor_real_io() is true.
bool tml_tensor_real_io(const tml_tensor_t *t);
void tml_tensor_set_f32(tml_tensor_t *t, uint32_t i, float v);
float tml_tensor_get_f32(const tml_tensor_t *t, uint32_t i);
// The whole tensor through tml_tensor_get_f32 into out (tml_elements(t) floats), with the
// int8 case in one loop: a predict() of a small model spends noticeably on its output.
void tml_tensor_get_f32_all(const tml_tensor_t *t, float *out);
// Element count (product of dims, 1 for a scalar).
uint32_t tml_elements(const tml_tensor_t *t);

const char *tml_status_str(tml_status_t st);
const char *tml_type_name(int32_t type);  // "int8", "float32", ...
size_t tml_type_size(int32_t type);       // bytes per element, 0 if not a fixed-size type

// Metadata entry stored by the converter or by `tinyml convert` (name -> buffer).
// Returns false when absent.
bool tml_metadata(const tml_interp_t *it, const char *name, const uint8_t **data, size_t *len);

#ifdef __cplusplus
}
#endif

#endif // TML_H
