// The engine gives TFLite Micro's bytes on every golden case of
// data/kernel_cases.h (one-layer int8 models that reach every fast path of
// the convolution dispatchers and their reference fallbacks; see
// gen/gen_kernel_cases.py). Built for the host with and without fast paths
// (test_c.py) and for each emulated Cortex-M core (test_cortex_m.py).
#include "tml_test.h"
#include "tml.h"
#include "data/kernel_cases.h"

static uint64_t work_mem[4096];
static uint64_t arena_mem[16384];

static void run_case(const kernel_case_t *c) {
    tml_interp_t it;
    size_t needed = 0;
    tml_status_t st = tml_load(&it, c->model, c->model_len);
    if (st == TML_OK && tml_work_size(&it) > sizeof(work_mem)) {
        st = TML_ERR_ARENA;
    }
    if (st == TML_OK) {
        st = tml_arena_size(&it, work_mem, sizeof(work_mem), &needed);
    }
    if (st == TML_OK && needed > sizeof(arena_mem)) {
        st = TML_ERR_ARENA;
    }
    if (st == TML_OK) {
        st = tml_init(&it, arena_mem, needed);
    }
    tml_tensor_t *in = st == TML_OK ? tml_input(&it, 0) : NULL;
    tml_tensor_t *out = st == TML_OK ? tml_output(&it, 0) : NULL;
    if (in == NULL || out == NULL || in->bytes != c->input_len || out->bytes != c->output_len) {
        TEST_FAIL_AT_("%s: cannot run (status %d)", c->name, (int)st);
        return;
    }
    memcpy(in->data, c->input, c->input_len);
    st = tml_invoke(&it);
    test_checks++;
    if (st != TML_OK || memcmp(out->data, c->output, c->output_len) != 0) {
        uint32_t first = 0;
        while (first < c->output_len && ((const int8_t *)out->data)[first] == c->output[first]) {
            first++;
        }
        TEST_FAIL_AT_("%s: status %d, output differs from TFLite Micro's first at byte %u",
            c->name, (int)st, (unsigned)first);
    }
}

TEST(golden_cases_equal_tflite_micro) {
    for (size_t i = 0; i < sizeof(kernel_cases) / sizeof(kernel_cases[0]); i++) {
        run_case(&kernel_cases[i]);
    }
}

int main(void) {
    RUN_TEST(golden_cases_equal_tflite_micro);
    return test_report();
}
