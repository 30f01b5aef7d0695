// CPython face of the engine: tinyml._tinyml.Model, the same API as the
// MicroPython module, so device scripts run unchanged on the host with the
// device's exact arithmetic.
//
// The face converts Python objects and owns memory (the arena); everything
// else is the engine's. Like the device, it reads a buffer in place when it
// is 4-byte aligned and copies it once otherwise (in_place tells which).
// What needs no C (paths, labels, classify) is Python, once for both faces:
// device/tinyml/model.py.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <time.h>

#include "tml.h"
#include "tml_builtins.h"
#include "kernels/opt/opt.h"

typedef struct {
    PyObject_HEAD
    tml_interp_t it;
    Py_buffer model_view;     // keeps the caller's model buffer alive and fixed
    bool has_view;
    void *model_copy;         // aligned copy of a misaligned model buffer, or NULL
    bool in_place;            // the engine reads the caller's buffer itself
    PyObject *arena_obj;      // caller's bytearray, or NULL
    Py_buffer arena_view;
    void *arena_mem;          // our own arena, or NULL
    uint32_t *node_us;
    bool profiled;
    // One call runs the model at a time: inputs, invoke and outputs share the arena. The GIL
    // is released during invoke, so separate models run in parallel.
    PyThread_type_lock lock;
    unsigned long lock_owner;  // thread holding the lock, 0 when free
} ModelObject;

// README "Errors": NotImplementedError for an op or type the engine lacks, RuntimeError for
// a bug of ours, ValueError for the rest (a corrupt model, a small arena, a bad argument).
static PyObject *raise_status(tml_interp_t *it, tml_status_t st) {
    PyObject *type = st == TML_ERR_UNSUPPORTED ? PyExc_NotImplementedError
        : st == TML_ERR_INTERNAL ? PyExc_RuntimeError : PyExc_ValueError;
    PyErr_SetString(type, it->err_len > 0 ? it->err_msg : tml_status_str(st));
    return NULL;
}

static uint32_t ticks_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

// ---- loading -------------------------------------------------------------

