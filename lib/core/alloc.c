#include <stdlib.h>
#include <string.h>

#include "common.h"

void *ag_malloc(size_t size)
{
    return malloc(size == 0 ? 1 : size);
}

void *ag_calloc(size_t count, size_t size)
{
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *ag_realloc(void *pointer, size_t size)
{
    return realloc(pointer, size == 0 ? 1 : size);
}

void ag_free(void *pointer)
{
    free(pointer);
}

char *ag_strndup(const char *text, size_t length)
{
    char *copy = ag_malloc(length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *ag_strdup(const char *text)
{
    return ag_strndup(text, strlen(text));
}
