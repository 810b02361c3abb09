/*
 * agentguard explain: checks one request in explain mode and prints every
 * command and effect found, every rule that matches or could match each of
 * them with its source, and the rule that decided.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: agentguard explain [OPTION]... [--] COMMAND\n"
           "       agentguard explain [OPTION]... --tool NAME --input JSON\n"
           "\n"
           "Prints how the policy decides one Bash command or tool call: the commands\n"
           "and effects found, every rule that matches ('yes') or could match for some\n"
           "value of a dynamic word ('maybe') with its FILE:LINE:COLUMN, and the rule\n"
           "that decided. The exit status is that of 'agentguard check'.\n"
           "\n"
           "Options:\n"
           CLI_POLICY_OPTIONS_HELP
           "  -C, --cwd DIR      the request's working directory (default: the current one)\n"
           "  -H, --home DIR     the home directory for '~' (default: $HOME)\n"
           CLI_CDPATH_OPTION_HELP
           "  -t, --tool NAME    check a call of tool NAME instead of a command\n"
           "  -i, --input JSON   the tool call's input, a JSON object (with --tool)\n"
           "  -j, --json         print one JSON object instead of text\n"
           "  -h, --help         print this help and exit\n");
}

/* ------------------------------------------------------------- JSON */

typedef bool (*match_reader)(const ag_verdict *, size_t, size_t, const char **, const char **,
                             ag_decision *, bool *);

static bool read_request_match(const ag_verdict *verdict, size_t list, size_t index,
                               const char **text, const char **source, ag_decision *decision,
                               bool *certain)
{
    (void)list;
    return ag_verdict_match(verdict, index, text, source, decision, certain);
}

static json_t *matches_json(const ag_verdict *verdict, size_t list, size_t count,
                            match_reader read)
{
    json_t *array = json_array();
    for (size_t j = 0; j < count; j++) {
        const char *text = NULL;
        const char *source = NULL;
        ag_decision decision = AG_DENY;
        bool certain = false;
        if (!read(verdict, list, j, &text, &source, &decision, &certain))
            continue;
        json_array_append_new(array, json_pack("{s:o,s:o,s:s,s:s}", "rule",
                                               cli_json_string_or_null(text), "source",
                                               cli_json_string_or_null(source), "decision",
                                               ag_decision_name(decision), "match",
                                               certain ? "yes" : "maybe"));
    }
    return array;
}

static void add_explain_json(json_t *object, const ag_verdict *verdict)
{
    json_object_set_new(object, "matches",
                        matches_json(verdict, 0, ag_verdict_match_count(verdict),
                                     read_request_match));
    json_t *commands = json_object_get(object, "commands");
    for (size_t i = 0; json_is_array(commands) && i < json_array_size(commands); i++)
        json_object_set_new(json_array_get(commands, i), "matches",
                            matches_json(verdict, i, ag_verdict_command_match_count(verdict, i),
                                         ag_verdict_command_match));
    json_t *effects = json_object_get(object, "effects");
    for (size_t i = 0; json_is_array(effects) && i < json_array_size(effects); i++)
        json_object_set_new(json_array_get(effects, i), "matches",
                            matches_json(verdict, i, ag_verdict_effect_match_count(verdict, i),
                                         ag_verdict_effect_match));
}

/* ------------------------------------------------------------- text */

static void print_matches(const ag_verdict *verdict, size_t list, size_t count,
                          match_reader read)
{
    if (count == 0)
        printf("    no rule matches\n");
    for (size_t j = 0; j < count; j++) {
        const char *text = NULL;
        const char *source = NULL;
        ag_decision decision = AG_DENY;
        bool certain = false;
        if (read(verdict, list, j, &text, &source, &decision, &certain))
            printf("    %-5s %-5s %s (%s)\n", certain ? "yes" : "maybe",
                   ag_decision_name(decision), text, source);
    }
}

static void print_decided_by(const char *rule, const char *source)
{
    if (rule != NULL)
        printf("    decided by %s (%s)\n", rule, source);
    else
        printf("    decided by no rule (the policy default or a check)\n");
}

/*
 * Prints a command with no words (`X=1`, `> file`) as its text in the
 * request, so its line does not look empty. `command` is NULL for a tool
 * request.
 */
static void print_wordless_command(const ag_verdict *verdict, size_t index, const char *command)
{
    size_t start, end;
    if (command == NULL || !ag_verdict_command_span(verdict, index, &start, &end) || end <= start)
        return;
    printf(" (");
    fwrite(command + start, 1, end - start, stdout);
    printf(")");
}