static int Model_init(ModelObject *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = { "src", "arena", NULL };
    PyObject *src, *arena = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$O", kwlist, &src, &arena)) {
        return -1;
    }
    if (self->lock == NULL && (self->lock = PyThread_allocate_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (self->has_view) {
        PyErr_SetString(PyExc_RuntimeError, "Model already initialised");
        return -1;
    }
    if (PyObject_GetBuffer(src, &self->model_view, PyBUF_SIMPLE) < 0) {
        PyErr_SetString(PyExc_TypeError, "model must be a path or a bytes-like object");
        return -1;
    }
    self->has_view = true;
    const void *buf = self->model_view.buf;
    self->in_place = true;
    if (((uintptr_t)buf & 3) != 0 && self->model_view.len >= 8) {
        self->model_copy = PyMem_Malloc((size_t)self->model_view.len);
        if (self->model_copy == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(self->model_copy, buf, (size_t)self->model_view.len);
        buf = self->model_copy;
        self->in_place = false;
    }
    tml_interp_t *it = &self->it;
    tml_status_t st = tml_load(it, buf, (size_t)self->model_view.len);
    if (st != TML_OK) {
        raise_status(it, st);
        return -1;
    }
    size_t work_len = tml_work_size(it), needed = 0;
    void *work = PyMem_Malloc(work_len > 0 ? work_len : 8);
    if (work == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    st = tml_arena_size(it, work, work_len, &needed);
    PyMem_Free(work);
    if (st != TML_OK) {
        raise_status(it, st);
        return -1;
    }
    void *arena_buf;
    size_t arena_len;
    if (arena == Py_None) {
        arena_len = needed;
        self->arena_mem = PyMem_Malloc(needed > 0 ? needed : 8);
        arena_buf = self->arena_mem;
    } else if (PyLong_Check(arena)) {
        Py_ssize_t n = PyLong_AsSsize_t(arena);
        if (n < 0) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "arena size must be positive");
            }
            return -1;
        }
        // The engine uses exactly `needed` bytes: allocate no more than that.
        arena_len = (size_t)n < needed ? (size_t)n : needed;
        self->arena_mem = PyMem_Malloc(arena_len > 0 ? arena_len : 8);
        arena_buf = self->arena_mem;
    } else {
        if (PyObject_GetBuffer(arena, &self->arena_view, PyBUF_WRITABLE) < 0) {
            PyErr_SetString(PyExc_TypeError, "arena must be None, an int or a writable buffer");
            return -1;
        }
        Py_INCREF(arena);
        self->arena_obj = arena;
        arena_buf = self->arena_view.buf;
        arena_len = (size_t)self->arena_view.len;
    }
    if (arena_buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    st = tml_init(it, arena_buf, arena_len);
    if (st != TML_OK) {
        raise_status(it, st);
        return -1;
    }
    self->node_us = PyMem_Calloc(it->n_nodes > 0 ? it->n_nodes : 1, sizeof(uint32_t));
    if (self->node_us == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void Model_dealloc(ModelObject *self) {
    if (self->has_view) {
        PyBuffer_Release(&self->model_view);
    }
    if (self->arena_obj != NULL) {
        PyBuffer_Release(&self->arena_view);
        Py_DECREF(self->arena_obj);
    }
    PyMem_Free(self->arena_mem);
    PyMem_Free(self->model_copy);
    PyMem_Free(self->node_us);
    if (self->lock != NULL) {
        PyThread_free_lock(self->lock);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static bool ready(ModelObject *self) {
    if (!self->it.ready) {
        PyErr_SetString(PyExc_RuntimeError, "model not loaded");
        return false;
    }
    return true;
}

// ---- raw interface -------------------------------------------------------------

static tml_tensor_t *tensor_arg(ModelObject *self, PyObject *args, bool output) {
    int i = 0;
    if (!ready(self) || !PyArg_ParseTuple(args, "|i", &i)) {
        return NULL;
    }
    tml_status_t st = tml_check_unchanged(&self->it);
    if (st != TML_OK) {
        raise_status(&self->it, st);
        return NULL;
    }
    tml_tensor_t *t = i < 0 ? NULL : (output ? tml_output(&self->it, (uint32_t)i) : tml_input(&self->it, (uint32_t)i));
    if (t == NULL) {
        PyErr_Format(PyExc_IndexError, "model has no %s %d", output ? "output" : "input", i);
    }
    return t;
}

// The bytes of one tensor in the arena, exported through the buffer protocol
// so the memoryview handed out keeps the model (and so the arena) alive.
typedef struct {
    PyObject_HEAD
    PyObject *model;
    tml_tensor_t *tensor;
} TensorBufferObject;

static int TensorBuffer_getbuffer(TensorBufferObject *self, Py_buffer *view, int flags) {
    return PyBuffer_FillInfo(view, (PyObject *)self, self->tensor->data, (Py_ssize_t)self->tensor->bytes, 0, flags);
}

static void TensorBuffer_dealloc(TensorBufferObject *self) {
    Py_XDECREF(self->model);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyBufferProcs TensorBuffer_as_buffer = {
    .bf_getbuffer = (getbufferproc)TensorBuffer_getbuffer,
};

static PyTypeObject TensorBufferType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tinyml._TensorBuffer",
    .tp_basicsize = sizeof(TensorBufferObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)TensorBuffer_dealloc,
    .tp_as_buffer = &TensorBuffer_as_buffer,
};

static PyObject *tensor_view(ModelObject *self, tml_tensor_t *t) {
    TensorBufferObject *exporter = PyObject_New(TensorBufferObject, &TensorBufferType);
    if (exporter == NULL) {
        return NULL;
    }
    Py_INCREF(self);
    exporter->model = (PyObject *)self;
    exporter->tensor = t;
    PyObject *view = PyMemoryView_FromObject((PyObject *)exporter);
    Py_DECREF(exporter);
    return view;
}

static PyObject *Model_input(ModelObject *self, PyObject *args) {
    tml_tensor_t *t = tensor_arg(self, args, false);
    return t == NULL ? NULL : tensor_view(self, t);
}

static PyObject *Model_output(ModelObject *self, PyObject *args) {
    tml_tensor_t *t = tensor_arg(self, args, true);
    return t == NULL ? NULL : tensor_view(self, t);
}

// Takes the model's lock, waiting without the GIL while another thread holds it. A call from
// the thread that holds it (an input's __float__ calling predict) would wait forever: refused.
static bool lock_model(ModelObject *self) {
    unsigned long me = PyThread_get_thread_ident();
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        if (self->lock_owner == me) {
            PyErr_SetString(PyExc_RuntimeError, "model is already running in this thread");
            return false;
        }
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    self->lock_owner = me;
    return true;
}

static void unlock_model(ModelObject *self) {
    self->lock_owner = 0;
    PyThread_release_lock(self->lock);
}

static PyObject *invoke(ModelObject *self) {
    self->it.ticks_us = ticks_us;
    self->it.node_us = self->node_us;
    tml_status_t st;
    // Other threads may run during invoke unless they could write the model or the arena
    // under it: shapes and tables are checked when invoke starts, not while it runs.
    if (self->model_view.readonly && self->arena_obj == NULL) {
        Py_BEGIN_ALLOW_THREADS
        st = tml_invoke(&self->it);
        Py_END_ALLOW_THREADS
    } else {
        st = tml_invoke(&self->it);
    }
    if (st != TML_OK) {
        return raise_status(&self->it, st);
    }
    self->profiled = true;
    Py_RETURN_NONE;
}

static PyObject *Model_invoke(ModelObject *self, PyObject *unused) {
    (void)unused;
    if (!ready(self) || !lock_model(self)) {
        return NULL;
    }
    PyObject *r = invoke(self);
    unlock_model(self);
    return r;
}

static PyObject *Model_reset(ModelObject *self, PyObject *unused) {
    (void)unused;
    if (!ready(self) || !lock_model(self)) {
        return NULL;
    }
    tml_status_t st = tml_reset_variables(&self->it);
    unlock_model(self);
    if (st != TML_OK) {
        return raise_status(&self->it, st);
    }
    Py_RETURN_NONE;
}

// ---- predict ---------------------------------------------------------------------

static const char *dtype_format(int32_t type) {
    switch (type) {
        case TML_INT8:
            return "b";
        case TML_UINT8:
            return "B";
        case TML_INT16:
            return "h";
        case TML_INT32:
            return "i";
        case TML_FLOAT32:
            return "f";
        default:
            return "";
    }
}

// Flattens nested lists/tuples of numbers into t as real values; *n counts elements.
// A list is read through a tuple snapshot: an element's __float__ may change or clear the
// list. Nesting deeper than the tensor's rank is refused, which also ends a list that holds
// itself.
static int fill_from_sequence(tml_tensor_t *t, PyObject *seq, uint32_t *n, uint32_t total,
    uint32_t depth) {
    uint32_t max_depth = t->ndim > 0 ? t->ndim : 1;
    if (depth > max_depth) {
        PyErr_Format(PyExc_ValueError, "input is nested deeper than the input tensor's %u dimensions",
            max_depth);
        return -1;
    }
    PyObject *items = PySequence_Tuple(seq);
    if (items == NULL) {
        return -1;
    }
    int result = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items) && result == 0; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (PyList_Check(item) || PyTuple_Check(item)) {
            result = fill_from_sequence(t, item, n, total, depth + 1);
            continue;
        }
        double v = PyFloat_AsDouble(item);
        if (v == -1.0 && PyErr_Occurred()) {
            // Not a number; an exception raised by the element's own __float__ passes through.
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Format(PyExc_TypeError, "expected numbers, got %s", Py_TYPE(item)->tp_name);
            } else if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
                PyErr_SetString(PyExc_ValueError, "input value out of float range");
            }
            result = -1;
        } else {
            if (*n < total) {
                tml_tensor_set_f32(t, *n, (float)v);
            }
            (*n)++;
        }
    }
    Py_DECREF(items);
    return result;
}

static int count_error(uint32_t expected, uint64_t got) {
    PyErr_Format(PyExc_ValueError, "expected %u values, got %llu", expected, (unsigned long long)got);
    return -1;
}

static int fill_input(tml_tensor_t *t, PyObject *x) {
    uint32_t total = tml_elements(t);
    if (PyList_Check(x) || PyTuple_Check(x)) {
        uint32_t n = 0;
        if (fill_from_sequence(t, x, &n, total, 1) < 0) {
            return -1;
        }
        return n == total ? 0 : count_error(total, n);
    }
    if (PyBytes_Check(x) || PyByteArray_Check(x) || PyMemoryView_Check(x) || PyObject_CheckBuffer(x)) {
        Py_buffer view;
        if (PyObject_GetBuffer(x, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            // A strided buffer (a numpy slice: BufferError, or numpy's ValueError): read
            // through a contiguous copy.
            if (!PyErr_ExceptionMatches(PyExc_BufferError) && !PyErr_ExceptionMatches(PyExc_ValueError)) {
                return -1;
            }
            PyErr_Clear();
            PyObject *copy = PyMemoryView_GetContiguous(x, PyBUF_READ, 'C');
            if (copy == NULL) {
                return -1;
            }
            int rc = fill_input(t, copy);
            Py_DECREF(copy);
            return rc;
        }
        const char *fmt = view.format != NULL ? view.format : "B";
        if (fmt[0] == '<' || fmt[0] == '=' || fmt[0] == '@') {
            fmt++;
        }
        int rc = 0;
        bool raw_bytes = PyBytes_Check(x) || PyByteArray_Check(x)
            || (PyMemoryView_Check(x) && strcmp(fmt, "B") == 0 && view.itemsize == 1);
        if (strcmp(fmt, "f") == 0 || strcmp(fmt, "d") == 0) {
            uint64_t n = (uint64_t)(view.len / view.itemsize);
            if (n != total) {
                rc = count_error(total, n);
            } else {
                for (uint32_t i = 0; i < total; i++) {
                    double v = view.itemsize == 4 ? (double)((const float *)view.buf)[i] : ((const double *)view.buf)[i];
                    tml_tensor_set_f32(t, i, (float)v);
                }
            }
        } else if (raw_bytes || strcmp(fmt, dtype_format(t->type)) == 0) {
            // Already in the tensor's own representation.
            if ((size_t)view.len != t->bytes) {
                if (raw_bytes) {
                    PyErr_Format(PyExc_ValueError, "expected %u bytes, got %zd", t->bytes, view.len);
                    rc = -1;
                } else {
                    rc = count_error(total, (uint64_t)(view.len / view.itemsize));
                }
            } else {
                memcpy(t->data, view.buf, t->bytes);
            }
        } else {
            PyErr_Format(PyExc_TypeError, "input of format '%s' does not match the %s input tensor",
                fmt, tml_type_name(t->type));
            rc = -1;
        }
        PyBuffer_Release(&view);
        return rc;
    }
    PyErr_Format(PyExc_TypeError, "unsupported input type %s", Py_TYPE(x)->tp_name);
    return -1;
}

static PyObject *new_float_array(uint32_t n) {
    PyObject *array_mod = PyImport_ImportModule("array");
    if (array_mod == NULL) {
        return NULL;
    }
    PyObject *zeros = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n * 4);
    if (zeros == NULL) {
        Py_DECREF(array_mod);
        return NULL;
    }
    memset(PyBytes_AS_STRING(zeros), 0, (size_t)n * 4);
    PyObject *arr = PyObject_CallMethod(array_mod, "array", "sO", "f", zeros);
    Py_DECREF(zeros);
    Py_DECREF(array_mod);
    return arr;
}

static int dequantize_into(const tml_tensor_t *t, PyObject *out) {
    Py_buffer view;
    if (PyObject_GetBuffer(out, &view, PyBUF_FORMAT | PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_SetString(PyExc_TypeError, "out must be an array('f')");
        }
        return -1;
    }
    uint32_t n = tml_elements(t);
    int rc = 0;
    if (view.format == NULL || strcmp(view.format, "f") != 0) {
        PyErr_SetString(PyExc_TypeError, "out must be an array('f')");
        rc = -1;
    } else if ((size_t)view.len != (size_t)n * 4) {
        PyErr_Format(PyExc_ValueError, "out must hold %u floats, got %zd", n, view.len / 4);
        rc = -1;
    } else {
        tml_tensor_get_f32_all(t, (float *)view.buf);
    }
    PyBuffer_Release(&view);
    return rc;
}

static PyObject *run(ModelObject *self, PyObject *x) {
    tml_interp_t *it = &self->it;
    tml_status_t st = tml_check_unchanged(it);
    if (st != TML_OK) {
        return raise_status(it, st);
    }
    if (it->n_inputs > 1) {
        if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != it->n_inputs) {
            return PyErr_Format(PyExc_TypeError, "model has %u inputs: pass a tuple of %u inputs",
                it->n_inputs, it->n_inputs);
        }
    }
    for (uint32_t i = 0; i < it->n_inputs; i++) {
        tml_tensor_t *t = tml_input(it, i);
        if (!tml_tensor_real_io(t)) {
            return PyErr_Format(PyExc_NotImplementedError, "%s input not supported", tml_type_name(t->type));
        }
        if (fill_input(t, it->n_inputs > 1 ? PyTuple_GET_ITEM(x, i) : x) < 0) {
            return NULL;
        }
    }
    return invoke(self);
}

