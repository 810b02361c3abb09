/*
 * The allocator of the tree-sitter runtime and grammar compiled into the
 * library. Their meson files pass -Dts_malloc=ag_ts_malloc (and calloc,
 * realloc, free) and force-include this header, so only our copies use it.
 * ts_set_allocator() is not an option, because it would change every
 * tree-sitter in the host process.
 *
 * Each analyzer owns a pool. While a pool is current on a thread
 * (ag_ts_pool_enter()), tree-sitter's allocations come from the pool's
 * size-class free lists, so a warm analyzer parses without malloc. When
 * malloc fails, the pool serves from a reserve and records the failure
 * instead of returning NULL, which tree-sitter does not check.
 *
 * Every block starts with a header that names its pool, so realloc and free
 * route correctly on any thread and with any pool current.
 */
#ifndef AG_CORE_TS_ALLOC_H
#define AG_CORE_TS_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

void *ag_ts_malloc(size_t size);
void *ag_ts_calloc(size_t count, size_t size);
void *ag_ts_realloc(void *pointer, size_t size);
void ag_ts_free(void *pointer);

/*
 * The tree-sitter-bash scanner allocates its Scanner object with calloc and
 * frees it with free. Its build defines AG_TS_ROUTE_LIBC so those calls use
 * the pool too. The macros come after <stdlib.h>, so its declarations keep
 * their names.
 */
#ifdef AG_TS_ROUTE_LIBC
#define calloc(count, size) ag_ts_calloc(count, size)
#define free(pointer) ag_ts_free(pointer)
#endif

typedef struct ag_ts_pool ag_ts_pool;

/*
 * Creates a pool with its reserve (1 MiB, allocated but left untouched until
 * malloc fails). Returns NULL when memory runs out.
 */
ag_ts_pool *ag_ts_pool_new(void);

/*
 * Frees the pool's memory. Every tree-sitter object allocated from it (the
 * parser, trees, cursors) must be deleted first.
 */
void ag_ts_pool_free(ag_ts_pool *pool);

/*
 * Makes `pool` (NULL for none) the current pool of the calling thread and
 * returns the previous one, which the caller passes to ag_ts_pool_leave().
 * A pool is used by one thread at a time, but may move between threads.
 */
ag_ts_pool *ag_ts_pool_enter(ag_ts_pool *pool);
void ag_ts_pool_leave(ag_ts_pool *previous);

/*
 * Clears the failure flag before a parse, and replaces a reserve that an
 * earlier failure used. Returns false, with the failure flag set, when no
 * full reserve could be allocated: the caller must not parse then, because
 * one more failure could abort.
 */
bool ag_ts_pool_prepare(ag_ts_pool *pool);

/*
 * True when malloc failed since the last ag_ts_pool_prepare(): the pool
 * served from its reserve, or could not replace it.
 */
bool ag_ts_pool_failed(const ag_ts_pool *pool);

#endif
