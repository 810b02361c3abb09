#include <setjmp.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "ts_alloc.h"

/*
 * Under AddressSanitizer, the payloads of free blocks and the uncarved rest
 * of a chunk are poisoned, so ASan still reports tree-sitter's reads and
 * writes past a block or after free inside the pool's chunks.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_TS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define AG_TS_ASAN 1
#endif
#ifdef AG_TS_ASAN
#include <sanitizer/asan_interface.h>
#define AG_TS_POISON(address, size) ASAN_POISON_MEMORY_REGION(address, size)
#define AG_TS_UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION(address, size)
#else
#define AG_TS_POISON(address, size) ((void)(address), (void)(size))
#define AG_TS_UNPOISON(address, size) ((void)(address), (void)(size))
#endif

/*
 * Size classes are powers of two from 16 bytes to 4 KiB: tree-sitter 0.25's
 * subtrees, stack nodes and child arrays of ordinary commands fit in them.
 * Bigger blocks go to malloc. Chunks are carved into class blocks, and the
 * pool allocates new chunks only until it holds AG_TS_MAX_CHUNK_BYTES, so one
 * huge command does not pin its memory forever: past that, class blocks are
 * malloc'd one by one and freed on release.
 */
enum {
    AG_TS_MIN_CLASS_SHIFT = 4,
    AG_TS_CLASS_COUNT = 9,
    AG_TS_MAX_CLASS_BYTES = 1 << (AG_TS_MIN_CLASS_SHIFT + AG_TS_CLASS_COUNT - 1),
    AG_TS_CHUNK_BYTES = 64 * 1024,
    AG_TS_MAX_CHUNK_BYTES = 4 * 1024 * 1024,
    AG_TS_RESERVE_BYTES = 1024 * 1024,
};

/* Where a block's memory came from, which decides where ag_ts_free() puts it. */
enum {
    AG_TS_POOLED = 0,    /* class block in a chunk or the reserve: back to its free list */
    AG_TS_LOOSE = 1,     /* class block malloc'd past the chunk cap: back to malloc */
    AG_TS_LARGE = 2,     /* bigger than a class, malloc'd: back to malloc */
    AG_TS_CARVED = 3,    /* bigger than a class, cut from the reserve: split into class blocks */
    AG_TS_KIND_MASK = 15,
};

/*
 * The header in front of every block. Its alignment makes its size a
 * multiple of max_align_t's, so the payload after it keeps that alignment.
 */
typedef struct ag_ts_block {
    alignas(max_align_t) ag_ts_pool *pool;  /* NULL when made with no pool current */
    size_t tag;                              /* payload capacity (a multiple of 16) | kind */
} ag_ts_block;

/* A free class block: the link lies in its payload. */
typedef struct ag_ts_free_block {
    struct ag_ts_free_block *next;
} ag_ts_free_block;

/* A chunk or a reserve: this header, then the carved blocks. */
typedef struct ag_ts_chunk {
    alignas(max_align_t) struct ag_ts_chunk *next;
    size_t bytes;              /* size, this header included */
} ag_ts_chunk;

/*
 * The links in front of the header of every block a pool malloc'd on its own
 * (loose and large blocks), so that ag_ts_pool_discard() can find them.
 */
typedef struct ag_ts_link {
    alignas(max_align_t) struct ag_ts_link *previous;
    struct ag_ts_link *next;
    size_t bytes;              /* the whole allocation, these links included */
} ag_ts_link;

struct ag_ts_pool {
    ag_ts_free_block *free_lists[AG_TS_CLASS_COUNT];
    ag_ts_chunk *chunks;       /* every chunk, and every reserve that a failure used */
    size_t chunk_bytes;
    ag_ts_link *own_blocks;    /* loose and large blocks, most recent first */
    size_t held_bytes;         /* chunks plus loose and large blocks */
    jmp_buf *escape;           /* armed during a parse: where an allocation that cannot be served jumps */
    size_t budget;             /* held_bytes an armed parse may reach */
    char *carve_next;          /* unused part of the newest chunk */
    char *carve_end;
    ag_ts_chunk *reserve;      /* served from only when malloc fails */
    char *reserve_next;
    char *reserve_end;
    bool failed;
};

_Static_assert((1 << AG_TS_MIN_CLASS_SHIFT) % alignof(max_align_t) == 0,
               "the smallest class must keep max_align_t alignment");
_Static_assert(sizeof(ag_ts_block) % alignof(max_align_t) == 0,
               "the block header must keep max_align_t alignment");