static PyObject *predict(ModelObject *self, PyObject *x, PyObject *out) {
    PyObject *r = run(self, x);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    tml_interp_t *it = &self->it;
    if (out != Py_None) {
        if (it->n_outputs == 1) {
            if (dequantize_into(tml_output(it, 0), out) < 0) {
                return NULL;
            }
        } else {
            if (!PyTuple_Check(out) || PyTuple_GET_SIZE(out) != it->n_outputs) {
                return PyErr_Format(PyExc_TypeError, "out must be a tuple of %u arrays", it->n_outputs);
            }
            for (uint32_t i = 0; i < it->n_outputs; i++) {
                if (dequantize_into(tml_output(it, i), PyTuple_GET_ITEM(out, i)) < 0) {
                    return NULL;
                }
            }
        }
        Py_INCREF(out);
        return out;
    }
    PyObject *results = PyTuple_New(it->n_outputs);
    if (results == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < it->n_outputs; i++) {
        tml_tensor_t *t = tml_output(it, i);
        PyObject *arr = new_float_array(tml_elements(t));
        if (arr == NULL || dequantize_into(t, arr) < 0) {
            Py_XDECREF(arr);
            Py_DECREF(results);
            return NULL;
        }
        PyTuple_SET_ITEM(results, i, arr);
    }
    if (it->n_outputs == 1) {
        PyObject *single = PyTuple_GET_ITEM(results, 0);
        Py_INCREF(single);
        Py_DECREF(results);
        return single;
    }
    return results;
}

