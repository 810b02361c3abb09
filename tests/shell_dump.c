/*
 * Prints the shell analysis of argv[1], or of each line of standard input,
 * as one JSON object per line in the format of tests/cases/shell.json.
 *
 *   shell_dump 'echo $(id) > f'
 *   shell_dump -0 < file     (reads the whole input as one command)
 *   shell_dump -z < file     (reads commands separated by NUL bytes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static json_t *bit_names(unsigned bits, const char *const *names, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        if (bits & (1u << i))
            json_array_append_new(list, json_string(names[i]));
    }
    return list;
}

static json_t *word_text(const ag_shell_word *word)
{
    return json_stringn_nocheck(word->text, word->length);
}

static json_t *redirect_json(const ag_shell_redirect *redirect)
{
    json_t *object = json_object();
    json_object_set_new(object, "kind", json_string(kind_names[redirect->kind]));
    json_object_set_new(object, "fd", json_integer(redirect->fd));
    json_object_set_new(object, "op", json_string(redirect->op));
    json_object_set_new(object, "target", word_text(&redirect->target));
    if (redirect->kind == AG_REDIRECT_HEREDOC) {
        json_object_set_new(object, "body", word_text(&redirect->body));
        json_object_set_new(object, "body_expands", json_boolean(redirect->body_expands));
    }
    return object;
}

static json_t *command_json(const ag_shell_command *command)
{
    json_t *object = json_object();
    json_t *words = json_array();
    json_t *dynamic = json_array();
    for (size_t i = 0; i < command->word_count; i++) {
        json_array_append_new(words, word_text(&command->words[i]));
        json_array_append_new(dynamic, json_boolean(command->words[i].dynamic));
    }
    json_object_set_new(object, "words", words);
    json_object_set_new(object, "dynamic", dynamic);

    if (command->assignment_count > 0) {
        json_t *assignments = json_array();
        for (size_t i = 0; i < command->assignment_count; i++)
            json_array_append_new(assignments, word_text(&command->assignments[i]));
        json_object_set_new(object, "assignments", assignments);
    }
    if (command->redirect_count > 0) {
        json_t *redirects = json_array();
        for (size_t i = 0; i < command->redirect_count; i++)
            json_array_append_new(redirects, redirect_json(&command->redirects[i]));
        json_object_set_new(object, "redirects", redirects);
    }
    if (command->context != 0)
        json_object_set_new(object, "context", bit_names(command->context, context_names, 9));
    if (command->keyword != NULL)
        json_object_set_new(object, "keyword", json_string(command->keyword));
    json_object_set_new(object, "pipeline", json_integer(command->pipeline));
    json_object_set_new(object, "pipeline_position", json_integer(command->pipeline_position));
    json_object_set_new(object, "span", json_pack("[ii]", command->start, command->end));
    return object;
}

static int dump(ag_shell_analyzer *analyzer, ag_arena *arena, const char *input, size_t length)
{
    ag_shell_analysis analysis;
    ag_arena_reset(arena);
    ag_status status = ag_shell_analyze(analyzer, input, length, NULL, arena, &analysis);

    json_t *object = json_object();
    json_object_set_new(object, "input", json_stringn_nocheck(input, length));
    json_t *commands = json_array();
    for (size_t i = 0; i < analysis.command_count; i++)
        json_array_append_new(commands, command_json(&analysis.commands[i]));
    json_object_set_new(object, "commands", commands);
    json_object_set_new(object, "incomplete", bit_names(analysis.incomplete, incomplete_names, 4));
    if (analysis.problem != NULL)
        json_object_set_new(object, "problem", json_string(analysis.problem));

    char *text = json_dumps(object, JSON_COMPACT | JSON_ENSURE_ASCII);
    /* jansson cannot encode invalid UTF-8, which arbitrary input may contain. */
    if (text != NULL)
        puts(text);
    else
        printf("{\"commands_count\":%zu,\"incomplete_bits\":%u,\"note\":\"not valid UTF-8\"}\n",
               analysis.command_count, analysis.incomplete);
    free(text);
    json_decref(object);
    return status == AG_OK ? 0 : 1;
}

static char *read_all(FILE *stream, size_t *length)
{
    size_t capacity = 4096;
    char *data = malloc(capacity);
    *length = 0;
    size_t count;
    while (data != NULL && (count = fread(data + *length, 1, capacity - *length, stream)) > 0) {
        *length += count;
        if (*length == capacity) {
            capacity *= 2;
            char *grown = realloc(data, capacity);
            if (grown == NULL)
                free(data);
            data = grown;
        }
    }
    return data;
}

int main(int argc, char **argv)
{
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    if (analyzer == NULL) {
        fprintf(stderr, "shell_dump: failed to create the analyzer (out of memory)\n");
        return 2;
    }
    ag_arena arena;
    ag_arena_init(&arena);
    int result = 0;

    if (argc > 1 && strcmp(argv[1], "-0") == 0) {
        size_t length;
        char *data = read_all(stdin, &length);
        result = data == NULL ? 2 : dump(analyzer, &arena, data, length);
        free(data);
    } else if (argc > 1 && strcmp(argv[1], "-z") == 0) {
        size_t length;
        char *data = read_all(stdin, &length);
        for (size_t start = 0; data != NULL && start < length;) {
            char *end = memchr(data + start, '\0', length - start);
            size_t stop = end == NULL ? length : (size_t)(end - data);
            result |= dump(analyzer, &arena, data + start, stop - start);
            start = stop + 1;
        }
        result |= data == NULL ? 2 : 0;
        free(data);
    } else if (argc > 1) {
        result = dump(analyzer, &arena, argv[1], strlen(argv[1]));
    } else {
        char *line = NULL;
        size_t capacity = 0;
        ssize_t length;
        while ((length = getline(&line, &capacity, stdin)) >= 0) {
            if (length > 0 && line[length - 1] == '\n')
                length--;
            result |= dump(analyzer, &arena, line, (size_t)length);
        }
        free(line);
    }

    ag_arena_release(&arena);
    ag_shell_analyzer_free(analyzer);
    return result;
}
