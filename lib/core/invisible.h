/*
 * Characters that a reader of a policy cannot see or cannot tell from a
 * space: non-ASCII spaces (U+00A0, U+2003), zero-width characters (U+200B,
 * U+FEFF), format and other invisible characters. A key or rule that contains
 * one looks right in an editor but never equals the key or matches the
 * command that it looks like.
 */
#ifndef AG_CORE_INVISIBLE_H
#define AG_CORE_INVISIBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/common.h"

/* The first invisible or space-like character of a text. */
typedef struct ag_invisible {
    uint32_t code_point;
    size_t offset;    /* its first byte in the text */
} ag_invisible;

/*
 * Returns the length in bytes of the invisible or space-like character at
 * text[0] and stores its code point, or returns 0 when none starts there.
 */
size_t ag_invisible_at(const char *text, size_t length, uint32_t *code_point);

/*
 * Finds the first invisible or space-like non-ASCII character in the UTF-8
 * `text`. Stores it in *found and returns true, or returns false when there is
 * none. Bytes that are not valid UTF-8 are skipped.
 */
bool ag_invisible_find(const char *text, size_t length, ag_invisible *found);

/*
 * Appends `text` to `out` without its invisible and space-like non-ASCII
 * characters, so that "\u200Bdeny" can be compared with "deny".
 */
void ag_invisible_strip(ag_buffer *out, const char *text, size_t length);

/*
 * Appends `text` to `out` with each invisible or space-like non-ASCII
 * character written as \uXXXX (\UXXXXXXXX above U+FFFF), and control bytes as
 * \xHH, so that a message shows what the editor hides.
 */
void ag_invisible_escape(ag_buffer *out, const char *text, size_t length);

#endif
