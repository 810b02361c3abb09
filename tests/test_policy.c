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
    for (size_t i = 0; i < 3; i++) {
        ag_policy *policy = load_ok(names[i]);
        assert_int_equal(ag_policy_rule_count(policy), 0);
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
                        "inline:1:9: error[AG_ERR_RULE]: invalid rule: it contains a NUL byte; "
                        "remove it");
    ag_error_free(error);

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

/* ------------------------------------------------------------ bad files */

static void test_bad_files(void **state)
{
    (void)state;
    load_fails("bad_unknown_key.yaml", AG_ERR_POLICY_KEY, 2, 1,
               "unknown key 'alow'; accepted keys: default, allow, ask, deny, limits");
    load_fails("bad_duplicate_key.yaml", AG_ERR_POLICY_KEY, 5, 1,
               "duplicate key 'allow' (first at line 1)");
    load_fails("bad_rule.yaml", AG_ERR_RULE, 3, 7,
               "invalid rule \"Bash(git rebase :* )\": space before ')'; remove the space");
    load_fails("bad_rule_inline.yaml", AG_ERR_RULE, 1, 28, "nested or unbalanced parentheses");
    load_fails("bad_allow_glob.yaml", AG_ERR_RULE, 2, 9, "only after a literal mcp__SERVER__");
    load_fails("bad_allow_type.yaml", AG_ERR_POLICY_VALUE, 1, 8, "'allow' must be a list of rules");
    load_fails("bad_default.yaml", AG_ERR_POLICY_VALUE, 1, 10,
               "invalid value for 'default'; use allow, ask or deny");
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
        cmocka_unit_test(test_load_string),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_build_without_source),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
