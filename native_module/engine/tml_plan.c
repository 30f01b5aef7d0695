// Arena planner: lifetimes from the node order, then greedy placement in several orders,
// keeping the smallest.
//
// Each buffer lives from the node that writes it to the last node that reads
// it (graph inputs from the start, graph outputs to the end). Buffers are
// placed one by one at the lowest offset that clashes with no placed buffer
// alive at the same time. TFLite Micro's GreedyMemoryPlanner places them
// largest first; no one order is best for every graph (a long-lived buffer
// placed late can leave a hole under it), so we try a few and keep the one
// that spans least, ties going to the earlier order (deterministic). We also do
// better where ops allow: RESHAPE/SQUEEZE/EXPAND_DIMS outputs share their
// input's memory, activations write over their input, convolutions write their
// output over the part of their input they have finished reading (the output
// starts a computed gap before the input), and buffers are aligned to
// TML_ARENA_ALIGN, not 16. Last, a model's leading chain of convolutions may run patched:
// a band of rows at a time, through small band buffers in place of its big early tensors
// (MCUNetV2's patch-based inference, in rows), where that lowers the plan.
#include "tml_internal.h"

#include "kernels/kernels.h"

static uint32_t align_up(uint32_t n) {
    return (n + (TML_ARENA_ALIGN - 1)) & ~(uint32_t)(TML_ARENA_ALIGN - 1);
}

// align_up out of line, for the callers that run a few times a plan (the patched chain's
// buffers): smaller than inlined at each. The loops over every record keep align_up inline,
// which is faster there.
static TML_NOINLINE uint32_t align_up_rarely(uint32_t n) {
    return align_up(n);
}

// root_of, live_through and planned serve most of the planner's steps: TML_NOINLINE keeps one copy
// of each at -O2, as -Os does, rather than one per call site.
static TML_NOINLINE int32_t root_of(const tml_plan_record_t *r, int32_t t) {
    while (r[t].alias >= 0) {
        t = r[t].alias;
    }
    return t;
}

// Extends record t's lifetime over nodes [first, last] (first <= last).
static TML_NOINLINE void live_through(tml_plan_record_t *r, int32_t t, uint32_t first, uint32_t last) {
    if (first < r[t].first) {  // TML_NO_NODE, above every node, when nothing touched it yet
        r[t].first = (uint16_t)first;
    }
    if (r[t].last == TML_NO_NODE || last > r[t].last) {
        r[t].last = (uint16_t)last;
    }
}

static TML_NOINLINE bool planned(const tml_interp_t *it, int32_t t) {
    return t >= 0 && (uint32_t)t < it->n_tensors
           && !(it->tensors[t].flags & (TML_TENSOR_CONST | TML_TENSOR_VARIABLE | TML_TENSOR_DEFERRED));
}

// The graph's inputs, then its outputs, as one list: i < n_inputs + n_outputs.
static int32_t graph_io(const tml_interp_t *it, uint32_t i) {
    return i < it->n_inputs ? it->graph_inputs[i] : it->graph_outputs[i - it->n_inputs];
}

// Input then output i of a node, as one list: i < n_inputs + n_outputs.
static int32_t node_io(const tml_node_t *node, uint32_t i) {
    return i < node->n_inputs ? node->inputs[i] : node->outputs[i - node->n_inputs];
}

// The memory (root record) of a node's input 0 when its output 0 may come to share it: both
// planned and distinct, the output sharing nothing yet and not that memory already; else -1.
static int32_t shareable_root(const tml_interp_t *it, const tml_plan_record_t *r, const tml_node_t *node) {
    if (node->op == NULL || node->n_inputs < 1 || node->n_outputs < 1) {
        return -1;
    }
    const int32_t in = node->inputs[0], out = node->outputs[0];
    if (!planned(it, in) || !planned(it, out) || in == out || r[out].alias >= 0) {
        return -1;
    }
    const int32_t root = root_of(r, in);
    return root != out ? root : -1;
}

