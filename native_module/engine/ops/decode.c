// TFLM_DECODE (TFLite Micro's compression, CUSTOM op): turns compressed constants back into
// the tensors the next op reads. TFLM's compressor (tflite_micro compression/compress.py)
// rewrites each compressed weight tensor as a uint8 vector of packed indices, adds a uint8
// "ancillary data" tensor and inserts one DECODE right before each op that reads it; inputs
// come in pairs (encoded, ancillary), one output per pair. The outputs are ordinary planned
// tensors living from the DECODE to its consumer, so the planner sizes the extra RAM (one
// layer's weights) and the arena stays exact. An output only the int8 FULLY_CONNECTED right
// after reads is left to that op (TML_TENSOR_DEFERRED, see defer_decodes in tml_interp.c): it
// decodes a block of rows at a time through tml_lut_decode, so the arena holds only the block.
//
// Ancillary data: a 16-byte header (DECODE Common Metadata) then the value tables.
//   byte 0: decode type (0 = LUT; Huffman and pruning are refused), byte 1: DCM version 1,
//   byte 4: LUT version 1, byte 5: channel axis << 4 | index bit width (1-7), the axis 15
//   meaning one table for the whole tensor, byte 6: values per table (the table stride).
// Indices are bit_width wide, packed most significant bit first; an element of channel c reads
// table c (the channel counted along the axis, which must be 0 or the last one).
#include "ops/decode.h"

#define DCM_BYTES 16
#define DECODE_TYPE_LUT 0
#define PER_TENSOR_AXIS 15

// The tables of one output from a header decode_prepare checked (check_lut): eval and the
// deferring FULLY_CONNECTED read them on every invoke without checking again, since
// tml_check_unchanged refuses a model whose header (TML_TENSOR_INDEXES) or shapes changed.
static void fill_lut(const tml_tensor_t *enc, const tml_tensor_t *anc, const tml_tensor_t *out, tml_lut_t *lut) {
    const uint8_t *h = anc->data;
    uint32_t axis = h[5] >> 4;
    lut->elem = (uint32_t)tml_type_size(out->type);
    lut->bit_width = h[5] & 7u;
    lut->stride = h[6];
    lut->channels = 1;
    lut->inner = 1;
    lut->axis_last = false;
    if (axis != PER_TENSOR_AXIS) {
        lut->channels = (uint32_t)out->dims[axis];
        lut->axis_last = axis == (uint32_t)out->ndim - 1;
        lut->inner = lut->axis_last ? 1 : tml_elements(out) / lut->channels;
    }
    lut->indices = enc->data;
    lut->tables = h + DCM_BYTES;
}

static TML_COLD tml_status_t check_lut(tml_interp_t *it, const tml_tensor_t *enc, const tml_tensor_t *anc,
    const tml_tensor_t *out) {
    TML_CHECK(it, enc != NULL && anc != NULL && out != NULL && (enc->flags & TML_TENSOR_CONST)
        && (anc->flags & TML_TENSOR_CONST) && enc->data != NULL && anc->data != NULL && enc->type == TML_UINT8
        && anc->type == TML_UINT8, TML_ERR_MODEL, "encoded and ancillary inputs must be uint8 constants");
    TML_CHECK(it, !(out->flags & (TML_TENSOR_CONST | TML_TENSOR_VARIABLE)), TML_ERR_MODEL,
        "output must be a plain tensor");
    TML_CHECK(it, anc->bytes >= DCM_BYTES, TML_ERR_MODEL, "ancillary data shorter than its header");
    const uint8_t *h = anc->data;
    if (h[0] != DECODE_TYPE_LUT) {
        return tml_fail_int(it, TML_ERR_UNSUPPORTED, "decode type", h[0],
            " not supported (only 0, lookup tables)");
    }
    if (h[1] != 1 || h[4] != 1) {
        return tml_fail_int(it, TML_ERR_UNSUPPORTED, "lookup table version", h[1] != 1 ? h[1] : h[4],
            " not supported (expected 1)");
    }
    uint32_t elem = (uint32_t)tml_type_size(out->type);
    TML_CHECK(it, elem == 1 || elem == 2 || elem == 4 || elem == 8, TML_ERR_UNSUPPORTED,
        "output type cannot be decoded");
    uint32_t bit_width = h[5] & 7u;
    uint32_t axis = h[5] >> 4;
    uint32_t stride = h[6];
    TML_CHECK(it, bit_width >= 1, TML_ERR_MODEL, "index bit width must be 1 to 7");
    TML_CHECK(it, stride >= 1 && stride <= (1u << bit_width), TML_ERR_MODEL,
        "value table longer than its indices can reach");
    uint32_t count = tml_elements(out);
    uint32_t channels = 1;
    if (axis != PER_TENSOR_AXIS) {
        TML_CHECK(it, out->ndim >= 1 && (axis == 0 || axis == (uint32_t)out->ndim - 1), TML_ERR_MODEL,
            "value table axis must be the first or last of the output");
        TML_CHECK(it, out->dims[axis] >= 1 && count >= (uint32_t)out->dims[axis], TML_ERR_MODEL,
            "empty output");
        channels = (uint32_t)out->dims[axis];
    }
    // Every product below is of numbers bounded by the tensor limits (2^28 bytes), in 64 bits.
    uint64_t table_bytes = (uint64_t)channels * stride * elem;
    TML_CHECK(it, DCM_BYTES + table_bytes <= anc->bytes, TML_ERR_MODEL, "value tables truncated");
    TML_CHECK(it, ((uint64_t)count * bit_width + 7) / 8 <= enc->bytes, TML_ERR_MODEL,
        "encoded indices truncated");
    TML_CHECK(it, elem <= 4 || ((uintptr_t)(h + DCM_BYTES) & 3) == 0, TML_ERR_MODEL, "value tables misaligned");
    return TML_OK;
}

