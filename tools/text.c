/*
 * Text helpers: UTF-8 validation, readable escaping for plain output, and
 * JSON strings from bytes that may not be valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The byte the library puts in a word for each part only known at run time. */
#define DYNAMIC_BYTE 0x01

/* U+FFFD REPLACEMENT CHARACTER, which replaces each invalid byte in JSON strings. */
static const char replacement_character[] = "\xef\xbf\xbd";

/*
 * Returns the length of the valid UTF-8 sequence (RFC 3629) at the start of
 * `text`, or 0 when it is invalid: a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate or a code point above U+10FFFF.
 */
size_t cli_utf8_sequence_length(const unsigned char *text, size_t length)
{
    if (length == 0) {
        return 0;
    }

    unsigned char lead = text[0];
    if (lead < 0x80) {
        return 1;
    }

    size_t needed;
    uint32_t minimum;
    uint32_t code_point;
    if (lead >= 0xc2 && lead <= 0xdf) {
        needed = 2, minimum = 0x80, code_point = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        needed = 3, minimum = 0x800, code_point = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        needed = 4, minimum = 0x10000, code_point = lead & 0x07;
    } else {
        return 0;
    }

    if (length < needed) {
        return 0;
    }
    for (size_t i = 1; i < needed; i++) {
        if ((text[i] & 0xc0) != 0x80) {
            return 0;
        }
        code_point = (code_point << 6) | (text[i] & 0x3f);
    }

    if (code_point < minimum || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
        return 0;
    }
    return needed;
}

/* Decodes a sequence that cli_utf8_sequence_length() accepted. */
static uint32_t decode_utf8(const unsigned char *text, size_t sequence_length)
{
    static const unsigned char lead_masks[] = {0, 0x7f, 0x1f, 0x0f, 0x07};

    uint32_t code_point = text[0] & lead_masks[sequence_length];
    for (size_t i = 1; i < sequence_length; i++) {
        code_point = (code_point << 6) | (text[i] & 0x3f);
    }
    return code_point;
}

/*
 * Returns whether a code point would mislead a reader of a terminal: C1 controls,
 * zero-width characters, and the bidirectional overrides and isolates that can
 * make text display in another order than it runs.
 */
static bool is_invisible_or_reordering(uint32_t code_point)
{
    return (code_point >= 0x80 && code_point <= 0x9f) ||
           (code_point >= 0x200b && code_point <= 0x200f) ||
           (code_point >= 0x202a && code_point <= 0x202e) ||
           (code_point >= 0x2066 && code_point <= 0x2069) ||
           code_point == 0xfeff;
}

static void print_ascii_escaped(FILE *stream, unsigned char byte)
{
    switch (byte) {
    case '\n':
        fputs("\\n", stream);
        return;
    case '\t':
        fputs("\\t", stream);
        return;
    case '\r':
        fputs("\\r", stream);
        return;
    default:
        break;
    }

    if (byte < 0x20 || byte == 0x7f) {
        fprintf(stream, "\\x%02x", byte);
        return;
    }
    fputc(byte, stream);
}

/*
 * Prints `length` bytes so a reader sees exactly what they are: the dynamic
 * byte as CLI_DYNAMIC_MARKER, control bytes and invalid UTF-8 as \xNN (or \n,
 * \t, \r), and invisible or reordering characters as \u{XXXX}.
 */
void cli_print_escaped(FILE *stream, const char *text, size_t length)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t i = 0;

    while (i < length) {
        if (bytes[i] == DYNAMIC_BYTE) {
            fputs(CLI_DYNAMIC_MARKER, stream);
            i++;
            continue;
        }
        if (bytes[i] < 0x80) {
            print_ascii_escaped(stream, bytes[i]);
            i++;
            continue;
        }

        size_t sequence_length = cli_utf8_sequence_length(bytes + i, length - i);
        if (sequence_length == 0) {
            fprintf(stream, "\\x%02x", bytes[i]);
            i++;
            continue;
        }

        uint32_t code_point = decode_utf8(bytes + i, sequence_length);
        if (is_invisible_or_reordering(code_point)) {
            fprintf(stream, "\\u{%04x}", (unsigned)code_point);
        } else {
            fwrite(bytes + i, 1, sequence_length, stream);
        }
        i += sequence_length;
    }
}

