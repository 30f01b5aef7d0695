// Model loading: validates the TFLite flatbuffer (schema v3) in place.
//
// Field indices below are positions in TFLite's schema.fbs tables.
#include "tml_internal.h"

enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4, MODEL_METADATA = 6 };
enum { OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3 };
enum { TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_QUANT = 4, TENSOR_IS_VARIABLE = 5,
       TENSOR_SPARSITY = 6 };
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIMENSION = 6 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };
enum { OPERATOR_OPCODE = 0, OPERATOR_INPUTS = 1, OPERATOR_OUTPUTS = 2, OPERATOR_OPTIONS_TYPE = 3,
       OPERATOR_OPTIONS = 4, OPERATOR_CUSTOM_OPTIONS = 5 };
enum { METADATA_NAME = 0, METADATA_BUFFER = 1 };

// Largest tensor we accept; keeps every size sum in range on 32-bit targets.
#define MAX_TENSOR_BYTES 0x10000000u
#define MAX_COUNT 0xffffu

static TML_COLD tml_status_t corrupt_at(tml_interp_t *it, const char *what, uint32_t index, const char *tail) {
    return tml_fail_int(it, TML_ERR_MODEL, what, index, tail);
}

size_t tml_type_size(int32_t type) {
    switch (type) {
        case TML_FLOAT32:
        case TML_INT32:
        case TML_UINT32:
            return 4;
        case TML_FLOAT16:
        case TML_INT16:
        case TML_UINT16:
            return 2;
        case TML_UINT8:
        case TML_INT8:
        case TML_BOOL:
            return 1;
        case TML_INT64:
        case TML_UINT64:
        case TML_FLOAT64:
        case TML_COMPLEX64:
            return 8;
        case TML_COMPLEX128:
            return 16;
        default:
            return 0;
    }
}

// Data of buffer `index`: inline vector, or offset/size for models over 2 GB
// layouts (offset counted from the start of the model).
static TML_COLD bool buffer_data(const tml_interp_t *it, uint32_t index, const uint8_t **data, uint32_t *len) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t table, start, count, pos;
    *data = NULL;
    *len = 0;
    if (index >= it->n_buffers || !tml_fb_vector_table(&fb, it->buffers_vec, index, &table)) {
        return false;
    }
    if (!tml_fb_vector(&fb, table, BUFFER_DATA, 1, &start, &count)) {
        return false;
    }
    if (count > 0) {
        *data = it->model + start;
        *len = count;
        return true;
    }
    if (!tml_fb_field(&fb, table, BUFFER_OFFSET, 8, &pos)) {
        return false;
    }
    if (pos != 0) {
        uint32_t size_pos;
        if (!tml_fb_field(&fb, table, BUFFER_SIZE, 8, &size_pos) || size_pos == 0) {
            return false;
        }
        uint64_t off = tml_fb_u32(it->model + pos) | ((uint64_t)tml_fb_u32(it->model + pos + 4) << 32);
        uint64_t size = tml_fb_u32(it->model + size_pos)
            | ((uint64_t)tml_fb_u32(it->model + size_pos + 4) << 32);
        if (off > 1 && size > 0) {
            // Written so that off + size cannot wrap around.
            if (off > it->model_len || size > it->model_len - off || size > MAX_TENSOR_BYTES) {
                return false;
            }
            *data = it->model + off;
            *len = (uint32_t)size;
        }
    }
    return true;
}

// Quantized activations and weights need finite positive scales and zero
// points inside their type: anything else is a corrupt model, and would make
// the kernels' int32 arithmetic overflow. Other types (int32 biases, floats)
// carry parameters the kernels never use, so only their layout is checked.
static tml_status_t check_quantization(tml_interp_t *it, uint32_t index, uint8_t type,
    uint32_t scales, uint32_t n_scales, uint32_t zps, uint32_t n_zps) {
    int64_t lo, hi;
    switch (type) {
        case TML_INT8:
            lo = -128;
            hi = 127;
            break;
        case TML_UINT8:
            lo = 0;
            hi = 255;
            break;
        case TML_INT16:
            lo = -32768;
            hi = 32767;
            break;
        default:
            return TML_OK;
    }
    for (uint32_t i = 0; i < n_scales; i++) {
        float scale = tml_rd_f32(it->model + scales + 4 * i);
        // Written so that NaN fails too.
        if (!(scale > 0.0f && scale <= 3.0e38f)) {
            return corrupt_at(it, "tensor", index, " has an invalid quantization scale");
        }
    }
    for (uint32_t i = 0; i < n_zps; i++) {
        const uint8_t *p = it->model + zps + 8 * i;
        int64_t zp = (int64_t)((uint64_t)tml_fb_u32(p) | ((uint64_t)tml_fb_u32(p + 4) << 32));
        if (zp < lo || zp > hi) {
            return corrupt_at(it, "tensor", index, " zero point is outside its type");
        }
    }
    return TML_OK;
}

