/*
 * One compiled policy shared by checkers on 8 threads: every verdict
 * (decision and deciding rule) must equal the verdict of a single-threaded
 * run. The requests are the cases of the verdict tables (cases/check*.json),
 * repeated until the threads have made at least 100,000 checks in total.
 *
 * Run under ThreadSanitizer (`meson setup build-tsan -Db_sanitize=thread`,
 * `meson test -C build-tsan threads`) this also finds data races on the
 * policy: lazily initialised state, PCRE2 JIT stacks, static buffers and the
 * tree-sitter language. In a normal build it checks only the verdicts.
 *
 * Usage: test_threads CASES_DIR TABLE.json...
 */
#include <pthread.h>
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

#define THREAD_COUNT 8
#define MIN_TOTAL_CHECKS 100000

/* One request of a verdict table, with what the single-threaded run decided. */
typedef struct request {
    size_t policy;          /* index into policies[] */
    const char *tool;       /* NULL for a Bash command */
    char *input;            /* the command, or the tool input as JSON text */
    size_t input_length;
    const char *cwd;
    const char *home;       /* NULL: no home set */
    ag_decision expected;
    const char *expected_rule;  /* owned by the policy, or NULL */
    bool expected_limited;      /* the first check reached a limit, such as the parse time */
} request;

typedef struct worker {
    pthread_t thread;
    size_t first;           /* the worker starts at this request, so threads interleave */
    size_t rounds;
    size_t checks;
    size_t mismatches;
    bool failed;            /* a checker or policy could not be created */
} worker;

static const char *cases_dir;
/* Room for every table and policy of check_tables; an assert fails when it runs out. */
enum { MAX_TABLES = 128, MAX_POLICIES = 128 };
static json_t *tables[MAX_TABLES];
static size_t table_count;
static char *policy_names[MAX_POLICIES];
static ag_policy *policies[MAX_POLICIES];
static size_t policy_count;
static request *requests;
static size_t request_count;

static size_t policy_index(const char *name)
{
    for (size_t i = 0; i < policy_count; i++) {
        if (strcmp(policy_names[i], name) == 0)
            return i;
    }
    assert_true(policy_count < sizeof(policies) / sizeof(policies[0]));
    ag_error *error = NULL;
    if (strcmp(name, "default") == 0) {
        policies[policy_count] = ag_policy_load_default(&error);
    } else {
        char path[4096];
        snprintf(path, sizeof(path), "%s/policies/%s.yaml", cases_dir, name);
        policies[policy_count] = ag_policy_load_file(path, &error);
    }
    if (policies[policy_count] == NULL)
        fail_msg("cannot load policy %s: %s", name, ag_error_message(error));
    policy_names[policy_count] = strdup(name);
    assert_non_null(policy_names[policy_count]);
    return policy_count++;
}

/* The case's "cwd": "/repo" when absent, NULL when null, as test_check.c reads it. */
static const char *case_cwd(json_t *spec)
{
    json_t *cwd = json_object_get(spec, "cwd");
    if (cwd == NULL)
        return "/repo";
    return json_string_value(cwd);
}

static void add_request(json_t *spec)
{
    request *r = &requests[request_count++];
    memset(r, 0, sizeof(*r));
    r->policy = policy_index(json_string_value(json_object_get(spec, "policy")));
    r->home = json_string_value(json_object_get(spec, "home"));
    json_t *command = json_object_get(spec, "command");
    if (command != NULL) {
        r->input_length = json_string_length(command);
        r->input = malloc(r->input_length + 1);
        assert_non_null(r->input);
        memcpy(r->input, json_string_value(command), r->input_length + 1);
        r->cwd = "/repo";
        return;
    }
    r->tool = json_string_value(json_object_get(spec, "tool"));
    json_t *input_text = json_object_get(spec, "input_text");
    r->input = input_text != NULL ? strdup(json_string_value(input_text))
                                  : json_dumps(json_object_get(spec, "input"), JSON_COMPACT);
    assert_non_null(r->input);
    r->input_length = strlen(r->input);
    r->cwd = case_cwd(spec);
}

static void load_tables(int argc, char **argv)
{
    size_t capacity = 0;
    for (int i = 2; i < argc; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", cases_dir, argv[i]);
        json_error_t json_error;
        json_t *table = json_load_file(path, 0, &json_error);
        if (table == NULL)
            fail_msg("%s:%d: %s", path, json_error.line, json_error.text);
        assert_true(table_count < sizeof(tables) / sizeof(tables[0]));
        tables[table_count++] = table;
        capacity += json_array_size(json_object_get(table, "cases"));
    }
    requests = calloc(capacity, sizeof(*requests));
    assert_non_null(requests);
    for (size_t t = 0; t < table_count; t++) {
        json_t *cases = json_object_get(tables[t], "cases");
        for (size_t i = 0; i < json_array_size(cases); i++)
            add_request(json_array_get(cases, i));
    }
}

/* Runs one request on the checker of its policy; returns NULL when the check failed. */
static const ag_verdict *run_request(ag_checker *checker, const request *r)
{
    /* A home set for one case must not leak into the next, as test_check.c gets a new checker. */
    if (ag_checker_set_home(checker, r->home) != AG_OK)
        return NULL;
    if (r->tool == NULL)
        return ag_check_command(checker, r->input, r->input_length, r->cwd, NULL);
    return ag_check(checker, r->tool, r->input, r->cwd, NULL);
}

