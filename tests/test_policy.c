/*
 * Tests of policy loading: real YAML files from the directory given as the
 * first argument, parsed by libyaml, with rules compiled by PCRE2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "policy/forms.h"
#include "policy/load_internal.h"
#include "policy/policy.h"

static const char *policies_dir = "tests/policies";

/* Returns DIR/NAME in a static buffer. */
static const char *policy_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", policies_dir, name);
    return path;
}

static ag_policy *load_ok(const char *name)
{
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_file(policy_path(name), &error);
    if (policy == NULL)
        fail_msg("%s was rejected: %s", name, ag_error_message(error));
    assert_null(error);
    return policy;
}

/*
 * Loads a file that must fail with `code` at `line`:`column`, and checks that
 * the message starts with "PATH:LINE:COLUMN: error[CODE]: " and contains `expected`.
 */
static void load_fails(const char *name, ag_status code, unsigned line, unsigned column,
                       const char *expected)
{
    ag_error *error = NULL;
    const char *path = policy_path(name);
    ag_policy *policy = ag_policy_load_file(path, &error);
    if (policy != NULL)
        fail_msg("%s was accepted", name);
    assert_non_null(error);
    if (ag_error_code(error) != code)
        fail_msg("%s: expected %s, got %s", name, ag_status_name(code), ag_error_message(error));
    assert_string_equal(ag_error_file(error), path);
    if (ag_error_line(error) != line || ag_error_column(error) != column)
        fail_msg("%s: expected %u:%u, got %s", name, line, column, ag_error_message(error));

    char prefix[4200];
    snprintf(prefix, sizeof(prefix), "%s:%u:%u: error[%s]: ", path, line, column,
             ag_status_name(code));
    assert_true(strncmp(ag_error_message(error), prefix, strlen(prefix)) == 0);
    if (strstr(ag_error_message(error), expected) == NULL)
        fail_msg("%s: message lacks \"%s\": %s", name, expected, ag_error_message(error));
    ag_error_free(error);
}

/* ----------------------------------------------------------- good files */

static void test_basic_policy(void **state)
{
    (void)state;
    ag_policy *policy = load_ok("good_basic.yaml");
    assert_int_equal(ag_policy_rule_count(policy), 6);
    assert_int_equal(policy->default_decision, AG_DENY);
    assert_int_equal(policy->file_count, 1);
    assert_string_equal(policy->files[0], policy_path("good_basic.yaml"));

    const char *texts[] = {"Bash(ls *)", "Bash(git status)", "mcp__github__*",
                           "Bash(git push *)", "Bash(rm -rf /)", "Read(~/.ssh/**)"};
    const ag_decision decisions[] = {AG_ALLOW, AG_ALLOW, AG_ALLOW, AG_ASK, AG_DENY, AG_DENY};
    const unsigned lines[] = {5, 6, 7, 9, 11, 12};
    for (size_t i = 0; i < 6; i++) {
        const ag_rule *rule = &policy->rules[i];
        assert_string_equal(rule->text, texts[i]);
        assert_int_equal(rule->decision, decisions[i]);
        assert_int_equal(rule->location.line, lines[i]);
        assert_int_equal(rule->location.column, 5);
        assert_ptr_equal(rule->location.file, policy->files[0]);

        char source[4200];
        snprintf(source, sizeof(source), "%s:%u:5", policy_path("good_basic.yaml"), lines[i]);
        assert_string_equal(rule->source, source);
    }
    assert_int_equal(policy->rules[0].kind, AG_RULE_COMMAND);
    assert_int_equal(policy->rules[2].kind, AG_RULE_TOOL);
    assert_int_equal(policy->rules[5].kind, AG_RULE_SPECIFIER);

    assert_int_equal(policy->limits.max_input_bytes, 65536);
    assert_int_equal(policy->limits.timeout_micros, 250000);
    assert_int_equal(policy->limits.max_depth, AG_SHELL_DEFAULT_MAX_DEPTH);
    assert_int_equal(policy->limits.max_commands, AG_SHELL_DEFAULT_MAX_COMMANDS);
    ag_policy_free(policy);
}

static void test_empty_policies(void **state)
{
    (void)state;
    const char *names[] = {"good_empty.yaml", "good_comments_only.yaml",
                           "good_null_sections.yaml"};
    /* An empty or comment-only file may have been cut short, so it warns; null lists do not. */
    const size_t warnings[] = {1, 1, 0};
    for (size_t i = 0; i < 3; i++) {
        ag_policy *policy = load_ok(names[i]);
        assert_int_equal(ag_policy_rule_count(policy), 0);
        assert_int_equal(ag_policy_warning_count(policy), warnings[i]);
        if (warnings[i] > 0 && strstr(ag_policy_warning(policy, 0), ":1:1: warning: the policy "
                                                                    "is empty") == NULL)
            fail_msg("unexpected warning: %s", ag_policy_warning(policy, 0));
        assert_int_equal(policy->default_decision, AG_ASK);
        assert_int_equal(policy->limits.max_input_bytes, AG_SHELL_DEFAULT_MAX_INPUT_BYTES);
        assert_int_equal(policy->limits.max_depth, AG_SHELL_DEFAULT_MAX_DEPTH);
        assert_int_equal(policy->limits.max_commands, AG_SHELL_DEFAULT_MAX_COMMANDS);
        assert_int_equal(policy->limits.timeout_micros, AG_SHELL_DEFAULT_TIMEOUT_MICROS);
        ag_policy_free(policy);
    }
}

