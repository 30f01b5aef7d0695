// See model_fields.h. Field numbers are positions in TFLite's schema.fbs tables.
#include "model_fields.h"

#include "tml_fb.h"

#define VECTOR_ELEMENTS_MAX 64

typedef struct {
    tml_fb_t fb;
    model_field_t *out;
    size_t n, max;
} walk_t;

static void add(walk_t *w, uint32_t pos, uint8_t width) {
    if (pos != 0 && w->n < w->max && (uint64_t)pos + width <= w->fb.len) {
        w->out[w->n].pos = pos;
        w->out[w->n].width = width;
        w->n++;
    }
}

// A scalar field of `width` bytes.
static void scalar(walk_t *w, uint32_t table, int field, uint8_t width) {
    uint32_t pos;
    if (tml_fb_field(&w->fb, table, field, width, &pos)) {
        add(w, pos, width);
    }
}

// The uoffset of a vector field, its length word and its first elements.
static void vector(walk_t *w, uint32_t table, int field, uint8_t elem) {
    uint32_t pos, start, count;
    if (!tml_fb_field(&w->fb, table, field, 4, &pos) || pos == 0) {
        return;
    }
    add(w, pos, 4);
    if (!tml_fb_vector(&w->fb, table, field, elem, &start, &count)) {
        return;
    }
    add(w, start - 4, 4);
    for (uint32_t i = 0; i < count && i < VECTOR_ELEMENTS_MAX; i++) {
        add(w, start + i * elem, elem);
    }
}

// Tables of a vector field, each passed to visit().
static void tables(walk_t *w, uint32_t table, int field, void (*visit)(walk_t *, uint32_t)) {
    uint32_t pos, start, count, sub;
    if (!tml_fb_field(&w->fb, table, field, 4, &pos) || pos == 0) {
        return;
    }
    add(w, pos, 4);
    if (!tml_fb_vector(&w->fb, table, field, 4, &start, &count)) {
        return;
    }
    add(w, start - 4, 4);
    for (uint32_t i = 0; i < count && i < 1024; i++) {
        add(w, start + 4 * i, 4);
        if (tml_fb_vector_table(&w->fb, start, i, &sub)) {
            visit(w, sub);
        }
    }
}

static void operator_code(walk_t *w, uint32_t t) {
    scalar(w, t, 0, 1);   // deprecated_builtin_code
    vector(w, t, 1, 1);   // custom_code
    scalar(w, t, 2, 4);   // version
    scalar(w, t, 3, 4);   // builtin_code
}

static void quantization(walk_t *w, uint32_t t) {
    vector(w, t, 2, 4);   // scale
    vector(w, t, 3, 8);   // zero_point
    scalar(w, t, 6, 4);   // quantized_dimension
}

static void tensor(walk_t *w, uint32_t t) {
    uint32_t q;
    vector(w, t, 0, 4);   // shape
    scalar(w, t, 1, 1);   // type
    scalar(w, t, 2, 4);   // buffer
    scalar(w, t, 5, 1);   // is_variable
    if (tml_fb_table(&w->fb, t, 4, &q) && q != 0) {
        quantization(w, q);
    }
}

// Builtin options: every field is a scalar of at most 4 bytes in the tables we read.
static void options(walk_t *w, uint32_t t) {
    for (int field = 0; field < 16; field++) {
        scalar(w, t, field, 4);
        scalar(w, t, field, 1);
    }
}

static void operator_(walk_t *w, uint32_t t) {
    uint32_t opts;
    scalar(w, t, 0, 4);   // opcode_index
    vector(w, t, 1, 4);   // inputs
    vector(w, t, 2, 4);   // outputs
    scalar(w, t, 3, 1);   // builtin_options_type
    if (tml_fb_table(&w->fb, t, 4, &opts) && opts != 0) {
        options(w, opts);
    }
    vector(w, t, 5, 1);   // custom_options
}

static void subgraph(walk_t *w, uint32_t t) {
    tables(w, t, 0, tensor);
    vector(w, t, 1, 4);   // inputs
    vector(w, t, 2, 4);   // outputs
    tables(w, t, 3, operator_);
}

static void buffer(walk_t *w, uint32_t t) {
    uint32_t pos, start, count;
    if (tml_fb_field(&w->fb, t, 0, 4, &pos) && pos != 0) {
        add(w, pos, 4);
        if (tml_fb_vector(&w->fb, t, 0, 1, &start, &count)) {
            add(w, start - 4, 4);  // the data's length, not its bytes
        }
    }
    scalar(w, t, 1, 8);   // offset
    scalar(w, t, 2, 8);   // size
}

size_t model_fields(const uint8_t *model, size_t len, model_field_t *out, size_t max) {
    walk_t w = { { model, len }, out, 0, max };
    uint32_t root;
    if (!tml_fb_deref(&w.fb, 0, &root)) {
        return 0;
    }
    add(&w, 0, 4);
    scalar(&w, root, 0, 4);  // version
    tables(&w, root, 1, operator_code);
    tables(&w, root, 2, subgraph);
    tables(&w, root, 4, buffer);
    return w.n;
}

void model_field_set(uint8_t *buf, size_t len, model_field_t f, uint64_t r) {
    uint64_t old = 0;
    for (uint8_t i = 0; i < f.width; i++) {
        old |= (uint64_t)buf[f.pos + i] << (8 * i);
    }
    const uint64_t values[] = {
        0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 0xffff, 0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu,
        (uint64_t)-1, (uint64_t)-2, (uint64_t)-16, (uint64_t)-32, 1ull << 32, 1ull << 63,
        len, len - 1, len - 4, len + 4, len / 2, old + 1, old - 1, old + 4, old - 4, old * 2,
        old ^ 0x80, old << 8,
    };
    uint64_t v = values[r % (sizeof(values) / sizeof(values[0]))];
    if (f.width == 4 && (v >> 32) != 0 && (v >> 32) != 0xffffffffu) {
        v >>= 32;
    }
    for (uint8_t i = 0; i < f.width; i++) {
        buf[f.pos + i] = (uint8_t)(v >> (8 * i));
    }
}
