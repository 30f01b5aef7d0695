// Arena layout, op preparation and invocation.
//
// Arena layout after tml_init (addresses grow to the right):
//   [ activations + scratch (planned) | ... | op data, variables | nodes | tensors ]
// The persistent tables sit at the end; while planning, the planner's records
// borrow the start of the arena, which the activations later overwrite, so the
// arena needs persistent + max(activations, planner records) bytes.
#include "tml_internal.h"

#include "kernels/opt/opt.h"

static size_t align8(size_t n) {
    return (n + 7) & ~(size_t)7;
}

// sizeof(tml_tensor_t) and sizeof(tml_node_t) on a target with p-byte pointers: the structs
// in tml.h laid out by hand (pointers first, then 4-, 2- and 1-byte fields, padded to the
// pointer's alignment). The assertions check the formulas wherever the engine is compiled,
// so the 64-bit host and the 32-bit boards each prove theirs.
#define TENSOR_BYTES(p) (((2 * (p) + 16) + (p) - 1) / (p) * (p))
#define NODE_BYTES(p) (((4 * (p) + 16) + (p) - 1) / (p) * (p))
_Static_assert(sizeof(tml_tensor_t) == TENSOR_BYTES(sizeof(void *)), "update TENSOR_BYTES");
_Static_assert(sizeof(tml_node_t) == NODE_BYTES(sizeof(void *)), "update NODE_BYTES");

tml_target_t tml_native_target(void) {
    tml_target_t t = { (uint8_t)sizeof(void *), TML_KERNEL_SET };
    return t;
}

// A 32-bit build measures for 4-byte pointers alone (tml_arena_size_for refuses others): the
// pointer size is its own, known at compile time.
static bool is_native(tml_target_t t) {
    return (sizeof(void *) == 4 || t.pointer_bytes == sizeof(void *)) && t.kernels == TML_KERNEL_SET;
}

static size_t target_tables_bytes(const tml_interp_t *it, tml_target_t t) {
    const size_t p = sizeof(void *) == 4 ? 4 : t.pointer_bytes;
    return align8(it->n_tensors * TENSOR_BYTES(p)) + align8(it->n_nodes * NODE_BYTES(p));
}

static size_t tables_bytes(const tml_interp_t *it) {
    return align8(it->n_tensors * sizeof(tml_tensor_t)) + align8(it->n_nodes * sizeof(tml_node_t));
}

// Out of line: four calls, each a multiply and a rounding.
static TML_NOINLINE size_t records_bytes(const tml_interp_t *it) {
    return align8(tml_plan_records(it) * sizeof(tml_plan_record_t));
}

size_t tml_work_size(const tml_interp_t *it) {
    return tables_bytes(it) + records_bytes(it);
}

// Whether node n is an int8 FULLY_CONNECTED right after a DECODE (`decode_op`, this build's
// DECODE op) that writes its int8 weights (input 1).
static bool fc_after_its_decode(const tml_interp_t *it, const tml_op_t *decode_op, uint32_t n) {
    const tml_node_t *node = &it->nodes[n];
    if (n == 0 || decode_op == NULL || it->nodes[n - 1].op != decode_op || node->op == NULL
        || node->op->builtin != TML_BUILTIN_FULLY_CONNECTED || node->op->custom_name != NULL
        || node->n_inputs < 2 || node->inputs[0] < 0 || node->inputs[1] < 0) {
        return false;
    }
    int32_t w = node->inputs[1];
    const tml_node_t *decode = &it->nodes[n - 1];
    bool decoded_here = false;
    for (uint32_t i = 0; i < decode->n_outputs; i++) {
        decoded_here |= decode->outputs[i] == w;
    }
    return decoded_here && it->tensors[w].type == TML_INT8 && it->tensors[node->inputs[0]].type == TML_INT8;
}

// A flag defer_decodes alone uses, cleared before it returns: weights that two such pairs read.
#define DEFER_READ_TWICE 0x80u