static void test_several_sources(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_allow_default.yaml"),
                                                &error), AG_OK);
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_second.yaml"),
                                                &error), AG_OK);
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"),
                                                &error), AG_OK);
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    assert_non_null(policy);

    assert_int_equal(ag_policy_rule_count(policy), 7);
    assert_int_equal(policy->file_count, 3);
    assert_string_equal(policy->rules[0].text, "Bash(pwd)");
    assert_ptr_equal(policy->rules[0].location.file, policy->files[1]);
    assert_ptr_equal(policy->rules[1].location.file, policy->files[2]);
    assert_int_equal(policy->default_decision, AG_DENY);

    /* The smallest non-zero value of each limit; 0 counts as unset. */
    assert_int_equal(policy->limits.max_input_bytes, 65536);
    assert_int_equal(policy->limits.max_depth, 50);
    assert_int_equal(policy->limits.max_commands, AG_SHELL_DEFAULT_MAX_COMMANDS);
    assert_int_equal(policy->limits.timeout_micros, 250000);
    ag_policy_free(policy);
}

static void test_default_is_strictest(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_allow_default.yaml"),
                                                NULL), AG_OK);
    ag_policy *policy = ag_policy_builder_build(builder, NULL);
    assert_int_equal(policy->default_decision, AG_ALLOW);
    ag_policy_free(policy);

    assert_int_equal(ag_policy_builder_add_string(builder, "extra", "default: ask\n", 13, NULL),
                     AG_OK);
    policy = ag_policy_builder_build(builder, NULL);
    assert_int_equal(policy->default_decision, AG_ASK);
    ag_policy_free(policy);

    /* A source without `default:` does not loosen the others. */
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_empty.yaml"), NULL),
                     AG_OK);
    policy = ag_policy_builder_build(builder, NULL);
    assert_int_equal(policy->default_decision, AG_ASK);
    ag_policy_free(policy);
    ag_policy_builder_free(builder);
}

static void test_failed_add_leaves_builder(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"), &error),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("bad_rule.yaml"), &error),
                     AG_ERR_RULE);
    ag_error_free(error);
    error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("missing.yaml"), &error),
                     AG_ERR_IO);
    ag_error_free(error);
    error = NULL;
    const char *bad = "default: deny\nallow: [Bash(ls *)]\nbogus: 1\n";
    assert_int_equal(ag_policy_builder_add_string(builder, "inline", bad, strlen(bad), &error),
                     AG_ERR_POLICY_KEY);
    ag_error_free(error);
    error = NULL;

    ag_policy *policy = ag_policy_builder_build(builder, &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_rule_count(policy), 6);
    assert_int_equal(policy->file_count, 1);
    assert_int_equal(policy->default_decision, AG_DENY);
    ag_policy_free(policy);

    /* Building again gives the same policy. */
    policy = ag_policy_builder_build(builder, &error);
    assert_int_equal(ag_policy_rule_count(policy), 6);
    ag_policy_free(policy);
    ag_policy_builder_free(builder);
}

/* A policy that uses every part a parse fills in: rules, examples, tests and settings. */
static const char full_policy[] =
    "mode: plan\n"
    "default: deny\n"
    "limits: {max_depth: 40}\n"
    "primary_fields: {mcp__db__query: sql}\n"
    "additional_directories: [\"../shared\"]\n"
    "allow:\n"
    "  - Read(src/**)\n"
    "  - rule: Bash(git log *)\n"
    "    examples: {match: [\"git log --oneline\"], not_match: [\"git push\"]}\n"
    "  - mcp__db__query(SELECT *)\n"
    "deny:\n"
    "  - Bash(git * --force)\n"
    "  - Fetch\n"
    "tests:\n"
    "  - {name: push is denied, command: \"git push\", expect: deny}\n";

static bool is_jitted(const pcre2_code *code)
{
    size_t size = 0;
    return pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &size) == 0 && size > 0;
}

/*
 * Checks that every regex a check can run is JIT-compiled, because matching
 * without JIT gives other results (see ag_rule_jit()). Literal Bash forms
 * match without PCRE2.
 */
static void assert_rules_jitted(const ag_policy *policy)
{
    uint32_t available = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &available);
    if (!available)
        return;
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *rule = &policy->rules[i];
        bool literal = rule->kind == AG_RULE_COMMAND && rule->literal_form != AG_LITERAL_NONE;
        if (rule->pattern != NULL && !literal && !is_jitted(rule->pattern))
            fail_msg("the pattern of %s is not JIT-compiled", rule->text);
        if (rule->path_pattern != NULL && !is_jitted(rule->path_pattern))
            fail_msg("the path pattern of %s is not JIT-compiled", rule->text);
    }
}

