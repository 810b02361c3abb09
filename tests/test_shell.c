/*
 * Table tests of the shell analysis. Each case of the JSON file given as
 * argv[1] runs as its own cmocka test:
 *
 *   {"name": "optional label",
 *    "input": "echo \"a b\" $x",
 *    "limits": {"max_depth": 5},           optional, else the library defaults
 *    "incomplete": ["parse_error"],        optional, default []; always checked
 *    "min_commands": 1,                    optional, for partial results
 *    "commands": [                         optional; when given, the exact list
 *      {"words": ["echo", "a b", "\u0001"],
 *       "dynamic": [false, false, true],   the rest is optional
 *       "assignments": ["X=1"],
 *       "redirects": [{"kind": "write", "fd": -1, "op": ">", "target": "f",
 *                      "target_dynamic": false, "body": "...", "body_expands": true}],
 *       "context": ["substitution"],       exact set of context bits
 *       "keyword": "[[",                   null for none
 *       "pipeline": "p1",                  label: equal labels, equal pipeline numbers
 *       "pipeline_position": 0,
 *       "spans": [[0, 4], [5, 9]]}]}       start and end byte of each word
 *
 * Every key inside a command or redirect is checked only when present. The
 * cases in word_cases below run after those of the file.
 * Context, redirect kind and incomplete names are the lower-case suffixes of
 * the AG_CONTEXT_*, AG_REDIRECT_* and AG_SHELL_* constants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "shell/shell.h"

static const char *const kind_names[] = {
    "read", "write", "append", "read_write", "duplicate", "heredoc", "herestring",
};

static const char *const context_names[] = {
    "substitution", "process_substitution", "subshell", "function", "condition",
    "loop", "background", "negated", "heredoc",
};

static const char *const incomplete_names[] = {
    "parse_error", "unknown_node", "limit", "nomem",
};

typedef struct case_run {
    json_t *test;
    const char *input;
    size_t input_length;
    int failures;
} case_run;

static void report(case_run *run, const char *format, ...) AG_PRINTF(2, 3);

static void report(case_run *run, const char *format, ...)
{
    if (run->failures++ == 0) {
        json_t *input = json_stringn(run->input, run->input_length);
        char *shown = input == NULL ? NULL : json_dumps(input, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
        print_error("input: %s\n", shown != NULL ? shown : "(not printable)");
        free(shown);
        json_decref(input);
    }
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    print_error("  %s\n", message);
}

/* Renders bytes as JSON so marks and newlines show up in messages. */
static char *shown(const char *text, size_t length)
{
    json_t *value = json_stringn_nocheck(text, length);
    char *result = json_dumps(value, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
    json_decref(value);
    return result;
}

static void check_text(case_run *run, const char *what, const ag_shell_word *word, json_t *expected)
{
    if (!json_is_string(expected)) {
        report(run, "%s: the table holds a non-string expectation", what);
        return;
    }
    size_t length = json_string_length(expected);
    if (length == word->length && memcmp(json_string_value(expected), word->text, length) == 0)
        return;
    char *got = shown(word->text, word->length);
    char *want = shown(json_string_value(expected), length);
    report(run, "%s: got %s, expected %s", what, got, want);
    free(got);
    free(want);
}

static unsigned names_to_bits(case_run *run, json_t *list, const char *const *names, size_t count)
{
    unsigned bits = 0;
    size_t index;
    json_t *item;
    json_array_foreach(list, index, item) {
        size_t i = 0;
        while (i < count && strcmp(json_string_value(item) ? json_string_value(item) : "", names[i]) != 0)
            i++;
        if (i == count)
            report(run, "the table names an unknown flag %s", json_string_value(item));
        else
            bits |= 1u << i;
    }
    return bits;
}

static void join_names(unsigned bits, const char *const *names, size_t count, char *out,
                       size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if ((bits & (1u << i)) && used < size)
            used += (size_t)snprintf(out + used, size - used, " %s", names[i]);
    }
}

static void check_bits(case_run *run, const char *what, unsigned got, json_t *expected,
                       const char *const *names, size_t count)
{
    unsigned want = names_to_bits(run, expected, names, count);
    if (got == want)
        return;
    char got_text[256];
    char want_text[256];
    join_names(got, names, count, got_text, sizeof(got_text));
    join_names(want, names, count, want_text, sizeof(want_text));
    report(run, "%s: got [%s ], expected [%s ]", what, got_text, want_text);
}

