// libFuzzer harness: any bytes through tml_load, tml_arena_size, tml_init and
// tml_invoke. No input, however corrupt, may crash, hang or touch memory
// outside the model, the work buffer and the arena.
//
// The model is copied into a heap block of exactly its size and the work
// buffer and arena are allocated at exactly the size the engine asked for, so
// AddressSanitizer catches a read or write one byte past any of them.
// Models that need more than FUZZ_MAX_ARENA bytes are rejected before
// allocation (a real model that big is fine, it just is not fuzzed here).
//
// Build (see README.md):
//   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
//     -Inative_module/engine tests/fuzz/fuzz_model.c <engine sources> -o build/fuzz/fuzz_model
// Without libFuzzer, -DFUZZ_MAIN gives a main() that runs each file named on
// the command line once (the regression inputs) and prints how it ended: the first step that
// failed with its status and message ("init: bad model: ..."), or "invoke: ok" followed by
// what the later phases gave. The regression test compares that with the file's .expected
// twin.
//
// After a model has run, fields of its buffer (chosen from the input) are changed under the
// interpreter, as a writable model buffer may be changed between calls: the engine must
// refuse changed shapes and indices and may run on changed weights, without touching memory
// outside its buffers. With libFuzzer, half the mutations rewrite whole fields (shapes,
// indices, offsets, sizes, types; see model_fields.h) with boundary values.
//
// Before that, bytes of the arena (chosen from the input, half of them in the engine's tables
// at its end) are changed, as a caller holding the arena's buffer may: tml_check_unchanged
// must refuse a changed table, and any other byte is a value the ops must survive.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_fields.h"
#include "tml.h"

#ifndef FUZZ_MAX_WORK
#define FUZZ_MAX_WORK (1u << 20)
#endif
#ifndef FUZZ_MAX_ARENA
#define FUZZ_MAX_ARENA (4u << 20)
#endif

static void fill(uint8_t *dst, size_t n, const uint8_t *src, size_t len) {
    for (size_t i = 0; i < n; i++) {
        dst[i] = len > 0 ? src[(i * 7 + 3) % len] : 0;
    }
}

static model_field_t fields[MODEL_FIELDS_MAX];

// How the last input ended, for FUZZ_MAIN: "<step>: <status>: <message>" per phase.
static char outcome[512];

static void record(const char *step, const tml_interp_t *it, tml_status_t st) {
    size_t used = strlen(outcome);
    snprintf(outcome + used, sizeof(outcome) - used, "%s%s: %s%s%s", used > 0 ? "\n" : "", step,
        tml_status_str(st), st != TML_OK && it->err_len > 0 ? ": " : "",
        st != TML_OK ? it->err_msg : "");
}

static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// What a face does on predict: check the buffers, write the inputs, invoke.
static void run_as_face(tml_interp_t *it, const char *phase) {
    tml_status_t st = tml_check_unchanged(it);
    if (st == TML_OK) {
        for (uint32_t i = 0; tml_input(it, i) != NULL; i++) {
            memset(tml_input(it, i)->data, 0x5a, tml_input(it, i)->bytes);
        }
        st = tml_invoke(it);
    }
    record(phase, it, st);
}

// Changes up to three bytes of the arena, as a caller holding its buffer may, half of them
// in the engine's tables (from it->tables_offset to the end), runs it as a face does, then
// puts the bytes back for the next phase.
static void run_arena_written(tml_interp_t *it, uint8_t *arena, size_t len, const uint8_t *data,
    size_t size) {
    if (len == 0 || size < 8) {
        return;
    }
    uint64_t state = 0;
    memcpy(&state, data + size - 8, 8);
    size_t at[3];
    uint8_t flip[3];
    for (int k = 0; k < 3; k++) {
        uint64_t r = next_random(&state);
        size_t from = r & 1 && it->tables_offset < len ? it->tables_offset : 0;
        at[k] = from + (size_t)(r >> 8) % (len - from);
        flip[k] = (uint8_t)(1 + (r >> 1) % 255);
        arena[at[k]] ^= flip[k];
    }
    run_as_face(it, "arena written");
    for (int k = 2; k >= 0; k--) {
        arena[at[k]] ^= flip[k];
    }
}

