// Status names, type names and error recording.
#include <stdarg.h>

#include "tml_internal.h"

// Entry i of a list of names each ended by its NUL, the list by an empty name; NULL past its
// end. No table of pointers beside the text: only messages and tools look names up.
TML_COLD const char *tml_nth_name(const char *names, uint32_t i) {
    for (; *names != '\0'; names += strlen(names) + 1) {
        if (i-- == 0) {
            return names;
        }
    }
    return NULL;
}

// In tml_status_t order.
static const char status_names[] = "ok\0bad argument\0bad model\0unsupported\0arena too small\0internal error\0";

TML_COLD const char *tml_status_str(tml_status_t st) {
    const char *name = tml_nth_name(status_names, (uint32_t)st);
    return name != NULL ? name : "unknown status";
}

// In tml_type_t order.
static const char type_names[] =
    "float32\0float16\0int32\0uint8\0int64\0string\0bool\0int16\0complex64\0int8\0float64\0"
    "complex128\0uint64\0resource\0variant\0uint32\0uint16\0int4\0bfloat16\0int2\0uint4\0";

TML_COLD const char *tml_type_name(int32_t type) {
    const char *name = tml_nth_name(type_names, (uint32_t)type);
    return name != NULL ? name : "unknown type";
}

// Out of line like the rest of this file's messages: at -O2 the compiler would otherwise copy
// this loop into each of the dozens of places that build one.
TML_COLD void tml_text_str(tml_text_t *t, const char *s) {
    while (*s != '\0' && t->len + 1 < t->cap) {
        t->buf[t->len++] = *s++;
    }
    t->buf[t->len] = '\0';
}

TML_COLD void tml_text_int(tml_text_t *t, int64_t v) {
    char digits[21];  // "-9223372036854775808" and its NUL
    char *p = digits + sizeof(digits) - 1;
    *p = '\0';
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        *--p = '-';
    }
    tml_text_str(t, p);
}

// Appends fmt to t, its conversions taking the arguments in turn: %s a string, %d an int, %zu a
// size_t, %lld a long long; no flag or width, and any other character after a % (as in %%)
// stands for itself.
static TML_COLD void text_vformat(tml_text_t *t, const char *fmt, va_list ap) {
    for (; *fmt != '\0'; fmt++) {
        char c = *fmt;
        if (c == '%' && fmt[1] != '\0') {
            c = *++fmt;
            if (c == 's') {
                tml_text_str(t, va_arg(ap, const char *));
                continue;
            }
            if (c == 'd') {
                tml_text_int(t, va_arg(ap, int));
                continue;
            }
            if (c == 'z') {
                fmt++;  // %zu
                tml_text_int(t, (int64_t)va_arg(ap, size_t));
                continue;
            }
            if (c == 'l') {
                fmt += 2;  // %lld
                tml_text_int(t, va_arg(ap, long long));
                continue;
            }
        }
        if (t->len + 1 < t->cap) {
            t->buf[t->len++] = c;
            t->buf[t->len] = '\0';
        }
    }
}

static TML_COLD void text_format(tml_text_t *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    text_vformat(t, fmt, ap);
    va_end(ap);
}

TML_COLD tml_status_t tml_failf(tml_interp_t *it, tml_status_t st, const char *fmt, ...) {
    tml_text_t text = { it->err_msg, 0, sizeof(it->err_msg) };
    it->err_msg[0] = '\0';
    if (it->nodes != NULL && it->err_node >= 0 && (uint32_t)it->err_node < it->n_nodes
        && it->nodes[it->err_node].op != NULL) {
        text_format(&text, "op %d %s: ", (int)it->err_node, tml_op_name(it->nodes[it->err_node].op));
    }
    va_list ap;
    va_start(ap, fmt);
    text_vformat(&text, fmt, ap);
    va_end(ap);
    it->err_len = (uint8_t)text.len;
    return st;
}

TML_COLD tml_status_t tml_fail(tml_interp_t *it, tml_status_t st, const char *msg) {
    return tml_failf(it, st, "%s", msg);
}

TML_COLD tml_status_t tml_fail_int(tml_interp_t *it, tml_status_t st, const char *msg, int64_t value, const char *tail) {
    return tml_failf(it, st, "%s %lld%s", msg, (long long)value, tail);
}

TML_COLD tml_status_t tml_fail_mismatch(tml_interp_t *it, tml_status_t st, const char *msg, int32_t expected, int32_t got) {
    return tml_failf(it, st, "%s: expected %d, got %d", msg, (int)expected, (int)got);
}

TML_COLD tml_status_t tml_fail_type(tml_interp_t *it, int32_t type, const char *what) {
    return tml_failf(it, TML_ERR_UNSUPPORTED, "%s %s not supported", tml_type_name(type), what);
}