static void check_words(case_run *run, size_t index, const ag_shell_command *command, json_t *expected)
{
    json_t *words = json_object_get(expected, "words");
    json_t *dynamic = json_object_get(expected, "dynamic");
    if (json_array_size(words) != command->word_count) {
        report(run, "command %zu: got %zu words, expected %zu", index, command->word_count,
               json_array_size(words));
        return;
    }
    for (size_t i = 0; i < command->word_count; i++) {
        char what[64];
        snprintf(what, sizeof(what), "command %zu word %zu", index, i);
        check_text(run, what, &command->words[i], json_array_get(words, i));
        if (dynamic != NULL && json_is_boolean(json_array_get(dynamic, i))
            && json_boolean_value(json_array_get(dynamic, i)) != command->words[i].dynamic)
            report(run, "%s: dynamic is %s, expected %s", what,
                   command->words[i].dynamic ? "true" : "false",
                   command->words[i].dynamic ? "false" : "true");
        json_t *span = json_array_get(json_object_get(expected, "spans"), i);
        if (span != NULL && (json_integer_value(json_array_get(span, 0)) != command->words[i].start
                             || json_integer_value(json_array_get(span, 1)) != command->words[i].end))
            report(run, "%s: span is [%u, %u], expected [%lld, %lld]", what,
                   command->words[i].start, command->words[i].end,
                   (long long)json_integer_value(json_array_get(span, 0)),
                   (long long)json_integer_value(json_array_get(span, 1)));
    }
}

static void check_assignments(case_run *run, size_t index, const ag_shell_command *command,
                              json_t *expected)
{
    if (json_array_size(expected) != command->assignment_count) {
        report(run, "command %zu: got %zu assignments, expected %zu", index,
               command->assignment_count, json_array_size(expected));
        return;
    }
    for (size_t i = 0; i < command->assignment_count; i++) {
        char what[64];
        snprintf(what, sizeof(what), "command %zu assignment %zu", index, i);
        check_text(run, what, &command->assignments[i], json_array_get(expected, i));
    }
}

static void check_redirect(case_run *run, const char *what, const ag_shell_redirect *redirect,
                           json_t *expected)
{
    json_t *value;
    if ((value = json_object_get(expected, "kind")) != NULL
        && strcmp(json_string_value(value) ? json_string_value(value) : "", kind_names[redirect->kind]) != 0)
        report(run, "%s: kind is %s, expected %s", what, kind_names[redirect->kind],
               json_string_value(value));
    if ((value = json_object_get(expected, "fd")) != NULL && json_integer_value(value) != redirect->fd)
        report(run, "%s: fd is %d, expected %lld", what, redirect->fd,
               (long long)json_integer_value(value));
    if ((value = json_object_get(expected, "op")) != NULL
        && strcmp(json_string_value(value) ? json_string_value(value) : "", redirect->op) != 0)
        report(run, "%s: op is %s, expected %s", what, redirect->op, json_string_value(value));
    if ((value = json_object_get(expected, "target")) != NULL)
        check_text(run, what, &redirect->target, value);
    if ((value = json_object_get(expected, "target_dynamic")) != NULL
        && json_boolean_value(value) != redirect->target.dynamic)
        report(run, "%s: target dynamic is %s", what, redirect->target.dynamic ? "true" : "false");
    if ((value = json_object_get(expected, "body")) != NULL)
        check_text(run, what, &redirect->body, value);
    if ((value = json_object_get(expected, "body_expands")) != NULL
        && json_boolean_value(value) != redirect->body_expands)
        report(run, "%s: body_expands is %s", what, redirect->body_expands ? "true" : "false");
}

static void check_redirects(case_run *run, size_t index, const ag_shell_command *command,
                            json_t *expected)
{
    if (json_array_size(expected) != command->redirect_count) {
        report(run, "command %zu: got %zu redirects, expected %zu", index,
               command->redirect_count, json_array_size(expected));
        return;
    }
    for (size_t i = 0; i < command->redirect_count; i++) {
        char what[64];
        snprintf(what, sizeof(what), "command %zu redirect %zu", index, i);
        check_redirect(run, what, &command->redirects[i], json_array_get(expected, i));
    }
}

