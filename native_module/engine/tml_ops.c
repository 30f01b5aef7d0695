// The op registry: maps a TFLite builtin code to its tml_op_t. Only the ops it lists are
// linked (the ports link with --gc-sections), so a firmware built from a shorter list
// (TML_OPS_LIST) carries only those ops' code.
#include "tml_internal.h"

#define TML_OP_ENTRY(name, builtin) extern const tml_op_t tml_op_##name;
#include TML_OPS_HEADER
#undef TML_OP_ENTRY

static const tml_op_t *const registry[] = {
#define TML_OP_ENTRY(name, builtin) &tml_op_##name,
#include TML_OPS_HEADER
#undef TML_OP_ENTRY
};

TML_COLD bool tml_builtin_left_out(int32_t builtin) {
    #ifdef TML_OPS_LIST
    // Every builtin the engine has, so that an error can tell "left out of this build" from
    // "not written": a byte an op (every code the engine runs is below 256).
    #define TML_OP_ENTRY(name, code) _Static_assert(TML_BUILTIN_##code < 256, "engine_builtins holds bytes");
    #include "tml_ops_list.h"
    #undef TML_OP_ENTRY
    static const uint8_t engine_builtins[] = {
    #define TML_OP_ENTRY(name, code) TML_BUILTIN_##code,
    #include "tml_ops_list.h"
    #undef TML_OP_ENTRY
    };
    for (size_t i = 0; i < sizeof(engine_builtins) / sizeof(engine_builtins[0]); i++) {
        if (engine_builtins[i] == builtin) {
            return tml_find_op(builtin) == NULL;
        }
    }
    #else
    (void)builtin;
    #endif
    return false;
}

TML_COLD const tml_op_t *tml_find_op(int32_t builtin) {
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
        if (registry[i]->builtin == builtin && registry[i]->custom_name == NULL && registry[i]->prepare != NULL) {
            return registry[i];
        }
    }
    return NULL;
}

TML_COLD const tml_op_t *tml_find_custom_op(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
        const char *c = registry[i]->custom_name;
        if (c != NULL && registry[i]->prepare != NULL && strlen(c) == len && memcmp(c, name, len) == 0) {
            return registry[i];
        }
    }
    return NULL;
}

TML_COLD bool tml_builtin_supported(int32_t builtin, int32_t version) {
    const tml_op_t *op = tml_find_op(builtin);
    return op != NULL && version >= 1 && version <= op->max_version;
}

TML_COLD bool tml_custom_supported(const char *name, int32_t version) {
    const tml_op_t *op = tml_find_custom_op(name, strlen(name));
    return op != NULL && version >= 1 && version <= op->max_version;
}
