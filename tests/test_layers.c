/*
 * The policy model through the public API: layers, settings files, modes and
 * protected paths, with the load errors each can raise.
 */
/* realpath() is an XSI function. */
#define _XOPEN_SOURCE 700

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agentguard.h"

static const char *policies_dir;

/* Adds `text` named `name` in `layer` to a new builder and returns the status. */
static ag_status add_text(const char *name, const char *text, ag_layer layer, ag_error **error)
{
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    ag_status status = ag_policy_builder_add_string_in_layer(builder, name, text, strlen(text),
                                                             layer, error);
    ag_policy_builder_free(builder);
    return status;
}

static ag_policy *build_text(const char *name, const char *text, ag_layer layer)
{
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    if (ag_policy_builder_add_string_in_layer(builder, name, text, strlen(text), layer,
                                              &error) != AG_OK)
        fail_msg("cannot add %s: %s", name, ag_error_message(error));
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    assert_non_null(policy);
    return policy;
}

static void expect_error(const char *name, const char *text, ag_layer layer, ag_status code,
                         unsigned line, unsigned column, const char *fragment)
{
    ag_error *error = NULL;
    assert_int_equal(add_text(name, text, layer, &error), code);
    assert_non_null(error);
    assert_int_equal(ag_error_code(error), code);
    assert_int_equal(ag_error_line(error), line);
    assert_int_equal(ag_error_column(error), column);
    if (strstr(ag_error_message(error), fragment) == NULL)
        fail_msg("expected \"%s\" in: %s", fragment, ag_error_message(error));
    ag_error_free(error);
}

/* ------------------------------------------------------------- load errors */

static void test_bad_json_has_location(void **state)
{
    (void)state;
    expect_error("settings.json", "{\n  \"permissions\": {\n    \"allow\": [\"Bash(ls)\",]\n  ",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 3, 25, "trailing comma before ']'");
    expect_error("settings.json", "{\n  \"permissions\": {\n    \"allow\": [\"Bash(ls)\"]\n  ",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 4, 3,
                 "the text ends where ',' or '}' after an object member is expected");
}

/* What libyaml accepts in a flow collection but strict JSON, and so Claude Code, does not. */
static void test_json_only_strict_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line, column;
        const char *fragment;
    } cases[] = {
        {"{\"permissions\": {\"deny\": [\"Read(~/.ssh/**)\",]}}", 1, 44,
         "a trailing comma before ']'; remove the comma"},
        {"{\"permissions\": {\"deny\": []},\n}", 1, 29, "a trailing comma before '}'"},
        {"{\"permissions\": {\"deny\": [\n  \"Bash(rm *)\" ,\n  ]}}", 2, 16,
         "trailing comma before ']'"},
        {"{\"permissions\": {\"deny\": [\"Bash(rm *)\"] # secrets\n}}", 1, 41,
         "JSON has no comments"},
        {"// project rules\n{\"permissions\": {}}", 1, 1, "JSON has no comments"},
        {"{\"permissions\": /* none */ {}}", 1, 17, "JSON has no comments"},
        {"{'permissions': {}}", 1, 2, "an object key in single quotes; use double quotes"},
        {"{\"permissions\": {\"deny\": ['Bash(rm *)']}}", 1, 27,
         "a string in single quotes; use double quotes"},
        {"{permissions: {}}", 1, 2, "the object key 'permissions' must be a string in double"},
        {"{\"permissions\": {\"deny\": [\"Bash(rm\n *)\"]}}", 1, 35,
         "the control character 0x0A inside a string"},
        {"{\"permissions\": {\"deny\": [\"Bash(\\x41)\"]}}", 1, 33, "the escape '\\x'"},
        {"{\"cleanupPeriodDays\": +30}", 1, 23, "invalid JSON number '+30'"},
        {"{\"cleanupPeriodDays\": .5}", 1, 23, "invalid JSON number '.5'"},
        {"{\"cleanupPeriodDays\": 030}", 1, 23, "invalid JSON number '030'"},
        {"{\"cleanupPeriodDays\": Infinity}", 1, 23, "'Infinity' is not a JSON value"},
        {"{\"permissions\": {}}\n{\"permissions\": {}}", 2, 1,
         "text after the end of the top-level value"},
        {"{\"permissions\": {\"deny\": [\"Bash(rm *)\"]}", 1, 41,
         "the text ends where ',' or '}' after an object member is expected"},
        {"{\"permissions\": {\"deny\": [\"Bash(rm *)\" \"Bash(dd *)\"]}}", 1, 40,
         "unexpected '\"' where ',' or ']' after an array element is expected"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ag_error *error = NULL;
        ag_status status = add_text("settings.json", cases[i].text, AG_LAYER_PROJECT, &error);
        if (status != AG_ERR_YAML)
            fail_msg("case %zu loaded or failed otherwise: %s", i,
                     error != NULL ? ag_error_message(error) : "(no error)");
        if (ag_error_line(error) != cases[i].line || ag_error_column(error) != cases[i].column)
            fail_msg("case %zu: expected %u:%u, got %s", i, cases[i].line, cases[i].column,
                     ag_error_message(error));
        if (strstr(ag_error_message(error), cases[i].fragment) == NULL)
            fail_msg("case %zu: expected \"%s\" in: %s", i, cases[i].fragment,
                     ag_error_message(error));
        ag_error_free(error);
    }
}

/* A UTF-8 byte order mark is skipped, and columns on the first line still count its bytes. */
static void test_json_byte_order_mark(void **state)
{
    (void)state;
    ag_policy *policy = build_text("settings.local.json",
                                   "\xEF\xBB\xBF{\"permissions\": {\"deny\": [\"Bash(rm *)\"]}}",
                                   AG_LAYER_LOCAL_PROJECT);
    ag_checker *checker = ag_checker_new(policy, NULL);
    const ag_verdict *verdict = ag_check_command(checker, "rm -rf x", 8, "/repo", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    assert_string_equal(ag_verdict_source(verdict), "settings.local.json:1:30");
    ag_checker_free(checker);
    ag_policy_free(policy);

    expect_error("settings.json", "\xEF\xBB\xBF{\"permissions\": {\"allow\": [Bash]}}",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 1, 31, "double quotes");
    expect_error("settings.json", "\xEF\xBB\xBF{\"permissions\": {\"deny\": [\"Bash(rm *)\",]}}",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 1, 42, "trailing comma");
    expect_error("settings.json", "\xFF\xFE{\0}\0", AG_LAYER_PROJECT, AG_ERR_YAML, 1, 1,
                 "UTF-16 byte order mark (FF FE); save it as UTF-8");
}

/* Returns the decision and stores the rule source for `command` under a settings text. */
static ag_decision settings_decision(const char *text, const char *command, char *source,
                                     size_t size)
{
    ag_policy *policy = build_text("settings.json", text, AG_LAYER_PROJECT);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), "/repo",
                                                 NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    const char *rule_source = ag_verdict_source(verdict);
    snprintf(source, size, "%s", rule_source != NULL ? rule_source : "");
    ag_checker_free(checker);
    ag_policy_free(policy);
    return decision;
}

/*
 * Strings read as JSON defines them, although libyaml reads the file: a raw
 * NEL, LINE SEPARATOR or C1 control stays itself instead of becoming a line
 * break or a space, an escaped surrogate pair is one character, and the
 * columns after them stay right.
 */
static void test_json_strings_read_exactly(void **state)
{
    (void)state;
    char source[256];
    const char *nel_allow = "{\"permissions\": {\"allow\": [\"Bash(git\xC2\x85status)\"]}}";
    assert_int_equal(settings_decision(nel_allow, "git status", source, sizeof(source)),
                     AG_ASK);
    assert_int_equal(settings_decision(nel_allow, "git\xC2\x85status", source, sizeof(source)),
                     AG_ALLOW);

    /* Allow rules, because a deny rule with such a character is a load error. */
    const char *separators = "{\"permissions\": {\"allow\": [\"Bash(curl\xE2\x80\xA8*)\", "
                             "\"Bash(wget\xC2\x80*)\"], \"deny\": [\"Bash(rm *)\"]}}";
    assert_int_equal(settings_decision(separators, "curl x", source, sizeof(source)), AG_ASK);
    assert_int_equal(settings_decision(separators, "wget x", source, sizeof(source)), AG_ASK);
    assert_int_equal(settings_decision(separators, "curl\xE2\x80\xA8x", source, sizeof(source)),
                     AG_ALLOW);
    assert_int_equal(settings_decision(separators, "rm x", source, sizeof(source)), AG_DENY);
    assert_string_equal(source, "settings.json:1:73");

    const char *pair = "{\"permissions\": {\"allow\": [\"Bash(echo \\ud83d\\ude00)\", "
                       "\"Bash(ls \\uD83D\\uDE00)\"]}}";
    assert_int_equal(settings_decision(pair, "echo \xF0\x9F\x98\x80", source, sizeof(source)),
                     AG_ALLOW);
    assert_string_equal(source, "settings.json:1:28");
    assert_int_equal(settings_decision(pair, "ls \xF0\x9F\x98\x80", source, sizeof(source)),
                     AG_ALLOW);
    assert_string_equal(source, "settings.json:1:55");
}