// "tensor <index> is <what>: <needs> not built in; ...": what is the tensor's type name, needs
// its kernels; or a variable, whose state only SVDF and the LSTM keep. Short enough for a
// 5-digit index in TML_ERR_MSG_LEN. The message ends as unsupported_op's does: TML_NOT_BUILT_IN is
// an argument, so that the linker stores its text once, inside unsupported_op's ":" TML_NOT_BUILT_IN.
static TML_COLD tml_status_t left_out(tml_interp_t *it, uint32_t index, const char *what, const char *needs) {
    return tml_failf(it, TML_ERR_UNSUPPORTED, "tensor %d is %s%s%s", (int)index, what, needs, TML_NOT_BUILT_IN);
}

TML_COLD tml_status_t tml_read_tensor(tml_interp_t *it, uint32_t index, tml_tensor_t *t) {
    static const uint8_t fields[] = {
        TML_FB_FIELD(TENSOR_SHAPE, TML_FB_VEC4), TML_FB_FIELD(TENSOR_TYPE, TML_FB_U8),
        TML_FB_FIELD(TENSOR_BUFFER, TML_FB_I32), TML_FB_FIELD(TENSOR_IS_VARIABLE, TML_FB_U8),
        TML_FB_FIELD(TENSOR_QUANT, TML_FB_TABLE), TML_FB_FIELD(TENSOR_SPARSITY, TML_FB_TABLE),
    };
    enum { SHAPE, NDIM, TYPE, BUFFER, IS_VARIABLE, QUANT, SPARSITY, VALUES };
    tml_fb_t fb = tml_fb_of(it);
    uint32_t table, v[VALUES];
    const char *why;
    memset(t, 0, sizeof(*t));
    if (index >= it->n_tensors || !tml_fb_vector_table(&fb, it->tensors_vec, index, &table)
        || !tml_fb_fields(&fb, table, fields, sizeof(fields), v)) {
        why = " is corrupt";
        goto corrupt;
    }
    const uint32_t shape = v[SHAPE], ndim = v[NDIM], quant = v[QUANT];
    const uint8_t type = (uint8_t)v[TYPE];
    const int32_t buffer = (int32_t)v[BUFFER];
    if (v[SPARSITY] != 0) {
        why = " is sparse: not supported";
        goto unsupported;
    }
    // A build without these kernels (tml_config.h) refuses the model here, before an op could
    // reach a kernel that compiled to nothing.
    if ((!TML_KERNELS_F32 && type == TML_FLOAT32) || (!TML_KERNELS_S16 && type == TML_INT16)) {
        return left_out(it, index, tml_type_name(type), ": kernels");
    }
    if (ndim > TML_MAX_DIMS) {
        why = " has more than 6 dimensions";
        goto unsupported;
    }
    if (ndim > 0 && ((uintptr_t)(it->model + shape) & 3) != 0) {
        why = " shape is misaligned";
        goto corrupt;
    }
    t->dims = ndim > 0 ? (const int32_t *)(const void *)(it->model + shape) : NULL;
    t->ndim = (uint8_t)ndim;
    t->type = type;
    uint64_t elements = 1;
    for (uint32_t i = 0; i < ndim; i++) {
        if (t->dims[i] < 0) {
            why = " has a dynamic shape";
            goto unsupported;
        }
        elements *= (uint32_t)t->dims[i];
        if (elements > MAX_TENSOR_BYTES) {
            why = " is too large";
            goto corrupt;
        }
    }
    uint64_t bytes = elements * tml_type_size(type);
    if (bytes > MAX_TENSOR_BYTES) {
        why = " is too large";
        goto corrupt;
    }
    t->bytes = (uint32_t)bytes;
    const uint8_t *data;
    uint32_t len;
    if (buffer < 0 || !buffer_data(it, (uint32_t)buffer, &data, &len)) {
        why = " has a bad buffer";
        goto corrupt;
    }
    if (data != NULL) {
        size_t elem = tml_type_size(type);
        if (elem == 0 || type == TML_INT4) {
            t->bytes = len;  // packed or variable-size types: ops decide
        } else if (len != bytes) {
            why = " buffer size does not match its shape";
            goto corrupt;
        }
        // 32-bit targets load 8-byte types as two words; converters align
        // int64 biases to 4 only.
        size_t align = elem > 4 ? 4 : (elem == 0 ? 1 : elem);
        if (((uintptr_t)data & (align - 1)) != 0) {
            why = " data is misaligned";
            goto corrupt;
        }
        t->data = (uint8_t *)(uintptr_t)data;
        t->flags |= TML_TENSOR_CONST;
    }
    const bool is_variable = v[IS_VARIABLE] != 0;
    if (is_variable && !TML_BUILT_VARIABLES) {
        return left_out(it, index, "a variable", ": SVDF, LSTM");
    }
    if (is_variable) {
        t->flags |= TML_TENSOR_VARIABLE;
        t->flags &= (uint8_t) ~TML_TENSOR_CONST;
        t->data = NULL;
    }
    if (quant != 0) {
        static const uint8_t quant_fields[] = {
            TML_FB_FIELD(QUANT_SCALE, TML_FB_VEC4), TML_FB_FIELD(QUANT_ZERO_POINT, TML_FB_VEC8),
        };
        uint32_t q[4];
        if (!tml_fb_fields(&fb, quant, quant_fields, sizeof(quant_fields), q)) {
            why = " quantization is corrupt";
            goto corrupt;
        }
        const uint32_t scales = q[0], n_scales = q[1], zps = q[2], n_zps = q[3];
        if (n_scales > 0) {
            t->scale = tml_rd_f32(it->model + scales);
            t->quant_count = n_scales > 255 ? 255 : (uint8_t)n_scales;
        }
        if (n_zps > 0) {
            t->zero_point = tml_rd_i32(it->model + zps);  // low half of a little-endian int64
        }
        TML_TRY(check_quantization(it, index, type, scales, n_scales, zps, n_zps));
    }
    return TML_OK;
    // One call for every failure rather than one per check: loading's messages are cold code.
corrupt:
    return corrupt_at(it, "tensor", index, why);
unsupported:
    return tml_fail_int(it, TML_ERR_UNSUPPORTED, "tensor", index, why);
}

