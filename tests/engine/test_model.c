// Loading, sizing and running a model built here, byte by byte, and the exact
// status and message for each way the bytes can be wrong: too short, bad
// identifier, misaligned, wrong schema version, offsets out of range,
// unsupported ops and shapes, arenas too small.
//
// The model is one ADD: t2 = t0 (graph input, float32 [1, 4]) + t1 (constant
// {1, 2, 3, 4}), written with a tiny forward-only flatbuffer builder so each
// test knows where every field is.
//
// Build: cc -std=c99 -Wall -Wextra -Werror -Inative_module/engine -Itests/engine
//        tests/engine/test_model.c native_module/engine/*.c native_module/engine/ops/*.c
//        native_module/engine/kernels/ref/*.c
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tml.h"
#include "tml_builtins.h"
#include "tml_op.h"
#include "tml_test.h"

// ---- a forward-only flatbuffer builder -----------------------------------------------------

#define MODEL_CAP 2048

typedef struct {
    uint8_t *b;
    uint32_t len;
} fbb_t;

static uint64_t storage[MODEL_CAP / 8];
static uint64_t scratch_storage[MODEL_CAP / 8 + 1];

static void pad_to(fbb_t *f, uint32_t align) {
    while (f->len % align) {
        f->b[f->len++] = 0;
    }
}

