/*
 * tree-sitter's allocations through the per-analyzer pool (lib/core/ts_alloc.c),
 * with the real tree-sitter runtime and grammar:
 * - the pool's blocks: alignment, calloc, realloc, free with no pool current,
 *   the cap on the memory it keeps, and the reserve that serves when malloc
 *   fails;
 * - a warm analyzer and a warm checker make no malloc call on the check path
 *   (counted through -Wl,--wrap=malloc, calloc and realloc);
 * - a checker used by two threads one after the other gives the same verdicts;
 * - a failed allocation during a parse (pool chunk, large block, reserve)
 *   gives AG_ERR_NOMEM, never a crash, and the next analysis is complete.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agentguard.h"
#include "core/common.h"
#include "core/ts_alloc.h"
#include "shell/shell.h"

/* Calls to malloc, calloc and realloc, and to free, from any object of this program. */
static atomic_long allocation_calls;
static atomic_long free_calls;

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *pointer, size_t size);
void __real_free(void *pointer);
void __wrap_free(void *pointer);

void *__wrap_malloc(size_t size)
{
    atomic_fetch_add(&allocation_calls, 1);
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    atomic_fetch_add(&allocation_calls, 1);
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *pointer, size_t size)
{
    atomic_fetch_add(&allocation_calls, 1);
    return __real_realloc(pointer, size);
}

void __wrap_free(void *pointer)
{
    atomic_fetch_add(&free_calls, 1);
    __real_free(pointer);
}

/* Agent-style commands of different shapes and sizes. */
static const char *const commands[] = {
    "git status && ls -la",
    "cat ~/.ssh/id_rsa",
    "sudo env A=1 timeout 5 bash -c 'rm -rf /x; curl https://blocked.example/'",
    "find . -name '*.o' -exec rm {} +",
    "echo $(cat /etc/shadow) | tee -a ~/.bashrc",
    "cat <<EOF | sh\nrm -rf /\nEOF",
    "for f in *.c; do gcc -c \"$f\" -o /tmp/${f%.c}.o & done; wait",
    "if [[ -f x ]]; then npm publish; fi",
    "cd /repo && npm test -- --watch=false 2>&1 | tail -n 50",
    "python3 -c 'import os; print(os.getcwd())' > /tmp/out.txt",
    "grep -rn \"TODO\" src/ | awk -F: '{print $1}' | sort | uniq -c | sort -rn | head",
    "ls ((",
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static ag_status analyze(ag_shell_analyzer *analyzer, ag_arena *arena, const char *command,
                         ag_shell_analysis *out)
{
    ag_arena_reset(arena);
    return ag_shell_analyze(analyzer, command, strlen(command), NULL, arena, out);
}

/*
 * `echo $(echo $(... x))`, `depth` levels deep. At 60 levels, tree-sitter's
 * cursor stack and parse arrays outgrow the largest size class (4 KiB).
 */
static char *nested_command(size_t depth)
{
    char *text = malloc(depth * 8 + 8);
    assert_non_null(text);
    strcpy(text, "echo ");
    for (size_t i = 0; i < depth; i++)
        strcat(text, "$(echo ");
    strcat(text, "x");
    for (size_t i = 0; i < depth; i++)
        strcat(text, ")");
    return text;
}

static void test_pool_alignment(void **state)
{
    (void)state;
    ag_ts_pool *pool = ag_ts_pool_new();
    assert_non_null(pool);
    ag_ts_pool *previous = ag_ts_pool_enter(pool);

    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4095, 4096, 4097, 100000};
    void *blocks[sizeof(sizes) / sizeof(sizes[0])];
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        blocks[i] = ag_ts_malloc(sizes[i]);
        assert_non_null(blocks[i]);
        assert_int_equal((uintptr_t)blocks[i] % alignof(max_align_t), 0);
        memset(blocks[i], 0xA5, sizes[i]);
    }
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        ag_ts_free(blocks[i]);

    assert_false(ag_ts_pool_failed(pool));
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
}

static void test_pool_calloc_reused_block(void **state)
{
    (void)state;
    ag_ts_pool *pool = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);

    unsigned char *block = ag_ts_malloc(64);
    memset(block, 0xFF, 64);
    ag_ts_free(block);
    unsigned char *zeroed = ag_ts_calloc(8, 8);
    assert_ptr_equal(zeroed, block);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(zeroed[i], 0);

    ag_ts_free(zeroed);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
}