/* JSON allows a tab wherever it allows a space, also where YAML would read it as indentation. */
static void test_json_tabs_as_whitespace(void **state)
{
    (void)state;
    char source[256];
    const char *texts[] = {
        "\t{\"permissions\": {\"deny\": [\"Bash(rm *)\"]}}",
        "{\"permissions\": {\"deny\": [\"Bash(rm *)\"]}}\n\t\n",
        "{\n\t\"permissions\":\t{\n\t\t\"deny\":\t[\"Bash(rm *)\"]\n\t}\n}\n",
    };
    const char *sources[] = {"settings.json:1:28", "settings.json:1:27", "settings.json:3:12"};

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_int_equal(settings_decision(texts[i], "rm x", source, sizeof(source)), AG_DENY);
        assert_string_equal(source, sources[i]);
    }
}

/* A lone surrogate is no character, and JSON parsers read it differently. */
static void test_json_lone_surrogate(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\"allow\": [\"Bash(echo \\ud83d)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 1, 39, "'\\uD83D' is a UTF-16 high surrogate");
    expect_error("settings.json", "{\"permissions\": {\"allow\": [\"Bash(echo \\ud83d\\u0041)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 1, 39, "without a low surrogate");
    expect_error("settings.json", "{\"permissions\": {\"allow\": [\"Bash(\\uDE00)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_YAML, 1, 34, "lone UTF-16 low surrogate");
}

static void test_unquoted_json_string(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\"allow\": [Bash]}}", AG_LAYER_PROJECT,
                 AG_ERR_YAML, 1, 28, "double quotes");
}

static void test_json_unknown_permission_key(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\n  \"denny\": [\"Bash(rm *)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 2, 3, "unknown key \"denny\"");
}

static void test_json_duplicate_key(void **state)
{
    (void)state;
    expect_error("settings.json",
                 "{\"permissions\": {\"deny\": [\"Bash(rm *)\"], \"deny\": []}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 42,
                 "duplicate key \"deny\" (first at line 1, column 18)");

    /* Both keys on one line: only the column distinguishes them. */
    expect_error("settings.json", "{\"permissions\":{\"deny\":[\"Bash(rm *)\"]},\"permissions\":{}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 40,
                 "duplicate key \"permissions\" (first at line 1, column 2)");
    expect_error("policy.yaml", "default: ask\ndeny: []\nlimits: {}\n  # note\ndeny: []\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_KEY, 5, 1,
                 "duplicate key 'deny' (first at line 2, column 1)");
}

/* An empty settings file is invalid JSON, so a truncated managed file cannot drop its rules. */
static void test_json_empty_file(void **state)
{
    (void)state;
    expect_error("managed-settings.json", "", AG_LAYER_MANAGED, AG_ERR_YAML, 1, 1,
                 "the file is empty");
    expect_error("settings.json", " \n\t\n", AG_LAYER_PROJECT, AG_ERR_YAML, 3, 1,
                 "such as {} for no settings");
    ag_policy_free(build_text("settings.json", "{}", AG_LAYER_PROJECT));
}

/* JSON null is no settings object and no rule list, so a managed file cannot drop rules with it. */
static void test_json_null_values(void **state)
{
    (void)state;
    expect_error("managed-settings.json", "null", AG_LAYER_MANAGED, AG_ERR_POLICY_VALUE, 1, 1,
                 "a settings file must be a JSON object");
    expect_error("managed-settings.json",
                 "{\"permissions\": {\"deny\": null, \"allow\": [\"Bash\"]}}",
                 AG_LAYER_MANAGED, AG_ERR_POLICY_VALUE, 1, 26,
                 "\"deny\" is null; write [] for an empty list");
    expect_error("settings.json", "{\"permissions\": {\"additionalDirectories\": null}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 43, "write [] for an empty list");
    expect_error("settings.json", "{\"permissions\": {\"defaultMode\": null}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 33, "give a value");
}

/* A settings file is JSON, so the example in its errors is JSON too. */
static void test_json_rule_list_example(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\"deny\": \"Bash(rm *)\"}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 26,
                 "'deny' must be a list of rules, such as \"deny\": [\"Bash(git status)\"]");
}

/* libyaml cannot read a key of more than 1024 bytes, so such a key gets a message of its own. */
static void test_json_long_key(void **state)
{
    (void)state;
    char text[1200];
    for (size_t length = 1022; length <= 1023; length++) {
        int used = snprintf(text, sizeof(text), "{\"");
        memset(text + used, 'k', length);
        snprintf(text + used + length, sizeof(text) - (size_t)used - length,
                 "\": 1, \"permissions\": {}}");
        ag_error *error = NULL;
        ag_status status = add_text("settings.json", text, AG_LAYER_USER, &error);
        if (length == 1022) {
            assert_int_equal(status, AG_OK);
            continue;
        }
        assert_int_equal(status, AG_ERR_YAML);
        assert_int_equal(ag_error_column(error), 2);
        assert_non_null(strstr(ag_error_message(error), "longer than 1024 bytes"));
        ag_error_free(error);
    }
}

/* Nesting up to the limit loads, also in keys the library ignores; one level more is an error. */
static void test_json_nesting_limit(void **state)
{
    (void)state;
    static const char head[] = "{\"permissions\": {}, \"hooks\": ";
    for (size_t levels = 254; levels <= 256; levels++) {
        size_t size = sizeof(head) + levels * 6 + levels + 8;
        char *text = malloc(size);
        assert_non_null(text);
        size_t used = (size_t)snprintf(text, size, "%s", head);
        for (size_t i = 0; i < levels; i++)
            used += (size_t)snprintf(text + used, size - used, "{\"a\": ");
        used += (size_t)snprintf(text + used, size - used, "1");
        for (size_t i = 0; i <= levels; i++)
            used += (size_t)snprintf(text + used, size - used, "}");

        ag_error *error = NULL;
        ag_status status = add_text("settings.json", text, AG_LAYER_USER, &error);
        free(text);
        if (levels < 256) {
            assert_int_equal(status, AG_OK);
            continue;
        }
        assert_int_equal(status, AG_ERR_LIMIT);
        assert_non_null(strstr(ag_error_message(error), "deeper than 256 levels"));
        ag_error_free(error);
    }
}

/* A near miss of "permissions" would drop every rule of the file, so it is an error. */
static void test_json_misspelt_top_key(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permission\": {\"deny\": [\"Bash(rm *)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 2,
                 "unknown key \"permission\"; did you mean \"permissions\"?");
    expect_error("settings.json", "{\"env\": {},\n \"Permissions\": {}}", AG_LAYER_PROJECT,
                 AG_ERR_POLICY_KEY, 2, 2, "did you mean \"permissions\"?");
    expect_error("settings.json", "{\"premissions\": {}}", AG_LAYER_PROJECT, AG_ERR_POLICY_KEY,
                 1, 2, "did you mean \"permissions\"?");
    expect_error("managed-settings.json", "{\"allowManagedPermissionRuleOnly\": true}",
                 AG_LAYER_MANAGED, AG_ERR_POLICY_KEY, 1, 2,
                 "did you mean \"allowManagedPermissionRulesOnly\"?");

    /* Keys of other settings stay ignored. */
    ag_policy_free(build_text("settings.json",
                              "{\"env\": {\"A\": \"1\"}, \"model\": \"x\", \"hooks\": {},"
                              " \"cleanupPeriodDays\": 5, \"permissions\": {}}",
                              AG_LAYER_PROJECT));
}

/* Fails unless the policy has exactly one warning and it contains `fragment`. */
static void expect_one_warning(const ag_policy *policy, const char *fragment)
{
    assert_int_equal(ag_policy_warning_count(policy), 1);
    if (strstr(ag_policy_warning(policy, 0), fragment) == NULL)
        fail_msg("expected \"%s\" in: %s", fragment, ag_policy_warning(policy, 0));
}

/*
 * A key with an invisible or space-like character looks right in an editor.
 * Near "permissions" it is an error, as a misspelling is; elsewhere the
 * message shows the character escaped.
 */
