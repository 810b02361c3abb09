/*
 * Fuzzes the JSON line reader of `agentguard eval` (tools/cmd_eval.c) with the
 * input as its standard input and the built-in default policy.
 *
 * Invariants: the command exits 0, writes one verdict line for each line that
 * is not blank, each verdict is a JSON object with a "line" number and a
 * decision, and a line that is not a JSON object is denied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "fuzz.h"

/* The blank test of cmd_eval.c: only spaces and control whitespace, no NUL byte. */
static bool is_blank(const char *line, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (line[i] == '\0' || strchr(" \t\r\n\v\f", line[i]) == NULL)
            return false;
    }
    return true;
}

/* Returns the bytes of input line `number` (1-based) in *line and *length, or false. */
static bool input_line(const char *data, size_t size, long number, const char **line,
                       size_t *length)
{
    size_t start = 0;
    for (long n = 1; start < size; n++) {
        const char *newline = memchr(data + start, '\n', size - start);
        size_t end = newline != NULL ? (size_t)(newline - data) + 1 : size;
        if (n == number) {
            *line = data + start;
            *length = end - start;
            return true;
        }
        start = end;
    }
    return false;
}

static void check_output(const char *data, size_t size, const char *output, size_t output_length)
{
    size_t expected = 0;
    const char *line;
    size_t length;
    for (long n = 1; input_line(data, size, n, &line, &length); n++) {
        if (!is_blank(line, length))
            expected++;
    }

    size_t verdicts = 0;
    size_t start = 0;
    while (start < output_length) {
        const char *newline = memchr(output + start, '\n', output_length - start);
        FUZZ_ASSERT(newline != NULL);
        size_t end = (size_t)(newline - output);

        json_error_t error;
        json_t *verdict = json_loadb(output + start, end - start, 0, &error);
        FUZZ_ASSERT(json_is_object(verdict));
        json_t *number = json_object_get(verdict, "line");
        const char *decision = json_string_value(json_object_get(verdict, "decision"));
        FUZZ_ASSERT(json_is_integer(number));
        FUZZ_ASSERT(decision != NULL);
        FUZZ_ASSERT(strcmp(decision, "allow") == 0 || strcmp(decision, "ask") == 0
                    || strcmp(decision, "deny") == 0);

        FUZZ_ASSERT(input_line(data, size, (long)json_integer_value(number), &line, &length));
        json_t *request = json_loadb(line, length, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                                     &error);
        if (!json_is_object(request))
            FUZZ_ASSERT(strcmp(decision, "deny") == 0);
        json_decref(request);
        json_decref(verdict);

        verdicts++;
        start = end + 1;
    }
    FUZZ_ASSERT(verdicts == expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen() of 0 bytes fails on some C libraries, so give it one unread byte. */
    char *input = fuzz_strndup(data, size);
    FILE *in = fmemopen(input, size > 0 ? size : 1, "r");
    FUZZ_ASSERT(in != NULL);
    if (size == 0)
        fgetc(in);

    char *output = NULL;
    size_t output_length = 0;
    FILE *out = open_memstream(&output, &output_length);
    FUZZ_ASSERT(out != NULL);

    FILE *saved_in = stdin;
    FILE *saved_out = stdout;
    stdin = in;
    stdout = out;
    char name[] = "eval";
    char *argv[] = {name, NULL};
    int status = cli_eval_main(1, argv);
    stdin = saved_in;
    stdout = saved_out;

    fclose(in);
    fclose(out);
    FUZZ_ASSERT(status == 0);
    check_output(input, size, output, output_length);

    free(output);
    free(input);
    return 0;
}
