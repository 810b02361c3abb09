/*
 * Differential fuzzing of the tool-input JSON reader (lib/core/json.c)
 * against jansson, which ag_check() used before it: json_loads() with
 * JSON_REJECT_DUPLICATES, retried with JSON_DECODE_INT_AS_REAL after an
 * integer overflow. The whole input, up to its first NUL byte, is the JSON
 * text.
 *
 * Invariants: ag_json_parse() accepts exactly what jansson accepts, and so
 * does ag_json_read() unless it hands the document to jansson
 * (AG_JSON_FALLBACK). On acceptance both read the same top-level members:
 * names, types, string bytes, integer values, and reals bit for bit. The
 * members are sorted by name with no name twice, and every rejection has a
 * message and a position.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "fuzz.h"

static ag_json_type type_of(json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return AG_JSON_OBJECT;
    case JSON_ARRAY:
        return AG_JSON_ARRAY;
    case JSON_STRING:
        return AG_JSON_STRING;
    case JSON_INTEGER:
        return AG_JSON_INTEGER;
    case JSON_REAL:
        return AG_JSON_REAL;
    case JSON_TRUE:
        return AG_JSON_TRUE;
    case JSON_FALSE:
        return AG_JSON_FALSE;
    case JSON_NULL:
        break;
    }
    return AG_JSON_NULL;
}

static void check_member(const ag_json_member *member, const char *name, json_t *value)
{
    FUZZ_ASSERT(member != NULL);
    FUZZ_ASSERT(member->name_length == strlen(name));
    FUZZ_ASSERT(strcmp(member->name, name) == 0);
    FUZZ_ASSERT(member->type == type_of(value));
    if (member->type == AG_JSON_STRING) {
        FUZZ_ASSERT(member->string_length == json_string_length(value));
        FUZZ_ASSERT(memcmp(member->string, json_string_value(value), member->string_length) == 0);
        FUZZ_ASSERT(member->string[member->string_length] == '\0');
    } else if (member->type == AG_JSON_INTEGER) {
        FUZZ_ASSERT(member->integer == json_integer_value(value));
    } else if (member->type == AG_JSON_REAL) {
        double expected = json_real_value(value);
        FUZZ_ASSERT(memcmp(&member->real, &expected, sizeof(expected)) == 0);
    }
}

/* Checks an accepted document against jansson's reading of the same text. */
static void check_document(const ag_json_document *document, json_t *root)
{
    FUZZ_ASSERT(document->is_object == json_is_object(root));
    if (!document->is_object) {
        FUZZ_ASSERT(document->count == 0);
        return;
    }

    FUZZ_ASSERT(document->count == json_object_size(root));
    for (size_t i = 1; i < document->count; i++)
        FUZZ_ASSERT(strcmp(document->members[i - 1].name, document->members[i].name) < 0);
    const char *name;
    json_t *value;
    json_object_foreach(root, name, value) {
        check_member(ag_json_get(document, name), name, value);
    }
}

/* jansson's own messages (after AG_JSON_FALLBACK) may give column 0 for an error before
 * the first character of a line, so only the reader's own rejections need column 1. */
static void check_rejection(ag_json_status status, const ag_json_error *error, int first_column)
{
    FUZZ_ASSERT(status == AG_JSON_INVALID);
    FUZZ_ASSERT(error->text[0] != '\0');
    FUZZ_ASSERT(error->line >= 1);
    FUZZ_ASSERT(error->column >= first_column);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ag_arena arena;
    char *text = fuzz_strndup(data, size);
    json_t *root = fuzz_json_loads(text);

    ag_arena_reset(&arena);
    ag_json_document document;
    ag_json_error error = {{0}, 0, 0};
    ag_json_status status = ag_json_read(&arena, text, &document, &error);
    FUZZ_ASSERT(status != AG_JSON_NOMEM);
    if (status == AG_JSON_OK)
        check_document(&document, root);
    else if (status == AG_JSON_INVALID)
        FUZZ_ASSERT(root == NULL);
    if (status == AG_JSON_INVALID)
        check_rejection(status, &error, 1);

    ag_arena_reset(&arena);
    error = (ag_json_error){{0}, 0, 0};
    status = ag_json_parse(&arena, text, &document, &error);
    FUZZ_ASSERT(status != AG_JSON_NOMEM && status != AG_JSON_FALLBACK);
    if (root != NULL) {
        FUZZ_ASSERT(status == AG_JSON_OK);
        check_document(&document, root);
    } else {
        check_rejection(status, &error, 0);
    }

    json_decref(root);
    free(text);
    return 0;
}