static void set32(fbb_t *f, uint32_t pos, uint32_t v) {
    f->b[pos] = (uint8_t)v;
    f->b[pos + 1] = (uint8_t)(v >> 8);
    f->b[pos + 2] = (uint8_t)(v >> 16);
    f->b[pos + 3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const fbb_t *f, uint32_t pos) {
    return (uint32_t)f->b[pos] | ((uint32_t)f->b[pos + 1] << 8) | ((uint32_t)f->b[pos + 2] << 16)
           | ((uint32_t)f->b[pos + 3] << 24);
}

// Makes the uoffset at pos point at target (which must come later).
static void set_ref(fbb_t *f, uint32_t pos, uint32_t target) {
    set32(f, pos, target - pos);
}

// A table with n fields; size[i] is 0 for an absent field, else 1, 4 or 8.
// Every present field gets a 4-byte slot (8 for 8-byte fields); pos[i] is the
// field's position (0 when absent). Returns the table's position.
static uint32_t table(fbb_t *f, int n, const uint8_t *size, uint32_t *pos) {
    uint32_t slot[16], tsize = 4;
    for (int i = 0; i < n; i++) {
        slot[i] = size[i] ? tsize : 0;
        tsize += size[i] == 0 ? 0 : (size[i] == 8 ? 8 : 4);
    }
    pad_to(f, 4);
    uint32_t vt = f->len, vsize = 4 + 2 * (uint32_t)n;
    f->b[f->len++] = (uint8_t)vsize;
    f->b[f->len++] = (uint8_t)(vsize >> 8);
    f->b[f->len++] = (uint8_t)tsize;
    f->b[f->len++] = (uint8_t)(tsize >> 8);
    for (int i = 0; i < n; i++) {
        f->b[f->len++] = (uint8_t)slot[i];
        f->b[f->len++] = (uint8_t)(slot[i] >> 8);
    }
    pad_to(f, 4);
    uint32_t t = f->len;
    set32(f, t, t - vt);  // soffset: vtable = table - soffset
    memset(f->b + t + 4, 0, tsize - 4);
    f->len += tsize;
    for (int i = 0; i < n; i++) {
        pos[i] = size[i] ? t + slot[i] : 0;
    }
    return t;
}

// A vector of count elements of elem bytes (zeroed); returns the position of
// its length word (what a uoffset points at).
static uint32_t vector(fbb_t *f, uint32_t count, uint32_t elem) {
    pad_to(f, 4);
    uint32_t v = f->len;
    set32(f, v, count);
    memset(f->b + v + 4, 0, count * elem);
    f->len += 4 + count * elem;
    return v;
}

static uint32_t int_vector(fbb_t *f, uint32_t count, const int32_t *values) {
    uint32_t v = vector(f, count, 4);
    for (uint32_t i = 0; i < count; i++) {
        set32(f, v + 4 + 4 * i, (uint32_t)values[i]);
    }
    return v;
}

// ---- the test model --------------------------------------------------------------------------

typedef struct {
    int32_t schema_version;
    int32_t builtin;        // 0 = ADD
    int32_t op_version;
    const char *custom;     // custom op name (builtin 32) or NULL
    uint32_t ndim;          // rank of t0 and t2 (shape 1, 4, 1, 1, ...)
    int32_t dim1;           // second dimension of t0 and t2
    int32_t op_input1;      // tensor index the ADD reads as its second input
    bool external;          // the constant's bytes sit after the flatbuffer (offset/size fields)
    uint64_t bad_offset;    // with external: this offset instead of the real one (0: real)
} spec_t;

// Positions of the fields the tests corrupt.
typedef struct {
    uint32_t len;
    uint32_t model_version, model_subgraphs, model_buffers;
    uint32_t subgraph_inputs_vec, subgraph_tensors_vec;
    uint32_t t0_shape, t0_type, t1_buffer;
    uint32_t op_opcode_index, op_inputs_vec;
    uint32_t data_vec;
} where_t;

static const spec_t base = { 3, 0, 1, NULL, 2, 4, 1, false, 0 };

static uint8_t *model_bytes(void) {
    return (uint8_t *)storage;
}

static where_t build(const spec_t *s) {
    fbb_t f = { model_bytes(), 0 };
    where_t w;
    uint32_t p[8], q[8];
    memset(f.b, 0, MODEL_CAP);
    f.len = 8;
    memcpy(f.b + 4, "TFL3", 4);

    // Model: version, operator_codes, subgraphs, description (absent), buffers.
    uint32_t model = table(&f, 5, (const uint8_t[]){ 4, 4, 4, 0, 4 }, p);
    set_ref(&f, 0, model);
    set32(&f, p[0], (uint32_t)s->schema_version);
    w.model_version = p[0];
    w.model_subgraphs = p[2];
    w.model_buffers = p[4];
    uint32_t model_buffers = p[4];

    // operator_codes: one OperatorCode (deprecated_builtin_code, custom_code, version, builtin_code).
    uint32_t codes = vector(&f, 1, 4);
    set_ref(&f, p[1], codes);
    uint32_t code = table(&f, 4, (const uint8_t[]){ 1, s->custom ? 4 : 0, 4, 4 }, q);
    set_ref(&f, codes + 4, code);
    f.b[q[0]] = (uint8_t)(s->builtin < 127 ? s->builtin : 127);
    set32(&f, q[2], (uint32_t)s->op_version);
    set32(&f, q[3], (uint32_t)s->builtin);
    if (s->custom) {
        uint32_t n = (uint32_t)strlen(s->custom);
        uint32_t str = vector(&f, n, 1);
        memcpy(f.b + str + 4, s->custom, n);
        f.b[f.len++] = 0;
        set_ref(&f, q[1], str);
    }

    // subgraphs: one SubGraph (tensors, inputs, outputs, operators).
    uint32_t subgraphs = vector(&f, 1, 4);
    set_ref(&f, p[2], subgraphs);
    uint32_t sg[4];
    uint32_t subgraph = table(&f, 4, (const uint8_t[]){ 4, 4, 4, 4 }, sg);
    set_ref(&f, subgraphs + 4, subgraph);

    // tensors: Tensor (shape, type, buffer); t0 and t2 float32 [1, dim1, 1...], t1 [4] const.
    uint32_t tensors = vector(&f, 3, 4);
    w.subgraph_tensors_vec = tensors;
    set_ref(&f, sg[0], tensors);
    for (uint32_t t = 0; t < 3; t++) {
        uint32_t tp[3];
        uint32_t tt = table(&f, 3, (const uint8_t[]){ 4, 1, 4 }, tp);
        set_ref(&f, tensors + 4 + 4 * t, tt);
        int32_t dims[8] = { 1, s->dim1, 1, 1, 1, 1, 1, 1 };
        uint32_t shape = t == 1 ? int_vector(&f, 1, (const int32_t[]){ 4 }) : int_vector(&f, s->ndim, dims);
        set_ref(&f, tp[0], shape);
        f.b[tp[1]] = TML_FLOAT32;
        set32(&f, tp[2], t == 1 ? 1 : 0);
        if (t == 0) {
            w.t0_shape = tp[0];
            w.t0_type = tp[1];
        }
        if (t == 1) {
            w.t1_buffer = tp[2];
        }
    }
    w.subgraph_inputs_vec = int_vector(&f, 1, (const int32_t[]){ 0 });
    set_ref(&f, sg[1], w.subgraph_inputs_vec);
    set_ref(&f, sg[2], int_vector(&f, 1, (const int32_t[]){ 2 }));

    // operators: one Operator (opcode_index, inputs, outputs).
    uint32_t ops = vector(&f, 1, 4);
    set_ref(&f, sg[3], ops);
    uint32_t op = table(&f, 3, (const uint8_t[]){ 4, 4, 4 }, q);
    set_ref(&f, ops + 4, op);
    w.op_opcode_index = q[0];
    w.op_inputs_vec = int_vector(&f, 2, (const int32_t[]){ 0, s->op_input1 });
    set_ref(&f, q[1], w.op_inputs_vec);
    set_ref(&f, q[2], int_vector(&f, 1, (const int32_t[]){ 2 }));

    // buffers: [0] empty (TFLite's convention), [1] the constant's four floats, last in the file.
    uint32_t buffers = vector(&f, 2, 4);
    set_ref(&f, model_buffers, buffers);
    uint32_t b0 = table(&f, 1, (const uint8_t[]){ 0 }, q);
    set_ref(&f, buffers + 4, b0);
    const float c[4] = { 1.0f, 2.0f, 3.0f, 4.0f };
    if (s->external) {
        // Buffer (data absent, offset, size): the layout converters use for models over 2 GB.
        uint32_t b1 = table(&f, 3, (const uint8_t[]){ 0, 8, 8 }, q);
        set_ref(&f, buffers + 8, b1);
        pad_to(&f, 16);
        uint64_t offset = s->bad_offset ? s->bad_offset : f.len;
        set32(&f, q[1], (uint32_t)offset);
        set32(&f, q[1] + 4, (uint32_t)(offset >> 32));
        set32(&f, q[2], sizeof(c));
        w.data_vec = f.len - 4;
        memcpy(f.b + f.len, c, sizeof(c));
        f.len += sizeof(c);
    } else {
        uint32_t b1 = table(&f, 1, (const uint8_t[]){ 4 }, q);
        set_ref(&f, buffers + 8, b1);
        w.data_vec = vector(&f, 16, 1);
        set_ref(&f, q[0], w.data_vec);
        memcpy(f.b + w.data_vec + 4, c, sizeof(c));
    }
    w.len = f.len;
    return w;
}

// ---- running it ----------------------------------------------------------------------------

static uint64_t work_mem[4096];
static uint64_t arena_mem[4096];

static tml_status_t load(tml_interp_t *it, uint32_t len) {
    return tml_load(it, model_bytes(), len);
}

// load + arena_size + init + invoke; stops at the first failure.
static tml_status_t run_all(tml_interp_t *it, const void *model, uint32_t len) {
    size_t needed = 0;
    tml_status_t st = tml_load(it, model, len);
    if (st == TML_OK) {
        if (tml_work_size(it) > sizeof(work_mem)) {
            return TML_ERR_ARENA;
        }
        st = tml_arena_size(it, work_mem, sizeof(work_mem), &needed);
    }
    if (st == TML_OK) {
        st = tml_init(it, arena_mem, needed <= sizeof(arena_mem) ? needed : sizeof(arena_mem));
    }
    if (st == TML_OK) {
        for (uint32_t i = 0; tml_input(it, i) != NULL; i++) {
            memset(tml_input(it, i)->data, 0, tml_input(it, i)->bytes);
        }
        st = tml_invoke(it);
    }
    return st;
}

#define CHECK_FAILS(st_, status, msg) \
    do { \
        TEST_EQ_INT(st_, status); \
        TEST_EQ_STR(it.err_msg, msg); \
        TEST_EQ_INT(it.err_len, strlen(msg)); \
    } while (0)

// The engine's one message formatter: each conversion it knows, %% and a message cut at the
// buffer's end (err_len says how much is kept).
TEST(messages_format_their_arguments) {
    tml_interp_t it;
    memset(&it, 0, sizeof(it));
    it.err_node = -1;
    TEST_EQ_INT(tml_failf(&it, TML_ERR_MODEL, "%s %d, %zu, %lld: 100%%", "axis", -3, (size_t)7, -9000000000LL),
        TML_ERR_MODEL);
    TEST_EQ_STR(it.err_msg, "axis -3, 7, -9000000000: 100%");
    TEST_EQ_INT(it.err_len, strlen(it.err_msg));
    char long_text[3 * TML_ERR_MSG_LEN];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    tml_failf(&it, TML_ERR_MODEL, "%s%d", long_text, 5);
    TEST_EQ_INT(it.err_len, TML_ERR_MSG_LEN - 1);
    TEST_EQ_INT(strlen(it.err_msg), TML_ERR_MSG_LEN - 1);
}

TEST(valid_model_runs) {
    where_t w = build(&base);
    tml_interp_t it;
    size_t needed = 0;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    TEST_EQ_INT(it.n_tensors, 3);
    TEST_EQ_INT(it.n_nodes, 1);
    TEST_EQ_INT(it.n_inputs, 1);
    TEST_EQ_INT(it.n_outputs, 1);
    TEST_EQ_INT(tml_arena_size(&it, work_mem, tml_work_size(&it), &needed), TML_OK);
    TEST_EQ_INT(needed, it.arena_needed);
    TEST_EQ_INT(needed % 8, 0);
    TEST_EQ_INT(tml_init(&it, arena_mem, needed), TML_OK);
    tml_tensor_t *in = tml_input(&it, 0), *out = tml_output(&it, 0);
    TEST_CHECK(in != NULL && out != NULL);
    TEST_CHECK(tml_input(&it, 1) == NULL && tml_output(&it, 1) == NULL);
    TEST_EQ_INT(in->bytes, 16);
    TEST_EQ_INT(in->type, TML_FLOAT32);
    // Input and output are alive at once: they cannot share memory.
    TEST_CHECK(in->data + in->bytes <= out->data || out->data + out->bytes <= in->data);
    const float x[4] = { 10.0f, 20.0f, 30.0f, 40.0f };
    memcpy(in->data, x, sizeof(x));
    TEST_EQ_INT(tml_invoke(&it), TML_OK);
    float y[4];
    memcpy(y, out->data, sizeof(y));
    TEST_CHECK(y[0] == 11.0f && y[1] == 22.0f && y[2] == 33.0f && y[3] == 44.0f);
    TEST_EQ_STR(tml_node_name(&it, 0), "ADD");
    TEST_CHECK(tml_node_name(&it, 1) == NULL);
}

// A read past the end of a subgraph is refused and leaves the interpreter on its main graph,
// as every other subgraph read does.
TEST(subgraph_read_past_its_end_keeps_the_main_graph) {
    where_t w = build(&base);
    tml_interp_t it;
    TEST_EQ_INT(run_all(&it, model_bytes(), w.len), TML_OK);
    TEST_CHECK(it.nodes != NULL);
    const tml_interp_t before = it;
    tml_node_t node;
    tml_tensor_t tensor;
    TEST_EQ_INT(tml_subgraph_node(&it, 0, 0, &node), TML_OK);
    CHECK_FAILS(tml_subgraph_node(&it, 0, 1, &node), TML_ERR_MODEL, "subgraph 0 is corrupt");
    CHECK_FAILS(tml_subgraph_tensor(&it, 0, 3, &tensor), TML_ERR_MODEL, "subgraph 0 is corrupt");
    TEST_CHECK(it.nodes == before.nodes && it.n_nodes == before.n_nodes && it.n_tensors == before.n_tensors);
    TEST_CHECK(it.tensors_vec == before.tensors_vec && it.operators_vec == before.operators_vec);
}

// A caller's writes into the engine's tables (the arena from tables_offset on) are refused at
// the next check, whatever they are: here the top bytes of two words, the change a plain
// word-wise FNV-1a digest misses for one value in 255 (a multiply carries differences only
// upwards), so one value of the second byte would have gone unnoticed.
TEST(writes_into_the_tables_are_refused) {
    where_t w = build(&base);
    tml_interp_t it;
    size_t needed = 0;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    TEST_EQ_INT(tml_arena_size(&it, work_mem, tml_work_size(&it), &needed), TML_OK);
    TEST_EQ_INT(tml_init(&it, arena_mem, needed), TML_OK);
    TEST_EQ_INT(tml_invoke(&it), TML_OK);
    uint8_t *bytes = (uint8_t *)arena_mem;
    uint8_t *first = bytes + it.tables_offset + 3, *last = bytes + needed - 1;
    TEST_CHECK(first < last);
    for (unsigned flip = 1; flip < 256; flip++) {
        *first ^= 0x01;
        *last ^= (uint8_t)flip;
        TEST_EQ_INT(tml_check_unchanged(&it), TML_ERR_ARG);
        *first ^= 0x01;
        *last ^= (uint8_t)flip;
    }
    TEST_EQ_INT(tml_check_unchanged(&it), TML_OK);
    TEST_EQ_INT(tml_invoke(&it), TML_OK);
}

TEST(init_without_arena_size_measures_in_the_arena) {
    where_t w = build(&base);
    tml_interp_t it;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    TEST_EQ_INT(tml_init(&it, arena_mem, sizeof(arena_mem)), TML_OK);
    TEST_CHECK(it.arena_needed > 0 && it.arena_needed <= sizeof(arena_mem));
    TEST_EQ_INT(tml_invoke(&it), TML_OK);
}

TEST(too_short_is_a_model_error) {
    build(&base);
    tml_interp_t it;
    CHECK_FAILS(load(&it, 7), TML_ERR_MODEL, "model too short for a .tflite file");
    CHECK_FAILS(tml_load(&it, NULL, 100), TML_ERR_MODEL, "model too short for a .tflite file");
}

TEST(bad_identifier_is_a_model_error) {
    where_t w = build(&base);
    tml_interp_t it;
    model_bytes()[7] = '2';
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "not a .tflite model (no TFL3 identifier)");
}

