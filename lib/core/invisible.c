/*
 * Invisible and space-like characters, which policy keys and rules are
 * checked for and error and warning messages escape. The list
 * has the characters outside ASCII that Unicode gives the White_Space or
 * Default_Ignorable_Code_Point property, and every format character (general
 * category Cf). It adds the C1 controls and the Braille pattern blank, which
 * editors also show as blank or not at all.
 *
 * Some format characters, such as the Arabic number signs U+0600..U+0605,
 * have a glyph in some fonts, but what an editor shows for them depends on
 * the font and the text around them, so a reviewer cannot rely on seeing
 * them. The Cf set is that of Unicode 15.0 (ICU 72). A Cf character that a
 * later Unicode version adds loads as a visible one until it is added here.
 */
#include "core/invisible.h"

/* An inclusive range of code points. */
typedef struct code_point_range {
    uint32_t first, last;
} code_point_range;

static const code_point_range invisible_ranges[] = {
    {0x0080, 0x00A0},      /* C1 controls, no-break space */
    {0x00AD, 0x00AD},      /* soft hyphen */
    {0x034F, 0x034F},      /* combining grapheme joiner */
    {0x0600, 0x0605},      /* Arabic number signs and other prepended concatenation marks */
    {0x061C, 0x061C},      /* Arabic letter mark */
    {0x06DD, 0x06DD},      /* Arabic end of ayah */
    {0x070F, 0x070F},      /* Syriac abbreviation mark */
    {0x0890, 0x0891},      /* Arabic pound and piastre marks above */
    {0x08E2, 0x08E2},      /* Arabic disputed end of ayah */
    {0x115F, 0x1160},      /* Hangul fillers */
    {0x1680, 0x1680},      /* Ogham space mark */
    {0x17B4, 0x17B5},      /* Khmer inherent vowels */
    {0x180B, 0x180F},      /* Mongolian variation selectors and vowel separator */
    {0x2000, 0x200F},      /* spaces of set widths, zero-width characters, direction marks */
    {0x2028, 0x202F},      /* line and paragraph separators, embeddings, narrow no-break space */
    {0x205F, 0x206F},      /* medium mathematical space, word joiner, invisible operators */
    {0x2800, 0x2800},      /* Braille pattern blank */
    {0x3000, 0x3000},      /* ideographic space */
    {0x3164, 0x3164},      /* Hangul filler */
    {0xFE00, 0xFE0F},      /* variation selectors */
    {0xFEFF, 0xFEFF},      /* zero-width no-break space, the byte order mark */
    {0xFFA0, 0xFFA0},      /* halfwidth Hangul filler */
    {0xFFF0, 0xFFFB},      /* unassigned specials, interlinear annotation characters */
    {0x110BD, 0x110BD},    /* Kaithi number sign */
    {0x110CD, 0x110CD},    /* Kaithi number sign above */
    {0x13430, 0x1343F},    /* Egyptian hieroglyph format controls */
    {0x1BCA0, 0x1BCA3},    /* shorthand format controls */
    {0x1D173, 0x1D17A},    /* musical symbol format characters */
    {0xE0000, 0xE0FFF},    /* tags and variation selectors supplement */
};

/*
 * Binary search, which needs invisible_ranges sorted and without overlaps.
 * It runs for every non-ASCII character of every rule and key at load.
 */
static bool is_invisible(uint32_t code_point)
{
    size_t low = 0;
    size_t high = sizeof(invisible_ranges) / sizeof(*invisible_ranges);
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (code_point < invisible_ranges[middle].first)
            high = middle;
        else if (code_point > invisible_ranges[middle].last)
            low = middle + 1;
        else
            return true;
    }
    return false;
}

/*
 * Decodes the UTF-8 sequence at text[0] and returns its length in bytes, or 0
 * when it is ASCII or not valid UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF included).
 */
static size_t decode(const unsigned char *text, size_t length, uint32_t *code_point)
{
    unsigned char lead = text[0];
    size_t size = 0;
    if (lead >= 0xF0)
        size = 4;
    else if (lead >= 0xE0)
        size = 3;
    else if (lead >= 0xC2)
        size = 2;
    if (size == 0 || lead > 0xF4 || size > length)
        return 0;

    uint32_t value = lead & (0xFF >> (size + 1));
    for (size_t i = 1; i < size; i++) {
        if ((text[i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (text[i] & 0x3F);
    }
    static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < smallest[size] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *code_point = value;
    return size;
}

size_t ag_invisible_at(const char *text, size_t length, uint32_t *code_point)
{
    size_t size = decode((const unsigned char *)text, length, code_point);
    return size > 0 && is_invisible(*code_point) ? size : 0;
}

bool ag_invisible_find(const char *text, size_t length, ag_invisible *found)
{
    for (size_t i = 0; i < length; i++) {
        uint32_t code_point;
        if (ag_invisible_at(text + i, length - i, &code_point) > 0) {
            found->code_point = code_point;
            found->offset = i;
            return true;
        }
    }
    return false;
}

void ag_invisible_strip(ag_buffer *out, const char *text, size_t length)
{
    ag_buffer_append(out, "", 0);
    for (size_t i = 0; i < length; i++) {
        uint32_t code_point;
        size_t size = ag_invisible_at(text + i, length - i, &code_point);
        if (size > 0)
            i += size - 1;
        else
            ag_buffer_append_char(out, text[i]);
    }
}

void ag_invisible_escape(ag_buffer *out, const char *text, size_t length)
{
    ag_buffer_append(out, "", 0);
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        uint32_t code_point;
        size_t size = ag_invisible_at(text + i, length - i, &code_point);
        if (size > 0) {
            ag_buffer_printf(out, code_point > 0xFFFF ? "\\U%08X" : "\\u%04X",
                             (unsigned)code_point);
            i += size - 1;
        } else if (c < 0x20 || c == 0x7F) {
            ag_buffer_printf(out, "\\x%02X", c);
        } else {
            ag_buffer_append_char(out, (char)c);
        }
    }
}
