#include <stdio.h>
#include <string.h>

#include "common.h"

struct ag_arena_block {
    ag_arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

enum { AG_ARENA_BLOCK_SIZE = 16 * 1024 };

void ag_arena_init(ag_arena *arena)
{
    arena->first = NULL;
    arena->current = NULL;
    arena->failed = false;
}

static ag_arena_block *new_block(size_t minimum)
{
    size_t size = minimum > AG_ARENA_BLOCK_SIZE ? minimum : AG_ARENA_BLOCK_SIZE;
    ag_arena_block *block = ag_malloc(sizeof(*block) + size);
    if (block == NULL)
        return NULL;
    block->next = NULL;
    block->used = 0;
    block->size = size;
    return block;
}

void *ag_arena_alloc(ag_arena *arena, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;

    /* Reuse the blocks kept by ag_arena_reset() before allocating a new one. */
    while (arena->current != NULL && arena->current->size - arena->current->used < size
           && arena->current->next != NULL) {
        arena->current = arena->current->next;
        arena->current->used = 0;
    }

    ag_arena_block *block = arena->current;
    if (block == NULL || block->size - block->used < size) {
        ag_arena_block *fresh = new_block(size);
        if (fresh == NULL) {
            arena->failed = true;
            return NULL;
        }
        if (block == NULL)
            arena->first = fresh;
        else
            block->next = fresh;
        arena->current = fresh;
        block = fresh;
    }

    void *result = (char *)block->data + block->used;
    block->used += size;
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

char *ag_arena_strndup(ag_arena *arena, const char *text, size_t length)
{
    char *copy = ag_arena_alloc(arena, length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *ag_arena_vprintf(ag_arena *arena, const char *format, va_list args)
{
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
    arena->current = arena->first;
    if (arena->current != NULL)
        arena->current->used = 0;
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