static void test_json_invisible_key(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"\\ufeffpermissions\": {\"deny\": [\"Bash(rm *)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 2,
                 "unknown key \"\\uFEFFpermissions\" (it contains the invisible or space-like "
                 "character U+FEFF at byte 0; remove it); did you mean \"permissions\"?");
    expect_error("settings.json", "{\"permis\\u200Bsions\": {}}", AG_LAYER_USER,
                 AG_ERR_POLICY_KEY, 1, 2, "U+200B at byte 6; remove it); did you mean");
    expect_error("settings.json", "{\"permissions\\u3000\": {}}", AG_LAYER_USER,
                 AG_ERR_POLICY_KEY, 1, 2, "U+3000 at byte 11");
    /* Raw UTF-8 in the file, not an escape, reads the same. */
    expect_error("settings.json", "{\"\xE2\x81\xA0permissions\": {}}", AG_LAYER_USER,
                 AG_ERR_POLICY_KEY, 1, 2, "\"\\u2060permissions\"");
    expect_error("managed-settings.json",
                 "{\"allowManagedPermissionRulesOnly\\u00AD\": true}", AG_LAYER_MANAGED,
                 AG_ERR_POLICY_KEY, 1, 2, "did you mean \"allowManagedPermissionRulesOnly\"?");
    expect_error("settings.json", "{\"permissions\": {\"\\u200bdeny\": [\"Bash(rm *)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 18,
                 "unknown key \"\\u200Bdeny\" (it contains the invisible or space-like "
                 "character U+200B at byte 0; remove it) in \"permissions\"");
    expect_error("policy.yaml", "deny: [\"Bash(rm *)\"]\n\xE2\x80\x8B" "limits: {}\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_KEY, 2, 1,
                 "unknown key '\\u200Blimits' (it contains the invisible or space-like "
                 "character U+200B at byte 0; remove it); accepted keys:");
    expect_error("policy.yaml", "limits: {\"max_depth\\uFEFF\": 5}\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_POLICY_KEY, 1, 10, "unknown key 'max_depth\\uFEFF' (it contains");

    /* An invalid value shows the character too, and a long one is cut with "...". */
    expect_error("settings.json", "{\"permissions\": {\"defaultMode\": \"default\\u200b\"}}",
                 AG_LAYER_USER, AG_ERR_POLICY_VALUE, 1, 33,
                 "invalid value \"default\\u200B\" for 'defaultMode'");
    expect_error("policy.yaml", "default: \"allow\xC2\xA0\"\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_POLICY_VALUE, 1, 10, "invalid value \"allow\\u00A0\" for 'default'");
    expect_error("policy.yaml",
                 "default: \"\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\"\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 1, 10,
                 "invalid value \"\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\\uFEFF\"... for");

    /* A key of another setting (hooks) stays ignored, invisible character or not. */
    ag_policy *policy = build_text("settings.json",
                                   "{\"\\u200bhooks\": {}, \"permissions\": {}}",
                                   AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);
}

/*
 * Every error and warning shows an invisible character as \uXXXX, also where
 * it quotes a rule or a key raw, so the reader sees what to remove.
 */
static void test_messages_escape_invisible(void **state)
{
    (void)state;
    expect_error("policy.yaml", "deny: [\"Bash(rm *)\xE2\x80\x8B\"]\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_RULE, 1, 8,
                 "invalid rule \"Bash(rm *)\\u200B\": text after ')'; remove it");
    expect_error("policy.yaml", "deny: [\"Bash\xC2\xA0(rm *)\"]\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_RULE, 1, 8, "invalid rule \"Bash\\u00A0(rm *)\": invalid byte 0xC2");
    expect_error("policy.yaml", "deny: [\"WebFetch(domain:\xE2\x80\x8B)\"]\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_RULE, 1, 8,
                 "invalid rule \"WebFetch(domain:\\u200B)\"");
    expect_error("settings.json", "{\"x\\u200B\": 1, \"x\\u200B\": 2, \"permissions\": {}}",
                 AG_LAYER_USER, AG_ERR_POLICY_KEY, 1, 16, "duplicate key \"x\\u200B\"");
    expect_error("policy.yaml", "tests:\n  - {name: t, command: ls, cwd: \"sub\xE2\x80\x8B\", "
                 "expect: ask}\n", AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 2, 33,
                 "not \"sub\\u200B\"");

    /* A warning that quotes an allow rule escapes it too. */
    ag_policy *policy = build_text("policy.yaml", "allow: [\"Write(./a\xE2\x80\x8B)\"]\n",
                                   AG_LAYER_COMMAND_LINE);
    assert_int_equal(ag_policy_warning_count(policy), 2);
    for (size_t i = 0; i < 2; i++) {
        const char *warning = ag_policy_warning(policy, i);
        if (strstr(warning, "\"Write(./a\\u200B)\"") == NULL)
            fail_msg("expected the rule escaped in: %s", warning);
        assert_null(strstr(warning, "\xE2\x80\x8B"));
    }
    ag_policy_free(policy);
}

/*
 * A rule with an invisible or space-like character matches only text that
 * has it. A deny or ask rule would then protect nothing, so it is an error,
 * and an allow rule only warns.
 */
static void test_rule_invisible_character(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\"deny\": [\"Bash(rm\\u00a0*)\"]}}",
                 AG_LAYER_PROJECT, AG_ERR_RULE, 1, 27,
                 "invalid rule \"Bash(rm\\u00A0*)\": the deny rule contains the invisible or "
                 "space-like character U+00A0 at byte 7, so it matches only text with that "
                 "same character");
    expect_error("policy.yaml", "ask:\n  - \"Read(~/.ssh/\xE2\x80\x8B**)\"\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_RULE, 2, 5,
                 "invalid rule \"Read(~/.ssh/\\u200B**)\": the ask rule contains the invisible "
                 "or space-like character U+200B at byte 12");
    expect_error("policy.yaml", "deny: [\"Read(.env\xE2\x80\x8B)\"]\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_RULE, 1, 8, "U+200B at byte 9");
    expect_error("policy.yaml", "deny: [\"Bash(rm\xF3\xA0\x80\x81 *)\"]\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_RULE, 1, 8,
                 "\"Bash(rm\\U000E0001 *)\": the deny rule contains the invisible or space-like "
                 "character U+E0001 at byte 7");

    ag_policy *policy = build_text("settings.json",
                                   "{\"permissions\": {\"allow\": [\"Bash(ls\\u00a0*)\"]}}",
                                   AG_LAYER_PROJECT);
    expect_one_warning(policy, "settings.json:1:28: warning: the allow rule "
                               "\"Bash(ls\\u00A0*)\" contains the invisible or space-like "
                               "character U+00A0 at byte 7");
    ag_policy_free(policy);

    /* Visible non-ASCII text is no mistake, and gets no warning. */
    policy = build_text("policy.yaml", "deny: [\"Read(./caf\xC3\xA9/**)\", \"Bash(echo \xE2\x82\xAC)\"]\n",
                        AG_LAYER_COMMAND_LINE);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);
}

