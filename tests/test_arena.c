/*
 * ag_arena_printf: its own formatter for the common conversions and the
 * vsnprintf fallback must both give exactly what snprintf gives.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/common.h"

/* Formats with both functions and compares; the macro keeps the format a literal. */
#define EXPECT_SAME(arena, ...)                                            \
    do {                                                                   \
        char expected[256];                                                \
        snprintf(expected, sizeof(expected), __VA_ARGS__);                 \
        char *actual = ag_arena_printf(arena, __VA_ARGS__);                \
        assert_non_null(actual);                                           \
        assert_string_equal(actual, expected);                             \
    } while (0)

static void test_simple_conversions(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    EXPECT_SAME(&arena, "%s", "");
    EXPECT_SAME(&arena, "plain text, no conversion");
    EXPECT_SAME(&arena, "100%% of %s", "it");
    EXPECT_SAME(&arena, "the write to %s touches %s (%s)", "'a b'", ".git", "rule 3");
    EXPECT_SAME(&arena, "%u|%u|%u", 0u, 7u, UINT_MAX);
    EXPECT_SAME(&arena, "%d|%d|%d|%d", 0, -5, INT_MAX, INT_MIN);
    EXPECT_SAME(&arena, "%zu|%zu", (size_t)0, SIZE_MAX);
    EXPECT_SAME(&arena, "%llu|%llu", 42ull, ULLONG_MAX);
    EXPECT_SAME(&arena, "[%c%c]", 'x', '"');
    EXPECT_SAME(&arena, "%.*s/.git", 3, "abcdef");
    EXPECT_SAME(&arena, "%.*s|%.*s", 0, "abc", 10, "abc");
    EXPECT_SAME(&arena, "%.*s", -1, "negative precision prints all");

    ag_arena_release(&arena);
}

static void test_precision_reads_no_further(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    /* No NUL in the buffer: only the first 3 bytes may be read. */
    const char unterminated[3] = {'a', 'b', 'c'};
    char *text = ag_arena_printf(&arena, "%.*s!", 3, unterminated);
    assert_non_null(text);
    assert_string_equal(text, "abc!");

    ag_arena_release(&arena);
}

static void test_fallback_conversions(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    EXPECT_SAME(&arena, "%.17g", 0.1);
    EXPECT_SAME(&arena, "%5s|%-4u|%x", "ab", 3u, 255u);
    EXPECT_SAME(&arena, "%s then %.17g", "text", 2.5);
    EXPECT_SAME(&arena, "%ld", -12L);

    ag_arena_release(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_conversions),
        cmocka_unit_test(test_precision_reads_no_further),
        cmocka_unit_test(test_fallback_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
