/*
 * Internal helpers shared by every part of the library: allocation, errors,
 * an arena for per-check scratch memory, and a growable byte buffer.
 */
#ifndef AG_CORE_COMMON_H
#define AG_CORE_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agentguard.h"

#if defined(__GNUC__)
#define AG_PRINTF(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#define AG_NOINLINE __attribute__((noinline))
#else
#define AG_PRINTF(format_index, first_arg)
#define AG_NOINLINE
#endif

/* Every allocation of the library goes through these, so tests can make them fail. */
void *ag_malloc(size_t size);
void *ag_calloc(size_t count, size_t size);
void *ag_realloc(void *pointer, size_t size);
void ag_free(void *pointer);
char *ag_strdup(const char *text);
char *ag_strndup(const char *text, size_t length);

/*
 * Returns the edit distance (Levenshtein) between `a` and `b`, ignoring
 * ASCII case, or `max` + 1 when it is larger than `max` or `b` is longer
 * than 63 bytes.
 */
size_t ag_edit_distance(const char *a, const char *b, size_t max);

/*
 * Test hook, not exported from the shared library: after `count` more
 * successful allocations through the functions above, the next one returns
 * NULL (once); -1 disables. Resets the count that
 * ag_alloc_failures_injected() returns. Not thread-safe.
 */
void ag_alloc_fail_after(long count);
long ag_alloc_failures_injected(void);

/*
 * Creates an error. `file` may be NULL, and `line` and `column` are 0 when
 * the error has no location. When memory runs out, returns a static
 * AG_ERR_NOMEM error that ag_error_free() ignores.
 */
ag_error *ag_error_new(ag_status code, const char *file, unsigned line,
                       unsigned column, const char *format, ...) AG_PRINTF(5, 6);
ag_error *ag_error_newv(ag_status code, const char *file, unsigned line,
                        unsigned column, const char *format, va_list args);

/* Stores a new error in *out when `out` is not NULL, and returns `code`. */
ag_status ag_error_set(ag_error **out, ag_status code, const char *file,
                       unsigned line, unsigned column, const char *format, ...)
    AG_PRINTF(6, 7);

/* The static out-of-memory error. */
ag_error *ag_error_nomem(void);

/*
 * An arena: many small allocations freed all at once. ag_arena_reset() keeps
 * the first block, so a checker that resets its arena per check reaches a
 * steady state with no allocation.
 */
typedef struct ag_arena_block ag_arena_block;
typedef struct ag_arena {
    ag_arena_block *first;
    ag_arena_block *current;
    /*
     * The free bytes of the current block, a multiple of AG_ARENA_ALIGN long.
     * Both are NULL before the first block.
     */
    char *free_start;
    char *free_end;
    bool failed;    /* an allocation failed since the last reset */
} ag_arena;

/* Arena allocations are rounded up to a multiple of this, so each is aligned as malloc()'s are. */
enum { AG_ARENA_ALIGN = sizeof(max_align_t) };
_Static_assert((AG_ARENA_ALIGN & (AG_ARENA_ALIGN - 1)) == 0,
               "AG_ARENA_ALIGN must be a power of two");

void ag_arena_init(ag_arena *arena);
/* Allocates from a later or a new block, for ag_arena_alloc() when the current block is full. */
void *ag_arena_alloc_block(ag_arena *arena, size_t size);

/*
 * Returns `size` bytes, or NULL when memory ran out. The common case, room
 * left in the current block, is inline, because a check makes a few dozen
 * allocations. The free space is a multiple of AG_ARENA_ALIGN, so a size that
 * fits still fits when rounded up. A size of 0 takes the slow path, which
 * gives it AG_ARENA_ALIGN bytes.
 */
static inline void *ag_arena_alloc(ag_arena *arena, size_t size)
{
    if (size - 1 < (size_t)(arena->free_end - arena->free_start)) {
        void *result = arena->free_start;
        arena->free_start += (size + AG_ARENA_ALIGN - 1) & ~(size_t)(AG_ARENA_ALIGN - 1);
        return result;
    }
    return ag_arena_alloc_block(arena, size);
}

void *ag_arena_calloc(ag_arena *arena, size_t count, size_t size);
/*
 * Returns an arena array of `size`-byte items with room for `needed` of them:
 * `items` itself when *capacity suffices, else a larger copy of its first
 * `count` items, with *capacity updated. The capacity at least doubles, so
 * appending stays linear. Returns NULL when out of memory, and then leaves
 * `items` and *capacity as they were. `needed` must be above 0, because an
 * empty array may be NULL.
 */
void *ag_arena_grow(ag_arena *arena, void *items, size_t count, size_t *capacity, size_t needed,
                    size_t size);
char *ag_arena_strndup(ag_arena *arena, const char *text, size_t length);
char *ag_arena_printf(ag_arena *arena, const char *format, ...) AG_PRINTF(2, 3);
char *ag_arena_vprintf(ag_arena *arena, const char *format, va_list args);
/* A piece of text to join into one string with ag_arena_join(). */
typedef struct ag_text_part {
    const char *text;       /* NULL makes ag_arena_join() fail */
    size_t length;
} ag_text_part;

/* The part of a string literal, its length found at compile time. */
#define AG_TEXT_LITERAL(literal) ((ag_text_part){"" literal, sizeof(literal) - 1})

static inline ag_text_part ag_text_part_of(const char *text)
{
    return (ag_text_part){text, text != NULL ? strlen(text) : 0};
}

/*
 * Joins `parts` into one arena string. Returns NULL when a part's text is
 * NULL or memory runs out. Reasons are built this way where most checks
 * need them, because copying the pieces costs a fraction of
 * ag_arena_printf()'s formatting.
 */
char *ag_arena_join(ag_arena *arena, const ag_text_part *parts, size_t count);

void ag_arena_reset(ag_arena *arena);
void ag_arena_release(ag_arena *arena);

/*
 * A growable byte buffer, always NUL-terminated after a successful append.
 * `failed` records an allocation failure, after which appends do nothing.
 */
typedef struct ag_buffer {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
} ag_buffer;

void ag_buffer_init(ag_buffer *buffer);
void ag_buffer_clear(ag_buffer *buffer);
void ag_buffer_release(ag_buffer *buffer);
/* Appends after growing the buffer: the path of ag_buffer_append() when the bytes do not fit. */
bool ag_buffer_append_grow(ag_buffer *buffer, const char *data, size_t length);

/*
 * Appends `length` bytes. Returns false, with `failed` set, when memory ran
 * out. Inline for the common case, bytes that fit, because words and
 * reasons are built from many short appends.
 */
static inline bool ag_buffer_append(ag_buffer *buffer, const char *data, size_t length)
{
    if (buffer->failed || length >= buffer->capacity - buffer->length)
        return ag_buffer_append_grow(buffer, data, length);
    if (length > 0)
        memcpy(buffer->data + buffer->length, data, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return true;
}

/* Appends one byte, inline like ag_buffer_append(), since many callers append byte by byte. */
static inline bool ag_buffer_append_char(ag_buffer *buffer, char c)
{
    if (buffer->failed || buffer->capacity - buffer->length <= 1)
        return ag_buffer_append_grow(buffer, &c, 1);
    buffer->data[buffer->length++] = c;
    buffer->data[buffer->length] = '\0';
    return true;
}

bool ag_buffer_append_string(ag_buffer *buffer, const char *text);
bool ag_buffer_printf(ag_buffer *buffer, const char *format, ...) AG_PRINTF(2, 3);

/* The byte that stands for an unknown part of a dynamic word. Rules may not contain it. */
#define AG_DYNAMIC_MARK '\x01'

#endif