/* Writes `code_point` as UTF-8 with a NUL after it; `out` has room for 5 bytes. */
static void encode_utf8(uint32_t code_point, char *out)
{
    unsigned char *bytes = (unsigned char *)out;
    if (code_point < 0x800) {
        bytes[0] = (unsigned char)(0xC0 | (code_point >> 6));
        bytes[1] = (unsigned char)(0x80 | (code_point & 0x3F));
        bytes[2] = 0;
    } else if (code_point < 0x10000) {
        bytes[0] = (unsigned char)(0xE0 | (code_point >> 12));
        bytes[1] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | (code_point & 0x3F));
        bytes[3] = 0;
    } else {
        bytes[0] = (unsigned char)(0xF0 | (code_point >> 18));
        bytes[1] = (unsigned char)(0x80 | ((code_point >> 12) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
        bytes[3] = (unsigned char)(0x80 | (code_point & 0x3F));
        bytes[4] = 0;
    }
}

/*
 * The first and last code point of each range of format characters (general
 * category Cf, Unicode 15.0) and of other characters that editors show as
 * blank. U+13439 is the first Cf character that Unicode 15.0 added. Some
 * format characters, such as the Arabic number signs, have a glyph in some
 * fonts only, so a reviewer cannot count on seeing them either.
 */
static const uint32_t invisible_in_rules[] = {
    0x00AD, 0x034F, 0x0600, 0x0603, 0x0605, 0x061C, 0x06DD, 0x070F, 0x0890,
    0x0891, 0x08E2, 0x115F, 0x1160, 0x180E, 0x200B, 0x200F, 0x202A, 0x202E,
    0x2060, 0x2064, 0x2066, 0x206F, 0x2800, 0x3164, 0xFE00, 0xFE0F, 0xFEFF,
    0xFFA0, 0xFFF9, 0xFFFB, 0x110BD, 0x110CD, 0x13430, 0x13438, 0x13439,
    0x1343F, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0001, 0xE0020, 0xE007F,
    0xE0100, 0xE01EF,
};

/* A deny rule with any of them is an error, in a YAML policy and in a settings file. */
static void test_rule_format_characters(void **state)
{
    (void)state;
    size_t count = sizeof(invisible_in_rules) / sizeof(*invisible_in_rules);
    for (size_t i = 0; i < count; i++) {
        char character[5];
        char yaml[64];
        char json[96];
        char fragment[128];
        encode_utf8(invisible_in_rules[i], character);
        snprintf(yaml, sizeof(yaml), "deny: [\"Bash(rm%s *)\"]\n", character);
        snprintf(json, sizeof(json), "{\"permissions\": {\"deny\": [\"Bash(rm%s *)\"]}}",
                 character);
        snprintf(fragment, sizeof(fragment), "the deny rule contains the invisible or "
                 "space-like character U+%04X at byte 7", (unsigned)invisible_in_rules[i]);

        ag_error *error = NULL;
        if (add_text("policy.yaml", yaml, AG_LAYER_COMMAND_LINE, &error) != AG_ERR_RULE)
            fail_msg("a deny rule with U+%04X loaded", (unsigned)invisible_in_rules[i]);
        ag_error_free(error);
        expect_error("policy.yaml", yaml, AG_LAYER_COMMAND_LINE, AG_ERR_RULE, 1, 8, fragment);
        expect_error("settings.json", json, AG_LAYER_USER, AG_ERR_RULE, 1, 27, fragment);
    }

    /* An allow rule with one warns, and a key with one gets "did you mean". */
    ag_policy *policy = build_text("policy.yaml", "allow: [\"Bash(ls\xD8\x80 *)\"]\n",
                                   AG_LAYER_COMMAND_LINE);
    expect_one_warning(policy, "the allow rule \"Bash(ls\\u0600 *)\" contains the invisible "
                               "or space-like character U+0600 at byte 7");
    ag_policy_free(policy);
    expect_error("settings.json", "{\"permissions\\u06DD\": {}}", AG_LAYER_USER,
                 AG_ERR_POLICY_KEY, 1, 2, "U+06DD at byte 11; remove it); did you mean");

    /* Their visible neighbours (U+0606, U+06DE, U+110BE) load without a warning. */
    policy = build_text("policy.yaml", "deny: [\"Bash(echo \xD8\x86)\", "
                        "\"Bash(echo \xDB\x9E)\", \"Bash(echo \xF0\x91\x82\xBE)\"]\n",
                        AG_LAYER_COMMAND_LINE);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    assert_int_equal(ag_policy_rule_count(policy), 3);
    ag_policy_free(policy);
}

/* A list entry that YAML reads as a null, boolean or number is no rule. */
static void test_rule_typed_literal(void **state)
{
    (void)state;
    expect_error("settings.json", "{\"permissions\": {\"deny\": [5]}}", AG_LAYER_PROJECT,
                 AG_ERR_POLICY_VALUE, 1, 27, "not a number");
    expect_error("settings.json", "{\"permissions\": {\"deny\": [\"Bash(rm *)\", null]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 41, "not a null");
    expect_error("settings.json", "{\"permissions\": {\"ask\": [true]}}", AG_LAYER_PROJECT,
                 AG_ERR_POLICY_VALUE, 1, 26, "not a boolean");
    expect_error("policy.yaml", "deny:\n  - -1.5\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_POLICY_VALUE, 2, 5, "not a number");
    expect_error("policy.yaml", "deny: [~]\n", AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 1, 8,
                 "quote it if it is meant as a rule");
}

/*
 * allowManagedPermissionRulesOnly in a settings file outside the managed
 * layer is ignored with a warning, as in Claude Code, so that a project that
 * ships it does not block every call. The YAML key stays an error.
 */
static void test_managed_only_outside_managed(void **state)
{
    (void)state;
    expect_error("policy.yaml", "deny: []\nallow_managed_rules_only: true\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 2, 1, "only valid in the managed");

    static const ag_layer layers[] = {AG_LAYER_COMMAND_LINE, AG_LAYER_LOCAL_PROJECT,
                                      AG_LAYER_PROJECT, AG_LAYER_USER};
    for (size_t i = 0; i < sizeof(layers) / sizeof(*layers); i++) {
        ag_policy *policy = build_text(
            "settings.json",
            "{\"allowManagedPermissionRulesOnly\": true, "
            "\"permissions\": {\"allow\": [\"Bash(ls)\"]}}", layers[i]);
        expect_one_warning(policy, "settings.json:1:2: warning: "
                                   "\"allowManagedPermissionRulesOnly\" is ignored");
        assert_int_equal(ag_policy_rule_count(policy), 1);
        ag_policy_free(policy);
    }

    /* In the managed layer it keeps only the managed allow rules. */
    ag_policy *policy = build_text("managed-settings.json",
                                   "{\"allowManagedPermissionRulesOnly\": true}",
                                   AG_LAYER_MANAGED);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);
}

static void test_unknown_mode_name(void **state)
{
    (void)state;
    expect_error("policy.yaml", "mode: yolo\n", AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 1,
                 7, "invalid value \"yolo\" for 'mode'; use default, acceptEdits");
    expect_error("settings.json", "{\"permissions\": {\"defaultMode\": \"yolo\"}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 33,
                 "invalid value \"yolo\" for 'defaultMode'");
    /* YAML's `mode:` is this library's own key and takes only the mode names. */
    expect_error("policy.yaml", "mode: auto\n", AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 1,
                 7, "invalid value \"auto\" for 'mode'");
}

/* defaultMode "manual" is Claude Code's alias of "default"; "auto" has no classifier here. */
static void test_settings_mode_aliases(void **state)
{
    (void)state;
    ag_policy *policy = build_text("settings.json",
                                   "{\"permissions\": {\"defaultMode\": \"manual\"}}",
                                   AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_DEFAULT);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);

    policy = build_text("settings.json", "{\"permissions\": {\"defaultMode\": \"auto\"}}",
                        AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_DEFAULT);
    expect_one_warning(policy, "settings.json:1:33: warning: \"defaultMode\": \"auto\" is read "
                               "as \"default\"");
    ag_policy_free(policy);

    /* A user's "auto" does not win over a project's acceptEdits: both are modes. */
    ag_policy_builder *builder = ag_policy_builder_new();
    const char *user = "{\"permissions\": {\"defaultMode\": \"auto\"}}";
    const char *project = "{\"permissions\": {\"defaultMode\": \"acceptEdits\"}}";
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "user.json", user,
                                                           strlen(user), AG_LAYER_USER, NULL),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "project.json", project,
                                                           strlen(project), AG_LAYER_PROJECT,
                                                           NULL), AG_OK);
    policy = ag_policy_builder_build(builder, NULL);
    ag_policy_builder_free(builder);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_ACCEPT_EDITS);
    ag_policy_free(policy);
}

/* permissions.disableAutoMode is a documented Claude Code key; it has nothing to disable here. */
static void test_settings_disable_auto_mode(void **state)
{
    (void)state;
    ag_policy *policy = build_text(
        "settings.json",
        "{\"permissions\": {\"disableAutoMode\": \"disable\", \"deny\": [\"Bash(rm *)\"]}}",
        AG_LAYER_USER);
    assert_int_equal(ag_policy_rule_count(policy), 1);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_DEFAULT);
    ag_policy_free(policy);

    expect_error("settings.json", "{\"permissions\": {\"disableAutoMode\": \"yes\"}}",
                 AG_LAYER_USER, AG_ERR_POLICY_VALUE, 1, 37,
                 "invalid value \"yes\" for \"disableAutoMode\"; it accepts only \"disable\"");
    expect_error("settings.json", "{\"permissions\": {\"disableBypassPermissionsMode\": true}}",
                 AG_LAYER_USER, AG_ERR_POLICY_VALUE, 1, 50,
                 "invalid value \"true\" for \"disableBypassPermissionsMode\"");
    /* A misspelt key inside "permissions" still fails the load. */
    expect_error("settings.json", "{\"permissions\": {\"deyn\": [\"Bash(rm *)\"]}}",
                 AG_LAYER_USER, AG_ERR_POLICY_KEY, 1, 18, "disableAutoMode");
}

