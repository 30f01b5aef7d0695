// Shared between the core files (model, plan, interp, op utilities); not for ops.
#ifndef TML_INTERNAL_H
#define TML_INTERNAL_H

#include "tml_fb.h"
#include "tml_op.h"

static inline tml_fb_t tml_fb_of(const tml_interp_t *it) {
    tml_fb_t fb = { it->model, it->model_len };
    return fb;
}

// The list of this build's ops: tml_ops_list.h, or the header TML_OPS_LIST names (a firmware
// built by `tinyml firmware build --ops-from`, with only the ops its models use).
#ifdef TML_OPS_LIST
#define TML_OPS_HEADER TML_OPS_LIST
#else
#define TML_OPS_HEADER "tml_ops_list.h"
#endif

// TML_BUILT(decode): whether this build has the op (a constant, so that core code serving one
// op compiles out with it). Each op of the engine's list gets a number, and two 30-bit masks
// hold the numbers of the ops of TML_OPS_HEADER.
enum {
#define TML_OP_ENTRY(name, builtin) TML_OP_NUMBER_##name,
#include "tml_ops_list.h"
#undef TML_OP_ENTRY
    TML_OP_NUMBERS
};
enum {
    TML_BUILT_LOW = 0
#define TML_OP_ENTRY(name, builtin) | (TML_OP_NUMBER_##name < 30 ? 1 << (TML_OP_NUMBER_##name % 30) : 0)
#include TML_OPS_HEADER
#undef TML_OP_ENTRY
};
enum {
    TML_BUILT_HIGH = 0
#define TML_OP_ENTRY(name, builtin) | (TML_OP_NUMBER_##name >= 30 ? 1 << (TML_OP_NUMBER_##name % 30) : 0)
#include TML_OPS_HEADER
#undef TML_OP_ENTRY
};
_Static_assert(TML_OP_NUMBERS <= 60, "TML_BUILT holds 60 ops: add a third mask");
#define TML_BUILT(name) \
    (((TML_OP_NUMBER_##name < 30 ? TML_BUILT_LOW : TML_BUILT_HIGH) >> (TML_OP_NUMBER_##name % 30)) & 1)

// Whether this build has a CUSTOM op (TFLM's signal ops, DECODE): without one, loading looks up
// no custom name and reads no custom options; a custom op is refused by its name.
enum {
    TML_BUILT_CUSTOM = 0
#define TML_OP_ENTRY(name, builtin) | (TML_BUILTIN_##builtin == TML_BUILTIN_CUSTOM)
#include TML_OPS_HEADER
#undef TML_OP_ENTRY
};

// Whether this build has an op that keeps state in variable tensors (is_variable in the
// model): without one, a variable tensor is refused at load, as its op would be.
#define TML_BUILT_VARIABLES (TML_BUILT(svdf) || TML_BUILT(unidirectional_sequence_lstm))

const tml_op_t *tml_find_op(int32_t builtin);
// True when the engine has the builtin but this build was made without it (TML_OPS_LIST).
bool tml_builtin_left_out(int32_t builtin);
// The registered CUSTOM op whose custom_name is name[0..len), or NULL.
const tml_op_t *tml_find_custom_op(const char *name, size_t len);

// Parses tensor `index` of subgraph 0 (validated), data pointer included for
// constants (NULL otherwise).
tml_status_t tml_read_tensor(tml_interp_t *it, uint32_t index, tml_tensor_t *t);

// Parses operator `index` into node (op looked up, arrays validated).
tml_status_t tml_read_node(tml_interp_t *it, uint32_t index, tml_node_t *node);

// Entry i of `names`, a list of names each ended by its NUL and the list by an empty name
// ("a\0b\0" as a C string literal); NULL past its end.
const char *tml_nth_name(const char *names, uint32_t i);

// Message building without snprintf.
typedef struct {
    char *buf;
    uint32_t len;
    uint32_t cap;
} tml_text_t;
void tml_text_str(tml_text_t *t, const char *s);
void tml_text_int(tml_text_t *t, int64_t v);

// Arena planning (tml_plan.c). records[t] describes tensor t and
// records[n_tensors + i] the scratch of node i; tml_plan fills them (size 0:
// no memory of its own, e.g. constants and aliases; `alias` names the tensor
// whose memory an aliased tensor shares) and returns the bytes the planned
// buffers span. Offsets are relative to the start of the activation area.
typedef struct {
    uint32_t size;
    uint32_t offset;
    uint16_t first;  // nodes that write and last read it (node indices are below 0xffff),
    uint16_t last;   // TML_NO_NODE when no node touches it
    // Tensor records: -1, or the tensor whose memory this one uses; below -1, a tensor with
    // memory of its own that may lie over the input its node finishes reading as it writes,
    // starting at least TML_PLAN_GAP(alias) bytes before it (tml_plan_window_gap). Node records
    // (records[n_tensors + n]), while placing: the first placed record that starts at node
    // n, -1 when none.
    int32_t alias;
    // The next record in placement order until this one is placed, then the next placed
    // record starting at the same node (or in the long-lived list).
    int32_t next;
} tml_plan_record_t;

// The gap a tensor record's alias field holds (0: none), and the alias field holding one.
#define TML_PLAN_GAP(alias) ((alias) < -1 ? (uint32_t)(-2 - (int64_t)(alias)) : 0u)
#define TML_PLAN_WITH_GAP(gap) ((int32_t)(-2 - (int64_t)(gap)))

#define TML_UNPLACED UINT32_MAX
#define TML_NO_NODE 0xffffu

static inline uint32_t tml_plan_records(const tml_interp_t *it) {
    return it->n_tensors + it->n_nodes;
}
// tml_plan tries several placement orders and keeps the smallest plan, storing which in
// *order; tml_plan_in places in that order alone (tml_init replays tml_arena_size's choice).
// tml_plan also chooses the patched chain (tml_patch_t in tml.h), *patch; tml_plan_in replays one.
size_t tml_plan(const tml_interp_t *it, tml_plan_record_t *records, int *order, tml_patch_t *patch);
size_t tml_plan_in(const tml_interp_t *it, tml_plan_record_t *records, int order, const tml_patch_t *patch);

// The most chain nodes a patch runs, which bounds the planner's and the invoke's stack.
#define TML_PATCH_MAX_OPS 12
// Output rows [first[j], end[j]) of each of the `ops` chain nodes, of the windows given, that
// output rows [row0, row0 + rows) of the last one read.
void tml_patch_band(const tml_window_shape_t *windows, uint32_t ops, int32_t row0, int32_t rows, int32_t *first,
    int32_t *end);

// How many bytes before its input a node's output must start when the two share memory: the
// most, over the output pixels, that the output written up to the end of a pixel's pair (the
// GEMM's two rows) runs past the first input byte still read from that pair on. -1 when the
// shape has too many pixels to count.
int64_t tml_plan_window_gap(const tml_window_shape_t *s);

#endif // TML_INTERNAL_H