// Marks TML_TENSOR_DEFERRED the int8 weights a DECODE writes for the int8 FULLY_CONNECTED right
// after it and nothing else reads: that op decodes them a block of rows at a time into its
// scratch, so the arena holds a block, not the layer (the weights of a fully connected model
// are most of it, and are read once an invoke: nothing to gain from decoding them whole).
// Linear in the graph: every such pair flags its weights, then one pass over every input and
// graph output takes the flag back from weights read anywhere else. A build without DECODE or
// FULLY_CONNECTED has nothing to defer.
static TML_COLD void defer_decodes(tml_interp_t *it) {
    if (!TML_BUILT(decode) || !TML_BUILT(fully_connected)) {
        return;
    }
    // Through the registry rather than strcmp, which a .mpy cannot link.
    const tml_op_t *decode_op = tml_find_custom_op("TFLM_DECODE", 11);
    for (uint32_t n = 1; n < it->n_nodes; n++) {
        if (fc_after_its_decode(it, decode_op, n)) {
            tml_tensor_t *w = &it->tensors[it->nodes[n].inputs[1]];
            w->flags |= (w->flags & TML_TENSOR_DEFERRED) ? DEFER_READ_TWICE : TML_TENSOR_DEFERRED;
        }
    }
    for (uint32_t m = 0; m < it->n_nodes; m++) {
        const tml_node_t *node = &it->nodes[m];
        bool pair = fc_after_its_decode(it, decode_op, m);
        for (uint32_t i = 0; i < node->n_inputs; i++) {
            if (node->inputs[i] >= 0 && !(pair && i == 1)) {
                it->tensors[node->inputs[i]].flags &= (uint8_t) ~TML_TENSOR_DEFERRED;
            }
        }
    }
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        it->tensors[it->graph_outputs[i]].flags &= (uint8_t) ~TML_TENSOR_DEFERRED;
    }
    for (uint32_t t = 0; t < it->n_tensors; t++) {
        if (it->tensors[t].flags & DEFER_READ_TWICE) {
            it->tensors[t].flags &= (uint8_t) ~(TML_TENSOR_DEFERRED | DEFER_READ_TWICE);
        }
    }
}

static TML_COLD tml_status_t build_tables(tml_interp_t *it, uint8_t *tables) {
    it->tensors = (tml_tensor_t *)(void *)tables;
    it->nodes = (tml_node_t *)(void *)(tables + align8(it->n_tensors * sizeof(tml_tensor_t)));
    for (uint32_t i = 0; i < it->n_tensors; i++) {
        TML_TRY(tml_read_tensor(it, i, &it->tensors[i]));
    }
    for (uint32_t i = 0; i < it->n_nodes; i++) {
        TML_TRY(tml_read_node(it, i, &it->nodes[i]));
    }
    defer_decodes(it);
    return TML_OK;
}

static size_t node_data_bytes(const tml_interp_t *it, const tml_node_t *node) {
    size_t extra = node->op->extra_size != NULL ? node->op->extra_size(it, node) : 0;
    size_t data = node->op->data_size;
    if (it->target.pointer_bytes == 4 && sizeof(void *) != 4 && node->op->data_size_ilp32 != 0) {
        data = node->op->data_size_ilp32;
    }
    return align8(data + extra);
}

// Sizes every node's data and scratch; returns the persistent bytes beyond the tables.
static TML_COLD tml_status_t size_nodes(tml_interp_t *it, size_t *persistent) {
    size_t total = 0;
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        tml_node_t *node = &it->nodes[n];
        it->err_node = (int32_t)n;
        size_t scratch = node->op->scratch_size != NULL ? node->op->scratch_size(it, node) : 0;
        size_t data = node_data_bytes(it, node);
        if (scratch > 0x7fffffff || data > 0x7fffffff) {
            return tml_fail(it, TML_ERR_MODEL, "op needs more than 2 GB");
        }
        node->scratch_bytes = (uint32_t)scratch;
        total += data;
    }
    it->err_node = -1;
    for (uint32_t t = 0; TML_BUILT_VARIABLES && t < it->n_tensors; t++) {
        if (it->tensors[t].flags & TML_TENSOR_VARIABLE) {
            total += align8(it->tensors[t].bytes);
        }
    }
    *persistent = total;
    return TML_OK;
}