TEST(misaligned_model_is_an_argument_error) {
    where_t w = build(&base);
    tml_interp_t it;
    uint8_t *odd = (uint8_t *)scratch_storage + 1;
    memcpy(odd, model_bytes(), w.len);
    CHECK_FAILS(tml_load(&it, odd, w.len), TML_ERR_ARG, "model buffer must be 4-byte aligned");
}

TEST(wrong_schema_version_is_unsupported) {
    spec_t s = base;
    s.schema_version = 2;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "model schema version 2 not supported (expected 3)");
}

TEST(root_offset_past_the_end_is_corrupt) {
    where_t w = build(&base);
    tml_interp_t it;
    set32(&(fbb_t){ model_bytes(), 0 }, 0, w.len);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model header is corrupt");
    set32(&(fbb_t){ model_bytes(), 0 }, 0, 0xfffffff0u);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model header is corrupt");
}

TEST(vtable_offset_out_of_range_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    uint32_t root = get32(&f, 0);
    set32(&f, root, 0x7ffffff0u);  // vtable far before the buffer
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model header is corrupt");
    set32(&f, root, (uint32_t)-(int32_t)w.len);  // vtable past the end
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model header is corrupt");
}

TEST(subgraphs_offset_past_the_end_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.model_subgraphs, w.len);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model tables are corrupt");
}