static void compute_lifetimes(const tml_interp_t *it, tml_plan_record_t *r) {
    uint32_t nt = it->n_tensors;
    uint32_t end = it->n_nodes > 0 ? it->n_nodes - 1 : 0;
    for (uint32_t i = 0; i < tml_plan_records(it); i++) {
        r[i].size = 0;
        r[i].offset = TML_UNPLACED;
        r[i].first = TML_NO_NODE;
        r[i].last = TML_NO_NODE;
        r[i].alias = -1;
    }
    // Graph inputs live from the start, outputs to the end.
    for (uint32_t i = 0; i < it->n_inputs + it->n_outputs; i++) {
        const uint32_t when = i < it->n_inputs ? 0 : end;
        if (planned(it, graph_io(it, i))) {
            live_through(r, graph_io(it, i), when, when);
        }
    }
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        for (uint32_t i = 0; i < (uint32_t)node->n_inputs + node->n_outputs; i++) {
            if (planned(it, node_io(node, i))) {
                live_through(r, node_io(node, i), n, n);
            }
        }
        const int32_t root = shareable_root(it, r, node);
        if (root >= 0 && (node->op->flags & TML_OP_ALIAS)
            && it->tensors[node->inputs[0]].bytes == it->tensors[node->outputs[0]].bytes) {
            r[node->outputs[0]].alias = root;
        }
        if (node->scratch_bytes > 0) {
            r[nt + n].size = align_up(node->scratch_bytes);
            r[nt + n].first = (uint16_t)n;
            r[nt + n].last = (uint16_t)n;
        }
    }
    for (uint32_t t = 0; t < nt; t++) {
        if (!planned(it, (int32_t)t) || r[t].first == TML_NO_NODE) {
            continue;
        }
        if (r[t].alias >= 0) {
            // The shared memory must live as long as every tensor using it.
            live_through(r, root_of(r, (int32_t)t), r[t].first, r[t].last);
        } else {
            r[t].size = align_up(it->tensors[t].bytes);
            if (r[t].size == 0) {
                r[t].size = TML_ARENA_ALIGN;
            }
        }
    }
}

// ---- patched chains ---------------------------------------------------------------------

static bool no_patch(const tml_patch_t *p) {
    return p == NULL || p->last < p->first || p->rows == 0;
}

static bool in_patch(const tml_patch_t *p, uint32_t n) {
    return !no_patch(p) && n >= p->first && n <= p->last;
}

// How many times the nodes and graph outputs read tensor t.
static uint32_t readers(const tml_interp_t *it, int32_t t) {
    uint32_t count = 0;
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        for (uint32_t i = 0; i < it->nodes[n].n_inputs; i++) {
            count += it->nodes[n].inputs[i] == t;
        }
    }
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        count += it->graph_outputs[i] == t;
    }
    return count;
}

// A node a chain may hold: it runs bands (eval_rows) of a window on one int8 image, with one
// output that is not also an input.
static bool band_node(const tml_interp_t *it, const tml_node_t *node, tml_window_shape_t *w) {
    return node->op != NULL && node->op->eval_rows != NULL && node->op->window != NULL && node->n_inputs >= 1
           && node->n_outputs == 1 && node->outputs[0] >= 0 && (uint32_t)node->outputs[0] < it->n_tensors
           && node->inputs[0] != node->outputs[0] && node->op->window(it, node, w) && w->batches == 1;
}

// A chain as the planner weighs it: its nodes' windows, whose heights give each band's rows;
// then, for p.rows, the rows each band buffer holds and the multiply-accumulates the bands
// compute beyond the layers' own.
typedef struct {
    tml_patch_t p;
    uint32_t ops;  // p's nodes, whose windows are read, when they are a chain; else 0
    tml_window_shape_t windows[TML_PATCH_MAX_OPS];
    int32_t held[TML_PATCH_MAX_OPS];
    uint64_t extra_macs;
} chain_t;

// How many nodes from `first` on, at most max_ops, form a chain, their windows into windows[]:
// band nodes, each tensor between two of them planned, written by one and read by the next
// only, as its input 0.
static uint32_t chain_length(const tml_interp_t *it, uint32_t first, uint32_t max_ops,
    tml_window_shape_t *windows) {
    uint32_t ops = 0;
    while (ops < max_ops && first + ops < it->n_nodes && band_node(it, &it->nodes[first + ops], &windows[ops])) {
        if (ops > 0) {
            int32_t t = it->nodes[first + ops].inputs[0];
            if (t != it->nodes[first + ops - 1].outputs[0] || !planned(it, t) || readers(it, t) != 1) {
                break;
            }
        }
        ops++;
    }
    return ops;
}

void tml_patch_band(const tml_window_shape_t *windows, uint32_t ops, int32_t row0, int32_t rows, int32_t *first,
    int32_t *end) {
    first[ops - 1] = row0;
    end[ops - 1] = row0 + rows;
    for (uint32_t j = ops - 1; j > 0; j--) {
        const tml_window_shape_t *w = &windows[j];
        tml_window_rows(first[j], end[j] - first[j], w->stride_h, w->dilation_h, w->filter_h, w->pad_h, w->in_h,
            &first[j - 1], &end[j - 1]);
    }
}

// Bytes of the rows the band buffer of chain node j (< ops - 1) holds: whole rows of the
// node's output.
static uint64_t band_bytes(const tml_interp_t *it, const chain_t *c, uint32_t j) {
    const uint32_t row_bytes = it->tensors[it->nodes[c->p.first + j].outputs[0]].bytes / (uint32_t)c->windows[j].out_h;
    return (uint64_t)c->held[j] * row_bytes;
}