// Computes the exact arena size a build for `target` needs, using `work` (laid out for this
// build) for tables and planner records. Records it in `it` only for this build's target.
static TML_COLD tml_status_t measure(tml_interp_t *it, tml_target_t target, uint8_t *work, size_t *needed) {
    size_t extra;
    it->target = target;
    TML_TRY(build_tables(it, work + records_bytes(it)));
    tml_status_t st = size_nodes(it, &extra);
    int order;
    tml_patch_t patch;  // tml_plan fills it and order: read only when it ran
    size_t activations = st == TML_OK ? tml_plan(it, (tml_plan_record_t *)(void *)work, &order, &patch) : 0;
    it->tensors = NULL;
    it->nodes = NULL;
    it->target = tml_native_target();
    TML_TRY(st);
    if (activations == SIZE_MAX) {
        return tml_fail(it, TML_ERR_ARENA, "model needs more than 2 GB of arena");
    }
    size_t activations_bytes = align8(activations);
    size_t persistent_bytes = target_tables_bytes(it, target) + extra;
    // tml_init plans before it writes the op data and variables, which lie right above the
    // planned part: the records may run on into them.
    size_t records = records_bytes(it) > extra ? records_bytes(it) - extra : 0;
    size_t planned = activations_bytes > records ? activations_bytes : records;
    *needed = persistent_bytes + planned;
    it->patch = patch;
    if (is_native(target)) {
        it->plan_order = (uint8_t)order;
        it->plan_patch = patch;
        it->activations_bytes = activations_bytes;
        it->persistent_bytes = persistent_bytes;
        it->arena_needed = *needed;
    }
    return TML_OK;
}

static TML_COLD tml_status_t arena_too_small(tml_interp_t *it, size_t needed, size_t got, bool at_least) {
    it->err_node = -1;
    return tml_failf(it, TML_ERR_ARENA, "arena too small: needs %s%zu bytes, got %zu", at_least ? "at least " : "",
        needed, got);
}

// tml_arena_size, for a target tml_arena_size_for has checked: a build for a board calls only
// tml_arena_size, and so links none of the checks of a foreign target nor their messages.
static TML_COLD tml_status_t arena_size(tml_interp_t *it, tml_target_t target, void *work, size_t work_len,
    size_t *needed) {
    if (it->model == NULL) {
        return tml_fail(it, TML_ERR_ARG, "no model loaded");
    }
    if (work == NULL || ((uintptr_t)work & 7) != 0) {
        return tml_fail(it, TML_ERR_ARG, "work buffer must be 8-byte aligned");
    }
    if (work_len < tml_work_size(it)) {
        return arena_too_small(it, tml_work_size(it), work_len, false);
    }
    return measure(it, target, (uint8_t *)work, needed);
}

tml_status_t tml_arena_size(tml_interp_t *it, void *work, size_t work_len, size_t *needed) {
    return arena_size(it, tml_native_target(), work, work_len, needed);
}

tml_status_t tml_arena_size_for(tml_interp_t *it, tml_target_t target, void *work, size_t work_len,
    size_t *needed) {
    if (target.pointer_bytes != 4 && target.pointer_bytes != sizeof(void *)) {
        return tml_fail(it, TML_ERR_ARG, "target pointer size must be 4 or this build's");
    }
    if (target.kernels > TML_KERNELS_ARMV7EM) {
        return tml_fail(it, TML_ERR_ARG, "unknown kernel set");
    }
    return arena_size(it, target, work, work_len, needed);
}

// FNV-1a a 32-bit word at a time, with the high half folded down after each multiply: a
// multiply carries differences only upwards, so without the fold two changes in the top bytes
// of two words cancel one time in 256 (the fuzzer found such a pair).
static TML_NOINLINE uint32_t digest_words(uint32_t h, const int32_t *v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ (uint32_t)v[i]) * 16777619u;
        h ^= h >> 16;
    }
    return h;
}