TEST(vector_longer_than_the_file_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    uint32_t buffers = w.model_buffers + get32(&f, w.model_buffers);
    set32(&f, buffers, 0x40000000u);  // 1 G entries of 4 bytes
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model tables are corrupt");
}

TEST(empty_subgraph_list_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    uint32_t subgraphs = w.model_subgraphs + get32(&f, w.model_subgraphs);
    set32(&f, subgraphs, 0);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "model has no subgraph");
}

TEST(graph_input_out_of_range_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.subgraph_inputs_vec + 4, 3);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "graph inputs are corrupt");
    set32(&f, w.subgraph_inputs_vec + 4, (uint32_t)-1);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "graph inputs are corrupt");
}

TEST(tensor_shape_offset_out_of_range_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.t0_shape, w.len);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 0 is corrupt");
}

TEST(tensor_buffer_index_out_of_range_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.t1_buffer, 2);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 1 has a bad buffer");
    set32(&f, w.t1_buffer, (uint32_t)-1);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 1 has a bad buffer");
}

TEST(constant_data_of_the_wrong_size_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.data_vec, 12);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 1 buffer size does not match its shape");
}

TEST(constant_after_the_flatbuffer_runs) {
    spec_t s = base;
    s.external = true;
    where_t w = build(&s);
    tml_interp_t it;
    TEST_EQ_INT(run_all(&it, model_bytes(), w.len), TML_OK);
    const float *y = (const float *)(const void *)tml_output(&it, 0)->data;
    TEST_CHECK(y[0] == 1.0f && y[3] == 4.0f);
}