static PyObject *Model_predict(ModelObject *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = { "x", "out", NULL };
    PyObject *x, *out = Py_None;
    if (!ready(self) || !PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", kwlist, &x, &out)
        || !lock_model(self)) {
        return NULL;
    }
    PyObject *r = predict(self, x, out);
    unlock_model(self);
    return r;
}

static PyObject *Model_profile(ModelObject *self, PyObject *unused) {
    (void)unused;
    if (!ready(self)) {
        return NULL;
    }
    if (!self->profiled) {
        PyErr_SetString(PyExc_RuntimeError, "no invoke to profile yet");
        return NULL;
    }
    PyObject *list = PyList_New(self->it.n_nodes);
    for (uint32_t i = 0; list != NULL && i < self->it.n_nodes; i++) {
        PyObject *e = Py_BuildValue("(sI)", tml_node_name(&self->it, i), self->node_us[i]);
        if (e == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, e);
    }
    return list;
}

static PyObject *Model_metadata(ModelObject *self, PyObject *args) {
    const char *name;
    if (!ready(self) || !PyArg_ParseTuple(args, "s", &name)) {
        return NULL;
    }
    const uint8_t *data;
    size_t len;
    if (!tml_metadata(&self->it, name, &data, &len)) {
        Py_RETURN_NONE;
    }
    return PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)len);
}

