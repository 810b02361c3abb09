/*
 * The strict JSON reader of json.h. It follows jansson 2.14's json_loads()
 * (src/load.c) with JSON_REJECT_DUPLICATES: RFC 8259 grammar, a top-level
 * object or array, valid UTF-8 only, no "\u0000", no duplicate key in any
 * object, and at most AG_JSON_MAX_DEPTH nested values. fuzz/fuzz_json.c
 * checks that both accept the same documents and read the same members.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/json.h"

/* A decoded object key: the bytes point into the input when the key has no escape. */
typedef struct key_ref {
    const char *bytes;
    size_t length;
    size_t member;                  /* index into reader.members, for the top-level object */
    const unsigned char *source;    /* the key's opening quote, for the error location */
} key_ref;

/* Keys and members that fit on the stack before the arrays move to the arena. */
enum { INLINE_KEYS = 16, INLINE_MEMBERS = 16 };

typedef struct reader {
    const unsigned char *start;
    const unsigned char *p;
    ag_arena *arena;
    /* The keys of every object still open, innermost last. */
    key_ref *keys;
    size_t key_count, key_capacity;
    /* The top-level object's members, in document order. */
    ag_json_member *members;
    size_t member_count, member_capacity;
    ag_json_error *error;
    ag_json_status status;          /* why a step returned false */
    key_ref inline_keys[INLINE_KEYS];
    ag_json_member inline_members[INLINE_MEMBERS];
} reader;

/* ------------------------------------------------------------------ errors */

/* Counts lines and characters before `at`, as jansson reports a position. */
static void locate(const reader *r, const unsigned char *at, ag_json_error *error)
{
    int line = 1;
    int column = 1;
    for (const unsigned char *p = r->start; p < at; p++) {
        if (*p == '\n') {
            line++;
            column = 1;
        } else if ((*p & 0xC0) != 0x80) {
            column++;
        }
    }
    error->line = line;
    error->column = column;
}

/* Records an invalid document, with the byte where it failed. Returns false. */
static bool fail(reader *r, const unsigned char *at, const char *format, ...) AG_PRINTF(3, 4);
static bool fail(reader *r, const unsigned char *at, const char *format, ...)
{
    r->status = AG_JSON_INVALID;
    if (r->error == NULL)
        return false;

    va_list args;
    va_start(args, format);
    vsnprintf(r->error->text, sizeof(r->error->text), format, args);
    va_end(args);
    locate(r, at, r->error);
    return false;
}

static bool out_of_memory(reader *r)
{
    r->status = AG_JSON_NOMEM;
    return false;
}

/* Stops at a number that only jansson reads exactly (see AG_JSON_FALLBACK). */
static bool needs_fallback(reader *r)
{
    r->status = AG_JSON_FALLBACK;
    return false;
}

/* ----------------------------------------------------------------- strings */