// The tensor indices of a vector tml_fb_fields read (start, count): at most MAX_COUNT, aligned.
static TML_COLD bool int_vector(const tml_interp_t *it, const uint32_t *start_count, const int32_t **vec) {
    uint32_t start = start_count[0], count = start_count[1];
    if (count > MAX_COUNT || (count > 0 && ((uintptr_t)(it->model + start) & 3) != 0)) {
        return false;
    }
    *vec = count > 0 ? (const int32_t *)(const void *)(it->model + start) : NULL;
    return true;
}

static bool valid_indices(const tml_interp_t *it, const int32_t *v, uint32_t n, bool allow_absent) {
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] >= (int32_t)it->n_tensors || v[i] < (allow_absent ? -1 : 0)) {
            return false;
        }
    }
    return true;
}

// builtin: the op's code, or -1 for a custom op (`name` then says which).
static TML_COLD tml_status_t unsupported_op(tml_interp_t *it, uint32_t index, const char *name, int32_t builtin,
    int32_t version) {
    const char *tail = builtin >= 0 && tml_builtin_left_out(builtin) ? ":" TML_NOT_BUILT_IN : "";
    it->err_node = (int32_t)index;
    if (builtin >= 0 && strlen(name) == 7 && memcmp(name, "UNKNOWN", 7) == 0) {
        // A build without the name table (TML_BUILTIN_NAMES=0) knows only its own ops' names.
        return tml_failf(it, TML_ERR_UNSUPPORTED, "unsupported op builtin %d v%d%s", (int)builtin, (int)version, tail);
    }
    return tml_failf(it, TML_ERR_UNSUPPORTED, "unsupported op %s%s v%d%s", builtin < 0 ? "custom " : "", name,
        (int)version, tail);
}