/* An additional directory is a path, and YAML reads an unquoted 5 as a number. */
static void test_additional_directory_not_string(void **state)
{
    (void)state;
    expect_error("policy.yaml", "additional_directories: [5]\n", AG_LAYER_COMMAND_LINE,
                 AG_ERR_POLICY_VALUE, 1, 26, "must be a path string, not a number");
    expect_error("settings.json", "{\"permissions\": {\"additionalDirectories\": [true]}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 44, "not a boolean");
    ag_policy *policy = build_text("policy.yaml", "additional_directories: [\"5\"]\n",
                                   AG_LAYER_COMMAND_LINE);
    ag_policy_free(policy);
}

static void test_mode_locked_needs_mode(void **state)
{
    (void)state;
    expect_error("policy.yaml", "default: ask\nmode_locked: true\n", AG_LAYER_MANAGED,
                 AG_ERR_POLICY_VALUE, 2, 1, "needs a mode");
}

static void test_layer_out_of_range(void **state)
{
    (void)state;
    ag_error *error = NULL;
    assert_int_equal(add_text("policy.yaml", "default: ask\n", (ag_layer)9, &error),
                     AG_ERR_ARGUMENT);
    ag_error_free(error);
}

/* The layer is checked first, so a source that would also fail cannot hide the bad layer. */
static void test_layer_out_of_range_first(void **state)
{
    (void)state;
    ag_error *error = NULL;
    assert_int_equal(add_text("policy.yaml", "deny: [", (ag_layer)9, &error), AG_ERR_ARGUMENT);
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    assert_string_equal(ag_error_message(error),
                        "error[AG_ERR_ARGUMENT]: the layer 9 is not an ag_layer value");
    ag_error_free(error);

    error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    assert_int_equal(ag_policy_builder_add_file_in_layer(builder, "/nonexistent/policy.yaml",
                                                         (ag_layer)-1, &error),
                     AG_ERR_ARGUMENT);
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    assert_null(ag_error_file(error));
    ag_error_free(error);
    ag_policy_builder_free(builder);
}

/* ------------------------------------------------------------ names and API */

static void test_mode_names_round_trip(void **state)
{
    (void)state;
    for (int i = AG_MODE_DEFAULT; i <= AG_MODE_BYPASS_PERMISSIONS; i++) {
        ag_mode mode;
        assert_true(ag_mode_from_name(ag_mode_name((ag_mode)i), &mode));
        assert_int_equal(mode, i);
    }
    ag_mode mode;
    assert_false(ag_mode_from_name("acceptedits", &mode));
    assert_string_equal(ag_mode_name((ag_mode)42), "unknown");
}

static void test_layer_names_round_trip(void **state)
{
    (void)state;
    for (int i = AG_LAYER_MANAGED; i <= AG_LAYER_USER; i++) {
        ag_layer layer;
        assert_true(ag_layer_from_name(ag_layer_name((ag_layer)i), &layer));
        assert_int_equal(layer, i);
    }
    ag_layer layer;
    assert_false(ag_layer_from_name("system", &layer));
}

/* A NULL name or output is a caller's mistake: false, not a crash. */
static void test_names_null_arguments(void **state)
{
    (void)state;
    ag_layer layer = AG_LAYER_USER;
    ag_mode mode = AG_MODE_PLAN;
    assert_false(ag_layer_from_name(NULL, &layer));
    assert_false(ag_layer_from_name("managed", NULL));
    assert_int_equal(layer, AG_LAYER_USER);
    assert_false(ag_mode_from_name(NULL, &mode));
    assert_false(ag_mode_from_name("default", NULL));
    assert_int_equal(mode, AG_MODE_PLAN);
}

static void test_locked_mode_ignores_host(void **state)
{
    (void)state;
    ag_policy *policy = build_text("m.yaml", "mode: plan\nmode_locked: true\n",
                                   AG_LAYER_MANAGED);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_PLAN);
    assert_true(ag_policy_mode_locked(policy));

    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_BYPASS_PERMISSIONS), AG_OK);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_PLAN);
    assert_int_equal(ag_checker_set_mode(checker, (ag_mode)7), AG_ERR_ARGUMENT);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_unlocked_mode_follows_host(void **state)
{
    (void)state;
    ag_policy *policy = build_text("m.yaml", "mode: plan\n", AG_LAYER_USER);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_PLAN);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_DONT_ASK), AG_OK);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_DONT_ASK);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_disable_bypass_keeps_mode(void **state)
{
    (void)state;
    ag_policy *policy = build_text(
        "managed-settings.json",
        "{\"permissions\": {\"disableBypassPermissionsMode\": \"disable\"}}", AG_LAYER_MANAGED);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_BYPASS_PERMISSIONS), AG_OK);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_DEFAULT);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* Builds a policy of a user-layer source and a source in `layer`, each given as text. */
static ag_policy *build_user_and(const char *user, const char *name, const char *text,
                                 ag_layer layer)
{
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    if (user != NULL)
        assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "user.yaml", user,
                                                               strlen(user), AG_LAYER_USER,
                                                               &error), AG_OK);
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, name, text, strlen(text),
                                                           layer, &error), AG_OK);
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    assert_non_null(policy);
    return policy;
}

/*
 * A project or local_project source comes with the working tree, so its
 * bypassPermissions and its mode_locked are ignored with a warning, and the
 * mode falls to the user's.
 */
static void test_project_bypass_ignored(void **state)
{
    (void)state;
    static const ag_layer tree_layers[] = {AG_LAYER_PROJECT, AG_LAYER_LOCAL_PROJECT};
    for (size_t i = 0; i < 2; i++) {
        ag_policy *policy = build_user_and(NULL, "settings.json",
                                           "{\"permissions\": {\"defaultMode\": "
                                           "\"bypassPermissions\"}}", tree_layers[i]);
        assert_int_equal(ag_policy_mode(policy), AG_MODE_DEFAULT);
        expect_one_warning(policy, "settings.json:1:33: warning: the mode bypassPermissions "
                                   "('defaultMode') is ignored in the");
        assert_non_null(strstr(ag_policy_warning(policy, 0), ag_layer_name(tree_layers[i])));
        ag_policy_free(policy);

        policy = build_user_and("mode: plan\n", "p.yaml",
                                "mode: bypassPermissions\nmode_locked: true\n", tree_layers[i]);
        assert_int_equal(ag_policy_mode(policy), AG_MODE_PLAN);
        assert_false(ag_policy_mode_locked(policy));
        assert_int_equal(ag_policy_warning_count(policy), 2);
        assert_non_null(strstr(ag_policy_warning(policy, 0), "p.yaml:1:7: warning: the mode "
                               "bypassPermissions ('mode') is ignored in the"));
        assert_non_null(strstr(ag_policy_warning(policy, 1),
                               "p.yaml:2:1: warning: 'mode_locked' is ignored in the"));
        ag_policy_free(policy);
    }

    /* The trusted layers keep their bypassPermissions, and without a warning. */
    static const ag_layer trusted_layers[] = {AG_LAYER_MANAGED, AG_LAYER_COMMAND_LINE,
                                              AG_LAYER_USER};
    for (size_t i = 0; i < 3; i++) {
        ag_policy *policy = build_text("p.yaml", "mode: bypassPermissions\nmode_locked: true\n",
                                       trusted_layers[i]);
        assert_int_equal(ag_policy_mode(policy), AG_MODE_BYPASS_PERMISSIONS);
        assert_true(ag_policy_mode_locked(policy));
        assert_int_equal(ag_policy_warning_count(policy), 0);
        ag_policy_free(policy);
    }
}

/* A project's lock of a mode it may set (plan) does not keep the host's mode out. */
static void test_project_lock_ignored(void **state)
{
    (void)state;
    ag_policy *policy = build_user_and(NULL, "p.yaml", "mode: plan\nmode_locked: true\n",
                                       AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_PLAN);
    assert_false(ag_policy_mode_locked(policy));
    expect_one_warning(policy, "p.yaml:2:1: warning: 'mode_locked' is ignored in the project "
                               "layer");
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_DEFAULT), AG_OK);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_DEFAULT);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * A user-layer lock keeps its mode against the project layers, which rank
 * above the user's. Without the lock the project's mode wins, as in Claude
 * Code.
 */
static void test_user_lock_beats_project_mode(void **state)
{
    (void)state;
    const char *project = "{\"permissions\": {\"defaultMode\": \"acceptEdits\"}}";
    ag_policy *policy = build_user_and("mode: default\nmode_locked: true\n", "settings.json",
                                       project, AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_DEFAULT);
    assert_true(ag_policy_mode_locked(policy));
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_BYPASS_PERMISSIONS), AG_OK);
    assert_int_equal(ag_checker_mode(checker), AG_MODE_DEFAULT);
    ag_checker_free(checker);
    ag_policy_free(policy);

    policy = build_user_and("mode: default\n", "settings.json", project, AG_LAYER_PROJECT);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_ACCEPT_EDITS);
    assert_false(ag_policy_mode_locked(policy));
    ag_policy_free(policy);

    /* A command-line mode still beats a user lock, because that layer ranks above it. */
    ag_policy_builder *builder = ag_policy_builder_new();
    const char *user = "mode: plan\nmode_locked: true\n";
    const char *command_line = "mode: acceptEdits\n";
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "user.yaml", user,
                                                           strlen(user), AG_LAYER_USER, NULL),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "cli.yaml", command_line,
                                                           strlen(command_line),
                                                           AG_LAYER_COMMAND_LINE, NULL), AG_OK);
    policy = ag_policy_builder_build(builder, NULL);
    ag_policy_builder_free(builder);
    assert_int_equal(ag_policy_mode(policy), AG_MODE_ACCEPT_EDITS);
    assert_false(ag_policy_mode_locked(policy));
    ag_policy_free(policy);
}