static void test_pool_realloc_keeps_bytes(void **state)
{
    (void)state;
    ag_ts_pool *pool = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);

    unsigned char *bytes = ag_ts_malloc(10);
    for (size_t i = 0; i < 10; i++)
        bytes[i] = (unsigned char)i;
    static const size_t sizes[] = {12, 100, 5000, 70000};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        bytes = ag_ts_realloc(bytes, sizes[s]);
        for (size_t i = 0; i < 10; i++)
            assert_int_equal(bytes[i], i);
    }

    ag_ts_free(bytes);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
}

/* A block goes back to its own pool, whatever pool is current when it is freed. */
static void test_pool_free_routes_by_header(void **state)
{
    (void)state;
    ag_ts_pool *first = ag_ts_pool_new();
    ag_ts_pool *second = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(first);
    void *block = ag_ts_malloc(200);
    ag_ts_pool_leave(previous);

    ag_ts_free(block);
    previous = ag_ts_pool_enter(second);
    void *other = ag_ts_malloc(200);
    assert_ptr_not_equal(other, block);
    ag_ts_free(other);
    ag_ts_pool_leave(previous);

    previous = ag_ts_pool_enter(first);
    assert_ptr_equal(ag_ts_malloc(200), block);
    ag_ts_free(block);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(second);
    ag_ts_pool_free(first);
}

/*
 * Past the chunk cap, class blocks come from malloc and go back to it when
 * freed, while the chunks stay for the next use.
 */
static void test_pool_cap_returns_memory(void **state)
{
    (void)state;
    enum { BLOCK_COUNT = 6000 };   /* 6000 blocks of 1 KiB: past the 4 MiB of chunks */
    void **blocks = malloc(BLOCK_COUNT * sizeof(*blocks));
    ag_ts_pool *pool = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);

    for (size_t i = 0; i < BLOCK_COUNT; i++)
        blocks[i] = ag_ts_malloc(1000);
    long before_free = atomic_load(&free_calls);
    for (size_t i = 0; i < BLOCK_COUNT; i++)
        ag_ts_free(blocks[i]);
    long loose = atomic_load(&free_calls) - before_free;
    assert_true(loose > 0);
    assert_true(loose < BLOCK_COUNT);

    long before = atomic_load(&allocation_calls);
    for (size_t i = 0; i < BLOCK_COUNT; i++)
        blocks[i] = ag_ts_malloc(1000);
    assert_int_equal(atomic_load(&allocation_calls) - before, loose);
    for (size_t i = 0; i < BLOCK_COUNT; i++)
        ag_ts_free(blocks[i]);

    assert_false(ag_ts_pool_failed(pool));
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
    free(blocks);
}

/* When malloc fails, the block comes from the reserve, and ag_ts_pool_prepare() replaces it. */
static void test_pool_reserve_serves_failure(void **state)
{
    (void)state;
    ag_ts_pool *pool = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);

    ag_alloc_fail_after(0);
    unsigned char *large = ag_ts_malloc(20000);
    assert_int_equal(ag_alloc_failures_injected(), 1);
    assert_non_null(large);
    assert_true(ag_ts_pool_failed(pool));
    memset(large, 0x5A, 20000);
    ag_ts_free(large);

    ag_alloc_fail_after(0);
    unsigned char *small = ag_ts_malloc(48);
    assert_int_equal(ag_alloc_failures_injected(), 1);
    assert_non_null(small);
    memset(small, 0x5A, 48);

    ag_alloc_fail_after(0);
    assert_false(ag_ts_pool_prepare(pool));
    assert_true(ag_ts_pool_failed(pool));
    assert_true(ag_ts_pool_prepare(pool));
    assert_false(ag_ts_pool_failed(pool));
    assert_true(ag_ts_pool_prepare(pool));

    ag_ts_free(small);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
}