// ---- properties ------------------------------------------------------------------

static PyObject *shape_tuple(const tml_tensor_t *t) {
    PyObject *tup = PyTuple_New(t->ndim);
    for (int i = 0; tup != NULL && i < t->ndim; i++) {
        PyTuple_SET_ITEM(tup, i, PyLong_FromLong(t->dims[i]));
    }
    return tup;
}

enum { P_SHAPE, P_DTYPE, P_SCALE, P_ZERO_POINT };

static PyObject *tensor_property(ModelObject *self, bool output, int what) {
    if (!ready(self)) {
        return NULL;
    }
    tml_tensor_t *t = output ? tml_output(&self->it, 0) : tml_input(&self->it, 0);
    if (t == NULL) {
        Py_RETURN_NONE;
    }
    switch (what) {
        case P_SHAPE:
            return shape_tuple(t);
        case P_DTYPE:
            return PyUnicode_FromString(tml_type_name(t->type));
        case P_SCALE:
            return PyFloat_FromDouble(t->scale);
        default:
            return PyLong_FromLong(t->zero_point);
    }
}

#define TENSOR_GETTER(name, output, what) \
    static PyObject *get_##name(ModelObject *self, void *closure) { \
        (void)closure; \
        return tensor_property(self, output, what); \
    }
TENSOR_GETTER(input_shape, false, P_SHAPE)
TENSOR_GETTER(output_shape, true, P_SHAPE)
TENSOR_GETTER(input_dtype, false, P_DTYPE)
TENSOR_GETTER(output_dtype, true, P_DTYPE)
TENSOR_GETTER(input_scale, false, P_SCALE)
TENSOR_GETTER(output_scale, true, P_SCALE)
TENSOR_GETTER(input_zero_point, false, P_ZERO_POINT)
TENSOR_GETTER(output_zero_point, true, P_ZERO_POINT)

static PyObject *get_num_inputs(ModelObject *self, void *closure) {
    (void)closure;
    return PyLong_FromLong(self->it.n_inputs);
}

static PyObject *get_num_outputs(ModelObject *self, void *closure) {
    (void)closure;
    return PyLong_FromLong(self->it.n_outputs);
}

static PyObject *get_arena_size(ModelObject *self, void *closure) {
    (void)closure;
    return PyLong_FromSize_t(self->it.arena_needed);
}

static PyObject *get_in_place(ModelObject *self, void *closure) {
    (void)closure;
    return PyBool_FromLong(self->in_place);
}

static PyObject *get_ops(ModelObject *self, void *closure) {
    (void)closure;
    if (!ready(self)) {
        return NULL;
    }
    PyObject *tup = PyTuple_New(self->it.n_nodes);
    for (uint32_t i = 0; tup != NULL && i < self->it.n_nodes; i++) {
        PyTuple_SET_ITEM(tup, i, PyUnicode_FromString(tml_node_name(&self->it, i)));
    }
    return tup;
}

