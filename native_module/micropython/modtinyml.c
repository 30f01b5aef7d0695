// The MicroPython face of the engine: the _tinyml module and its Model type.
//
// One source, two builds (MicroPython's examples/natmod/framebuf, emlearn-micropython):
// - user C module in firmware (micropython.mk / micropython.cmake): the type, its locals and
//   the module are const and the module registers with MP_REGISTER_MODULE;
// - dynamic native module (Makefile, py/dynruntime.mk): MICROPY_ENABLE_DYNRUNTIME is set, the
//   type and its locals are rebuilt in mpy_init, and the few libc calls of the engine go
//   through mp_fun_table. A native module has no writable static data, so every global here
//   is uninitialised (BSS) and written only in mpy_init.
//
// The face converts Python objects and owns memory: the arena (m_new'd, or the caller's
// buffer) and a reference to the model's buffer object, both reachable from the Model object
// so the GC frees them with it. Everything else belongs to the engine (tml.h). Behaviour and
// messages match the CPython face (native_module/cpython/_tinyml.c). What needs no C (paths,
// labels, classify) is Python, once for both faces: device/tinyml/model.py.

#if MICROPY_ENABLE_DYNRUNTIME
#include "py/dynruntime.h"
#define MICROPY_PY_TINYML (1)
#else
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/binary.h"
#include "py/objstr.h"
#endif
#include "py/objarray.h"

#ifndef MICROPY_PY_TINYML
#define MICROPY_PY_TINYML (1)
#endif

#if MICROPY_PY_TINYML

#include <string.h>

#include "tml.h"

#define TINYML_VERSION "0.1.0"

// OpenMV builds (which define MICROPY_PY_TINYML_OPENMV) take an image.Image as input. That
// path cannot be built here (it needs OpenMV's imlib); it is kept small and plain.
#ifndef MICROPY_PY_TINYML_OPENMV
#define MICROPY_PY_TINYML_OPENMV (0)
#endif
#if MICROPY_PY_TINYML_OPENMV && !MICROPY_ENABLE_DYNRUNTIME
#include "py_image.h"
extern const mp_obj_type_t py_image_type;
#endif

#ifndef MP_NORETURN
#define MP_NORETURN NORETURN
#endif

#if MICROPY_ENABLE_DYNRUNTIME
// A native module links no libc: the engine's few calls go to the firmware or are written out.
void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}