/* Checks that the rule's location points into the policy's own file names. */
static void assert_location_owned(const ag_policy *policy, const ag_rule *rule)
{
    for (size_t i = 0; i < policy->file_count; i++)
        if (rule->location.file == policy->files[i])
            return;
    fail_msg("the location of %s does not point into the policy's files", rule->text);
}

/* Checks that two builds of the same sources gave the same policy. */
static void assert_same_policy(const ag_policy *first, const ag_policy *second)
{
    assert_string_equal(ag_policy_digest(first), ag_policy_digest(second));
    assert_int_equal(first->default_decision, second->default_decision);
    assert_int_equal(first->mode, second->mode);
    assert_int_equal(first->limits.max_depth, second->limits.max_depth);

    assert_int_equal(first->rule_count, second->rule_count);
    for (size_t i = 0; i < first->rule_count; i++) {
        assert_string_equal(first->rules[i].text, second->rules[i].text);
        assert_string_equal(first->rules[i].source, second->rules[i].source);
        assert_int_equal(first->rules[i].decision, second->rules[i].decision);
        assert_int_equal(first->rules[i].layer, second->rules[i].layer);
        assert_location_owned(second, &second->rules[i]);
    }

    assert_int_equal(first->warning_count, second->warning_count);
    for (size_t i = 0; i < first->warning_count; i++)
        assert_string_equal(first->warnings[i], second->warnings[i]);
    assert_int_equal(first->test_count, second->test_count);
    for (size_t i = 0; i < first->test_count; i++)
        assert_string_equal(first->tests[i].source, second->tests[i].source);
    assert_int_equal(first->example_count, second->example_count);
    for (size_t i = 0; i < first->example_count; i++)
        assert_int_equal(first->examples[i].rule, second->examples[i].rule);
    assert_int_equal(first->additional_directory_count, second->additional_directory_count);
    assert_int_equal(first->primary_field_count, second->primary_field_count);
}

static void test_add_reports_location(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    const char *good = "allow: [Bash(pwd)]\n";
    assert_int_equal(ag_policy_builder_add_string(builder, "good", good, strlen(good), &error),
                     AG_OK);
    const char *path = policy_path("bad_rule.yaml");
    assert_int_equal(ag_policy_builder_add_file(builder, path, &error), AG_ERR_RULE);
    assert_string_equal(ag_error_file(error), path);
    assert_int_equal(ag_error_line(error), 3);
    assert_int_equal(ag_error_column(error), 7);
    ag_error_free(error);
    error = NULL;

    const char *text = "allow:\n  - Bash(ls)\n  - Bash(a))\n";
    assert_int_equal(ag_policy_builder_add_string(builder, "inline", text, strlen(text), &error),
                     AG_ERR_RULE);
    assert_string_equal(ag_error_file(error), "inline");
    assert_int_equal(ag_error_line(error), 3);
    assert_int_equal(ag_error_column(error), 5);
    ag_error_free(error);
    error = NULL;

    /* A key that only the layer check rejects: its rules, parsed first, are dropped too. */
    const char *managed = "allow: [Bash(make)]\nallow_managed_rules_only: true\n";
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "project.yaml", managed,
                                                           strlen(managed), AG_LAYER_PROJECT,
                                                           &error),
                     AG_ERR_POLICY_VALUE);
    assert_string_equal(ag_error_file(error), "project.yaml");
    assert_int_equal(ag_error_line(error), 2);
    assert_int_equal(ag_error_column(error), 1);
    ag_error_free(error);
    error = NULL;

    /* Nothing of the failed sources is kept. */
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_rule_count(policy), 1);
    assert_int_equal(policy->file_count, 1);
    assert_string_equal(policy->files[0], "good");
    assert_false(policy->managed_allow_only);
    ag_policy_free(policy);
    ag_policy_builder_free(builder);
}

static void test_build_twice(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"), &error),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "inline", full_policy,
                                                           strlen(full_policy),
                                                           AG_LAYER_PROJECT, &error),
                     AG_OK);

    ag_policy *first = ag_policy_builder_build(builder, &error);
    assert_non_null(first);
    ag_policy *second = ag_policy_builder_build(builder, &error);
    assert_non_null(second);
    ag_policy_builder_free(builder);

    assert_int_equal(ag_policy_rule_count(first), 11);
    assert_int_equal(first->rules[6].layer, AG_LAYER_PROJECT);
    assert_int_equal(first->rules[0].layer, AG_LAYER_COMMAND_LINE);
    assert_string_equal(first->rules[6].source, "inline:7:5");
    assert_int_equal(first->mode, AG_MODE_PLAN);
    assert_int_equal(first->default_decision, AG_DENY);
    assert_int_equal(first->limits.max_depth, 40);
    assert_int_equal(first->example_count, 2);
    assert_int_equal(first->examples[0].rule, 7);
    assert_int_equal(first->test_count, 1);
    /* A project source given as a string has no project root for its additional directory. */
    assert_int_equal(first->warning_count, 2);
    assert_non_null(strstr(first->warnings[0], "inline:5:26: warning: the additional directory "
                                               "\"../shared\" is ignored"));
    assert_non_null(strstr(first->warnings[1], "inline:13:5: warning: "));
    assert_int_equal(first->policy_path_count, 1);
    assert_rules_jitted(first);
    assert_rules_jitted(second);
    assert_same_policy(first, second);

    /* Each policy owns what it points to. */
    ag_policy_free(first);
    assert_string_equal(second->rules[6].location.file, "inline");
    ag_policy_free(second);
}