static bool create_checkers(ag_checker **checkers)
{
    for (size_t i = 0; i < policy_count; i++) {
        checkers[i] = ag_checker_new(policies[i], NULL);
        if (checkers[i] == NULL)
            return false;
    }
    return true;
}

static void free_checkers(ag_checker **checkers)
{
    for (size_t i = 0; i < policy_count; i++)
        ag_checker_free(checkers[i]);
}

static bool same_rule(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Returns whether a worker's verdict is the one the single thread got. A
 * limit on time depends on the load: a verdict that reached one must not
 * allow, and one that did not has no reference when the first check did.
 */
static bool verdict_matches(const ag_verdict *verdict, const request *r)
{
    if (verdict == NULL)
        return false;

    if (ag_verdict_error(verdict) == AG_ERR_LIMIT)
        return ag_verdict_decision(verdict) != AG_ALLOW;
    if (r->expected_limited)
        return true;

    return ag_verdict_decision(verdict) == r->expected
           && same_rule(ag_verdict_rule(verdict), r->expected_rule);
}

static void *run_worker(void *argument)
{
    worker *w = argument;
    ag_checker *checkers[MAX_POLICIES] = {0};

    /*
     * Every thread also builds the default policy at the same moment as the
     * others, so state initialised on the first build (the effects table,
     * the tree-sitter language) is initialised concurrently too.
     */
    ag_policy *own = ag_policy_load_default(NULL);
    if (own == NULL || !create_checkers(checkers)) {
        w->failed = true;
        free_checkers(checkers);
        ag_policy_free(own);
        return NULL;
    }

    for (size_t round = 0; round < w->rounds; round++) {
        for (size_t k = 0; k < request_count; k++) {
            const request *r = &requests[(w->first + k) % request_count];
            const ag_verdict *verdict = run_request(checkers[r->policy], r);
            w->checks++;
            if (!verdict_matches(verdict, r)) {
                if (w->mismatches++ < 5)
                    fprintf(stderr, "thread verdict differs for `%s`: %s (%s), expected %s (%s)\n",
                            r->input, verdict ? ag_decision_name(ag_verdict_decision(verdict)) : "none",
                            verdict && ag_verdict_rule(verdict) ? ag_verdict_rule(verdict) : "no rule",
                            ag_decision_name(r->expected),
                            r->expected_rule ? r->expected_rule : "no rule");
            }
        }
    }
    free_checkers(checkers);
    ag_policy_free(own);
    return NULL;
}

static void test_threads_match_single_thread(void **state)
{
    (void)state;
    assert_true(request_count > 0);

    ag_checker *checkers[MAX_POLICIES] = {0};
    assert_true(create_checkers(checkers));
    for (size_t i = 0; i < request_count; i++) {
        const ag_verdict *verdict = run_request(checkers[requests[i].policy], &requests[i]);
        assert_non_null(verdict);
        requests[i].expected = ag_verdict_decision(verdict);
        requests[i].expected_rule = ag_verdict_rule(verdict);
        requests[i].expected_limited = ag_verdict_error(verdict) == AG_ERR_LIMIT;
    }
    free_checkers(checkers);

    size_t per_round = THREAD_COUNT * request_count;
    size_t rounds = (MIN_TOTAL_CHECKS + per_round - 1) / per_round;
    worker workers[THREAD_COUNT];
    memset(workers, 0, sizeof(workers));
    for (size_t t = 0; t < THREAD_COUNT; t++) {
        workers[t].first = t * request_count / THREAD_COUNT;
        workers[t].rounds = rounds;
        assert_int_equal(pthread_create(&workers[t].thread, NULL, run_worker, &workers[t]), 0);
    }

    size_t checks = 0, mismatches = 0;
    for (size_t t = 0; t < THREAD_COUNT; t++) {
        assert_int_equal(pthread_join(workers[t].thread, NULL), 0);
        assert_false(workers[t].failed);
        checks += workers[t].checks;
        mismatches += workers[t].mismatches;
    }
    fprintf(stderr, "%zu checks on %d threads, %zu differ from the single-threaded run\n", checks,
            THREAD_COUNT, mismatches);
    assert_true(checks >= MIN_TOTAL_CHECKS);
    assert_int_equal(mismatches, 0);
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < request_count; i++)
        free(requests[i].input);
    free(requests);
    for (size_t i = 0; i < policy_count; i++) {
        ag_policy_free(policies[i]);
        free(policy_names[i]);
    }
    for (size_t t = 0; t < table_count; t++)
        json_decref(tables[t]);
    return 0;
}

static int global_argc;
static char **global_argv;

static int load(void **state)
{
    (void)state;
    load_tables(global_argc, global_argv);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CASES_DIR TABLE.json...\n", argv[0]);
        return 2;
    }
    cases_dir = argv[1];
    global_argc = argc;
    global_argv = argv;

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_match_single_thread),
    };
    return cmocka_run_group_tests(tests, load, teardown);
}
