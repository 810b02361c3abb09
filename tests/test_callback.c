/*
 * Decision callback tests, through the shared library's public API: the
 * callback runs once per check that returns a verdict, sees that verdict and
 * the request as passed, gets its user data, and cannot re-enter its checker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agentguard.h"

static const char POLICY[] =
    "default: ask\n"
    "allow: [\"Bash(git status)\"]\n"
    "deny: [\"Bash(rm -rf *)\", \"WebFetch\"]\n";

/* What the callback saw on its last call, copied because the pointers die with the call. */
typedef struct recorder {
    int calls;
    const ag_verdict *verdict;
    ag_decision decision;
    char rule[128];
    char tool_name[64];
    char tool_input_json[256];
    bool input_was_null;
    char command[256];
    size_t command_length;
    bool command_was_null;
    char cwd[64];
    bool cwd_was_null;
    ag_checker *checker;             /* set by tests of re-entry */
    const ag_verdict *reentry_verdict;
    ag_status reentry_status;
} recorder;

static void copy_or_flag(char *target, size_t size, const char *text, bool *was_null)
{
    *was_null = text == NULL;
    snprintf(target, size, "%s", text != NULL ? text : "");
}

static void record(const ag_verdict *verdict, const char *tool_name, const char *tool_input_json,
                   const char *command, size_t command_length, const char *cwd, void *user_data)
{
    recorder *seen = user_data;
    seen->calls++;
    seen->verdict = verdict;
    seen->decision = ag_verdict_decision(verdict);
    const char *rule = ag_verdict_rule(verdict);
    snprintf(seen->rule, sizeof(seen->rule), "%s", rule != NULL ? rule : "");
    snprintf(seen->tool_name, sizeof(seen->tool_name), "%s", tool_name);
    copy_or_flag(seen->tool_input_json, sizeof(seen->tool_input_json), tool_input_json,
                 &seen->input_was_null);
    seen->command_was_null = command == NULL;
    seen->command_length = command_length;
    if (command != NULL && command_length < sizeof(seen->command)) {
        memcpy(seen->command, command, command_length);
        seen->command[command_length] = '\0';
    }
    copy_or_flag(seen->cwd, sizeof(seen->cwd), cwd, &seen->cwd_was_null);
}

/* Records the call, then checks again on the same checker, which must fail. */
static void record_and_reenter(const ag_verdict *verdict, const char *tool_name,
                               const char *tool_input_json, const char *command,
                               size_t command_length, const char *cwd, void *user_data)
{
    recorder *seen = user_data;
    record(verdict, tool_name, tool_input_json, command, command_length, cwd, user_data);
    ag_error *error = NULL;
    seen->reentry_verdict = ag_check_command(seen->checker, "ls", 2, NULL, &error);
    seen->reentry_status = error != NULL ? ag_error_code(error) : AG_OK;
    ag_error_free(error);
}

typedef struct fixture {
    ag_policy *policy;
    ag_checker *checker;
    recorder seen;
} fixture;

static int set_up(void **state)
{
    static fixture shared;
    memset(&shared, 0, sizeof(shared));
    ag_error *error = NULL;
    shared.policy = ag_policy_load_string("policy.yaml", POLICY, strlen(POLICY), &error);
    if (shared.policy == NULL) {
        fprintf(stderr, "cannot load the test policy: %s\n", ag_error_message(error));
        ag_error_free(error);
        return -1;
    }
    shared.checker = ag_checker_new(shared.policy, &error);
    if (shared.checker == NULL) {
        ag_error_free(error);
        return -1;
    }
    *state = &shared;
    return 0;
}

static int tear_down(void **state)
{
    fixture *f = *state;
    ag_checker_free(f->checker);
    ag_policy_free(f->policy);
    return 0;
}

static void test_check_calls_once_with_verdict(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);

    const ag_verdict *verdict = ag_check(f->checker, "Bash", "{\"command\":\"rm -rf /tmp/x\"}",
                                         "/repo", NULL);
    assert_non_null(verdict);
    assert_int_equal(f->seen.calls, 1);
    assert_ptr_equal(f->seen.verdict, verdict);
    assert_int_equal(f->seen.decision, AG_DENY);
    assert_string_equal(f->seen.rule, "Bash(rm -rf *)");
    assert_string_equal(f->seen.tool_name, "Bash");
    assert_string_equal(f->seen.tool_input_json, "{\"command\":\"rm -rf /tmp/x\"}");
    assert_true(f->seen.command_was_null);
    assert_int_equal(f->seen.command_length, 0);
    assert_string_equal(f->seen.cwd, "/repo");
}