static void test_warm_analyzer_makes_no_malloc(void **state)
{
    (void)state;
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    assert_non_null(analyzer);
    ag_arena arena;
    ag_arena_init(&arena);
    ag_shell_analysis analysis;
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        assert_int_equal(analyze(analyzer, &arena, commands[i], &analysis), AG_OK);

    long before = atomic_load(&allocation_calls);
    for (size_t round = 0; round < 50; round++) {
        assert_int_equal(analyze(analyzer, &arena, commands[0], &analysis), AG_OK);
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            assert_int_equal(analyze(analyzer, &arena, commands[i], &analysis), AG_OK);
    }
    assert_int_equal(atomic_load(&allocation_calls) - before, 0);

    ag_arena_release(&arena);
    ag_shell_analyzer_free(analyzer);
}

static ag_checker *new_checker(ag_policy **policy)
{
    ag_error *error = NULL;
    *policy = ag_policy_load_default(&error);
    assert_non_null(*policy);
    ag_checker *checker = ag_checker_new(*policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, "/home/user"), AG_OK);
    return checker;
}

static int check(ag_checker *checker, const char *command)
{
    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), "/repo",
                                                 &error);
    assert_non_null(verdict);
    return (int)ag_verdict_decision(verdict);
}

static void test_warm_checker_makes_no_malloc(void **state)
{
    (void)state;
    ag_policy *policy;
    ag_checker *checker = new_checker(&policy);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        check(checker, commands[i]);

    long before = atomic_load(&allocation_calls);
    for (size_t round = 0; round < 50; round++) {
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            check(checker, commands[i]);
    }
    assert_int_equal(atomic_load(&allocation_calls) - before, 0);

    ag_checker_free(checker);
    ag_policy_free(policy);
}

typedef struct thread_run {
    ag_checker *checker;
    int decisions[COMMAND_COUNT];
} thread_run;

static void *run_commands(void *argument)
{
    thread_run *run = argument;
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        run->decisions[i] = check(run->checker, commands[i]);
    return NULL;
}

/* The checker's pool moves with it: blocks made on one thread are freed and reused on another. */
static void test_checker_moves_between_threads(void **state)
{
    (void)state;
    ag_policy *policy;
    ag_checker *checker = new_checker(&policy);
    thread_run reference = {.checker = checker};
    run_commands(&reference);

    for (int t = 0; t < 2; t++) {
        thread_run run = {.checker = checker};
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, run_commands, &run), 0);
        assert_int_equal(pthread_join(thread, NULL), 0);
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            assert_int_equal(run.decisions[i], reference.decisions[i]);
    }

    ag_checker_free(checker);
    ag_policy_free(policy);
}

static const char pool_problem[] =
    "Out of memory while parsing the command; the command was not analysed.";

/*
 * Fails allocation N of a cold analyzer's analysis of `command`, for every N
 * until one analysis meets no failure. Each must return AG_ERR_NOMEM or mark
 * the analysis AG_SHELL_NOMEM, and the next analysis must be complete.
 * Returns how many failures were served by the pool's reserve.
 */
static size_t fail_every_allocation(const char *command)
{
    size_t reserve_failures = 0;
    ag_shell_analysis analysis;

    for (long point = 0;; point++) {
        assert_true(point < 10000);
        ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
        assert_non_null(analyzer);
        ag_arena arena;
        ag_arena_init(&arena);

        ag_alloc_fail_after(point);
        ag_status status = analyze(analyzer, &arena, command, &analysis);
        bool injected = ag_alloc_failures_injected() > 0;
        ag_alloc_fail_after(-1);
        if (injected) {
            assert_true(status == AG_ERR_NOMEM || (analysis.incomplete & AG_SHELL_NOMEM));
            if (analysis.problem != NULL && strcmp(analysis.problem, pool_problem) == 0)
                reserve_failures++;
        } else {
            assert_int_equal(status, AG_OK);
        }

        assert_int_equal(analyze(analyzer, &arena, command, &analysis), AG_OK);
        assert_int_equal(analysis.incomplete, 0);
        assert_true(analysis.command_count > 0);
        ag_arena_release(&arena);
        ag_shell_analyzer_free(analyzer);
        if (!injected)
            return reserve_failures;
    }
}