// What eval and the faces read from the model buffer and prepare checked: every shape, every
// tensor index, and the constants ops mark TML_TENSOR_INDEXES. Weights are left out.
static TML_NOINLINE uint32_t structure_digest(const tml_interp_t *it) {
    uint32_t h = 2166136261u;
    h = digest_words(h, it->graph_inputs, it->n_inputs);
    h = digest_words(h, it->graph_outputs, it->n_outputs);
    for (uint32_t t = 0; t < it->n_tensors; t++) {
        const tml_tensor_t *tensor = &it->tensors[t];
        h = digest_words(h, tensor->dims, tensor->ndim);
        if (tensor->flags & TML_TENSOR_INDEXES) {
            for (uint32_t i = 0; i < tensor->bytes; i++) {
                h = (h ^ tensor->data[i]) * 16777619u;
            }
        }
    }
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        h = digest_words(h, it->nodes[n].inputs, it->nodes[n].n_inputs);
        h = digest_words(h, it->nodes[n].outputs, it->nodes[n].n_outputs);
    }
    return h;
}

// The engine's tables at the end of the arena: the tensor and node tables and every op's data
// (pointers, shapes and index ranges prepare computed). Variables and activations are left
// out: they are values, and a caller may write them.
static uint32_t tables_digest(const tml_interp_t *it) {
    const uint8_t *start = it->arena + it->tables_offset;
    size_t words = ((it->arena_len & ~(size_t)7) - it->tables_offset) / sizeof(int32_t);
    return digest_words(2166136261u, (const int32_t *)(const void *)start, (uint32_t)words);
}

// What TFLite Micro's ResetVariableTensors writes: the zero point into every byte of an
// int8 variable (real 0), zero bytes into any other type. Resource variables (VAR_HANDLE)
// clear themselves through their op's reset, as its ResetAll does.
static TML_COLD void clear_variables(tml_interp_t *it) {
    for (uint32_t t = 0; TML_BUILT_VARIABLES && t < it->n_tensors; t++) {
        tml_tensor_t *tensor = &it->tensors[t];
        if (tensor->flags & TML_TENSOR_VARIABLE) {
            int fill = tensor->type == TML_INT8 ? (int)(uint8_t)tensor->zero_point : 0;
            memset(tensor->data, fill, tensor->bytes);
        }
    }
    // Only VAR_HANDLE has a reset hook.
    for (uint32_t n = 0; TML_BUILT(var_handle) && n < it->n_nodes; n++) {
        if (it->nodes[n].op->reset != NULL && it->nodes[n].data != NULL) {
            it->nodes[n].op->reset(it, &it->nodes[n]);
        }
    }
}

tml_status_t tml_reset_variables(tml_interp_t *it) {
    // Checked first, so that a reset never takes a caller's writes into the tables as the
    // engine's own; the ops' reset hooks then change their data, which the digest follows.
    TML_TRY(tml_check_unchanged(it));
    clear_variables(it);
    it->tables_digest = tables_digest(it);
    return TML_OK;
}

