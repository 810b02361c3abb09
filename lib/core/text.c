/*
 * Text helpers for messages: the edit distance behind "did you mean"
 * suggestions for misspelt keys and tool names.
 */
#include <ctype.h>

#include "core/common.h"

size_t ag_edit_distance(const char *a, const char *b, size_t max)
{
    size_t a_length = strlen(a), b_length = strlen(b);
    size_t row[64];
    if (b_length >= sizeof(row) / sizeof(*row) || a_length > b_length + max
        || b_length > a_length + max)
        return max + 1;

    for (size_t j = 0; j <= b_length; j++)
        row[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b_length; j++) {
            size_t above = row[j];
            bool same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + (same ? 0 : 1);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[b_length];
}
