/*
 * Verdict tests: the golden table cases/check.json run against real policy
 * files in cases/policies/ and the built-in default policy, plus the API's
 * contracts (NULL handling, spans, command lists, versions).
 *
 * Usage: test_check CASES_DIR TABLE.json...
 * Each table is read from CASES_DIR; policies from CASES_DIR/policies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "agentguard.h"

static const char *cases_dir;

typedef struct table_case {
    json_t *spec;
    char name[96];
} table_case;

static ag_policy *load_named_policy(const char *name)
{
    ag_error *error = NULL;
    ag_policy *policy;
    if (strcmp(name, "default") == 0) {
        policy = ag_policy_load_default(&error);
    } else {
        char path[4096];
        snprintf(path, sizeof(path), "%s/policies/%s.yaml", cases_dir, name);
        policy = ag_policy_load_file(path, &error);
    }
    if (policy == NULL)
        fail_msg("cannot load policy %s: %s", name, ag_error_message(error));
    return policy;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t text_length = strlen(text);
    size_t suffix_length = strlen(suffix);
    return text_length >= suffix_length
           && strcmp(text + text_length - suffix_length, suffix) == 0;
}

/*
 * Builds the policy of a case with "layers": a list of {"file": NAME,
 * "layer": LAYER}, each file under policies/ added in its layer.
 */
static ag_policy *load_layered_policy(json_t *layers)
{
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_non_null(builder);
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *entry = json_array_get(layers, i);
        const char *file = json_string_value(json_object_get(entry, "file"));
        const char *layer_name = json_string_value(json_object_get(entry, "layer"));
        ag_layer layer;
        if (file == NULL || !ag_layer_from_name(layer_name, &layer))
            fail_msg("invalid layers entry %zu", i);
        char path[4096];
        snprintf(path, sizeof(path), "%s/policies/%s", cases_dir, file);
        if (ag_policy_builder_add_file_in_layer(builder, path, layer, &error) != AG_OK)
            fail_msg("cannot add %s: %s", path, ag_error_message(error));
    }
    ag_policy *policy = ag_policy_builder_build(builder, &error);
    ag_policy_builder_free(builder);
    if (policy == NULL)
        fail_msg("cannot build the layered policy: %s", ag_error_message(error));
    return policy;
}

/* The case's policy: its "layers" when present, else the policy it names. */
static ag_policy *load_case_policy(json_t *spec)
{
    json_t *layers = json_object_get(spec, "layers");
    if (layers != NULL)
        return load_layered_policy(layers);
    return load_named_policy(json_string_value(json_object_get(spec, "policy")));
}

/* Sets the case's optional "mode" on the checker. */
static void set_case_mode(ag_checker *checker, json_t *spec)
{
    const char *name = json_string_value(json_object_get(spec, "mode"));
    ag_mode mode;
    if (name == NULL)
        return;
    if (!ag_mode_from_name(name, &mode))
        fail_msg("unknown mode %s in a case", name);
    assert_int_equal(ag_checker_set_mode(checker, mode), AG_OK);
}

/* The case's "cwd": "/repo" when absent, NULL when null. */
static const char *case_cwd(json_t *spec)
{
    json_t *cwd = json_object_get(spec, "cwd");
    if (cwd == NULL)
        return "/repo";
    return json_string_value(cwd);
}

static const ag_verdict *run_case(ag_checker *checker, json_t *spec)
{
    ag_error *error = NULL;
    const ag_verdict *verdict;
    const char *home = json_string_value(json_object_get(spec, "home"));
    if (home != NULL)
        assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
    const char *cdpath = json_string_value(json_object_get(spec, "cdpath"));
    if (cdpath != NULL)
        assert_int_equal(ag_checker_set_cdpath(checker, cdpath), AG_OK);
    json_t *command = json_object_get(spec, "command");
    if (command != NULL) {
        verdict = ag_check_command(checker, json_string_value(command),
                                   json_string_length(command), case_cwd(spec), &error);
    } else {
        const char *tool = json_string_value(json_object_get(spec, "tool"));
        json_t *input_text = json_object_get(spec, "input_text");
        char *input = input_text != NULL
                          ? strdup(json_string_value(input_text))
                          : json_dumps(json_object_get(spec, "input"), JSON_COMPACT);
        verdict = ag_check(checker, tool, input, case_cwd(spec), &error);
        free(input);
    }
    if (verdict == NULL)
        fail_msg("the check failed: %s", ag_error_message(error));
    return verdict;
}