TML_COLD tml_status_t tml_init(tml_interp_t *it, void *arena, size_t arena_len) {
    it->ready = false;
    it->err_node = -1;
    if (it->model == NULL) {
        return tml_fail(it, TML_ERR_ARG, "no model loaded");
    }
    if (arena == NULL || ((uintptr_t)arena & 7) != 0) {
        return tml_fail(it, TML_ERR_ARG, "arena must be 8-byte aligned");
    }
    uint8_t *base = (uint8_t *)arena;
    size_t len = arena_len & ~(size_t)7;
    size_t needed = it->arena_needed;
    if (needed == 0) {
        if (len < tml_work_size(it)) {
            return arena_too_small(it, tml_work_size(it), arena_len, true);
        }
        TML_TRY(measure(it, tml_native_target(), base, &needed));
    }
    if (len < needed) {
        return arena_too_small(it, needed, arena_len, false);
    }
    it->arena = base;
    it->arena_len = arena_len;

    // Persistent part, from the end down.
    it->target = tml_native_target();
    uint8_t *top = base + len - tables_bytes(it);
    TML_TRY(build_tables(it, top));
    size_t unused;
    TML_TRY(size_nodes(it, &unused));
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        tml_node_t *node = &it->nodes[n];
        size_t bytes = node_data_bytes(it, node);
        top -= bytes;
        node->data = bytes > 0 ? top : NULL;
    }
    it->tables_offset = (size_t)(top - base);
    for (uint32_t t = 0; TML_BUILT_VARIABLES && t < it->n_tensors; t++) {
        tml_tensor_t *tensor = &it->tensors[t];
        if (tensor->flags & TML_TENSOR_VARIABLE) {
            top -= align8(tensor->bytes);
            tensor->data = top;
        }
    }

    // Planned part, from the start.
    tml_plan_record_t *records = (tml_plan_record_t *)(void *)base;
    if (tml_plan_in(it, records, it->plan_order, &it->plan_patch) == SIZE_MAX) {
        return tml_fail(it, TML_ERR_ARENA, "model needs more than 2 GB of arena");
    }
    // A tensor's memory is its alias root's: planned, or (size 0) what loading gave the root.
    for (uint32_t t = 0; t < it->n_tensors; t++) {
        int32_t root = (int32_t)t;
        while (records[root].alias >= 0) {
            root = records[root].alias;
        }
        if (records[root].size > 0) {
            it->tensors[t].data = base + records[root].offset;
        } else if (root != (int32_t)t) {
            it->tensors[t].data = it->tensors[root].data;
        }
    }
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        // The planned part starts at the arena's start, so a record's offset is the arena's.
        it->nodes[n].scratch_offset = records[it->n_tensors + n].offset;
    }
    memset(base, 0, it->activations_bytes);
    // The records may have run on into the op data and variables (measure): written only now.
    memset(base + it->tables_offset, 0, len - tables_bytes(it) - it->tables_offset);
    clear_variables(it);

    for (uint32_t n = 0; n < it->n_nodes; n++) {
        it->err_node = (int32_t)n;
        TML_TRY(tml_node_check(it, &it->nodes[n]));
        TML_TRY(it->nodes[n].op->prepare(it, &it->nodes[n]));
    }
    it->err_node = -1;
    it->structure_digest = structure_digest(it);
    it->tables_digest = tables_digest(it);
    it->ready = true;
    return TML_OK;
}

tml_status_t tml_check_unchanged(tml_interp_t *it) {
    if (!it->ready) {
        return tml_fail(it, TML_ERR_ARG, "model not initialised");
    }
    // The tables first: the model's digest follows their pointers.
    if (tables_digest(it) != it->tables_digest) {
        it->err_node = -1;
        return tml_fail(it, TML_ERR_ARG, "arena written outside the tensors: load the model again");
    }
    if (structure_digest(it) != it->structure_digest) {
        it->err_node = -1;
        return tml_fail(it, TML_ERR_MODEL, "model buffer changed after loading: load the model again");
    }
    return TML_OK;
}

