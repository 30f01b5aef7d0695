// Bounds-checked reading of the FlatBuffers wire format, just what the TFLite
// schema needs. Every function takes the whole buffer and checks each offset
// before it is followed, so a corrupt model yields `false`, never a wild read.
#ifndef TML_FB_H
#define TML_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *buf;
    size_t len;
} tml_fb_t;

static inline uint16_t tml_fb_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t tml_fb_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

// Position of `field` in `table`, 0 when the field is absent. `size` is the
// field's byte size, checked to lie inside the table and the buffer.
bool tml_fb_field(const tml_fb_t *fb, uint32_t table, int field, uint32_t size, uint32_t *pos);

// Follows the uoffset stored at `pos`; the target must lie in the buffer.
bool tml_fb_deref(const tml_fb_t *fb, uint32_t pos, uint32_t *target);

// Table referenced by `field` of `table` (0 when absent).
bool tml_fb_table(const tml_fb_t *fb, uint32_t table, int field, uint32_t *sub);

// Vector referenced by `field`: position of its first element and count,
// checked to fit elem_size * count bytes. Absent -> start 0, count 0.
bool tml_fb_vector(const tml_fb_t *fb, uint32_t table, int field, uint32_t elem_size,
    uint32_t *start, uint32_t *count);

// Table at index i of a vector of tables.
bool tml_fb_vector_table(const tml_fb_t *fb, uint32_t start, uint32_t i, uint32_t *table);

// Scalar fields with their schema defaults (absent -> def; corrupt -> false).
bool tml_fb_i32(const tml_fb_t *fb, uint32_t table, int field, int32_t def, int32_t *out);
bool tml_fb_u8(const tml_fb_t *fb, uint32_t table, int field, uint8_t def, uint8_t *out);
bool tml_fb_f32(const tml_fb_t *fb, uint32_t table, int field, float def, float *out);

// What tml_fb_fields reads of a field: a 1- or 4-byte scalar (its value, 0 when absent), a
// table (its position, 0 when absent), or a vector of 1-, 4- or 8-byte elements (two words: its
// first element's position and its count, 0 and 0 when absent).
enum { TML_FB_U8 = 0, TML_FB_I32 = 1, TML_FB_TABLE = 2, TML_FB_VEC1 = 3, TML_FB_VEC4 = 5, TML_FB_VEC8 = 6 };
#define TML_FB_FIELD(field, kind) ((uint8_t)((field) << 3 | (kind)))

// Reads the n fields spec[0..n) names (TML_FB_FIELD) from table into out, in order: one call
// and one failure for the fields a reader needs together. false when any is corrupt.
bool tml_fb_fields(const tml_fb_t *fb, uint32_t table, const uint8_t *spec, uint32_t n, uint32_t *out);

#endif // TML_FB_H
