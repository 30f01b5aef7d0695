// What the runner needs from its platform: sim.c (the emulated core) or host.c.
#ifndef RUNNER_H
#define RUNNER_H

#include <stdint.h>

// Instructions in the loop rt_calibrate() times.
#define RT_CALIBRATION_INSTRUCTIONS 200000u

// The whole file at path in fresh memory 16-byte aligned; NULL if it cannot be read.
uint8_t *rt_read(const char *path, uint32_t *len);
// n bytes, 16-byte aligned, or NULL.
void *rt_alloc(uint32_t n);
void rt_put(const char *s);
// A clock that counts instructions under QEMU -icount (0 where there is none).
uint32_t rt_ticks(void);
// rt_ticks() over RT_CALIBRATION_INSTRUCTIONS instructions.
uint32_t rt_calibrate(void);

int runner_main(int argc, char **argv);

#endif // RUNNER_H