static void test_verdict_names_layer(void **state)
{
    (void)state;
    ag_policy *policy = build_text("settings.local.json",
                                   "{\"permissions\": {\"deny\": [\"Bash(rm *)\"]}}",
                                   AG_LAYER_LOCAL_PROJECT);
    ag_checker *checker = ag_checker_new(policy, NULL);
    const ag_verdict *verdict = ag_check_command(checker, "rm -rf x", 8, "/repo", NULL);
    assert_non_null(verdict);
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    ag_layer layer = AG_LAYER_USER;
    assert_true(ag_verdict_layer(verdict, &layer));
    assert_int_equal(layer, AG_LAYER_LOCAL_PROJECT);
    assert_string_equal(ag_verdict_source(verdict), "settings.local.json:1:27");

    verdict = ag_check_command(checker, "ls", 2, "/repo", NULL);
    assert_false(ag_verdict_layer(verdict, &layer));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* The policy's own file is protected even under an allow-everything policy. */
static void test_policy_file_is_protected(void **state)
{
    (void)state;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/modes-allow-all.yaml", policies_dir);
    char *resolved = realpath(path, NULL);
    assert_non_null(resolved);

    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_file(path, &error);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, NULL);
    char input[PATH_MAX + 32];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s\"}", resolved);
    const ag_verdict *verdict = ag_check(checker, "Write", input, "/", NULL);
    assert_non_null(verdict);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_non_null(strstr(ag_verdict_reason(verdict), "modes-allow-all.yaml"));

    ag_checker_free(checker);
    ag_policy_free(policy);
    free(resolved);
}

/* ------------------------------------------- rule files and `/path` anchors */

/* Creates the directory root/name; fails the test on an error. */
static void make_directory(const char *root, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    if (mkdir(path, 0700) != 0)
        fail_msg("cannot create %s", path);
}

/* Writes `text` to root/name and returns the path in `path`. */
static void write_file(const char *root, const char *name, const char *text, char *path,
                       size_t size)
{
    snprintf(path, size, "%s/%s", root, name);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

/* Returns the decision for a Read or Edit of `path` below `root`, with `root` as the cwd. */
static ag_decision file_decision(const ag_policy *policy, const char *tool, const char *root,
                                 const char *path)
{
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, root), AG_OK);
    char input[PATH_MAX + 64];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s/%s\"}", root, path);
    const ag_verdict *verdict = ag_check(checker, tool, input, root, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    return decision;
}

static ag_policy *load_in_layer(const char *path, ag_layer layer)
{
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    if (ag_policy_builder_add_file_in_layer(builder, path, layer, &error) != AG_OK)
        fail_msg("cannot add %s: %s", path, ag_error_message(error));
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    assert_non_null(policy);
    return policy;
}

/* Returns the decision for a Write of `path` with `cwd`. */
static ag_decision write_decision(const ag_policy *policy, const char *cwd, const char *path)
{
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    char input[PATH_MAX + 64];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s\", \"content\": \"x\"}", path);
    const ag_verdict *verdict = ag_check(checker, "Write", input, cwd, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    return decision;
}

/*
 * A write to the policy's own file needs an Edit allow rule that names the
 * file without wildcards; a glob that contains the file's name no longer
 * counts, and neither does a tree write that contains the file. A policy file
 * given to this run can only be unlocked by a managed rule, so the exact
 * rules allow in the managed layer and ask in the command-line layer.
 */
static void test_policy_file_needs_exact_rule(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *resolved = realpath(root, NULL);
    assert_non_null(resolved);
    char path[PATH_MAX], written[PATH_MAX + 16];
    snprintf(written, sizeof(written), "%s/p.yaml", resolved);

    static const struct {
        const char *text;
        ag_decision expected;
    } cases[] = {
        {"allow: [\"Edit(./**/p.yaml)\", \"Bash(rm *)\"]\n", AG_ASK},
        {"allow: [\"Edit(p.yaml)\"]\n", AG_ASK},
        {"allow: [\"Edit(./**)\", \"Edit(/p.yaml)\"]\n", AG_ALLOW},
        {"allow: [\"Edit(./p.yaml)\"]\n", AG_ALLOW},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        write_file(resolved, "p.yaml", cases[i].text, path, sizeof(path));
        ag_policy *policy = load_in_layer(path, AG_LAYER_MANAGED);
        if (write_decision(policy, resolved, written) != cases[i].expected)
            fail_msg("case %zu: expected %s", i, ag_decision_name(cases[i].expected));
        ag_policy_free(policy);

        policy = load_in_layer(path, AG_LAYER_COMMAND_LINE);
        if (write_decision(policy, resolved, written) != AG_ASK)
            fail_msg("case %zu in the command-line layer: expected ask", i);
        ag_policy_free(policy);
    }

    write_file(resolved, "p.yaml", cases[0].text, path, sizeof(path));
    ag_policy *policy = load_in_layer(path, AG_LAYER_COMMAND_LINE);
    ag_checker *checker = ag_checker_new(policy, NULL);
    char command[PATH_MAX + 16];
    snprintf(command, sizeof(command), "rm -r %s", resolved);
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), "/", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_non_null(strstr(ag_verdict_reason(verdict), "a file that sets the permission rules"));
    ag_checker_free(checker);
    ag_policy_free(policy);

    unlink(path);
    rmdir(root);
    free(resolved);
}

/* The rule files of layered_decisions(), below its root, by ag_layer. */
static const char *const layered_files[] = {
    "mgd/managed-settings.json", NULL, "proj/.claude/settings.local.json",
    "proj/.claude/settings.json", "home/.claude/settings.json",
};

/*
 * Loads one settings file per layer below `root`, with the allow rules of
 * texts[layer] (NULL for none) and a deny of Bash(curl *). Stores in
 * decisions[] the decision for a Write of each file of layered_files[]. The
 * cwd is root/proj and the home is root/home.
 */
static void layered_decisions(const char *root, const char *const texts[5],
                              ag_decision decisions[5])
{
    char path[PATH_MAX];
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    for (int layer = AG_LAYER_MANAGED; layer <= AG_LAYER_USER; layer++) {
        const char *name = layered_files[layer] != NULL ? layered_files[layer] : "p.json";
        char text[1024];
        snprintf(text, sizeof(text),
                 "{\"permissions\": {\"deny\": [\"Bash(curl *)\"], \"allow\": [%s]}}",
                 texts[layer] != NULL ? texts[layer] : "");
        write_file(root, name, text, path, sizeof(path));
        if (ag_policy_builder_add_file_in_layer(builder, path, (ag_layer)layer, &error) != AG_OK)
            fail_msg("cannot add %s: %s", path, ag_error_message(error));
    }
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    assert_non_null(policy);

    char cwd[PATH_MAX], home[PATH_MAX], input[PATH_MAX + 64];
    snprintf(cwd, sizeof(cwd), "%s/proj", root);
    snprintf(home, sizeof(home), "%s/home", root);
    for (int layer = AG_LAYER_MANAGED; layer <= AG_LAYER_USER; layer++) {
        const char *name = layered_files[layer] != NULL ? layered_files[layer] : "p.json";
        ag_checker *checker = ag_checker_new(policy, NULL);
        assert_non_null(checker);
        assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
        snprintf(input, sizeof(input), "{\"file_path\": \"%s/%s\", \"content\": \"{}\"}",
                 root, name);
        const ag_verdict *verdict = ag_check(checker, "Write", input, cwd, NULL);
        assert_non_null(verdict);
        decisions[layer] = ag_verdict_decision(verdict);
        ag_checker_free(checker);
    }
    ag_policy_free(policy);
}

/*
 * An exact Edit rule unlocks a rule file only from a layer that may. Only
 * the managed layer unlocks the managed file and the command-line policy.
 * The managed, command-line and user layers unlock ~/.claude/settings.json,
 * and the project's own layers unlock the project's files. So a project's
 * file cannot unlock the user's or the managed file.
 */