void *memmove(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

void *memcpy(void *dest, const void *src, size_t n) {
    return mp_fun_table.memmove_(dest, src, n);
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = a, *q = b;
    for (; n > 0; n--, p++, q++) {
        if (*p != *q) {
            return *p - *q;
        }
    }
    return 0;
}

size_t strlen(const char *s) {
    const char *p = s;
    while (*p) {
        p++;
    }
    return p - s;
}

// Argument tables hold qstrs, which a native module only knows at load time.
#define TINYML_ARG_TABLE
#define TINYML_FLOAT(f) mp_obj_new_float_from_f(f)
#define TINYML_GET_FLOAT(o) mp_obj_get_float_to_f(o)
#define tinyml_type_float ((const mp_obj_type_t *)MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_float)))
#define tinyml_type_memoryview ((const mp_obj_type_t *)MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_memoryview)))

mp_obj_full_type_t tinyml_model_type;
mp_obj_t tinyml_array_type;   // array.array, looked up in mpy_init
mp_obj_t tinyml_ticks_us_fun; // time.ticks_us, likewise

static uint32_t ticks_us(void) {
    return mp_obj_get_int_truncated(mp_call_function_n_kw(tinyml_ticks_us_fun, 0, 0, NULL));
}
#else
#define TINYML_ARG_TABLE static const
#define TINYML_FLOAT(f) mp_obj_new_float((mp_float_t)(f))
#define TINYML_GET_FLOAT(o) ((float)mp_obj_get_float(o))
#define tinyml_type_float (&mp_type_float)
#define tinyml_type_memoryview (&mp_type_memoryview)
#define tinyml_array_type MP_OBJ_FROM_PTR(&mp_type_array)

static uint32_t ticks_us(void) {
    return (uint32_t)mp_hal_ticks_us();
}
#endif

//| """Run TensorFlow Lite models: the C module behind ``tinyml`` (``import tinyml``).
//|
//| The same API runs on CPython as ``tinyml._tinyml``, with the device's arithmetic.
//| """
//|
//| from array import array
//| from collections.abc import Sequence
//| from typing import TypeAlias
//|
//| _Real: TypeAlias = float | int | bool
//| _Input: TypeAlias = (
//|     Sequence[_Real | Sequence[_Real] | Sequence[Sequence[_Real]]]
//|     | array
//|     | bytes
//|     | bytearray
//|     | memoryview
//| )
//| """Real values (a flat or nested list/tuple, array 'f'/'d', a ulab ndarray) are quantized
//| with TFLite's rounding; bytes, bytearray, memoryview and arrays whose typecode matches the
//| input tensor ('b', 'B', 'h', 'i') are taken as already quantized."""
//|
//| __version__: str
//|
typedef struct _tinyml_model_obj_t {
    mp_obj_base_t base;
    mp_obj_t src;        // the object holding the model bytes (the engine reads them in place)
    mp_obj_t arena_obj;  // the caller's arena buffer, or MP_OBJ_NULL
    uint8_t *arena;      // start of the arena (m_new'd, or inside arena_obj)
    uint32_t *node_us;   // per-op times of the last invoke
    bool profiled;
    bool in_place;       // the engine reads the model where it lies (no heap copy)
    tml_interp_t it;
} tinyml_model_obj_t;

// ---- errors ----------------------------------------------------------------------------
// A native module has no mp_raise_msg_varg: messages with numbers are built here, the same
// text as the CPython face prints.

typedef struct {
    size_t len;
    char buf[TML_ERR_MSG_LEN + 32];
} msg_t;

static void msg_add(msg_t *m, const char *s, size_t n) {
    for (; n > 0 && m->len < sizeof(m->buf); n--) {
        m->buf[m->len++] = *s++;
    }
}

static void msg_str(msg_t *m, const char *s) {
    msg_add(m, s, strlen(s));
}

static void msg_int(msg_t *m, mp_int_t v) {
    char digits[24];
    size_t n = 0;
    mp_uint_t u = v < 0 ? -(mp_uint_t)v : (mp_uint_t)v;
    do {
        digits[sizeof(digits) - ++n] = '0' + u % 10;
        u /= 10;
    } while (u > 0);
    if (v < 0) {
        digits[sizeof(digits) - ++n] = '-';
    }
    msg_add(m, digits + sizeof(digits) - n, n);
}

static void msg_type_name(msg_t *m, mp_obj_t o) {
    size_t n;
    const char *s = (const char *)mp_obj_str_get_data(MP_OBJ_NEW_QSTR(mp_obj_get_type(o)->name), &n);
    msg_add(m, s, n);
}

static mp_obj_t msg_obj(const msg_t *m) {
    return mp_obj_new_str(m->buf, m->len);
}

static MP_NORETURN void msg_raise(const msg_t *m, const mp_obj_type_t *type) {
    mp_raise_type_arg(type, msg_obj(m));
}

// "expected <n> <what>, got <got>"
static MP_NORETURN void raise_count(mp_uint_t expected, const char *what, mp_uint_t got) {
    msg_t m = { 0 };
    msg_str(&m, "expected ");
    msg_int(&m, expected);
    msg_str(&m, what);
    msg_int(&m, got);
    msg_raise(&m, &mp_type_ValueError);
}

// The one place an engine status becomes an exception (README "Errors", as the CPython face
// does): NotImplementedError for an op or type the engine lacks, RuntimeError for a bug of
// ours, ValueError for the rest (a corrupt model, a small arena, a bad argument).
static MP_NORETURN void raise_status(const tml_interp_t *it, tml_status_t st) {
    const mp_obj_type_t *type = st == TML_ERR_UNSUPPORTED ? &mp_type_NotImplementedError
        : st == TML_ERR_INTERNAL ? &mp_type_RuntimeError : &mp_type_ValueError;
    const char *text = it->err_len > 0 ? it->err_msg : tml_status_str(st);
    size_t len = it->err_len > 0 ? it->err_len : strlen(text);
    mp_raise_type_arg(type, mp_obj_new_str(text, len));
}

static void check(const tml_interp_t *it, tml_status_t st) {
    if (st != TML_OK) {
        raise_status(it, st);
    }
}

// ---- helpers ---------------------------------------------------------------------------

static bool is_type(mp_obj_t o, const mp_obj_type_t *type) {
    return mp_obj_is_obj(o) && mp_obj_get_type(o) == type;
}

// A str, asked of the firmware: a native module's mp_obj_is_str() decodes object tags as the
// headers it was built with did, and a later firmware with the same .mpy ABI may tag some
// interned strings differently (OpenMV's firmware on MicroPython 1.29 does).
static bool is_str(mp_obj_t o) {
    return mp_obj_get_type(o) == &mp_type_str;
}

static bool is_sequence(mp_obj_t o) {
    return is_type(o, &mp_type_list) || is_type(o, &mp_type_tuple);
}

// int, bool or float: what CPython's float() takes without a __float__ method.
static bool is_number(mp_obj_t o) {
    if (mp_obj_is_small_int(o) || o == mp_const_true || o == mp_const_false) {
        return true;
    }
    const mp_obj_type_t *type = mp_obj_get_type(o);
    return type == &mp_type_int || type == tinyml_type_float;
}

static mp_obj_t new_str(const char *s) {
    return s == NULL ? mp_const_none : mp_obj_new_str(s, strlen(s));
}

// An array('f') of n elements, left for the caller to fill.
static mp_obj_t new_float_array(size_t n) {
    mp_obj_array_t *o = mp_obj_malloc(mp_obj_array_t, MP_OBJ_TO_PTR(tinyml_array_type));
    o->typecode = 'f';
    o->free = 0;
    o->len = n;
    o->items = m_new(float, n > 0 ? n : 1);
    return MP_OBJ_FROM_PTR(o);
}

// ---- Model(src, *, arena=None) -----------------------------------------------------------

//| class Model:
//|     """The engine's side of a model: tinyml.Model (device/tinyml/model.py) wraps it."""
//|
//|     def __init__(
//|         self,
//|         src: bytes | bytearray | memoryview,
//|         *,
//|         arena: int | bytearray | memoryview | None = None,
//|     ) -> None:
//|         """Load a model from a buffer (or a memory-mapped file), used in place when it is
//|         4-byte aligned and copied to the heap once otherwise (``in_place`` tells which).
//|
//|         ``arena``: None for exactly what the model needs, an int for that many bytes, or a
//|         writable buffer to use.
//|
//|         ValueError for a corrupt model or an arena too small (the message gives the bytes
//|         needed); NotImplementedError for an op or type the engine lacks; TypeError for
//|         arguments of the wrong kind.
//|         """
//|
static mp_obj_t tinyml_model_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
    const mp_obj_t *all_args) {
    enum { ARG_src, ARG_arena };
    TINYML_ARG_TABLE mp_arg_t allowed_args[] = {
        { MP_QSTR_src, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_arena, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    tinyml_model_obj_t *self = mp_obj_malloc(tinyml_model_obj_t, type);
    self->arena_obj = MP_OBJ_NULL;
    self->profiled = false;
    tml_interp_t *it = &self->it;

    // The model: a buffer, or a memory-mapped file, read where it lies.
    mp_obj_t src = args[ARG_src].u_obj;
    self->in_place = true;
    mp_buffer_info_t model;
    if (!mp_get_buffer(src, &model, MP_BUFFER_READ)) {
        mp_raise_TypeError(MP_ERROR_TEXT("model must be a path or a bytes-like object"));
    }
    // The engine reads words in place and needs 4-byte alignment. Tools that do not align
    // files (mpremote romfs build) can leave a model anywhere: such a model is copied once
    // to the heap, which is aligned; an aligned image (tinyml push --romfs) avoids the copy.
    if (((uintptr_t)model.buf & 3) != 0 && model.len >= 8) {
        uint8_t *copy = m_new(uint8_t, model.len);
        memcpy(copy, model.buf, model.len);
        src = mp_obj_new_bytearray_by_ref(model.len, copy);
        model.buf = copy;
        self->in_place = false;
    }
    self->src = src;
    check(it, tml_load(it, model.buf, model.len));

    // Measure the arena in a temporary work buffer.
    size_t work_len = tml_work_size(it), needed = 0;
    uint8_t *work = m_new(uint8_t, work_len > 0 ? work_len : 8);
    tml_status_t st = tml_arena_size(it, work, work_len, &needed);
    m_del(uint8_t, work, work_len > 0 ? work_len : 8);
    check(it, st);

    // The arena: exactly what the model needs, a size, or the caller's buffer.
    mp_obj_t arena = args[ARG_arena].u_obj;
    size_t arena_len;
    if (arena == MP_OBJ_NULL || arena == mp_const_none) {
        arena_len = needed;
        self->arena = m_new(uint8_t, arena_len > 0 ? arena_len : 8);
    } else if (mp_obj_is_int(arena)) {
        mp_int_t n = mp_obj_get_int(arena);
        if (n < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("arena size must be positive"));
        }
        // The engine uses exactly `needed` bytes: allocate no more than that.
        arena_len = (size_t)n < needed ? (size_t)n : needed;
        self->arena = m_new(uint8_t, arena_len > 0 ? arena_len : 8);
    } else {
        mp_buffer_info_t buf;
        if (!mp_get_buffer(arena, &buf, MP_BUFFER_WRITE)) {
            mp_raise_TypeError(MP_ERROR_TEXT("arena must be None, an int or a writable buffer"));
        }
        self->arena_obj = arena;
        self->arena = buf.buf;
        arena_len = buf.len;
    }
    check(it, tml_init(it, self->arena, arena_len));

    self->node_us = m_new(uint32_t, it->n_nodes > 0 ? it->n_nodes : 1);
    it->ticks_us = ticks_us;
    it->node_us = self->node_us;
    return MP_OBJ_FROM_PTR(self);
}

// ---- raw interface: input(i=0), output(i=0), invoke() -----------------------------------

// The engine keeps pointers into the model and the arena: a bytearray resized since loading
// (which may have moved or shrunk it) must not be used.
static void check_buffers_unchanged(tinyml_model_obj_t *self) {
    mp_buffer_info_t buf;
    if (!mp_get_buffer(self->src, &buf, MP_BUFFER_READ) || buf.buf != self->it.model
        || buf.len != self->it.model_len) {
        mp_raise_ValueError(MP_ERROR_TEXT("model buffer was resized after loading: load the model again"));
    }
    if (self->arena_obj != MP_OBJ_NULL && (!mp_get_buffer(self->arena_obj, &buf, MP_BUFFER_WRITE)
                                           || buf.buf != self->arena || buf.len < self->it.arena_len)) {
        mp_raise_ValueError(MP_ERROR_TEXT("arena buffer was resized after loading: load the model again"));
    }
}

// Before the face itself reads shapes or writes tensors (tml_invoke checks for itself).
static void check_model_unchanged(tinyml_model_obj_t *self) {
    check_buffers_unchanged(self);
    check(&self->it, tml_check_unchanged(&self->it));
}

static tml_tensor_t *tensor_arg(tinyml_model_obj_t *self, size_t n_args, const mp_obj_t *args,
    bool output) {
    check_model_unchanged(self);
    mp_int_t i = n_args > 1 ? mp_obj_get_int(args[1]) : 0;
    mp_int_t count = output ? self->it.n_outputs : self->it.n_inputs;
    tml_tensor_t *t = i < 0 || i >= count ? NULL : output ? tml_output(&self->it, i) : tml_input(&self->it, i);
    if (t == NULL) {
        msg_t m = { 0 };
        msg_str(&m, output ? "model has no output " : "model has no input ");
        msg_int(&m, i);
        msg_raise(&m, &mp_type_IndexError);
    }
    return t;
}

// A writable memoryview over a tensor's bytes. It points at the start of the arena and views
// it from the tensor's offset, so the view alone keeps the arena alive.
static mp_obj_t tensor_view(tinyml_model_obj_t *self, tml_tensor_t *t) {
    uint8_t *base = self->arena;
    if (t->data < base || t->data + t->bytes > base + self->it.arena_len) {
        base = t->data;
    }
    size_t offset = t->data - base;
    #if MICROPY_ENABLE_DYNRUNTIME
    mp_obj_t whole = mp_obj_new_bytearray_by_ref(offset + t->bytes, base);
    mp_obj_t view = mp_call_function_n_kw(mp_load_global(MP_QSTR_memoryview), 1, 0, &whole);
    mp_obj_t slice = mp_fun_table.new_slice(MP_OBJ_NEW_SMALL_INT(offset),
        MP_OBJ_NEW_SMALL_INT(offset + t->bytes), mp_const_none);
    return mp_obj_subscr(view, slice, MP_OBJ_SENTINEL);
    #else
    mp_obj_array_t *view = MP_OBJ_TO_PTR(mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW,
        t->bytes, base));
    view->free = offset;  // a memoryview keeps its offset into items in `free` (objarray.h)
    return MP_OBJ_FROM_PTR(view);
    #endif
}