static void skip_whitespace(reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

/*
 * Returns the length of the valid UTF-8 sequence of two to four bytes at
 * `p`, or 0 for an invalid one: a stray continuation byte, an overlong form,
 * a UTF-16 surrogate, a code point above U+10FFFF, or a truncated sequence.
 * A NUL ends the check, so it never reads past the input.
 */
static size_t utf8_sequence_length(const unsigned char *p)
{
    size_t size;
    uint32_t value;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        size = 2;
        value = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        size = 3;
        value = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        size = 4;
        value = p[0] & 0x07;
    } else {
        return 0;
    }

    for (size_t i = 1; i < size; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        value = value << 6 | (p[i] & 0x3F);
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    if ((size == 3 && value < 0x800) || (size == 4 && value < 0x10000))
        return 0;
    return size;
}

/* Returns the value of the four hex digits at `p`, or -1. Stops at the first non-digit. */
static long hex4(const unsigned char *p)
{
    long value = 0;
    for (size_t i = 0; i < 4; i++) {
        unsigned char c = p[i];
        long digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return -1;
        value = value << 4 | digit;
    }
    return value;
}

/*
 * Validates the escape at *cursor (a backslash) and moves past it. A \u
 * escape of a UTF-16 high surrogate must be followed by one of a low
 * surrogate. A lone surrogate and \u0000 are rejected, as jansson does.
 */
static bool scan_escape(reader *r, const unsigned char **cursor)
{
    const unsigned char *p = *cursor;
    if (p[1] != '\0' && strchr("\"\\/bfnrt", p[1]) != NULL) {
        *cursor = p + 2;
        return true;
    }
    if (p[1] != 'u')
        return fail(r, p + 1, "invalid escape");

    long value = hex4(p + 2);
    if (value < 0)
        return fail(r, p, "invalid escape");
    if (value == 0)
        return fail(r, p, "\\u0000 is not allowed in a string");
    if (value >= 0xDC00 && value <= 0xDFFF)
        return fail(r, p, "invalid Unicode '\\u%04lX': a lone low surrogate", value);
    if (value < 0xD800 || value > 0xDBFF) {
        *cursor = p + 6;
        return true;
    }

    if (p[6] != '\\' || p[7] != 'u')
        return fail(r, p, "invalid Unicode '\\u%04lX': a high surrogate without a low one",
                    value);
    long low = hex4(p + 8);
    if (low < 0)
        return fail(r, p + 6, "invalid escape");
    if (low < 0xDC00 || low > 0xDFFF)
        return fail(r, p, "invalid Unicode '\\u%04lX\\u%04lX'", value, low);
    *cursor = p + 12;
    return true;
}

/*
 * The bytes a string may contain as they are: 0x20 to 0x7F (DEL included,
 * as in jansson) but '"' and '\\'. Every other byte (a quote, an escape, a
 * control byte, the NUL at the end, or the start of a UTF-8 sequence) needs
 * its own check.
 */
static const unsigned char plain_string_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,    /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xA0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xB0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xC0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xD0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xE0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0xF0 */
};

/*
 * Validates the string whose opening quote r->p is at and moves past its
 * closing quote. *raw and *length give the bytes between the quotes, and
 * *escaped whether they contain an escape.
 */
static bool scan_string(reader *r, const unsigned char **raw, size_t *length, bool *escaped)
{
    const unsigned char *p = r->p + 1;
    *raw = p;
    *escaped = false;
    for (;;) {
        while (plain_string_byte[*p])
            p++;
        unsigned char c = *p;
        if (c == '"') {
            break;
        } else if (c == '\\') {
            *escaped = true;
            if (!scan_escape(r, &p))
                return false;
        } else if (c == '\0') {
            return fail(r, p, "premature end of input in a string");
        } else if (c == '\n') {
            return fail(r, p, "unexpected newline in a string");
        } else if (c < 0x20) {
            return fail(r, p, "control character 0x%x in a string", c);
        } else {
            size_t size = utf8_sequence_length(p);
            if (size == 0)
                return fail(r, p, "invalid UTF-8 byte 0x%x", c);
            p += size;
        }
    }
    *length = (size_t)(p - *raw);
    r->p = p + 1;
    return true;
}

