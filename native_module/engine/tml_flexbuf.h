// A small, bounds-checked reader for FlexBuffers maps: what the custom ops
// need from their custom_options (TFLM writes those as a flexbuffer map of
// scalar parameters). Ints, uints and bools by key.
// Every position is checked against the buffer; corrupt data reads as absent.
#ifndef TML_FLEXBUF_H
#define TML_FLEXBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t data;    // position of the first value
    uint32_t size;    // number of entries
    uint32_t keys;    // position of the first key offset
    uint8_t width;    // byte width of the values
    uint8_t key_width;
} tml_flexbuf_map_t;

// Opens the root of buf as a map; false when it is not a (valid) map.
bool tml_flexbuf_map(tml_flexbuf_map_t *m, const uint8_t *buf, size_t len);

// Value of `key` as an integer (int, uint, bool, or their indirect forms).
// false when the key is absent or holds another type.
bool tml_flexbuf_int(const tml_flexbuf_map_t *m, const char *key, int64_t *out);

// Convenience: the value of `key` as int32 (saturated), or def when absent.
int32_t tml_flexbuf_i32(const tml_flexbuf_map_t *m, const char *key, int32_t def);
bool tml_flexbuf_bool(const tml_flexbuf_map_t *m, const char *key, bool def);

#endif // TML_FLEXBUF_H