static void test_rule_file_exempt_by_layer(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *resolved = realpath(root, NULL);
    assert_non_null(resolved);
    make_directory(resolved, "mgd");
    make_directory(resolved, "proj");
    make_directory(resolved, "proj/.claude");
    make_directory(resolved, "home");
    make_directory(resolved, "home/.claude");

    /* One rule that names every rule file, written in one layer at a time. */
    char every[2048];
    snprintf(every, sizeof(every),
             "\"Edit(//%s/mgd/managed-settings.json)\", \"Edit(//%s/p.json)\", "
             "\"Edit(//%s/proj/.claude/settings.local.json)\", "
             "\"Edit(//%s/proj/.claude/settings.json)\", \"Edit(~/.claude/settings.json)\"",
             resolved + 1, resolved + 1, resolved + 1, resolved + 1);
    static const ag_decision expected[5][5] = {
        /* by the rule's layer, then by the written file's layer */
        [AG_LAYER_MANAGED] = {AG_ALLOW, AG_ALLOW, AG_ALLOW, AG_ALLOW, AG_ALLOW},
        [AG_LAYER_COMMAND_LINE] = {AG_ASK, AG_ASK, AG_ALLOW, AG_ALLOW, AG_ALLOW},
        [AG_LAYER_LOCAL_PROJECT] = {AG_ASK, AG_ASK, AG_ALLOW, AG_ALLOW, AG_ASK},
        [AG_LAYER_PROJECT] = {AG_ASK, AG_ASK, AG_ASK, AG_ALLOW, AG_ASK},
        [AG_LAYER_USER] = {AG_ASK, AG_ASK, AG_ASK, AG_ASK, AG_ALLOW},
    };
    for (int rule_layer = AG_LAYER_MANAGED; rule_layer <= AG_LAYER_USER; rule_layer++) {
        const char *texts[5] = {NULL};
        texts[rule_layer] = every;
        ag_decision decisions[5];
        layered_decisions(resolved, texts, decisions);
        for (int file = AG_LAYER_MANAGED; file <= AG_LAYER_USER; file++) {
            if (decisions[file] != expected[rule_layer][file])
                fail_msg("a %s rule writing the %s file: expected %s, got %s",
                         ag_layer_name((ag_layer)rule_layer), ag_layer_name((ag_layer)file),
                         ag_decision_name(expected[rule_layer][file]),
                         ag_decision_name(decisions[file]));
        }
    }

    char path[PATH_MAX];
    for (int layer = AG_LAYER_MANAGED; layer <= AG_LAYER_USER; layer++) {
        snprintf(path, sizeof(path), "%s/%s", resolved,
                 layered_files[layer] != NULL ? layered_files[layer] : "p.json");
        unlink(path);
    }
    static const char *const directories[] = {"home/.claude", "home", "proj/.claude", "proj",
                                              "mgd", ""};
    for (size_t i = 0; i < sizeof(directories) / sizeof(*directories); i++) {
        snprintf(path, sizeof(path), "%s/%s", resolved, directories[i]);
        rmdir(path);
    }
    free(resolved);
}

/*
 * A protected path outside the project, and ~/.claude.json, which sets the
 * user's MCP servers and each project's trust, apply to every project like
 * the user's settings file. So only a managed, command-line or user rule
 * unlocks them, while a project's rule still unlocks the project's own.
 */
static void test_home_paths_exempt_by_layer(void **state)
{
    (void)state;
    static const char rules[] =
        "{\"permissions\": {\"allow\": [\"Edit(~/.bashrc)\", \"Edit(~/.claude.json)\", "
        "\"Edit(~/.claude/hooks/x.sh)\", \"Edit(./.npmrc)\"]}}";
    static const char *const home_paths[] = {"/home/u/.bashrc", "/home/u/.claude.json",
                                             "/home/u/.claude/hooks/x.sh"};
    for (int layer = AG_LAYER_MANAGED; layer <= AG_LAYER_USER; layer++) {
        ag_policy *policy = build_text("rules.json", rules, (ag_layer)layer);
        ag_checker *checker = ag_checker_new(policy, NULL);
        assert_non_null(checker);
        assert_int_equal(ag_checker_set_home(checker, "/home/u"), AG_OK);
        bool trusted = !(layer == AG_LAYER_PROJECT || layer == AG_LAYER_LOCAL_PROJECT);
        for (size_t i = 0; i < sizeof(home_paths) / sizeof(*home_paths); i++) {
            char input[256];
            snprintf(input, sizeof(input), "{\"file_path\": \"%s\", \"content\": \"x\"}",
                     home_paths[i]);
            const ag_verdict *verdict = ag_check(checker, "Write", input, "/home/u/proj", NULL);
            assert_non_null(verdict);
            if (ag_verdict_decision(verdict) != (trusted ? AG_ALLOW : AG_ASK))
                fail_msg("a %s rule writing %s: got %s (%s)", ag_layer_name((ag_layer)layer),
                         home_paths[i], ag_decision_name(ag_verdict_decision(verdict)),
                         ag_verdict_reason(verdict));
        }

        const ag_verdict *verdict = ag_check(checker, "Write", "{\"file_path\": "
                                             "\"/home/u/proj/.npmrc\", \"content\": \"x\"}",
                                             "/home/u/proj", NULL);
        assert_non_null(verdict);
        assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);
        ag_checker_free(checker);
        ag_policy_free(policy);
    }
}

/* A managed-settings.json that no layer loaded is still a rule file of the managed layer. */
static void test_unloaded_managed_file_protected(void **state)
{
    (void)state;
    ag_policy *policy = build_text("p.yaml", "allow: [\"Edit(//etc/claude-code/**)\", "
                                   "\"Edit(//etc/claude-code/managed-settings.json)\"]\n",
                                   AG_LAYER_COMMAND_LINE);
    assert_int_equal(write_decision(policy, "/tmp", "/etc/claude-code/managed-settings.json"),
                     AG_ASK);
    assert_int_equal(write_decision(policy, "/tmp", "/etc/claude-code/other.json"), AG_ALLOW);
    ag_policy_free(policy);

    policy = build_text("managed.yaml",
                        "allow: [\"Edit(//etc/claude-code/managed-settings.json)\"]\n",
                        AG_LAYER_MANAGED);
    assert_int_equal(write_decision(policy, "/tmp", "/etc/claude-code/managed-settings.json"),
                     AG_ALLOW);
    ag_policy_free(policy);
}

static const char anchored_settings[] =
    "{\"permissions\": {\"deny\": [\"Read(/secrets/**)\"], \"allow\": [\"Edit(/src/**/*.ts)\"]}}";

/*
 * Claude Code anchors `/path` in a project's .claude/settings.json and
 * .claude/settings.local.json at the project root, the parent of .claude,
 * and in the user's ~/.claude/settings.json at ~/.claude.
 */
static void test_settings_anchor_at_project_root(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    make_directory(root, ".claude");
    char path[PATH_MAX];
    write_file(root, ".claude/settings.json", anchored_settings, path, sizeof(path));

    static const ag_layer project_layers[] = {AG_LAYER_PROJECT, AG_LAYER_LOCAL_PROJECT};
    for (size_t i = 0; i < 2; i++) {
        ag_policy *policy = load_in_layer(path, project_layers[i]);
        assert_int_equal(file_decision(policy, "Read", root, "secrets/k"), AG_DENY);
        assert_int_equal(file_decision(policy, "Read", root, ".claude/secrets/k"), AG_ASK);
        assert_int_equal(file_decision(policy, "Edit", root, "src/ui/app.ts"), AG_ALLOW);
        assert_int_equal(file_decision(policy, "Edit", root, ".claude/src/ui/app.ts"), AG_ASK);
        ag_policy_free(policy);
    }

    /* User settings, and the command-line layer (`--settings FILE`), keep the file's directory. */
    static const ag_layer file_layers[] = {AG_LAYER_USER, AG_LAYER_COMMAND_LINE};
    for (size_t i = 0; i < 2; i++) {
        ag_policy *policy = load_in_layer(path, file_layers[i]);
        assert_int_equal(file_decision(policy, "Read", root, "secrets/k"), AG_ASK);
        assert_int_equal(file_decision(policy, "Read", root, ".claude/secrets/k"), AG_DENY);
        ag_policy_free(policy);
    }

    /* A project file outside a .claude directory keeps its directory too. */
    char other[PATH_MAX];
    write_file(root, "project.json", anchored_settings, other, sizeof(other));
    ag_policy *policy = load_in_layer(other, AG_LAYER_PROJECT);
    assert_int_equal(file_decision(policy, "Read", root, "secrets/k"), AG_DENY);
    ag_policy_free(policy);

    unlink(other);
    unlink(path);
    snprintf(path, sizeof(path), "%s/.claude", root);
    rmdir(path);
    rmdir(root);
}

/* Returns the decision for a Write of `path` with `cwd`, in acceptEdits mode. */
static ag_decision accept_edits_write(const ag_policy *policy, const char *cwd, const char *path)
{
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_ACCEPT_EDITS), AG_OK);
    char input[PATH_MAX + 64];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s\", \"content\": \"x\"}", path);
    const ag_verdict *verdict = ag_check(checker, "Write", input, cwd, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    return decision;
}

/*
 * An additional directory of a project's settings counts as a working
 * directory only below the project root, the parent of its .claude
 * directory. So `..` still adds the root to a cwd in a subdirectory, and `/`
 * adds nothing outside the project. In the user layer the same file adds `/`.
 */