static void test_failed_chunk_gives_nomem(void **state)
{
    (void)state;
    char *text = malloc(64 * 40 + 1);
    text[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(text, i == 0 ? "git status --short " : "&& echo \"$HOME/x\" $((1+2)) ");
    assert_true(fail_every_allocation(text) > 0);
    free(text);
}

static void test_failed_large_block_gives_nomem(void **state)
{
    (void)state;
    char *text = nested_command(60);
    assert_true(fail_every_allocation(text) > 0);
    free(text);
}

/* After a failure that used the reserve, a warm analyzer makes no malloc call again. */
static void test_reserve_replaced_after_failure(void **state)
{
    (void)state;
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    ag_arena arena;
    ag_arena_init(&arena);
    ag_shell_analysis analysis = {0};
    char *text = nested_command(60);

    for (long point = 0; analysis.problem == NULL || strcmp(analysis.problem, pool_problem) != 0;
         point++) {
        assert_true(point < 10000);
        ag_alloc_fail_after(point);
        analyze(analyzer, &arena, text, &analysis);
        ag_alloc_fail_after(-1);
    }

    for (size_t i = 0; i < COMMAND_COUNT; i++)
        assert_int_equal(analyze(analyzer, &arena, commands[i], &analysis), AG_OK);
    long before = atomic_load(&allocation_calls);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        assert_int_equal(analyze(analyzer, &arena, commands[i], &analysis), AG_OK);
    assert_int_equal(atomic_load(&allocation_calls) - before, 0);

    free(text);
    ag_arena_release(&arena);
    ag_shell_analyzer_free(analyzer);
}

/*
 * tree-sitter's error recovery on a long `a|a|a|...` once took gigabytes
 * within one parse operation. The parse must stop at its memory budget with
 * ask, and the same checker must go on deciding correctly afterwards.
 */
static void test_parse_stops_at_memory_budget(void **state)
{
    (void)state;
    /* A long time limit, so that only the memory budget can stop the parse. */
    static const char limits[] = "limits:\n  timeout_ms: 120000\n";
    const char *rules = ag_default_policy_text();
    ag_error *failure = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    assert_int_equal(ag_policy_builder_add_string(builder, "default", rules, strlen(rules),
                                                  &failure), AG_OK);
    assert_int_equal(ag_policy_builder_add_string(builder, "limits", limits, strlen(limits),
                                                  &failure), AG_OK);
    ag_policy *policy = ag_policy_builder_build(builder, &failure);
    assert_non_null(policy);
    ag_policy_builder_free(builder);
    ag_checker *checker = ag_checker_new(policy, &failure);
    assert_non_null(checker);
    size_t pairs = 32 * 1024;
    char *text = malloc(5 + 2 * pairs + 1);
    strcpy(text, "echo ");
    for (size_t i = 0; i < pairs; i++)
        memcpy(text + 5 + 2 * i, "a|", 2);
    text[5 + 2 * pairs] = '\0';

    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check_command(checker, text, strlen(text), "/repo", &error);
    assert_non_null(verdict);
    assert_int_equal(ag_verdict_decision(verdict), AG_ASK);
    assert_int_equal(ag_verdict_error(verdict), AG_ERR_LIMIT);
    assert_non_null(strstr(ag_verdict_reason(verdict), "MiB of memory"));

    assert_int_equal(check(checker, "rm -rf /"), AG_DENY);
    assert_int_equal(check(checker, "git status"), AG_ALLOW);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        check(checker, commands[i]);
    long before = atomic_load(&allocation_calls);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        check(checker, commands[i]);
    assert_int_equal(atomic_load(&allocation_calls) - before, 0);

    free(text);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_alignment),
        cmocka_unit_test(test_pool_calloc_reused_block),
        cmocka_unit_test(test_pool_realloc_keeps_bytes),
        cmocka_unit_test(test_pool_free_routes_by_header),
        cmocka_unit_test(test_pool_cap_returns_memory),
        cmocka_unit_test(test_pool_reserve_serves_failure),
        cmocka_unit_test(test_warm_analyzer_makes_no_malloc),
        cmocka_unit_test(test_warm_checker_makes_no_malloc),
        cmocka_unit_test(test_checker_moves_between_threads),
        cmocka_unit_test(test_failed_chunk_gives_nomem),
        cmocka_unit_test(test_failed_large_block_gives_nomem),
        cmocka_unit_test(test_reserve_replaced_after_failure),
        cmocka_unit_test(test_parse_stops_at_memory_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
