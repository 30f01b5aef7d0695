// Where the fields of a .tflite model are, for mutations that aim at its structure: shapes,
// tensor and opcode indices, types, buffer offsets and sizes, vector lengths, uoffsets and
// options. A byte-level fuzzer almost never rewrites a whole int32 or int64 field into a
// boundary value; the offset wrap of a constant's 64-bit offset was found by such edits.
//
// model_fields() walks the model with the engine's bounds-checked reader (corrupt parts are
// skipped) and lists up to MODEL_FIELDS_MAX positions with their width in bytes.
#ifndef MODEL_FIELDS_H
#define MODEL_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_FIELDS_MAX 4096

typedef struct {
    uint32_t pos;
    uint8_t width;  // 1, 4 or 8
} model_field_t;

size_t model_fields(const uint8_t *model, size_t len, model_field_t *out, size_t max);

// Writes a boundary value chosen by `r` into field f of buf (little-endian).
void model_field_set(uint8_t *buf, size_t len, model_field_t f, uint64_t r);

#endif // MODEL_FIELDS_H