// Fills c->held (the most rows any band needs) and c->extra_macs for c->p.rows: none, as each
// band keeps the rows it shares with the last (tml_interp.c), unless a band reads rows the last
// did not hold.
static void size_bands(const tml_interp_t *it, chain_t *c) {
    const uint32_t ops = c->ops;
    const int32_t out_h = c->windows[ops - 1].out_h;
    int32_t first[TML_PATCH_MAX_OPS], end[TML_PATCH_MAX_OPS], last_end[TML_PATCH_MAX_OPS];
    uint64_t computed[TML_PATCH_MAX_OPS];
    for (uint32_t j = 0; j < ops; j++) {
        c->held[j] = 0;
        computed[j] = 0;
        last_end[j] = 0;
    }
    for (int32_t y = 0; y < out_h; y += c->p.rows) {
        tml_patch_band(c->windows, ops, y, out_h - y < c->p.rows ? out_h - y : c->p.rows, first, end);
        for (uint32_t j = 0; j < ops; j++) {
            c->held[j] = end[j] - first[j] > c->held[j] ? end[j] - first[j] : c->held[j];
            const int32_t from = last_end[j] > first[j] ? last_end[j] : first[j];
            computed[j] += end[j] > from ? (uint64_t)(end[j] - from) : 0;
            last_end[j] = end[j];
        }
    }
    c->extra_macs = 0;
    for (uint32_t j = 0; j < ops; j++) {
        const tml_node_t *node = &it->nodes[c->p.first + j];
        const tml_tensor_t *out = &it->tensors[node->outputs[0]];
        // MACs per output pixel: the filter's elements (OHWI or 1HWO, int8 so one byte each).
        const int32_t filter = node->n_inputs > 1 ? node->inputs[1] : -1;
        const uint32_t filter_bytes = filter >= 0 ? it->tensors[filter].bytes : 0;
        if (computed[j] > (uint64_t)c->windows[j].out_h) {
            c->extra_macs += (computed[j] - (uint64_t)c->windows[j].out_h) * (uint32_t)out->dims[2] * filter_bytes;
        }
    }
}

// The records of a patched chain: the tensors between its nodes become band buffers of the
// rows a band needs, and every buffer the chain touches lives through the whole chain (its
// nodes run in turn, band after band); scratch stays per node, each call filling its own.
static void apply_patch(const tml_interp_t *it, tml_plan_record_t *r, const chain_t *c) {
    const tml_patch_t *p = &c->p;
    for (uint32_t n = p->first; n <= p->last; n++) {
        const tml_node_t *node = &it->nodes[n];
        for (uint32_t i = 0; i < node->n_inputs; i++) {
            if (planned(it, node->inputs[i])) {
                live_through(r, root_of(r, node->inputs[i]), p->first, p->last);
            }
        }
        int32_t out = node->outputs[0];
        if (n < p->last) {
            const uint64_t bytes = band_bytes(it, c, n - p->first);
            r[out].size = align_up_rarely((uint32_t)(bytes > 0 ? bytes : 1));
            r[out].first = p->first;
            r[out].last = p->last;
        } else if (planned(it, out)) {
            live_through(r, root_of(r, out), p->first, p->first);
        }
    }
}

// The chain patch p runs, sized for its rows; c->ops is 0 when p is none or its nodes are not
// a chain (then nothing is patched).
static void chain_of(const tml_interp_t *it, const tml_patch_t *p, chain_t *c) {
    const uint32_t ops = no_patch(p) ? 0 : (uint32_t)(p->last - p->first) + 1;
    c->p = *p;
    c->ops = 0;
    if (ops > 0 && ops <= TML_PATCH_MAX_OPS && chain_length(it, p->first, ops, c->windows) == ops) {
        c->ops = ops;
        size_bands(it, c);
    }
}

// Whether a graph input or output uses the memory of record a or of record b.
static bool graph_io_uses(const tml_interp_t *it, const tml_plan_record_t *r, int32_t a, int32_t b) {
    for (uint32_t i = 0; i < it->n_inputs + it->n_outputs; i++) {
        const int32_t t = graph_io(it, i);
        if (planned(it, t) && (root_of(r, t) == a || root_of(r, t) == b)) {
            return true;
        }
    }
    return false;
}