_Static_assert(sizeof(ag_ts_link) % alignof(max_align_t) == 0,
               "the links must keep max_align_t alignment");

static _Thread_local ag_ts_pool *current_pool;

static size_t class_bytes(unsigned class_index)
{
    return (size_t)1 << (class_index + AG_TS_MIN_CLASS_SHIFT);
}

/* Returns the smallest class that fits `size` bytes, which must be at most AG_TS_MAX_CLASS_BYTES. */
static unsigned class_of(size_t size)
{
    if (size <= class_bytes(0))
        return 0;
#if defined(__GNUC__)
    unsigned bits = (unsigned)(sizeof(unsigned long long) * 8)
        - (unsigned)__builtin_clzll((unsigned long long)(size - 1));
    return bits - AG_TS_MIN_CLASS_SHIFT;
#else
    unsigned class_index = 0;
    while (class_bytes(class_index) < size)
        class_index++;
    return class_index;
#endif
}

static ag_ts_block *header_of(void *pointer)
{
    return (ag_ts_block *)pointer - 1;
}

static size_t capacity_of(const ag_ts_block *block)
{
    return block->tag & ~(size_t)AG_TS_KIND_MASK;
}

static void *init_block(void *memory, ag_ts_pool *pool, size_t capacity, unsigned kind)
{
    AG_TS_UNPOISON(memory, sizeof(ag_ts_block) + capacity);
    ag_ts_block *block = memory;
    block->pool = pool;
    block->tag = capacity | kind;
    return block + 1;
}

static void push_free(ag_ts_pool *pool, ag_ts_block *block)
{
    unsigned class_index = class_of(capacity_of(block));
    ag_ts_free_block *entry = (ag_ts_free_block *)(block + 1);
    entry->next = pool->free_lists[class_index];
    pool->free_lists[class_index] = entry;
    AG_TS_POISON(entry + 1, capacity_of(block) - sizeof(*entry));
}

/* Cuts a region the pool owns into class blocks, largest first, and puts them on the free lists. */
static void recycle_region(ag_ts_pool *pool, char *start, size_t length)
{
    for (unsigned class_index = AG_TS_CLASS_COUNT; class_index-- > 0;) {
        size_t step = sizeof(ag_ts_block) + class_bytes(class_index);
        while (length >= step) {
            init_block(start, pool, class_bytes(class_index), AG_TS_POOLED);
            push_free(pool, (ag_ts_block *)start);
            start += step;
            length -= step;
        }
    }
}

/*
 * Serves a block from the reserve after malloc failed, and records the
 * failure so the analysis fails closed. Tree-sitter dereferences what its
 * allocator returns without a check, so when the reserve is exhausted too
 * the only safe outcome left is abort().
 */
static void *reserve_alloc(ag_ts_pool *pool, size_t capacity, unsigned kind)
{
    pool->failed = true;
    size_t step = sizeof(ag_ts_block) + capacity;
    if (capacity > AG_TS_RESERVE_BYTES || (size_t)(pool->reserve_end - pool->reserve_next) < step)
        abort();

    void *payload = init_block(pool->reserve_next, pool, capacity, kind);
    pool->reserve_next += step;
    return payload;
}

/*
 * Leaves an armed parse for good when it would hold more than its budget
 * (AG_TS_ESCAPE_BUDGET) or malloc failed (AG_TS_ESCAPE_NOMEM). tree-sitter
 * cannot handle a NULL from its allocator, and its error recovery can ask
 * for gigabytes on some inputs within one operation, before the parse's
 * progress callback runs again.
 */
static void escape_if_armed(ag_ts_pool *pool, int reason)
{
    if (pool->escape == NULL)
        return;
    jmp_buf *escape = pool->escape;
    pool->escape = NULL;
    longjmp(*escape, reason);
}

static void check_budget(ag_ts_pool *pool, size_t bytes)
{
    if (pool->escape != NULL && pool->held_bytes + bytes > pool->budget)
        escape_if_armed(pool, AG_TS_ESCAPE_BUDGET);
}

/* Mallocs a loose or large block with its links. Returns NULL when malloc fails. */
static void *own_alloc(ag_ts_pool *pool, size_t capacity, unsigned kind)
{
    size_t bytes = sizeof(ag_ts_link) + sizeof(ag_ts_block) + capacity;
    check_budget(pool, bytes);
    ag_ts_link *link = ag_malloc(bytes);
    if (link == NULL) {
        escape_if_armed(pool, AG_TS_ESCAPE_NOMEM);
        return NULL;
    }

    link->previous = NULL;
    link->next = pool->own_blocks;
    link->bytes = bytes;
    if (pool->own_blocks != NULL)
        pool->own_blocks->previous = link;
    pool->own_blocks = link;
    pool->held_bytes += bytes;
    return init_block(link + 1, pool, capacity, kind);
}

