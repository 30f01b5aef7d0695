// Board support for the tinyml boards under QEMU (out-of-tree ports/qemu boards): the MPS2
// boards (qemu-m7, qemu-m4) and the nRF51 board (qemu-m0).
//
// ports/qemu has no board hooks, so the linker wraps two of its symbols (see qemu_common.mk):
// - main(): enable the FPU (CPACR CP10/CP11) before any floating-point instruction runs, and
//   start the free-running timer that backs the `time` module;
// - mp_init(): raise the stack limit and run the frozen _boot.py, which mounts "/";
// - uart_rx_chr(): sleep in WFI until the UART receives, instead of polling it, so an idle
//   board costs its host no CPU (ports/qemu's mp_hal_stdin_rx_chr spins on it).
// ports/qemu builds without `time`; this file provides a small one on that timer.
// The `_board` module reads host files through ARM semihosting, so the host tools can copy a
// model onto the board's filesystem much faster than over the emulated UART (mpremote cp still
// works). On the nRF51 it also erases and programs the flash that holds the filesystem.

#include <stdint.h>

#include "py/runtime.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/smallint.h"
#include "py/stackctrl.h"
#include "shared/runtime/pyexec.h"

extern int __real_main(int argc, char **argv);
extern void __real_mp_init(void);

#if defined(QEMU_SOC_NRF51)

// nRF51 TIMER0 in 32-bit timer mode at 16 MHz; a CAPTURE task copies the counter to CC[0].
typedef struct {
    volatile uint32_t TASKS_START;
    volatile uint32_t TASKS_STOP;
    volatile uint32_t TASKS_COUNT;
    volatile uint32_t TASKS_CLEAR;
    volatile uint32_t r0[(0x040 - 0x010) / 4];
    volatile uint32_t TASKS_CAPTURE0;
    volatile uint32_t r1[(0x504 - 0x044) / 4];
    volatile uint32_t MODE;
    volatile uint32_t BITMODE;
    volatile uint32_t r2;
    volatile uint32_t PRESCALER;
    volatile uint32_t r3[(0x540 - 0x514) / 4];
    volatile uint32_t CC0;
} nrf51_timer_t;

#define TIMER0 ((nrf51_timer_t *)0x40008000)
#define TIMER_HZ (16000000u)

static void timer_start(void) {
    TIMER0->MODE = 0;
    TIMER0->BITMODE = 3;
    TIMER0->PRESCALER = 0;
    TIMER0->TASKS_CLEAR = 1;
    TIMER0->TASKS_START = 1;
}

static uint32_t timer_count(void) {
    TIMER0->TASKS_CAPTURE0 = 1;
    return TIMER0->CC0;
}

// The UART's RXDRDY event raises its interrupt (UART0, IRQ 2) once enabled in INTENSET.
#define UART_IRQ (2)
#define UART_RX_PENDING() (*(volatile uint32_t *)0x40002108)
#define UART_RX_IRQ_ENABLE() (*(volatile uint32_t *)0x40002304 = 1u << 2)
#define UART_RX_IRQ_CLEAR()

// A Pico's stack: 8 KB, less MicroPython's margin (the rp2 port's mp_cstack_init_with_top()).
#define STACK_LIMIT (8 * 1024 - 256)

#else

#define SCB_CPACR (*(volatile uint32_t *)0xe000ed88)

// CMSDK APB timer 0; QEMU clocks it from the 25 MHz MPS2 system clock.
typedef struct {
    volatile uint32_t CTRL;
    volatile uint32_t VALUE;
    volatile uint32_t RELOAD;
    volatile uint32_t INTSTATUS;
} cmsdk_timer_t;

#define TIMER0 ((cmsdk_timer_t *)0x40000000)
#define TIMER_HZ (25000000u)

// CMSDK UART0: CTRL bit 3 enables the receive interrupt (MPS2 IRQ 0); INTSTATUS bit 1 is
// that interrupt's flag, cleared by writing it.
#define UART_IRQ (0)
#define UART_RX_PENDING() (*(volatile uint32_t *)0x40004004 & 2u)
#define UART_RX_IRQ_ENABLE() (*(volatile uint32_t *)0x40004008 |= 1u << 3)
#define UART_RX_IRQ_CLEAR() (*(volatile uint32_t *)0x4000400c = 2u)
#define STACK_LIMIT (64 * 1024)

static void timer_start(void) {
    SCB_CPACR |= 0xfu << 20;
    __asm volatile ("dsb\n\tisb" ::: "memory");
    TIMER0->CTRL = 0;
    TIMER0->RELOAD = 0xffffffff;
    TIMER0->VALUE = 0xffffffff;
    TIMER0->CTRL = 1;
}