/* Writes the UTF-8 form of a code point up to U+10FFFF and returns its length. */
static size_t utf8_encode(uint32_t value, char *out)
{
    if (value < 0x80) {
        out[0] = (char)value;
        return 1;
    }
    if (value < 0x800) {
        out[0] = (char)(0xC0 | value >> 6);
        out[1] = (char)(0x80 | (value & 0x3F));
        return 2;
    }
    if (value < 0x10000) {
        out[0] = (char)(0xE0 | value >> 12);
        out[1] = (char)(0x80 | (value >> 6 & 0x3F));
        out[2] = (char)(0x80 | (value & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | value >> 18);
    out[1] = (char)(0x80 | (value >> 12 & 0x3F));
    out[2] = (char)(0x80 | (value >> 6 & 0x3F));
    out[3] = (char)(0x80 | (value & 0x3F));
    return 4;
}

static char simple_escape(unsigned char c)
{
    switch (c) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return (char)c;    /* '"', '\\' or '/' */
    }
}

size_t ag_json_decode_validated(const char *text, size_t length, char *out)
{
    const unsigned char *raw = (const unsigned char *)text;
    size_t n = 0;
    for (size_t i = 0; i < length;) {
        if (raw[i] != '\\') {
            out[n++] = (char)raw[i++];
        } else if (raw[i + 1] != 'u') {
            out[n++] = simple_escape(raw[i + 1]);
            i += 2;
        } else {
            uint32_t value = (uint32_t)hex4(raw + i + 2);
            i += 6;
            if (value >= 0xD800 && value <= 0xDBFF) {
                uint32_t low = (uint32_t)hex4(raw + i + 2);
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            }
            n += utf8_encode(value, out + n);
        }
    }
    out[n] = '\0';
    return n;
}

/*
 * Copies the string bytes that scan_string() validated into the arena,
 * NUL-terminated, with the escapes decoded.
 */
static char *decode_string(reader *r, const unsigned char *raw, size_t length, bool escaped,
                           size_t *decoded_length)
{
    char *out = ag_arena_alloc(r->arena, length + 1);
    if (out == NULL)
        return NULL;
    if (!escaped) {
        memcpy(out, raw, length);
        out[length] = '\0';
        *decoded_length = length;
        return out;
    }
    *decoded_length = ag_json_decode_validated((const char *)raw, length, out);
    return out;
}

/* ---------------------------------------------------------------- scalars */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Reads an integer into *member (when not NULL). A fraction, an exponent or
 * an integer outside int64 stops the reader with AG_JSON_FALLBACK, because
 * jansson reads those with strtod() and, after an overflow, every integer of
 * the document as a real.
 */
static bool scan_number(reader *r, ag_json_member *member)
{
    const unsigned char *p = r->p;
    bool negative = *p == '-';
    if (negative)
        p++;
    if (!is_digit(*p) || (*p == '0' && is_digit(p[1])))
        return fail(r, r->p, "invalid number");

    uint64_t magnitude = 0;
    bool overflow = false;
    for (; is_digit(*p); p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (magnitude > (UINT64_MAX - digit) / 10)
            overflow = true;
        else
            magnitude = magnitude * 10 + digit;
    }
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (*p == '.' || *p == 'e' || *p == 'E' || overflow || magnitude > limit)
        return needs_fallback(r);

    r->p = p;
    if (member != NULL) {
        member->type = AG_JSON_INTEGER;
        member->integer = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    }
    return true;
}

/* Reads true, false or null. A letter after the word fails in the caller. */
static bool scan_literal(reader *r, ag_json_member *member)
{
    static const struct {
        const char *word;
        size_t length;
        ag_json_type type;
    } literals[] = {{"true", 4, AG_JSON_TRUE}, {"false", 5, AG_JSON_FALSE}, {"null", 4, AG_JSON_NULL}};
    for (size_t i = 0; i < sizeof(literals) / sizeof(*literals); i++) {
        if (strncmp((const char *)r->p, literals[i].word, literals[i].length) != 0)
            continue;
        r->p += literals[i].length;
        if (member != NULL)
            member->type = literals[i].type;
        return true;
    }
    return fail(r, r->p, "invalid token");
}

/* ------------------------------------------------------------ duplicates */

static int compare_keys(const key_ref *a, const key_ref *b)
{
    size_t common = a->length < b->length ? a->length : b->length;
    int order = memcmp(a->bytes, b->bytes, common);
    if (order != 0)
        return order;
    return (a->length > b->length) - (a->length < b->length);
}

static void swap_keys(key_ref *a, key_ref *b)
{
    key_ref saved = *a;
    *a = *b;
    *b = saved;
}

static void sift_down(key_ref *keys, size_t root, size_t count)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count)
            return;
        if (child + 1 < count && compare_keys(&keys[child + 1], &keys[child]) > 0)
            child++;
        if (compare_keys(&keys[root], &keys[child]) >= 0)
            return;
        swap_keys(&keys[root], &keys[child]);
        root = child;
    }
}

/*
 * Sorts keys by their bytes. Heapsort keeps the worst case at O(n log n)
 * without allocating, because an object may have 50,000 keys. The few keys
 * of a usual object take insertion sort.
 */