TML_COLD tml_status_t tml_read_node(tml_interp_t *it, uint32_t index, tml_node_t *node) {
    // The options type is read to check it, not used: each op knows its options' table.
    static const uint8_t fields[] = {
        TML_FB_FIELD(OPERATOR_OPCODE, TML_FB_I32), TML_FB_FIELD(OPERATOR_INPUTS, TML_FB_VEC4),
        TML_FB_FIELD(OPERATOR_OUTPUTS, TML_FB_VEC4), TML_FB_FIELD(OPERATOR_OPTIONS_TYPE, TML_FB_U8),
        TML_FB_FIELD(OPERATOR_OPTIONS, TML_FB_TABLE),
    };
    static const uint8_t opcode_fields[] = {
        TML_FB_FIELD(OPCODE_DEPRECATED_BUILTIN, TML_FB_U8), TML_FB_FIELD(OPCODE_BUILTIN, TML_FB_I32),
    };
    enum { OPCODE, INPUTS, N_INPUTS, OUTPUTS, N_OUTPUTS, OPTIONS_TYPE, OPTIONS, VALUES };
    tml_fb_t fb = tml_fb_of(it);
    uint32_t table, opcode_table, name_start, name_len, v[VALUES], op_v[2];
    int32_t version, builtin;
    memset(node, 0, sizeof(*node));
    if (!tml_fb_vector_table(&fb, it->operators_vec, index, &table) || !tml_fb_fields(&fb, table, fields, sizeof(fields), v)
        || !int_vector(it, &v[INPUTS], &node->inputs) || !int_vector(it, &v[OUTPUTS], &node->outputs)) {
        return corrupt_at(it, "operator", index, " is corrupt");
    }
    node->options = v[OPTIONS];
    const uint32_t inputs = v[N_INPUTS], outputs = v[N_OUTPUTS];
    const int32_t opcode = (int32_t)v[OPCODE];
    if (!valid_indices(it, node->inputs, inputs, true) || !valid_indices(it, node->outputs, outputs, false)) {
        return corrupt_at(it, "operator", index, " refers to a missing tensor");
    }
    node->n_inputs = (uint16_t)inputs;
    node->n_outputs = (uint16_t)outputs;
    if (opcode < 0 || (uint32_t)opcode >= it->n_opcodes
        || !tml_fb_vector_table(&fb, it->opcodes_vec, (uint32_t)opcode, &opcode_table)
        || !tml_fb_fields(&fb, opcode_table, opcode_fields, sizeof(opcode_fields), op_v)
        || !tml_fb_i32(&fb, opcode_table, OPCODE_VERSION, 1, &version)) {
        return corrupt_at(it, "operator", index, " has a bad opcode");
    }
    const int32_t deprecated = (int8_t)op_v[0];
    builtin = (int32_t)op_v[1];
    // Old converters fill only the deprecated byte; new ones fill both.
    if (deprecated > builtin) {
        builtin = deprecated;
    }
    if (builtin == TML_BUILTIN_CUSTOM) {
        char name[40] = "CUSTOM";
        name_len = 0;
        if (tml_fb_vector(&fb, opcode_table, OPCODE_CUSTOM, 1, &name_start, &name_len) && name_len > 0) {
            uint32_t n = name_len < sizeof(name) - 1 ? name_len : sizeof(name) - 1;
            // Printable ASCII only: the message becomes a Python str on both faces.
            for (uint32_t i = 0; i < n; i++) {
                uint8_t c = it->model[name_start + i];
                name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
            }
            name[n] = '\0';
        }
        const tml_op_t *op = TML_BUILT_CUSTOM && name_len > 0
            ? tml_find_custom_op((const char *)it->model + name_start, name_len)
            : NULL;
        if (!TML_BUILT_CUSTOM || op == NULL || version < 1 || version > op->max_version) {
            return unsupported_op(it, index, name, -1, version);
        }
        // Custom ops have no builtin options; node->options holds their
        // custom_options vector (length word first) instead.
        uint32_t opts_start, opts_len;
        if (!tml_fb_vector(&fb, table, OPERATOR_CUSTOM_OPTIONS, 1, &opts_start, &opts_len)) {
            return corrupt_at(it, "operator", index, " is corrupt");
        }
        node->options = opts_len > 0 ? opts_start - 4 : 0;
        node->op = op;
        return TML_OK;
    }
    const tml_op_t *op = tml_find_op(builtin);
    if (op == NULL || version < 1 || version > op->max_version) {
        char name[TML_BUILTIN_NAME_LEN];
        return unsupported_op(it, index, tml_any_builtin_name(builtin, name), builtin, version);
    }
    node->op = op;
    return TML_OK;
}

// Where subgraph_fields puts each vector's (start, count).
enum { SG_TENSORS = 0, SG_OPERATORS = 2 };