// Output pixels in raster order, two at a time (the pairs of kernels/opt/'s GEMM, which reads
// both pixels' inputs while it writes both outputs; the reference kernels write one pixel after
// reading its window, the ARMv7E-M 3x3 depthwise path a row after copying its input rows, and
// both are covered by the pairs' bound, as a pair's bound holds for each of its pixels and the
// first pixel of every output row reads from the column its row copy starts at). Walking the
// pixels backwards keeps the first input byte any later pixel still reads.
// Byte offsets fit in 32 bits: a tensor of 2 GB or more plans nowhere (place_all), so such a
// window is not counted.
TML_COLD int64_t tml_plan_window_gap(const tml_window_shape_t *s) {
    const int64_t pixels = (int64_t)s->batches * s->out_h * s->out_w;
    const int64_t in_bytes = (int64_t)s->batches * s->in_h * s->in_w * s->in_c;
    if (pixels <= 0 || pixels > (1 << 22) || in_bytes > INT32_MAX || s->out_c < 0
        || pixels * s->out_c > INT32_MAX) {
        return -1;
    }
    int32_t needed = (int32_t)in_bytes;  // nothing: past the end
    int32_t needed_later = needed;        // by the pixels after the current pair
    int32_t gap = 0;
    int32_t i = (int32_t)pixels;
    for (int32_t b = s->batches - 1; b >= 0; b--) {
        for (int32_t oy = s->out_h - 1; oy >= 0; oy--) {
            // The window's first row inside the image (none: reads nothing), then its first
            // column: the lowest byte it reads.
            const int32_t iy0 = oy * s->stride_h - s->pad_h;
            const int32_t ky = iy0 >= 0 ? 0 : (-iy0 + s->dilation_h - 1) / s->dilation_h;
            const int32_t iy = iy0 + ky * s->dilation_h;
            const bool row_inside = ky < s->filter_h && iy < s->in_h;
            for (int32_t ox = s->out_w - 1; ox >= 0; ox--) {
                i--;
                const int32_t ix0 = ox * s->stride_w - s->pad_w;
                const int32_t kx = ix0 >= 0 ? 0 : (-ix0 + s->dilation_w - 1) / s->dilation_w;
                const int32_t ix = ix0 + kx * s->dilation_w;
                if (row_inside && kx < s->filter_w && ix < s->in_w) {
                    const int32_t first = ((b * s->in_h + iy) * s->in_w + ix) * s->in_c;
                    needed = first < needed ? first : needed;
                }
                if (i % 2 == 0) {
                    // Every kernel writes a pair's last output byte after its last read of the
                    // pair: that byte need only miss what later pairs read, the others the
                    // pair's input too.
                    const int32_t written = (i + 2 < pixels ? i + 2 : (int32_t)pixels) * s->out_c;
                    const int32_t pair = written - 1 - needed, later = written - needed_later;
                    gap = pair > gap ? pair : gap;
                    gap = later > gap ? later : gap;
                    needed_later = needed;
                }
            }
        }
    }
    return gap;
}

static bool read_elsewhere(const tml_interp_t *it, const tml_plan_record_t *r, const tml_node_t *node,
    int32_t root) {
    for (uint32_t i = 1; i < node->n_inputs; i++) {
        if (planned(it, node->inputs[i]) && root_of(r, node->inputs[i]) == root) {
            return true;
        }
    }
    return false;
}

// Where a node is the last reader of its input's memory, its output may use that memory. An op
// that may write over its input (TML_OP_INPLACE) takes it whole: the two never need to exist
// side by side. An op whose kernels write in raster order (tml_op_t.window) may start its
// output far enough before its input (tml_plan_window_gap): the placement allows that one
// overlap and no other. Graph inputs and outputs keep their own memory (the caller reads and
// writes them); the nodes of a patched chain, their band buffers.
static void share_inputs(const tml_interp_t *it, tml_plan_record_t *r, const tml_patch_t *p) {
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        const int32_t root = in_patch(p, n) ? -1 : shareable_root(it, r, node);
        if (root < 0 || r[node->outputs[0]].first != n || r[root].last != n
            || graph_io_uses(it, r, root, node->outputs[0])) {
            continue;
        }
        const int32_t in = node->inputs[0], out = node->outputs[0];
        const tml_tensor_t *tin = &it->tensors[in], *tout = &it->tensors[out];
        tml_window_shape_t s;
        if ((node->op->flags & TML_OP_INPLACE) && tin->bytes == tout->bytes && tin->type == tout->type) {
            r[out].alias = root;
            r[out].size = 0;
            live_through(r, root, r[out].first, r[out].last);
        } else if (node->op->window != NULL && node->n_outputs == 1 && node->op->window(it, node, &s)
                   && !read_elsewhere(it, r, node, root)
                   && tin->bytes == (uint64_t)s.batches * s.in_h * s.in_w * s.in_c
                   && tout->bytes == (uint64_t)s.batches * s.out_h * s.out_w * s.out_c) {
            int64_t gap = tml_plan_window_gap(&s);
            if (gap >= 0 && gap < (int64_t)r[out].size) {
                r[out].alias = TML_PLAN_WITH_GAP(align_up((uint32_t)gap));
            }
        }
    }
}

// The tensor whose memory tensor record t may lie over (see share_inputs), or -1.
static int32_t lies_over(const tml_interp_t *it, const tml_plan_record_t *r, int32_t t) {
    if ((uint32_t)t >= it->n_tensors || r[t].alias >= -1 || r[t].first >= it->n_nodes) {
        return -1;
    }
    return root_of(r, it->nodes[r[t].first].inputs[0]);  // checked by share_inputs
}

static bool overlap_in_time(const tml_plan_record_t *a, const tml_plan_record_t *b) {
    return a->first <= b->last && b->first <= a->last;
}

// Records living longer than this many nodes are kept in one list that every placement
// checks; shorter ones are found through the node they start at, so a placement looks only
// at the records alive near its own lifetime and a long graph plans in linear time.
#define SHORT_LIFE 32