//|     def input(self, i: int = 0) -> memoryview:
//|         """A writable view of input tensor ``i``'s bytes in the arena, for pipelines that
//|         write features in place before ``invoke()``. IndexError if there is no such input."""
//|
static mp_obj_t tinyml_model_input(size_t n_args, const mp_obj_t *args) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    return tensor_view(self, tensor_arg(self, n_args, args, false));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(tinyml_model_input_obj, 1, 2, tinyml_model_input);

//|     def output(self, i: int = 0) -> memoryview:
//|         """A view of output tensor ``i``'s bytes (raw, quantized) after ``invoke()``."""
//|
static mp_obj_t tinyml_model_output(size_t n_args, const mp_obj_t *args) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    return tensor_view(self, tensor_arg(self, n_args, args, true));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(tinyml_model_output_obj, 1, 2, tinyml_model_output);

static void invoke(tinyml_model_obj_t *self) {
    check_buffers_unchanged(self);
    check(&self->it, tml_invoke(&self->it));
    self->profiled = true;
}

//|     def invoke(self) -> None:
//|         """Run the model on what the input tensors hold. Allocates nothing."""
//|
static mp_obj_t tinyml_model_invoke(mp_obj_t self_in) {
    invoke(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(tinyml_model_invoke_obj, tinyml_model_invoke);

//|     def reset(self) -> None:
//|         """Clear the state recurrent ops (SVDF, LSTM) and resource variables carry from
//|         one invoke to the next, as TFLite Micro's Reset() does: start a new stream."""
//|
static mp_obj_t tinyml_model_reset(mp_obj_t self_in) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    check_buffers_unchanged(self);  // it writes the arena
    check(&self->it, tml_reset_variables(&self->it));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(tinyml_model_reset_obj, tinyml_model_reset);

// ---- input conversion --------------------------------------------------------------------

// The array typecode of a tensor type, for buffers already in the tensor's representation.
static char dtype_typecode(int32_t type) {
    switch (type) {
        case TML_INT8:
            return 'b';
        case TML_UINT8:
            return 'B';
        case TML_INT16:
            return 'h';
        case TML_INT32:
            return 'i';
        case TML_FLOAT32:
            return 'f';
        default:
            return 0;
    }
}

// Flattens nested lists/tuples of numbers into t as real values; *n counts the elements.
// Nesting deeper than the tensor's rank is refused, which also ends a list that holds itself.
static void fill_from_sequence(tml_tensor_t *t, mp_obj_t seq, uint32_t *n, uint32_t total,
    uint32_t depth) {
    uint32_t max_depth = t->ndim > 0 ? t->ndim : 1;
    if (depth > max_depth) {
        msg_t m = { 0 };
        msg_str(&m, "input is nested deeper than the input tensor's ");
        msg_int(&m, max_depth);
        msg_str(&m, " dimensions");
        msg_raise(&m, &mp_type_ValueError);
    }
    size_t len;
    mp_obj_t *items;
    mp_obj_get_array(seq, &len, &items);
    for (size_t i = 0; i < len; i++) {
        mp_obj_t item = items[i];
        if (is_sequence(item)) {
            fill_from_sequence(t, item, n, total, depth + 1);
            continue;
        }
        if (!is_number(item)) {
            msg_t m = { 0 };
            msg_str(&m, "expected numbers, got ");
            msg_type_name(&m, item);
            msg_raise(&m, &mp_type_TypeError);
        }
        float v = TINYML_GET_FLOAT(item);
        // An int beyond float range, as CPython's float() refuses it (inf - inf is NaN).
        if (!mp_obj_is_small_int(item) && mp_obj_get_type(item) == &mp_type_int && v - v != 0.0f) {
            mp_raise_ValueError(MP_ERROR_TEXT("input value out of float range"));
        }
        if (*n < total) {
            tml_tensor_set_f32(t, *n, v);
        }
        (*n)++;
    }
}

// Buffers: 'f'/'d' arrays hold real values (quantized here); bytes, bytearray and byte
// memoryviews, or arrays whose typecode matches the tensor, are copied as they are.
static void fill_from_buffer(tml_tensor_t *t, mp_obj_t x, const mp_buffer_info_t *buf) {
    uint32_t total = tml_elements(t);
    char tc = buf->typecode;
    bool raw_bytes = tc == BYTEARRAY_TYPECODE
        || (tc == 'B' && (is_type(x, &mp_type_bytes) || is_type(x, tinyml_type_memoryview)));
    size_t itemsize = raw_bytes ? 1 : mp_binary_get_size('@', tc, NULL);
    if (itemsize == 0) {
        itemsize = 1;
    }
    size_t count = buf->len / itemsize;
    const uint8_t *p = buf->buf;
    if (!raw_bytes && (tc == 'f' || tc == 'd')) {
        if (count != total) {
            raise_count(total, " values, got ", count);
        }
        for (uint32_t i = 0; i < total; i++) {
            float v;
            if (tc == 'f') {
                memcpy(&v, p + 4 * i, 4);
            } else {
                double d;
                memcpy(&d, p + 8 * i, 8);
                v = (float)d;
            }
            tml_tensor_set_f32(t, i, v);
        }
    } else if (raw_bytes || tc == dtype_typecode(t->type)) {
        if (buf->len != t->bytes) {
            if (raw_bytes) {
                raise_count(t->bytes, " bytes, got ", buf->len);
            }
            raise_count(total, " values, got ", count);
        }
        memcpy(t->data, p, t->bytes);
    } else {
        msg_t m = { 0 };
        msg_str(&m, "input of format '");
        msg_add(&m, &tc, 1);
        msg_str(&m, "' does not match the ");
        msg_str(&m, tml_type_name(t->type));
        msg_str(&m, " input tensor");
        msg_raise(&m, &mp_type_TypeError);
    }
}

#if MICROPY_PY_TINYML_OPENMV && !MICROPY_ENABLE_DYNRUNTIME
// An OpenMV image of the tensor's width and height, grayscale for one channel or RGB565 for
// three. Pixels 0..255 go in as OpenMV's ml module feeds them: as they are for uint8, minus
// 128 for int8, and scaled to 0..1 for float32. Untested here: it needs an OpenMV build.
static void fill_from_image(tml_tensor_t *t, mp_obj_t x) {
    image_t *img = py_image_cobj(x);
    if (t->ndim != 4) {
        mp_raise_ValueError(MP_ERROR_TEXT("image input needs a (1, h, w, c) tensor"));
    }
    int32_t h = t->dims[1], w = t->dims[2], c = t->dims[3];
    if (img->w != w || img->h != h
        || !((c == 1 && img->pixfmt == PIXFORMAT_GRAYSCALE) || (c == 3 && img->pixfmt == PIXFORMAT_RGB565))) {
        mp_raise_ValueError(MP_ERROR_TEXT("image does not match the input tensor"));
    }
    uint32_t i = 0;
    for (int32_t y = 0; y < h; y++) {
        for (int32_t xx = 0; xx < w; xx++) {
            uint8_t px[3];
            if (c == 1) {
                px[0] = IMAGE_GET_GRAYSCALE_PIXEL(img, xx, y);
            } else {
                uint16_t rgb = IMAGE_GET_RGB565_PIXEL(img, xx, y);
                px[0] = COLOR_RGB565_TO_R8(rgb);
                px[1] = COLOR_RGB565_TO_G8(rgb);
                px[2] = COLOR_RGB565_TO_B8(rgb);
            }
            for (int32_t k = 0; k < c; k++, i++) {
                if (t->type == TML_UINT8) {
                    t->data[i] = px[k];
                } else if (t->type == TML_INT8) {
                    ((int8_t *)t->data)[i] = (int8_t)(px[k] - 128);
                } else {
                    tml_tensor_set_f32(t, i, px[k] * (1.0f / 255.0f));
                }
            }
        }
    }
}
#endif

static void fill_input(tml_tensor_t *t, mp_obj_t x) {
    if (is_sequence(x)) {
        uint32_t total = tml_elements(t), n = 0;
        fill_from_sequence(t, x, &n, total, 1);
        if (n != total) {
            raise_count(total, " values, got ", n);
        }
        return;
    }
    #if MICROPY_PY_TINYML_OPENMV && !MICROPY_ENABLE_DYNRUNTIME
    if (mp_obj_is_type(x, &py_image_type)) {
        fill_from_image(t, x);
        return;
    }
    #endif
    mp_buffer_info_t buf;
    if (!is_str(x) && mp_get_buffer(x, &buf, MP_BUFFER_READ)) {
        fill_from_buffer(t, x, &buf);
        return;
    }
    msg_t m = { 0 };
    msg_str(&m, "unsupported input type ");
    msg_type_name(&m, x);
    msg_raise(&m, &mp_type_TypeError);
}

// Fills every input from x (a tuple of inputs when the model has several) and invokes.
static void run(tinyml_model_obj_t *self, mp_obj_t x) {
    check_model_unchanged(self);
    tml_interp_t *it = &self->it;
    size_t n = 1;
    mp_obj_t *xs = &x;
    if (it->n_inputs > 1) {
        if (is_type(x, &mp_type_tuple)) {
            mp_obj_get_array(x, &n, &xs);
        }
        if (n != it->n_inputs) {
            msg_t m = { 0 };
            msg_str(&m, "model has ");
            msg_int(&m, it->n_inputs);
            msg_str(&m, " inputs: pass a tuple of ");
            msg_int(&m, it->n_inputs);
            msg_str(&m, " inputs");
            msg_raise(&m, &mp_type_TypeError);
        }
    }
    for (uint32_t i = 0; i < it->n_inputs; i++) {
        tml_tensor_t *t = tml_input(it, i);
        if (!tml_tensor_real_io(t)) {
            msg_t m = { 0 };
            msg_str(&m, tml_type_name(t->type));
            msg_str(&m, " input not supported");
            msg_raise(&m, &mp_type_NotImplementedError);
        }
        fill_input(t, xs[i]);
    }
    invoke(self);
}

// ---- predict(x, out=None) ------------------------------------------------------------------

// Dequantizes output t into out, an array('f') of the right length. Allocates nothing.
static void dequantize_into(const tml_tensor_t *t, mp_obj_t out) {
    mp_buffer_info_t buf;
    if (!mp_get_buffer(out, &buf, MP_BUFFER_WRITE) || buf.typecode != 'f') {
        mp_raise_TypeError(MP_ERROR_TEXT("out must be an array('f')"));
    }
    uint32_t n = tml_elements(t);
    if (buf.len != (size_t)n * 4) {
        msg_t m = { 0 };
        msg_str(&m, "out must hold ");
        msg_int(&m, n);
        msg_str(&m, " floats, got ");
        msg_int(&m, buf.len / 4);
        msg_raise(&m, &mp_type_ValueError);
    }
    uint8_t *p = buf.buf;
    if (((uintptr_t)p & 3) == 0) {
        tml_tensor_get_f32_all(t, (float *)(void *)p);
        return;
    }
    // A float store to an unaligned address faults on Cortex-M.
    for (uint32_t i = 0; i < n; i++) {
        float v = tml_tensor_get_f32(t, i);
        memcpy(p + 4 * i, &v, 4);
    }
}

//|     def predict(
//|         self,
//|         x: _Input | tuple[_Input, ...],
//|         out: array | tuple[array, ...] | None = None,
//|     ) -> array | tuple[array, ...]:
//|         """Fill the inputs from ``x`` (a tuple of inputs for a model with several), run,
//|         and return the dequantized outputs as array('f') (a tuple of them for several
//|         outputs). With ``out`` (array('f') of the output's length, or a tuple of them) the
//|         values go there, ``out`` is returned and nothing is allocated.
//|
//|         ValueError for a wrong number of values or bytes ("expected 640 values, got 639"),
//|         TypeError for an input of the wrong kind."""
//|
static mp_obj_t tinyml_model_predict(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_x, ARG_out };
    TINYML_ARG_TABLE mp_arg_t allowed_args[] = {
        { MP_QSTR_x, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_out, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(pos_args[0]);
    tml_interp_t *it = &self->it;
    run(self, args[ARG_x].u_obj);

    mp_obj_t out = args[ARG_out].u_obj;
    if (out != MP_OBJ_NULL && out != mp_const_none) {
        if (it->n_outputs == 1) {
            dequantize_into(tml_output(it, 0), out);
            return out;
        }
        size_t n = 0;
        mp_obj_t *outs = NULL;
        if (is_type(out, &mp_type_tuple)) {
            mp_obj_get_array(out, &n, &outs);
        }
        if (n != it->n_outputs) {
            msg_t m = { 0 };
            msg_str(&m, "out must be a tuple of ");
            msg_int(&m, it->n_outputs);
            msg_str(&m, " arrays");
            msg_raise(&m, &mp_type_TypeError);
        }
        for (uint32_t i = 0; i < it->n_outputs; i++) {
            dequantize_into(tml_output(it, i), outs[i]);
        }
        return out;
    }
    mp_obj_t results[it->n_outputs > 0 ? it->n_outputs : 1];
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        tml_tensor_t *t = tml_output(it, i);
        results[i] = new_float_array(tml_elements(t));
        dequantize_into(t, results[i]);
    }
    return it->n_outputs == 1 ? results[0] : mp_obj_new_tuple(it->n_outputs, results);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(tinyml_model_predict_obj, 1, tinyml_model_predict);

// ---- profile(), metadata(name) -------------------------------------------------------------

//|     def profile(self) -> list[tuple[str, int]]:
//|         """``(op name, microseconds)`` for each op of the last invoke, in order.
//|         RuntimeError before the first invoke."""
//|
static mp_obj_t tinyml_model_profile(mp_obj_t self_in) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!self->profiled) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("no invoke to profile yet"));
    }
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (uint32_t i = 0; i < self->it.n_nodes; i++) {
        mp_obj_t pair[2] = {
            new_str(tml_node_name(&self->it, i)), mp_obj_new_int_from_uint(self->node_us[i])
        };
        mp_obj_list_append(list, mp_obj_new_tuple(2, pair));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_1(tinyml_model_profile_obj, tinyml_model_profile);

//|     def metadata(self, name: str) -> bytes | None:
//|         """The model's metadata entry ``name`` (e.g. ``tinyml_pipeline``), or None."""
//|
static mp_obj_t tinyml_model_metadata(mp_obj_t self_in, mp_obj_t name_in) {
    tinyml_model_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!is_str(name_in)) {
        mp_raise_TypeError(MP_ERROR_TEXT("name must be str"));
    }
    const uint8_t *data;
    size_t len;
    // str data is NUL-terminated in MicroPython.
    if (!tml_metadata(&self->it, (const char *)mp_obj_str_get_str(name_in), &data, &len)) {
        return mp_const_none;
    }
    return mp_obj_new_bytes(data, len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(tinyml_model_metadata_obj, tinyml_model_metadata);

// ---- properties --------------------------------------------------------------------------

//|     input_shape: tuple[int, ...]
//|     """Shape of input 0."""
//|     output_shape: tuple[int, ...]
//|     """Shape of output 0."""
//|     input_dtype: str
//|     """Element type of input 0: 'int8', 'uint8', 'int16', 'int32' or 'float32'."""
//|     output_dtype: str
//|     """Element type of output 0."""
//|     input_scale: float
//|     """Quantization scale of input 0 (0.0 for a float tensor)."""
//|     input_zero_point: int
//|     """Quantization zero point of input 0."""
//|     output_scale: float
//|     """Quantization scale of output 0."""
//|     output_zero_point: int
//|     """Quantization zero point of output 0."""
//|     num_inputs: int
//|     """Number of input tensors."""
//|     num_outputs: int
//|     """Number of output tensors."""
//|     arena_size: int
//|     """Exact arena bytes the model needs."""
//|     ops: tuple[str, ...]
//|     """Op names in execution order."""
//|     in_place: bool
//|     """Whether the model is read where it lies (a buffer, a ROMFS file) rather than from a
//|     heap copy (a file read into RAM, or a buffer that was not 4-byte aligned)."""
//|
static mp_obj_t shape_tuple(const tml_tensor_t *t) {
    mp_obj_t dims[TML_MAX_DIMS];
    for (int i = 0; i < t->ndim && i < TML_MAX_DIMS; i++) {
        dims[i] = MP_OBJ_NEW_SMALL_INT(t->dims[i]);
    }
    return mp_obj_new_tuple(t->ndim < TML_MAX_DIMS ? t->ndim : TML_MAX_DIMS, dims);
}

static mp_obj_t names_tuple(const tml_interp_t *it) {
    mp_obj_t tuple = mp_obj_new_tuple(it->n_nodes, NULL);
    mp_obj_tuple_t *o = MP_OBJ_TO_PTR(tuple);
    for (uint32_t i = 0; i < it->n_nodes; i++) {
        o->items[i] = new_str(tml_node_name(it, i));
    }
    return tuple;
}

// input_* and output_* describe tensor 0, as in the CPython face (None when there is none).
static mp_obj_t tensor_property(const tml_tensor_t *t, qstr attr, bool output) {
    if (t == NULL) {
        return mp_const_none;
    }
    if (attr == (output ? MP_QSTR_output_shape : MP_QSTR_input_shape)) {
        return shape_tuple(t);
    } else if (attr == (output ? MP_QSTR_output_dtype : MP_QSTR_input_dtype)) {
        return new_str(tml_type_name(t->type));
    } else if (attr == (output ? MP_QSTR_output_scale : MP_QSTR_input_scale)) {
        return TINYML_FLOAT(t->scale);
    } else {
        return mp_obj_new_int(t->zero_point);
    }
}

static mp_obj_t model_property(tinyml_model_obj_t *self, qstr attr) {
    tml_interp_t *it = &self->it;
    if (attr == MP_QSTR_input_shape || attr == MP_QSTR_input_dtype || attr == MP_QSTR_input_scale
        || attr == MP_QSTR_input_zero_point) {
        return tensor_property(tml_input(it, 0), attr, false);
    } else if (attr == MP_QSTR_output_shape || attr == MP_QSTR_output_dtype
               || attr == MP_QSTR_output_scale || attr == MP_QSTR_output_zero_point) {
        return tensor_property(tml_output(it, 0), attr, true);
    } else if (attr == MP_QSTR_num_inputs) {
        return MP_OBJ_NEW_SMALL_INT(it->n_inputs);
    } else if (attr == MP_QSTR_num_outputs) {
        return MP_OBJ_NEW_SMALL_INT(it->n_outputs);
    } else if (attr == MP_QSTR_arena_size) {
        return mp_obj_new_int_from_uint(it->arena_needed);
    } else if (attr == MP_QSTR_ops) {
        return names_tuple(it);
    } else if (attr == MP_QSTR_in_place) {
        return mp_obj_new_bool(self->in_place);
    }
    return MP_OBJ_NULL;
}

static void tinyml_model_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return;  // read-only
    }
    mp_obj_t value = model_property(MP_OBJ_TO_PTR(self_in), attr);
    if (value != MP_OBJ_NULL) {
        dest[0] = value;
    } else {
        dest[1] = MP_OBJ_SENTINEL;  // continue in locals_dict
    }
}