static void check_rule(json_t *spec, const ag_verdict *verdict, const char *label)
{
    json_t *expected_rule = json_object_get(spec, "rule");
    const char *rule = ag_verdict_rule(verdict);
    if (expected_rule != NULL) {
        if (json_is_null(expected_rule) && rule != NULL)
            fail_msg("%s: expected no deciding rule, got %s (%s)", label, rule,
                     ag_verdict_reason(verdict));
        if (json_is_string(expected_rule)
            && (rule == NULL || strcmp(rule, json_string_value(expected_rule)) != 0))
            fail_msg("%s: expected rule %s, got %s (%s)", label,
                     json_string_value(expected_rule), rule ? rule : "none",
                     ag_verdict_reason(verdict));
    }

    json_t *rule_present = json_object_get(spec, "rule_present");
    if (rule_present != NULL && json_is_true(rule_present) != (rule != NULL))
        fail_msg("%s: expected %s rule, got %s", label,
                 json_is_true(rule_present) ? "a" : "no", rule ? rule : "none");

    json_t *source = json_object_get(spec, "source");
    if (source != NULL) {
        const char *actual = ag_verdict_source(verdict);
        if (actual == NULL || !ends_with(actual, json_string_value(source)))
            fail_msg("%s: expected source %s, got %s", label, json_string_value(source),
                     actual ? actual : "none");
    }
}

static void test_table_case(void **state)
{
    table_case *item = *state;
    json_t *spec = item->spec;
    ag_policy *policy = load_case_policy(spec);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    set_case_mode(checker, spec);

    const ag_verdict *verdict = run_case(checker, spec);
    const char *expected = json_string_value(json_object_get(spec, "expect"));
    const char *actual = ag_decision_name(ag_verdict_decision(verdict));
    if (strcmp(expected, actual) != 0)
        fail_msg("%s: expected %s, got %s: %s", item->name, expected, actual,
                 ag_verdict_reason(verdict));
    check_rule(spec, verdict, item->name);

    json_t *error = json_object_get(spec, "error");
    if (error != NULL)
        assert_string_equal(ag_status_name(ag_verdict_error(verdict)), json_string_value(error));

    const char *reason_part = json_string_value(json_object_get(spec, "reason_has"));
    if (reason_part != NULL && strstr(ag_verdict_reason(verdict), reason_part) == NULL)
        fail_msg("%s: expected \"%s\" in the reason: %s", item->name, reason_part,
                 ag_verdict_reason(verdict));

    const char *absent_part = json_string_value(json_object_get(spec, "reason_lacks"));
    if (absent_part != NULL && strstr(ag_verdict_reason(verdict), absent_part) != NULL)
        fail_msg("%s: expected no \"%s\" in the reason: %s", item->name, absent_part,
                 ag_verdict_reason(verdict));

    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* ------------------------------------------------------------ API contracts */

static void test_version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(ag_version(), AG_VERSION_STRING);
    assert_int_equal(ag_version_number(), AG_VERSION_NUMBER);
}

/* meson.build's version names the .so file and the pkg-config module, and must not drift. */
static void test_version_matches_project(void **state)
{
    (void)state;
    char parts[32];
    snprintf(parts, sizeof(parts), "%d.%d.%d", AG_VERSION_MAJOR, AG_VERSION_MINOR,
             AG_VERSION_PATCH);
    assert_string_equal(AG_VERSION_STRING, parts);
    assert_string_equal(ag_version(), AG_PROJECT_VERSION);
}

static void test_free_functions_accept_null(void **state)
{
    (void)state;
    ag_policy_free(NULL);
    ag_checker_free(NULL);
    ag_error_free(NULL);
    ag_policy_builder_free(NULL);
}

