// Resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, and the CALL_ONCE that
// gives them their initial values, as TFLite Micro runs them (kernels/var_handle.cc,
// read_variable.cc, assign_variable.cc, call_once.cc, micro_resource_variable.cc).
//
// A converted tf.Variable becomes a VAR_HANDLE per use, all naming the variable by
// (container, shared_name); READ_VARIABLE copies it into a tensor, ASSIGN_VARIABLE copies a
// tensor into it. The first VAR_HANDLE of a name owns the bytes, in its node data: the
// persistent arena, which the planner never hands out, so the value lasts from one invoke
// to the next. Its size and reset value come from the first ASSIGN_VARIABLE of the name in
// the main graph (TFLite Micro sizes the buffer at the first ASSIGN_VARIABLE it prepares,
// and fills it with that value tensor's zero point), else from a READ_VARIABLE's output.
//
// CALL_ONCE runs the initialiser subgraph the converter writes (VAR_HANDLE and
// ASSIGN_VARIABLE of constants) at the first invoke only. tml_reset_variables refills every
// variable with its reset value and, as TFLite Micro's Reset, does not run the initialiser
// again: after a reset the variables hold zeros (real 0), not their initial values.
#include "tml_op.h"

// VarHandleOptions and CallOnceOptions fields.
enum { OPT_CONTAINER = 0, OPT_SHARED_NAME = 1 };
enum { OPT_INIT_SUBGRAPH = 0 };

typedef struct variable {
    struct variable *owner;  // the handle holding the bytes (this one, or an earlier one)
    uint8_t *value;          // owner only: size bytes after this struct
    uint32_t size;
    uint8_t fill;            // reset value of every byte
} variable_t;

#define VALUE_OFFSET ((sizeof(variable_t) + 7) & ~(size_t)7)

extern const tml_op_t tml_op_var_handle;

static TML_COLD bool same_string(const char *a, uint32_t a_len, const char *b, uint32_t b_len) {
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

// Whether two VAR_HANDLE nodes (of any subgraph) name the same variable.
static TML_COLD bool same_variable(const tml_interp_t *it, const tml_node_t *a, const tml_node_t *b) {
    const char *sa, *sb;
    uint32_t la = tml_opt_str(it, a, OPT_SHARED_NAME, &sa);
    uint32_t lb = tml_opt_str(it, b, OPT_SHARED_NAME, &sb);
    if (!same_string(sa, la, sb, lb)) {
        return false;
    }
    la = tml_opt_str(it, a, OPT_CONTAINER, &sa);
    lb = tml_opt_str(it, b, OPT_CONTAINER, &sb);
    return same_string(sa, la, sb, lb);
}

// The VAR_HANDLE node before node `before` of the main graph whose output is tensor t, or
// NULL: the handle a READ_VARIABLE or ASSIGN_VARIABLE input must come from.
static TML_COLD tml_node_t *handle_of(const tml_interp_t *it, uint32_t before, int32_t t) {
    for (uint32_t n = 0; n < before && n < it->n_nodes; n++) {
        tml_node_t *h = &it->nodes[n];
        if (h->op == &tml_op_var_handle && h->n_outputs == 1 && h->outputs[0] == t) {
            return h;
        }
    }
    return NULL;
}

static TML_COLD uint32_t node_index(const tml_interp_t *it, const tml_node_t *node) {
    return (uint32_t)(node - it->nodes);
}

// The first VAR_HANDLE of the main graph with the variable of `handle` (itself when none
// comes before it).
static TML_COLD tml_node_t *owner_of(const tml_interp_t *it, const tml_node_t *handle) {
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        tml_node_t *h = &it->nodes[n];
        if (h->op == &tml_op_var_handle && (h == handle || same_variable(it, h, handle))) {
            return h;
        }
    }
    return NULL;
}

// The tensor that sizes the variable of `owner`: the value of the main graph's first
// ASSIGN_VARIABLE to it, else the output of its first READ_VARIABLE; NULL when unused.
static TML_COLD const tml_tensor_t *sizing_tensor(const tml_interp_t *it, const tml_node_t *owner) {
    const tml_tensor_t *read = NULL;
    for (uint32_t n = 0; n < it->n_nodes; n++) {
        const tml_node_t *node = &it->nodes[n];
        int16_t b = node->op->builtin;
        if ((b != TML_BUILTIN_ASSIGN_VARIABLE && b != TML_BUILTIN_READ_VARIABLE) || node->n_inputs < 1) {
            continue;
        }
        const tml_node_t *h = handle_of(it, n, node->inputs[0]);
        if (h == NULL || owner_of(it, h) != owner) {
            continue;
        }
        if (b == TML_BUILTIN_ASSIGN_VARIABLE && node->n_inputs == 2 && node->inputs[1] >= 0) {
            return tml_node_input(it, node, 1);
        }
        if (b == TML_BUILTIN_READ_VARIABLE && read == NULL && node->n_outputs == 1) {
            read = tml_node_output(it, node, 0);
        }
    }
    return read;
}