/*
 * Prints one word of a command, in single quotes when it is empty or contains
 * blanks or quotes, so the reader can tell where words begin and end.
 */
void cli_print_word(FILE *stream, const char *word)
{
    size_t length = strlen(word);
    bool quote = length == 0 || strpbrk(word, " \t\n'\"") != NULL;

    if (!quote) {
        cli_print_escaped(stream, word, length);
        return;
    }

    fputc('\'', stream);
    const char *start = word;
    const char *apostrophe;
    while ((apostrophe = strchr(start, '\'')) != NULL) {
        cli_print_escaped(stream, start, (size_t)(apostrophe - start));
        fputs("'\\''", stream);
        start = apostrophe + 1;
    }
    cli_print_escaped(stream, start, strlen(start));
    fputc('\'', stream);
}

/*
 * Parses `length` bytes of JSON text with jansson's `flags`. An integer
 * beyond 64 bits is valid JSON (RFC 8259 sets no limit) that jansson rejects,
 * so such text is parsed again with every integer read as a real.
 */
json_t *cli_json_load(const char *text, size_t length, size_t flags, json_error_t *error)
{
    json_t *value = json_loadb(text, length, flags, error);
    if (value == NULL && json_error_code(error) == json_error_numeric_overflow) {
        value = json_loadb(text, length, flags | JSON_DECODE_INT_AS_REAL, error);
    }
    return value;
}

/*
 * Returns the problem of a failed cli_json_load() in words a user can act
 * on. jansson names its JSON_ALLOW_NUL flag for a \u0000 escape, which no
 * caller of this tool can set.
 */
const char *cli_json_error_text(const json_error_t *error)
{
    if (json_error_code(error) == json_error_null_character) {
        return "a string contains a NUL character (\\u0000), which no tool input may hold";
    }
    return error->text;
}

/*
 * Returns a JSON string of `length` bytes, with U+FFFD in place of each byte
 * that is not part of a valid UTF-8 sequence (jansson accepts only valid
 * UTF-8), or NULL when out of memory.
 */
json_t *cli_json_string(const char *text, size_t length)
{
    const unsigned char *bytes = (const unsigned char *)text;

    if (length > (SIZE_MAX - 1) / 3) {
        return NULL;
    }
    char *valid = malloc(length * 3 + 1);
    if (valid == NULL) {
        return NULL;
    }

    size_t out = 0;
    size_t i = 0;
    while (i < length) {
        size_t sequence_length = cli_utf8_sequence_length(bytes + i, length - i);
        if (sequence_length == 0) {
            memcpy(valid + out, replacement_character, 3);
            out += 3;
            i++;
            continue;
        }
        memcpy(valid + out, bytes + i, sequence_length);
        out += sequence_length;
        i += sequence_length;
    }

    json_t *string = json_stringn(valid, out);
    free(valid);
    return string;
}

/*
 * Returns a JSON string of a path with CLI_DYNAMIC_MARKER in place of each
 * part only known at run time, as plain output shows it, or NULL when out of
 * memory. A path has no "dynamic" flag as a command's words do, so the byte
 * 0x01 would be the only sign of such a part.
 */
json_t *cli_json_path(const char *path)
{
    if (path == NULL) {
        return json_null();
    }

    size_t marker_length = strlen(CLI_DYNAMIC_MARKER);
    size_t length = strlen(path);
    if (length > (SIZE_MAX - 1) / marker_length) {
        return NULL;
    }
    char *shown = malloc(length * marker_length + 1);
    if (shown == NULL) {
        return NULL;
    }

    size_t out = 0;
    for (size_t i = 0; i < length; i++) {
        if (path[i] == DYNAMIC_BYTE) {
            memcpy(shown + out, CLI_DYNAMIC_MARKER, marker_length);
            out += marker_length;
        } else {
            shown[out++] = path[i];
        }
    }

    json_t *string = cli_json_string(shown, out);
    free(shown);
    return string;
}

/* Returns a JSON string of `text`, or JSON null when `text` is NULL. */
json_t *cli_json_string_or_null(const char *text)
{
    if (text == NULL) {
        return json_null();
    }
    return cli_json_string(text, strlen(text));
}
