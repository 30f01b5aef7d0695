// libFuzzer harness for the DSP library as both faces call it: any bytes pick one function of
// the `dsp` module (native_module/dsp/tml_dsp_glue.h) and fill its arguments as a face would
// after converting Python objects: buffers of any length and element type the signature
// allows, any int32, any float32. The glue must either refuse the arguments with a message or
// run without touching memory outside the buffers, and return within the timeout.
//
// Each buffer is a heap block of exactly its length, so AddressSanitizer sees a read or write
// one element past it. Input layout: function byte, optional-argument count byte, then per
// argument a small header (see take_int, take_real, take_buffer); the bytes left over fill
// the buffers, repeated.
//
// Without libFuzzer, -DFUZZ_MAIN gives a main() that runs each file named on the command line
// once and prints what the call returned ("ok", "ok 7" or "error <message>"), which the
// regression test compares with the file's .expected twin.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tml_dsp_glue.h"

typedef struct {
    const char *name;
    const char *sig;
    tml_dsp_glue_fn_t fn;
} dsp_func_t;

#define FUNC_ENTRY(name, sig) {#name, sig, tml_dsp_glue_##name},
static const dsp_func_t funcs[] = {TML_DSP_FUNCS(FUNC_ENTRY)};
#define N_FUNCS (sizeof(funcs) / sizeof(funcs[0]))

// Buffers stay below this many elements: a 16384-point FFT, a 64 x 64 RGB888 image; more
// only slows executions down without reaching new code.
#define MAX_ELEMENTS 16384

typedef struct {
    const uint8_t *p;
    size_t left;
} reader_t;

static uint8_t take_byte(reader_t *r) {
    if (r->left == 0) {
        return 0;
    }
    r->left--;
    return *r->p++;
}

static uint32_t take_u32(reader_t *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v |= (uint32_t)take_byte(r) << (8 * i);
    }
    return v;
}

// Mostly small ints (sizes, channel counts, enum values), powers of two (FFT lengths), or any
// int32 (the boundaries: negative, huge).
static int32_t take_int(reader_t *r) {
    uint8_t k = take_byte(r);
    if (k < 128) {
        return (int32_t)k - 8;
    }
    if (k < 192) {
        return (int32_t)(1u << (k & 31));
    }
    return (int32_t)take_u32(r);
}

// Small integers, sample rates and any float32 (NaN, infinities, denormals), rounded to
// float32 as both faces do.
static double take_real(reader_t *r) {
    uint8_t k = take_byte(r);
    if (k < 128) {
        return (double)k - 8.0;
    }
    if (k < 160) {
        return 1000.0 * (k - 128);
    }
    uint32_t bits = take_u32(r);
    float f;
    memcpy(&f, &bits, sizeof(f));
    return (double)f;
}

static size_t elem_size(char type) {
    switch (type) {
        case 'f':
        case 'i':
            return 4;
        case 'h':
        case 'H':
            return 2;
        default:
            return 1;
    }
}

// The element type a face would accept for a signature letter ('a': float or int16).
static char letter_type(char lower, uint8_t pick) {
    switch (lower) {
        case 'f':
            return 'f';
        case 's':
            return 'h';
        case 'u':
            return 'H';
        case 'i':
            return 'i';
        case 'a':
            return pick & 1 ? 'h' : 'f';
        default:
            return 'B';
    }
}

static int run(const uint8_t *data, size_t size, char *result, size_t result_len) {
    reader_t r = { data, size };
    const dsp_func_t *f = &funcs[take_byte(&r) % N_FUNCS];
    const char *bar = strchr(f->sig, '|');
    int n_req = bar ? (int)(bar - f->sig) : (int)strlen(f->sig);
    int n_max = (int)strlen(f->sig) - (bar ? 1 : 0);
    int n_args = n_req + take_byte(&r) % (n_max - n_req + 1);

    tml_dsp_arg_t a[TML_DSP_MAX_ARGS];
    void *blocks[TML_DSP_MAX_ARGS];
    int n_blocks = 0;
    const char *s = f->sig;
    for (int i = 0; i < n_args; i++, s++) {
        if (*s == '|') {
            s++;
        }
        memset(&a[i], 0, sizeof(a[i]));
        if (*s == 'n') {
            a[i].n = take_int(&r);
        } else if (*s == 'r') {
            a[i].r = (double)(float)take_real(&r);
        } else {
            char lower = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
            uint8_t pick = take_byte(&r);
            char type = letter_type(lower, pick);
            size_t len = (take_byte(&r) | (size_t)take_byte(&r) << 8) % (MAX_ELEMENTS + 1);
            if (pick & 2) {
                len &= 0xff;  // short buffers half the time: lengths near the checks' limits
            }
            size_t bytes = len * elem_size(type);
            uint8_t *block = malloc(bytes > 0 ? bytes : 1);
            if (block == NULL) {
                abort();
            }
            blocks[n_blocks++] = block;
            a[i].buf.ptr = bytes > 0 ? block : block + 1;  // an empty buffer: past its end
            a[i].buf.len = len;
            a[i].buf.type = type;
        }
    }
    // What is left fills the buffers (zeros when nothing is), each from its own offset.
    for (int b = 0, i = 0; i < n_args; i++) {
        if (a[i].buf.type == 0) {
            continue;
        }
        uint8_t *block = blocks[b++];
        size_t bytes = a[i].buf.len * elem_size(a[i].buf.type);
        if (r.left == 0) {
            memset(block, 0, bytes);
            continue;
        }
        size_t start = (13 * (size_t)i) % r.left;
        for (size_t k = 0; k < bytes;) {
            size_t chunk = r.left - start < bytes - k ? r.left - start : bytes - k;
            memcpy(block + k, r.p + start, chunk);
            k += chunk;
            start = 0;
        }
    }
    int32_t ret = INT32_MIN;
    const char *err = f->fn(a, n_args, &ret);
    if (err != NULL && err[0] == '\0') {
        fprintf(stderr, "%s: empty error message\n", f->name);
        abort();
    }
    if (err != NULL) {
        snprintf(result, result_len, "%s: error %s", f->name, err);
    } else if (ret == INT32_MIN) {
        snprintf(result, result_len, "%s: ok", f->name);
    } else {
        snprintf(result, result_len, "%s: ok %ld", f->name, (long)ret);
    }
    while (n_blocks > 0) {
        free(blocks[--n_blocks]);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char result[160];
    return run(data, size, result, sizeof(result));
}

#ifdef FUZZ_MAIN
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *fp = fopen(argv[i], "rb");
        if (fp == NULL) {
            perror(argv[i]);
            return 2;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf), fp);
        fclose(fp);
        char result[160];
        run(buf, n, result, sizeof(result));
        printf("%s\n", result);
    }
    return 0;
}
#endif
