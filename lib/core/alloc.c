#include <stdlib.h>
#include <string.h>

#include "common.h"

/*
 * Test hook state: the number of allocations still to succeed before one
 * fails, or -1 when none will. Plain statics, because the hook is for
 * single-threaded tests; threads that never set it only read -1.
 */
static long fail_countdown = -1;
static long failures_injected;

void ag_alloc_fail_after(long count)
{
    fail_countdown = count < 0 ? -1 : count;
    failures_injected = 0;
}

long ag_alloc_failures_injected(void)
{
    return failures_injected;
}

static bool inject_failure(void)
{
    if (fail_countdown < 0)
        return false;
    if (fail_countdown > 0) {
        fail_countdown--;
        return false;
    }
    fail_countdown = -1;
    failures_injected++;
    return true;
}

void *ag_malloc(size_t size)
{
    if (inject_failure())
        return NULL;
    return malloc(size == 0 ? 1 : size);
}

void *ag_calloc(size_t count, size_t size)
{
    if (inject_failure())
        return NULL;
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *ag_realloc(void *pointer, size_t size)
{
    if (inject_failure())
        return NULL;
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
