/*
 * A strict JSON reader for a request's tool input. It accepts exactly what
 * jansson's json_loads() accepts with JSON_REJECT_DUPLICATES, retried with
 * JSON_DECODE_INT_AS_REAL after an integer overflow. It keeps only the
 * top-level object's members and allocates only from an arena, so a reused
 * checker reads tool inputs with no malloc.
 */
#ifndef AG_CORE_JSON_H
#define AG_CORE_JSON_H

#include "core/common.h"

/* jansson's JSON_PARSER_MAX_DEPTH: values (containers and scalars) nested deeper fail. */
#define AG_JSON_MAX_DEPTH 2048

typedef enum ag_json_type {
    AG_JSON_NULL,
    AG_JSON_FALSE,
    AG_JSON_TRUE,
    AG_JSON_INTEGER,
    AG_JSON_REAL,
    AG_JSON_STRING,
    AG_JSON_ARRAY,
    AG_JSON_OBJECT
} ag_json_type;

/* A member of the top-level object. Nested values are validated but not kept. */
typedef struct ag_json_member {
    const char *name;          /* decoded, NUL-terminated, no NUL inside */
    size_t name_length;
    ag_json_type type;
    const char *string;        /* AG_JSON_STRING: decoded, NUL-terminated, no NUL inside */
    size_t string_length;
    int64_t integer;           /* AG_JSON_INTEGER */
    double real;               /* AG_JSON_REAL */
} ag_json_member;

/* A parsed document: the top-level object's members, sorted by name. */
typedef struct ag_json_document {
    bool is_object;            /* false when the top level is an array */
    const ag_json_member *members;
    size_t count;
} ag_json_document;

/* Why a document was rejected, and where: line and column count from 1, the
 * column in characters (UTF-8 sequences), as jansson counts it. */
typedef struct ag_json_error {
    char text[160];
    int line;
    int column;
} ag_json_error;

typedef enum ag_json_status {
    AG_JSON_OK,
    AG_JSON_INVALID,           /* *error contains the reason */
    AG_JSON_NOMEM,
    /* Only from ag_json_read(): the document has a number with a fraction or an
     * exponent, or an integer beyond 64 bits, which only jansson reads exactly. */
    AG_JSON_FALLBACK
} ag_json_status;

/*
 * Parses the NUL-terminated `text` into *document, with the strings in
 * `arena`. Numbers that ag_json_read() cannot read are read by jansson,
 * which allocates with malloc(); every other document parses with no
 * allocation outside the arena. Never returns AG_JSON_FALLBACK.
 */
ag_json_status ag_json_parse(ag_arena *arena, const char *text, ag_json_document *document,
                             ag_json_error *error);

/* ag_json_parse() without the jansson fallback, for tests and the fuzz harness. */
ag_json_status ag_json_read(ag_arena *arena, const char *text, ag_json_document *document,
                            ag_json_error *error);

/*
 * Decodes the `length` bytes between the quotes of a JSON string whose
 * escapes are valid (a \u escape of a high surrogate followed by one of a
 * low surrogate) into `out`, NUL-terminated, and returns the decoded length.
 * The result is never longer than the raw bytes, because an escape of 2, 6
 * or 12 bytes becomes 1 to 4, so `out` needs length + 1 bytes.
 */
size_t ag_json_decode_validated(const char *text, size_t length, char *out);

/* Finds the top-level member `name`, or returns NULL. */
const ag_json_member *ag_json_get(const ag_json_document *document, const char *name);

/* Returns the top-level string `name` and its length in *length (when not
 * NULL), or NULL when the member is absent or not a string. */
const char *ag_json_get_string(const ag_json_document *document, const char *name,
                               size_t *length);

#endif