static void own_free(ag_ts_pool *pool, ag_ts_block *block)
{
    ag_ts_link *link = (ag_ts_link *)block - 1;
    if (link->previous != NULL)
        link->previous->next = link->next;
    else
        pool->own_blocks = link->next;
    if (link->next != NULL)
        link->next->previous = link->previous;
    pool->held_bytes -= link->bytes;
    ag_free(link);
}

/* Starts carving a new chunk. Returns false when malloc fails. */
static bool add_chunk(ag_ts_pool *pool)
{
    check_budget(pool, AG_TS_CHUNK_BYTES);
    ag_ts_chunk *chunk = ag_malloc(AG_TS_CHUNK_BYTES);
    if (chunk == NULL) {
        escape_if_armed(pool, AG_TS_ESCAPE_NOMEM);
        return false;
    }

    if (pool->carve_next != NULL)
        recycle_region(pool, pool->carve_next, (size_t)(pool->carve_end - pool->carve_next));
    chunk->next = pool->chunks;
    chunk->bytes = AG_TS_CHUNK_BYTES;
    pool->chunks = chunk;
    pool->chunk_bytes += AG_TS_CHUNK_BYTES;
    pool->held_bytes += AG_TS_CHUNK_BYTES;
    pool->carve_next = (char *)(chunk + 1);
    pool->carve_end = (char *)chunk + AG_TS_CHUNK_BYTES;
    AG_TS_POISON(pool->carve_next, (size_t)(pool->carve_end - pool->carve_next));
    return true;
}

static void *pool_alloc_class(ag_ts_pool *pool, unsigned class_index)
{
    ag_ts_free_block *entry = pool->free_lists[class_index];
    if (entry != NULL) {
        pool->free_lists[class_index] = entry->next;
        AG_TS_UNPOISON(entry, class_bytes(class_index));
        return entry;
    }

    size_t capacity = class_bytes(class_index);
    size_t step = sizeof(ag_ts_block) + capacity;
    if (pool->carve_next == NULL || (size_t)(pool->carve_end - pool->carve_next) < step) {
        if (pool->chunk_bytes + AG_TS_CHUNK_BYTES > AG_TS_MAX_CHUNK_BYTES) {
            void *loose = own_alloc(pool, capacity, AG_TS_LOOSE);
            return loose != NULL ? loose : reserve_alloc(pool, capacity, AG_TS_POOLED);
        }
        if (!add_chunk(pool))
            return reserve_alloc(pool, capacity, AG_TS_POOLED);
    }

    void *payload = init_block(pool->carve_next, pool, capacity, AG_TS_POOLED);
    pool->carve_next += step;
    return payload;
}

/* Allocates outside any pool, for tree-sitter calls made with no pool current. */
static void *plain_alloc(size_t capacity)
{
    ag_ts_block *block = malloc(sizeof(ag_ts_block) + capacity);
    if (block == NULL)
        abort();
    return init_block(block, NULL, capacity, AG_TS_LARGE);
}

static void *pool_alloc(ag_ts_pool *pool, size_t size)
{
    if (size > SIZE_MAX / 2)
        abort();
    if (size <= AG_TS_MAX_CLASS_BYTES && pool != NULL)
        return pool_alloc_class(pool, class_of(size));

    size_t capacity = (size + AG_TS_KIND_MASK) & ~(size_t)AG_TS_KIND_MASK;
    if (pool == NULL)
        return plain_alloc(capacity);
    void *large = own_alloc(pool, capacity, AG_TS_LARGE);
    return large != NULL ? large : reserve_alloc(pool, capacity, AG_TS_CARVED);
}

void *ag_ts_malloc(size_t size)
{
    return pool_alloc(current_pool, size);
}

void *ag_ts_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / 2 / size)
        abort();
    void *pointer = pool_alloc(current_pool, count * size);
    memset(pointer, 0, count * size);
    return pointer;
}

void ag_ts_free(void *pointer)
{
    if (pointer == NULL)
        return;

    ag_ts_block *block = header_of(pointer);
    switch (block->tag & AG_TS_KIND_MASK) {
    case AG_TS_POOLED:
        push_free(block->pool, block);
        break;
    case AG_TS_CARVED:
        recycle_region(block->pool, (char *)block, sizeof(ag_ts_block) + capacity_of(block));
        break;
    default:
        if (block->pool == NULL)
            free(block);
        else
            own_free(block->pool, block);
        break;
    }
}

