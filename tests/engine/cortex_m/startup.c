// Bare-metal start-up for the engine's C tests on QEMU's MPS2 boards
// (test_cortex_m.py): a vector table, zeroed .bss, newlib's semihosting for
// printf, malloc and exit. No MicroPython, no board support.
#include <stdint.h>
#include <stdlib.h>

int main(void);
void initialise_monitor_handles(void);
extern uint32_t _sbss, _ebss, _estack;

static void reset_handler(void) {
    for (uint32_t *p = &_sbss; p < &_ebss; p++) {
        *p = 0;
    }
    initialise_monitor_handles();
    exit(main());
}

// A fault (an unaligned word access on Cortex-M0, say) ends the run without
// the test's report, which fails it.
static void fault_handler(void) {
    exit(99);
}

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used))
static const vector_t vectors[16] = {
    (vector_t)&_estack, reset_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, fault_handler,
};