// ---- type and module ---------------------------------------------------------------------

//| def op_supported(name: str, version: int = 1) -> bool:
//|     """Whether this build runs the TFLite builtin op ``name`` (e.g. 'CONV_2D') at that
//|     version."""
//|
static mp_obj_t tinyml_op_supported(size_t n_args, const mp_obj_t *args) {
    size_t len;
    const char *name = (const char *)mp_obj_str_get_data(args[0], &len);
    mp_int_t version = n_args > 1 ? mp_obj_get_int(args[1]) : 1;
    int32_t b = tml_builtin_code(name, len);
    return mp_obj_new_bool(b >= 0 && tml_builtin_supported(b, version));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(tinyml_op_supported_obj, 1, 2, tinyml_op_supported);

#if MICROPY_ENABLE_DYNRUNTIME

mp_map_elem_t tinyml_model_locals_dict_table[7];
static MP_DEFINE_CONST_DICT(tinyml_model_locals_dict, tinyml_model_locals_dict_table);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    mp_obj_t array = mp_import_name(MP_QSTR_array, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    tinyml_array_type = mp_load_attr(array, MP_QSTR_array);
    mp_obj_t time = mp_import_name(MP_QSTR_time, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    tinyml_ticks_us_fun = mp_load_attr(time, MP_QSTR_ticks_us);

    mp_map_elem_t *locals = tinyml_model_locals_dict_table;
    locals[0] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_predict), MP_OBJ_FROM_PTR(&tinyml_model_predict_obj) };
    locals[1] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_input), MP_OBJ_FROM_PTR(&tinyml_model_input_obj) };
    locals[2] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_output), MP_OBJ_FROM_PTR(&tinyml_model_output_obj) };
    locals[3] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_invoke), MP_OBJ_FROM_PTR(&tinyml_model_invoke_obj) };
    locals[4] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_profile), MP_OBJ_FROM_PTR(&tinyml_model_profile_obj) };
    locals[5] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_metadata), MP_OBJ_FROM_PTR(&tinyml_model_metadata_obj) };
    locals[6] = (mp_map_elem_t) { MP_OBJ_NEW_QSTR(MP_QSTR_reset), MP_OBJ_FROM_PTR(&tinyml_model_reset_obj) };

    tinyml_model_type.base.type = (void *)&mp_type_type;
    tinyml_model_type.flags = MP_TYPE_FLAG_NONE;
    tinyml_model_type.name = MP_QSTR_Model;
    MP_OBJ_TYPE_SET_SLOT(&tinyml_model_type, make_new, tinyml_model_make_new, 0);
    MP_OBJ_TYPE_SET_SLOT(&tinyml_model_type, attr, tinyml_model_attr, 1);
    MP_OBJ_TYPE_SET_SLOT(&tinyml_model_type, locals_dict, (void *)&tinyml_model_locals_dict, 2);

    mp_store_global(MP_QSTR_Model, MP_OBJ_FROM_PTR(&tinyml_model_type));
    mp_store_global(MP_QSTR_op_supported, MP_OBJ_FROM_PTR(&tinyml_op_supported_obj));
    mp_store_global(MP_QSTR___version__, mp_obj_new_str(TINYML_VERSION, sizeof(TINYML_VERSION) - 1));

    MP_DYNRUNTIME_INIT_EXIT
}