// ---- VAR_HANDLE ------------------------------------------------------------------------

static TML_COLD size_t var_handle_extra(const tml_interp_t *it, const tml_node_t *node) {
    if (owner_of(it, node) != node) {
        return 0;
    }
    const tml_tensor_t *t = sizing_tensor(it, node);
    return VALUE_OFFSET - sizeof(variable_t) + (t != NULL ? t->bytes : 0);
}

static TML_COLD void var_handle_reset(tml_interp_t *it, tml_node_t *node) {
    (void)it;
    variable_t *v = node->data;
    if (v->owner == v) {
        memset(v->value, v->fill, v->size);
    }
}

static TML_COLD tml_status_t var_handle_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_tensor_t *out = tml_node_output(it, node, 0);
    TML_CHECK(it, (out->type == TML_RESOURCE || out->type == TML_INT32) && out->bytes == 0
        && !(out->flags & (TML_TENSOR_CONST | TML_TENSOR_VARIABLE)), TML_ERR_MODEL, "output must be a resource tensor");
    variable_t *v = node->data;
    tml_node_t *owner = owner_of(it, node);
    if (owner == node) {
        const tml_tensor_t *t = sizing_tensor(it, node);
        v->owner = v;
        v->value = (uint8_t *)node->data + VALUE_OFFSET;
        v->size = t != NULL ? t->bytes : 0;
        v->fill = t != NULL ? (uint8_t)t->zero_point : 0;
        var_handle_reset(it, node);
    } else {
        v->owner = ((variable_t *)owner->data)->owner;
    }
    // READ_VARIABLE and ASSIGN_VARIABLE find the variable through the handle tensor, as
    // TFLite Micro's point at the VAR_HANDLE's op data.
    out->data = (uint8_t *)node->data;
    return TML_OK;
}

static tml_status_t no_eval(tml_interp_t *it, tml_node_t *node) {
    (void)it;
    (void)node;
    return TML_OK;
}

const tml_op_t tml_op_var_handle = {
    .builtin = TML_BUILTIN_VAR_HANDLE,
    .max_version = 1,
    .inputs = {0, 0},
    .outputs = {1, 1},
    .data_size = sizeof(variable_t),
    .extra_size = var_handle_extra,
    .prepare = var_handle_prepare,
    .eval = no_eval,
    .reset = var_handle_reset,
};

// ---- READ_VARIABLE, ASSIGN_VARIABLE ------------------------------------------------------

// READ_VARIABLE copies the variable into output 0, ASSIGN_VARIABLE input 1 into the variable:
// one prepare and one eval for both. The variable is the one behind input 0, which must be the
// output of an earlier VAR_HANDLE; prepare keeps it in node->data for eval.
static TML_COLD tml_status_t access_prepare(tml_interp_t *it, tml_node_t *node) {
    tml_node_t *h = handle_of(it, node_index(it, node), node->inputs[0]);
    TML_CHECK(it, h != NULL, TML_ERR_MODEL, "input 0 is not the output of a VAR_HANDLE");
    variable_t *v = ((variable_t *)h->data)->owner;
    *(variable_t **)node->data = v;
    bool read = node->op->builtin == TML_BUILTIN_READ_VARIABLE;
    const tml_tensor_t *t = read ? tml_node_output(it, node, 0) : tml_node_input(it, node, 1);
    TML_CHECK(it, read ? !(t->flags & (TML_TENSOR_CONST | TML_TENSOR_VARIABLE)) : t->data != NULL, TML_ERR_MODEL,
        read ? "output is not an activation" : "missing value");
    if (t->bytes != v->size) {
        return tml_fail_mismatch(it, TML_ERR_MODEL,
            read ? "output bytes differ from the variable's" : "value bytes differ from the variable's",
            (int32_t)v->size, (int32_t)t->bytes);
    }
    return TML_OK;
}

static tml_status_t access_eval(tml_interp_t *it, tml_node_t *node) {
    variable_t *v = *(variable_t **)node->data;
    if (node->op->builtin == TML_BUILTIN_READ_VARIABLE) {
        memcpy(tml_node_output(it, node, 0)->data, v->value, v->size);
    } else {
        memcpy(v->value, tml_node_input(it, node, 1)->data, v->size);
    }
    return TML_OK;
}

