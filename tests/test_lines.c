/*
 * ag_shell_analyze_lines(): where it splits a request into lines, and that
 * the commands it finds carry spans in the whole request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shell/shell.h"

typedef struct fixture {
    ag_shell_analyzer *analyzer;
    ag_arena arena;
} fixture;

static int setup(void **state)
{
    static fixture f;
    f.analyzer = ag_shell_analyzer_new();
    if (f.analyzer == NULL)
        return -1;
    ag_arena_init(&f.arena);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ag_shell_analyzer_free(f->analyzer);
    ag_arena_release(&f->arena);
    return 0;
}

/* Analyses `length` bytes of `input` line by line with `limits` (NULL: defaults). */
static ag_shell_analysis analyze(fixture *f, const char *input, size_t length,
                                 const ag_shell_limits *limits)
{
    ag_shell_analysis analysis;
    ag_arena_reset(&f->arena);
    assert_int_equal(ag_shell_analyze_lines(f->analyzer, input, length, limits, &f->arena,
                                            &analysis),
                     AG_OK);
    return analysis;
}

/* Checks that the command's name is `name` and its span is start..end of the request. */
static void expect_command(const ag_shell_analysis *analysis, size_t index, const char *name,
                           uint32_t start, uint32_t end)
{
    assert_true(index < analysis->command_count);
    const ag_shell_command *command = &analysis->commands[index];
    assert_true(command->word_count > 0);
    assert_string_equal(command->words[0].text, name);
    assert_int_equal(command->start, start);
    assert_int_equal(command->end, end);
    assert_int_equal(command->words[0].start, start);
}

static void test_lines_found_dropped_command(void **state)
{
    static const char input[] = "echo `cat /etc/shadow`\necho '`\r'";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    assert_int_equal(analysis.command_count, 3);
    expect_command(&analysis, 0, "echo", 0, 22);
    expect_command(&analysis, 1, "cat", 6, 21);
    assert_string_equal(analysis.commands[1].words[1].text, "/etc/shadow");
    assert_int_equal(analysis.commands[1].words[1].start, 10);
    expect_command(&analysis, 2, "echo", 23, 32);
    assert_int_equal(analysis.incomplete, 0);
}

static void test_lines_error_pieces_parsed(void **state)
{
    /* The ERROR node of the line keeps `cat` and `/etc/shadow` as loose tokens. */
    static const char input[] = "echo `cat /etc/shadow` '`\r'";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    const ag_shell_command *cat = NULL;
    for (size_t i = 0; i < analysis.command_count; i++) {
        const ag_shell_command *command = &analysis.commands[i];
        if (command->word_count > 0 && strcmp(command->words[0].text, "cat") == 0)
            cat = command;
    }
    assert_non_null(cat);
    assert_int_equal(cat->word_count, 2);
    assert_string_equal(cat->words[1].text, "/etc/shadow");
    assert_int_equal(cat->start, 6);
    assert_int_equal(cat->end, 21);
    assert_int_equal(analysis.incomplete, 0);
}

static void test_lines_empty_request(void **state)
{
    ag_shell_analysis analysis = analyze(*state, "", 0, NULL);
    assert_int_equal(analysis.command_count, 0);
    assert_int_equal(analysis.incomplete, 0);

    analysis = analyze(*state, NULL, 0, NULL);
    assert_int_equal(analysis.command_count, 0);

    analysis = analyze(*state, "\n\r\n \t\n", 6, NULL);
    assert_int_equal(analysis.command_count, 0);
}

static void test_lines_crlf_and_last_line(void **state)
{
    static const char input[] = "ls a\r\nrm b\r\ncat c";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    assert_int_equal(analysis.command_count, 3);
    /* The carriage return before a newline is no part of the line. */
    expect_command(&analysis, 0, "ls", 0, 4);
    assert_string_equal(analysis.commands[0].words[1].text, "a");
    expect_command(&analysis, 1, "rm", 6, 10);
    expect_command(&analysis, 2, "cat", 12, 17);
    assert_int_equal(analysis.incomplete, 0);
}

