#include <stdio.h>
#include <string.h>

#include "common.h"

struct ag_arena_block {
    ag_arena_block *next;
    size_t size;    /* bytes of `data`, a multiple of AG_ARENA_ALIGN */
    max_align_t data[];
};

enum { AG_ARENA_BLOCK_SIZE = 16 * 1024 };

void ag_arena_init(ag_arena *arena)
{
    arena->first = NULL;
    arena->current = NULL;
    arena->free_start = NULL;
    arena->free_end = NULL;
    arena->failed = false;
}

static ag_arena_block *new_block(size_t minimum)
{
    size_t size = minimum > AG_ARENA_BLOCK_SIZE ? minimum : AG_ARENA_BLOCK_SIZE;
    if (size > SIZE_MAX - sizeof(ag_arena_block))
        return NULL;
    ag_arena_block *block = ag_malloc(sizeof(ag_arena_block) + size);
    if (block == NULL)
        return NULL;
    block->next = NULL;
    block->size = size;
    return block;
}

/* Makes `block` the current one, with all of its bytes free. */
static void enter_block(ag_arena *arena, ag_arena_block *block)
{
    arena->current = block;
    arena->free_start = (char *)block->data;
    arena->free_end = (char *)block->data + block->size;
}

static size_t free_bytes(const ag_arena *arena)
{
    return (size_t)(arena->free_end - arena->free_start);
}

void *ag_arena_alloc_block(ag_arena *arena, size_t size)
{
    if (size > SIZE_MAX - AG_ARENA_ALIGN) {
        arena->failed = true;
        return NULL;
    }
    size = (size + AG_ARENA_ALIGN - 1) & ~(size_t)(AG_ARENA_ALIGN - 1);
    if (size == 0)
        size = AG_ARENA_ALIGN;

    /* Reuse the blocks kept by ag_arena_reset() before allocating a new one. */
    while (arena->current != NULL && free_bytes(arena) < size && arena->current->next != NULL)
        enter_block(arena, arena->current->next);

    if (arena->current == NULL || free_bytes(arena) < size) {
        ag_arena_block *fresh = new_block(size);
        if (fresh == NULL) {
            arena->failed = true;
            return NULL;
        }
        if (arena->current == NULL)
            arena->first = fresh;
        else
            arena->current->next = fresh;
        enter_block(arena, fresh);
    }

    void *result = arena->free_start;
    arena->free_start += size;
    return result;
}

void *ag_arena_calloc(ag_arena *arena, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *result = ag_arena_alloc(arena, count * size);
    if (result != NULL)
        memset(result, 0, count * size);
    return result;
}

void *ag_arena_grow(ag_arena *arena, void *items, size_t count, size_t *capacity, size_t needed,
                    size_t size)
{
    if (needed <= *capacity)
        return items;

    size_t grown = *capacity < 8 ? 8 : *capacity * 2;
    if (grown < needed)
        grown = needed;
    if (size != 0 && grown > SIZE_MAX / size)
        return NULL;
    void *copy = ag_arena_alloc(arena, grown * size);
    if (copy == NULL)
        return NULL;
    if (count > 0)
        memcpy(copy, items, count * size);
    *capacity = grown;
    return copy;
}