typedef struct {
    const tml_interp_t *it;
    tml_plan_record_t *r;
    int32_t n_nodes;   // buckets: records[n_tensors + node].alias
    uint32_t n_tensors;
    int32_t long_lived;  // list of placed long-lived records, -1 when empty
    // Whether pairs across small gaps (an eighth of the output at most, as a depthwise
    // layer's or a strided one's) are kept room for: an input whose outputs are not placed
    // yet starts its search above their gaps, and others keep out of the spot an unplaced
    // partner of a placed record waits for.
    bool leave_small_gaps;
} placed_t;

// The output that may lie over input record `self` (see share_inputs), or -1.
static int32_t lying_over(const placed_t *pl, int32_t self) {
    const tml_plan_record_t *rec = &pl->r[self];
    // A graph output's last node is the graph's last, which a model without nodes lacks.
    if ((uint32_t)self >= pl->n_tensors || rec->last >= pl->it->n_nodes) {
        return -1;
    }
    const tml_node_t *node = &pl->it->nodes[rec->last];
    if (node->n_outputs < 1 || node->outputs == NULL || !planned(pl->it, node->outputs[0])) {
        return -1;
    }
    int32_t out = node->outputs[0];
    return lies_over(pl->it, pl->r, out) == self ? out : -1;
}

// The highest offset record rec may start at: it must end below 2 GB.
static uint32_t highest_start(const tml_plan_record_t *rec) {
    return INT32_MAX - rec->size;
}

static bool small_gap(const tml_plan_record_t *out) {
    return TML_PLAN_GAP(out->alias) <= out->size / 8;
}

// Where small gaps are kept room for, the spot waiting for an unplaced partner of placed record i
// across a small gap (its output just below it, or its input just above), so that others keep
// out of it: the partner's index, and its offset in *at; -1 when none.
static int32_t waiting_partner(const placed_t *pl, int32_t i, uint32_t *at) {
    const tml_plan_record_t *r = pl->r, *p = &r[i];
    if (!pl->leave_small_gaps) {
        return -1;
    }
    int32_t out = lying_over(pl, i);
    if (out >= 0 && r[out].offset == TML_UNPLACED && small_gap(&r[out])
        && p->offset >= TML_PLAN_GAP(r[out].alias)) {
        *at = p->offset - TML_PLAN_GAP(r[out].alias);
        return out;
    }
    int32_t in = lies_over(pl->it, r, i);
    if (in >= 0 && r[in].offset == TML_UNPLACED && small_gap(p)) {
        *at = p->offset + TML_PLAN_GAP(p->alias);
        return in;
    }
    return -1;
}

// Moves *candidate past every record of the list from `i` that clashes with record `self`:
// past its end, or for the output lying over `self` (an input), to the output's start plus
// the gap. An output may lie over its input when it starts at least the gap before it.
// Offsets stay in 32 bits: every record is below 2 GB (place_all), a placed one ends below
// 2 GB, and a candidate past highest_start() returns at once, as it can only grow.
static bool push_past(const placed_t *pl, int32_t i, int32_t self, uint32_t *candidate) {
    const tml_plan_record_t *r = pl->r, *rec = &r[self];
    const int32_t self_over = lies_over(pl->it, r, self);
    bool moved = false;
    for (; i >= 0; i = r[i].next) {
        const tml_plan_record_t *p = &r[i];
        uint32_t at;
        int32_t w = waiting_partner(pl, i, &at);
        if (w >= 0 && w != self && overlap_in_time(&r[w], rec) && *candidate < at + r[w].size
            && at < *candidate + rec->size) {
            *candidate = at + r[w].size;
            moved = true;
            if (*candidate > highest_start(rec)) {
                return true;
            }
        }
        if (!overlap_in_time(p, rec) || *candidate >= p->offset + p->size
            || p->offset >= *candidate + rec->size) {
            continue;
        }
        if (self_over == i && *candidate + TML_PLAN_GAP(rec->alias) <= p->offset) {
            continue;
        }
        if (lies_over(pl->it, r, i) == self) {
            const uint32_t gap = TML_PLAN_GAP(p->alias);
            if (*candidate >= p->offset + gap) {
                continue;
            }
            *candidate = p->offset + gap;
        } else {
            *candidate = p->offset + p->size;
        }
        moved = true;
    }
    return moved;
}