// Changes up to three fields of the model, chosen by the input's bytes, then runs it as a
// face does: check, write the inputs, invoke.
static void run_changed(tml_interp_t *it, uint8_t *model, size_t size, const uint8_t *data) {
    size_t n = model_fields(model, size, fields, MODEL_FIELDS_MAX);
    if (n == 0) {
        return;
    }
    uint64_t state = 1469598103934665603ull;
    for (size_t i = 0; i < size; i += 1 + size / 64) {
        state = (state ^ data[i]) * 1099511628211ull;
    }
    for (int k = 0; k < 3; k++) {
        // In sequence: the order of a call's arguments is unspecified (gcc and clang differ),
        // and the regressions' .expected files name outcomes of these exact edits.
        uint64_t value = next_random(&state);
        model_field_set(model, size, fields[next_random(&state) % n], value);
    }
    run_as_face(it, "model changed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // malloc'd blocks are 16-byte aligned, as the engine requires of a model.
    uint8_t *model = malloc(size > 0 ? size : 1);
    if (model == NULL) {
        return 0;
    }
    memcpy(model, data, size);
    outcome[0] = '\0';
    tml_interp_t it;
    uint8_t *work = NULL, *arena = NULL;
    tml_status_t st = tml_load(&it, model, size);
    if (st != TML_OK) {
        record("load", &it, st);
        goto done;
    }
    size_t work_len = tml_work_size(&it);
    if (work_len > FUZZ_MAX_WORK) {
        goto done;
    }
    work = malloc(work_len > 0 ? work_len : 8);
    size_t needed = 0;
    if (work == NULL) {
        goto done;
    }
    st = tml_arena_size(&it, work, work_len, &needed);
    if (st != TML_OK) {
        record("arena size", &it, st);
        goto done;
    }
    if (needed > FUZZ_MAX_ARENA) {
        goto done;
    }
    // One byte short must be refused with TML_ERR_ARENA (arena sizes are
    // multiples of 8, so needed - 1 is really needed - 8).
    arena = malloc(needed > 0 ? needed : 8);
    if (arena == NULL) {
        goto done;
    }
    if (needed >= 8 && tml_init(&it, arena, needed - 1) != TML_ERR_ARENA) {
        fprintf(stderr, "tml_init accepted %zu bytes, tml_arena_size said %zu\n", needed - 1, needed);
        abort();
    }
    st = tml_init(&it, arena, needed);
    if (st == TML_ERR_ARENA) {
        // tml_arena_size promised this size was enough.
        fprintf(stderr, "tml_init: %s (tml_arena_size said %zu)\n", it.err_msg, needed);
        abort();
    }
    if (st != TML_OK) {
        record("init", &it, st);
        goto done;
    }
    for (uint32_t i = 0; tml_input(&it, i) != NULL; i++) {
        tml_tensor_t *t = tml_input(&it, i);
        fill(t->data, t->bytes, data, size);
    }
    st = tml_invoke(&it);
    record("invoke", &it, st);
    if (st == TML_OK) {
        // Outputs must be readable in full.
        volatile uint8_t sum = 0;
        for (uint32_t i = 0; tml_output(&it, i) != NULL; i++) {
            const tml_tensor_t *t = tml_output(&it, i);
            for (uint32_t k = 0; k < t->bytes; k++) {
                sum ^= t->data[k];
            }
        }
        (void)sum;
        run_arena_written(&it, arena, needed, data, size);
        run_changed(&it, model, size, data);
    }
    if (it.err_len >= sizeof(it.err_msg) || it.err_msg[it.err_len] != '\0') {
        abort();
    }
done:
    free(arena);
    free(work);
    free(model);
    return 0;
}

#ifndef FUZZ_MAIN
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    uint64_t state = seed;
    size_t n = next_random(&state) % 2 ? model_fields(data, size, fields, MODEL_FIELDS_MAX) : 0;
    if (n == 0) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    int edits = 1 + (int)(next_random(&state) % 3);
    for (int k = 0; k < edits; k++) {
        model_field_set(data, size, fields[next_random(&state) % n], next_random(&state));
    }
    return size;
}
#endif

#ifdef FUZZ_MAIN
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            return 2;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
        if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "%s: read failed\n", argv[i]);
            return 2;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        printf("%s\n", outcome);
        free(buf);
    }
    return 0;
}
#endif
