/*
 * Allocation failure: each scenario (load a policy, create a checker, run
 * requests) runs again and again with allocation N failing, for N = 0, 1,
 * 2, ... until a run completes without reaching allocation N. Every run must
 * end in one of:
 * - the failing call returns AG_ERR_NOMEM (a NULL policy, checker or verdict
 *   with that error code, or ag_checker_set_home() or ag_checker_set_cdpath()
 *   returning it);
 * - the failing check returns a verdict of ask or deny;
 * and every later request on the same checker must get the verdict it got
 * in the run without failure, so a failure leaves no damaged state behind.
 * Leaks are found by LeakSanitizer in the AddressSanitizer build of CI.
 *
 * Scope: the hook (ag_alloc_fail_after() in lib/core/alloc.c) fails the
 * library's own allocations and PCRE2's, which go through ag_malloc.
 * tree-sitter, libyaml and jansson allocate with malloc directly, so their
 * failures are not simulated here.
 *
 * Usage: test_nomem CASES_DIR  (tests/cases, with its policies/ folder)
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

/* A run that reaches this many allocations without completing means the loop never ends. */
#define MAX_FAILURE_POINT 200000

typedef struct request {
    const char *tool;   /* NULL for a Bash command */
    const char *input;
} request;

static const request requests[] = {
    {NULL, "git status && ls -la"},
    {NULL, "cat ~/.ssh/id_rsa"},
    {NULL, "sudo env A=1 timeout 5 bash -c 'rm -rf /x; curl https://blocked.example/'"},
    {NULL, "cd ~ && cat .ssh/id_rsa > /tmp/allowed/x"},
    {NULL, "cd .ssh && cat id_rsa; cd src && cat main.c"},
    {NULL, "find . -name '*.o' -exec rm {} +"},
    {NULL, "ls | xargs rm -rf"},
    {NULL, "echo $(cat /etc/shadow) | tee -a ~/.bashrc"},
    {NULL, "python3 -c 'import os' && perl -e 'system(1)'"},
    {NULL, "cat <<EOF | sh\nrm -rf /\nEOF"},
    {NULL, "for f in *.c; do gcc -c \"$f\" -o /tmp/${f%.c}.o & done; wait"},
    {NULL, "git push --force origin main"},
    {NULL, "if [[ -f x ]]; then npm publish; fi"},
    {"Read", "{\"file_path\":\"~/.ssh/id_rsa\"}"},
    {"Read", "{\"file_path\":\"/repo/src/main.c\"}"},
    {"Edit", "{\"file_path\":\"/repo/.git/hooks/pre-commit\",\"old_string\":\"a\",\"new_string\":\"b\"}"},
    {"Write", "{\"file_path\":\"/tmp/agent/out.txt\",\"content\":\"x\"}"},
    {"WebFetch", "{\"url\":\"https://blocked.example/x\",\"prompt\":\"p\"}"},
    {"WebFetch", "{\"url\":\"https://docs.example.com/a\",\"prompt\":\"p\"}"},
    {"Bash", "{\"command\":\"rm -rf /tmp/x\"}"},
    {"Bash", "{\"command\":"},
    {"mcp__server__tool", "{\"x\":1}"},
};
#define REQUEST_COUNT (sizeof(requests) / sizeof(requests[0]))

static const char *cases_dir;

/* What one request gave: a decision, or -1 for AG_ERR_NOMEM. */
typedef struct outcome {
    int decision[REQUEST_COUNT];
} outcome;

static ag_policy *load_policy(const char *name, ag_error **error)
{
    if (strcmp(name, "default") == 0)
        return ag_policy_load_default(error);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cases_dir, name);
    return ag_policy_load_file(path, error);
}

/* Fails the test unless `error` is AG_ERR_NOMEM, and frees it. */
static void expect_nomem(ag_error *error, const char *operation, long point)
{
    if (error == NULL || ag_error_code(error) != AG_ERR_NOMEM)
        fail_msg("%s with allocation %ld failing returned %s instead of AG_ERR_NOMEM", operation,
                 point, error != NULL ? ag_error_message(error) : "no error");
    ag_error_free(error);
}

static int run_request(ag_checker *checker, const request *r, long point)
{
    ag_error *error = NULL;
    const ag_verdict *verdict;
    if (r->tool == NULL)
        verdict = ag_check_command(checker, r->input, strlen(r->input), "/repo", &error);
    else
        verdict = ag_check(checker, r->tool, r->input, "/repo", &error);
    if (verdict == NULL) {
        expect_nomem(error, r->input, point);
        return -1;
    }
    assert_null(error);
    return (int)ag_verdict_decision(verdict);
}

/*
 * Runs the scenario once with allocation `point` failing (-1: none) and
 * stores the outcome of each request. Returns whether the scenario ran to
 * its end without reaching allocation `point`.
 */