// offset + size must not wrap: 2^64 - 16 plus 16 bytes is 0 in 64-bit arithmetic, which once
// let a constant point before the model.
TEST(constant_offset_that_wraps_is_corrupt) {
    spec_t s = base;
    s.external = true;
    tml_interp_t it;
    const uint64_t offsets[] = { UINT64_MAX - 15, UINT64_MAX - 31, UINT64_MAX, 1ull << 32 };
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        s.bad_offset = offsets[i];
        where_t w = build(&s);
        CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 1 has a bad buffer");
    }
    s.bad_offset = 0;
    where_t w = build(&s);
    CHECK_FAILS(load(&it, w.len - 1), TML_ERR_MODEL, "tensor 1 has a bad buffer");
}

TEST(operator_reading_a_missing_tensor_is_corrupt) {
    spec_t s = base;
    s.op_input1 = 3;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "operator 0 refers to a missing tensor");
    s.op_input1 = -2;
    w = build(&s);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "operator 0 refers to a missing tensor");
}

TEST(opcode_index_out_of_range_is_corrupt) {
    where_t w = build(&base);
    fbb_t f = { model_bytes(), w.len };
    tml_interp_t it;
    set32(&f, w.op_opcode_index, 1);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "operator 0 has a bad opcode");
    set32(&f, w.op_opcode_index, (uint32_t)-1);
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "operator 0 has a bad opcode");
}