static void check_keyword(case_run *run, size_t index, const ag_shell_command *command,
                          json_t *expected)
{
    const char *want = json_string_value(expected);
    const char *got = command->keyword;
    if ((want == NULL) != (got == NULL) || (want != NULL && strcmp(want, got) != 0))
        report(run, "command %zu: keyword is %s, expected %s", index, got ? got : "null",
               want ? want : "null");
}

/* Equal labels in the table must mean equal pipeline numbers, and different labels different ones. */
static void check_pipelines(case_run *run, const ag_shell_analysis *analysis, json_t *commands)
{
    for (size_t i = 0; i < analysis->command_count; i++) {
        const char *label_i = json_string_value(json_object_get(json_array_get(commands, i), "pipeline"));
        for (size_t j = i + 1; j < analysis->command_count && label_i != NULL; j++) {
            const char *label_j = json_string_value(json_object_get(json_array_get(commands, j), "pipeline"));
            if (label_j == NULL)
                continue;
            bool same = analysis->commands[i].pipeline == analysis->commands[j].pipeline;
            if (same != (strcmp(label_i, label_j) == 0))
                report(run, "commands %zu and %zu: %s pipeline, expected %s", i, j,
                       same ? "same" : "different", same ? "different" : "same");
        }
    }
}

static void check_command(case_run *run, size_t index, const ag_shell_command *command, json_t *expected)
{
    json_t *value;
    check_words(run, index, command, expected);
    if ((value = json_object_get(expected, "assignments")) != NULL)
        check_assignments(run, index, command, value);
    if ((value = json_object_get(expected, "redirects")) != NULL)
        check_redirects(run, index, command, value);
    if ((value = json_object_get(expected, "context")) != NULL) {
        char what[64];
        snprintf(what, sizeof(what), "command %zu context", index);
        check_bits(run, what, command->context, value, context_names, 9);
    }
    if ((value = json_object_get(expected, "keyword")) != NULL)
        check_keyword(run, index, command, value);
    if ((value = json_object_get(expected, "pipeline_position")) != NULL
        && (json_int_t)command->pipeline_position != json_integer_value(value))
        report(run, "command %zu: pipeline_position is %u, expected %lld", index,
               command->pipeline_position, (long long)json_integer_value(value));
}

static void read_limits(json_t *object, ag_shell_limits *limits)
{
    *limits = (ag_shell_limits){
        .max_input_bytes = AG_SHELL_DEFAULT_MAX_INPUT_BYTES,
        .max_depth = AG_SHELL_DEFAULT_MAX_DEPTH,
        .max_commands = AG_SHELL_DEFAULT_MAX_COMMANDS,
        .timeout_micros = AG_SHELL_DEFAULT_TIMEOUT_MICROS,
    };
    json_t *value;
    if ((value = json_object_get(object, "max_input_bytes")) != NULL)
        limits->max_input_bytes = (size_t)json_integer_value(value);
    if ((value = json_object_get(object, "max_depth")) != NULL)
        limits->max_depth = (unsigned)json_integer_value(value);
    if ((value = json_object_get(object, "max_commands")) != NULL)
        limits->max_commands = (size_t)json_integer_value(value);
    if ((value = json_object_get(object, "timeout_micros")) != NULL)
        limits->timeout_micros = (uint64_t)json_integer_value(value);
}

/* Builds inputs too large to write in the table: {"repeat": "(", "count": 100000}. */
static char *case_input(json_t *test, size_t *length)
{
    json_t *input = json_object_get(test, "input");
    if (json_is_string(input)) {
        *length = json_string_length(input);
        char *copy = malloc(*length + 1);
        memcpy(copy, json_string_value(input), *length + 1);
        return copy;
    }
    const char *unit = json_string_value(json_object_get(input, "repeat"));
    size_t count = (size_t)json_integer_value(json_object_get(input, "count"));
    size_t unit_length = unit == NULL ? 0 : strlen(unit);
    *length = unit_length * count;
    char *text = malloc(*length + 1);
    for (size_t i = 0; i < count; i++)
        memcpy(text + i * unit_length, unit, unit_length);
    text[*length] = '\0';
    return text;
}

