/*
 * The tool-input JSON reader (lib/core/json.c): every form it accepts, every
 * class of input it rejects as jansson does, the numbers it leaves to
 * jansson, duplicate keys at any depth, the depth limit and big inputs.
 * fuzz/fuzz_json.c compares it with jansson on arbitrary input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/json.h"

static ag_arena arena;

static int setup(void **state)
{
    (void)state;
    ag_arena_init(&arena);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ag_arena_release(&arena);
    return 0;
}

static ag_json_status read_text(const char *text, ag_json_document *document,
                                ag_json_error *error)
{
    ag_arena_reset(&arena);
    return ag_json_read(&arena, text, document, error);
}

/* Asserts that the reader accepts `text` and returns the document. */
static ag_json_document accept(const char *text)
{
    ag_json_document document;
    ag_json_error error = {{0}, 0, 0};
    ag_json_status status = read_text(text, &document, &error);
    if (status != AG_JSON_OK)
        fail_msg("rejected %.60s: %s at line %d, column %d", text, error.text, error.line,
                 error.column);
    return document;
}

/* Asserts that the reader rejects `text` itself, with a message and a position. */
static ag_json_error reject(const char *text)
{
    ag_json_document document;
    ag_json_error error = {{0}, 0, 0};
    ag_json_status status = read_text(text, &document, &error);
    if (status != AG_JSON_INVALID)
        fail_msg("status %d, not AG_JSON_INVALID, for %.60s", (int)status, text);
    assert_true(error.text[0] != '\0');
    assert_true(error.line >= 1);
    assert_true(error.column >= 1);
    return error;
}

static void reject_each(const char *const *inputs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        reject(inputs[i]);
}

#define REJECT_EACH(inputs) reject_each(inputs, sizeof(inputs) / sizeof(*(inputs)))

static const ag_json_member *member(const ag_json_document *document, const char *name)
{
    const ag_json_member *found = ag_json_get(document, name);
    if (found == NULL)
        fail_msg("no member \"%s\"", name);
    return found;
}

static char *repeat_around(size_t count, const char *open, const char *inner, const char *close)
{
    size_t size = count * (strlen(open) + strlen(close)) + strlen(inner) + 1;
    char *text = malloc(size);
    assert_non_null(text);
    text[0] = '\0';
    for (size_t i = 0; i < count; i++)
        strcat(text, open);
    strcat(text, inner);
    for (size_t i = 0; i < count; i++)
        strcat(text, close);
    return text;
}

static void test_accepts_scalar_members(void **state)
{
    (void)state;
    ag_json_document document = accept(
        " \t\r\n{ \"s\" : \"text\", \"t\":true,\"f\":false,\"n\":null,\"zero\":0,"
        "\"negative_zero\":-0,\"max\":9223372036854775807,"
        "\"min\":-9223372036854775808,\"a\":[1,{\"x\":[]}],\"o\":{}} \n");

    assert_true(document.is_object);
    assert_int_equal(document.count, 10);
    assert_int_equal(member(&document, "s")->type, AG_JSON_STRING);
    assert_string_equal(member(&document, "s")->string, "text");
    assert_int_equal(member(&document, "s")->string_length, 4);
    assert_int_equal(member(&document, "t")->type, AG_JSON_TRUE);
    assert_int_equal(member(&document, "f")->type, AG_JSON_FALSE);
    assert_int_equal(member(&document, "n")->type, AG_JSON_NULL);
    assert_int_equal(member(&document, "zero")->type, AG_JSON_INTEGER);
    assert_int_equal(member(&document, "zero")->integer, 0);
    assert_int_equal(member(&document, "negative_zero")->integer, 0);
    assert_true(member(&document, "max")->integer == INT64_MAX);
    assert_true(member(&document, "min")->integer == INT64_MIN);
    assert_int_equal(member(&document, "a")->type, AG_JSON_ARRAY);
    assert_int_equal(member(&document, "o")->type, AG_JSON_OBJECT);
    assert_null(ag_json_get(&document, "absent"));
    assert_null(ag_json_get(&document, "S"));
}

static void test_members_sorted_by_name(void **state)
{
    (void)state;
    ag_json_document document = accept("{\"b\":1,\"ab\":2,\"a\":3,\"\":4}");

    assert_int_equal(document.count, 4);
    assert_string_equal(document.members[0].name, "");
    assert_string_equal(document.members[1].name, "a");
    assert_string_equal(document.members[2].name, "ab");
    assert_string_equal(document.members[3].name, "b");
    assert_int_equal(member(&document, "")->integer, 4);
    assert_int_equal(member(&document, "ab")->integer, 2);
}