// The CMSDK timer counts down; the rest of this file wants a counter that goes up.
static uint32_t timer_count(void) {
    return ~TIMER0->VALUE;
}

#endif

static uint32_t timer_last;
static uint64_t timer_total;

#define NVIC_ISER (*(volatile uint32_t *)0xe000e100)
#define NVIC_ICER (*(volatile uint32_t *)0xe000e180)
#define NVIC_ICPR (*(volatile uint32_t *)0xe000e280)

extern int __real_uart_rx_chr(void);

int __wrap_main(int argc, char **argv) {
    timer_start();
    timer_last = timer_count();
    return __real_main(argc, argv);
}

// With interrupts masked (PRIMASK), an enabled interrupt that becomes pending still ends a
// WFI but runs no handler: the UART's receive interrupt wakes the core, which then clears it
// and masks it again in the NVIC, so no exception is ever taken and ports/qemu's vector table
// needs no handler. A character that arrived before the WFI leaves the flag set and WFI returns
// at once.
int __wrap_uart_rx_chr(void) {
    int c = __real_uart_rx_chr();
    if (c >= 0) {
        return c;
    }
    __asm volatile ("cpsid i" ::: "memory");
    UART_RX_IRQ_ENABLE();
    NVIC_ISER = 1u << UART_IRQ;
    if (!UART_RX_PENDING()) {
        __asm volatile ("dsb\n\twfi" ::: "memory");
    }
    UART_RX_IRQ_CLEAR();
    NVIC_ICER = 1u << UART_IRQ;
    NVIC_ICPR = 1u << UART_IRQ;
    __asm volatile ("cpsie i" ::: "memory");
    return __real_uart_rx_chr();
}

void __wrap_mp_init(void) {
    __real_mp_init();
    mp_stack_set_limit(STACK_LIMIT);
    pyexec_frozen_module("_boot.py", false);
}

// The counter wraps every 2^32 ticks (171 s at 25 MHz, 268 s at 16 MHz); each read folds the
// elapsed ticks into a 64-bit total, so the clock stays monotonic as long as it is read at
// least that often.
static uint64_t board_ticks(void) {
    uint32_t now = timer_count();
    timer_total += (uint32_t)(now - timer_last);
    timer_last = now;
    return timer_total;
}

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)(board_ticks() / (TIMER_HZ / 1000));
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)(board_ticks() / (TIMER_HZ / 1000000));
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return (mp_uint_t)board_ticks();
}

// No real-time clock: wall time counts from boot (littlefs stamps files with it).
uint64_t mp_hal_time_ns(void) {
    uint64_t t = board_ticks();
    return t / TIMER_HZ * 1000000000u + t % TIMER_HZ * 1000000000u / TIMER_HZ;
}

void mp_hal_delay_us(mp_uint_t us) {
    uint64_t end = board_ticks() + (uint64_t)us * (TIMER_HZ / 1000000);
    while (board_ticks() < end) {
    }
}

void mp_hal_delay_ms(mp_uint_t ms) {
    uint64_t end = board_ticks() + (uint64_t)ms * (TIMER_HZ / 1000);
    while (board_ticks() < end) {
        mp_handle_pending(true);
    }
}

#define TICKS_PERIOD (MICROPY_PY_TIME_TICKS_PERIOD)
#define TICKS_MAX (TICKS_PERIOD - 1)
#define TICKS_HALFPERIOD (TICKS_PERIOD / 2)

static mp_obj_t board_time_ticks_ms(void) {
    return MP_OBJ_NEW_SMALL_INT(mp_hal_ticks_ms() & TICKS_MAX);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_time_ticks_ms_obj, board_time_ticks_ms);

static mp_obj_t board_time_ticks_us(void) {
    return MP_OBJ_NEW_SMALL_INT(mp_hal_ticks_us() & TICKS_MAX);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_time_ticks_us_obj, board_time_ticks_us);

static mp_obj_t board_time_ticks_cpu(void) {
    return MP_OBJ_NEW_SMALL_INT(mp_hal_ticks_cpu() & TICKS_MAX);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_time_ticks_cpu_obj, board_time_ticks_cpu);

static mp_obj_t board_time_ticks_diff(mp_obj_t end_in, mp_obj_t start_in) {
    mp_uint_t start = MP_OBJ_SMALL_INT_VALUE(start_in);
    mp_uint_t end = MP_OBJ_SMALL_INT_VALUE(end_in);
    mp_int_t diff = ((end - start + TICKS_HALFPERIOD) & TICKS_MAX) - TICKS_HALFPERIOD;
    return MP_OBJ_NEW_SMALL_INT(diff);
}
static MP_DEFINE_CONST_FUN_OBJ_2(board_time_ticks_diff_obj, board_time_ticks_diff);