// The tensors and operators of a subgraph table: false when corrupt or with more than MAX_COUNT
// tensors or operators.
static TML_COLD bool subgraph_fields(const tml_interp_t *it, uint32_t table, uint32_t v[4]) {
    static const uint8_t fields[] = {
        TML_FB_FIELD(SUBGRAPH_TENSORS, TML_FB_VEC4), TML_FB_FIELD(SUBGRAPH_OPERATORS, TML_FB_VEC4),
    };
    tml_fb_t fb = tml_fb_of(it);
    return tml_fb_fields(&fb, table, fields, sizeof(fields), v) && v[SG_TENSORS + 1] <= MAX_COUNT
           && v[SG_OPERATORS + 1] <= MAX_COUNT;
}

// The graph's inputs or outputs (a subgraph field): false when corrupt or naming a missing tensor.
static TML_COLD bool graph_io(tml_interp_t *it, int field, const int32_t **vec, uint16_t *n) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t start_count[2];
    if (!tml_fb_vector(&fb, it->subgraph, field, 4, &start_count[0], &start_count[1])
        || !int_vector(it, start_count, vec) || !valid_indices(it, *vec, start_count[1], false)) {
        return false;
    }
    *n = (uint16_t)start_count[1];
    return true;
}

TML_COLD tml_status_t tml_load(tml_interp_t *it, const void *model, size_t len) {
    memset(it, 0, sizeof(*it));
    it->target = tml_native_target();
    it->err_node = -1;
    it->model = (const uint8_t *)model;
    it->model_len = len;
    tml_fb_t fb = tml_fb_of(it);
    if (model == NULL || len < 8) {
        return tml_fail_model(it, "model too short for a .tflite file");
    }
    if (memcmp(it->model + 4, "TFL3", 4) != 0) {
        return tml_fail_model(it, "not a .tflite model (no TFL3 identifier)");
    }
    if (((uintptr_t)model & 3) != 0) {
        return tml_fail(it, TML_ERR_ARG, "model buffer must be 4-byte aligned");
    }
    if (len > 0x7fffffffu) {
        return tml_fail_model(it, "model larger than 2 GB");
    }
    uint32_t root;
    int32_t version;
    if (!tml_fb_deref(&fb, 0, &root) || !tml_fb_i32(&fb, root, MODEL_VERSION, 0, &version)) {
        return tml_fail_model(it, "model header is corrupt");
    }
    if (version != 3) {
        return tml_fail_int(it, TML_ERR_UNSUPPORTED, "model schema version", version, " not supported (expected 3)");
    }
    static const uint8_t fields[] = {
        TML_FB_FIELD(MODEL_OPCODES, TML_FB_VEC4), TML_FB_FIELD(MODEL_SUBGRAPHS, TML_FB_VEC4),
        TML_FB_FIELD(MODEL_BUFFERS, TML_FB_VEC4),
    };
    uint32_t v[6];
    if (!tml_fb_fields(&fb, root, fields, sizeof(fields), v)) {
        return tml_fail_model(it, "model tables are corrupt");
    }
    it->opcodes_vec = v[0];
    it->n_opcodes = v[1];
    it->buffers_vec = v[4];
    it->n_buffers = v[5];
    if (v[3] == 0 || !tml_fb_vector_table(&fb, v[2], 0, &it->subgraph)) {
        return tml_fail_model(it, "model has no subgraph");
    }
    uint32_t sg[4];
    if (!subgraph_fields(it, it->subgraph, sg)) {
        return tml_fail_model(it, "subgraph is corrupt");
    }
    it->tensors_vec = sg[SG_TENSORS];
    it->n_tensors = sg[SG_TENSORS + 1];
    it->operators_vec = sg[SG_OPERATORS];
    it->n_nodes = sg[SG_OPERATORS + 1];
    if (!graph_io(it, SUBGRAPH_INPUTS, &it->graph_inputs, &it->n_inputs)) {
        return tml_fail_model(it, "graph inputs are corrupt");
    }
    if (!graph_io(it, SUBGRAPH_OUTPUTS, &it->graph_outputs, &it->n_outputs)) {
        return tml_fail_model(it, "graph outputs are corrupt");
    }
    tml_tensor_t t;
    for (uint32_t i = 0; i < it->n_tensors; i++) {
        TML_TRY(tml_read_tensor(it, i, &t));
    }
    tml_node_t node;
    for (uint32_t i = 0; i < it->n_nodes; i++) {
        TML_TRY(tml_read_node(it, i, &node));
    }
    return TML_OK;
}

