/* Allocation counters of the benchmark binary (bench_alloc.c). */
#ifndef BENCH_ALLOC_H
#define BENCH_ALLOC_H

#include <stddef.h>

typedef struct bench_alloc_stats {
    size_t calls;          /* malloc, calloc and realloc calls that returned memory */
    long long live_bytes;  /* usable bytes allocated and not yet freed */
} bench_alloc_stats;

bench_alloc_stats bench_alloc_snapshot(void);

#endif
