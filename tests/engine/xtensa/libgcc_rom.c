// 64-bit integer helpers that Debian's libgcc for xtensa-lx106 leaves out, because on an
// ESP8266 they live in the chip's ROM. The single- and double-precision ones come from GCC's
// own Xtensa sources (libgcc/config/xtensa/lib1funcs.S, from Debian's gcc-12-source), built by
// lx106.py; these four are plain C over the helpers that the library does have.
#include <stddef.h>
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem);
uint64_t __umulsidi3(uint32_t a, uint32_t b);

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __muldi3(int64_t a, int64_t b);

uint64_t __udivdi3(uint64_t n, uint64_t d) {
    return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d) {
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}

int64_t __divdi3(int64_t n, int64_t d) {
    return __divmoddi4(n, d, NULL);
}

// Low 64 bits of the product: the high halves only reach bits 32..63.
int64_t __muldi3(int64_t a, int64_t b) {
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    uint32_t al = (uint32_t)ua, ah = (uint32_t)(ua >> 32);
    uint32_t bl = (uint32_t)ub, bh = (uint32_t)(ub >> 32);
    uint64_t p = __umulsidi3(al, bl);
    p += (uint64_t)(uint32_t)(al * bh + ah * bl) << 32;
    return (int64_t)p;
}