static void test_lines_escaped_newline_joins(void **state)
{
    static const char input[] = "cat \\\n/etc/shadow\nls \\\\\nrm x";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    assert_int_equal(analysis.command_count, 3);
    expect_command(&analysis, 0, "cat", 0, 17);
    assert_int_equal(analysis.commands[0].word_count, 2);
    assert_string_equal(analysis.commands[0].words[1].text, "/etc/shadow");
    /* An escaped backslash does not escape the newline after it. */
    expect_command(&analysis, 1, "ls", 18, 23);
    expect_command(&analysis, 2, "rm", 24, 28);
}

static void test_lines_pipelines_kept_apart(void **state)
{
    static const char input[] = "a | b\nc | d\ne";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    assert_int_equal(analysis.command_count, 5);
    const ag_shell_command *commands = analysis.commands;
    assert_int_equal(commands[0].pipeline, commands[1].pipeline);
    assert_int_equal(commands[2].pipeline, commands[3].pipeline);
    assert_int_not_equal(commands[0].pipeline, commands[2].pipeline);
    assert_int_not_equal(commands[4].pipeline, commands[0].pipeline);
    assert_int_not_equal(commands[4].pipeline, commands[2].pipeline);
    assert_int_equal(commands[3].pipeline_position, 1);
}

static void test_lines_nul_byte(void **state)
{
    static const char input[] = "ls\0x\nrm y";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    /* Whatever the line with the NUL gives, the next line is still read. */
    assert_true(analysis.command_count >= 1);
    const ag_shell_command *last = &analysis.commands[analysis.command_count - 1];
    assert_string_equal(last->words[0].text, "rm");
    assert_int_equal(last->start, 5);
    assert_int_equal(last->end, 9);
}

static void test_lines_heredoc_body_read(void **state)
{
    /* NOTE: Bash never runs the body line, but read alone it is a command. */
    static const char input[] = "cat <<EOF (\nrm -rf /\nEOF";
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, NULL);

    bool found = false;
    for (size_t i = 0; i < analysis.command_count; i++) {
        const ag_shell_command *command = &analysis.commands[i];
        if (command->word_count > 0 && strcmp(command->words[0].text, "rm") == 0)
            found = command->start == 12;
    }
    assert_true(found);
}

static void test_lines_command_limit(void **state)
{
    static const char input[] = "a\nb\nc\nd";
    ag_shell_limits limits = {0, 0, 2, 0};
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, &limits);

    assert_int_equal(analysis.command_count, 2);
    assert_true(analysis.incomplete & AG_SHELL_LIMIT);
    assert_non_null(analysis.problem);
    assert_int_equal(analysis.problem_start, 4);
}

static void test_lines_input_limit(void **state)
{
    static const char input[] = "ls\nrm x";
    ag_shell_limits limits = {4, 0, 0, 0};
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, &limits);

    /* Each line is short enough, but the whole request is over the limit. */
    assert_int_equal(analysis.command_count, 0);
    assert_true(analysis.incomplete & AG_SHELL_LIMIT);
}

static void test_lines_line_limit_stops(void **state)
{
    static const char input[] = "a; b; c\nd";
    ag_shell_limits limits = {0, 0, 2, 0};
    ag_shell_analysis analysis = analyze(*state, input, sizeof(input) - 1, &limits);

    assert_true(analysis.command_count <= 2);
    assert_true(analysis.incomplete & AG_SHELL_LIMIT);
}

/* Runs ag_shell_analyze_limited() as after a parse that a limit stopped. */
static ag_shell_analysis analyze_unparsed(fixture *f, const char *input, size_t length,
                                          const ag_shell_limits *limits)
{
    ag_shell_analysis whole = {.incomplete = AG_SHELL_LIMIT, .unparsed = true};
    ag_shell_analysis analysis;
    ag_arena_reset(&f->arena);
    assert_int_equal(ag_shell_analyze_limited(f->analyzer, input, length, limits, &f->arena,
                                              &whole, &analysis),
                     AG_OK);
    return analysis;
}

