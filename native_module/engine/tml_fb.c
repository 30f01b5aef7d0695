#include <string.h>

#include "tml_compiler.h"
#include "tml_fb.h"

// Every reader here is cold (TML_COLD, tml_compiler.h): loading and prepare read the model;
// an invoke reads it only for the windows of a patched chain's few nodes (run_patch), not per
// element or per pixel.

TML_COLD bool tml_fb_field(const tml_fb_t *fb, uint32_t table, int field, uint32_t size, uint32_t *pos) {
    *pos = 0;
    if (table == 0 || (uint64_t)table + 4 > fb->len) {
        return false;
    }
    int64_t vtable = (int64_t)table - (int32_t)tml_fb_u32(fb->buf + table);
    if (vtable < 0 || (uint64_t)vtable + 4 > fb->len) {
        return false;
    }
    uint32_t vsize = tml_fb_u16(fb->buf + vtable);
    uint32_t tsize = tml_fb_u16(fb->buf + vtable + 2);
    if (vsize < 4 || (vsize & 1) || (uint64_t)vtable + vsize > fb->len
        || tsize < 4 || (uint64_t)table + tsize > fb->len) {
        return false;
    }
    uint32_t entry = 4 + 2 * (uint32_t)field;
    if (entry + 2 > vsize) {
        return true;
    }
    uint32_t offset = tml_fb_u16(fb->buf + vtable + entry);
    if (offset == 0) {
        return true;
    }
    if (offset < 4 || offset + size > tsize) {
        return false;
    }
    *pos = table + offset;
    return true;
}

TML_COLD bool tml_fb_deref(const tml_fb_t *fb, uint32_t pos, uint32_t *target) {
    if ((uint64_t)pos + 4 > fb->len) {
        return false;
    }
    uint64_t t = (uint64_t)pos + tml_fb_u32(fb->buf + pos);
    if (t + 4 > fb->len) {
        return false;
    }
    *target = (uint32_t)t;
    return true;
}

TML_COLD bool tml_fb_table(const tml_fb_t *fb, uint32_t table, int field, uint32_t *sub) {
    uint32_t pos;
    *sub = 0;
    if (!tml_fb_field(fb, table, field, 4, &pos)) {
        return false;
    }
    return pos == 0 || tml_fb_deref(fb, pos, sub);
}

TML_COLD bool tml_fb_vector(const tml_fb_t *fb, uint32_t table, int field, uint32_t elem_size,
    uint32_t *start, uint32_t *count) {
    uint32_t pos, vec;
    *start = 0;
    *count = 0;
    if (!tml_fb_field(fb, table, field, 4, &pos)) {
        return false;
    }
    if (pos == 0) {
        return true;
    }
    if (!tml_fb_deref(fb, pos, &vec)) {
        return false;
    }
    uint32_t n = tml_fb_u32(fb->buf + vec);
    if ((uint64_t)vec + 4 + (uint64_t)n * elem_size > fb->len) {
        return false;
    }
    *start = vec + 4;
    *count = n;
    return true;
}

TML_COLD bool tml_fb_vector_table(const tml_fb_t *fb, uint32_t start, uint32_t i, uint32_t *table) {
    return tml_fb_deref(fb, start + 4 * i, table);
}

TML_COLD bool tml_fb_i32(const tml_fb_t *fb, uint32_t table, int field, int32_t def, int32_t *out) {
    uint32_t pos;
    if (!tml_fb_field(fb, table, field, 4, &pos)) {
        return false;
    }
    *out = pos ? (int32_t)tml_fb_u32(fb->buf + pos) : def;
    return true;
}

TML_COLD bool tml_fb_u8(const tml_fb_t *fb, uint32_t table, int field, uint8_t def, uint8_t *out) {
    uint32_t pos;
    if (!tml_fb_field(fb, table, field, 1, &pos)) {
        return false;
    }
    *out = pos ? fb->buf[pos] : def;
    return true;
}

TML_COLD bool tml_fb_f32(const tml_fb_t *fb, uint32_t table, int field, float def, float *out) {
    uint32_t pos;
    if (!tml_fb_field(fb, table, field, 4, &pos)) {
        return false;
    }
    if (pos == 0) {
        *out = def;
    } else {
        uint32_t u = tml_fb_u32(fb->buf + pos);
        memcpy(out, &u, sizeof(*out));
    }
    return true;
}

TML_COLD bool tml_fb_fields(const tml_fb_t *fb, uint32_t table, const uint8_t *spec, uint32_t n, uint32_t *out) {
    for (; n > 0; n--, spec++) {
        int field = *spec >> 3;
        uint32_t kind = *spec & 7u, pos;
        if (kind >= TML_FB_VEC1) {
            if (!tml_fb_vector(fb, table, field, 1u << (kind - TML_FB_VEC1), out, out + 1)) {
                return false;
            }
            out += 2;
            continue;
        }
        if (!tml_fb_field(fb, table, field, kind == TML_FB_U8 ? 1 : 4, &pos)) {
            return false;
        }
        if (kind == TML_FB_TABLE) {
            if (pos != 0 && !tml_fb_deref(fb, pos, &pos)) {
                return false;
            }
        } else if (pos != 0) {
            pos = kind == TML_FB_U8 ? fb->buf[pos] : tml_fb_u32(fb->buf + pos);
        }
        *out++ = pos;
    }
    return true;
}