static void test_get_string(void **state)
{
    (void)state;
    ag_json_document document = accept("{\"s\":\"abc\",\"n\":1}");
    size_t length = 0;

    assert_string_equal(ag_json_get_string(&document, "s", &length), "abc");
    assert_int_equal(length, 3);
    assert_null(ag_json_get_string(&document, "n", &length));
    assert_null(ag_json_get_string(&document, "absent", NULL));
}

static void test_top_level_array(void **state)
{
    (void)state;
    ag_json_document document = accept("[1, \"a\", {\"k\": [true]}]");

    assert_false(document.is_object);
    assert_int_equal(document.count, 0);
    assert_false(accept("[]").is_object);
    assert_true(accept("{}").is_object);
}

static void test_decodes_escapes(void **state)
{
    (void)state;
    ag_json_document document = accept(
        "{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"u\":\"\\u0041\\u00e9\\u20AC\\uFFFF\","
        "\"pair\":\"\\ud83d\\ude00\",\"max\":\"\\uDBFF\\uDFFF\",\"\\u006b\":1}");

    assert_string_equal(member(&document, "e")->string, "\"\\/\b\f\n\r\t");
    assert_string_equal(member(&document, "u")->string, "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
    assert_string_equal(member(&document, "pair")->string, "\xf0\x9f\x98\x80");
    assert_string_equal(member(&document, "max")->string, "\xf4\x8f\xbf\xbf");
    assert_int_equal(member(&document, "k")->integer, 1);
}

static void test_accepts_raw_utf8(void **state)
{
    (void)state;
    ag_json_document document = accept(
        "{\"s\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
        "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f\"}");

    assert_int_equal(member(&document, "s")->string_length, 25);
    assert_memory_equal(member(&document, "s")->string,
                        "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
                        "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f", 25);
}

static void test_rejects_grammar_errors(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "", " ", "\"top\"", "1", "true", "null", "{", "[", "{\"a\"}", "{\"a\" 1}", "{\"a\":}",
        "{\"a\":1,}", "[1,]", "[,1]", "{,}", "{1:2}", "{a:1}", "{'a':1}", "[1 2]", "[1,,2]",
        "{\"a\":1}}", "{\"a\":1} x", "{} {}", "[]]", "[tru]", "[truex]", "[True]", "[nul]",
        "[undefined]", "[NaN]", "[Infinity]", "{\"a\":1\x0b}", "\xef\xbb\xbf{}", "{\"a\":1}\f",
        "[\"a\"\"b\"]", "/* c */ {}", "{} // c",
    };
    REJECT_EACH(inputs);
}

static void test_rejects_invalid_numbers(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[01]", "[-01]", "[00]", "[+1]", "[-]", "[- 1]", "[0x10]", "[1-2]", "[--1]", "[1a]",
    };
    REJECT_EACH(inputs);
}

static void test_rejects_string_errors(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[\"a]", "[\"a\\\"]", "[\"\x01\"]", "[\"\x1f\"]", "[\"\n\"]", "[\"\t\"]",
        "[\"\\a\"]", "[\"\\x41\"]", "[\"\\'\"]", "[\"\\U0041\"]", "[\"\\u12\"]",
        "[\"\\u12G4\"]", "[\"\\u\"]", "[\"\\\"]",
        "[\"\\u0000\"]", "{\"\\u0000\":1}", "{\"a\\u0000b\":1}",
    };
    REJECT_EACH(inputs);
}

static void test_rejects_lone_surrogates(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[\"\\ud800\"]", "[\"\\udbff\"]", "[\"\\udc00\"]", "[\"\\udfff\"]",
        "[\"\\ud800x\"]", "[\"\\ud800\\n\"]", "[\"\\ud800\\u0041\"]", "[\"\\ud800\\ud800\"]",
        "[\"\\udc00\\ud800\"]", "[\"\\ud800\\u00\"]", "{\"\\ud800\":1}",
    };
    REJECT_EACH(inputs);
}

