// The arena planner (tml_plan.c) on small graphs whose lifetimes and offsets
// can be worked out by hand. Each graph is a fake interpreter: tensors with a
// size and flags, nodes with input/output lists; no model, no ops.
//
// Build: cc -std=c99 -Wall -Wextra -Werror -Inative_module/engine
//        tests/engine/test_plan.c native_module/engine/tml_plan.c
#include "tml_internal.h"
#include "tml_test.h"

#define MAX_T 16
#define MAX_N 8

static const tml_op_t plain_op = { .builtin = 0 };
static const tml_op_t alias_op = { .builtin = 22, .flags = TML_OP_ALIAS };  // RESHAPE
static const tml_op_t inplace_op = { .builtin = 19, .flags = TML_OP_INPLACE };  // RELU

// A 1x1 convolution from 4x4x4 to 4x4x8, whose kernels write over their input in raster order.
static bool pointwise_window(const tml_interp_t *it, const tml_node_t *node, tml_window_shape_t *s) {
    (void)it;
    (void)node;
    *s = (tml_window_shape_t){
        .batches = 1, .in_h = 4, .in_w = 4, .in_c = 4, .out_h = 4, .out_w = 4, .out_c = 8,
        .filter_h = 1, .filter_w = 1, .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
    };
    return true;
}
static const tml_op_t window_op = { .builtin = 3, .window = pointwise_window };  // CONV_2D

typedef struct {
    tml_interp_t it;
    tml_tensor_t tensors[MAX_T];
    tml_node_t nodes[MAX_N];
    int32_t io[MAX_N][2][4];
    int32_t graph_in[4];
    int32_t graph_out[4];
    tml_plan_record_t rec[MAX_T + MAX_N];
} graph_t;

static void graph_init(graph_t *g, uint32_t n_tensors, const uint32_t *bytes) {
    memset(g, 0, sizeof(*g));
    g->it.n_tensors = n_tensors;
    g->it.tensors = g->tensors;
    g->it.nodes = g->nodes;
    g->it.graph_inputs = g->graph_in;
    g->it.graph_outputs = g->graph_out;
    for (uint32_t t = 0; t < n_tensors; t++) {
        g->tensors[t].bytes = bytes[t];
        g->tensors[t].type = TML_INT8;
    }
}

// Appends a node reading `ins` (-1 terminated) and writing `outs` (-1 terminated).
static void node(graph_t *g, const tml_op_t *op, const int32_t *ins, const int32_t *outs) {
    uint32_t n = g->it.n_nodes++;
    tml_node_t *nd = &g->nodes[n];
    nd->op = op;
    nd->inputs = g->io[n][0];
    nd->outputs = g->io[n][1];
    while (ins[nd->n_inputs] != -2) {
        g->io[n][0][nd->n_inputs] = ins[nd->n_inputs];
        nd->n_inputs++;
    }
    while (outs[nd->n_outputs] != -2) {
        g->io[n][1][nd->n_outputs] = outs[nd->n_outputs];
        nd->n_outputs++;
    }
}

#define IN(...) ((const int32_t[]){ __VA_ARGS__, -2 })
#define OUT(...) ((const int32_t[]){ __VA_ARGS__, -2 })

static void graph_io(graph_t *g, int32_t in, int32_t out) {
    g->graph_in[0] = in;
    g->graph_out[0] = out;
    g->it.n_inputs = 1;
    g->it.n_outputs = 1;
}

static size_t plan(graph_t *g) {
    int order;
    tml_patch_t patch;
    return tml_plan(&g->it, g->rec, &order, &patch);
}

#define CHECK_REC(g, i, size_, offset_, first_, last_) \
    do { \
        TEST_EQ_INT((g)->rec[i].size, size_); \
        TEST_EQ_INT((g)->rec[i].offset, offset_); \
        TEST_EQ_INT((g)->rec[i].first, first_); \
        TEST_EQ_INT((g)->rec[i].last, last_); \
    } while (0)