TEST(unknown_builtin_is_unsupported_by_name_and_version) {
    spec_t s = base;
    s.builtin = 36;  // GATHER
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op GATHER v1");
    TEST_EQ_INT(it.err_node, 0);
    s.builtin = 150;  // past the deprecated byte: only builtin_code says it
    w = build(&s);
    TEST_EQ_INT(load(&it, w.len), TML_ERR_UNSUPPORTED);
    TEST_CHECK(strncmp(it.err_msg, "unsupported op ", 15) == 0);
    s.builtin = 100000;  // not a TFLite builtin at all: named by its code
    w = build(&s);
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op builtin 100000 v1");
}

TEST(newer_op_version_is_unsupported) {
    spec_t s = base;
    s.op_version = 99;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op ADD v99");
    s.op_version = 0;
    w = build(&s);
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op ADD v0");
}

TEST(custom_op_is_unsupported_by_name) {
    spec_t s = base;
    s.builtin = 32;
    s.custom = "SignalStacker";  // a Signal op we do not implement
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op custom SignalStacker v1");
}

// Bytes that are not printable ASCII (invalid UTF-8 once made the faces raise
// UnicodeDecodeError) are shown as '?'.
TEST(custom_op_name_that_is_not_text_is_shown_safely) {
    spec_t s = base;
    s.builtin = 32;
    s.custom = "Bad\xff\x01Op\xc3";
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "unsupported op custom Bad??Op? v1");
}

TEST(rank_above_six_is_unsupported) {
    spec_t s = base;
    s.ndim = 7;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "tensor 0 has more than 6 dimensions");
}

TEST(negative_dimension_is_unsupported) {
    spec_t s = base;
    s.dim1 = -1;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_UNSUPPORTED, "tensor 0 has a dynamic shape");
}

TEST(huge_tensor_is_rejected_at_load) {
    spec_t s = base;
    s.dim1 = 0x7fffffff;
    where_t w = build(&s);
    tml_interp_t it;
    CHECK_FAILS(load(&it, w.len), TML_ERR_MODEL, "tensor 0 is too large");
}

TEST(arena_one_byte_short_says_how_much_is_needed) {
    where_t w = build(&base);
    tml_interp_t it;
    size_t needed;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    TEST_EQ_INT(tml_arena_size(&it, work_mem, sizeof(work_mem), &needed), TML_OK);
    char want[96];
    snprintf(want, sizeof(want), "arena too small: needs %u bytes, got %u", (unsigned)needed,
        (unsigned)(needed - 1));
    CHECK_FAILS(tml_init(&it, arena_mem, needed - 1), TML_ERR_ARENA, want);
    TEST_EQ_INT(it.arena_needed, needed);
    TEST_CHECK(!it.ready);
    CHECK_FAILS(tml_invoke(&it), TML_ERR_ARG, "model not initialised");
    TEST_EQ_INT(tml_init(&it, arena_mem, needed), TML_OK);
}

TEST(work_buffer_too_small_says_how_much_is_needed) {
    where_t w = build(&base);
    tml_interp_t it;
    size_t needed;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    size_t work = tml_work_size(&it);
    char want[96];
    snprintf(want, sizeof(want), "arena too small: needs %u bytes, got %u", (unsigned)work, 8u);
    CHECK_FAILS(tml_arena_size(&it, work_mem, 8, &needed), TML_ERR_ARENA, want);
}