// Lowest offset where rec fits among the placed records it meets in time (greedy, as TFLite
// Micro's planner), or TML_UNPLACED past 2 GB (a corrupt or absurd model).
static uint32_t lowest_free_offset(const placed_t *pl, int32_t self) {
    const tml_plan_record_t *rec = &pl->r[self];
    uint32_t candidate = 0;
    // Room for the chain of unplaced outputs, each lying below the last across a small gap.
    for (int32_t t = pl->leave_small_gaps ? lying_over(pl, self) : -1, steps = 0;
         t >= 0 && pl->r[t].offset == TML_UNPLACED && small_gap(&pl->r[t]) && steps < SHORT_LIFE;
         t = lying_over(pl, t), steps++) {
        candidate += TML_PLAN_GAP(pl->r[t].alias);
        if (candidate > highest_start(rec)) {
            return TML_UNPLACED;
        }
    }
    int32_t from = rec->first - SHORT_LIFE > 0 ? rec->first - SHORT_LIFE : 0;
    int32_t to = rec->last < pl->n_nodes - 1 ? rec->last : pl->n_nodes - 1;
    bool moved = true;
    while (moved) {
        moved = push_past(pl, pl->long_lived, self, &candidate);
        for (int32_t n = from; n <= to && candidate <= highest_start(rec); n++) {
            moved |= push_past(pl, pl->r[pl->n_tensors + (uint32_t)n].alias, self, &candidate);
        }
        if (candidate > highest_start(rec)) {
            return TML_UNPLACED;
        }
    }
    return candidate;
}

static void add_placed(placed_t *pl, int32_t i) {
    tml_plan_record_t *rec = &pl->r[i];
    if (rec->last - rec->first > SHORT_LIFE || pl->n_nodes == 0) {
        rec->next = pl->long_lived;
        pl->long_lived = i;
    } else {
        tml_plan_record_t *bucket = &pl->r[pl->n_tensors + (uint32_t)rec->first];
        rec->next = bucket->alias;
        bucket->alias = i;
    }
}

// The placement orders tried, each a key placed largest first.
enum {
    BY_SIZE,       // TFLite Micro's order
    BY_AREA,       // size x lifetime: the buffers that block most memory for longest
    BY_LIFETIME,   // longest-lived first, then by size
    BY_START,      // in the order the graph writes them, then by size
    // The last written first: an output is placed before its input, which then goes the
    // output's gap above it, so a chain of convolutions writing over their inputs steps down;
    // buffers alive at one node only (scratch) after all others.
    BY_LATEST,
    ORDER_COUNT
};

// The plans tried: each order, then the largest first keeping room for small gaps (the only
// combination that ever won on the models in shared/models, beside the plain orders).
#define PLAN_COUNT (ORDER_COUNT + 1)

static uint64_t order_key(const tml_plan_record_t *r, int order) {
    uint64_t life = (uint64_t)(r->last - r->first) + 1;
    switch (order) {
        case BY_AREA:
            return life * r->size;
        case BY_LIFETIME:
            return life << 32 | r->size;
        case BY_START:
            return (uint64_t)(TML_NO_NODE - r->first) << 32 | r->size;
        case BY_LATEST:
            // Scratch (alive at one node) last, into the holes the tensors leave.
            return (r->first == r->last ? 0 : (uint64_t)r->first << 32) | r->size;
        default:
            return r->size;
    }
}

// Sorts the list from `head` by order_key, largest first; stable, so ties keep model order
// (deterministic). Merge sort on the links: no memory beyond the records.
static int32_t sort_by_key(tml_plan_record_t *r, int32_t head, int order) {
    if (head < 0 || r[head].next < 0) {
        return head;
    }
    int32_t slow = head, fast = r[head].next;
    while (fast >= 0 && r[fast].next >= 0) {
        slow = r[slow].next;
        fast = r[r[fast].next].next;
    }
    int32_t second = r[slow].next;
    r[slow].next = -1;
    int32_t a = sort_by_key(r, head, order), b = sort_by_key(r, second, order);
    int32_t out = -1, tail = -1;
    while (a >= 0 || b >= 0) {
        int32_t take;
        if (b < 0 || (a >= 0 && order_key(&r[a], order) >= order_key(&r[b], order))) {
            take = a;
            a = r[a].next;
        } else {
            take = b;
            b = r[b].next;
        }
        if (tail < 0) {
            out = take;
        } else {
            r[tail].next = take;
        }
        tail = take;
    }
    r[tail].next = -1;
    return out;
}

// Places every record in `order`; returns the bytes they span (SIZE_MAX past 2 GB).
static size_t place_all(const tml_interp_t *it, tml_plan_record_t *r, int order) {
    uint32_t count = tml_plan_records(it);
    // Records to place, in model order, then by the order's key.
    int32_t head = -1;
    for (uint32_t i = count; i-- > 0;) {
        r[i].next = -1;
        r[i].offset = TML_UNPLACED;
        if (i >= it->n_tensors) {
            r[i].alias = -1;
        }
        if (r[i].size > INT32_MAX) {
            return SIZE_MAX;  // it would end past 2 GB wherever it went
        }
        if (r[i].size > 0) {
            r[i].next = head;
            head = (int32_t)i;
        }
    }
    head = sort_by_key(r, head, order < ORDER_COUNT ? order : BY_SIZE);
    placed_t pl = { it, r, (int32_t)it->n_nodes, it->n_tensors, -1, order >= ORDER_COUNT };
    size_t total = 0;
    while (head >= 0) {
        int32_t i = head;
        head = r[i].next;
        r[i].offset = lowest_free_offset(&pl, i);
        if (r[i].offset == TML_UNPLACED) {
            return SIZE_MAX;
        }
        add_placed(&pl, i);
        if (r[i].offset + (size_t)r[i].size > total) {
            total = r[i].offset + (size_t)r[i].size;
        }
    }
    return total;
}