static void test_rejects_invalid_utf8(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[\"\x80\"]",                 /* a continuation byte alone */
        "[\"\xbf\"]",
        "[\"\xc0\x80\"]",             /* overlong NUL */
        "[\"\xc1\xbf\"]",             /* overlong U+007F */
        "[\"\xe0\x80\x80\"]",         /* overlong in three bytes */
        "[\"\xe0\x9f\xbf\"]",
        "[\"\xf0\x80\x80\x80\"]",     /* overlong in four bytes */
        "[\"\xf0\x8f\xbf\xbf\"]",
        "[\"\xed\xa0\x80\"]",         /* U+D800 encoded in UTF-8 */
        "[\"\xed\xbf\xbf\"]",         /* U+DFFF */
        "[\"\xf4\x90\x80\x80\"]",     /* U+110000 */
        "[\"\xf5\x80\x80\x80\"]",
        "[\"\xff\"]",
        "[\"\xfe\"]",
        "[\"\xc3\"]",                 /* truncated before the quote */
        "[\"\xe2\x82\"]",
        "[\"\xf0\x9f\x98\"]",
        "[\"\xc3",                    /* truncated at the end of the input */
        "[\"\xc3\x41\"]",             /* an ASCII byte in place of a continuation */
        "{\"\xc0\xaf\":1}",           /* in a key */
        "[\xc3\xa9]",                 /* valid UTF-8 outside a string */
    };
    REJECT_EACH(inputs);
}

static void test_rejects_duplicate_keys(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"\\u00e9\":1,\"\xc3\xa9\":2}",
        "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
        "{\"\\/\":1,\"/\":2}",
        "{\"x\":{\"a\":1,\"a\":2}}",
        "[{\"a\":1,\"a\":1}]",
        "[[[{\"k\":{\"b\":[{\"c\":1,\"c\":2}]}}]]]",
        "{\"a\":{\"b\":1},\"a\":{\"b\":1}}",
    };
    REJECT_EACH(inputs);

    /* The same key in different objects, and keys that only share a prefix, are fine. */
    accept("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}");
    accept("{\"a\":1,\"ab\":2,\"abc\":3,\"b\":{\"ab\":1,\"a\":2}}");
}

static void test_leaves_reals_to_jansson(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "{\"r\":1.5}", "[0.0]", "[1e5]", "[1E+5]", "[1e-5]", "[-0.0]", "[1.]", "[1e]",
        "[9223372036854775808]", "[-9223372036854775809]", "[18446744073709551616]",
        "[100000000000000000000000000000000000]",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
        ag_json_document document;
        ag_json_error error;
        assert_int_equal(read_text(inputs[i], &document, &error), AG_JSON_FALLBACK);
    }
}

static void test_parse_reads_reals(void **state)
{
    (void)state;
    ag_json_document document;
    ag_json_error error;
    ag_arena_reset(&arena);
    assert_int_equal(ag_json_parse(&arena, "{\"r\":-2.5e-1,\"i\":7,\"s\":\"x\"}", &document,
                                   &error),
                     AG_JSON_OK);

    assert_int_equal(document.count, 3);
    assert_int_equal(member(&document, "r")->type, AG_JSON_REAL);
    assert_true(member(&document, "r")->real == -0.25);
    assert_int_equal(member(&document, "i")->type, AG_JSON_INTEGER);
    assert_int_equal(member(&document, "i")->integer, 7);
    assert_string_equal(member(&document, "s")->string, "x");
}

/* After an integer overflow jansson reads every integer as a real, as check.c did. */
static void test_parse_overflow_makes_reals(void **state)
{
    (void)state;
    ag_json_document document;
    ag_json_error error;
    ag_arena_reset(&arena);
    assert_int_equal(ag_json_parse(&arena, "{\"big\":18446744073709551616,\"small\":3}",
                                   &document, &error),
                     AG_JSON_OK);

    assert_int_equal(member(&document, "big")->type, AG_JSON_REAL);
    assert_true(member(&document, "big")->real == 0x1p64);
    assert_int_equal(member(&document, "small")->type, AG_JSON_REAL);
    assert_true(member(&document, "small")->real == 3.0);
}

static void test_parse_rejects_after_fallback(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[1e400]", "[-1e400]", "[1.]", "[.5]", "{\"a\":1.5,\"a\":2}", "[1.5, \"\\u0000\"]",
        "[1.5] x",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
        ag_json_document document;
        ag_json_error error = {{0}, 0, 0};
        ag_arena_reset(&arena);
        assert_int_equal(ag_json_parse(&arena, inputs[i], &document, &error), AG_JSON_INVALID);
        assert_true(error.text[0] != '\0');
    }
}

/* Asserts that `count` levels of `open` around `inner` parse and one more level fails. */
static void check_deepest(size_t count, const char *open, const char *inner, const char *close)
{
    char *text = repeat_around(count, open, inner, close);
    accept(text);
    free(text);

    text = repeat_around(count + 1, open, inner, close);
    ag_json_error error = reject(text);
    assert_non_null(strstr(error.text, "2048"));
    free(text);
}