tml_status_t tml_lut_read(tml_interp_t *it, const tml_node_t *decode, int32_t output, tml_lut_t *lut) {
    for (int i = 0; i < decode->n_outputs; i++) {
        if (decode->outputs[i] == output) {
            fill_lut(tml_node_input(it, decode, 2 * i), tml_node_input(it, decode, 2 * i + 1),
                tml_node_output(it, decode, i), lut);
            return TML_OK;
        }
    }
    return tml_fail(it, TML_ERR_MODEL, "tensor is not an output of its DECODE");
}

// Reference decoder: element i takes value index[i] of its channel's table. The indices are
// read through a bit buffer and the channel is followed by counting, not dividing, since this
// runs over every weight of the layer on each invoke.
static bool decode_lut(const tml_lut_t *lut, uint32_t first, uint32_t count, uint8_t *out) {
    uint32_t elem = lut->elem;
    // Elements that share one table before the next channel's: 1 when channels interleave.
    uint32_t run = lut->channels == 1 ? UINT32_MAX : (lut->axis_last ? 1 : lut->inner);
    uint32_t channel = 0, left = run;
    if (lut->channels > 1) {
        channel = lut->axis_last ? first % lut->channels : first / lut->inner;
        left = lut->axis_last ? 1 : lut->inner - first % lut->inner;
    }
    uint32_t mask = (1u << lut->bit_width) - 1u;
    uint64_t bit = (uint64_t)first * lut->bit_width;
    const uint8_t *packed = lut->indices + bit / 8;
    const uint8_t *table = lut->tables + (size_t)channel * lut->stride * elem;
    uint32_t bits = 0, have = 0;
    if (bit % 8 != 0) {
        bits = *packed++;
        have = 8 - (uint32_t)(bit % 8);
    }
    for (uint32_t i = 0; i < count; i++) {
        if (have < lut->bit_width) {
            bits = (bits << 8) | *packed++;  // bits past the unread ones fall off the top
            have += 8;
        }
        have -= lut->bit_width;
        uint32_t index = (bits >> have) & mask;
        if (index >= lut->stride) {
            return false;
        }
        if (elem == 1) {
            out[i] = table[index];
        } else {
            memcpy(out + (size_t)i * elem, table + (size_t)index * elem, elem);
        }
        if (--left == 0) {
            left = run;
            channel = channel + 1 == lut->channels ? 0 : channel + 1;
            table = lut->tables + (size_t)channel * lut->stride * elem;
        }
    }
    return true;
}

// Fast path of decode_lut for the common case: int8 weights, 4-bit indices starting on a byte,
// channels of an even number of weights (or one table), so both indices of a byte read the same
// table. A full table (16 values) needs no index check, and where a table serves at least 512
// weights, a table of the 256 value pairs a byte can stand for (built per table: 256 writes)
// turns each byte into one 2-byte copy.
#define PAIRS_FROM 512