// The records for chain c (NULL: none): lifetimes, the chain's band buffers, then the memory
// outputs share with their inputs.
static TML_NOINLINE void prepare_records(const tml_interp_t *it, tml_plan_record_t *r, const chain_t *c) {
    compute_lifetimes(it, r);
    if (c != NULL && c->ops > 0) {
        apply_patch(it, r, c);
    }
    share_inputs(it, r, c != NULL ? &c->p : NULL);
}

// The smallest plan over the placement orders, with chain c patched (NULL: none); the records
// hold the last order's offsets.
static TML_NOINLINE size_t plan_orders(const tml_interp_t *it, tml_plan_record_t *r, const chain_t *c, int *order) {
    prepare_records(it, r, c);
    size_t best = SIZE_MAX;
    int best_order = 0;
    for (int o = 0; o < PLAN_COUNT; o++) {
        size_t total = place_all(it, r, o);
        if (total < best) {
            best = total;
            best_order = o;
        }
    }
    *order = best_order;
    return best;
}

// The multiply-accumulates of the model's windowed int8 nodes (their output pixels times their
// filters' elements): the bulk of a CNN's, and a lower bound of the whole.
static uint64_t window_macs(const tml_interp_t *it) {
    uint64_t macs = 0;
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        tml_window_shape_t w;
        if (node->op != NULL && node->op->window != NULL && node->n_inputs > 1 && node->inputs[1] >= 0
            && (uint32_t)node->inputs[1] < it->n_tensors && node->op->window(it, node, &w)) {
            macs += (uint64_t)w.batches * (uint32_t)w.out_h * (uint32_t)w.out_w * it->tensors[node->inputs[1]].bytes;
        }
    }
    return macs;
}

// Whether patching a chain, planned at `total` bytes, pays: smaller than the unpatched plan,
// by at least the share of its bytes that the recomputed MACs are of the model's (in integers;
// each factor is below 2^32 and 2^40). Out of line: its 64-bit products, inlined, cost more
// than the three calls.
static TML_NOINLINE bool pays(size_t unpatched, size_t total, uint64_t extra, uint64_t macs) {
    return total < unpatched && (uint64_t)(unpatched - total) * (macs >> 8) >= (extra >> 8) * unpatched;
}

// A lower bound of chain c's plan: its input, its output and its band buffers are all live
// while it runs, none over another; without planning, so the search skips what cannot win.
static size_t chain_floor(const tml_interp_t *it, const chain_t *c) {
    uint64_t bytes = align_up_rarely(it->tensors[it->nodes[c->p.first].inputs[0]].bytes)
        + (uint64_t)align_up_rarely(it->tensors[it->nodes[c->p.last].outputs[0]].bytes);
    for (uint32_t j = 0; j + 1 < c->ops; j++) {
        bytes += align_up_rarely((uint32_t)band_bytes(it, c, j));
    }
    return (size_t)bytes;
}

// The plan of records prepared for chain c in one placement order: what the search compares.
static TML_NOINLINE size_t plan_one(const tml_interp_t *it, tml_plan_record_t *r, const chain_t *c, int order) {
    prepare_records(it, r, c);
    return place_all(it, r, order);
}

// The leading chain: from the first node that can run bands, as long as the next node reads
// this one's output alone, its windows into windows[]. Returns its length (0 when it has
// fewer than two nodes).
static uint32_t leading_chain(const tml_interp_t *it, uint32_t *first, tml_window_shape_t *windows) {
    for (uint32_t s = 0; s < it->n_nodes; s++) {
        uint32_t ops = chain_length(it, s, TML_PATCH_MAX_OPS, windows);
        if (ops > 0) {
            *first = s;
            return ops >= 2 ? ops : 0;
        }
    }
    return 0;
}

