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
// input's memory, and buffers are aligned to TML_ARENA_ALIGN, not 16.
#include "tml_internal.h"

static uint32_t align_up(uint32_t n) {
    return (n + (TML_ARENA_ALIGN - 1)) & ~(uint32_t)(TML_ARENA_ALIGN - 1);
}

static int32_t root_of(const tml_plan_record_t *r, int32_t t) {
    while (r[t].alias >= 0) {
        t = r[t].alias;
    }
    return t;
}

static void touch(tml_plan_record_t *r, int32_t t, int32_t when) {
    if (r[t].first == TML_NO_NODE || when < r[t].first) {
        r[t].first = (uint16_t)when;
    }
    if (r[t].last == TML_NO_NODE || when > r[t].last) {
        r[t].last = (uint16_t)when;
    }
}

static bool planned(const tml_interp_t *it, int32_t t) {
    return t >= 0 && (uint32_t)t < it->n_tensors
           && !(it->tensors[t].flags & (TML_TENSOR_CONST | TML_TENSOR_VARIABLE | TML_TENSOR_DEFERRED));
}

static void compute_lifetimes(const tml_interp_t *it, tml_plan_record_t *r) {
    uint32_t nt = it->n_tensors;
    int32_t end = it->n_nodes > 0 ? (int32_t)it->n_nodes - 1 : 0;
    for (uint32_t i = 0; i < tml_plan_records(it); i++) {
        r[i].size = 0;
        r[i].offset = TML_UNPLACED;
        r[i].first = TML_NO_NODE;
        r[i].last = TML_NO_NODE;
        r[i].alias = -1;
    }
    for (uint32_t i = 0; i < it->n_inputs; i++) {
        if (planned(it, it->graph_inputs[i])) {
            touch(r, it->graph_inputs[i], 0);
        }
    }
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        for (uint32_t i = 0; i < node->n_inputs; i++) {
            if (planned(it, node->inputs[i])) {
                touch(r, node->inputs[i], (int32_t)n);
            }
        }
        for (uint32_t i = 0; i < node->n_outputs; i++) {
            if (planned(it, node->outputs[i])) {
                touch(r, node->outputs[i], (int32_t)n);
            }
        }
        if (node->op != NULL && (node->op->flags & TML_OP_ALIAS) && node->n_inputs >= 1
            && node->n_outputs >= 1 && planned(it, node->inputs[0]) && planned(it, node->outputs[0])
            && it->tensors[node->inputs[0]].bytes == it->tensors[node->outputs[0]].bytes
            && node->inputs[0] != node->outputs[0]
            && r[node->outputs[0]].alias < 0
            && root_of(r, node->inputs[0]) != node->outputs[0]) {
            r[node->outputs[0]].alias = root_of(r, node->inputs[0]);
        }
        if (node->scratch_bytes > 0) {
            r[nt + n].size = align_up(node->scratch_bytes);
            r[nt + n].first = (uint16_t)n;
            r[nt + n].last = (uint16_t)n;
        }
    }
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        if (planned(it, it->graph_outputs[i])) {
            touch(r, it->graph_outputs[i], end);
        }
    }
    for (uint32_t t = 0; t < nt; t++) {
        if (!planned(it, (int32_t)t) || r[t].first == TML_NO_NODE) {
            continue;
        }
        if (r[t].alias >= 0) {
            // The shared memory must live as long as every tensor using it.
            int32_t root = root_of(r, (int32_t)t);
            touch(r, root, r[t].first);
            touch(r, root, r[t].last);
        } else {
            r[t].size = align_up(it->tensors[t].bytes);
            if (r[t].size == 0) {
                r[t].size = TML_ARENA_ALIGN;
            }
        }
    }
}

static bool is_graph_io(const tml_interp_t *it, const tml_plan_record_t *r, int32_t root) {
    for (uint32_t i = 0; i < it->n_inputs; i++) {
        if (planned(it, it->graph_inputs[i]) && root_of(r, it->graph_inputs[i]) == root) {
            return true;
        }
    }
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        if (planned(it, it->graph_outputs[i]) && root_of(r, it->graph_outputs[i]) == root) {
            return true;
        }
    }
    return false;
}

// Where an op may write over its input (TML_OP_INPLACE) and is that memory's last reader,
// its output takes the input's memory: the two never need to exist side by side. Graph
// inputs and outputs keep their own memory (the caller reads and writes them).
static void share_in_place(const tml_interp_t *it, tml_plan_record_t *r) {
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        if (node->op == NULL || !(node->op->flags & TML_OP_INPLACE) || node->n_inputs < 1
            || node->n_outputs < 1) {
            continue;
        }
        int32_t in = node->inputs[0], out = node->outputs[0];
        if (!planned(it, in) || !planned(it, out) || in == out || r[out].alias >= 0
            || r[out].first != n || it->tensors[in].bytes != it->tensors[out].bytes
            || it->tensors[in].type != it->tensors[out].type) {
            continue;
        }
        int32_t root = root_of(r, in);
        if (root == out || r[root].last != n || is_graph_io(it, r, root) || is_graph_io(it, r, out)) {
            continue;
        }
        r[out].alias = root;
        r[out].size = 0;
        touch(r, root, r[out].first);
        touch(r, root, r[out].last);
    }
}