static PyGetSetDef Model_getset[] = {
    { "input_shape", (getter)get_input_shape, NULL, "shape of input 0", NULL },
    { "output_shape", (getter)get_output_shape, NULL, "shape of output 0", NULL },
    { "input_dtype", (getter)get_input_dtype, NULL, "element type of input 0", NULL },
    { "output_dtype", (getter)get_output_dtype, NULL, "element type of output 0", NULL },
    { "input_scale", (getter)get_input_scale, NULL, "quantization scale of input 0", NULL },
    { "output_scale", (getter)get_output_scale, NULL, "quantization scale of output 0", NULL },
    { "input_zero_point", (getter)get_input_zero_point, NULL, "zero point of input 0", NULL },
    { "output_zero_point", (getter)get_output_zero_point, NULL, "zero point of output 0", NULL },
    { "num_inputs", (getter)get_num_inputs, NULL, "number of inputs", NULL },
    { "num_outputs", (getter)get_num_outputs, NULL, "number of outputs", NULL },
    { "arena_size", (getter)get_arena_size, NULL, "exact arena bytes the model needs", NULL },
    { "ops", (getter)get_ops, NULL, "op names in execution order", NULL },
    { "in_place", (getter)get_in_place, NULL, "model read where it lies, not from a copy", NULL },
    { NULL },
};

static PyMethodDef Model_methods[] = {
    { "input", (PyCFunction)Model_input, METH_VARARGS, "memoryview over input tensor i" },
    { "output", (PyCFunction)Model_output, METH_VARARGS, "memoryview over output tensor i" },
    { "invoke", (PyCFunction)Model_invoke, METH_NOARGS, "run the model on the current inputs" },
    { "reset", (PyCFunction)Model_reset, METH_NOARGS,
      "clear the state recurrent ops and resource variables carry between invokes" },
    { "predict", (PyCFunction)(void (*)(void))Model_predict, METH_VARARGS | METH_KEYWORDS,
      "predict(x, out=None): dequantized outputs" },
    { "profile", (PyCFunction)Model_profile, METH_NOARGS, "[(op, microseconds)] of the last invoke" },
    { "metadata", (PyCFunction)Model_metadata, METH_VARARGS, "metadata buffer by name, or None" },
    { NULL },
};

static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tinyml.Model",
    .tp_basicsize = sizeof(ModelObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Model(src, *, arena=None): the engine's side of a model (tinyml.Model wraps it)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Model_init,
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_methods = Model_methods,
    .tp_getset = Model_getset,
};

// ---- module ------------------------------------------------------------------------

static PyObject *tinyml_op_supported(PyObject *module, PyObject *args) {
    (void)module;
    const char *name;
    int version = 1;
    if (!PyArg_ParseTuple(args, "s|i", &name, &version)) {
        return NULL;
    }
    int32_t b = tml_builtin_code(name, strlen(name));
    if (b >= 0) {
        return PyBool_FromLong(tml_builtin_supported(b, version));
    }
    // Not a builtin: a CUSTOM op's custom_code.
    return PyBool_FromLong(tml_custom_supported(name, version));
}

// Kernel set names, indexed by tml_kernel_set_t.
static const char *const kernel_sets[] = { "reference", "portable", "armv7em" };

// The plan as Python values: {"arena": bytes, "buffers": [(offset, size, first_node,
// last_node, shares, gap) per tensor, then per node's scratch], "tensors":
// n_tensors, "patch": {"first", "last", "rows", "bands", "peak_before", "peak_after",
// "extra_macs"} of the patched chain, or {"peak_before"} alone when none is}.
static PyObject *plan_dict(tml_interp_t *it, const void *work, size_t needed) {
    uint32_t n = tml_plan_count(it);
    PyObject *buffers = PyList_New(n);
    if (buffers == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        tml_plan_buffer_t b;
        tml_plan_buffer(it, work, i, &b);
        PyObject *item = Py_BuildValue("(IIiiii)", b.offset, b.size, b.first_node, b.last_node, b.shares,
            b.gap);
        if (item == NULL) {
            Py_DECREF(buffers);
            return NULL;
        }
        PyList_SET_ITEM(buffers, i, item);
    }
    const tml_patch_t *p = &it->patch;
    PyObject *patch = p->last >= p->first && p->rows > 0
        ? Py_BuildValue("{s:i,s:i,s:i,s:i,s:I,s:I,s:I}", "first", p->first, "last", p->last, "rows", p->rows,
        "bands", p->bands, "peak_before", p->peak_before, "peak_after", p->peak_after, "extra_macs",
        p->extra_macs)
        : Py_BuildValue("{s:I}", "peak_before", p->peak_before);
    if (patch == NULL) {
        Py_DECREF(buffers);
        return NULL;
    }
    return Py_BuildValue("{s:n,s:N,s:I,s:N}", "arena", (Py_ssize_t)needed, "buffers", buffers, "tensors",
        it->n_tensors, "patch", patch);
}