TEST(misaligned_arena_is_an_argument_error) {
    where_t w = build(&base);
    tml_interp_t it;
    size_t needed;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    CHECK_FAILS(tml_arena_size(&it, (uint8_t *)work_mem + 4, 1024, &needed), TML_ERR_ARG,
        "work buffer must be 8-byte aligned");
    CHECK_FAILS(tml_init(&it, (uint8_t *)arena_mem + 4, 1024), TML_ERR_ARG, "arena must be 8-byte aligned");
    CHECK_FAILS(tml_init(&it, NULL, 1024), TML_ERR_ARG, "arena must be 8-byte aligned");
}

TEST(invoke_before_init_is_an_argument_error) {
    where_t w = build(&base);
    tml_interp_t it;
    TEST_EQ_INT(load(&it, w.len), TML_OK);
    CHECK_FAILS(tml_invoke(&it), TML_ERR_ARG, "model not initialised");
    TEST_CHECK(tml_input(&it, 0) == NULL);
}

TEST(failed_load_leaves_nothing_usable) {
    build(&base);
    tml_interp_t it;
    size_t needed;
    TEST_EQ_INT(load(&it, 4), TML_ERR_MODEL);
    TEST_EQ_INT(tml_invoke(&it), TML_ERR_ARG);
    TEST_CHECK(tml_input(&it, 0) == NULL && tml_output(&it, 0) == NULL);
    it.model = NULL;
    CHECK_FAILS(tml_arena_size(&it, work_mem, sizeof(work_mem), &needed), TML_ERR_ARG, "no model loaded");
}

// Cutting the file anywhere loses bytes the model refers to (its last bytes
// are the constant's data): every prefix is a model error, never a crash.
TEST(every_truncation_is_a_model_error) {
    where_t w = build(&base);
    tml_interp_t it;
    int wrong = 0;
    for (uint32_t len = 0; len < w.len; len++) {
        tml_status_t st = load(&it, len);
        if (st != TML_ERR_MODEL || it.err_len == 0) {
            if (wrong++ < 5) {
                printf("  truncated to %u bytes: status %d \"%s\"\n", (unsigned)len, (int)st, it.err_msg);
            }
        }
    }
    TEST_EQ_INT(wrong, 0);
}

// Every single-byte change anywhere in the model either fails with a message
// or still runs: no crash, no out-of-bounds access (run under ASan/UBSan).
TEST(single_byte_corruptions_never_crash) {
    static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
    where_t w = build(&base);
    uint8_t golden[MODEL_CAP];
    memcpy(golden, model_bytes(), w.len);
    int silent = 0;
    for (uint32_t pos = 0; pos < w.len; pos++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(model_bytes(), golden, w.len);
            if (model_bytes()[pos] == values[v]) {
                continue;
            }
            model_bytes()[pos] = values[v];
            tml_interp_t it;
            tml_status_t st = run_all(&it, model_bytes(), w.len);
            if (st != TML_OK && (it.err_len == 0 || strlen(it.err_msg) != it.err_len)) {
                silent++;
            }
        }
    }
    TEST_EQ_INT(silent, 0);
    memcpy(model_bytes(), golden, w.len);
}