static mp_obj_t board_time_ticks_add(mp_obj_t ticks_in, mp_obj_t delta_in) {
    mp_uint_t ticks = MP_OBJ_SMALL_INT_VALUE(ticks_in);
    mp_uint_t delta = mp_obj_get_int(delta_in);
    return MP_OBJ_NEW_SMALL_INT((ticks + delta) & TICKS_MAX);
}
static MP_DEFINE_CONST_FUN_OBJ_2(board_time_ticks_add_obj, board_time_ticks_add);

static mp_obj_t board_time_sleep(mp_obj_t seconds_in) {
    mp_hal_delay_ms((mp_uint_t)(MICROPY_FLOAT_CONST(1000.0) * mp_obj_get_float(seconds_in)));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_time_sleep_obj, board_time_sleep);

static mp_obj_t board_time_sleep_ms(mp_obj_t ms_in) {
    mp_int_t ms = mp_obj_get_int(ms_in);
    if (ms > 0) {
        mp_hal_delay_ms(ms);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_time_sleep_ms_obj, board_time_sleep_ms);

static mp_obj_t board_time_sleep_us(mp_obj_t us_in) {
    mp_int_t us = mp_obj_get_int(us_in);
    if (us > 0) {
        mp_hal_delay_us(us);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_time_sleep_us_obj, board_time_sleep_us);

// Seconds since boot: the board has no real-time clock.
static mp_obj_t board_time_time(void) {
    return mp_obj_new_int_from_ull(board_ticks() / TIMER_HZ);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_time_time_obj, board_time_time);

static const mp_rom_map_elem_t board_time_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_time) },
    { MP_ROM_QSTR(MP_QSTR_sleep), MP_ROM_PTR(&board_time_sleep_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_ms), MP_ROM_PTR(&board_time_sleep_ms_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_us), MP_ROM_PTR(&board_time_sleep_us_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_ms), MP_ROM_PTR(&board_time_ticks_ms_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_us), MP_ROM_PTR(&board_time_ticks_us_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_cpu), MP_ROM_PTR(&board_time_ticks_cpu_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_add), MP_ROM_PTR(&board_time_ticks_add_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_diff), MP_ROM_PTR(&board_time_ticks_diff_obj) },
    { MP_ROM_QSTR(MP_QSTR_time), MP_ROM_PTR(&board_time_time_obj) },
};
static MP_DEFINE_CONST_DICT(board_time_globals, board_time_globals_table);

const mp_obj_module_t board_time_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&board_time_globals,
};

MP_REGISTER_MODULE(MP_QSTR_time, board_time_module);

// ARM semihosting file access (QEMU runs with -semihosting; paths are host paths).

#define SYS_OPEN (0x01)
#define SYS_CLOSE (0x02)
#define SYS_READ (0x06)
#define SYS_FLEN (0x0c)
#define SYS_OPEN_MODE_RB (1)

static uint32_t semihosting_call(uint32_t num, const void *arg) {
    register uint32_t num_reg __asm__ ("r0") = num;
    register const void *args_reg __asm__ ("r1") = arg;
    __asm__ __volatile__ ("bkpt 0xAB\n" : "+r" (num_reg) : "r" (args_reg) : "memory");
    return num_reg;
}

static mp_obj_t board_host_open(mp_obj_t path_in) {
    size_t len;
    const char *path = mp_obj_str_get_data(path_in, &len);
    const uint32_t args[3] = { (uint32_t)path, SYS_OPEN_MODE_RB, len };
    int32_t handle = (int32_t)semihosting_call(SYS_OPEN, args);
    if (handle < 0) {
        mp_raise_OSError(MP_ENOENT);
    }
    return MP_OBJ_NEW_SMALL_INT(handle);
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_host_open_obj, board_host_open);

static mp_obj_t board_host_size(mp_obj_t handle_in) {
    const uint32_t args[1] = { mp_obj_get_int(handle_in) };
    return mp_obj_new_int((int32_t)semihosting_call(SYS_FLEN, args));
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_host_size_obj, board_host_size);

static mp_obj_t board_host_readinto(mp_obj_t handle_in, mp_obj_t buf_in) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_WRITE);
    const uint32_t args[3] = { mp_obj_get_int(handle_in), (uint32_t)bufinfo.buf, bufinfo.len };
    uint32_t not_read = semihosting_call(SYS_READ, args);
    if (not_read > bufinfo.len) {
        mp_raise_OSError(MP_EIO);
    }
    return MP_OBJ_NEW_SMALL_INT(bufinfo.len - not_read);
}
static MP_DEFINE_CONST_FUN_OBJ_2(board_host_readinto_obj, board_host_readinto);

