// Status names, type names and error recording.
#include "tml_internal.h"

static const char *const status_names[TML_STATUS_COUNT] = {
    [TML_OK] = "ok",
    [TML_ERR_ARG] = "bad argument",
    [TML_ERR_MODEL] = "bad model",
    [TML_ERR_UNSUPPORTED] = "unsupported",
    [TML_ERR_ARENA] = "arena too small",
    [TML_ERR_INTERNAL] = "internal error",
};

const char *tml_status_str(tml_status_t st) {
    if ((unsigned)st >= TML_STATUS_COUNT) {
        return "unknown status";
    }
    return status_names[st];
}

static const char *const type_names[] = {
    [TML_FLOAT32] = "float32",
    [TML_FLOAT16] = "float16",
    [TML_INT32] = "int32",
    [TML_UINT8] = "uint8",
    [TML_INT64] = "int64",
    [TML_STRING] = "string",
    [TML_BOOL] = "bool",
    [TML_INT16] = "int16",
    [TML_COMPLEX64] = "complex64",
    [TML_INT8] = "int8",
    [TML_FLOAT64] = "float64",
    [TML_COMPLEX128] = "complex128",
    [TML_UINT64] = "uint64",
    [TML_RESOURCE] = "resource",
    [TML_VARIANT] = "variant",
    [TML_UINT32] = "uint32",
    [TML_UINT16] = "uint16",
    [TML_INT4] = "int4",
    [TML_BFLOAT16] = "bfloat16",
    [TML_INT2] = "int2",
    [TML_UINT4] = "uint4",
};

const char *tml_type_name(int32_t type) {
    if (type < 0 || (size_t)type >= sizeof(type_names) / sizeof(type_names[0]) || type_names[type] == NULL) {
        return "unknown type";
    }
    return type_names[type];
}

// Out of line (noinline) like tml_text_int: messages are cold, and at -O2 the compiler would
// otherwise copy this loop into each of the dozens of places that build one.
__attribute__((noinline)) void tml_text_str(tml_text_t *t, const char *s) {
    while (*s != '\0' && t->len + 1 < t->cap) {
        t->buf[t->len++] = *s++;
    }
    t->buf[t->len] = '\0';
}

__attribute__((noinline)) void tml_text_int(tml_text_t *t, int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        digits[n++] = '-';
    }
    char out[24];
    for (int i = 0; i < n; i++) {
        out[i] = digits[n - 1 - i];
    }
    out[n] = '\0';
    tml_text_str(t, out);
}

tml_status_t tml_fail_text(tml_interp_t *it, tml_status_t st, const char *a, int64_t n, const char *b, bool with_n) {
    tml_text_t text = { it->err_msg, 0, sizeof(it->err_msg) };
    it->err_msg[0] = '\0';
    if (it->nodes != NULL && it->err_node >= 0 && (uint32_t)it->err_node < it->n_nodes
        && it->nodes[it->err_node].op != NULL) {
        tml_text_str(&text, "op ");
        tml_text_int(&text, it->err_node);
        tml_text_str(&text, " ");
        tml_text_str(&text, tml_op_name(it->nodes[it->err_node].op));
        tml_text_str(&text, ": ");
    }
    tml_text_str(&text, a);
    if (with_n) {
        tml_text_str(&text, " ");
        tml_text_int(&text, n);
    }
    tml_text_str(&text, b);
    it->err_len = (uint8_t)text.len;
    return st;
}

tml_status_t tml_fail(tml_interp_t *it, tml_status_t st, const char *msg) {
    return tml_fail_text(it, st, msg, 0, "", false);
}

tml_status_t tml_fail_int(tml_interp_t *it, tml_status_t st, const char *msg, int32_t value, const char *tail) {
    return tml_fail_text(it, st, msg, value, tail, true);
}

tml_status_t tml_fail_mismatch(tml_interp_t *it, tml_status_t st, const char *msg, int32_t expected, int32_t got) {
    char buf[TML_ERR_MSG_LEN];
    tml_text_t text = { buf, 0, sizeof(buf) };
    tml_text_str(&text, msg);
    tml_text_str(&text, ": expected ");
    tml_text_int(&text, expected);
    tml_text_str(&text, ", got ");
    tml_text_int(&text, got);
    return tml_fail_text(it, st, buf, 0, "", false);
}

tml_status_t tml_fail_type(tml_interp_t *it, int32_t type, const char *what) {
    char buf[TML_ERR_MSG_LEN];
    tml_text_t text = { buf, 0, sizeof(buf) };
    tml_text_str(&text, tml_type_name(type));
    tml_text_str(&text, " ");
    tml_text_str(&text, what);
    tml_text_str(&text, " not supported");
    return tml_fail_text(it, TML_ERR_UNSUPPORTED, buf, 0, "", false);
}