static void test_add_after_build(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"), &error),
                     AG_OK);
    ag_policy *first = ag_policy_builder_build(builder, &error);
    assert_non_null(first);

    /* A failed add after a build keeps the sources added before it. */
    const char *bad = "deny: [Bash(rm *)]\nbogus: 1\n";
    assert_int_equal(ag_policy_builder_add_string(builder, "bad", bad, strlen(bad), &error),
                     AG_ERR_POLICY_KEY);
    assert_int_equal(ag_error_line(error), 2);
    ag_error_free(error);
    error = NULL;

    assert_int_equal(ag_policy_builder_add_string(builder, "inline", full_policy,
                                                  strlen(full_policy), &error),
                     AG_OK);
    ag_policy *second = ag_policy_builder_build(builder, &error);
    assert_non_null(second);
    ag_policy_builder_free(builder);

    assert_int_equal(ag_policy_rule_count(first), 6);
    assert_int_equal(first->file_count, 1);
    assert_int_equal(ag_policy_rule_count(second), 11);
    assert_int_equal(second->file_count, 2);
    assert_string_equal(second->rules[6].source, "inline:7:5");
    assert_int_equal(second->examples[0].rule, 7);
    assert_string_not_equal(ag_policy_digest(first), ag_policy_digest(second));
    for (size_t i = 0; i < second->rule_count; i++)
        assert_location_owned(second, &second->rules[i]);
    assert_rules_jitted(second);
    ag_policy_free(first);
    ag_policy_free(second);
}

/* LeakSanitizer reports what a builder freed without a build leaves behind. */
static void test_free_builder_unbuilt(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"), &error),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_string(builder, "inline", full_policy,
                                                  strlen(full_policy), &error),
                     AG_OK);
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("bad_rule.yaml"), &error),
                     AG_ERR_RULE);
    ag_error_free(error);
    ag_policy_builder_free(builder);

    /* Built once, then added to: the add parses the earlier sources again. */
    builder = ag_policy_builder_new();
    assert_int_equal(ag_policy_builder_add_string(builder, "inline", full_policy,
                                                  strlen(full_policy), NULL),
                     AG_OK);
    ag_policy_free(ag_policy_builder_build(builder, NULL));
    assert_int_equal(ag_policy_builder_add_file(builder, policy_path("good_basic.yaml"), NULL),
                     AG_OK);
    ag_policy_builder_free(builder);
}

static void test_load_string(void **state)
{
    (void)state;
    const char *text = "deny:\n  - Bash(rm *)\n";
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("settings", text, strlen(text), &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_rule_count(policy), 1);
    assert_string_equal(policy->rules[0].source, "settings:2:5");
    ag_policy_free(policy);

    /* Only `length` bytes count: the text need not be NUL-terminated. */
    policy = ag_policy_load_string("settings", "allow: [Bash]\nbogus: 1", 13, &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_rule_count(policy), 1);
    ag_policy_free(policy);

    policy = ag_policy_load_string(NULL, "", 0, &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_rule_count(policy), 0);
    ag_policy_free(policy);
}

