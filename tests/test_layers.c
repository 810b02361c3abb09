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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                 AG_LAYER_PROJECT, AG_ERR_YAML, 5, 1, "invalid JSON");
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
                 AG_LAYER_PROJECT, AG_ERR_POLICY_KEY, 1, 42, "duplicate key");
}

static void test_managed_only_outside_managed(void **state)
{
    (void)state;
    expect_error("policy.yaml", "deny: []\nallow_managed_rules_only: true\n",
                 AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 2, 1, "only valid in the managed");
    expect_error("settings.json", "{\"allowManagedPermissionRulesOnly\": true}",
                 AG_LAYER_USER, AG_ERR_POLICY_VALUE, 1, 2, "load the file as managed");
}

static void test_unknown_mode_name(void **state)
{
    (void)state;
    expect_error("policy.yaml", "mode: yolo\n", AG_LAYER_COMMAND_LINE, AG_ERR_POLICY_VALUE, 1,
                 7, "acceptEdits");
    expect_error("settings.json", "{\"permissions\": {\"defaultMode\": \"auto\"}}",
                 AG_LAYER_PROJECT, AG_ERR_POLICY_VALUE, 1, 33, "defaultMode");
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_layers POLICIES_DIR\n");
        return 2;
    }
    policies_dir = argv[1];

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_json_has_location),
        cmocka_unit_test(test_unquoted_json_string),
        cmocka_unit_test(test_json_unknown_permission_key),
        cmocka_unit_test(test_json_duplicate_key),
        cmocka_unit_test(test_managed_only_outside_managed),
        cmocka_unit_test(test_unknown_mode_name),
        cmocka_unit_test(test_mode_locked_needs_mode),
        cmocka_unit_test(test_layer_out_of_range),
        cmocka_unit_test(test_mode_names_round_trip),
        cmocka_unit_test(test_layer_names_round_trip),
        cmocka_unit_test(test_locked_mode_ignores_host),
        cmocka_unit_test(test_unlocked_mode_follows_host),
        cmocka_unit_test(test_disable_bypass_keeps_mode),
        cmocka_unit_test(test_verdict_names_layer),
        cmocka_unit_test(test_policy_file_is_protected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