enum { WORD_CASE_MAX_WORDS = 6, WORD_CASE_MAX_COMMANDS = 3 };

/*
 * Edges of the plain-word fast path in ag_word_list_add(). Each expectation
 * is what the general word builder produced before the fast path existed,
 * so the two paths must agree on text, dynamic flag and span.
 */
typedef struct word_case {
    const char *name;
    const char *input;
    unsigned max_depth;              /* 0 for the default limits */
    const char *incomplete;          /* NULL, or the one expected incomplete name */
    size_t command_count;
    struct {
        const char *words[WORD_CASE_MAX_WORDS];
        const char *dynamic;         /* 't' or 'f' per word */
        uint32_t spans[WORD_CASE_MAX_WORDS][2];
    } commands[WORD_CASE_MAX_COMMANDS];
} word_case;

static const word_case word_cases[] = {
    {"plain words", "ls -la /repo/src", 0, NULL, 1, {
        {{"ls", "-la", "/repo/src"}, "fff", {{0, 2}, {3, 6}, {7, 16}}},
    }},
    {"word next to double quotes", "echo a\"b c\"d", 0, NULL, 1, {
        {{"echo", "ab cd"}, "ff", {{0, 4}, {5, 12}}},
    }},
    {"word next to single quotes", "echo a'b c'", 0, NULL, 1, {
        {{"echo", "ab c"}, "ff", {{0, 4}, {5, 11}}},
    }},
    {"word before translated string", "echo a$\"x y\"", 0, NULL, 1, {
        {{"echo", "ax y"}, "ff", {{0, 4}, {5, 12}}},
    }},
    {"escaped blank joins a word", "echo a\\ b", 0, NULL, 1, {
        {{"echo", "a b"}, "ff", {{0, 4}, {5, 9}}},
    }},
    {"escaped quote in a word", "echo a\\'b", 0, NULL, 1, {
        {{"echo", "a'b"}, "ff", {{0, 4}, {5, 9}}},
    }},
    {"backslash at end of input", "echo a\\", 0, "parse_error", 1, {
        {{"echo", "a"}, "ff", {{0, 4}, {5, 6}}},
    }},
    {"line continuation inside a word", "echo ab\\\ncd", 0, NULL, 1, {
        {{"echo", "abcd"}, "ff", {{0, 4}, {5, 11}}},
    }},
    {"star glob", "ls *.py", 0, NULL, 1, {
        {{"ls", "*.py"}, "ft", {{0, 2}, {3, 7}}},
    }},
    {"question mark glob", "ls a?c", 0, NULL, 1, {
        {{"ls", "a?c"}, "ft", {{0, 2}, {3, 6}}},
    }},
    {"bracket glob", "ls [ab].txt", 0, NULL, 1, {
        {{"ls", "[ab].txt"}, "ft", {{0, 2}, {3, 11}}},
    }},
    {"bracket without close", "echo a[b", 0, NULL, 1, {
        {{"echo", "a[b"}, "ff", {{0, 4}, {5, 8}}},
    }},
    {"at and plus signs in words", "echo a@b.c x+y !z", 0, NULL, 1, {
        {{"echo", "a@b.c", "x+y", "!z"}, "ffff", {{0, 4}, {5, 10}, {11, 14}, {15, 17}}},
    }},
    {"extglob that tree-sitter rejects", "echo !(x)", 0, "parse_error", 2, {
        {{"echo", "\x01"}, "ft", {{0, 4}, {5, 6}}},
        {{"x"}, "f", {{7, 8}}},
    }},
    {"leading tilde", "cd ~/work", 0, NULL, 1, {
        {{"cd", "~/work"}, "ft", {{0, 2}, {3, 9}}},
    }},
    {"lone tilde", "echo ~", 0, NULL, 1, {
        {{"echo", "~"}, "ft", {{0, 4}, {5, 6}}},
    }},
    {"tilde inside a word", "echo a~b", 0, NULL, 1, {
        {{"echo", "a~b"}, "ff", {{0, 4}, {5, 8}}},
    }},
    {"tilde after equals in an argument", "echo --dir=~/x", 0, NULL, 1, {
        {{"echo", "--dir=~/x"}, "ff", {{0, 4}, {5, 14}}},
    }},
    {"equals in words", "git -c core.pager=cat log --format=%H", 0, NULL, 1, {
        {{"git", "-c", "core.pager=cat", "log", "--format=%H"}, "fffff", {{0, 3}, {4, 6}, {7, 21}, {22, 25}, {26, 37}}},
    }},
    {"assignment before a plain command", "A=b c=~/d env", 0, NULL, 1, {
        {{"env"}, "f", {{10, 13}}},
    }},
    {"dollar expansion in a word", "echo a$HOME", 0, NULL, 1, {
        {{"echo", "a\x01"}, "ft", {{0, 4}, {5, 11}}},
    }},
    {"trailing dollar", "echo a$", 0, NULL, 1, {
        {{"echo", "a$"}, "ff", {{0, 4}, {5, 7}}},
    }},
    {"dollar before a blank", "echo a$ b", 0, NULL, 1, {
        {{"echo", "a$", "b"}, "fff", {{0, 4}, {5, 7}, {8, 9}}},
    }},
    {"single-quoted dollar", "echo 'a$b'", 0, NULL, 1, {
        {{"echo", "a$b"}, "ff", {{0, 4}, {5, 10}}},
    }},
    {"brace expansion", "echo a{b,c}d", 0, NULL, 1, {
        {{"echo", "a\x01""d"}, "ft", {{0, 4}, {5, 12}}},
    }},
    {"braces without expansion", "echo a{b}c", 0, NULL, 1, {
        {{"echo", "a{b}c"}, "ff", {{0, 4}, {5, 10}}},
    }},
    {"dynamic mark byte in a word", "echo a\x01""b", 0, NULL, 1, {
        {{"echo", "a\x01""b"}, "ft", {{0, 4}, {5, 8}}},
    }},
    {"comment after words", "echo a b # c d", 0, NULL, 1, {
        {{"echo", "a", "b"}, "fff", {{0, 4}, {5, 6}, {7, 8}}},
    }},
    {"hash inside a word", "echo a#b", 0, NULL, 1, {
        {{"echo", "a#b"}, "ff", {{0, 4}, {5, 8}}},
    }},
    {"heredoc with an argument after it", "cat <<EOF -n\nbody $x\nEOF", 0, NULL, 1, {
        {{"cat", "-n"}, "ff", {{0, 3}, {10, 12}}},
    }},
    {"heredoc with a quoted delimiter", "cat <<'EOF' > out.txt\n$x `y`\nEOF", 0, NULL, 1, {
        {{"cat"}, "f", {{0, 3}}},
    }},
    {"carriage return after a word", "ls\r", 0, "parse_error", 1, {
        {{"ls"}, "f", {{0, 2}}},
    }},
    {"carriage return in double quotes", "echo \"a\rb\"", 0, NULL, 1, {
        {{"echo", "a\rb"}, "ff", {{0, 4}, {5, 10}}},
    }},
    {"process substitution in a word", "diff a<(ls) b", 0, NULL, 2, {
        {{"diff", "a\x01", "b"}, "ftf", {{0, 4}, {5, 11}, {12, 13}}},
        {{"ls"}, "f", {{8, 10}}},
    }},
    {"redirect target word", "echo hi > out.txt 2>&1", 0, NULL, 1, {
        {{"echo", "hi"}, "ff", {{0, 4}, {5, 7}}},
    }},
    {"plain word at the depth limit", "echo a", 2, "limit", 1, {
        {{"\x01", "\x01"}, "tt", {{0, 0}, {5, 5}}},
    }},
    {"plain words in a pipeline", "ls -1 | grep -v x | wc -l", 0, NULL, 3, {
        {{"ls", "-1"}, "ff", {{0, 2}, {3, 5}}},
        {{"grep", "-v", "x"}, "fff", {{8, 12}, {13, 15}, {16, 17}}},
        {{"wc", "-l"}, "ff", {{20, 22}, {23, 25}}},
    }},
    {"plain words in test brackets", "[ -f a.txt ] && cat a.txt", 0, NULL, 2, {
        {{"[", "-f", "a.txt", "]"}, "ffff", {{0, 1}, {2, 4}, {5, 10}, {11, 12}}},
        {{"cat", "a.txt"}, "ff", {{16, 19}, {20, 25}}},
    }},
};