// plan(model, pointer_bytes, kernels): the arena a build for that target needs, exactly, and
// where each buffer goes, so that the host can tell a board's arena (tinyml inspect --board).
static PyObject *tinyml_plan(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer model;
    int pointer_bytes;
    const char *kernels;
    if (!PyArg_ParseTuple(args, "y*is", &model, &pointer_bytes, &kernels)) {
        return NULL;
    }
    size_t n_sets = sizeof(kernel_sets) / sizeof(kernel_sets[0]), k = 0;
    while (k < n_sets && strcmp(kernel_sets[k], kernels) != 0) {
        k++;
    }
    if (k == n_sets || pointer_bytes <= 0 || pointer_bytes > 255) {
        PyBuffer_Release(&model);
        PyErr_Format(PyExc_ValueError, "unknown target %d-byte pointers, kernels %s "
            "(kernels: reference, portable, armv7em)", pointer_bytes, kernels);
        return NULL;
    }
    tml_target_t target = { (uint8_t)pointer_bytes, (uint8_t)k };
    // The engine reads the model in place and needs it 4-byte aligned: work on a copy.
    uint8_t *copy = PyMem_Malloc(model.len > 0 ? (size_t)model.len : 8);
    if (copy == NULL) {
        PyBuffer_Release(&model);
        return PyErr_NoMemory();
    }
    size_t len = (size_t)model.len;
    memcpy(copy, model.buf, len);
    PyBuffer_Release(&model);
    tml_interp_t it;
    size_t needed = 0;
    void *work = NULL;
    PyObject *result = NULL;
    tml_status_t st = tml_load(&it, copy, len);
    if (st != TML_OK) {
        raise_status(&it, st);
    } else if ((work = PyMem_Malloc(tml_work_size(&it) > 0 ? tml_work_size(&it) : 8)) == NULL) {
        PyErr_NoMemory();
    } else if ((st = tml_arena_size_for(&it, target, work, tml_work_size(&it), &needed)) != TML_OK) {
        raise_status(&it, st);
    } else {
        result = plan_dict(&it, work, needed);
    }
    PyMem_Free(work);
    PyMem_Free(copy);
    return result;
}

// quantize(values, dtype, scale, zero_point): float values (a buffer of 'f') in a tensor
// type's bytes, written by the engine's own element writer, so that the host hands a board
// exactly the integers predict() would have put in the input tensor.
static PyObject *tinyml_quantize(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values;
    const char *dtype;
    float scale;
    int zero_point;
    if (!PyArg_ParseTuple(args, "y*sfi", &values, &dtype, &scale, &zero_point)) {
        return NULL;
    }
    tml_tensor_t t = { .scale = scale, .zero_point = zero_point, .type = TML_FLOAT32 };
    int32_t type = 0;
    while (type <= TML_UINT4 && strcmp(tml_type_name(type), dtype) != 0) {
        type++;
    }
    t.type = (uint8_t)type;
    PyObject *out = NULL;
    if (type > TML_UINT4 || !tml_tensor_real_io(&t)) {
        PyErr_Format(PyExc_ValueError, "cannot quantize to %s (int8, uint8, int16, int32 or float32)", dtype);
    } else if (values.len % 4 != 0) {
        PyErr_SetString(PyExc_ValueError, "values must be float32 (a multiple of 4 bytes)");
    } else {
        uint32_t n = (uint32_t)(values.len / 4);
        out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * tml_type_size(type)));
        if (out != NULL) {
            t.data = (uint8_t *)PyBytes_AS_STRING(out);
            for (uint32_t i = 0; i < n; i++) {
                float v;
                memcpy(&v, (const uint8_t *)values.buf + 4 * i, 4);
                tml_tensor_set_f32(&t, i, v);
            }
        }
    }
    PyBuffer_Release(&values);
    return out;
}

// depthwise_variant(depth_multiplier, in_c): the fast path DEPTHWISE_CONV_2D's dispatcher takes
// for it ("channelwise", "channelwise_tail", "broadcast", or None for the reference kernel), from
// the dispatcher's own rule, so that tinyml firmware build --ops-from keeps exactly the
// variants its models need.
static PyObject *tinyml_depthwise_variant(PyObject *module, PyObject *args) {
    (void)module;
    int depth_multiplier, in_c;
    if (!PyArg_ParseTuple(args, "ii", &depth_multiplier, &in_c)) {
        return NULL;
    }
    switch (tml_opt_depthwise_variant(depth_multiplier, in_c)) {
        case TML_DW_VARIANT_CHANNELWISE:
            return PyUnicode_FromString("channelwise");
        case TML_DW_VARIANT_CHANNELWISE_TAIL:
            return PyUnicode_FromString("channelwise_tail");
        case TML_DW_VARIANT_BROADCAST:
            return PyUnicode_FromString("broadcast");
        default:
            Py_RETURN_NONE;
    }
}