const tml_op_t tml_op_read_variable = {
    .builtin = TML_BUILTIN_READ_VARIABLE,
    .max_version = 1,
    .inputs = {1, 1},
    .outputs = {1, 1},
    .data_size = sizeof(variable_t *),
    .prepare = access_prepare,
    .eval = access_eval,
};

const tml_op_t tml_op_assign_variable = {
    .builtin = TML_BUILTIN_ASSIGN_VARIABLE,
    .max_version = 1,
    .inputs = {2, 2},
    .outputs = {0, 0},
    .data_size = sizeof(variable_t *),
    .prepare = access_prepare,
    .eval = access_eval,
};

// ---- CALL_ONCE ---------------------------------------------------------------------------

typedef struct {
    uint32_t subgraph;
    bool has_run;
} call_once_data_t;

// Walks the initialiser subgraph: each ASSIGN_VARIABLE must give a constant to a variable
// of an earlier VAR_HANDLE of that subgraph. With `apply`, copies the constants into the
// main graph's variables (a variable the main graph never uses has no bytes, and TFLite
// Micro's copy of it is never read). Prepare walks it to check, the first eval to apply:
// the model may not have changed in between (tml_check_unchanged), but walking validates
// every read again anyway.
static TML_COLD tml_status_t run_initialiser(tml_interp_t *it, uint32_t sg, bool apply) {
    uint32_t count = tml_subgraph_nodes(it, sg);
    for (uint32_t i = 0; i < count; i++) {
        tml_node_t op;
        TML_TRY(tml_subgraph_node(it, sg, i, &op));
        if (op.op == &tml_op_var_handle) {
            continue;
        }
        if (op.op->builtin != TML_BUILTIN_ASSIGN_VARIABLE) {
            return tml_fail(it, TML_ERR_UNSUPPORTED,
                "initialiser subgraph runs ops other than VAR_HANDLE and ASSIGN_VARIABLE");
        }
        // The handle: an earlier VAR_HANDLE of the subgraph.
        tml_node_t handle;
        bool found = false;
        for (uint32_t k = 0; k < i && !found && op.n_inputs == 2 && op.inputs[0] >= 0 && op.inputs[1] >= 0; k++) {
            TML_TRY(tml_subgraph_node(it, sg, k, &handle));
            found = handle.op == &tml_op_var_handle && handle.n_outputs == 1 && handle.outputs[0] == op.inputs[0];
        }
        TML_CHECK(it, found, TML_ERR_MODEL, "initialiser ASSIGN_VARIABLE needs 2 inputs, input 0 from a VAR_HANDLE");
        tml_tensor_t value;
        TML_TRY(tml_subgraph_tensor(it, sg, (uint32_t)op.inputs[1], &value));
        TML_CHECK(it, value.flags & TML_TENSOR_CONST, TML_ERR_UNSUPPORTED, "initialiser value is not a constant");
        const variable_t *v = NULL;
        for (uint32_t n = 0; n < it->n_nodes && v == NULL; n++) {
            const tml_node_t *h = &it->nodes[n];
            if (h->op == &tml_op_var_handle && same_variable(it, h, &handle)) {
                v = ((const variable_t *)h->data)->owner;
            }
        }
        if (v == NULL) {
            continue;
        }
        if (value.bytes != v->size) {
            return tml_fail_mismatch(it, TML_ERR_MODEL, "initial value bytes differ from the variable's",
                (int32_t)v->size, (int32_t)value.bytes);
        }
        if (apply) {
            memcpy(v->value, value.data, v->size);
        }
    }
    return TML_OK;
}

static TML_COLD tml_status_t call_once_prepare(tml_interp_t *it, tml_node_t *node) {
    TML_CHECK(it, node->n_inputs == 0 && node->n_outputs == 0, TML_ERR_MODEL, "expected no inputs or outputs");
    int32_t sg = tml_opt_i32(it, node, OPT_INIT_SUBGRAPH, 0);
    TML_CHECK(it, sg > 0 && tml_subgraph_nodes(it, (uint32_t)sg) > 0, TML_ERR_MODEL,
        "init subgraph missing or empty");
    call_once_data_t *d = node->data;
    d->subgraph = (uint32_t)sg;
    d->has_run = false;
    return run_initialiser(it, d->subgraph, false);
}

static tml_status_t call_once_eval(tml_interp_t *it, tml_node_t *node) {
    call_once_data_t *d = node->data;
    if (!d->has_run) {
        TML_TRY(run_initialiser(it, d->subgraph, true));
        d->has_run = true;
    }
    return TML_OK;
}

const tml_op_t tml_op_call_once = {
    .builtin = TML_BUILTIN_CALL_ONCE,
    .max_version = 1,
    .data_size = sizeof(call_once_data_t),
    .prepare = call_once_prepare,
    .eval = call_once_eval,
};