/* Converts a word case into a case of the JSON table format. */
static json_t *word_case_json(const word_case *item)
{
    json_t *commands = json_array();
    for (size_t i = 0; i < item->command_count; i++) {
        json_t *words = json_array();
        json_t *dynamic = json_array();
        json_t *spans = json_array();
        for (size_t j = 0; j < WORD_CASE_MAX_WORDS && item->commands[i].words[j] != NULL; j++) {
            json_array_append_new(words, json_string(item->commands[i].words[j]));
            json_array_append_new(dynamic, json_boolean(item->commands[i].dynamic[j] == 't'));
            const uint32_t *span = item->commands[i].spans[j];
            json_array_append_new(spans, json_pack("[II]", (json_int_t)span[0],
                                                   (json_int_t)span[1]));
        }
        json_array_append_new(commands, json_pack("{s:o, s:o, s:o}", "words", words, "dynamic",
                                                  dynamic, "spans", spans));
    }

    json_t *test = json_pack("{s:s, s:s, s:o, s:[]}", "name", item->name, "input", item->input,
                             "commands", commands, "incomplete");
    if (item->incomplete != NULL)
        json_array_append_new(json_object_get(test, "incomplete"), json_string(item->incomplete));
    if (item->max_depth != 0)
        json_object_set_new(test, "limits", json_pack("{s:I}", "max_depth",
                                                      (json_int_t)item->max_depth));
    return test;
}

