// The runner's platform on the host, for the alignment (and address, undefined) sanitizer run:
// stdio and malloc. There is no instruction clock here, so the counts print as 0.
#include <stdio.h>
#include <stdlib.h>

#include "runner.h"

uint32_t rt_ticks(void) {
    return 0;
}

uint32_t rt_calibrate(void) {
    return 0;
}

void rt_put(const char *s) {
    fputs(s, stdout);
}

// malloc's memory is aligned for any type (16 bytes on x86-64), as the pool's is.
void *rt_alloc(uint32_t n) {
    return malloc(n ? n : 1);
}

uint8_t *rt_read(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = rt_alloc((uint32_t)size);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = (uint32_t)size;
    return buf;
}

int main(int argc, char **argv) {
    return runner_main(argc, argv);
}