static void test_limited_long_line_chunks(void **state)
{
    /* One line longer than a chunk: it is cut after a blank or ';' and each part parsed alone. */
    char input[3 * AG_SHELL_CHUNK_BYTES];
    size_t length = 0;
    length += (size_t)sprintf(input, "rm a; echo ");
    memset(input + length, 'b', 2 * AG_SHELL_CHUNK_BYTES);
    length += 2 * AG_SHELL_CHUNK_BYTES;
    length += (size_t)sprintf(input + length, " ; rm c");

    ag_shell_analysis analysis = analyze_unparsed(*state, input, length, NULL);
    assert_true(analysis.command_count >= 3);
    expect_command(&analysis, 0, "rm", 0, 4);
    expect_command(&analysis, analysis.command_count - 1, "rm", (uint32_t)length - 4,
                   (uint32_t)length);
}

static void test_limited_prefix_cut_at_break(void **state)
{
    /* The first 20 bytes end inside "rmdir bbbbbbbbbbbbbbbb": the cut goes back to the blank. */
    static const char input[] = "ls a; rmdir bbbbbbbbbbbbbbbb";
    ag_shell_limits limits = {20, 0, 0, 0};
    ag_shell_analysis analysis = analyze_unparsed(*state, input, sizeof(input) - 1, &limits);

    assert_int_equal(analysis.command_count, 2);
    expect_command(&analysis, 0, "ls", 0, 4);
    expect_command(&analysis, 1, "rmdir", 6, 11);
    assert_int_equal(analysis.commands[1].word_count, 1);
}

static void test_limited_unwalked_node(void **state)
{
    fixture *f = *state;
    static const char input[] = "echo $(echo $(echo $(echo $(rm x))))";
    ag_shell_limits limits = {0, 6, 0, 0};
    ag_shell_analysis whole;
    ag_arena_reset(&f->arena);
    assert_int_equal(ag_shell_analyze(f->analyzer, input, sizeof(input) - 1, &limits, &f->arena,
                                      &whole),
                     AG_OK);
    assert_true(whole.incomplete & AG_SHELL_LIMIT);
    assert_true(whole.unwalked_count > 0);

    ag_shell_analysis analysis;
    assert_int_equal(ag_shell_analyze_limited(f->analyzer, input, sizeof(input) - 1, &limits,
                                              &f->arena, &whole, &analysis),
                     AG_OK);
    /* A node cut at the depth limit may also give `rm` without its argument. */
    bool found = false;
    for (size_t i = 0; i < analysis.command_count; i++) {
        const ag_shell_command *command = &analysis.commands[i];
        found = found || (command->word_count == 2 && strcmp(command->words[0].text, "rm") == 0
                          && command->start == 28 && command->end == 32);
    }
    assert_true(found);
}

static void test_lines_rejects_bad_arguments(void **state)
{
    fixture *f = *state;
    ag_shell_analysis analysis;
    assert_int_equal(ag_shell_analyze_lines(f->analyzer, NULL, 3, NULL, &f->arena, &analysis),
                     AG_ERR_ARGUMENT);
    assert_int_equal(analysis.command_count, 0);
    assert_int_equal(ag_shell_analyze_lines(NULL, "ls", 2, NULL, &f->arena, &analysis),
                     AG_ERR_ARGUMENT);
    assert_int_equal(ag_shell_analyze_lines(f->analyzer, "ls", 2, NULL, &f->arena, NULL),
                     AG_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_found_dropped_command),
        cmocka_unit_test(test_lines_error_pieces_parsed),
        cmocka_unit_test(test_lines_empty_request),
        cmocka_unit_test(test_lines_crlf_and_last_line),
        cmocka_unit_test(test_lines_escaped_newline_joins),
        cmocka_unit_test(test_lines_pipelines_kept_apart),
        cmocka_unit_test(test_lines_nul_byte),
        cmocka_unit_test(test_lines_heredoc_body_read),
        cmocka_unit_test(test_lines_command_limit),
        cmocka_unit_test(test_lines_input_limit),
        cmocka_unit_test(test_limited_long_line_chunks),
        cmocka_unit_test(test_limited_prefix_cut_at_break),
        cmocka_unit_test(test_limited_unwalked_node),
        cmocka_unit_test(test_lines_line_limit_stops),
        cmocka_unit_test(test_lines_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
