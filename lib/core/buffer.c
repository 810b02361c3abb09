#include <stdio.h>
#include <string.h>

#include "common.h"

void ag_buffer_init(ag_buffer *buffer)
{
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
    buffer->failed = false;
}

void ag_buffer_clear(ag_buffer *buffer)
{
    buffer->length = 0;
    buffer->failed = false;
    if (buffer->data != NULL)
        buffer->data[0] = '\0';
}

void ag_buffer_release(ag_buffer *buffer)
{
    ag_free(buffer->data);
    ag_buffer_init(buffer);
}

static bool reserve(ag_buffer *buffer, size_t extra)
{
    if (buffer->failed)
        return false;
    if (extra > SIZE_MAX / 2 - buffer->length) {
        buffer->failed = true;
        return false;
    }

    size_t needed = buffer->length + extra + 1;
    if (needed <= buffer->capacity)
        return true;

    size_t capacity = buffer->capacity < 64 ? 64 : buffer->capacity;
    while (capacity < needed)
        capacity *= 2;
    char *data = ag_realloc(buffer->data, capacity);
    if (data == NULL) {
        buffer->failed = true;
        return false;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return true;
}

bool ag_buffer_append_grow(ag_buffer *buffer, const char *data, size_t length)
{
    if (!reserve(buffer, length))
        return false;
    if (length > 0)
        memcpy(buffer->data + buffer->length, data, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return true;
}

bool ag_buffer_append_string(ag_buffer *buffer, const char *text)
{
    return ag_buffer_append(buffer, text, strlen(text));
}

bool ag_buffer_printf(ag_buffer *buffer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (length < 0 || !reserve(buffer, (size_t)length)) {
        buffer->failed = true;
        return false;
    }

    va_start(args, format);
    vsnprintf(buffer->data + buffer->length, (size_t)length + 1, format, args);
    va_end(args);
    buffer->length += (size_t)length;
    return true;
}