// The choice, deterministic, into *c (unchanged when none pays). The chain may end after any
// of its nodes that shrinks its map (a stride, fewer channels: where the big early tensors
// end); each such end is tried with one-row bands (the least band memory), then, for the best
// end, the highest band whose plan is as small, by bisection (a band of more rows never holds
// less), ties to fewer recomputed MACs. The search places in one order, the unpatched plan's
// best (a load on a board runs it: a plan per candidate, not one per order); tml_plan then
// plans the choice in every order. Patched only when that pays (above): patching is automatic,
// so it must pay for any time it costs in memory. The bands keep the rows they share
// (tml_interp.c), so on the models here it recomputes nothing and costs a call per node and
// band and a copy of the kept rows. Every end's windows are a prefix of the leading chain's.
static void choose_patch(const tml_interp_t *it, tml_plan_record_t *r, size_t unpatched, int order,
    uint64_t macs, chain_t *c) {
    uint32_t first = 0, ops = leading_chain(it, &first, c->windows);
    tml_patch_t best = c->p;
    uint32_t best_ops = 0;
    size_t best_total = unpatched;
    uint64_t best_extra = UINT64_MAX;
    for (uint32_t k = 1; k < ops; k++) {
        const tml_node_t *node = &it->nodes[first + k];
        if (it->tensors[node->outputs[0]].bytes >= it->tensors[node->inputs[0]].bytes) {
            continue;
        }
        // bands and extra_macs are set for the choice alone, below.
        c->p.first = (uint16_t)first;
        c->p.last = (uint16_t)(first + k);
        c->p.rows = 1;
        c->ops = k + 1;
        size_bands(it, c);
        const size_t lower_bound = chain_floor(it, c);
        if (!pays(unpatched, lower_bound, c->extra_macs, macs) || lower_bound > best_total) {
            continue;
        }
        size_t total = plan_one(it, r, c, order);
        // A tie with the unpatched plan (best_extra still UINT64_MAX) stays unpatched.
        if (pays(unpatched, total, c->extra_macs, macs)
            && (total < best_total || (total == best_total && c->extra_macs < best_extra))) {
            best_total = total;
            best_extra = c->extra_macs;
            best = c->p;
            best_ops = c->ops;
        }
    }
    c->p = best;
    c->ops = best_ops;
    if (best_ops == 0) {
        return;
    }
    const int32_t out_h = c->windows[best_ops - 1].out_h;
    int32_t lo = 1, hi = out_h;  // lo is as small; find the highest such
    while (lo < hi) {
        c->p.rows = (uint16_t)(lo + (hi - lo + 1) / 2);
        size_bands(it, c);
        if (chain_floor(it, c) <= best_total && plan_one(it, r, c, order) <= best_total) {
            lo = c->p.rows;
        } else {
            hi = c->p.rows - 1;
        }
    }
    c->p.rows = (uint16_t)lo;
    c->p.bands = (uint16_t)((out_h + lo - 1) / lo);
    size_bands(it, c);
    c->p.extra_macs = c->extra_macs > UINT32_MAX ? UINT32_MAX : (uint32_t)c->extra_macs;
}

static uint32_t clamp32(size_t n) {
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

TML_COLD size_t tml_plan(const tml_interp_t *it, tml_plan_record_t *r, int *order, tml_patch_t *patch) {
    const tml_patch_t none = { 1, 0, 0, 0, 0, 0, 0 };
    chain_t chain;
    chain.p = none;
    chain.ops = 0;
    const size_t unpatched = plan_orders(it, r, NULL, order);
    const int unpatched_order = *order;
    const uint64_t macs = window_macs(it);
    size_t best = unpatched;
    if (unpatched != SIZE_MAX) {
        choose_patch(it, r, unpatched, unpatched_order, macs, &chain);
    }
    if (chain.ops > 0) {
        size_t patched = plan_orders(it, r, &chain, order);
        if (pays(unpatched, patched, chain.p.extra_macs, macs)) {
            best = patched;
        } else {
            chain.p = none;
            chain.ops = 0;
        }
    }
    if (chain.ops == 0) {
        *order = unpatched_order;
        prepare_records(it, r, NULL);
    }
    *patch = chain.p;
    patch->peak_before = clamp32(unpatched);
    patch->peak_after = clamp32(best);
    // The records hold another order's offsets: place the winner again.
    return best == SIZE_MAX ? best : place_all(it, r, *order);
}

TML_COLD size_t tml_plan_in(const tml_interp_t *it, tml_plan_record_t *r, int order, const tml_patch_t *patch) {
    chain_t chain;
    chain_of(it, patch, &chain);
    return plan_one(it, r, &chain, order >= 0 && order < PLAN_COUNT ? order : BY_SIZE);
}

TML_COLD uint32_t tml_plan_count(const tml_interp_t *it) {
    return tml_plan_records(it);
}

TML_COLD bool tml_plan_buffer(const tml_interp_t *it, const void *work, uint32_t i, tml_plan_buffer_t *b) {
    if (work == NULL || i >= tml_plan_records(it)) {
        return false;
    }
    const tml_plan_record_t *r = (const tml_plan_record_t *)work + i;
    bool tensor = i < it->n_tensors;
    b->size = r->size;
    b->offset = r->size > 0 ? r->offset : 0;
    b->first_node = r->first == TML_NO_NODE ? -1 : (int32_t)r->first;
    b->last_node = r->last == TML_NO_NODE ? -1 : (int32_t)r->last;
    b->shares = tensor && r->alias >= 0 ? root_of((const tml_plan_record_t *)work, (int32_t)i) : -1;
    b->gap = tensor && r->alias < -1 ? (int32_t)TML_PLAN_GAP(r->alias) : -1;
    return true;
}
