/*
 * SHA-256 against the standard test vectors ("", "abc", the 448-bit message
 * and a million 'a'), one-shot and fed in pieces, and the policy digest
 * built on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/common.h"
#include "core/sha256.h"

typedef struct vector {
    const char *message;
    const char *digest;
} vector;

static const vector VECTORS[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static const char MILLION_A_DIGEST[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void hex_in_pieces(const char *data, size_t length, size_t piece, char hex[65])
{
    ag_sha256 context;
    unsigned char digest[AG_SHA256_DIGEST_BYTES];
    ag_sha256_init(&context);
    for (size_t offset = 0; offset < length; offset += piece)
        ag_sha256_update(&context, data + offset, length - offset < piece ? length - offset : piece);
    ag_sha256_final(&context, digest);
    ag_sha256_to_hex(digest, hex);
}

static void test_sha256_vectors(void **state)
{
    char hex[65];
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        const char *message = VECTORS[i].message;
        assert_int_equal(ag_sha256_hex(message, strlen(message), hex), AG_OK);
        assert_string_equal(hex, VECTORS[i].digest);
        /* Pieces of 1 and 7 bytes cross every block boundary differently. */
        hex_in_pieces(message, strlen(message), 1, hex);
        assert_string_equal(hex, VECTORS[i].digest);
        hex_in_pieces(message, strlen(message), 7, hex);
        assert_string_equal(hex, VECTORS[i].digest);
    }
}

static void test_sha256_million_a(void **state)
{
    size_t length = 1000000;
    char *data = malloc(length);
    assert_non_null(data);
    memset(data, 'a', length);

    char hex[65];
    assert_int_equal(ag_sha256_hex(data, length, hex), AG_OK);
    assert_string_equal(hex, MILLION_A_DIGEST);
    hex_in_pieces(data, length, 1000, hex);
    assert_string_equal(hex, MILLION_A_DIGEST);
    hex_in_pieces(data, length, 63, hex);
    assert_string_equal(hex, MILLION_A_DIGEST);
    free(data);
}

/*
 * Messages of 55, 56 and 64 bytes end in one, two and two padding blocks.
 * The expected digests were computed with Python's hashlib.
 */
static void test_sha256_padding_edges(void **state)
{
    static const struct {
        size_t length;
        const char *digest;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    };
    char data[64];
    memset(data, 'a', sizeof(data));
    char hex[65];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ag_sha256_hex(data, cases[i].length, hex), AG_OK);
        assert_string_equal(hex, cases[i].digest);
    }
}

static void test_sha256_rejects_null(void **state)
{
    char hex[65];
    assert_int_equal(ag_sha256_hex(NULL, 1, hex), AG_ERR_ARGUMENT);
    assert_int_equal(ag_sha256_hex("a", 1, NULL), AG_ERR_ARGUMENT);
    assert_int_equal(ag_sha256_hex(NULL, 0, hex), AG_OK);
    assert_string_equal(hex, VECTORS[0].digest);
}

static ag_policy *build(const char *first, const char *second, const char *second_name)
{
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    if (first != NULL)
        assert_int_equal(ag_policy_builder_add_string(builder, "a.yaml", first, strlen(first),
                                                      NULL), AG_OK);
    if (second != NULL)
        assert_int_equal(ag_policy_builder_add_string(builder, second_name, second,
                                                      strlen(second), NULL), AG_OK);
    ag_policy *policy = ag_policy_builder_build(builder, NULL);
    assert_non_null(policy);
    ag_policy_builder_free(builder);
    return policy;
}

static void test_policy_digest_of_sources(void **state)
{
    const char *allow = "allow: [\"Bash(ls)\"]\n";
    const char *deny = "deny: [\"Bash(rm *)\"]\n";

    ag_policy *one = build(allow, deny, "b.yaml");
    ag_policy *same = build(allow, deny, "b.yaml");
    ag_policy *renamed = build(allow, deny, "c.yaml");
    ag_policy *swapped = build(deny, allow, "b.yaml");

    /* The digest is the netstrings "6:a.yaml," "20:allow: ..." and so on, hashed. */
    char expected_text[256];
    int length = snprintf(expected_text, sizeof(expected_text), "6:a.yaml,%zu:%s,6:b.yaml,%zu:%s,",
                          strlen(allow), allow, strlen(deny), deny);
    char expected[65];
    assert_int_equal(ag_sha256_hex(expected_text, (size_t)length, expected), AG_OK);

    assert_string_equal(ag_policy_digest(one), expected);
    assert_string_equal(ag_policy_digest(same), expected);
    assert_string_not_equal(ag_policy_digest(renamed), expected);
    assert_string_not_equal(ag_policy_digest(swapped), expected);

    ag_policy_free(one);
    ag_policy_free(same);
    ag_policy_free(renamed);
    ag_policy_free(swapped);
}

static void test_policy_digest_of_default(void **state)
{
    ag_policy *policy = ag_policy_load_default(NULL);
    assert_non_null(policy);

    const char *text = ag_default_policy_text();
    ag_buffer buffer;
    ag_buffer_init(&buffer);
    ag_buffer_printf(&buffer, "9:<default>,%zu:", strlen(text));
    ag_buffer_append_string(&buffer, text);
    ag_buffer_append_char(&buffer, ',');
    assert_false(buffer.failed);

    char expected[65];
    assert_int_equal(ag_sha256_hex(buffer.data, buffer.length, expected), AG_OK);
    assert_string_equal(ag_policy_digest(policy), expected);
    assert_null(ag_policy_digest(NULL));

    ag_buffer_release(&buffer);
    ag_policy_free(policy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_million_a),
        cmocka_unit_test(test_sha256_padding_edges),
        cmocka_unit_test(test_sha256_rejects_null),
        cmocka_unit_test(test_policy_digest_of_sources),
        cmocka_unit_test(test_policy_digest_of_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
