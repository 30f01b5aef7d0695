// tml_flexbuf: values by key from maps written by Python's flatbuffers.flexbuffers (byte
// widths 1 and 8, inline and indirect ints, bools, a typed vector), and no out-of-bounds
// read on any truncated or corrupted buffer (the test runs under AddressSanitizer).
#include <stdlib.h>

#include "tml_flexbuf.h"
#include "tml_test.h"

// {"T": 7, "big": 1 << 40, "flag": True, "neg": -300, "off": False, "u": 200,
//  "vec": [3, -1, 70000], "name": "hi"}: 8-byte values.
static const uint8_t wide[] = {
    0x54, 0x00, 0x62, 0x69, 0x67, 0x00, 0x66, 0x6c, 0x61, 0x67, 0x00, 0x6e,
    0x65, 0x67, 0x00, 0x6f, 0x66, 0x66, 0x00, 0x75, 0x00, 0x76, 0x65, 0x63,
    0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff, 0x70, 0x11, 0x01, 0x00, 0x6e, 0x61, 0x6d, 0x65,
    0x00, 0x02, 0x68, 0x69, 0x00, 0x08, 0x36, 0x35, 0x32, 0x0d, 0x2f, 0x2c,
    0x29, 0x28, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xd4, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x07, 0x6b, 0x14,
    0x07, 0x6b, 0x0b, 0x2e, 0x48, 0x27, 0x01,
};

// {"shift": 12, "clamping": False, "neg": -5}: 1-byte values, as TFLM's op options.
static const uint8_t small[] = {
    0x73, 0x68, 0x69, 0x66, 0x74, 0x00, 0x63, 0x6c, 0x61, 0x6d, 0x70, 0x69,
    0x6e, 0x67, 0x00, 0x6e, 0x65, 0x67, 0x00, 0x03, 0x0e, 0x06, 0x16, 0x03,
    0x01, 0x03, 0x00, 0xfb, 0x0c, 0x68, 0x04, 0x04, 0x06, 0x24, 0x01,
};

TEST(reads_ints_and_bools_by_key_not_vectors) {
    tml_flexbuf_map_t m;
    TEST_CHECK(tml_flexbuf_map(&m, wide, sizeof(wide)));
    int64_t v = 0;
    TEST_CHECK(tml_flexbuf_int(&m, "big", &v));
    TEST_EQ_INT(v, (int64_t)1 << 40);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "big", 0), INT32_MAX);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "T", 0), 7);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "neg", 0), -300);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "u", 0), 200);
    TEST_CHECK(tml_flexbuf_bool(&m, "flag", false));
    TEST_CHECK(!tml_flexbuf_bool(&m, "off", true));
    TEST_EQ_INT(tml_flexbuf_i32(&m, "missing", -9), -9);
    TEST_CHECK(!tml_flexbuf_int(&m, "name", &v));  // a string is not an int
    TEST_CHECK(!tml_flexbuf_int(&m, "ne", &v));    // prefixes do not match
    TEST_CHECK(!tml_flexbuf_int(&m, "vec", &v));  // nor is a vector
}

TEST(reads_one_byte_maps) {
    tml_flexbuf_map_t m;
    TEST_CHECK(tml_flexbuf_map(&m, small, sizeof(small)));
    TEST_EQ_INT(m.width, 1);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "shift", 0), 12);
    TEST_EQ_INT(tml_flexbuf_i32(&m, "neg", 0), -5);
    TEST_CHECK(!tml_flexbuf_bool(&m, "clamping", true));
}

TEST(empty_or_absent_options_are_not_a_map) {
    tml_flexbuf_map_t m;
    TEST_CHECK(!tml_flexbuf_map(&m, NULL, 0));
    TEST_CHECK(!tml_flexbuf_map(&m, small, 2));
    TEST_EQ_INT(tml_flexbuf_i32(&m, "shift", 3), 3);  // a failed open reads as empty
}

// Every read on a copy in a heap block of exactly its size, so ASan sees any overrun.
static void read_all(const uint8_t *data, size_t len) {
    uint8_t *copy = malloc(len > 0 ? len : 1);
    memcpy(copy, data, len);
    tml_flexbuf_map_t m;
    if (tml_flexbuf_map(&m, copy, len)) {
        static const char *const keys[] = { "T", "big", "flag", "neg", "off", "u", "vec", "name", "shift",
                                            "clamping" };
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            int64_t v;
            (void)tml_flexbuf_int(&m, keys[k], &v);
        }
    }
    free(copy);
}

static void mutate_all(const uint8_t *data, size_t len) {
    uint8_t buf[256];
    for (size_t n = 0; n <= len; n++) {
        read_all(data + len - n, n);  // suffixes keep the root at the end
        read_all(data, n);
    }
    static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x07, 0x24, 0x25, 0x2c, 0x2d, 0x7f, 0x80, 0xff };
    for (size_t i = 0; i < len; i++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(buf, data, len);
            buf[i] = values[v];
            read_all(buf, len);
        }
    }
}

TEST(truncated_and_corrupt_buffers_stay_in_bounds) {
    mutate_all(wide, sizeof(wide));
    mutate_all(small, sizeof(small));
    TEST_CHECK(1);
}

int main(void) {
    RUN_TEST(reads_ints_and_bools_by_key_not_vectors);
    RUN_TEST(reads_one_byte_maps);
    RUN_TEST(empty_or_absent_options_are_not_a_map);
    RUN_TEST(truncated_and_corrupt_buffers_stay_in_bounds);
    return test_report();
}