// Points the interpreter's tensor and operator vectors at subgraph sg for one read. The
// model was validated at load, so only sg's own tables can be corrupt.
static TML_COLD bool enter_subgraph(tml_interp_t *it, uint32_t sg, tml_interp_t *saved) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t root, subgraphs, n_subgraphs, table, v[4];
    if (!tml_fb_deref(&fb, 0, &root) || !tml_fb_vector(&fb, root, MODEL_SUBGRAPHS, 4, &subgraphs, &n_subgraphs)
        || sg >= n_subgraphs || !tml_fb_vector_table(&fb, subgraphs, sg, &table) || !subgraph_fields(it, table, v)) {
        return false;
    }
    *saved = *it;
    it->tensors_vec = v[SG_TENSORS];
    it->n_tensors = v[SG_TENSORS + 1];
    it->operators_vec = v[SG_OPERATORS];
    it->n_nodes = v[SG_OPERATORS + 1];
    // The nodes in the arena are the main graph's: a message about operator i of sg must not
    // name (or read past) node i of the main graph.
    it->nodes = NULL;
    return true;
}

static void leave_subgraph(tml_interp_t *it, const tml_interp_t *saved) {
    it->tensors_vec = saved->tensors_vec;
    it->n_tensors = saved->n_tensors;
    it->operators_vec = saved->operators_vec;
    it->n_nodes = saved->n_nodes;
    it->nodes = saved->nodes;
    it->err_node = saved->err_node;
}

uint32_t tml_subgraph_nodes(tml_interp_t *it, uint32_t sg) {
    tml_interp_t saved;
    if (!enter_subgraph(it, sg, &saved)) {
        return 0;
    }
    uint32_t n = it->n_nodes;
    leave_subgraph(it, &saved);
    return n;
}

// Node (t NULL) or tensor `index` of subgraph sg, read as tml_read_node or tml_read_tensor reads
// the main graph's: one body for both.
static TML_COLD tml_status_t subgraph_read(tml_interp_t *it, uint32_t sg, uint32_t index, tml_node_t *node,
    tml_tensor_t *t) {
    tml_interp_t saved;
    if (!enter_subgraph(it, sg, &saved)) {
        return tml_fail_int(it, TML_ERR_MODEL, "subgraph", sg, " is corrupt");
    }
    const bool inside = index < (t != NULL ? it->n_tensors : it->n_nodes);
    tml_status_t st = !inside ? TML_ERR_MODEL : t != NULL ? tml_read_tensor(it, index, t) : tml_read_node(it, index, node);
    // Back on the main graph before any message: it names the main graph's nodes.
    leave_subgraph(it, &saved);
    return inside ? st : tml_fail_int(it, TML_ERR_MODEL, "subgraph", sg, " is corrupt");
}

tml_status_t tml_subgraph_node(tml_interp_t *it, uint32_t sg, uint32_t index, tml_node_t *node) {
    return subgraph_read(it, sg, index, node, NULL);
}

tml_status_t tml_subgraph_tensor(tml_interp_t *it, uint32_t sg, uint32_t index, tml_tensor_t *t) {
    return subgraph_read(it, sg, index, NULL, t);
}

TML_COLD bool tml_metadata(const tml_interp_t *it, const char *name, const uint8_t **data, size_t *len) {
    tml_fb_t fb = tml_fb_of(it);
    uint32_t root, entries, count, table, name_start, name_len;
    int32_t buffer;
    if (it->model == NULL || !tml_fb_deref(&fb, 0, &root)
        || !tml_fb_vector(&fb, root, MODEL_METADATA, 4, &entries, &count)) {
        return false;
    }
    size_t want = strlen(name);
    for (uint32_t i = 0; i < count; i++) {
        if (!tml_fb_vector_table(&fb, entries, i, &table)
            || !tml_fb_vector(&fb, table, METADATA_NAME, 1, &name_start, &name_len)
            || !tml_fb_i32(&fb, table, METADATA_BUFFER, -1, &buffer)) {
            return false;
        }
        if (name_len == want && memcmp(it->model + name_start, name, want) == 0 && buffer >= 0) {
            const uint8_t *d;
            uint32_t n;
            if (!buffer_data(it, (uint32_t)buffer, &d, &n)) {
                return false;
            }
            *data = d;
            *len = n;
            return true;
        }
    }
    return false;
}
