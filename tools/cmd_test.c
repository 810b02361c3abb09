/*
 * agentguard test [--allow-no-tests] POLICY...: runs the `tests:` of each policy file.
 *
 * Each file is loaded as a policy of its own, so a file's tests describe
 * that file alone and never depend on which other files are named with it.
 */
/* realpath() is an XSI function; _POSIX_C_SOURCE alone does not declare it. */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The home directory of a test that gives none: fixed, so results never depend on $HOME. */
#define CLI_TEST_DEFAULT_HOME "/home/user"

static void print_help(void)
{
    printf("Usage: agentguard test [--allow-no-tests] POLICY...\n"
           "\n"
           "Runs the tests written in each policy file's 'tests:' key against the policy\n"
           "that file alone builds, and checks the examples of its rules while loading.\n"
           "A test without 'cwd' runs in the policy file's directory; one without 'home'\n"
           "runs with the home directory /home/user. Prints each failure with the decision,\n"
           "its reason and the test's FILE:LINE:COLUMN, then 'N passed, N failed', and\n"
           "', N policy files with errors' when a file does not load. A file with no\n"
           "tests gets the note 'no tests in FILE' on standard error and adds\n"
           "', N policy files with no tests', so that a wrong path in a CI job fails.\n"
           "\n"
           "Options:\n"
           "      --allow-no-tests  accept files with no tests: the note is still\n"
           "                        printed, but the exit status ignores them\n"
           "  -h, --help            print this help and exit\n"
           "\n"
           "Exit status: 0 when every test passes and every file has tests, 1 on a\n"
           "failure, a policy error, a file with no tests (unless --allow-no-tests) or\n"
           "a usage error.\n");
}

/* The outcome of one policy file's run, apart from its pass and fail counts. */
enum file_result {
    FILE_RAN,         /* every test ran, passed or not */
    FILE_NO_TESTS,    /* it loaded and has no tests */
    FILE_BROKEN       /* it failed to load, or a test could not run */
};

/* Returns the directory part of `path` in `buffer`: "." when it has none. */
static const char *directory_of(const char *path, char *buffer, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ".";
    size_t length = slash == path ? 1 : (size_t)(slash - path);
    if (length >= size)
        return ".";
    memcpy(buffer, path, length);
    buffer[length] = '\0';
    return buffer;
}

/* Runs test `index`; returns 1 when it passed, 0 when it failed, -1 on an error. */
static int run_test(ag_checker *checker, const ag_policy *policy, size_t index,
                    const char *directory)
{
    const char *home = ag_policy_test_home(policy, index);
    if (home == NULL)
        home = CLI_TEST_DEFAULT_HOME;
    const char *cwd = ag_policy_test_cwd(policy, index);
    if (ag_checker_set_home(checker, home) != AG_OK) {
        fprintf(stderr, "%s: invalid home '%s'; give an absolute path\n",
                ag_policy_test_source(policy, index), home);
        return -1;
    }

    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check(checker, ag_policy_test_tool_name(policy, index),
                                         ag_policy_test_tool_input_json(policy, index),
                                         cwd != NULL ? cwd : directory, &error);
    if (verdict == NULL) {
        fprintf(stderr, "%s: the check failed: %s\n", ag_policy_test_source(policy, index),
                ag_error_message(error));
        ag_error_free(error);
        return -1;
    }

    ag_decision expect = ag_policy_test_expect(policy, index);
    const char *rule = ag_policy_test_rule(policy, index);
    const char *actual_rule = ag_verdict_rule(verdict);
    bool decision_ok = ag_verdict_decision(verdict) == expect;
    bool rule_ok = rule == NULL || (actual_rule != NULL && strcmp(rule, actual_rule) == 0);
    if (decision_ok && rule_ok)
        return 1;

    printf("FAIL %s: %s\n", ag_policy_test_source(policy, index),
           ag_policy_test_name(policy, index));
    printf("  expected %s", ag_decision_name(expect));
    if (rule != NULL)
        printf(" by the rule %s", rule);
    printf(", got %s", ag_decision_name(ag_verdict_decision(verdict)));
    if (actual_rule != NULL)
        printf(" by the rule %s (%s)", actual_rule, ag_verdict_source(verdict));
    printf("\n  reason: %s\n", ag_verdict_reason(verdict));
    return 0;
}

/* Runs every test of one policy file and adds to the counts. */
static enum file_result run_file(const char *path, size_t *passed, size_t *failed)
{
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_file(path, &error);
    if (policy == NULL) {
        cli_print_policy_error(error, path);
        ag_error_free(error);
        return FILE_BROKEN;
    }
    for (size_t i = 0; i < ag_policy_warning_count(policy); i++)
        fprintf(stderr, "%s\n", ag_policy_warning(policy, i));

    /* A settings file, or a policy given in place of the file with its tests, has none. */
    if (ag_policy_test_count(policy) == 0) {
        fprintf(stderr, "agentguard test: no tests in %s; add a 'tests:' list, name the file "
                        "that has the tests, or pass --allow-no-tests\n", path);
        ag_policy_free(policy);
        return FILE_NO_TESTS;
    }

    ag_checker *checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        fprintf(stderr, "agentguard test: %s\n", ag_error_message(error));
        ag_error_free(error);
        ag_policy_free(policy);
        return FILE_BROKEN;
    }

    char buffer[4096];
    const char *directory = directory_of(path, buffer, sizeof(buffer));
    char absolute[8192];
    if (directory[0] != '/' && realpath(directory, absolute) != NULL)
        directory = absolute;

    bool ok = true;
    for (size_t i = 0; i < ag_policy_test_count(policy); i++) {
        int result = run_test(checker, policy, i, directory);
        if (result < 0)
            ok = false;
        if (result > 0)
            (*passed)++;
        else
            (*failed)++;
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
    return ok ? FILE_RAN : FILE_BROKEN;
}

/* Prints the count line: passes, failures, and the files that ran no tests. */
static void print_counts(size_t passed, size_t failed, size_t broken, size_t without_tests)
{
    printf("%zu passed, %zu failed", passed, failed);
    /* The counts alone would read as success when a policy does not even load. */
    if (broken > 0)
        printf(", %zu policy %s with errors (see standard error)", broken,
               broken == 1 ? "file" : "files");
    if (without_tests > 0)
        printf(", %zu policy %s with no tests", without_tests,
               without_tests == 1 ? "file" : "files");
    printf("\n");
}

int cli_test_main(int argc, char **argv)
{
    bool allow_no_tests = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *option = argv[first];
        if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            print_help();
            return 0;
        }
        if (strcmp(option, "--") == 0) {
            first++;
            break;
        }
        if (strcmp(option, "--allow-no-tests") != 0) {
            cli_usage_error("test", "unknown option '%s'", option);
            return CLI_EXIT_USAGE;
        }
        allow_no_tests = true;
    }
    if (first >= argc) {
        cli_usage_error("test", "missing POLICY; name one or more policy files");
        return CLI_EXIT_USAGE;
    }

    size_t passed = 0;
    size_t failed = 0;
    size_t broken = 0;           /* policy files that failed to load or to run a test */
    size_t without_tests = 0;    /* policy files that loaded and have no tests */
    for (int i = first; i < argc; i++) {
        enum file_result result = run_file(argv[i], &passed, &failed);
        if (result == FILE_BROKEN)
            broken++;
        else if (result == FILE_NO_TESTS)
            without_tests++;
    }
    print_counts(passed, failed, broken, without_tests);

    bool files_ok = broken == 0 && (without_tests == 0 || allow_no_tests);
    return files_ok && failed == 0 ? 0 : CLI_EXIT_USAGE;
}