/* A word of `count` copies of `unit`, as the only word of the input. */
static json_t *long_word_json(const char *name, const char *unit, size_t count, bool dynamic)
{
    size_t unit_length = strlen(unit);
    size_t length = unit_length * count;
    char *text = malloc(length + 1);
    for (size_t i = 0; i < count; i++)
        memcpy(text + i * unit_length, unit, unit_length);
    text[length] = '\0';
    json_t *test = json_pack("{s:s, s:{s:s, s:I}, s:[{s:[s#], s:[b], s:[[II]]}]}", "name", name,
                             "input", "repeat", unit, "count", (json_int_t)count, "commands", "words",
                             text, length, "dynamic", dynamic, "spans", (json_int_t)0,
                             (json_int_t)length);
    free(text);
    return test;
}

/*
 * `count` commands of `words` words each, joined by `;`, and the case that
 * expects them. The word and command arrays of the analysis start with room
 * for 8 items, so counts above 8 and 16 check that growing keeps every item.
 */
static json_t *many_words_json(const char *name, size_t count, size_t words)
{
    json_t *commands = json_array();
    char *input = malloc(count * words * 16 + 1);
    size_t length = 0;
    for (size_t c = 0; c < count; c++) {
        json_t *expected = json_array();
        for (size_t w = 0; w < words; w++) {
            char word[16];
            snprintf(word, sizeof(word), "c%zuw%zu", c, w);
            json_array_append_new(expected, json_string(word));
            length += (size_t)sprintf(input + length, "%s%s", word, w + 1 < words ? " " : "");
        }
        if (c + 1 < count)
            length += (size_t)sprintf(input + length, "; ");
        json_array_append_new(commands, json_pack("{s:o}", "words", expected));
    }
    json_t *test = json_pack("{s:s, s:s#, s:o}", "name", name, "input", input, length,
                             "commands", commands);
    free(input);
    return test;
}

/* Appends the built-in cases to the table read from the file. */
static void add_builtin_cases(json_t *cases)
{
    for (size_t i = 0; i < sizeof(word_cases) / sizeof(word_cases[0]); i++)
        json_array_append_new(cases, word_case_json(&word_cases[i]));
    json_array_append_new(cases, long_word_json("very long plain word", "a", 100000, false));
    json_array_append_new(cases, long_word_json("very long glob word", "*", 100000, true));
    json_array_append_new(cases, many_words_json("command of 20 words", 1, 20));
    json_array_append_new(cases, many_words_json("list of 17 commands", 17, 2));
    /* Each unmatched brace once scanned to the end of the word: quadratic time. The
     * time limit is raised so that slow sanitizer builds still parse the word. */
    json_t *braces = long_word_json("many unmatched braces", "a{", 100000, false);
    json_object_set_new(braces, "limits", json_pack("{s:I}", "timeout_micros",
                                                    (json_int_t)120000000));
    json_array_append_new(cases, braces);
}