static void print_explain_text(const ag_verdict *verdict, const char *command)
{
    for (size_t i = 0; i < ag_verdict_command_count(verdict); i++) {
        printf("command %zu:", i + 1);
        for (size_t w = 0; w < ag_verdict_command_argc(verdict, i); w++) {
            putchar(' ');
            cli_print_word(stdout, ag_verdict_command_arg(verdict, i, w, NULL));
        }
        if (ag_verdict_command_argc(verdict, i) == 0)
            print_wordless_command(verdict, i, command);
        printf(" -> %s\n", ag_decision_name(ag_verdict_command_decision(verdict, i)));
        print_matches(verdict, i, ag_verdict_command_match_count(verdict, i),
                      ag_verdict_command_match);
        print_decided_by(ag_verdict_command_rule(verdict, i),
                         ag_verdict_command_source(verdict, i));
    }
    for (size_t i = 0; i < ag_verdict_effect_count(verdict); i++) {
        printf("effect %zu: %s ", i + 1, ag_effect_kind_name(ag_verdict_effect_kind(verdict, i)));
        cli_print_word(stdout, ag_verdict_effect_target(verdict, i));
        printf(" -> %s\n", ag_decision_name(ag_verdict_effect_decision(verdict, i)));
        print_matches(verdict, i, ag_verdict_effect_match_count(verdict, i),
                      ag_verdict_effect_match);
        print_decided_by(ag_verdict_effect_rule(verdict, i),
                         ag_verdict_effect_source(verdict, i));
    }
    if (ag_verdict_command_count(verdict) == 0 || ag_verdict_match_count(verdict) > 0) {
        printf("request:\n");
        print_matches(verdict, 0, ag_verdict_match_count(verdict), read_request_match);
    }
    printf("decision: %s\n", ag_decision_name(ag_verdict_decision(verdict)));
    if (ag_verdict_rule(verdict) != NULL)
        printf("rule: %s (%s)\n", ag_verdict_rule(verdict), ag_verdict_source(verdict));
    printf("reason: %s\n", ag_verdict_reason(verdict));
}

/* ------------------------------------------------------------- main */

/* Checks in the directory `check` would use, so both give the same verdict. */
static const ag_verdict *run_check(ag_checker *checker, const struct cli_options *options,
                                   const char *cwd, char **argv, ag_error **error)
{
    if (options->tool != NULL)
        return ag_check(checker, options->tool, options->input, cwd, error);
    const char *command = argv[options->first_operand];
    return ag_check_command(checker, command, strlen(command), cwd, error);
}

static int exit_status(ag_decision decision)
{
    return decision == AG_ALLOW ? CLI_EXIT_ALLOW : decision == AG_ASK ? CLI_EXIT_ASK
                                                                    : CLI_EXIT_DENY;
}

static bool check_operands(const struct cli_options *options, int argc)
{
    int operands = argc - options->first_operand;
    if (options->tool != NULL && (options->input == NULL || operands != 0)) {
        cli_usage_error("explain", "--tool needs --input JSON and no COMMAND");
        return false;
    }
    if (options->tool == NULL && (options->input != NULL || operands != 1)) {
        cli_usage_error("explain", "give exactly one COMMAND, or --tool NAME --input JSON");
        return false;
    }
    return true;
}

int cli_explain_main(int argc, char **argv)
{
    struct cli_options options;
    unsigned accepted = CLI_ACCEPT_JSON | CLI_ACCEPT_TOOL;
    enum cli_parse_result parsed = cli_parse_options("explain", argc, argv, accepted, &options);
    if (parsed != CLI_PARSE_OK || !check_operands(&options, argc)) {
        if (parsed == CLI_PARSE_HELP)
            print_help();
        cli_options_free(&options);
        return parsed == CLI_PARSE_HELP ? 0 : CLI_EXIT_USAGE;
    }

    int status = CLI_EXIT_USAGE;
    ag_error *error = NULL;
    ag_policy *policy = cli_load_policy(&options);
    ag_checker *checker = policy != NULL ? ag_checker_new(policy, &error) : NULL;
    if (checker != NULL && cli_configure_checker("explain", checker, &options)) {
        ag_checker_set_explain(checker, true);
        char *cwd = cli_resolve_cwd("explain", &options);
        const ag_verdict *verdict = cwd != NULL ? run_check(checker, &options, cwd, argv, &error)
                                                : NULL;
        if (verdict != NULL && options.json) {
            json_t *object = cli_verdict_to_json(verdict);
            if (object != NULL)
                add_explain_json(object, verdict);
            status = object != NULL && cli_print_json_line(object) == 0
                         ? exit_status(ag_verdict_decision(verdict))
                         : CLI_EXIT_USAGE;
        } else if (verdict != NULL) {
            print_explain_text(verdict, options.tool == NULL
                                            ? argv[options.first_operand] : NULL);
            status = exit_status(ag_verdict_decision(verdict));
        }
        free(cwd);
    }
    if (error != NULL)
        fprintf(stderr, "agentguard explain: %s\n", ag_error_message(error));
    ag_error_free(error);
    ag_checker_free(checker);
    ag_policy_free(policy);
    cli_options_free(&options);
    return status;
}
