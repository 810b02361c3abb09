/*
 * Masking of secrets in the text the audit log records. Each rule is a
 * PCRE2 pattern whose first group is the text to keep (an option name, a
 * header name, a variable name, a URL scheme) and whose rest is the secret
 * value, which becomes "***". The rules over-mask on purpose: hiding a
 * harmless value (the author of `git commit --author X`) is the cheap error.
 * docs/audit.md lists the rules and what they miss.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "cli.h"

/*
 * A shell word: quoted parts (closed or running to the end, as in a reason
 * cut at 80 bytes) and unquoted runs. It never starts at a value an earlier
 * rule masked, because the quote that closes the word around that value
 * would open a quoted part here and mask the rest of the text.
 */
#define WORD "(?!\\*\\*\\*)(?:'[^']*'?|\"(?:[^\"\\\\]|\\\\.)*\"?|[^\\s;&|()<>'\"`]+)+"

/* Parts of a name that mark a variable, option or field as holding a secret. */
#define SECRET_NAME "(?:password|passwd|token|secret|credential|api[-_]?key|apikey|auth|key)"

struct mask_rule {
    const char *pattern;
    const char *replacement;
};

/* Applied in this order; each sees the output of the one before. */
static const struct mask_rule MASK_RULES[] = {
    /* https://user:pass@host and https://TOKEN@host: the whole userinfo. It runs first,
     * so the rules for names (`oauth2:TOKEN@host/path`) cannot take the host as well. */
    {"(\\b[a-z][a-z0-9+.-]*://)[^/\\s@'\"`]+@", "${1}***@"},
    /* Header values in -H arguments or anywhere: up to the closing quote or the line's end. */
    {"(\\b(?:proxy-authorization|authorization|set-cookie|cookie|x-api-key"
     "|[\\w-]*-(?:token|api-key|secret))[ \\t]*:[ \\t]*)"
     "[^'\"\\r\\n`]+",
     "${1}***"},
    /* --password X, --password=X, --api-key X, --auth-token=X, --cookie X and other long options. */
    {"(--[\\w-]*(?:password|passwd|token|secret|api[-_]?key|apikey|auth|cookie)[\\w-]*"
     "(?:=|\\s+))" WORD,
     "${1}***"},
    /* curl -b COOKIES and -u USER:PASSWORD, which other commands use for other things. */
    {"(\\bcurl\\b[^;&|\\r\\n]*?\\s-[bu][ \\t]*)" WORD, "${1}***"},
    /* Credentials in URL query parameters, such as pre-signed URLs' signatures. */
    {"([?&](?:[\\w.-]*signature|sig|[\\w.-]*credential|[\\w.-]*token|[\\w.-]*key"
     "|[\\w.-]*secret|password)=)[^&#\\s'\"`]+",
     "${1}***"},
    /* FOO_TOKEN=abc, export API_KEY=..., "password": "x" and api_key: x in file contents. */
    {"(\\b\\w*" SECRET_NAME "\\w*[\"']?[ \\t]*[:=][ \\t]*)" WORD, "${1}***"},
    /* Authorization schemes written without the header name. */
    {"(\\bbearer[ \\t]+)[^\\s'\"`]+", "${1}***"},
    /* Tokens whose prefix marks them (Stripe, GitHub, Slack, GitLab), in any word. */
    {"(?<![a-z0-9])((?:sk|rk|pk)_(?:live|test)_|gh[pousr]_|github_pat_|xox[abposr]-|glpat-)"
     "[a-z0-9_-]+",
     "${1}***"},
    /* AWS access key ids. */
    {"(?<![a-z0-9])((?:AKIA|ASIA))[0-9A-Z]{16}(?![a-z0-9])", "${1}***"},
};

#define MASK_RULE_COUNT (sizeof(MASK_RULES) / sizeof(MASK_RULES[0]))

static pcre2_code *compiled_rules[MASK_RULE_COUNT];
static pcre2_code *secret_name_pattern;
static pcre2_code *secret_option_pattern;

static pcre2_code *compile(const char *pattern)
{
    int error_code;
    PCRE2_SIZE error_offset;
    return pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                         &error_code, &error_offset, NULL);
}

/* Compiles the patterns once per process. Returns false when out of memory. */
static bool compile_rules(void)
{
    if (secret_option_pattern != NULL) {
        return true;
    }
    for (size_t i = 0; i < MASK_RULE_COUNT; i++) {
        if (compiled_rules[i] == NULL) {
            compiled_rules[i] = compile(MASK_RULES[i].pattern);
        }
        if (compiled_rules[i] == NULL) {
            return false;
        }
    }
    if (secret_name_pattern == NULL) {
        secret_name_pattern = compile(SECRET_NAME "|cookie");
    }
    secret_option_pattern = compile("^--[\\w-]*(?:password|passwd|token|secret|api[-_]?key|"
                                    "apikey|auth|cookie)[\\w-]*$");
    return secret_name_pattern != NULL && secret_option_pattern != NULL;
}