static mp_obj_t board_host_close(mp_obj_t handle_in) {
    const uint32_t args[1] = { mp_obj_get_int(handle_in) };
    semihosting_call(SYS_CLOSE, args);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_host_close_obj, board_host_close);

#if defined(QEMU_SOC_NRF51)

// nRF51 NVMC: flash is written a word at a time (bits only go from 1 to 0) and erased by page.
typedef struct {
    volatile uint32_t READY;
    volatile uint32_t r0[(0x504 - 0x404) / 4];
    volatile uint32_t CONFIG;
    volatile uint32_t ERASEPAGE;
} nrf51_nvmc_t;

#define NVMC ((nrf51_nvmc_t *)0x4001e400)
#define NVMC_CONFIG_READ (0)
#define NVMC_CONFIG_WRITE (1)
#define NVMC_CONFIG_ERASE (2)
#define FLASH_PAGE (1024)

// The model slot (a model used in place, as one frozen into a Pico's firmware is) and the
// filesystem, one after the other (boards/qemu-m0/nrf51_2m.ld); the firmware is not writable.
extern uint8_t _flashslot_start, _flashslot_end, _flashfs_start, _flashfs_end;

static void flash_check(uint32_t addr, size_t len) {
    if (addr & 3 || len & 3 || addr < (uint32_t)&_flashslot_start
        || addr + len > (uint32_t)&_flashfs_end) {
        mp_raise_ValueError(MP_ERROR_TEXT("outside the writable flash or not word aligned"));
    }
}

static mp_obj_t region(uint8_t *start, uint8_t *end) {
    mp_obj_t items[2] = {
        mp_obj_new_int((uint32_t)start), mp_obj_new_int((uint32_t)(end - start)),
    };
    return mp_obj_new_tuple(2, items);
}

// (start address, size) of the flash the filesystem lives in.
static mp_obj_t board_flash_fs(void) {
    return region(&_flashfs_start, &_flashfs_end);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_flash_fs_obj, board_flash_fs);

// (start address, size) of the model slot.
static mp_obj_t board_flash_slot(void) {
    return region(&_flashslot_start, &_flashslot_end);
}
static MP_DEFINE_CONST_FUN_OBJ_0(board_flash_slot_obj, board_flash_slot);

static mp_obj_t board_flash_erase(mp_obj_t addr_in) {
    uint32_t addr = mp_obj_get_int(addr_in);
    flash_check(addr, FLASH_PAGE);
    NVMC->CONFIG = NVMC_CONFIG_ERASE;
    NVMC->ERASEPAGE = addr;
    NVMC->CONFIG = NVMC_CONFIG_READ;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(board_flash_erase_obj, board_flash_erase);

static mp_obj_t board_flash_write(mp_obj_t addr_in, mp_obj_t buf_in) {
    uint32_t addr = mp_obj_get_int(addr_in);
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_READ);
    flash_check(addr, bufinfo.len);
    const uint8_t *src = bufinfo.buf;
    NVMC->CONFIG = NVMC_CONFIG_WRITE;
    for (size_t i = 0; i < bufinfo.len; i += 4) {
        *(volatile uint32_t *)(addr + i) =
            src[i] | src[i + 1] << 8 | src[i + 2] << 16 | (uint32_t)src[i + 3] << 24;
    }
    NVMC->CONFIG = NVMC_CONFIG_READ;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(board_flash_write_obj, board_flash_write);

#endif

static const mp_rom_map_elem_t board_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__board) },
    { MP_ROM_QSTR(MP_QSTR_host_open), MP_ROM_PTR(&board_host_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_host_size), MP_ROM_PTR(&board_host_size_obj) },
    { MP_ROM_QSTR(MP_QSTR_host_readinto), MP_ROM_PTR(&board_host_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_host_close), MP_ROM_PTR(&board_host_close_obj) },
    #if defined(QEMU_SOC_NRF51)
    { MP_ROM_QSTR(MP_QSTR_flash_fs), MP_ROM_PTR(&board_flash_fs_obj) },
    { MP_ROM_QSTR(MP_QSTR_flash_slot), MP_ROM_PTR(&board_flash_slot_obj) },
    { MP_ROM_QSTR(MP_QSTR_flash_erase), MP_ROM_PTR(&board_flash_erase_obj) },
    { MP_ROM_QSTR(MP_QSTR_flash_write), MP_ROM_PTR(&board_flash_write_obj) },
    #endif
};
static MP_DEFINE_CONST_DICT(board_module_globals, board_module_globals_table);

const mp_obj_module_t board_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&board_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__board, board_module);
