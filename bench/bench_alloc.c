/*
 * Allocation counting for the benchmark binary only. The binary links with
 * `-Wl,--wrap=malloc` (and calloc, realloc, free), so every call from the
 * library's objects and tree-sitter lands here. Allocations inside shared
 * libraries (libc, jansson, libyaml, PCRE2's JIT) are not seen; mallinfo2()
 * covers those. ag_check() calls jansson only for a tool input with a real
 * number or an integer beyond 64 bits (lib/core/json.c), which none of the
 * tool workload's requests has, so its counts are complete for jansson.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stddef.h>

#include "bench_alloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);
void __real_free(void *pointer);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *pointer, size_t size);
void __wrap_free(void *pointer);

/* Single-threaded benchmark, so plain counters suffice. */
static bench_alloc_stats stats;

static void note_allocation(void *pointer)
{
    if (pointer == NULL)
        return;
    stats.calls++;
    stats.live_bytes += malloc_usable_size(pointer);
}

void *__wrap_malloc(size_t size)
{
    void *pointer = __real_malloc(size);
    note_allocation(pointer);
    return pointer;
}

void *__wrap_calloc(size_t count, size_t size)
{
    void *pointer = __real_calloc(count, size);
    note_allocation(pointer);
    return pointer;
}

void *__wrap_realloc(void *pointer, size_t size)
{
    size_t old = pointer != NULL ? malloc_usable_size(pointer) : 0;
    void *moved = __real_realloc(pointer, size);
    if (moved != NULL) {
        stats.live_bytes -= old;
        note_allocation(moved);
    }
    return moved;
}

void __wrap_free(void *pointer)
{
    if (pointer != NULL)
        stats.live_bytes -= malloc_usable_size(pointer);
    __real_free(pointer);
}

bench_alloc_stats bench_alloc_snapshot(void)
{
    return stats;
}