// t0 -> n0 -> t1 -> n1 -> t2 -> n2 -> t3.
// Lifetimes: t0 [0,0], t1 [0,1], t2 [1,2], t3 [2,2] (graph output: to the end).
// Largest first: t1 (200) at 0; t0 (104) meets t1 -> 200; t3 (104) meets only
// t2, not placed yet -> 0; t2 (56) meets t1 [0,200) and t3 [0,104) -> 200.
// Span: 304 bytes (holding all four at once would take 464).
TEST(chain_reuses_dead_buffers) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 104, 200, 56, 104 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2), OUT(3));
    graph_io(&g, 0, 3);
    TEST_EQ_INT(plan(&g), 304);
    CHECK_REC(&g, 0, 104, 200, 0, 0);
    CHECK_REC(&g, 1, 200, 0, 0, 1);
    CHECK_REC(&g, 2, 56, 200, 1, 2);
    CHECK_REC(&g, 3, 104, 0, 2, 2);
}

// Sizes round up to TML_ARENA_ALIGN (8); an empty tensor still gets 8 bytes.
TEST(sizes_round_up_to_the_alignment) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 1, 9, 0 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(1), OUT(2));
    graph_io(&g, 0, 2);
    // t1 (16) at 0; t0 (8) [0,0] meets t1 -> 16; t2 (8) [1,1] meets t1 -> 16.
    TEST_EQ_INT(plan(&g), 24);
    CHECK_REC(&g, 0, 8, 16, 0, 0);
    CHECK_REC(&g, 1, 16, 0, 0, 1);
    CHECK_REC(&g, 2, 8, 16, 1, 1);
}

// t0 feeds n0 (-> t1) and n1 (-> t2); n2 joins t1 and t2 into t3.
// Lifetimes: t0 [0,1], t1 [0,2], t2 [1,2], t3 [2,2]; all 32 bytes.
// t0 at 0; t1 meets t0 -> 32; t2 meets t0 and t1 -> 64; t3 meets t1 and t2,
// but t0 is dead by node 2 -> 0. Span 96.
TEST(branches_keep_both_sides_alive) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 32, 32, 32, 32 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(0), OUT(2));
    node(&g, &plain_op, IN(1, 2), OUT(3));
    graph_io(&g, 0, 3);
    TEST_EQ_INT(plan(&g), 96);
    CHECK_REC(&g, 0, 32, 0, 0, 1);
    CHECK_REC(&g, 1, 32, 32, 0, 2);
    CHECK_REC(&g, 2, 32, 64, 1, 2);
    CHECK_REC(&g, 3, 32, 0, 2, 2);
}

// Constants (weights in the model) and variables (persistent state) take no
// planned memory; absent optional inputs (-1) are ignored.
TEST(constants_variables_and_absent_inputs_are_not_planned) {
    graph_t g;
    graph_init(&g, 5, (const uint32_t[]){ 64, 4000, 48, 64, 3000 });
    g.tensors[1].flags = TML_TENSOR_CONST;
    g.tensors[4].flags = TML_TENSOR_VARIABLE;
    node(&g, &plain_op, IN(0, 1, -1), OUT(2));
    node(&g, &plain_op, IN(2, 4), OUT(3));
    graph_io(&g, 0, 3);
    // t0 (64) [0,0] at 0; t3 (64) [1,1] at 0; t2 (48) [0,1] meets both -> 64.
    TEST_EQ_INT(plan(&g), 112);
    CHECK_REC(&g, 0, 64, 0, 0, 0);
    CHECK_REC(&g, 1, 0, TML_UNPLACED, TML_NO_NODE, TML_NO_NODE);
    CHECK_REC(&g, 2, 48, 64, 0, 1);
    CHECK_REC(&g, 3, 64, 0, 1, 1);
    CHECK_REC(&g, 4, 0, TML_UNPLACED, TML_NO_NODE, TML_NO_NODE);
}

// A RESHAPE output shares its input's memory: the record has size 0 and
// alias = input, and the input's lifetime grows to cover the alias's readers.
// t0 -> n0 -> t1 (64) -> RESHAPE -> t2 (64) -> n2 -> t3 (16).
// t1 lives [0,2] (through t2); t0 (32) [0,0] meets t1 -> 64; t3 [2,2] meets t1 -> 64.
TEST(reshape_output_aliases_its_input) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 32, 64, 64, 16 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &alias_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2), OUT(3));
    graph_io(&g, 0, 3);
    TEST_EQ_INT(plan(&g), 96);
    TEST_EQ_INT(g.rec[2].alias, 1);
    TEST_EQ_INT(g.rec[2].size, 0);
    CHECK_REC(&g, 1, 64, 0, 0, 2);
    CHECK_REC(&g, 0, 32, 64, 0, 0);
    CHECK_REC(&g, 3, 16, 64, 2, 2);
}