/* Grows within the block's own pool, whichever pool is current. */
void *ag_ts_realloc(void *pointer, size_t size)
{
    if (pointer == NULL)
        return ag_ts_malloc(size);

    ag_ts_block *block = header_of(pointer);
    size_t capacity = capacity_of(block);
    if (size <= capacity)
        return pointer;

    void *grown = pool_alloc(block->pool, size);
    memcpy(grown, pointer, capacity);
    ag_ts_free(pointer);
    return grown;
}

ag_ts_pool *ag_ts_pool_new(void)
{
    ag_ts_pool *pool = ag_calloc(1, sizeof(*pool));
    if (pool == NULL)
        return NULL;
    if (!ag_ts_pool_prepare(pool)) {
        ag_free(pool);
        return NULL;
    }
    return pool;
}

/* Frees the chunks and the loose and large blocks, whatever still lives in them. */
static void release_blocks(ag_ts_pool *pool)
{
    ag_ts_chunk *chunk = pool->chunks;
    while (chunk != NULL) {
        ag_ts_chunk *next = chunk->next;
        AG_TS_UNPOISON(chunk, chunk->bytes);
        ag_free(chunk);
        chunk = next;
    }
    ag_ts_link *link = pool->own_blocks;
    while (link != NULL) {
        ag_ts_link *next = link->next;
        ag_free(link);
        link = next;
    }

    memset(pool->free_lists, 0, sizeof(pool->free_lists));
    pool->chunks = NULL;
    pool->chunk_bytes = 0;
    pool->own_blocks = NULL;
    pool->held_bytes = 0;
    pool->carve_next = NULL;
    pool->carve_end = NULL;
}

void ag_ts_pool_free(ag_ts_pool *pool)
{
    if (pool == NULL)
        return;
    release_blocks(pool);
    if (pool->reserve != NULL)
        AG_TS_UNPOISON(pool->reserve, AG_TS_RESERVE_BYTES);
    ag_free(pool->reserve);
    ag_free(pool);
}

void ag_ts_pool_arm(ag_ts_pool *pool, jmp_buf *escape, size_t budget)
{
    pool->escape = escape;
    pool->budget = budget;
}

void ag_ts_pool_disarm(ag_ts_pool *pool)
{
    pool->escape = NULL;
}

/*
 * The reserve stays: what an abandoned parse took from it is dropped with
 * the rest, so its whole length is free again.
 */
void ag_ts_pool_discard(ag_ts_pool *pool)
{
    release_blocks(pool);
    pool->escape = NULL;
    pool->failed = false;
    if (pool->reserve != NULL)
        pool->reserve_next = (char *)(pool->reserve + 1);
}

size_t ag_ts_pool_held_bytes(const ag_ts_pool *pool)
{
    return pool->held_bytes;
}

ag_ts_pool *ag_ts_pool_enter(ag_ts_pool *pool)
{
    ag_ts_pool *previous = current_pool;
    current_pool = pool;
    return previous;
}

void ag_ts_pool_leave(ag_ts_pool *previous)
{
    current_pool = previous;
}

/*
 * A used reserve may still contain live blocks, so it joins the chunks and
 * its unused rest goes to the free lists. A fresh reserve replaces it.
 */
bool ag_ts_pool_prepare(ag_ts_pool *pool)
{
    pool->failed = false;
    if (pool->reserve != NULL && pool->reserve_next == (char *)(pool->reserve + 1))
        return true;

    ag_ts_chunk *fresh = ag_malloc(AG_TS_RESERVE_BYTES);
    if (fresh == NULL) {
        pool->failed = true;
        return false;
    }

    ag_ts_chunk *used = pool->reserve;
    if (used != NULL) {
        recycle_region(pool, pool->reserve_next, (size_t)(pool->reserve_end - pool->reserve_next));
        used->next = pool->chunks;
        pool->chunks = used;
        pool->chunk_bytes += AG_TS_RESERVE_BYTES;
        pool->held_bytes += AG_TS_RESERVE_BYTES;
    }
    fresh->bytes = AG_TS_RESERVE_BYTES;
    pool->reserve = fresh;
    pool->reserve_next = (char *)(fresh + 1);
    pool->reserve_end = (char *)fresh + AG_TS_RESERVE_BYTES;
    return true;
}

void ag_ts_pool_mark_failed(ag_ts_pool *pool)
{
    pool->failed = true;
}

bool ag_ts_pool_failed(const ag_ts_pool *pool)
{
    return pool->failed;
}