static void sort_keys(key_ref *keys, size_t count)
{
    if (count <= 16) {
        for (size_t i = 1; i < count; i++)
            for (size_t j = i; j > 0 && compare_keys(&keys[j - 1], &keys[j]) > 0; j--)
                swap_keys(&keys[j - 1], &keys[j]);
        return;
    }

    for (size_t i = count / 2; i-- > 0;)
        sift_down(keys, i, count);
    for (size_t end = count - 1; end > 0; end--) {
        swap_keys(&keys[0], &keys[end]);
        sift_down(keys, 0, end);
    }
}

/* Returns whether a key can be shown as it is in a message: short, printable ASCII. */
static bool is_plain_key(const key_ref *key)
{
    if (key->length > 64)
        return false;
    for (size_t i = 0; i < key->length; i++) {
        unsigned char c = (unsigned char)key->bytes[i];
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* Sorts the keys of the object that closed and rejects a key that appears twice. */
static bool check_duplicates(reader *r, size_t base)
{
    size_t count = r->key_count - base;
    key_ref *keys = r->keys + base;
    sort_keys(keys, count);
    for (size_t i = 1; i < count; i++) {
        if (compare_keys(&keys[i - 1], &keys[i]) == 0) {
            const unsigned char *later = keys[i - 1].source > keys[i].source ? keys[i - 1].source
                                                                            : keys[i].source;
            if (!is_plain_key(&keys[i]))
                return fail(r, later, "duplicate object key");
            return fail(r, later, "duplicate object key \"%.*s\"", (int)keys[i].length,
                        keys[i].bytes);
        }
    }
    return true;
}

/* Lists the top-level members in the order of their sorted keys, for ag_json_get(). */
static const ag_json_member *sorted_members(reader *r, const key_ref *keys, size_t count)
{
    if (count == 0)
        return NULL;
    ag_json_member *sorted = ag_arena_alloc(r->arena, count * sizeof(*sorted));
    if (sorted == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        sorted[i] = r->members[keys[i].member];
    return sorted;
}

/* ------------------------------------------------------------- containers */

static bool parse_value(reader *r, unsigned depth, ag_json_member *member);

static bool parse_array(reader *r, unsigned depth)
{
    r->p++;
    skip_whitespace(r);
    if (*r->p == ']') {
        r->p++;
        return true;
    }
    for (;;) {
        if (!parse_value(r, depth + 1, NULL))
            return false;
        skip_whitespace(r);
        if (*r->p == ']') {
            r->p++;
            return true;
        }
        if (*r->p != ',')
            return fail(r, r->p, "',' or ']' expected");
        r->p++;
    }
}

/* Reads an object key at r->p into *key, decoded into the arena when it has an escape. */
static bool read_key(reader *r, key_ref *key, bool copy)
{
    if (*r->p != '"')
        return fail(r, r->p, "string or '}' expected");
    key->source = r->p;

    const unsigned char *raw;
    size_t length;
    bool escaped;
    if (!scan_string(r, &raw, &length, &escaped))
        return false;
    if (!escaped && !copy) {
        key->bytes = (const char *)raw;
        key->length = length;
        return true;
    }
    key->bytes = decode_string(r, raw, length, escaped, &key->length);
    return key->bytes != NULL || out_of_memory(r);
}

static bool push_key(reader *r, const key_ref *key)
{
    key_ref *grown = ag_arena_grow(r->arena, r->keys, r->key_count, &r->key_capacity,
                                   r->key_count + 1, sizeof(*r->keys));
    if (grown == NULL)
        return out_of_memory(r);
    r->keys = grown;
    r->keys[r->key_count++] = *key;
    return true;
}

/* Adds a top-level member named `key` and returns it, or NULL when out of memory. */
static ag_json_member *push_member(reader *r, const key_ref *key)
{
    ag_json_member *grown = ag_arena_grow(r->arena, r->members, r->member_count,
                                          &r->member_capacity, r->member_count + 1,
                                          sizeof(*r->members));
    if (grown == NULL)
        return NULL;
    r->members = grown;
    ag_json_member *member = &r->members[r->member_count++];
    *member = (ag_json_member){.name = key->bytes, .name_length = key->length};
    return member;
}

/*
 * Parses an object. The top-level one (`top`) keeps its members, which
 * end up sorted by name in *sorted.
 */
static bool parse_object(reader *r, unsigned depth, bool top, const ag_json_member **sorted)
{
    size_t base = r->key_count;
    r->p++;
    skip_whitespace(r);
    while (*r->p != '}') {
        key_ref key;
        if (!read_key(r, &key, top))
            return false;
        skip_whitespace(r);
        if (*r->p != ':')
            return fail(r, r->p, "':' expected");
        r->p++;

        ag_json_member *member = NULL;
        if (top) {
            key.member = r->member_count;
            member = push_member(r, &key);
            if (member == NULL)
                return out_of_memory(r);
        }
        if (!push_key(r, &key) || !parse_value(r, depth + 1, member))
            return false;

        skip_whitespace(r);
        if (*r->p == ',') {
            r->p++;
            skip_whitespace(r);
            if (*r->p == '}')
                return fail(r, r->p, "string expected after ','");
        } else if (*r->p != '}') {
            return fail(r, r->p, "',' or '}' expected");
        }
    }
    r->p++;

    if (!check_duplicates(r, base))
        return false;
    if (top && r->key_count > base) {
        *sorted = sorted_members(r, r->keys + base, r->key_count - base);
        if (*sorted == NULL)
            return out_of_memory(r);
    }
    r->key_count = base;
    return true;
}

/* Parses the value at r->p, at nesting `depth` (the top-level value is at 1). */
static bool parse_value(reader *r, unsigned depth, ag_json_member *member)
{
    skip_whitespace(r);
    if (depth > AG_JSON_MAX_DEPTH)
        return fail(r, r->p, "values nested more than %d deep", AG_JSON_MAX_DEPTH);

    unsigned char c = *r->p;
    if (c == '"') {
        const unsigned char *raw;
        size_t length;
        bool escaped;
        if (!scan_string(r, &raw, &length, &escaped))
            return false;
        if (member == NULL)
            return true;
        member->type = AG_JSON_STRING;
        member->string = decode_string(r, raw, length, escaped, &member->string_length);
        return member->string != NULL || out_of_memory(r);
    }
    if (c == '-' || is_digit(c))
        return scan_number(r, member);
    if (c == '[' || c == '{') {
        if (member != NULL)
            member->type = c == '[' ? AG_JSON_ARRAY : AG_JSON_OBJECT;
        return c == '[' ? parse_array(r, depth) : parse_object(r, depth, false, NULL);
    }
    if (c == '\0')
        return fail(r, r->p, "premature end of input");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return scan_literal(r, member);
    return fail(r, r->p, "value expected");
}

/* ------------------------------------------------------------------- API */

ag_json_status ag_json_read(ag_arena *arena, const char *text, ag_json_document *document,
                            ag_json_error *error)
{
    reader r;
    r.start = (const unsigned char *)text;
    r.p = r.start;
    r.arena = arena;
    r.keys = r.inline_keys;
    r.key_count = 0;
    r.key_capacity = INLINE_KEYS;
    r.members = r.inline_members;
    r.member_count = 0;
    r.member_capacity = INLINE_MEMBERS;
    r.error = error;
    r.status = AG_JSON_OK;
    *document = (ag_json_document){false, NULL, 0};

    skip_whitespace(&r);
    bool object = *r.p == '{';
    bool parsed;
    const ag_json_member *members = NULL;
    if (object)
        parsed = parse_object(&r, 1, true, &members);
    else if (*r.p == '[')
        parsed = parse_array(&r, 1);
    else
        parsed = fail(&r, r.p, "'[' or '{' expected");
    if (parsed) {
        skip_whitespace(&r);
        if (*r.p != '\0')
            parsed = fail(&r, r.p, "end of file expected");
    }
    if (!parsed)
        return r.status;

    *document = (ag_json_document){object, members, r.member_count};
    return AG_JSON_OK;
}

/* Copies a jansson value into *member, the string into the arena. */
static bool convert_member(ag_arena *arena, json_t *value, ag_json_member *member)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        member->type = AG_JSON_OBJECT;
        return true;
    case JSON_ARRAY:
        member->type = AG_JSON_ARRAY;
        return true;
    case JSON_STRING:
        member->type = AG_JSON_STRING;
        member->string_length = json_string_length(value);
        member->string = ag_arena_strndup(arena, json_string_value(value),
                                          member->string_length);
        return member->string != NULL;
    case JSON_INTEGER:
        member->type = AG_JSON_INTEGER;
        member->integer = json_integer_value(value);
        return true;
    case JSON_REAL:
        member->type = AG_JSON_REAL;
        member->real = json_real_value(value);
        return true;
    case JSON_TRUE:
        member->type = AG_JSON_TRUE;
        return true;
    case JSON_FALSE:
        member->type = AG_JSON_FALSE;
        return true;
    case JSON_NULL:
        break;
    }
    member->type = AG_JSON_NULL;
    return true;
}

/* Lists the members of jansson's top-level object, sorted by name. */
static ag_json_status convert_object(ag_arena *arena, json_t *root, ag_json_document *document)
{
    size_t count = json_object_size(root);
    reader r = {0};
    r.arena = arena;
    r.members = ag_arena_alloc(arena, (count + 1) * sizeof(*r.members));
    r.keys = ag_arena_alloc(arena, (count + 1) * sizeof(*r.keys));
    if (r.members == NULL || r.keys == NULL)
        return AG_JSON_NOMEM;

    const char *name;
    json_t *value;
    json_object_foreach(root, name, value) {
        ag_json_member *member = &r.members[r.member_count];
        *member = (ag_json_member){0};
        member->name_length = strlen(name);
        member->name = ag_arena_strndup(arena, name, member->name_length);
        if (member->name == NULL || !convert_member(arena, value, member))
            return AG_JSON_NOMEM;
        r.keys[r.member_count] = (key_ref){member->name, member->name_length, r.member_count,
                                           NULL};
        r.member_count++;
    }
    sort_keys(r.keys, count);
    const ag_json_member *sorted = sorted_members(&r, r.keys, count);
    if (sorted == NULL && count > 0)
        return AG_JSON_NOMEM;
    *document = (ag_json_document){true, sorted, count};
    return AG_JSON_OK;
}

/*
 * Parses with jansson as the check did before ag_json_read() existed: an
 * integer beyond 64 bits is valid JSON that jansson rejects, so an overflow
 * makes it read every integer as a real (lib/eval/forms.c makes param rules
 * "could match" such a value).
 */
static ag_json_status parse_with_jansson(ag_arena *arena, const char *text,
                                         ag_json_document *document, ag_json_error *error)
{
    json_error_t json_error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &json_error);
    if (root == NULL && json_error_code(&json_error) == json_error_numeric_overflow)
        root = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &json_error);
    if (root == NULL) {
        if (json_error_code(&json_error) == json_error_out_of_memory)
            return AG_JSON_NOMEM;
        if (error != NULL) {
            snprintf(error->text, sizeof(error->text), "%s", json_error.text);
            error->line = json_error.line;
            error->column = json_error.column;
        }
        return AG_JSON_INVALID;
    }

    ag_json_status status = AG_JSON_OK;
    if (json_is_object(root))
        status = convert_object(arena, root, document);
    json_decref(root);
    return status;
}

ag_json_status ag_json_parse(ag_arena *arena, const char *text, ag_json_document *document,
                             ag_json_error *error)
{
    ag_json_status status = ag_json_read(arena, text, document, error);
    if (status != AG_JSON_FALLBACK)
        return status;
    *document = (ag_json_document){false, NULL, 0};
    return parse_with_jansson(arena, text, document, error);
}

const ag_json_member *ag_json_get(const ag_json_document *document, const char *name)
{
    key_ref key = {name, strlen(name), 0, NULL};
    size_t low = 0;
    size_t high = document->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const ag_json_member *member = &document->members[middle];
        key_ref candidate = {member->name, member->name_length, 0, NULL};
        int order = compare_keys(&candidate, &key);
        if (order == 0)
            return member;
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

const char *ag_json_get_string(const ag_json_document *document, const char *name,
                               size_t *length)
{
    const ag_json_member *member = ag_json_get(document, name);
    if (member == NULL || member->type != AG_JSON_STRING)
        return NULL;
    if (length != NULL)
        *length = member->string_length;
    return member->string;
}
