/*
 * The allocator of the tree-sitter runtime and grammar compiled into the
 * library. Their meson files pass -Dts_malloc=ag_ts_malloc (and calloc,
 * realloc, free) and force-include this header, so only our copies use it.
 * ts_set_allocator() is not an option, because it would change every
 * tree-sitter in the host process.
 *
 * Each analyzer owns a pool. While a pool is current on a thread
 * (ag_ts_pool_enter()), tree-sitter's allocations come from the pool's
 * size-class free lists, so a warm analyzer parses without malloc.
 * tree-sitter does not check for NULL, so when malloc fails the pool never
 * returns it: during a parse it jumps out through an armed escape
 * (ag_ts_pool_arm()), elsewhere it serves from a reserve and records the
 * failure.
 *
 * Every block starts with a header that names its pool, so realloc and free
 * route correctly on any thread and with any pool current.
 */
#ifndef AG_CORE_TS_ALLOC_H
#define AG_CORE_TS_ALLOC_H

#include <setjmp.h>
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

/* Records a failure that the pool did not see itself, such as an escape for want of memory. */
void ag_ts_pool_mark_failed(ag_ts_pool *pool);

/* Why an armed parse was left through its escape (the value longjmp() passes). */
enum { AG_TS_ESCAPE_BUDGET = 1, AG_TS_ESCAPE_NOMEM = 2 };

/*
 * Arms an escape for one parse: an allocation that would make the pool hold
 * more than `budget` bytes, or that malloc cannot serve, jumps to `escape`
 * instead of returning. Every tree-sitter object allocated from the pool
 * (the parser, its trees, the cursor) is then unusable: the caller must call
 * ag_ts_pool_discard() and create its parser again. Disarm after the parse.
 */
void ag_ts_pool_arm(ag_ts_pool *pool, jmp_buf *escape, size_t budget);
void ag_ts_pool_disarm(ag_ts_pool *pool);

/* Frees every block of the pool at once, after an escape. The pool stays usable. */
void ag_ts_pool_discard(ag_ts_pool *pool);

/* Returns the bytes the pool holds from malloc: chunks, loose and large blocks. */
size_t ag_ts_pool_held_bytes(const ag_ts_pool *pool);

#endif