// Two RESHAPEs in a row both end at the first buffer, which then lives until
// the last reader of the last alias.
TEST(alias_chains_resolve_to_the_root) {
    graph_t g;
    graph_init(&g, 5, (const uint32_t[]){ 40, 40, 40, 40, 8 });
    node(&g, &alias_op, IN(0), OUT(1));
    node(&g, &alias_op, IN(1), OUT(2));
    node(&g, &alias_op, IN(2), OUT(3));
    node(&g, &plain_op, IN(3), OUT(4));
    graph_io(&g, 0, 4);
    TEST_EQ_INT(plan(&g), 48);
    TEST_EQ_INT(g.rec[0].alias, -1);
    TEST_EQ_INT(g.rec[1].alias, 0);
    TEST_EQ_INT(g.rec[2].alias, 0);
    TEST_EQ_INT(g.rec[3].alias, 0);
    CHECK_REC(&g, 0, 40, 0, 0, 3);
    CHECK_REC(&g, 4, 8, 40, 3, 3);
}

// An ALIAS op whose output has a different byte size (a corrupt or unusual
// model) gets its own buffer instead.
TEST(alias_needs_equal_sizes) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 40, 24, 8 });
    node(&g, &alias_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(1), OUT(2));
    graph_io(&g, 0, 2);
    // t0 (40) [0,0] at 0; t1 (24) [0,1] -> 40; t2 (8) [1,1] meets t1 -> 0.
    TEST_EQ_INT(plan(&g), 64);
    TEST_EQ_INT(g.rec[1].alias, -1);
    CHECK_REC(&g, 1, 24, 40, 0, 1);
    CHECK_REC(&g, 2, 8, 0, 1, 1);
}

// Node scratch is a buffer alive during its node only: records n_tensors + i.
// t0 -> n0 (scratch 100 -> 104) -> t1 -> n1 (scratch 20 -> 24) -> t2, all 16.
// s0 (104) [0,0] at 0; s1 (24) [1,1] at 0; t0 (16) [0,0] meets s0 -> 104;
// t1 [0,1] meets s0, s1, t0 -> 120; t2 [1,1] meets s1 (0..24), t1 -> 24.
TEST(scratch_lives_during_its_node) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 16, 16, 16 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(1), OUT(2));
    g.nodes[0].scratch_bytes = 100;
    g.nodes[1].scratch_bytes = 20;
    graph_io(&g, 0, 2);
    TEST_EQ_INT(plan(&g), 136);
    CHECK_REC(&g, 3, 104, 0, 0, 0);
    CHECK_REC(&g, 4, 24, 0, 1, 1);
    CHECK_REC(&g, 0, 16, 104, 0, 0);
    CHECK_REC(&g, 1, 16, 120, 0, 1);
    CHECK_REC(&g, 2, 16, 24, 1, 1);
}

// A graph output written early lives to the end; a tensor nobody touches and a
// graph input read by nobody are handled (nothing / alive at node 0).
TEST(graph_outputs_live_to_the_end) {
    graph_t g;
    graph_init(&g, 5, (const uint32_t[]){ 8, 16, 8, 8, 999 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &plain_op, IN(0), OUT(2));
    node(&g, &plain_op, IN(2), OUT(3));
    g.graph_in[0] = 0;
    g.graph_out[0] = 1;
    g.graph_out[1] = 3;
    g.it.n_inputs = 1;
    g.it.n_outputs = 2;
    // t1 (16) [0,2] at 0; t0 [0,1] -> 16; t2 [1,2] -> 24; t3 [2,2] meets t1, t2 -> 16.
    TEST_EQ_INT(plan(&g), 32);
    CHECK_REC(&g, 1, 16, 0, 0, 2);
    CHECK_REC(&g, 0, 8, 16, 0, 1);
    CHECK_REC(&g, 2, 8, 24, 1, 2);
    CHECK_REC(&g, 3, 8, 16, 2, 2);
    CHECK_REC(&g, 4, 0, TML_UNPLACED, TML_NO_NODE, TML_NO_NODE);
}

// Ties in size keep model order, so the plan is the same on every run.
TEST(equal_sizes_place_in_model_order) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 8, 8, 8 });
    node(&g, &plain_op, IN(0, 1), OUT(2));
    g.graph_in[0] = 0;
    g.graph_in[1] = 1;
    g.graph_out[0] = 2;
    g.it.n_inputs = 2;
    g.it.n_outputs = 1;
    TEST_EQ_INT(plan(&g), 24);
    TEST_EQ_INT(g.rec[0].offset, 0);
    TEST_EQ_INT(g.rec[1].offset, 8);
    TEST_EQ_INT(g.rec[2].offset, 16);
}