static ag_shell_analyzer *analyzer;

static void run_case(void **state)
{
    case_run run = {.test = *state};
    size_t length;
    char *input = case_input(run.test, &length);
    run.input = input;
    run.input_length = length;

    ag_shell_limits limits;
    json_t *limits_json = json_object_get(run.test, "limits");
    read_limits(limits_json, &limits);

    ag_arena arena;
    ag_arena_init(&arena);
    ag_shell_analysis analysis;
    ag_status status = ag_shell_analyze(analyzer, input, length,
                                        limits_json != NULL ? &limits : NULL, &arena, &analysis);
    if (status != AG_OK)
        report(&run, "ag_shell_analyze returned %d", (int)status);

    json_t *incomplete = json_object_get(run.test, "incomplete");
    json_t *empty = json_array();
    check_bits(&run, "incomplete", analysis.incomplete, incomplete != NULL ? incomplete : empty,
               incomplete_names, 4);
    json_decref(empty);
    if (analysis.incomplete != 0 && analysis.problem == NULL)
        report(&run, "incomplete is set but problem is NULL");

    json_t *min_commands = json_object_get(run.test, "min_commands");
    if (min_commands != NULL && analysis.command_count < (size_t)json_integer_value(min_commands))
        report(&run, "got %zu commands, expected at least %lld", analysis.command_count,
               (long long)json_integer_value(min_commands));

    json_t *commands = json_object_get(run.test, "commands");
    if (commands != NULL && json_array_size(commands) != analysis.command_count) {
        report(&run, "got %zu commands, expected %zu", analysis.command_count,
               json_array_size(commands));
        for (size_t i = 0; i < analysis.command_count; i++) {
            char *name = analysis.commands[i].word_count > 0
                ? shown(analysis.commands[i].words[0].text, analysis.commands[i].words[0].length)
                : NULL;
            print_error("    command %zu: %s\n", i, name != NULL ? name : "(no words)");
            free(name);
        }
    } else if (commands != NULL) {
        for (size_t i = 0; i < analysis.command_count; i++)
            check_command(&run, i, &analysis.commands[i], json_array_get(commands, i));
        check_pipelines(&run, &analysis, commands);
    }

    ag_arena_release(&arena);
    free(input);
    assert_int_equal(run.failures, 0);
}

static int setup_analyzer(void **state)
{
    (void)state;
    analyzer = ag_shell_analyzer_new();
    return analyzer == NULL ? -1 : 0;
}

static int teardown_analyzer(void **state)
{
    (void)state;
    ag_shell_analyzer_free(analyzer);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_shell CASES.json\n");
        return 2;
    }
    json_error_t error;
    json_t *table = json_load_file(argv[1], JSON_ALLOW_NUL, &error);
    if (table == NULL) {
        fprintf(stderr, "%s:%d:%d: invalid JSON: %s\n", argv[1], error.line, error.column, error.text);
        return 2;
    }

    json_t *cases = json_object_get(table, "cases");
    add_builtin_cases(cases);
    size_t count = json_array_size(cases);
    struct CMUnitTest *tests = calloc(count, sizeof(*tests));
    char **names = calloc(count, sizeof(*names));
    for (size_t i = 0; i < count; i++) {
        json_t *test = json_array_get(cases, i);
        const char *label = json_string_value(json_object_get(test, "name"));
        if (label == NULL)
            label = json_string_value(json_object_get(test, "input"));
        names[i] = malloc(128);
        snprintf(names[i], 128, "%zu: %.80s", i, label != NULL ? label : "(generated input)");
        tests[i] = (struct CMUnitTest){.name = names[i], .test_func = run_case, .initial_state = test};
    }

    int failed = _cmocka_run_group_tests("shell", tests, count, setup_analyzer, teardown_analyzer);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(tests);
    json_decref(table);
    return failed;
}