// Runs the patched chain (tml_plan.c) band by band: for each band of the last node's output
// rows, each node computes the rows the next one reads into its band buffer (the planner gave
// the tensor between two chain nodes the most rows a band reads), the first reading its whole
// input and the last writing straight into its whole output. The rows two bands share are
// kept, moved to the buffer's start, not computed again: each row is computed once, as
// unpatched. Each node's time adds up over the bands.
static tml_status_t run_patch(tml_interp_t *it, const tml_patch_t *p) {
    const uint32_t ops = (uint32_t)(p->last - p->first) + 1;
    it->err_node = p->first;
    bool chain = ops <= TML_PATCH_MAX_OPS && p->last < it->n_nodes;
    // The nodes' windows, whose heights give each band's rows. The plan checked at tml_init
    // that the nodes are a chain; the invoke keeps nothing of the plan but tml_patch_t, so the
    // windows are read again, sized to the chain to keep the invoke's stack small.
    tml_window_shape_t windows[chain ? ops : 1];
    int32_t first[TML_PATCH_MAX_OPS], end[TML_PATCH_MAX_OPS];
    // The rows node j's input holds: [held_first[j], held_end[j]) of its image, all of the
    // chain's input for node 0, the band buffer node j - 1 last wrote for the others.
    int32_t held_first[TML_PATCH_MAX_OPS], held_end[TML_PATCH_MAX_OPS];
    const bool timed = it->ticks_us != NULL && it->node_us != NULL;
    for (uint32_t j = 0; chain && j < ops; j++) {
        tml_node_t *node = &it->nodes[p->first + j];
        it->err_node = (int32_t)(p->first + j);
        chain = node->op->window(it, node, &windows[j]);
        held_first[j] = held_end[j] = 0;
        if (timed) {
            it->node_us[p->first + j] = 0;
        }
    }
    if (!chain) {
        return tml_fail(it, TML_ERR_INTERNAL, "patched chain changed");
    }
    held_end[0] = windows[0].in_h;
    const int32_t out_h = windows[ops - 1].out_h;
    for (int32_t y = 0; y < out_h; y += p->rows) {
        tml_patch_band(windows, ops, y, out_h - y < p->rows ? out_h - y : p->rows, first, end);
        for (uint32_t j = 0; j < ops; j++) {
            tml_node_t *node = &it->nodes[p->first + j];
            const tml_tensor_t *out = &it->tensors[node->outputs[0]];
            const size_t row_bytes = out->bytes / (uint32_t)windows[j].out_h;
            // The output's first row in memory: 0 for the chain's output, written whole; the
            // band's first for a band buffer.
            int32_t row0 = first[j], base = 0;
            if (j < ops - 1) {
                // Rows from the last band that this one reads again stay: to the start.
                const int32_t held_from = held_first[j + 1], held_to = held_end[j + 1];
                int32_t kept = held_to > first[j] && held_from <= first[j] ? held_to - first[j] : 0;
                kept = kept < end[j] - first[j] ? kept : end[j] - first[j];
                if (kept > 0 && first[j] > held_from) {
                    memmove(out->data, out->data + (size_t)(first[j] - held_from) * row_bytes,
                        (size_t)kept * row_bytes);
                }
                held_first[j + 1] = base = first[j];
                held_end[j + 1] = end[j];
                row0 += kept;
            }
            uint8_t *output = out->data + (size_t)(row0 - base) * row_bytes;
            const tml_rows_t band = { it->tensors[node->inputs[0]].data, output, held_first[j],
                                      held_end[j] - held_first[j], row0, end[j] - row0 };
            if (band.rows <= 0) {
                continue;
            }
            uint32_t start = timed ? it->ticks_us() : 0;
            it->err_node = (int32_t)(p->first + j);
            TML_TRY(node->op->eval_rows(it, node, &band));
            if (timed) {
                it->node_us[p->first + j] += it->ticks_us() - start;
            }
        }
    }
    return TML_OK;
}

tml_status_t tml_invoke(tml_interp_t *it) {
    TML_TRY(tml_check_unchanged(it));
    tml_status_t st = TML_OK;
    const tml_patch_t *patch = &it->plan_patch;
    for (uint32_t n = 0; n < it->n_nodes && st == TML_OK; n++) {
        if (n == patch->first && patch->last >= patch->first && patch->rows > 0) {
            st = run_patch(it, patch);
            n = patch->last;
            continue;
        }
        tml_node_t *node = &it->nodes[n];
        uint32_t start = it->ticks_us != NULL ? it->ticks_us() : 0;
        it->err_node = (int32_t)n;
        st = node->op->eval(it, node);
        if (st == TML_OK && it->ticks_us != NULL && it->node_us != NULL) {
            it->node_us[n] = it->ticks_us() - start;
        }
    }
    if (st == TML_OK) {
        it->err_node = -1;
    }
    // Some ops keep state in their data (a noise estimate) that eval has just updated.
    it->tables_digest = tables_digest(it);
    return st;
}

// Tensor i of a graph input or output list of n, NULL past its end or before tml_init.
static TML_NOINLINE tml_tensor_t *graph_tensor(tml_interp_t *it, const int32_t *list, uint32_t n, uint32_t i) {
    return it->tensors != NULL && i < n ? &it->tensors[list[i]] : NULL;
}

tml_tensor_t *tml_input(tml_interp_t *it, uint32_t i) {
    return graph_tensor(it, it->graph_inputs, it->n_inputs, i);
}

tml_tensor_t *tml_output(tml_interp_t *it, uint32_t i) {
    return graph_tensor(it, it->graph_outputs, it->n_outputs, i);
}

const char *tml_node_name(const tml_interp_t *it, uint32_t i) {
    if (it->nodes != NULL && i < it->n_nodes) {
        return tml_op_name(it->nodes[i].op);
    }
    return NULL;
}