static void test_each_check_calls_again(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);

    assert_non_null(ag_check(f->checker, "WebFetch", "{\"url\":\"https://example.com\"}", NULL,
                             NULL));
    assert_int_equal(f->seen.calls, 1);
    assert_int_equal(f->seen.decision, AG_DENY);
    assert_string_equal(f->seen.tool_name, "WebFetch");
    assert_true(f->seen.cwd_was_null);

    assert_non_null(ag_check(f->checker, "Bash", "{\"command\":\"git status\"}", "/r", NULL));
    assert_int_equal(f->seen.calls, 2);
    assert_int_equal(f->seen.decision, AG_ALLOW);
}

static void test_command_passes_text(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);

    /* Only the first 10 bytes are the command: the callback must get exactly those. */
    const char text[] = "git statusXXXX";
    const ag_verdict *verdict = ag_check_command(f->checker, text, 10, "/repo", NULL);
    assert_non_null(verdict);
    assert_int_equal(f->seen.calls, 1);
    assert_ptr_equal(f->seen.verdict, verdict);
    assert_int_equal(f->seen.decision, AG_ALLOW);
    assert_string_equal(f->seen.tool_name, "Bash");
    assert_true(f->seen.input_was_null);
    assert_false(f->seen.command_was_null);
    assert_int_equal(f->seen.command_length, 10);
    assert_string_equal(f->seen.command, "git status");
}

static void test_malformed_request_still_calls(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);

    /* A malformed request gets a deny verdict, not NULL, so it is reported. */
    const ag_verdict *verdict = ag_check(f->checker, "Bash", "not json", "/repo", NULL);
    assert_non_null(verdict);
    assert_int_equal(f->seen.calls, 1);
    assert_int_equal(f->seen.decision, AG_DENY);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_REQUEST);
}

static void test_null_verdict_not_reported(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);

    ag_error *error = NULL;
    assert_null(ag_check(f->checker, "Bash", NULL, "/repo", &error));
    ag_error_free(error);
    error = NULL;
    assert_null(ag_check(f->checker, NULL, "{}", "/repo", &error));
    ag_error_free(error);
    error = NULL;
    assert_null(ag_check_command(f->checker, NULL, 0, "/repo", &error));
    ag_error_free(error);
    assert_int_equal(f->seen.calls, 0);
}

static void test_user_data_passed_through(void **state)
{
    fixture *f = *state;
    recorder other;
    memset(&other, 0, sizeof(other));

    assert_int_equal(ag_checker_set_callback(f->checker, record, &other), AG_OK);
    assert_non_null(ag_check_command(f->checker, "ls", 2, NULL, NULL));
    assert_int_equal(other.calls, 1);
    assert_int_equal(f->seen.calls, 0);

    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);
    assert_non_null(ag_check_command(f->checker, "ls", 2, NULL, NULL));
    assert_int_equal(other.calls, 1);
    assert_int_equal(f->seen.calls, 1);
}

static void test_null_callback_clears(void **state)
{
    fixture *f = *state;
    assert_int_equal(ag_checker_set_callback(f->checker, record, &f->seen), AG_OK);
    assert_int_equal(ag_checker_set_callback(f->checker, NULL, &f->seen), AG_OK);
    assert_non_null(ag_check_command(f->checker, "ls", 2, NULL, NULL));
    assert_int_equal(f->seen.calls, 0);
    assert_int_equal(ag_checker_set_callback(NULL, record, NULL), AG_ERR_ARGUMENT);
}

static void test_reentry_rejected(void **state)
{
    fixture *f = *state;
    f->seen.checker = f->checker;
    assert_int_equal(ag_checker_set_callback(f->checker, record_and_reenter, &f->seen), AG_OK);

    const ag_verdict *verdict = ag_check_command(f->checker, "rm -rf /", 8, "/repo", NULL);
    assert_non_null(verdict);
    assert_int_equal(f->seen.calls, 1);
    assert_null(f->seen.reentry_verdict);
    assert_int_equal(f->seen.reentry_status, AG_ERR_ARGUMENT);
    /* The outer verdict survived the rejected inner check. */
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    assert_string_equal(ag_verdict_rule(verdict), "Bash(rm -rf *)");

    /* The checker works again once the callback has returned. */
    assert_int_equal(ag_checker_set_callback(f->checker, NULL, NULL), AG_OK);
    assert_non_null(ag_check_command(f->checker, "ls", 2, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_check_calls_once_with_verdict, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_each_check_calls_again, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_command_passes_text, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_malformed_request_still_calls, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_null_verdict_not_reported, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_user_data_passed_through, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_null_callback_clears, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_reentry_rejected, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
