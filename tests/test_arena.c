/*
 * The arena: allocations are aligned and never overlap, a reset reuses the
 * blocks, and ag_arena_printf's own formatter for the common conversions and
 * its vsnprintf fallback must both give exactly what snprintf gives. The
 * byte buffer keeps every byte appended, NUL-terminated, as it grows.
 */
#include <limits.h>
#include <stdalign.h>
#include <stdbool.h>
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

static bool is_aligned(const void *pointer)
{
    return (uintptr_t)pointer % alignof(max_align_t) == 0;
}

static void test_allocations_aligned_apart(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    /* Sizes around the block size make the arena start new blocks. */
    char *previous = NULL;
    size_t previous_size = 0;
    for (size_t size = 0; size < 40000; size = size * 3 + 1) {
        char *block = ag_arena_alloc(&arena, size);
        assert_non_null(block);
        assert_true(is_aligned(block));
        memset(block, 0xab, size);
        if (previous != NULL)
            assert_true(block >= previous + previous_size || block + size <= previous);
        previous = block;
        previous_size = size;
    }

    char *empty = ag_arena_alloc(&arena, 0);
    char *next = ag_arena_alloc(&arena, 1);
    assert_non_null(empty);
    assert_non_null(next);
    assert_ptr_not_equal(empty, next);
    assert_false(arena.failed);

    ag_arena_release(&arena);
}

static void test_reset_reuses_blocks(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    /* Three 10,000-byte allocations need three blocks of the default size. */
    char *first[3];
    for (size_t i = 0; i < 3; i++)
        first[i] = ag_arena_alloc(&arena, 10000);
    ag_arena_reset(&arena);
    for (size_t i = 0; i < 3; i++)
        assert_ptr_equal(ag_arena_alloc(&arena, 10000), first[i]);

    ag_arena_release(&arena);
}

static void test_oversized_allocation_fails(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    assert_non_null(ag_arena_alloc(&arena, 8));
    assert_null(ag_arena_alloc(&arena, SIZE_MAX));
    assert_true(arena.failed);
    assert_null(ag_arena_alloc(&arena, SIZE_MAX - 8));

    ag_arena_reset(&arena);
    assert_false(arena.failed);
    assert_non_null(ag_arena_alloc(&arena, 8));

    ag_arena_release(&arena);
}

static void test_printf_at_block_end(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    /* Fill the first block up to a few bytes, so the text is written into a new one. */
    for (size_t i = 0; i < 16384 / 64 - 1; i++)
        assert_non_null(ag_arena_alloc(&arena, 64));
    assert_non_null(ag_arena_alloc(&arena, 32));
    EXPECT_SAME(&arena, "%s and %s, %u times", "a text longer than the space left", "more", 3u);
    EXPECT_SAME(&arena, "%s", "short");

    ag_arena_release(&arena);
}

static void test_buffer_grows_exactly(void **state)
{
    (void)state;
    ag_buffer buffer;
    ag_buffer_init(&buffer);

    assert_true(ag_buffer_append(&buffer, NULL, 0));
    assert_non_null(buffer.data);
    assert_int_equal(buffer.length, 0);
    assert_string_equal(buffer.data, "");

    /* Bytes and runs of growing length cross the buffer's capacity many times. */
    char expected[8192];
    size_t length = 0;
    for (size_t run = 1; length + run + 1 < sizeof(expected); run++) {
        char chunk[128];
        for (size_t i = 0; i < run % sizeof(chunk); i++)
            chunk[i] = (char)('a' + (length + i) % 26);
        assert_true(ag_buffer_append(&buffer, chunk, run % sizeof(chunk)));
        memcpy(expected + length, chunk, run % sizeof(chunk));
        length += run % sizeof(chunk);

        assert_true(ag_buffer_append_char(&buffer, '|'));
        expected[length++] = '|';
        expected[length] = '\0';
        assert_int_equal(buffer.length, length);
        assert_true(buffer.length < buffer.capacity);
        assert_string_equal(buffer.data, expected);
    }

    ag_buffer_release(&buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_conversions),
        cmocka_unit_test(test_precision_reads_no_further),
        cmocka_unit_test(test_fallback_conversions),
        cmocka_unit_test(test_allocations_aligned_apart),
        cmocka_unit_test(test_reset_reuses_blocks),
        cmocka_unit_test(test_oversized_allocation_fails),
        cmocka_unit_test(test_printf_at_block_end),
        cmocka_unit_test(test_buffer_grows_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