static void test_project_directories_stay_in_root(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *resolved = realpath(root, NULL);
    assert_non_null(resolved);
    make_directory(resolved, ".claude");
    make_directory(resolved, "app");
    char path[PATH_MAX];
    write_file(resolved, ".claude/settings.json",
               "{\"permissions\": {\"additionalDirectories\": [\"..\", \"/\"]}}", path,
               sizeof(path));

    char cwd[PATH_MAX], inside[PATH_MAX];
    snprintf(cwd, sizeof(cwd), "%s/app", resolved);
    snprintf(inside, sizeof(inside), "%s/lib/x.c", resolved);
    static const ag_layer tree_layers[] = {AG_LAYER_PROJECT, AG_LAYER_LOCAL_PROJECT};
    for (size_t i = 0; i < 2; i++) {
        ag_policy *policy = load_in_layer(path, tree_layers[i]);
        assert_int_equal(accept_edits_write(policy, cwd, inside), AG_ALLOW);
        assert_int_equal(accept_edits_write(policy, cwd, "/opt/tool/x.sh"), AG_ASK);
        assert_int_equal(accept_edits_write(policy, cwd, "/tmp/elsewhere.c"), AG_ASK);
        ag_policy_free(policy);
    }

    ag_policy *policy = load_in_layer(path, AG_LAYER_USER);
    assert_int_equal(accept_edits_write(policy, cwd, "/opt/tool/x.sh"), AG_ALLOW);
    ag_policy_free(policy);

    /* A project source given as a string has no project root, so its directories never count. */
    policy = build_text("settings.json", "{\"permissions\": {\"additionalDirectories\": "
                        "[\"/srv\"]}}", AG_LAYER_PROJECT);
    assert_int_equal(accept_edits_write(policy, "/repo", "/srv/a.c"), AG_ASK);
    assert_int_equal(accept_edits_write(policy, "/repo", "/repo/a.c"), AG_ALLOW);
    ag_policy_free(policy);

    unlink(path);
    snprintf(path, sizeof(path), "%s/.claude", resolved);
    rmdir(path);
    rmdir(cwd);
    rmdir(resolved);
    free(resolved);
}

/* Asserts that warning `index` of `policy` contains each of two fragments. */
static void expect_warning(const ag_policy *policy, size_t index, const char *first,
                           const char *second)
{
    const char *warning = ag_policy_warning(policy, index);
    assert_non_null(warning);
    if (strstr(warning, first) == NULL || strstr(warning, second) == NULL)
        fail_msg("warning %zu: expected \"%s\" and \"%s\" in: %s", index, first, second,
                 warning);
}

/*
 * A project's additional directory that lies outside its project root, as
 * written or through a link, covers at most the root, so it gets a load
 * warning with its place. Directories inside the root, "~" paths (the home
 * is known only at check time) and the user's directories get none.
 */
static void test_project_directories_outside_warned(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *resolved = realpath(root, NULL);
    assert_non_null(resolved);
    make_directory(resolved, ".claude");
    make_directory(resolved, "app");
    make_directory(resolved, "outside");
    make_directory(resolved, "outside/project");
    /* Half of PATH_MAX, so that the paths below it fit into the other buffers. */
    char project[PATH_MAX / 2], link_path[PATH_MAX], path[PATH_MAX];
    snprintf(project, sizeof(project), "%s/outside/project", resolved);
    make_directory(project, ".claude");
    snprintf(link_path, sizeof(link_path), "%s/lnk", project);
    assert_int_equal(symlink("../../app", link_path), 0);
    write_file(project, ".claude/settings.json",
               "{\"permissions\": {\"additionalDirectories\": [\n"
               "  \"..\", \"../src\", \"~/notes\", \"../../..\", \"/etc\", \"../lnk\"]}}",
               path, sizeof(path));

    static const ag_layer tree_layers[] = {AG_LAYER_PROJECT, AG_LAYER_LOCAL_PROJECT};
    for (size_t i = 0; i < 2; i++) {
        ag_policy *policy = load_in_layer(path, tree_layers[i]);
        assert_int_equal(ag_policy_warning_count(policy), 3);
        expect_warning(policy, 0, "settings.json:2:30: warning: the additional directory "
                       "\"../../..\" is ", "counts only below the project root");
        expect_warning(policy, 1, "settings.json:2:42: warning: the additional directory "
                       "\"/etc\" is /etc, outside the project root", "it is ignored");
        expect_warning(policy, 2, "settings.json:2:50: warning: the additional directory "
                       "\"../lnk\" leads through a symbolic link to", "/app, outside");
        assert_non_null(strstr(ag_policy_warning(policy, 1), ag_layer_name(tree_layers[i])));
        ag_policy_free(policy);
    }

    ag_policy *policy = load_in_layer(path, AG_LAYER_USER);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);

    /* A project source given as a string has no project root, so each directory is ignored. */
    policy = build_text("settings.json", "{\"permissions\": {\"additionalDirectories\": "
                        "[\"/srv\"]}}", AG_LAYER_PROJECT);
    expect_one_warning(policy, "settings.json:1:44: warning: the additional directory \"/srv\" "
                               "is ignored in the project layer");
    ag_policy_free(policy);

    unlink(path);
    unlink(link_path);
    snprintf(path, sizeof(path), "%s/.claude", project);
    rmdir(path);
    rmdir(project);
    snprintf(path, sizeof(path), "%s/outside", resolved);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/.claude", resolved);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/app", resolved);
    rmdir(path);
    rmdir(resolved);
    free(resolved);
}

/* A .claude that is a link to a shared directory still anchors at the project that contains it. */
static void test_settings_anchor_through_link(void **state)
{
    (void)state;
    char root[] = "/tmp/ag-layers-XXXXXX";
    assert_non_null(mkdtemp(root));
    make_directory(root, "project");
    make_directory(root, "shared");
    char path[PATH_MAX], link_path[PATH_MAX], project[PATH_MAX];
    write_file(root, "shared/settings.json", anchored_settings, path, sizeof(path));
    snprintf(link_path, sizeof(link_path), "%s/project/.claude", root);
    assert_int_equal(symlink("../shared", link_path), 0);
    snprintf(project, sizeof(project), "%s/project", root);

    char through[PATH_MAX + 32];
    snprintf(through, sizeof(through), "%s/.claude/settings.json", project);
    ag_policy *policy = load_in_layer(through, AG_LAYER_PROJECT);
    assert_int_equal(file_decision(policy, "Read", project, "secrets/k"), AG_DENY);
    ag_policy_free(policy);

    unlink(link_path);
    unlink(path);
    snprintf(path, sizeof(path), "%s/shared", root);
    rmdir(path);
    rmdir(project);
    rmdir(root);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_layers POLICIES_DIR\n");
        return 2;
    }
    policies_dir = argv[1];

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_json_has_location),
        cmocka_unit_test(test_json_only_strict_syntax),
        cmocka_unit_test(test_json_byte_order_mark),
        cmocka_unit_test(test_json_strings_read_exactly),
        cmocka_unit_test(test_json_tabs_as_whitespace),
        cmocka_unit_test(test_json_lone_surrogate),
        cmocka_unit_test(test_unquoted_json_string),
        cmocka_unit_test(test_json_unknown_permission_key),
        cmocka_unit_test(test_json_duplicate_key),
        cmocka_unit_test(test_json_empty_file),
        cmocka_unit_test(test_json_null_values),
        cmocka_unit_test(test_json_rule_list_example),
        cmocka_unit_test(test_json_long_key),
        cmocka_unit_test(test_json_nesting_limit),
        cmocka_unit_test(test_json_misspelt_top_key),
        cmocka_unit_test(test_json_invisible_key),
        cmocka_unit_test(test_messages_escape_invisible),
        cmocka_unit_test(test_rule_invisible_character),
        cmocka_unit_test(test_rule_format_characters),
        cmocka_unit_test(test_rule_typed_literal),
        cmocka_unit_test(test_managed_only_outside_managed),
        cmocka_unit_test(test_unknown_mode_name),
        cmocka_unit_test(test_settings_mode_aliases),
        cmocka_unit_test(test_settings_disable_auto_mode),
        cmocka_unit_test(test_additional_directory_not_string),
        cmocka_unit_test(test_mode_locked_needs_mode),
        cmocka_unit_test(test_layer_out_of_range),
        cmocka_unit_test(test_layer_out_of_range_first),
        cmocka_unit_test(test_mode_names_round_trip),
        cmocka_unit_test(test_layer_names_round_trip),
        cmocka_unit_test(test_names_null_arguments),
        cmocka_unit_test(test_locked_mode_ignores_host),
        cmocka_unit_test(test_unlocked_mode_follows_host),
        cmocka_unit_test(test_disable_bypass_keeps_mode),
        cmocka_unit_test(test_project_bypass_ignored),
        cmocka_unit_test(test_project_lock_ignored),
        cmocka_unit_test(test_user_lock_beats_project_mode),
        cmocka_unit_test(test_verdict_names_layer),
        cmocka_unit_test(test_policy_file_is_protected),
        cmocka_unit_test(test_policy_file_needs_exact_rule),
        cmocka_unit_test(test_rule_file_exempt_by_layer),
        cmocka_unit_test(test_home_paths_exempt_by_layer),
        cmocka_unit_test(test_unloaded_managed_file_protected),
        cmocka_unit_test(test_settings_anchor_at_project_root),
        cmocka_unit_test(test_settings_anchor_through_link),
        cmocka_unit_test(test_project_directories_stay_in_root),
        cmocka_unit_test(test_project_directories_outside_warned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
