// The MicroPython face of the DSP library: module _tinyml_dsp, the twin of CPython's
// tinyml._tinyml.dsp. The functions, their signatures and argument checks live in
// native_module/dsp/tml_dsp_glue.c; this file converts arguments and nothing else, so device
// and host features come from the same C. Python-level pipelines: device/tinyml/pipeline.py.
//
// Firmware build only for now (micropython.mk compiles native_module/dsp/*.c); the natmod
// build would need the glue messages passed without mp_raise_msg_varg.
#include <string.h>

#include "py/runtime.h"
#include "py/binary.h"

#ifndef MICROPY_PY_TINYML_DSP
#define MICROPY_PY_TINYML_DSP (1)
#endif

#if MICROPY_PY_TINYML_DSP

#include "../dsp/tml_dsp_glue.h"

// The typecode a signature letter asks for, or 0 when the buffer has another type.
static char check_type(char want, const mp_buffer_info_t *b) {
    char tc = b->typecode == BYTEARRAY_TYPECODE ? 'B' : (char)b->typecode;
    switch (want) {
        case 'f':
            return tc == 'f' ? 'f' : 0;
        case 's':
            return tc == 'h' ? 'h' : 0;
        case 'u':
            return tc == 'H' ? 'H' : 0;
        case 'i':
            return (tc == 'i' || tc == 'l') && mp_binary_get_size('@', tc, NULL) == 4 ? 'i' : 0;
        case 'a':
            return tc == 'f' || tc == 'h' ? tc : 0;
        default:
            return 'B';
    }
}

static mp_obj_t dsp_call(tml_dsp_glue_fn_t fn, const char *sig, size_t n_args,
    const mp_obj_t *args) {
    const char *bar = strchr(sig, '|');
    size_t n_req = bar ? (size_t)(bar - sig) : strlen(sig);
    size_t n_max = strlen(sig) - (bar ? 1 : 0);
    if (n_args < n_req || n_args > n_max) {
        mp_raise_TypeError(MP_ERROR_TEXT("wrong number of arguments"));
    }
    tml_dsp_arg_t a[TML_DSP_MAX_ARGS];
    const char *s = sig;
    for (size_t i = 0; i < n_args; i++, s++) {
        if (*s == '|') {
            s++;
        }
        memset(&a[i], 0, sizeof(a[i]));
        if (*s == 'n') {
            a[i].n = (int32_t)mp_obj_get_int(args[i]);
            continue;
        }
        if (*s == 'r') {
            // float32 on every build, as the CPython face does (tml_dsp_glue.h).
            a[i].r = (double)(float)mp_obj_get_float(args[i]);
            continue;
        }
        char lower = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
        mp_buffer_info_t b;
        mp_get_buffer_raise(args[i], &b, *s != lower ? MP_BUFFER_WRITE : MP_BUFFER_READ);
        char type = check_type(lower, &b);
        if (type == 0) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("argument %d must be %s"),
                (int)i + 1, lower == 'f' ? "array('f')" : lower == 's' ? "array('h')"
                : lower == 'u' ? "array('H')" : lower == 'i' ? "array('i')"
                : "array('f') or array('h')");
        }
        a[i].buf.ptr = b.buf;
        a[i].buf.type = type;
        a[i].buf.len = type == 'B' ? b.len : b.len / mp_binary_get_size('@', type, NULL);
    }
    int32_t ret = INT32_MIN;
    const char *err = fn(a, (int)n_args, &ret);
    if (err != NULL) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s"), err);
    }
    return ret == INT32_MIN ? mp_const_none : mp_obj_new_int(ret);
}

#define DSP_WRAPPER(name, sig) \
    static mp_obj_t dsp_##name(size_t n_args, const mp_obj_t * args) { \
        return dsp_call(tml_dsp_glue_##name, sig, n_args, args); \
    } \
    static MP_DEFINE_CONST_FUN_OBJ_VAR(dsp_##name##_obj, 0, dsp_##name);
TML_DSP_FUNCS(DSP_WRAPPER)

#define DSP_ENTRY(name, sig) { MP_ROM_QSTR(MP_QSTR_##name), MP_ROM_PTR(&dsp_##name##_obj) },
static const mp_rom_map_elem_t dsp_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__tinyml_dsp) },
    TML_DSP_FUNCS(DSP_ENTRY)
};
static MP_DEFINE_CONST_DICT(dsp_module_globals, dsp_module_globals_table);

const mp_obj_module_t tinyml_dsp_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&dsp_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__tinyml_dsp, tinyml_dsp_user_cmodule);

#endif // MICROPY_PY_TINYML_DSP