TEST(status_and_type_names) {
    TEST_EQ_STR(tml_status_str(TML_OK), "ok");
    TEST_EQ_STR(tml_status_str(TML_ERR_MODEL), "bad model");
    TEST_EQ_STR(tml_status_str(TML_ERR_ARENA), "arena too small");
    TEST_EQ_STR(tml_status_str((tml_status_t)99), "unknown status");
    TEST_EQ_STR(tml_type_name(TML_INT8), "int8");
    TEST_EQ_STR(tml_type_name(-1), "unknown type");
    TEST_EQ_STR(tml_type_name(1000), "unknown type");
    // tml_builtin_name knows this build's ops (every op of tml_ops_list.h here), in its order.
    TEST_EQ_STR(tml_builtin_name(3), "CONV_2D");
    TEST_EQ_STR(tml_builtin_name(-5), "UNKNOWN");
    TEST_EQ_STR(tml_builtin_name(0), "ADD");
    TEST_EQ_STR(tml_builtin_name(44), "UNIDIRECTIONAL_SEQUENCE_LSTM");
    TEST_EQ_STR(tml_builtin_name(129), "CALL_ONCE");
    TEST_EQ_STR(tml_builtin_name(36), "UNKNOWN");  // GATHER: not an op of the engine
    // tml_any_builtin_name decodes any builtin's: the names are decoded in code order, so the
    // last one checks that none is missing; digits, the longest name and both pieces.
    char buf[TML_BUILTIN_NAME_LEN];
    TEST_EQ_STR(tml_any_builtin_name(0, buf), "ADD");
    TEST_EQ_STR(tml_any_builtin_name(20, buf), "RELU_N1_TO_1");
    TEST_EQ_STR(tml_any_builtin_name(36, buf), "GATHER");
    TEST_EQ_STR(tml_any_builtin_name(52, buf), "BIDIRECTIONAL_SEQUENCE_LSTM");
    TEST_EQ_STR(tml_any_builtin_name(127, buf), "PLACEHOLDER_FOR_GREATER_OP_CODES");
    TEST_EQ_STR(tml_any_builtin_name(121, buf), "NON_MAX_SUPPRESSION_V5");
    TEST_EQ_STR(tml_any_builtin_name(141, buf), "CONV_3D_TRANSPOSE");
    TEST_EQ_STR(tml_any_builtin_name(209, buf), "STABLEHLO_CASE");
    TEST_EQ_STR(tml_any_builtin_name(210, buf), "UNKNOWN");
    TEST_EQ_STR(tml_any_builtin_name(-5, buf), "UNKNOWN");
    for (int32_t code = 0; code < TML_BUILTIN_COUNT; code++) {
        const char *name = tml_any_builtin_name(code, buf);
        TEST_EQ_INT(tml_builtin_code(name, strlen(name)), code);
    }
    TEST_EQ_INT(tml_builtin_code("CONV_2", 6), -1);
    TEST_EQ_INT(tml_builtin_code("UNKNOWN", 7), -1);
    TEST_EQ_INT(tml_type_size(TML_INT16), 2);
    TEST_EQ_INT(tml_type_size(TML_STRING), 0);
}

int main(void) {
    RUN_TEST(messages_format_their_arguments);
    RUN_TEST(valid_model_runs);
    RUN_TEST(subgraph_read_past_its_end_keeps_the_main_graph);
    RUN_TEST(writes_into_the_tables_are_refused);
    RUN_TEST(init_without_arena_size_measures_in_the_arena);
    RUN_TEST(too_short_is_a_model_error);
    RUN_TEST(bad_identifier_is_a_model_error);
    RUN_TEST(misaligned_model_is_an_argument_error);
    RUN_TEST(wrong_schema_version_is_unsupported);
    RUN_TEST(root_offset_past_the_end_is_corrupt);
    RUN_TEST(vtable_offset_out_of_range_is_corrupt);
    RUN_TEST(subgraphs_offset_past_the_end_is_corrupt);
    RUN_TEST(vector_longer_than_the_file_is_corrupt);
    RUN_TEST(empty_subgraph_list_is_corrupt);
    RUN_TEST(graph_input_out_of_range_is_corrupt);
    RUN_TEST(tensor_shape_offset_out_of_range_is_corrupt);
    RUN_TEST(tensor_buffer_index_out_of_range_is_corrupt);
    RUN_TEST(constant_data_of_the_wrong_size_is_corrupt);
    RUN_TEST(constant_after_the_flatbuffer_runs);
    RUN_TEST(constant_offset_that_wraps_is_corrupt);
    RUN_TEST(operator_reading_a_missing_tensor_is_corrupt);
    RUN_TEST(opcode_index_out_of_range_is_corrupt);
    RUN_TEST(unknown_builtin_is_unsupported_by_name_and_version);
    RUN_TEST(newer_op_version_is_unsupported);
    RUN_TEST(custom_op_is_unsupported_by_name);
    RUN_TEST(custom_op_name_that_is_not_text_is_shown_safely);
    RUN_TEST(rank_above_six_is_unsupported);
    RUN_TEST(negative_dimension_is_unsupported);
    RUN_TEST(huge_tensor_is_rejected_at_load);
    RUN_TEST(arena_one_byte_short_says_how_much_is_needed);
    RUN_TEST(work_buffer_too_small_says_how_much_is_needed);
    RUN_TEST(misaligned_arena_is_an_argument_error);
    RUN_TEST(invoke_before_init_is_an_argument_error);
    RUN_TEST(failed_load_leaves_nothing_usable);
    RUN_TEST(every_truncation_is_a_model_error);
    RUN_TEST(single_byte_corruptions_never_crash);
    RUN_TEST(status_and_type_names);
    return test_report();
}