// Buffers that cannot fit below 2 GB make the plan fail (SIZE_MAX) instead
// of wrapping offsets.
TEST(plans_past_2gb_fail) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 0x40000000u, 0x40000000u, 8 });
    node(&g, &plain_op, IN(0, 1), OUT(2));
    g.graph_in[0] = 0;
    g.graph_in[1] = 1;
    g.graph_out[0] = 2;
    g.it.n_inputs = 2;
    g.it.n_outputs = 1;
    TEST_CHECK(plan(&g) == SIZE_MAX);
}

// Offsets are 32-bit: a plan may end at 2 GB - 16 but not at 2 GB, and a buffer of 3 GB
// fails rather than wrapping.
TEST(plans_end_below_2gb) {
    graph_t g;
    graph_init(&g, 3, (const uint32_t[]){ 0x7ffffe00u, 0x100, 0xf0 });
    node(&g, &plain_op, IN(0, 1), OUT(2));
    g.graph_in[0] = 0;
    g.graph_in[1] = 1;
    g.graph_out[0] = 2;
    g.it.n_inputs = 2;
    g.it.n_outputs = 1;
    TEST_EQ_INT(plan(&g), 0x7ffffff0);
    CHECK_REC(&g, 2, 0xf0, 0x7fffff00, 0, 0);
    g.tensors[2].bytes = 0x100;
    TEST_CHECK(plan(&g) == SIZE_MAX);
    g.tensors[0].bytes = 0xc0000000u;
    g.tensors[2].bytes = 0xf0;
    TEST_CHECK(plan(&g) == SIZE_MAX);
}

// No nodes: graph inputs that are also outputs still get memory.
TEST(empty_graph_keeps_io_buffers) {
    graph_t g;
    graph_init(&g, 1, (const uint32_t[]){ 12 });
    graph_io(&g, 0, 0);
    TEST_EQ_INT(plan(&g), 16);
    CHECK_REC(&g, 0, 16, 0, 0, 0);
}

// Largest first leaves a hole here: t4 (40) at 0, then t0, t2, t3 (32) stack up to 80
// around the long-lived skip t5. Placing the longest-lived first (t5, t1, t2, t3 ...)
// reaches 72, the most ever live at once (node 2: t2 + t3 + t5), and the planner keeps it.
// t0 -> n0 -> t1, t5; t1 -> n1 -> t2; t2, t5 -> n2 -> t3; t3 -> n3 -> t4.
TEST(several_orders_keep_the_smallest) {
    graph_t g;
    graph_init(&g, 6, (const uint32_t[]){ 32, 8, 32, 32, 40, 8 });
    node(&g, &plain_op, IN(0), OUT(1, 5));
    node(&g, &plain_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2, 5), OUT(3));
    node(&g, &plain_op, IN(3), OUT(4));
    graph_io(&g, 0, 4);
    TEST_EQ_INT(plan(&g), 72);
    for (int a = 0; a < 6; a++) {
        for (int b = a + 1; b < 6; b++) {
            const tml_plan_record_t *x = &g.rec[a], *y = &g.rec[b];
            bool together = x->first <= y->last && y->first <= x->last;
            bool apart = x->offset + x->size <= y->offset || y->offset + y->size <= x->offset;
            TEST_CHECK(!together || apart);
        }
    }
}

// t0 -> n0 -> t1 -> n1 (in place) -> t2 -> n2 -> t3: n1 is t1's last reader, so t2 takes
// t1's memory, which now lives [0,2]; 64 + 64 bytes instead of three buffers at n1.
TEST(in_place_output_takes_its_dying_input) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 64, 64, 64, 64 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &inplace_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2), OUT(3));
    graph_io(&g, 0, 3);
    TEST_EQ_INT(plan(&g), 128);
    TEST_EQ_INT(g.rec[2].size, 0);
    TEST_EQ_INT(g.rec[2].alias, 1);
    TEST_EQ_INT(g.rec[1].first, 0);
    TEST_EQ_INT(g.rec[1].last, 2);
}

