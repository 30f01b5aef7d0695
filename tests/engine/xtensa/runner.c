// The engine's model runner, the same C on an emulated Xtensa LX106 core and on the host.
//
//     runner MODEL INPUT
//
// Loads MODEL (a .tflite file) into RAM, runs it once on the bytes of INPUT (every input tensor
// in order, back to back) and prints, one item a line:
//     abi char=<signed|unsigned> long=<bytes> pointer=<bytes>
//     arena <bytes>
//     output <index> <hex bytes>
//     calibration <ticks> <instructions>   a loop of known length (lx106 only)
//     invoke <ticks>                       the tml_invoke() call alone (lx106 only)
// or `error <status>: <message>` with exit status 1 when the engine refuses the model, and
// `error io: ...` with status 2 when a file cannot be read.
//
// The platform layer (runner.h) is sim.c on the emulated core (QEMU `sim` machine, semihosting)
// and host.c on the host, where tests/engine/test_xtensa.py also builds it with the alignment
// sanitizer. Only the engine and these files run.
#include <stdint.h>
#include <string.h>

#include "runner.h"
#include "tml.h"

static void put_uint(uint32_t v) {
    char buf[11];
    int i = sizeof(buf);
    buf[--i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rt_put(buf + i);
}

static void put_hex(const uint8_t *p, uint32_t n) {
    static const char digits[] = "0123456789abcdef";
    char buf[129];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        buf[k++] = digits[p[i] >> 4];
        buf[k++] = digits[p[i] & 15];
        if (k == sizeof(buf) - 1 || i + 1 == n) {
            buf[k] = 0;
            rt_put(buf);
            k = 0;
        }
    }
}

static int fail(const char *what, const char *detail) {
    rt_put("error ");
    rt_put(what);
    rt_put(detail);
    rt_put("\n");
    return 2;
}

static int engine_error(tml_interp_t *it, tml_status_t st) {
    rt_put("error ");
    rt_put(tml_status_str(st));
    rt_put(": ");
    rt_put(it->err_len > 0 ? it->err_msg : tml_status_str(st));  // as the faces do
    rt_put("\n");
    return 1;
}

static int run(const char *model_path, const char *input_path) {
    uint32_t model_len, input_len;
    const uint8_t *model = rt_read(model_path, &model_len);
    if (model == NULL) {
        return fail("io: cannot read ", model_path);
    }
    const uint8_t *input = rt_read(input_path, &input_len);
    if (input == NULL) {
        return fail("io: cannot read ", input_path);
    }

    static tml_interp_t it;
    tml_status_t st = tml_load(&it, model, model_len);
    if (st != TML_OK) {
        return engine_error(&it, st);
    }
    size_t work_len = tml_work_size(&it), need = 0;
    void *work = rt_alloc(work_len);
    if (work == NULL) {
        return fail("io: ", "no RAM for the work buffer");
    }
    st = tml_arena_size(&it, work, work_len, &need);
    if (st != TML_OK) {
        return engine_error(&it, st);
    }
    void *arena = rt_alloc(need);
    if (arena == NULL) {
        return fail("io: ", "no RAM for the arena");
    }
    st = tml_init(&it, arena, need);
    if (st != TML_OK) {
        return engine_error(&it, st);
    }
    rt_put("abi char=");
    rt_put((char)-1 < 0 ? "signed" : "unsigned");
    rt_put(" long=");
    put_uint(sizeof(long));
    rt_put(" pointer=");
    put_uint(sizeof(void *));
    rt_put("\narena ");
    put_uint(need);
    rt_put("\n");

    uint32_t offset = 0;
    for (uint32_t i = 0; i < it.n_inputs; i++) {
        tml_tensor_t *t = tml_input(&it, i);
        if (t->bytes > input_len - offset) {
            return fail("io: input file too short for ", input_path);
        }
        memcpy(t->data, input + offset, t->bytes);
        offset += t->bytes;
    }
    if (offset != input_len) {
        return fail("io: input file too long for ", input_path);
    }

    uint32_t t0 = rt_ticks();
    st = tml_invoke(&it);
    uint32_t ticks = rt_ticks() - t0;
    if (st != TML_OK) {
        return engine_error(&it, st);
    }
    for (uint32_t i = 0; i < it.n_outputs; i++) {
        tml_tensor_t *t = tml_output(&it, i);
        rt_put("output ");
        put_uint(i);
        rt_put(" ");
        put_hex(t->data, t->bytes);
        rt_put("\n");
    }
    rt_put("calibration ");
    put_uint(rt_calibrate());
    rt_put(" ");
    put_uint(RT_CALIBRATION_INSTRUCTIONS);
    rt_put("\ninvoke ");
    put_uint(ticks);
    rt_put("\n");
    return 0;
}

int runner_main(int argc, char **argv) {
    if (argc != 3) {
        return fail("io: ", "usage: runner MODEL INPUT");
    }
    return run(argv[1], argv[2]);
}
