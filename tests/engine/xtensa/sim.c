// The runner's platform on QEMU's xtensa `sim` machine: console, files and exit through the
// simcall instruction (QEMU's Xtensa semihosting), time from CCOUNT, memory from the pool the
// linker script leaves between the BSS and the stack. start.S calls xt_main().
#include <stdint.h>
#include <string.h>

#include "runner.h"

enum {
    SYS_EXIT = 1,
    SYS_READ = 3,
    SYS_WRITE = 4,
    SYS_OPEN = 5,
    SYS_CLOSE = 6,
    SYS_LSEEK = 19,
    SYS_ARGC = 1000,
    SYS_ARGV_SZ = 1001,
    SYS_ARGV = 1002,
};

extern uint8_t __bss_start[], __bss_end[], __pool_start[], __pool_end[];

static uint8_t *pool_top;

static int32_t simcall(int32_t id, int32_t a, int32_t b, int32_t c) {
    register int32_t a2 __asm__ ("a2") = id;
    register int32_t a3 __asm__ ("a3") = a;
    register int32_t a4 __asm__ ("a4") = b;
    register int32_t a5 __asm__ ("a5") = c;
    __asm__ volatile ("simcall" : "+r" (a2), "+r" (a3) : "r" (a4), "r" (a5) : "memory");
    return a2;
}

uint32_t rt_ticks(void) {
    uint32_t v;
    __asm__ volatile ("rsr.ccount %0" : "=r" (v));
    return v;
}

uint32_t rt_calibrate(void) {
    uint32_t n = RT_CALIBRATION_INSTRUCTIONS / 2;  // two instructions an iteration
    uint32_t t0 = rt_ticks();
    __asm__ volatile ("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r" (n));
    return rt_ticks() - t0;
}

void rt_put(const char *s) {
    simcall(SYS_WRITE, 1, (int32_t)(uintptr_t)s, (int32_t)strlen(s));
}

void *rt_alloc(uint32_t n) {
    uint8_t *p = pool_top;
    if (n > (uint32_t)(__pool_end - p)) {
        return NULL;
    }
    pool_top = p + ((n + 15u) & ~15u);
    return p;
}

uint8_t *rt_read(const char *path, uint32_t *len) {
    int32_t fd = simcall(SYS_OPEN, (int32_t)(uintptr_t)path, 0, 0);  // O_RDONLY
    if (fd < 0) {
        return NULL;
    }
    int32_t size = simcall(SYS_LSEEK, fd, 0, 2);  // SEEK_END
    uint8_t *buf = size >= 0 ? rt_alloc((uint32_t)size + 1) : NULL;
    int32_t got = -1;
    if (buf != NULL && simcall(SYS_LSEEK, fd, 0, 0) == 0) {
        got = simcall(SYS_READ, fd, (int32_t)(uintptr_t)buf, size);
    }
    simcall(SYS_CLOSE, fd, 0, 0);
    if (got != size) {
        return NULL;
    }
    *len = (uint32_t)size;
    return buf;
}

int xt_main(void);
void xt_exception(uint32_t cause, uint32_t pc, uint32_t vaddr);

int xt_main(void) {
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    pool_top = __pool_start;
    int32_t argc = simcall(SYS_ARGC, 0, 0, 0);
    char **argv = rt_alloc((uint32_t)simcall(SYS_ARGV_SZ, 0, 0, 0));
    if (argv == NULL) {
        return 2;
    }
    simcall(SYS_ARGV, (int32_t)(uintptr_t)argv, 0, 0);
    return runner_main(argc, argv);
}

// Called by start.S's vectors: a fault ends the run with its cause, status 3.
void xt_exception(uint32_t cause, uint32_t pc, uint32_t vaddr) {
    static const char digits[] = "0123456789abcdef";
    char text[] = "exception cause=00 pc=0x00000000 vaddr=0x00000000\n";
    text[16] = digits[(cause / 10) % 10];
    text[17] = digits[cause % 10];
    for (int i = 0; i < 8; i++) {
        text[24 + i] = digits[(pc >> (28 - 4 * i)) & 15];
        text[41 + i] = digits[(vaddr >> (28 - 4 * i)) & 15];
    }
    rt_put(text);
    simcall(SYS_EXIT, 3, 0, 0);
}
