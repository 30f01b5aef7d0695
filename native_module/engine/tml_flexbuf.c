// FlexBuffers map reader (see tml_flexbuf.h). Layout, from the FlexBuffers
// spec: the buffer ends with the root's value, its packed type and its byte
// width. A packed type is (type << 2) | log2(child width). Offsets point
// backwards. A map's values are preceded by [keys offset, keys width, size]
// and followed by one packed type byte per value; its keys vector holds
// offsets to NUL-terminated, sorted key strings.
#include <string.h>

#include "tml_compiler.h"
#include "tml_flexbuf.h"

// Options are read once, while ops prepare: compiled for size in every build, as the engine's
// other loading code is (TML_COLD, tml_compiler.h).

enum { FX_INT = 1, FX_UINT = 2, FX_INDIRECT_INT = 6, FX_INDIRECT_UINT = 7, FX_MAP = 9, FX_BOOL = 26 };

// Reads an unsigned value of `width` bytes at pos, checked.
static bool rd_uint(const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t width, uint64_t *out) {
    if (!(width == 1 || width == 2 || width == 4 || width == 8) || pos > len || width > len - pos) {
        return false;
    }
    uint64_t v = 0;
    for (uint32_t i = 0; i < width; i++) {
        v |= (uint64_t)buf[pos + i] << (8 * i);
    }
    *out = v;
    return true;
}

static int64_t sign_extend(uint64_t v, uint32_t width) {
    if (width < 8 && (v >> (8 * width - 1)) & 1) {
        v |= ~(uint64_t)0 << (8 * width);
    }
    return (int64_t)v;
}

// Follows the backward offset stored at pos (width bytes).
static bool indirect(const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t width, uint32_t *target) {
    uint64_t off;
    if (!rd_uint(buf, len, pos, width, &off) || off > pos) {
        return false;
    }
    *target = pos - (uint32_t)off;
    return true;
}

TML_COLD bool tml_flexbuf_map(tml_flexbuf_map_t *m, const uint8_t *buf, size_t len) {
    memset(m, 0, sizeof(*m));
    if (buf == NULL || len < 3 || len > 0x7fffffffu) {
        return false;
    }
    uint32_t n = (uint32_t)len;
    uint32_t root_width = buf[n - 1];
    uint8_t packed = buf[n - 2];
    if (packed >> 2 != FX_MAP || root_width == 0 || root_width > n - 2) {
        return false;
    }
    uint32_t width = 1u << (packed & 3);
    uint32_t data;
    uint64_t size, key_width;
    uint32_t keys;
    if (!indirect(buf, n, n - 2 - root_width, root_width, &data) || data < 3 * width
        || !rd_uint(buf, n, data - width, width, &size)
        || !rd_uint(buf, n, data - 2 * width, width, &key_width)
        || !indirect(buf, n, data - 3 * width, width, &keys)) {
        return false;
    }
    // Values, then one type byte each, must fit in the buffer.
    if (size > (n - data) / (width + 1)) {
        return false;
    }
    uint64_t key_count;
    if (!(key_width == 1 || key_width == 2 || key_width == 4 || key_width == 8) || keys < key_width
        || !rd_uint(buf, n, keys - (uint32_t)key_width, (uint32_t)key_width, &key_count)
        || key_count != size || size > (n - keys) / key_width) {
        return false;
    }
    m->buf = buf;
    m->len = n;
    m->data = data;
    m->size = (uint32_t)size;
    m->keys = keys;
    m->width = (uint8_t)width;
    m->key_width = (uint8_t)key_width;
    return true;
}

static bool key_equals(const tml_flexbuf_map_t *m, uint32_t i, const char *key) {
    uint32_t str;
    if (!indirect(m->buf, m->len, m->keys + i * m->key_width, m->key_width, &str)) {
        return false;
    }
    size_t k = strlen(key);
    if (k >= m->len - str) {
        return false;  // the key plus its NUL would run past the buffer
    }
    return memcmp(m->buf + str, key, k) == 0 && m->buf[str + k] == '\0';
}

// Finds key: value position and packed type.
static bool find(const tml_flexbuf_map_t *m, const char *key, uint32_t *pos, uint8_t *packed) {
    if (m->buf == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < m->size; i++) {
        if (key_equals(m, i, key)) {
            *pos = m->data + i * m->width;
            *packed = m->buf[m->data + m->size * m->width + i];
            return true;
        }
    }
    return false;
}

TML_COLD bool tml_flexbuf_int(const tml_flexbuf_map_t *m, const char *key, int64_t *out) {
    uint32_t pos, target;
    uint8_t packed;
    uint64_t v;
    if (!find(m, key, &pos, &packed)) {
        return false;
    }
    uint32_t type = packed >> 2, child = 1u << (packed & 3);
    switch (type) {
        case FX_INT:
            if (!rd_uint(m->buf, m->len, pos, m->width, &v)) {
                return false;
            }
            *out = sign_extend(v, m->width);
            return true;
        case FX_UINT:
        case FX_BOOL:
            if (!rd_uint(m->buf, m->len, pos, m->width, &v)) {
                return false;
            }
            *out = (int64_t)v;
            return true;
        case FX_INDIRECT_INT:
        case FX_INDIRECT_UINT:
            if (!indirect(m->buf, m->len, pos, m->width, &target) || !rd_uint(m->buf, m->len, target, child, &v)) {
                return false;
            }
            *out = type == FX_INDIRECT_INT ? sign_extend(v, child) : (int64_t)v;
            return true;
        default:
            return false;
    }
}

TML_COLD int32_t tml_flexbuf_i32(const tml_flexbuf_map_t *m, const char *key, int32_t def) {
    int64_t v;
    if (!tml_flexbuf_int(m, key, &v)) {
        return def;
    }
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

TML_COLD bool tml_flexbuf_bool(const tml_flexbuf_map_t *m, const char *key, bool def) {
    int64_t v;
    return tml_flexbuf_int(m, key, &v) ? v != 0 : def;
}