// conv_2d_variant(filter_h, filter_w, pad_h, pad_w, filter_c, in_c, input_zero_point): the fast
// path CONV_2D's dispatcher takes ("1x1", "im2col", or None for the reference kernel), by its own
// rule.
static PyObject *tinyml_conv_2d_variant(PyObject *module, PyObject *args) {
    (void)module;
    int filter_h, filter_w, pad_h, pad_w, filter_c, in_c, zero_point;
    if (!PyArg_ParseTuple(args, "iiiiiii", &filter_h, &filter_w, &pad_h, &pad_w, &filter_c, &in_c,
        &zero_point)) {
        return NULL;
    }
    switch (tml_opt_conv_2d_variant(filter_h, filter_w, pad_h, pad_w, filter_c, in_c, zero_point)) {
        case TML_CONV_VARIANT_1X1:
            return PyUnicode_FromString("1x1");
        case TML_CONV_VARIANT_IM2COL:
            return PyUnicode_FromString("im2col");
        default:
            Py_RETURN_NONE;
    }
}

static PyMethodDef module_methods[] = {
    { "conv_2d_variant", tinyml_conv_2d_variant, METH_VARARGS,
      "conv_2d_variant(filter_h, filter_w, pad_h, pad_w, filter_c, in_c, input_zero_point) -> "
      "'1x1', 'im2col' or None (the reference kernel)" },
    { "depthwise_variant", tinyml_depthwise_variant, METH_VARARGS,
      "depthwise_variant(depth_multiplier, in_c) -> 'channelwise', 'channelwise_tail', 'broadcast' or None "
      "(the reference kernel)" },
    { "op_supported", tinyml_op_supported, METH_VARARGS, "op_supported(name, version=1) -> bool (a builtin or a custom op's name)" },
    { "plan", tinyml_plan, METH_VARARGS,
      "plan(model, pointer_bytes, kernels) -> {'arena': exact bytes a build for that target needs, "
      "'buffers': [(offset, size, first_node, last_node, shares)], 'tensors': n} "
      "(kernels: 'reference', 'portable' or 'armv7em')" },
    { "quantize", tinyml_quantize, METH_VARARGS,
      "quantize(values, dtype, scale, zero_point) -> bytes: float32 values in dtype, as predict() writes an input" },
    { NULL },
};

static struct PyModuleDef tinyml_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_tinyml",
    .m_doc = "tinyml engine (CPython face)",
    .m_size = -1,
    .m_methods = module_methods,
};

PyObject *tinyml_dsp_module(void);  // dsp.c

// The engine's names of TFLite's builtin ops and tensor types, indexed by code: the host reads
// models with them (tinyml/schema.py), so that no second table can drift from the engine's.
// Every builtin's name, not only this build's ops' (tml_builtin_name).
static const char *any_builtin_name(int32_t code) {
    static char buf[TML_BUILTIN_NAME_LEN];
    return tml_any_builtin_name(code, buf);
}

static PyObject *names_by_code(const char *(*name)(int32_t), int32_t count) {
    PyObject *t = PyTuple_New(count);
    for (int32_t i = 0; t != NULL && i < count; i++) {
        PyObject *s = PyUnicode_FromString(name(i));
        if (s == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

PyMODINIT_FUNC PyInit__tinyml(void) {
    if (PyType_Ready(&ModelType) < 0 || PyType_Ready(&TensorBufferType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&tinyml_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&ModelType);
    if (PyModule_AddObject(m, "Model", (PyObject *)&ModelType) < 0
        || PyModule_AddStringConstant(m, "__version__", "0.1.0") < 0
        || PyModule_AddObject(m, "TARGET", Py_BuildValue("(is)", (int)tml_native_target().pointer_bytes,
            kernel_sets[tml_native_target().kernels])) < 0
        || PyModule_AddObject(m, "dsp", tinyml_dsp_module()) < 0
        || PyModule_AddObject(m, "BUILTIN_NAMES", names_by_code(any_builtin_name, TML_BUILTIN_COUNT)) < 0
        || PyModule_AddObject(m, "TYPE_NAMES", names_by_code(tml_type_name, TML_UINT4 + 1)) < 0) {
        Py_DECREF(&ModelType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