static bool overlap_in_time(const tml_plan_record_t *a, const tml_plan_record_t *b) {
    return a->first <= b->last && b->first <= a->last;
}

// Records living longer than this many nodes are kept in one list that every placement
// checks; shorter ones are found through the node they start at, so a placement looks only
// at the records alive near its own lifetime and a long graph plans in linear time.
#define SHORT_LIFE 32

typedef struct {
    tml_plan_record_t *r;
    int32_t n_nodes;   // buckets: records[n_tensors + node].alias
    uint32_t n_tensors;
    int32_t long_lived;  // list of placed long-lived records, -1 when empty
} placed_t;

// Moves *candidate past every record of the list from `i` that clashes with rec.
static bool push_past(const tml_plan_record_t *r, int32_t i, const tml_plan_record_t *rec, uint64_t *candidate) {
    bool moved = false;
    for (; i >= 0; i = r[i].next) {
        const tml_plan_record_t *p = &r[i];
        if (overlap_in_time(p, rec) && *candidate < p->offset + p->size && p->offset < *candidate + rec->size) {
            *candidate = (uint64_t)p->offset + p->size;
            moved = true;
        }
    }
    return moved;
}

// Lowest offset where rec fits among the placed records it meets in time (greedy, as TFLite
// Micro's planner), or TML_UNPLACED past 2 GB (a corrupt or absurd model).
static uint32_t lowest_free_offset(const placed_t *pl, const tml_plan_record_t *rec) {
    uint64_t candidate = 0;
    int32_t from = rec->first - SHORT_LIFE > 0 ? rec->first - SHORT_LIFE : 0;
    int32_t to = rec->last < pl->n_nodes - 1 ? rec->last : pl->n_nodes - 1;
    bool moved = true;
    while (moved) {
        moved = push_past(pl->r, pl->long_lived, rec, &candidate);
        for (int32_t n = from; n <= to; n++) {
            moved |= push_past(pl->r, pl->r[pl->n_tensors + (uint32_t)n].alias, rec, &candidate);
        }
        if (candidate + rec->size > INT32_MAX) {
            return TML_UNPLACED;
        }
    }
    return (uint32_t)candidate;
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
    ORDER_COUNT
};

static uint64_t order_key(const tml_plan_record_t *r, int order) {
    uint64_t life = (uint64_t)(r->last - r->first) + 1;
    switch (order) {
        case BY_AREA:
            return life * r->size;
        case BY_LIFETIME:
            return life << 32 | r->size;
        case BY_START:
            return (uint64_t)(TML_NO_NODE - r->first) << 32 | r->size;
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
        if (i >= it->n_tensors) {
            r[i].alias = -1;
        }
        if (r[i].size > 0) {
            r[i].next = head;
            head = (int32_t)i;
        }
    }
    head = sort_by_key(r, head, order);
    placed_t pl = { r, (int32_t)it->n_nodes, it->n_tensors, -1 };
    size_t total = 0;
    while (head >= 0) {
        int32_t i = head;
        head = r[i].next;
        r[i].offset = lowest_free_offset(&pl, &r[i]);
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

size_t tml_plan(const tml_interp_t *it, tml_plan_record_t *r, int *order) {
    compute_lifetimes(it, r);
    share_in_place(it, r);
    size_t best = SIZE_MAX;
    int best_order = 0;
    for (int o = 0; o < ORDER_COUNT; o++) {
        size_t total = place_all(it, r, o);
        if (total < best) {
            best = total;
            best_order = o;
        }
    }
    *order = best_order;
    // The records hold the last order's offsets: place the winner again unless it was last.
    return best_order == ORDER_COUNT - 1 ? best : place_all(it, r, best_order);
}

size_t tml_plan_in(const tml_interp_t *it, tml_plan_record_t *r, int order) {
    compute_lifetimes(it, r);
    share_in_place(it, r);
    return place_all(it, r, order >= 0 && order < ORDER_COUNT ? order : BY_SIZE);
}

uint32_t tml_plan_count(const tml_interp_t *it) {
    return tml_plan_records(it);
}

bool tml_plan_buffer(const tml_interp_t *it, const void *work, uint32_t i, tml_plan_buffer_t *b) {
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
    return true;
}