/* Returns a malloc'd copy of `text` with one rule applied, or NULL when out of memory. */
static char *apply_rule(pcre2_code *code, const char *replacement, const char *text,
                        size_t length, size_t *out_length)
{
    pcre2_match_data *match_data = pcre2_match_data_create_from_pattern(code, NULL);
    if (match_data == NULL) {
        return NULL;
    }

    /* "***" may be longer than the value it replaces, so size for the worst case, then retry. */
    PCRE2_SIZE capacity = length + 64;
    char *output = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        free(output);
        output = malloc(capacity);
        if (output == NULL) {
            break;
        }
        PCRE2_SIZE produced = capacity;
        int result = pcre2_substitute(code, (PCRE2_SPTR)text, length, 0,
                                      PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
                                      match_data, NULL, (PCRE2_SPTR)replacement,
                                      PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)output, &produced);
        if (result >= 0) {
            *out_length = produced;
            pcre2_match_data_free(match_data);
            return output;
        }
        if (result != PCRE2_ERROR_NOMEMORY) {
            break;
        }
        capacity = produced + 1;
    }
    free(output);
    pcre2_match_data_free(match_data);
    return NULL;
}

/*
 * Returns a malloc'd, NUL-terminated copy of `length` bytes of `text` with
 * every secret the rules find replaced by "***", and its length in
 * *out_length. Returns NULL when out of memory or when a pattern fails to
 * run (a match limit), so the caller can drop the text in place of writing
 * it unmasked.
 */
char *cli_mask_secrets(const char *text, size_t length, size_t *out_length)
{
    if (!compile_rules()) {
        return NULL;
    }
    char *current = malloc(length + 1);
    if (current == NULL) {
        return NULL;
    }
    memcpy(current, text, length);
    current[length] = '\0';

    for (size_t i = 0; i < MASK_RULE_COUNT; i++) {
        char *next = apply_rule(compiled_rules[i], MASK_RULES[i].replacement, current, length,
                                &length);
        free(current);
        if (next == NULL) {
            return NULL;
        }
        current = next;
    }
    *out_length = length;
    return current;
}

static bool matches(pcre2_code *code, const char *text)
{
    pcre2_match_data *match_data = pcre2_match_data_create_from_pattern(code, NULL);
    if (match_data == NULL) {
        return true; /* out of memory: treat the name as secret */
    }
    int result = pcre2_match(code, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, 0, 0, match_data,
                             NULL);
    pcre2_match_data_free(match_data);
    /* A matching error (a limit reached) counts as a match, so the value is hidden. */
    return result != PCRE2_ERROR_NOMATCH;
}

static bool mask_json_value(json_t *value);

/* Replaces a string's value by its masked text. */
static bool mask_json_string(json_t *string)
{
    size_t length = 0;
    char *masked = cli_mask_secrets(json_string_value(string), json_string_length(string),
                                    &length);
    if (masked == NULL) {
        return false;
    }
    /* Masking only replaces ASCII runs, so valid UTF-8 stays valid; nocheck keeps NULs. */
    int result = json_string_setn_nocheck(string, masked, length);
    free(masked);
    return result == 0;
}

/* Masks an array's elements; the element after a secret option such as "--token" is its value. */
static bool mask_json_array(json_t *array)
{
    bool value_is_secret = false;
    size_t index;
    json_t *element;
    json_array_foreach(array, index, element) {
        if (value_is_secret) {
            if (json_array_set_new(array, index, json_string("***")) != 0) {
                return false;
            }
            value_is_secret = false;
            continue;
        }
        value_is_secret = json_is_string(element)
                          && matches(secret_option_pattern, json_string_value(element));
        if (!mask_json_value(element)) {
            return false;
        }
    }
    return true;
}

/* Masks fields whose name marks a secret, and the secrets inside every other string. */
static bool mask_json_object(json_t *object)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        if (matches(secret_name_pattern, key)) {
            if (json_object_set_new(object, key, json_string("***")) != 0) {
                return false;
            }
        } else if (!mask_json_value(value)) {
            return false;
        }
    }
    return true;
}

static bool mask_json_value(json_t *value)
{
    if (json_is_string(value)) {
        return mask_json_string(value);
    }
    if (json_is_array(value)) {
        return mask_json_array(value);
    }
    if (json_is_object(value)) {
        return mask_json_object(value);
    }
    return true;
}

/*
 * Returns a malloc'd copy of the tool input JSON text with its secrets
 * masked, as compact JSON, and its length in *out_length. Text that is not
 * valid JSON is masked as plain text. Returns NULL when out of memory.
 */
char *cli_mask_json_text(const char *json_text, size_t *out_length)
{
    if (!compile_rules()) {
        return NULL;
    }
    json_t *value = json_loads(json_text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (value == NULL) {
        return cli_mask_secrets(json_text, strlen(json_text), out_length);
    }

    char *dumped = NULL;
    if (mask_json_value(value)) {
        dumped = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    }
    json_decref(value);
    if (dumped != NULL) {
        *out_length = strlen(dumped);
    }
    return dumped;
}