static bool run_scenario(const char *policy_name, long point, const outcome *reference,
                         outcome *result)
{
    ag_alloc_fail_after(point);

    ag_error *error = NULL;
    ag_policy *policy = load_policy(policy_name, &error);
    if (policy == NULL) {
        ag_alloc_fail_after(-1);
        assert_true(point >= 0);
        expect_nomem(error, policy_name, point);
        return false;
    }
    /*
     * A load may meet the failure and still succeed where the allocation was
     * optional (PCRE2 JIT falls back to the interpreter). The comparison of
     * every verdict with the reference run catches a rule that was dropped.
     */

    ag_checker *checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        ag_alloc_fail_after(-1);
        expect_nomem(error, "ag_checker_new", point);
        ag_policy_free(policy);
        return false;
    }
    ag_status status = ag_checker_set_home(checker, "/home/user");
    /* The CDPATH makes each relative cd try more directories, which allocates. */
    if (status == AG_OK)
        status = ag_checker_set_cdpath(checker, "/home/user:src");
    bool completed = status == AG_OK;
    if (status != AG_OK)
        assert_int_equal(status, AG_ERR_NOMEM);

    for (size_t i = 0; completed && i < REQUEST_COUNT; i++) {
        long before = ag_alloc_failures_injected();
        result->decision[i] = run_request(checker, &requests[i], point);
        if (ag_alloc_failures_injected() == before) {
            if (reference != NULL && result->decision[i] != reference->decision[i])
                fail_msg("%s: `%s` got %d after an earlier failure, %d without (allocation %ld)",
                         policy_name, requests[i].input, result->decision[i],
                         reference->decision[i], point);
            continue;
        }
        /* A check that met a failed allocation returns no verdict, or ask or deny. */
        if (result->decision[i] == AG_ALLOW)
            fail_msg("%s: `%s` was allowed while allocation %ld failed", policy_name,
                     requests[i].input, point);
        if (result->decision[i] >= 0 && reference != NULL
            && result->decision[i] < reference->decision[i])
            fail_msg("%s: `%s` got %d while allocation %ld failed, %d without", policy_name,
                     requests[i].input, result->decision[i], point, reference->decision[i]);
        /* The failure is spent: the requests after it must get their usual verdicts. */
        for (size_t j = i + 1; j < REQUEST_COUNT; j++) {
            int decision = run_request(checker, &requests[j], point);
            if (reference != NULL && decision != reference->decision[j])
                fail_msg("%s: `%s` got %d after a failed check, %d without (allocation %ld)",
                         policy_name, requests[j].input, decision, reference->decision[j],
                         point);
        }
        completed = false;
    }
    completed = completed && ag_alloc_failures_injected() == 0;
    ag_alloc_fail_after(-1);
    ag_checker_free(checker);
    ag_policy_free(policy);
    return completed;
}

static void run_every_failure_point(const char *policy_name)
{
    outcome reference;
    assert_true(run_scenario(policy_name, -1, NULL, &reference));
    for (size_t i = 0; i < REQUEST_COUNT; i++)
        assert_true(reference.decision[i] >= 0);

    long point = 0;
    for (;; point++) {
        assert_true(point < MAX_FAILURE_POINT);
        outcome result;
        if (run_scenario(policy_name, point, &reference, &result))
            break;
    }
    fprintf(stderr, "%s: allocations 0 to %ld failed in turn\n", policy_name, point - 1);
}

static void test_default_policy(void **state)
{
    (void)state;
    run_every_failure_point("default");
}

static void test_effects_policy(void **state)
{
    (void)state;
    run_every_failure_point("policies/effects.yaml");
}

static void test_tools_policy(void **state)
{
    (void)state;
    run_every_failure_point("policies/tools.yaml");
}

static void test_wrappers_policy(void **state)
{
    (void)state;
    run_every_failure_point("policies/wrappers.yaml");
}

static void test_basic_policy(void **state)
{
    (void)state;
    run_every_failure_point("policies/basic.yaml");
}

static void test_limits_policy(void **state)
{
    (void)state;
    run_every_failure_point("policies/limits.yaml");
}

/* A builder that meets the failure returns AG_ERR_NOMEM, or a policy with every rule, and leaks nothing. */
static void test_builder_two_sources(void **state)
{
    (void)state;
    char first[4096], second[4096];
    snprintf(first, sizeof(first), "%s/policies/basic.yaml", cases_dir);
    snprintf(second, sizeof(second), "%s/policies/effects.yaml", cases_dir);

    ag_policy_builder *reference = ag_policy_builder_new();
    assert_non_null(reference);
    assert_int_equal(ag_policy_builder_add_file(reference, first, NULL), AG_OK);
    assert_int_equal(ag_policy_builder_add_file(reference, second, NULL), AG_OK);
    ag_policy *built = ag_policy_builder_build(reference, NULL);
    assert_non_null(built);
    size_t expected_rules = ag_policy_rule_count(built);
    ag_policy_free(built);
    ag_policy_builder_free(reference);

    long point = 0;
    for (;; point++) {
        assert_true(point < MAX_FAILURE_POINT);
        ag_alloc_fail_after(point);
        ag_error *error = NULL;
        ag_policy *policy = NULL;
        ag_policy_builder *builder = ag_policy_builder_new();
        if (builder == NULL) {
            ag_alloc_fail_after(-1);
            continue;
        }
        ag_status status = ag_policy_builder_add_file(builder, first, &error);
        if (status == AG_OK)
            status = ag_policy_builder_add_file(builder, second, &error);
        if (status == AG_OK) {
            policy = ag_policy_builder_build(builder, &error);
            status = policy != NULL ? AG_OK : ag_error_code(error);
        }
        bool failed = ag_alloc_failures_injected() > 0;
        ag_alloc_fail_after(-1);
        ag_policy_builder_free(builder);
        if (!failed) {
            assert_non_null(policy);
            ag_policy_free(policy);
            break;
        }
        if (policy != NULL) {
            assert_int_equal(ag_policy_rule_count(policy), expected_rules);
            ag_policy_free(policy);
            continue;
        }
        assert_int_equal(status, AG_ERR_NOMEM);
        ag_error_free(error);
    }
    fprintf(stderr, "builder: allocations 0 to %ld failed in turn\n", point - 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASES_DIR\n", argv[0]);
        return 2;
    }
    cases_dir = argv[1];

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_effects_policy),
        cmocka_unit_test(test_tools_policy),
        cmocka_unit_test(test_wrappers_policy),
        cmocka_unit_test(test_basic_policy),
        cmocka_unit_test(test_limits_policy),
        cmocka_unit_test(test_builder_two_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