static void fill_pairs(uint8_t pairs[256][2], const uint8_t *table) {
    for (uint32_t b = 0; b < 256; b++) {
        pairs[b][0] = table[b >> 4];
        pairs[b][1] = table[b & 15u];
    }
}

static bool decode_lut_4bit_s8(const tml_lut_t *lut, uint32_t first, uint32_t count, uint8_t *out) {
    uint32_t run = lut->channels == 1 ? UINT32_MAX - 1u : lut->inner;
    uint32_t channel = lut->channels == 1 ? 0 : first / lut->inner;
    uint32_t left = lut->channels == 1 ? run : lut->inner - first % lut->inner;
    const uint8_t *packed = lut->indices + first / 2;
    const uint8_t *table = lut->tables + (size_t)channel * lut->stride;
    uint32_t stride = lut->stride;
    bool full = stride == 16;
    uint32_t i = 0;
    if (full && (lut->channels == 1 ? count : run) >= PAIRS_FROM) {
        uint8_t pairs[256][2];
        fill_pairs(pairs, table);
        while (i + 1 < count) {
            uint32_t n = left < count - i ? left : (count - i) & ~1u;  // this table's even share
            for (uint32_t end = i + n; i < end; i += 2) {
                memcpy(out + i, pairs[*packed++], 2);
            }
            left -= n;
            if (left == 0) {
                left = run;
                channel = channel + 1 == lut->channels ? 0 : channel + 1;
                table = lut->tables + (size_t)channel * stride;
                if (i + 1 < count) {
                    fill_pairs(pairs, table);
                }
            }
        }
    }
    for (; i + 1 < count; i += 2) {
        uint32_t byte = *packed++;
        uint32_t high = byte >> 4, low = byte & 15u;
        if (!full && (high >= stride || low >= stride)) {
            return false;
        }
        out[i] = table[high];
        out[i + 1] = table[low];
        left -= 2;
        if (left == 0) {
            left = run;
            channel = channel + 1 == lut->channels ? 0 : channel + 1;
            table = lut->tables + (size_t)channel * stride;
        }
    }
    if (count & 1u) {
        uint32_t high = *packed >> 4;
        if (high >= stride) {
            return false;
        }
        out[count - 1] = table[high];
    }
    return true;
}

bool tml_lut_decode(const tml_lut_t *lut, uint32_t first, uint32_t count, uint8_t *out) {
    if (lut->elem == 1 && lut->bit_width == 4 && first % 2 == 0
        && (lut->channels == 1 || (!lut->axis_last && lut->inner % 2 == 0))) {
        return decode_lut_4bit_s8(lut, first, count, out);
    }
    return decode_lut(lut, first, count, out);
}

static TML_COLD tml_status_t decode_prepare(tml_interp_t *it, tml_node_t *node) {
    TML_CHECK(it, node->n_outputs >= 1 && node->n_inputs == 2 * node->n_outputs, TML_ERR_MODEL,
        "expected an encoded and an ancillary input per output");
    for (int i = 0; i < node->n_outputs; i++) {
        tml_tensor_t *anc = tml_node_input(it, node, 2 * i + 1);
        TML_TRY(check_lut(it, tml_node_input(it, node, 2 * i), anc, tml_node_output(it, node, i)));
        // eval trusts the header: tml_check_unchanged refuses a model whose header changed.
        anc->flags |= TML_TENSOR_INDEXES;
    }
    return TML_OK;
}

static tml_status_t decode_eval(tml_interp_t *it, tml_node_t *node) {
    for (int i = 0; i < node->n_outputs; i++) {
        tml_lut_t lut;
        tml_tensor_t *out = tml_node_output(it, node, i);
        if (out->flags & TML_TENSOR_DEFERRED) {
            continue;  // its reader decodes it, a block at a time
        }
        fill_lut(tml_node_input(it, node, 2 * i), tml_node_input(it, node, 2 * i + 1), out, &lut);
        if (!tml_lut_decode(&lut, 0, tml_elements(out), out->data)) {
            return tml_fail(it, TML_ERR_MODEL, "encoded index outside its value table");
        }
    }
    return TML_OK;
}

const tml_op_t tml_op_decode = {
    .builtin = TML_BUILTIN_CUSTOM,
    .custom_name = "TFLM_DECODE",
    .max_version = 1,
    .data_size = 0,
    .prepare = decode_prepare,
    .eval = decode_eval,
};