// Not in place: t1 is read again after n1 (by n2), and t0 is the graph input.
TEST(in_place_needs_the_last_reader_and_no_graph_io) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 64, 64, 64, 64 });
    node(&g, &inplace_op, IN(0), OUT(1));
    node(&g, &inplace_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(1, 2), OUT(3));
    graph_io(&g, 0, 3);
    plan(&g);
    TEST_EQ_INT(g.rec[1].alias, -1);
    TEST_EQ_INT(g.rec[2].alias, -1);
    TEST_CHECK(g.rec[1].size == 64 && g.rec[2].size == 64);
}

// t0 -> n0 -> t1 -> n1 (1x1 conv, 4 to 8 channels) -> t2 -> n2 -> t3. The conv's last pair
// writes 128 bytes, all but the last while reading its input from byte 56: gap 71, 72 aligned.
// Largest first: t2 (128) at 0; t1 (64) may lie over t2 from 72 on -> 72; t0 (64) meets only
// t1 -> 0; t3 (8) meets t2 -> 128. Span 136 where the pair alone took 192.
TEST(convolution_output_lies_over_its_dying_input) {
    graph_t g;
    graph_init(&g, 4, (const uint32_t[]){ 64, 64, 128, 8 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &window_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2), OUT(3));
    graph_io(&g, 0, 3);
    tml_window_shape_t pointwise;
    TEST_CHECK(pointwise_window(NULL, NULL, &pointwise));
    TEST_EQ_INT(tml_plan_window_gap(&pointwise), 71);
    TEST_EQ_INT(plan(&g), 136);
    CHECK_REC(&g, 1, 64, 72, 0, 1);
    CHECK_REC(&g, 2, 128, 0, 1, 2);
    TEST_EQ_INT(TML_PLAN_GAP(g.rec[2].alias), 72);
    CHECK_REC(&g, 0, 64, 0, 0, 0);
    CHECK_REC(&g, 3, 8, 128, 2, 2);
}

// The same convolution on the graph's input, or on a tensor read later: no overlap.
TEST(convolution_keeps_graph_inputs_and_live_tensors) {
    graph_t g;
    graph_init(&g, 2, (const uint32_t[]){ 64, 128 });
    node(&g, &window_op, IN(0), OUT(1));
    graph_io(&g, 0, 1);
    TEST_EQ_INT(plan(&g), 192);
    TEST_EQ_INT(TML_PLAN_GAP(g.rec[1].alias), 0);
    graph_init(&g, 4, (const uint32_t[]){ 64, 64, 128, 8 });
    node(&g, &plain_op, IN(0), OUT(1));
    node(&g, &window_op, IN(1), OUT(2));
    node(&g, &plain_op, IN(2, 1), OUT(3));
    graph_io(&g, 0, 3);
    TEST_EQ_INT(plan(&g), 200);
    TEST_EQ_INT(TML_PLAN_GAP(g.rec[2].alias), 0);
}

int main(void) {
    RUN_TEST(chain_reuses_dead_buffers);
    RUN_TEST(sizes_round_up_to_the_alignment);
    RUN_TEST(branches_keep_both_sides_alive);
    RUN_TEST(constants_variables_and_absent_inputs_are_not_planned);
    RUN_TEST(reshape_output_aliases_its_input);
    RUN_TEST(alias_chains_resolve_to_the_root);
    RUN_TEST(alias_needs_equal_sizes);
    RUN_TEST(scratch_lives_during_its_node);
    RUN_TEST(graph_outputs_live_to_the_end);
    RUN_TEST(equal_sizes_place_in_model_order);
    RUN_TEST(plans_past_2gb_fail);
    RUN_TEST(plans_end_below_2gb);
    RUN_TEST(empty_graph_keeps_io_buffers);
    RUN_TEST(several_orders_keep_the_smallest);
    RUN_TEST(in_place_output_takes_its_dying_input);
    RUN_TEST(in_place_needs_the_last_reader_and_no_graph_io);
    RUN_TEST(convolution_output_lies_over_its_dying_input);
    RUN_TEST(convolution_keeps_graph_inputs_and_live_tensors);
    return test_report();
}
