// Reset and exception vectors for the engine's test runner on QEMU's `sim` machine with the
// lx106 core (call0 ABI, no windowed registers). QEMU starts at the reset vector, 0x50000000,
// where the linker script puts this section first.
    .section .reset, "ax"
    .global _start
    .align 4
_start:
    j       .Lreset

    // l32r reads literals placed before the instruction (-mtext-section-literals does the same
    // for C).
    .align 4
.Lstack_top:
    .word   __stack_top
.Lvectors:
    .word   xt_vectors
.Lmain:
    .word   xt_main
.Lexception:
    .word   xt_exception

.Lreset:
    l32r    a1, .Lstack_top
    // Our own vectors, so a fault ends the run with its cause instead of running off into
    // unmapped memory; PS: INTLEVEL 15 (no interrupts), EXCM clear, kernel mode.
    l32r    a2, .Lvectors
    wsr.vecbase a2
    movi    a2, 0x0f
    wsr.ps  a2
    rsync
    l32r    a0, .Lmain
    callx0  a0
    // xt_main's return value is the exit status.
    mov     a3, a2
    movi    a2, 1           // SYS_exit
    simcall
1:  j       1b

.Lfault:
    rsr.exccause a2
    rsr.epc1 a3
    rsr.excvaddr a4
    l32r    a0, .Lexception
    callx0  a0
2:  j       2b

    // VECBASE must be 1 KB aligned; vector offsets are the lx106 configuration's.
    .section .vectors, "ax"
    .align 1024
    .global xt_vectors
xt_vectors:
    .org    xt_vectors + 0x10   // debug (level 2)
    j       .Lfault
    .org    xt_vectors + 0x20   // NMI (level 3)
    j       .Lfault
    .org    xt_vectors + 0x30   // kernel exception
    j       .Lfault
    .org    xt_vectors + 0x50   // user exception
    j       .Lfault
    .org    xt_vectors + 0x70   // double exception
    j       .Lfault