#else

static const mp_rom_map_elem_t tinyml_model_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_predict), MP_ROM_PTR(&tinyml_model_predict_obj) },
    { MP_ROM_QSTR(MP_QSTR_input), MP_ROM_PTR(&tinyml_model_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_output), MP_ROM_PTR(&tinyml_model_output_obj) },
    { MP_ROM_QSTR(MP_QSTR_invoke), MP_ROM_PTR(&tinyml_model_invoke_obj) },
    { MP_ROM_QSTR(MP_QSTR_profile), MP_ROM_PTR(&tinyml_model_profile_obj) },
    { MP_ROM_QSTR(MP_QSTR_metadata), MP_ROM_PTR(&tinyml_model_metadata_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&tinyml_model_reset_obj) },
};
static MP_DEFINE_CONST_DICT(tinyml_model_locals_dict, tinyml_model_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tinyml_model_type,
    MP_QSTR_Model,
    MP_TYPE_FLAG_NONE,
    make_new, tinyml_model_make_new,
    attr, tinyml_model_attr,
    locals_dict, &tinyml_model_locals_dict
    );

static MP_DEFINE_STR_OBJ(tinyml_version_obj, TINYML_VERSION);

static const mp_rom_map_elem_t tinyml_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__tinyml) },
    { MP_ROM_QSTR(MP_QSTR___version__), MP_ROM_PTR(&tinyml_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_Model), MP_ROM_PTR(&tinyml_model_type) },
    { MP_ROM_QSTR(MP_QSTR_op_supported), MP_ROM_PTR(&tinyml_op_supported_obj) },
};
static MP_DEFINE_CONST_DICT(tinyml_module_globals, tinyml_module_globals_table);

const mp_obj_module_t tinyml_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tinyml_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__tinyml, tinyml_user_cmodule);

#endif // MICROPY_ENABLE_DYNRUNTIME

#endif // MICROPY_PY_TINYML
