/*
 * Plain, human-readable form of a verdict for `check` without --json.
 */
#include <string.h>

#include "cli.h"

/* Prints "rule RULE at SOURCE", or "no rule decided" (the default or an error did). */
static void print_rule(FILE *stream, const char *rule, const char *source)
{
    if (rule == NULL) {
        fputs("no rule decided", stream);
        return;
    }

    fputs("rule ", stream);
    cli_print_escaped(stream, rule, strlen(rule));
    if (source != NULL) {
        fputs(" at ", stream);
        cli_print_escaped(stream, source, strlen(source));
    }
}

/* Prints the bytes [start, end) of the command, clamped to its length. */
static void print_span(FILE *stream, const char *command, size_t command_length,
                       size_t start, size_t end)
{
    if (start > command_length) {
        start = command_length;
    }
    if (end > command_length || end < start) {
        end = command_length;
    }

    fprintf(stream, "bytes %zu-%zu: ", start, end);
    cli_print_escaped(stream, command + start, end - start);
}

static void print_command(FILE *stream, const ag_verdict *verdict, size_t index)
{
    ag_decision decision = ag_verdict_command_decision(verdict, index);
    fprintf(stream, "  %-5s ", ag_decision_name(decision));

    size_t argc = ag_verdict_command_argc(verdict, index);
    for (size_t word = 0; word < argc; word++) {
        const char *text = ag_verdict_command_arg(verdict, index, word, NULL);
        if (word > 0) {
            fputc(' ', stream);
        }
        cli_print_word(stream, text != NULL ? text : "");
    }

    fputs("\n        ", stream);
    print_rule(stream, ag_verdict_command_rule(verdict, index),
               ag_verdict_command_source(verdict, index));
    fputc('\n', stream);
}

/*
 * Prints a verdict as:
 *   DECISION: REASON
 *   rule RULE at SOURCE
 *   decided by bytes START-END: TEXT
 *   error: CODE
 *   commands:
 *     DECISION WORD...
 *           rule RULE at SOURCE
 *   effects:
 *     DECISION KIND TARGET
 *           rule RULE at SOURCE
 * where only effects that are not allowed are listed.
 */
static void print_effects(FILE *stream, const ag_verdict *verdict)
{
    bool header = false;
    size_t count = ag_verdict_effect_count(verdict);
    for (size_t i = 0; i < count; i++) {
        ag_decision decision = ag_verdict_effect_decision(verdict, i);
        if (decision == AG_ALLOW) {
            continue;
        }
        if (!header) {
            fputs("effects:\n", stream);
            header = true;
        }
        const char *target = ag_verdict_effect_target(verdict, i);
        fprintf(stream, "  %-5s %s ", ag_decision_name(decision),
                ag_effect_kind_name(ag_verdict_effect_kind(verdict, i)));
        cli_print_word(stream, target != NULL ? target : "");
        fputs("\n        ", stream);
        print_rule(stream, ag_verdict_effect_rule(verdict, i), ag_verdict_effect_source(verdict, i));
        fputc('\n', stream);
    }
}

void cli_print_verdict_text(FILE *stream, const ag_verdict *verdict,
                            const char *command, size_t command_length)
{
    const char *reason = ag_verdict_reason(verdict);
    fprintf(stream, "%s: ", ag_decision_name(ag_verdict_decision(verdict)));
    cli_print_escaped(stream, reason != NULL ? reason : "", reason != NULL ? strlen(reason) : 0);
    fputc('\n', stream);

    print_rule(stream, ag_verdict_rule(verdict), ag_verdict_source(verdict));
    fputc('\n', stream);

    size_t start = 0;
    size_t end = 0;
    if (ag_verdict_span(verdict, &start, &end)) {
        fputs("decided by ", stream);
        print_span(stream, command, command_length, start, end);
        fputc('\n', stream);
    }

    ag_status status = ag_verdict_error(verdict);
    if (status != AG_OK) {
        fprintf(stream, "error: %s\n", ag_status_name(status));
    }

    size_t count = ag_verdict_command_count(verdict);
    if (count > 0) {
        fputs("commands:\n", stream);
    }
    for (size_t i = 0; i < count; i++) {
        print_command(stream, verdict, i);
    }
    print_effects(stream, verdict);
}
