// The tinyml QEMU boards' MicroPython configuration: ports/qemu's own, plus what a sensor loop
// on a board has (select and the C half of asyncio; the frozen asyncio package needs both).
// Used through MP_CONFIGFILE (qemu_common.mk, qemu-m0/mpconfigboard.mk): ports/qemu has no
// board configuration header.

#include <mpconfigport.h>

#undef MICROPY_PY_SELECT
#define MICROPY_PY_SELECT (1)
#undef MICROPY_PY_ASYNCIO
#define MICROPY_PY_ASYNCIO (1)