char *ag_arena_strndup(ag_arena *arena, const char *text, size_t length)
{
    char *copy = ag_arena_alloc(arena, length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *ag_arena_join(ag_arena *arena, const ag_text_part *parts, size_t count)
{
    size_t length = 0;
    for (size_t i = 0; i < count; i++) {
        if (parts[i].text == NULL)
            return NULL;
        length += parts[i].length;
    }
    char *text = ag_arena_alloc(arena, length + 1);
    if (text == NULL)
        return NULL;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(text + used, parts[i].text, parts[i].length);
        used += parts[i].length;
    }
    text[used] = '\0';
    return text;
}

/* The output of format_simple(): up to `capacity` bytes at `data`, and the full length in `at`. */
typedef struct format_output {
    char *data;         /* NULL to only count */
    size_t capacity;
    size_t at;
} format_output;

/* Appends `length` bytes, or only counts those past the capacity. */
static void put_text(format_output *out, const char *text, size_t length)
{
    if (out->data != NULL && out->at + length <= out->capacity)
        memcpy(out->data + out->at, text, length);
    out->at += length;
}

static void put_decimal(format_output *out, unsigned long long value, bool negative)
{
    char digits[24];
    size_t start = sizeof(digits);
    do {
        digits[--start] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    if (negative)
        digits[--start] = '-';
    put_text(out, digits + start, sizeof(digits) - start);
}

/*
 * Formats the conversions that reasons use: %%, %s, %.*s, %c, %d, %u, %zu and
 * %llu, each without flags or width, with the output printf gives. Returns
 * false, having consumed some of `args`, on any other conversion or a NULL
 * string, and the caller then formats with vsnprintf. out->at ends as the
 * length of the whole text, even where it did not fit. On the first 2,000 agent-commands.txt
 * requests this cut ag_arena_printf from 14% to 4% of a check's instructions
 * (callgrind).
 */
static bool format_simple(format_output *out, const char *format, va_list *args)
{
    for (const char *p = format; *p != '\0'; p++) {
        const char *literal = p;
        p = strchr(literal, '%');
        if (p == NULL)
            p = literal + strlen(literal);
        put_text(out, literal, (size_t)(p - literal));
        if (*p == '\0')
            break;

        p++;
        if (*p == '%') {
            put_text(out, "%", 1);
        } else if (*p == 's' || strncmp(p, ".*s", 3) == 0) {
            int precision = -1;
            if (*p == '.') {
                precision = va_arg(*args, int);
                p += 2;
            }
            const char *text = va_arg(*args, const char *);
            if (text == NULL)
                return false;
            /* With a precision, printf reads no byte past it: the text may lack a NUL. */
            size_t text_length = 0;
            if (precision < 0)
                text_length = strlen(text);
            while (precision >= 0 && text_length < (size_t)precision && text[text_length] != '\0')
                text_length++;
            put_text(out, text, text_length);
        } else if (*p == 'c') {
            char c = (char)va_arg(*args, int);
            put_text(out, &c, 1);
        } else if (*p == 'd') {
            int value = va_arg(*args, int);
            unsigned long long magnitude =
                value < 0 ? (unsigned long long)(-(long long)value) : (unsigned long long)value;
            put_decimal(out, magnitude, value < 0);
        } else if (*p == 'u') {
            put_decimal(out, va_arg(*args, unsigned), false);
        } else if (strncmp(p, "zu", 2) == 0) {
            put_decimal(out, va_arg(*args, size_t), false);
            p++;
        } else if (strncmp(p, "llu", 3) == 0) {
            put_decimal(out, va_arg(*args, unsigned long long), false);
            p += 2;
        } else {
            return false;
        }
    }
    return true;
}

/*
 * Formats with format_simple() when it handles `format`, else returns NULL
 * and sets *handled false. The text is written straight into the free space
 * of the current block, and formatted a second time only when it does not
 * fit there.
 */
static char *arena_format_simple(ag_arena *arena, const char *format, va_list args, bool *handled)
{
    format_output out = {NULL, 0, 0};
    if (arena->current != NULL) {
        out.data = arena->free_start;
        out.capacity = free_bytes(arena);
    }
    va_list copy;
    va_copy(copy, args);
    *handled = format_simple(&out, format, &copy);
    va_end(copy);
    if (!*handled)
        return NULL;

    /* When the text fit in the current block, allocating it returns the bytes just written. */
    size_t length = out.at;
    char *text = ag_arena_alloc(arena, length + 1);
    if (text == NULL)
        return NULL;
    if (text != out.data || length >= out.capacity) {
        out = (format_output){text, length + 1, 0};
        va_copy(copy, args);
        format_simple(&out, format, &copy);
        va_end(copy);
    }
    text[length] = '\0';
    return text;
}

char *ag_arena_vprintf(ag_arena *arena, const char *format, va_list args)
{
    bool handled;
    char *simple = arena_format_simple(arena, format, args, &handled);
    if (handled)
        return simple;

    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length < 0)
        return NULL;

    char *text = ag_arena_alloc(arena, (size_t)length + 1);
    if (text != NULL)
        vsnprintf(text, (size_t)length + 1, format, args);
    return text;
}

char *ag_arena_printf(ag_arena *arena, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = ag_arena_vprintf(arena, format, args);
    va_end(args);
    return text;
}

void ag_arena_reset(ag_arena *arena)
{
    arena->failed = false;
    if (arena->first != NULL)
        enter_block(arena, arena->first);
}

void ag_arena_release(ag_arena *arena)
{
    ag_arena_block *block = arena->first;
    while (block != NULL) {
        ag_arena_block *next = block->next;
        ag_free(block);
        block = next;
    }
    ag_arena_init(arena);
}