static void test_depth_limit(void **state)
{
    (void)state;
    check_deepest(AG_JSON_MAX_DEPTH, "[", "", "]");
    /* jansson counts every value, so a scalar in the innermost array counts too. */
    check_deepest(AG_JSON_MAX_DEPTH - 1, "[", "1", "]");
    check_deepest(AG_JSON_MAX_DEPTH - 1, "{\"k\":", "{}", "}");
}

static void test_error_position(void **state)
{
    (void)state;
    ag_json_error error = reject("{\n  \"a\": x}");
    assert_int_equal(error.line, 2);
    assert_int_equal(error.column, 8);

    /* The column counts characters, so "é" is one. */
    error = reject("{\"\xc3\xa9\":1,\"b\":?}");
    assert_int_equal(error.line, 1);
    assert_int_equal(error.column, 12);

    error = reject("{\"a\":1,\n\"a\":2}");
    assert_string_equal(error.text, "duplicate object key \"a\"");
    assert_int_equal(error.line, 2);
    assert_int_equal(error.column, 1);

    /* A key with a control character or a quote is not shown. */
    error = reject("{\"a\\n\":1,\"a\\u000a\":2}");
    assert_string_equal(error.text, "duplicate object key");
}

/* 50,000 keys in one object: sorting them must not take quadratic time. */
static void test_many_keys(void **state)
{
    (void)state;
    enum { KEYS = 50000 };
    char *text = malloc((size_t)KEYS * 24 + 16);
    assert_non_null(text);
    size_t length = 0;
    text[length++] = '{';
    for (int i = 0; i < KEYS; i++)
        length += (size_t)sprintf(text + length, "%s\"key%d\":%d", i > 0 ? "," : "", i, i);
    strcpy(text + length, "}");

    clock_t start = clock();
    ag_json_document document = accept(text);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    assert_int_equal(document.count, KEYS);
    assert_int_equal(member(&document, "key49999")->integer, 49999);
    assert_true(seconds < 2.0);

    /* The same key at the start and the end of the object. */
    strcpy(text + length, ",\"key0\":1}");
    reject(text);

    /* The same object one level down. */
    text[length] = '\0';
    char *nested = malloc(length + 8);
    assert_non_null(nested);
    sprintf(nested, "[%s}]", text);
    document = accept(nested);
    assert_false(document.is_object);
    free(nested);
    free(text);
}

static void test_long_string(void **state)
{
    (void)state;
    size_t size = 1 << 20;
    char *text = malloc(size + 32);
    assert_non_null(text);
    strcpy(text, "{\"s\":\"");
    memset(text + 6, 'x', size);
    strcpy(text + 6 + size, "\"}");

    ag_json_document document = accept(text);
    assert_int_equal(member(&document, "s")->string_length, size);
    free(text);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    ag_arena fresh;
    ag_arena_init(&fresh);
    ag_json_document document;
    ag_json_error error;

    ag_alloc_fail_after(0);
    assert_int_equal(ag_json_read(&fresh, "{\"a\":\"b\"}", &document, &error), AG_JSON_NOMEM);
    ag_alloc_fail_after(-1);

    /* A second read in the same arena needs no allocation. */
    assert_int_equal(ag_json_read(&fresh, "{\"a\":\"b\"}", &document, &error), AG_JSON_OK);
    ag_arena_reset(&fresh);
    ag_alloc_fail_after(0);
    assert_int_equal(ag_json_read(&fresh, "{\"a\":\"b\",\"c\":[{\"d\":1}]}", &document, &error),
                     AG_JSON_OK);
    assert_int_equal(ag_alloc_failures_injected(), 0);
    ag_alloc_fail_after(-1);
    ag_arena_release(&fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_scalar_members),
        cmocka_unit_test(test_members_sorted_by_name),
        cmocka_unit_test(test_get_string),
        cmocka_unit_test(test_top_level_array),
        cmocka_unit_test(test_decodes_escapes),
        cmocka_unit_test(test_accepts_raw_utf8),
        cmocka_unit_test(test_rejects_grammar_errors),
        cmocka_unit_test(test_rejects_invalid_numbers),
        cmocka_unit_test(test_rejects_string_errors),
        cmocka_unit_test(test_rejects_lone_surrogates),
        cmocka_unit_test(test_rejects_invalid_utf8),
        cmocka_unit_test(test_rejects_duplicate_keys),
        cmocka_unit_test(test_leaves_reals_to_jansson),
        cmocka_unit_test(test_parse_reads_reals),
        cmocka_unit_test(test_parse_overflow_makes_reals),
        cmocka_unit_test(test_parse_rejects_after_fallback),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_error_position),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_long_string),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
