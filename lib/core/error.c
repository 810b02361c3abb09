#include <stdio.h>
#include <string.h>

#include "common.h"
#include "core/invisible.h"

struct ag_error {
    ag_status code;
    char *message;
    char *file;
    unsigned line;
    unsigned column;
};

static ag_error nomem_error = {
    AG_ERR_NOMEM, "error[AG_ERR_NOMEM]: out of memory", NULL, 0, 0
};

ag_error *ag_error_nomem(void)
{
    return &nomem_error;
}

const char *ag_status_name(ag_status code)
{
    switch (code) {
    case AG_OK: return "AG_OK";
    case AG_ERR_NOMEM: return "AG_ERR_NOMEM";
    case AG_ERR_ARGUMENT: return "AG_ERR_ARGUMENT";
    case AG_ERR_IO: return "AG_ERR_IO";
    case AG_ERR_YAML: return "AG_ERR_YAML";
    case AG_ERR_POLICY_KEY: return "AG_ERR_POLICY_KEY";
    case AG_ERR_POLICY_VALUE: return "AG_ERR_POLICY_VALUE";
    case AG_ERR_RULE: return "AG_ERR_RULE";
    case AG_ERR_PATTERN: return "AG_ERR_PATTERN";
    case AG_ERR_REQUEST: return "AG_ERR_REQUEST";
    case AG_ERR_LIMIT: return "AG_ERR_LIMIT";
    case AG_ERR_INTERNAL: return "AG_ERR_INTERNAL";
    }
    return "AG_ERR_UNKNOWN";
}

ag_error *ag_error_newv(ag_status code, const char *file, unsigned line,
                        unsigned column, const char *format, va_list args)
{
    ag_error *error = ag_calloc(1, sizeof(*error));
    if (error == NULL)
        return &nomem_error;
    error->code = code;
    error->line = line;
    error->column = column;

    ag_buffer text;
    ag_buffer_init(&text);
    if (file != NULL && line > 0)
        ag_buffer_printf(&text, "%s:%u:%u: ", file, line, column);
    else if (file != NULL)
        ag_buffer_printf(&text, "%s: ", file);
    ag_buffer_printf(&text, "error[%s]: ", ag_status_name(code));

    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length >= 0) {
        char *detail = ag_malloc((size_t)length + 1);
        if (detail != NULL) {
            vsnprintf(detail, (size_t)length + 1, format, args);
            /* A value quoted raw would hide a zero-width space or show a no-break space as
             * a space, and the reader would not see what to fix. */
            ag_invisible_escape(&text, detail, (size_t)length);
            ag_free(detail);
        } else {
            text.failed = true;
        }
    }

    error->file = file != NULL ? ag_strdup(file) : NULL;
    if (text.failed || text.data == NULL || (file != NULL && error->file == NULL)) {
        ag_buffer_release(&text);
        ag_free(error->file);
        ag_free(error);
        return &nomem_error;
    }
    error->message = text.data;
    return error;
}

ag_error *ag_error_new(ag_status code, const char *file, unsigned line,
                       unsigned column, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ag_error *error = ag_error_newv(code, file, line, column, format, args);
    va_end(args);
    return error;
}

ag_status ag_error_set(ag_error **out, ag_status code, const char *file,
                       unsigned line, unsigned column, const char *format, ...)
{
    if (out == NULL)
        return code;
    va_list args;
    va_start(args, format);
    *out = ag_error_newv(code, file, line, column, format, args);
    va_end(args);
    return code;
}

void ag_error_free(ag_error *error)
{
    if (error == NULL || error == &nomem_error)
        return;
    ag_free(error->message);
    ag_free(error->file);
    ag_free(error);
}

ag_status ag_error_code(const ag_error *error)
{
    return error != NULL ? error->code : AG_ERR_ARGUMENT;
}

const char *ag_error_message(const ag_error *error)
{
    return error != NULL ? error->message : "error[AG_ERR_ARGUMENT]: no error object";
}

const char *ag_error_file(const ag_error *error)
{
    return error != NULL ? error->file : NULL;
}

unsigned ag_error_line(const ag_error *error)
{
    return error != NULL ? error->line : 0;
}

unsigned ag_error_column(const ag_error *error)
{
    return error != NULL ? error->column : 0;
}