static void test_null_arguments_rejected(void **state)
{
    (void)state;
    ag_error *error = NULL;
    assert_null(ag_checker_new(NULL, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    ag_error_free(error);

    ag_policy *policy = ag_policy_load_default(NULL);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, NULL);
    error = NULL;
    assert_null(ag_check(checker, NULL, "{}", NULL, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    ag_error_free(error);
    error = NULL;
    assert_null(ag_check_command(checker, NULL, 0, NULL, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    ag_error_free(error);
    error = NULL;
    assert_null(ag_check_command(checker, "ls", 2, "relative/cwd", &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    assert_non_null(strstr(ag_error_message(error), "\"relative/cwd\" is not an absolute path"));
    ag_error_free(error);
    error = NULL;
    assert_null(ag_check(checker, "Read", "{\"file_path\": \"/x\"}", "", &error));
    assert_int_equal(ag_error_code(error), AG_ERR_ARGUMENT);
    ag_error_free(error);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_span_points_at_deciding_command(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char *command = "git status && rm -rf /tmp/x; ls";
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), NULL, NULL);

    size_t start = 0, end = 0;
    assert_true(ag_verdict_span(verdict, &start, &end));
    assert_int_equal(start, 14);
    assert_int_equal(end, 27);
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);

    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_command_list_has_every_command(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char *command = "git status && echo \"a  b\" $X";
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), NULL, NULL);

    assert_int_equal(ag_verdict_command_count(verdict), 2);
    assert_int_equal(ag_verdict_command_argc(verdict, 1), 3);
    bool dynamic = true;
    assert_string_equal(ag_verdict_command_arg(verdict, 1, 1, &dynamic), "a  b");
    assert_false(dynamic);
    assert_string_equal(ag_verdict_command_arg(verdict, 1, 2, &dynamic), "\x01");
    assert_true(dynamic);
    assert_null(ag_verdict_command_arg(verdict, 1, 3, NULL));
    assert_null(ag_verdict_command_arg(verdict, 2, 0, NULL));
    assert_int_equal(ag_verdict_command_decision(verdict, 0), AG_ALLOW);
    assert_string_equal(ag_verdict_command_rule(verdict, 0), "Bash(git status)");

    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_checker_reuse_is_independent(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    for (int round = 0; round < 200; round++) {
        const char *command = round % 2 ? "rm -rf /" : "git status";
        const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), NULL, NULL);
        assert_int_equal(ag_verdict_decision(verdict), round % 2 ? AG_DENY : AG_ALLOW);
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_command_need_not_be_terminated(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char text[] = "git statusrm -rf /";
    const ag_verdict *verdict = ag_check_command(checker, text, 10, NULL, NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_nul_byte_cannot_hide_a_command(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char text[] = "git status\0; rm -rf /";
    const ag_verdict *verdict = ag_check_command(checker, text, sizeof(text) - 1, NULL, NULL);
    assert_int_not_equal(ag_verdict_decision(verdict), AG_ALLOW);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_checker_limits_only_tighten(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char *command = "true; true; true";

    ag_limits loose = {.max_commands = 100000};
    assert_int_equal(ag_checker_set_limits(checker, &loose), AG_OK);
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), NULL, NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);

    ag_limits tight = {.max_commands = 2};
    assert_int_equal(ag_checker_set_limits(checker, &tight), AG_OK);
    verdict = ag_check_command(checker, command, strlen(command), NULL, NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_LIMIT);

    assert_int_equal(ag_checker_set_limits(checker, NULL), AG_ERR_ARGUMENT);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * A rule that makes a request ask keeps explaining it when a limit also cut
 * the analysis, and the reason names the limit too. A deny keeps its rule's
 * reason alone.
 */
static void test_limit_named_beside_ask_rule(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("limits");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char *ask = "$X x; true; true; true; true; true; true; true; true; true; true; true";
    const ag_verdict *verdict = ag_check_command(checker, ask, strlen(ask), NULL, NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_LIMIT);
    assert_string_equal(ag_verdict_rule(verdict), "Bash(rm *)");
    assert_non_null(strstr(ag_verdict_reason(verdict), "could match the deny rule"));
    assert_non_null(strstr(ag_verdict_reason(verdict), "cannot be fully analysed"));
    assert_non_null(strstr(ag_verdict_reason(verdict), "max_commands"));

    const char *deny = "rm x; true; true; true; true; true; true; true; true; true; true; true";
    verdict = ag_check_command(checker, deny, strlen(deny), NULL, NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    assert_null(strstr(ag_verdict_reason(verdict), "cannot be fully analysed"));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * A recursive read that asks only because the tree below it may hold a file
 * that a deny rule covers names that tree in its reason, not values known
 * only at run time, which it does not have.
 */
static void test_tree_read_reason_names_tree(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("written-run17");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const char *tree = "grep -r x .";
    const ag_verdict *verdict = ag_check_command(checker, tree, strlen(tree), "/repo", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_non_null(strstr(ag_verdict_reason(verdict), "the tree below it may hold a file"));
    assert_null(strstr(ag_verdict_reason(verdict), "only known when it runs"));

    const char *dynamic = "cat $X";
    verdict = ag_check_command(checker, dynamic, strlen(dynamic), "/repo", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_non_null(strstr(ag_verdict_reason(verdict), "only known when it runs"));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * The error message names the problem behind ag_verdict_error(), also where
 * a rule decided and the reason names that rule.
 */
static void test_error_message_names_problem(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("limits");
    ag_checker *checker = ag_checker_new(policy, NULL);
    const ag_verdict *verdict = ag_check(checker, "Bash", "{\"command\": 5}", NULL, NULL);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_REQUEST);
    assert_string_equal(ag_verdict_error_message(verdict),
                        "the Bash tool input's \"command\" is not a string");

    verdict = ag_check_command(checker, "true", 4, NULL, NULL);
    assert_int_equal(ag_verdict_error(verdict), AG_OK);
    assert_null(ag_verdict_error_message(verdict));

    const char *ask = "$X x; true; true; true; true; true; true; true; true; true; true; true";
    verdict = ag_check_command(checker, ask, strlen(ask), NULL, NULL);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_LIMIT);
    const char *message = ag_verdict_error_message(verdict);
    assert_non_null(strstr(message, "cannot be fully analysed"));
    assert_non_null(strstr(message, "max_commands"));
    assert_null(strstr(message, "rule"));

    verdict = ag_check_command(checker, "if then", 7, NULL, NULL);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_REQUEST);
    assert_non_null(strstr(ag_verdict_error_message(verdict), "Syntax error"));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* Checks `command` in bypassPermissions mode, where only a protected path makes a write ask. */
static const ag_verdict *check_bypassing(ag_checker *checker, const char *command, const char *cwd)
{
    assert_int_equal(ag_checker_set_mode(checker, AG_MODE_BYPASS_PERMISSIONS), AG_OK);
    return ag_check_command(checker, command, strlen(command), cwd, NULL);
}

static void test_protected_home_paths(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    static const char *const homes[] = {"/home/user", "/home/user/"};
    static const char *const protected_writes[] = {
        "echo x > /home/user/.ssh/config", "echo x > /HOME/USER/.SSH/config",
        "echo x > /home/user/.ssh", "echo x > /home/user/.config/git/config",
        "echo x > /home/user/.bashrc", "echo x > ~/.zshrc"};
    static const char *const other_writes[] = {
        "echo x > /home/user/.sshx", "echo x > /home/userx/.ssh/config",
        "echo x > /home/user/x/.ssh", "echo x > /home/user/.bashrc_old",
        "echo x > /home/.bashrc"};

    for (size_t h = 0; h < sizeof(homes) / sizeof(homes[0]); h++) {
        assert_int_equal(ag_checker_set_home(checker, homes[h]), AG_OK);
        for (size_t i = 0; i < sizeof(protected_writes) / sizeof(protected_writes[0]); i++) {
            const ag_verdict *verdict = check_bypassing(checker, protected_writes[i], "/repo");
            assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
            assert_non_null(strstr(ag_verdict_reason(verdict), "touches the protected path"));
        }
        for (size_t i = 0; i < sizeof(other_writes) / sizeof(other_writes[0]); i++) {
            const ag_verdict *verdict = check_bypassing(checker, other_writes[i], "/repo");
            assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);
        }
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* The checker keeps the last normalized cwd, and a check with another cwd must not reuse it. */
static void test_cwd_change_between_checks(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("basic");
    ag_checker *checker = ag_checker_new(policy, NULL);
    static const char *const cwds[] = {"/repo", "/repo/", "/other", "/repo/../other", "/repo"};
    static const char *const targets[] = {"/repo/out.txt", "/repo/out.txt", "/other/out.txt",
                                          "/other/out.txt", "/repo/out.txt"};
    for (size_t i = 0; i < sizeof(cwds) / sizeof(cwds[0]); i++) {
        const char *command = "echo x > out.txt";
        const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), cwds[i],
                                                     NULL);
        assert_int_equal(ag_verdict_effect_count(verdict), 1);
        assert_string_equal(ag_verdict_effect_target(verdict, 0), targets[i]);
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * Bash runs the heredoc of `bash<<N` as a script, so each of 20 nested
 * levels is a wrapped script whose lines are parsed alone, and the line
 * commands of all levels grow with the square of the depth. The lines of
 * all scripts share the policy's max_commands (40). The request's own
 * commands and its own lines stop near that limit too, so the whole list
 * stays below three times it. Before, this request listed 420 commands.
 */
static void test_script_lines_share_command_limit(void **state)
{
    (void)state;
    ag_policy *policy = load_named_policy("limits25-commands");
    ag_checker *checker = ag_checker_new(policy, NULL);
    char command[1024];
    size_t length = 0;
    for (int level = 0; level < 20; level++)
        length += (size_t)snprintf(command + length, sizeof(command) - length, "bash<<%d\n", level);
    length += (size_t)snprintf(command + length, sizeof(command) - length, "rm x\n");
    for (int level = 19; level >= 0; level--)
        length += (size_t)snprintf(command + length, sizeof(command) - length, "%d\n", level);

    const ag_verdict *verdict = ag_check_command(checker, command, length, NULL, NULL);

    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_LIMIT);
    assert_true(ag_verdict_command_count(verdict) < 3 * 40);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static const struct CMUnitTest api_tests[] = {
    cmocka_unit_test(test_checker_limits_only_tighten),
    cmocka_unit_test(test_limit_named_beside_ask_rule),
    cmocka_unit_test(test_error_message_names_problem),
    cmocka_unit_test(test_version_matches_header),
    cmocka_unit_test(test_version_matches_project),
    cmocka_unit_test(test_free_functions_accept_null),
    cmocka_unit_test(test_null_arguments_rejected),
    cmocka_unit_test(test_span_points_at_deciding_command),
    cmocka_unit_test(test_command_list_has_every_command),
    cmocka_unit_test(test_checker_reuse_is_independent),
    cmocka_unit_test(test_command_need_not_be_terminated),
    cmocka_unit_test(test_nul_byte_cannot_hide_a_command),
    cmocka_unit_test(test_protected_home_paths),
    cmocka_unit_test(test_tree_read_reason_names_tree),
    cmocka_unit_test(test_cwd_change_between_checks),
    cmocka_unit_test(test_script_lines_share_command_limit),
};

static void name_case(table_case *item, size_t index)
{
    json_t *spec = item->spec;
    const char *text = json_string_value(json_object_get(spec, "command"));
    if (text == NULL)
        text = json_string_value(json_object_get(spec, "tool"));
    char shown[60];
    size_t j = 0;
    for (size_t i = 0; text[i] != '\0' && j + 1 < sizeof(shown); i++)
        shown[j++] = (text[i] == '\n' || text[i] == '\t') ? ' ' : text[i];
    shown[j] = '\0';
    snprintf(item->name, sizeof(item->name), "case %zu [%s] %s", index,
             json_string_value(json_object_get(spec, "policy")), shown);
}

/* Loads one table and appends its cases; returns false when the file is unusable. */
static bool load_table(const char *file, json_t *all_cases)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cases_dir, file);
    json_error_t json_error;
    json_t *table = json_load_file(path, 0, &json_error);
    if (table == NULL) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, json_error.line, json_error.column, json_error.text);
        return false;
    }
    json_t *cases = json_object_get(table, "cases");
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        fprintf(stderr, "%s: no \"cases\" array\n", path);
        json_decref(table);
        return false;
    }
    json_array_extend(all_cases, cases);
    json_decref(table);
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CASES_DIR TABLE.json...\n", argv[0]);
        return 2;
    }
    cases_dir = argv[1];

    json_t *cases = json_array();
    for (int i = 2; i < argc; i++) {
        if (!load_table(argv[i], cases))
            return 2;
    }

    size_t count = json_array_size(cases);
    table_case *items = calloc(count, sizeof(*items));
    struct CMUnitTest *tests = calloc(count, sizeof(*tests));
    for (size_t i = 0; i < count; i++) {
        items[i].spec = json_array_get(cases, i);
        name_case(&items[i], i);
        tests[i] = (struct CMUnitTest){items[i].name, test_table_case, NULL, NULL, &items[i]};
    }

    int failed = _cmocka_run_group_tests("verdict table", tests, count, NULL, NULL);
    failed += cmocka_run_group_tests_name("verdict API", api_tests, NULL, NULL);

    free(tests);
    free(items);
    json_decref(cases);
    return failed == 0 ? 0 : 1;
}