static void test_string_errors(void **state)
{
    (void)state;
    ag_error *error = NULL;
    const char *nul_rule = "allow: [\"Bash(a\\0b)\"]\n";
    assert_null(ag_policy_load_string("inline", nul_rule, strlen(nul_rule), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_RULE);
    assert_string_equal(ag_error_message(error),
                        "inline:1:9: error[AG_ERR_RULE]: invalid rule \"Bash(a\\x00b)\": it "
                        "contains a NUL byte at byte 6; remove it");
    ag_error_free(error);

    /* The rule is quoted as other rule errors quote it, up to its last byte. */
    const char *nul_settings = "{\"permissions\": {\"deny\": [\"Bash(rm\\u0000 \\\\ *)\"]}}";
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    assert_int_equal(ag_policy_builder_add_string_in_layer(builder, "settings.json", nul_settings,
                                                           strlen(nul_settings),
                                                           AG_LAYER_PROJECT, &error),
                     AG_ERR_RULE);
    assert_string_equal(ag_error_message(error),
                        "settings.json:1:27: error[AG_ERR_RULE]: invalid rule "
                        "\"Bash(rm\\x00 \\\\ *)\": it contains a NUL byte at byte 7; remove it");
    ag_error_free(error);
    ag_policy_builder_free(builder);

    const char *mark_rule = "deny:\n  - \"Bash(a\\x01)\"\n";
    assert_null(ag_policy_load_string("inline", mark_rule, strlen(mark_rule), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_RULE);
    assert_int_equal(ag_error_line(error), 2);
    assert_int_equal(ag_error_column(error), 5);
    assert_non_null(strstr(ag_error_message(error), "control character 0x01"));
    ag_error_free(error);

    const char *bad_utf8 = "allow:\n  - Bash(\xff)\n";
    assert_null(ag_policy_load_string("inline", bad_utf8, strlen(bad_utf8), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_YAML);
    assert_int_equal(ag_error_line(error), 2);
    assert_int_equal(ag_error_column(error), 10);
    ag_error_free(error);

    assert_null(ag_policy_load_string("inline", NULL, 5, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    ag_error_free(error);
}

/* Builds "deny: " followed by `depth` openers and closers of a flow collection. */
static char *nested_policy(size_t depth, const char *open, const char *close)
{
    size_t open_length = strlen(open);
    size_t close_length = strlen(close);
    char *text = malloc(16 + depth * (open_length + close_length));
    assert_non_null(text);
    size_t used = (size_t)sprintf(text, "deny: ");
    for (size_t i = 0; i < depth; i++, used += open_length)
        memcpy(text + used, open, open_length);
    for (size_t i = 0; i < depth; i++, used += close_length)
        memcpy(text + used, close, close_length);
    strcpy(text + used, "\n");
    return text;
}

static void test_deep_nesting_rejected(void **state)
{
    (void)state;
    ag_error *error = NULL;
    char *sequences = nested_policy(100000, "[", "]");
    assert_null(ag_policy_load_string("deep", sequences, strlen(sequences), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_LIMIT);
    assert_int_equal(ag_error_line(error), 1);
    assert_int_equal(ag_error_column(error), 6 + 256);    /* the 256th "[", under the root */
    assert_non_null(strstr(ag_error_message(error), "nests deeper than 256 levels"));
    ag_error_free(error);
    free(sequences);

    char *mappings = nested_policy(20000, "{a: ", "}");
    assert_null(ag_policy_load_string("deep", mappings, strlen(mappings), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_LIMIT);
    ag_error_free(error);
    free(mappings);

    /* 255 levels under the root mapping are within the limit: the rule's type fails instead. */
    char *allowed = nested_policy(255, "[", "]");
    assert_null(ag_policy_load_string("deep", allowed, strlen(allowed), &error));
    assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
    ag_error_free(error);
    free(allowed);
}

/* ------------------------------------------------------------ bad files */

static void test_bad_files(void **state)
{
    (void)state;
    load_fails("bad_unknown_key.yaml", AG_ERR_POLICY_KEY, 2, 1,
               "unknown key 'alow'; accepted keys: default, allow, ask, deny, limits");
    load_fails("bad_duplicate_key.yaml", AG_ERR_POLICY_KEY, 5, 1,
               "duplicate key 'allow' (first at line 1, column 1)");
    load_fails("bad_rule.yaml", AG_ERR_RULE, 3, 7,
               "invalid rule \"Bash(git rebase :* )\": space before ')'; remove the space");
    load_fails("bad_rule_inline.yaml", AG_ERR_RULE, 1, 28, "nested or unbalanced parentheses");
    load_fails("bad_allow_glob.yaml", AG_ERR_RULE, 2, 9, "only after a literal mcp__SERVER__");
    load_fails("bad_allow_type.yaml", AG_ERR_POLICY_VALUE, 1, 8, "'allow' must be a list of rules");
    load_fails("bad_default.yaml", AG_ERR_POLICY_VALUE, 1, 10,
               "invalid value \"maybe\" for 'default'; use allow, ask or deny");
    load_fails("bad_limit_value.yaml", AG_ERR_POLICY_VALUE, 2, 14,
               "'limits.max_depth' must be a non-negative integer");
    load_fails("bad_limit_quoted.yaml", AG_ERR_POLICY_VALUE, 2, 17, "written without quotes");
    load_fails("bad_limit_overflow.yaml", AG_ERR_POLICY_VALUE, 2, 14, "of at most 4294967295");
    load_fails("bad_limit_key.yaml", AG_ERR_POLICY_KEY, 1, 24,
               "unknown key 'max_dpeth' in 'limits'; accepted keys: max_input_bytes, max_depth, "
               "max_commands, timeout_ms");
    load_fails("bad_rule_mapping.yaml", AG_ERR_POLICY_VALUE, 2, 5,
               "quote a rule that contains ': ' or ' #'");
    load_fails("bad_root.yaml", AG_ERR_POLICY_VALUE, 1, 1, "a policy must be a mapping");
    load_fails("bad_two_documents.yaml", AG_ERR_YAML, 3, 1, "a second YAML document");
    load_fails("bad_yaml.yaml", AG_ERR_YAML, 3, 2, "invalid YAML");
    load_fails("bad_tab_indent.yaml", AG_ERR_YAML, 3, 1,
               "invalid YAML: a tab here; YAML indents with spaces only");
    load_fails("bad_alias_rule.yaml", AG_ERR_YAML, 3, 26,
               "invalid YAML: YAML reads an unquoted value that starts with '*' as an alias; "
               "quote the whole rule");
    load_fails("bad_invisible_rule.yaml", AG_ERR_RULE, 3, 8,
               "invalid rule \"Bash(rm\\u00A0*)\": the deny rule contains the invisible or "
               "space-like character U+00A0 at byte 7");
}

/* A UTF-8 byte order mark, which YAML allows, loads, and later locations still count bytes. */
static void test_byte_order_mark_files(void **state)
{
    (void)state;
    ag_policy *policy = load_ok("good_byte_order_mark.yaml");
    assert_int_equal(ag_policy_rule_count(policy), 2);
    ag_policy_free(policy);
    policy = load_ok("good_byte_order_mark.json");
    assert_int_equal(ag_policy_rule_count(policy), 1);
    ag_policy_free(policy);

    load_fails("bad_byte_order_mark_line1.yaml", AG_ERR_RULE, 1, 25, "control character 0x01");
    load_fails("bad_byte_order_mark_rule.yaml", AG_ERR_RULE, 4, 5, "space before ')'");

    ag_error *error = NULL;
    const char *utf16 = "\xFE\xFF\0d\0e\0n\0y\0:";
    assert_null(ag_policy_load_string("inline", utf16, 12, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_YAML);
    assert_string_equal(ag_error_message(error),
                        "inline:1:1: error[AG_ERR_YAML]: invalid YAML: the file starts with a "
                        "UTF-16 byte order mark (FE FF); save it as UTF-8");
    ag_error_free(error);
}

static void test_strict_json_files(void **state)
{
    (void)state;
    load_fails("bad_trailing_comma.json", AG_ERR_YAML, 1, 44,
               "invalid JSON: a trailing comma before ']'; remove the comma");
}

/* Applies one random edit to `text` (`*length` bytes, room for one more and a NUL). */
static void mutate_json(char *text, size_t *length, uint32_t *seed)
{
    static const char alphabet[] = "{}[],:\" \t\n\r0123456789-+.eEtruefalsn/*#'\\abx";
    *seed = *seed * 1103515245u + 12345u;
    size_t at = (*seed >> 8) % (*length + 1);
    char c = alphabet[(*seed >> 20) % (sizeof(alphabet) - 1)];
    switch ((*seed >> 28) % 3) {
    case 0:    /* insert */
        memmove(text + at + 1, text + at, *length - at);
        text[at] = c;
        (*length)++;
        break;
    case 1:    /* delete */
        if (at < *length) {
            memmove(text + at, text + at + 1, *length - at - 1);
            (*length)--;
        }
        break;
    default:   /* replace */
        if (at < *length)
            text[at] = c;
        break;
    }
    text[*length] = '\0';
}

/*
 * The settings syntax check accepts exactly what jansson, a strict RFC 8259
 * parser, accepts, over random edits of a settings file. Excluded: empty
 * text (a source without rules) and numbers jansson cannot store.
 */
static void test_json_syntax_matches_jansson(void **state)
{
    (void)state;
    static const char seed_text[] =
        "{\"permissions\": {\"allow\": [\"Bash(git status)\", \"Read(./src/**)\"],\n"
        " \"deny\": [\"Read(~/.ssh/**)\"], \"defaultMode\": \"plan\"},\n"
        " \"cleanupPeriodDays\": -1.5e3, \"flag\": true, \"none\": null, \"esc\": \"a\\n\\u00e9\"}";
    uint32_t seed = 7;
    size_t checked = 0;
    for (int round = 0; round < 20000; round++) {
        char text[sizeof(seed_text) + 8];
        memcpy(text, seed_text, sizeof(seed_text));
        size_t length = sizeof(seed_text) - 1;
        for (int edit = 0; edit <= round % 3; edit++)
            mutate_json(text, &length, &seed);

        json_error_t json_error;
        json_t *value = json_loadb(text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error);
        bool too_big = value == NULL && (strstr(json_error.text, "too big") != NULL
                                         || strstr(json_error.text, "overflow") != NULL);
        json_decref(value);
        size_t blank = strspn(text, " \t\n\r");
        if (too_big || blank == length)
            continue;

        char message[256];
        size_t offset = 0;
        ag_status status = ag_settings_check_syntax(text, length, &offset, message,
                                                    sizeof(message));
        if ((status == AG_OK) != (value != NULL))
            fail_msg("round %d: jansson %s, the check %s (%s) for: %s", round,
                     value != NULL ? "accepts" : json_error.text,
                     status == AG_OK ? "accepts" : "rejects", status == AG_OK ? "" : message,
                     text);
        if (status != AG_OK)
            assert_true(offset <= length);
        checked++;
    }
    assert_true(checked > 19000);
}

/* Address patterns that no host can match are load errors that name what to write. */
static void test_address_patterns_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        const char *fragment;
    } cases[] = {
        {"172.16.*", "four dot-separated decimal parts, such as 172.16.0.1, and '*' matches "
                     "exactly one part, so this pattern never matches an address; write "
                     "domain:172.16.*.*"},
        {"10.*", "write domain:10.*.*.*"},
        {"192.168.1.*.*", "write four parts"},
        {"10.1*", "write four parts"},
        {"*.1.2.3.4", "'*.' stands for at least one of them"},
        {"172.016.*.*", "without leading zeros"},
        {"10.256.*.*", "above 255"},
        {"256.1.1.1", "not a valid one, so no host matches it"},
        {"1.2.3.4.5", "not a valid one"},
        {"example.com:443", "or a host name without a port"},
        {"[fe80::*]", "shortest form (RFC 5952)"},
        {"[fe80::*]", "write domain:[fe80:*] for every address that starts with that group"},
        {"[fe80:0:*]", "write domain:[fe80:*]"},
        {"[2001:db8:1*]", "write domain:[2001:db8:*] for every address that starts with those"},
        {"[::*]", "list the addresses one by one"},
        {"fe80::*", "compared in brackets"},
        {"2001:db8:*", "write domain:[2001:db8:*]"},
        {"[::ffff:10.0.0.*]", "write an IPv4 pattern, such as domain:10.0.0.*"},
        {"fe80:::1", "not a valid one"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "default: allow\ndeny:\n  - WebFetch(domain:%s)\n",
                 cases[i].host);
        ag_error *error = NULL;
        ag_policy *policy = ag_policy_load_string("inline", text, strlen(text), &error);
        if (policy != NULL)
            fail_msg("domain:%s was accepted", cases[i].host);
        assert_int_equal(ag_error_code(error), AG_ERR_RULE);
        assert_int_equal(ag_error_line(error), 3);
        assert_int_equal(ag_error_column(error), 5);
        if (strstr(ag_error_message(error), cases[i].fragment) == NULL)
            fail_msg("domain:%s: expected \"%s\" in: %s", cases[i].host, cases[i].fragment,
                     ag_error_message(error));
        ag_error_free(error);
    }
    load_fails("bad_address_pattern.yaml", AG_ERR_RULE, 3, 5,
               "invalid rule \"WebFetch(domain:172.16.*)\"");
}

/* The patterns that the errors above advise match the addresses they name. */
static void test_address_patterns_match(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        const char *url;
        ag_decision expected;
    } cases[] = {
        {"172.16.*.*", "http://172.16.0.1/", AG_DENY},
        {"172.16.*.*", "https://172.16.255.3:8443/x", AG_DENY},
        {"172.16.*.*", "http://172.16.1/", AG_DENY},
        {"172.16.*.*", "http://172.17.0.1/", AG_ALLOW},
        {"*.0.0.1", "http://127.0.0.1/", AG_DENY},
        {"[fe80:*]", "http://[fe80::1]/", AG_DENY},
        {"[fe80:*]", "http://[fe80:0:0:1::2]/", AG_DENY},
        {"[fe80:*]", "http://[fe81::1]/", AG_ALLOW},
        {"[2001:db8:*]", "http://[2001:db8:1::1]/", AG_DENY},
        {"[2001:db8:*]", "http://[2001:DB8::]/", AG_DENY},
        {"[2001:db8:*]", "http://[2001:db9::1]/", AG_ALLOW},
        {"::1", "http://[::1]:8080/", AG_DENY},
        {"::1", "http://[0:0::1]/", AG_DENY},
        {"[::1]", "http://[::2]/", AG_ALLOW},
        {"*.example.com", "https://api.example.com/", AG_DENY},
        {"example.*", "https://example.org/", AG_DENY},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "default: allow\ndeny: [\"WebFetch(domain:%s)\"]\n",
                 cases[i].host);
        ag_error *error = NULL;
        ag_policy *policy = ag_policy_load_string("inline", text, strlen(text), &error);
        if (policy == NULL)
            fail_msg("domain:%s was rejected: %s", cases[i].host, ag_error_message(error));
        ag_checker *checker = ag_checker_new(policy, NULL);
        char input[256];
        snprintf(input, sizeof(input), "{\"url\": \"%s\"}", cases[i].url);
        const ag_verdict *verdict = ag_check(checker, "WebFetch", input, "/", NULL);
        assert_non_null(verdict);
        if (ag_verdict_decision(verdict) != cases[i].expected)
            fail_msg("domain:%s on %s: expected %s, got %s (%s)", cases[i].host, cases[i].url,
                     ag_decision_name(cases[i].expected),
                     ag_decision_name(ag_verdict_decision(verdict)), ag_verdict_reason(verdict));
        ag_checker_free(checker);
        ag_policy_free(policy);
    }
}

static void test_unreadable_file(void **state)
{
    (void)state;
    ag_error *error = NULL;
    const char *path = policy_path("missing.yaml");
    assert_null(ag_policy_load_file(path, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_IO);
    assert_string_equal(ag_error_file(error), path);
    assert_int_equal(ag_error_line(error), 0);
    assert_non_null(strstr(ag_error_message(error), "No such file or directory"));
    assert_non_null(strstr(ag_error_message(error), path));
    ag_error_free(error);

    assert_null(ag_policy_load_file(policies_dir, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_IO);
    assert_non_null(strstr(ag_error_message(error), "Is a directory"));
    ag_error_free(error);
}

/* ------------------------------------------------------- default policy */

/* Decides a command the way the evaluator does: deny, then ask, then allow, then the default. */
static ag_decision decide(const ag_policy *policy, const char *command, pcre2_match_data *data)
{
    bool ask = false;
    bool allow = false;
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (!ag_rule_tool_matches(rule, "Bash"))
            continue;
        ag_match match = ag_rule_match_command(rule, command, strlen(command), false, data);
        if (rule->decision == AG_DENY && match == AG_MATCH_YES)
            return AG_DENY;
        if (rule->decision != AG_ALLOW && match != AG_MATCH_NO)
            ask = true;
        if (rule->decision == AG_ALLOW && match == AG_MATCH_YES)
            allow = true;
    }
    if (ask)
        return AG_ASK;
    return allow ? AG_ALLOW : policy->default_decision;
}

static void test_default_policy(void **state)
{
    (void)state;
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_default(&error);
    assert_non_null(policy);
    assert_true(ag_policy_rule_count(policy) > 30);
    assert_int_equal(policy->default_decision, AG_ASK);
    assert_string_equal(policy->files[0], AG_DEFAULT_POLICY_NAME);
    assert_true(strncmp(policy->rules[0].source, "<default>:", 10) == 0);

    struct {
        const char *command;
        ag_decision expected;
    } cases[] = {
        {"ls", AG_ALLOW}, {"ls -la src", AG_ALLOW}, {"lsof -i", AG_ASK},
        {"cat README.md", AG_ALLOW}, {"git status", AG_ALLOW}, {"git log --oneline -5", AG_ALLOW},
        {"git diff HEAD~1", AG_ALLOW}, {"git diff --output=x", AG_ASK},
        {"git log -p --output x", AG_ASK}, {"git show --outp=x HEAD", AG_ASK},
        {"git branch", AG_ALLOW}, {"git branch -D main", AG_ASK}, {"git branch new", AG_ASK},
        {"git push", AG_ASK}, {"uniq", AG_ALLOW}, {"uniq -c", AG_ALLOW}, {"uniq in out", AG_ASK},
        {"sort -o out in", AG_ASK}, {"find . -delete", AG_ASK}, {"rg todo src", AG_ALLOW},
        {"rg --pre ./x todo", AG_ASK}, {"rg --pre=./x todo", AG_ASK},
        {"file -C -m magic", AG_ASK}, {"file README.md", AG_ALLOW},
        {"tree -o out.txt", AG_ASK}, {"tree src", AG_ALLOW},
        {"rm -rf /", AG_DENY}, {"rm / -rf", AG_DENY}, {"rm -rf / --no-preserve-root", AG_DENY},
        {"rm -rf ~", AG_DENY}, {"rm -rf ~/", AG_DENY}, {"rm -fr //", AG_DENY},
        {"rm -rf /tmp/x", AG_ASK}, {"rm -rf ~/project/build", AG_ASK},
        {"sh", AG_DENY}, {"bash", AG_DENY}, {"bash -s", AG_DENY}, {"sh -s -- arg", AG_DENY},
        {"zsh -", AG_DENY}, {"sh script.sh", AG_ASK}, {"bash -c \"ls\"", AG_ASK},
        {"echo hello", AG_ALLOW}, {"pwd", AG_ALLOW},
    };
    pcre2_match_data *data = ag_rule_match_data_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ag_decision got = decide(policy, cases[i].command, data);
        if (got != cases[i].expected)
            fail_msg("default policy: `%s` expected %s, got %s", cases[i].command,
                     ag_decision_name(cases[i].expected), ag_decision_name(got));
    }
    pcre2_match_data_free(data);
    ag_policy_free(policy);
}

static void test_build_without_source(void **state)
{
    (void)state;
    ag_policy_builder *builder = ag_policy_builder_new();
    ag_policy *policy = ag_policy_builder_build(builder, NULL);
    ag_policy_builder_free(builder);
    ag_policy *reference = ag_policy_load_default(NULL);
    assert_int_equal(ag_policy_rule_count(policy), ag_policy_rule_count(reference));
    assert_string_equal(policy->files[0], AG_DEFAULT_POLICY_NAME);
    ag_policy_free(policy);
    ag_policy_free(reference);

    const char *text = ag_default_policy_text();
    assert_non_null(strstr(text, "default: ask"));
}

static void test_null_arguments(void **state)
{
    (void)state;
    ag_error *error = NULL;
    assert_int_equal(ag_policy_builder_add_file(NULL, "x", &error), AG_ERR_ARGUMENT);
    ag_error_free(error);
    assert_null(ag_policy_builder_build(NULL, NULL));
    assert_int_equal(ag_policy_rule_count(NULL), 0);
    ag_policy_free(NULL);
    ag_policy_builder_free(NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        policies_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_policy),
        cmocka_unit_test(test_empty_policies),
        cmocka_unit_test(test_several_sources),
        cmocka_unit_test(test_default_is_strictest),
        cmocka_unit_test(test_failed_add_leaves_builder),
        cmocka_unit_test(test_add_reports_location),
        cmocka_unit_test(test_build_twice),
        cmocka_unit_test(test_add_after_build),
        cmocka_unit_test(test_free_builder_unbuilt),
        cmocka_unit_test(test_load_string),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_deep_nesting_rejected),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_byte_order_mark_files),
        cmocka_unit_test(test_strict_json_files),
        cmocka_unit_test(test_json_syntax_matches_jansson),
        cmocka_unit_test(test_address_patterns_rejected),
        cmocka_unit_test(test_address_patterns_match),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_build_without_source),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
