/*
 * agentguard eval: reads one JSON request per line from standard input, in
 * the field names of Claude Code's PreToolUse hook, and writes one JSON
 * verdict line for each, in order.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

/* Size of the buffer for a message about a malformed line; jansson's own text is at most 160 bytes. */
#define ERROR_MESSAGE_SIZE 512

static void print_help(void)
{
    printf("Usage: agentguard eval [OPTION]...\n"
           "\n"
           "Reads requests from standard input, one JSON object per line:\n"
           "  {\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"git status\"},\"cwd\":\"/repo\"}\n"
           "and writes one JSON verdict per request to standard output, in order:\n"
           "  {\"line\":N,\"decision\":...,\"reason\":...,\"rule\":...,\"source\":...,\n"
           "   \"span\":[START,END],\"commands\":[...],\"effects\":[...]}\n"
           "with \"error\" and \"error_code\" fields when the request is malformed or could\n"
           "not be fully analysed: \"error\" names the line and the problem, such as\n"
           "  \"line 3: the Bash tool input's \\\"command\\\" is not a string\"\n"
           "and \"error_code\" is the status name for programs, such as \"AG_ERR_REQUEST\"\n"
           "or \"AG_ERR_LIMIT\" (a limit of the policy reached). AG_ERR_REQUEST marks a\n"
           "malformed request, and also a command that cannot be fully analysed, such\n"
           "as one with a syntax error, whose \"error\" then reads \"line N: the command\n"
           "cannot be fully analysed: ...\" and whose decision is at least ask.\n"
           "Other fields of a request are ignored, \"permission_mode\" too: the mode\n"
           "comes from --mode only, while hook claude reads that field. A malformed\n"
           "request gets \"decision\":\"deny\", and reading goes on. Blank lines are\n"
           "skipped. Each verdict line is flushed as soon as it is written.\n"
           "\n"
           "Exit status: 0 when every line was read, 1 on a usage or policy error or\n"
           "when reading or writing failed.\n"
           "\n"
           "Options:\n"
           CLI_POLICY_OPTIONS_HELP
           "  -C, --cwd DIR      the working directory for requests without a \"cwd\"\n"
           "                     field (default: none, so rules on relative paths cannot\n"
           "                     match them)\n"
           "  -H, --home DIR     the home directory that \"~\" means in rules and paths\n"
           "                     (default: the HOME environment variable)\n"
           CLI_CDPATH_OPTION_HELP
           "      --audit FILE   append one JSON line per decision to FILE (created with\n"
           "                     mode 0600), with secrets masked; see docs/audit.md\n"
           "  -h, --help         print this help and exit\n");
}

static bool is_blank(const char *line, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (strchr(" \t\r\n\v\f", line[i]) == NULL || line[i] == '\0') {
            return false;
        }
    }
    return true;
}

/*
 * Returns a deny object whose error is "line N: " and the problem, and whose
 * reason is "invalid request: " and the problem, as the library words the
 * reason of a request it rejects.
 */
__attribute__((format(printf, 2, 3)))
static json_t *malformed(long line_number, const char *format, ...)
{
    char problem[ERROR_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(problem, sizeof problem, format, arguments);
    va_end(arguments);

    char reason[ERROR_MESSAGE_SIZE + 32];
    char message[ERROR_MESSAGE_SIZE + 32];
    snprintf(reason, sizeof reason, "invalid request: %s", problem);
    snprintf(message, sizeof message, "line %ld: %s", line_number, problem);
    return cli_failure_to_json(reason, message, ag_status_name(AG_ERR_REQUEST));
}

/*
 * Puts "line N: " in front of the verdict's "error", so that it names the line
 * as the errors of lines that are not requests do. Takes the reference.
 */
static json_t *with_error_line(json_t *verdict, long line_number)
{
    const char *error = json_string_value(json_object_get(verdict, "error"));
    if (error == NULL) {
        return verdict;
    }

    json_t *prefixed = json_sprintf("line %ld: %s", line_number, error);
    if (prefixed == NULL || json_object_set_new(verdict, "error", prefixed) != 0) {
        json_decref(verdict);
        return NULL;
    }
    return verdict;
}

/*
 * Checks the request object `request`. Its fields are validated here, so the
 * error can name the field; the tool input goes back to the library as
 * compact JSON text.
 */
static json_t *check_request(ag_checker *checker, json_t *request, long line_number,
                             const char *default_cwd)
{
    json_t *tool_name = json_object_get(request, "tool_name");
    json_t *tool_input = json_object_get(request, "tool_input");
    json_t *cwd = json_object_get(request, "cwd");

    char problem_text[ERROR_MESSAGE_SIZE];
    const char *problem = cli_request_problem(request, problem_text, sizeof problem_text);
    if (problem != NULL) {
        return malformed(line_number, "%s", problem);
    }

    char *input_text = json_dumps(tool_input, JSON_COMPACT);
    if (input_text == NULL) {
        char message[ERROR_MESSAGE_SIZE];
        snprintf(message, sizeof message, "line %ld: agentguard ran out of memory", line_number);
        return cli_failure_to_json("agentguard ran out of memory", message,
                                   ag_status_name(AG_ERR_NOMEM));
    }

    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check(checker, json_string_value(tool_name), input_text,
                                         cwd != NULL ? json_string_value(cwd) : default_cwd,
                                         &error);
    json_t *result;
    if (verdict != NULL) {
        result = with_error_line(cli_verdict_to_json(verdict), line_number);
    } else {
        const char *failure = error != NULL ? ag_error_message(error) : "no error message";
        char reason[ERROR_MESSAGE_SIZE];
        char message[ERROR_MESSAGE_SIZE];
        snprintf(reason, sizeof reason, "the check failed: %s", failure);
        snprintf(message, sizeof message, "line %ld: the check failed: %s", line_number, failure);
        result = cli_failure_to_json(reason, message,
                                     ag_status_name(error != NULL ? ag_error_code(error)
                                                                  : AG_ERR_INTERNAL));
    }

    ag_error_free(error);
    free(input_text);
    return result;
}

/*
 * Returns the verdict object for one line. Duplicate keys are rejected
 * because a host's JSON parser may keep the first copy of a key where jansson
 * keeps the last, and the two would then check different commands.
 */
static json_t *evaluate_line(ag_checker *checker, const char *line, size_t length,
                             long line_number, const char *default_cwd)
{
    json_error_t parse_error;
    json_t *request = cli_json_load(line, length, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                                    &parse_error);
    if (request == NULL) {
        /* JSON allows \u0000, so such a line is valid JSON but still no request. */
        if (json_error_code(&parse_error) == json_error_null_character) {
            return malformed(line_number, "%s (near column %d)",
                             cli_json_error_text(&parse_error), parse_error.column);
        }
        return malformed(line_number, "invalid JSON at column %d: %s", parse_error.column,
                         parse_error.text);
    }

    json_t *result;
    if (json_is_object(request)) {
        result = check_request(checker, request, line_number, default_cwd);
    } else {
        result = malformed(line_number, "the request is not a JSON object");
    }

    json_decref(request);
    return result;
}

/* Puts "line" in front of the verdict's fields, for readers that scan the output. */
static json_t *with_line_number(json_t *verdict, long line_number)
{
    json_t *object = json_object();

    if (verdict == NULL || object == NULL ||
        json_object_set_new(object, "line", json_integer(line_number)) != 0 ||
        json_object_update(object, verdict) != 0) {
        json_decref(object);
        json_decref(verdict);
        return NULL;
    }

    json_decref(verdict);
    return object;
}

/* Writes a verdict line for every non-blank line of standard input. Returns the exit status. */
static int evaluate_stream(ag_checker *checker, struct cli_audit *audit,
                           const char *default_cwd)
{
    char *line = NULL;
    size_t capacity = 0;
    long line_number = 0;
    ssize_t read_length;
    int status = CLI_EXIT_ALLOW;

    while ((read_length = getline(&line, &capacity, stdin)) != -1) {
        size_t length = (size_t)read_length;
        line_number++;
        if (is_blank(line, length)) {
            continue;
        }

        json_t *verdict = evaluate_line(checker, line, length, line_number, default_cwd);
        /* A decision the log could not record is not written, and reading stops. */
        if (cli_audit_failed(audit, "eval")) {
            json_decref(verdict);
            status = CLI_EXIT_USAGE;
            break;
        }
        if (cli_print_json_line(with_line_number(verdict, line_number)) != 0) {
            fprintf(stderr, "agentguard eval: writing the verdict of line %ld to standard "
                            "output failed\n", line_number);
            status = CLI_EXIT_USAGE;
            break;
        }
    }

    if (status == CLI_EXIT_ALLOW && ferror(stdin)) {
        fprintf(stderr, "agentguard eval: reading standard input failed after line %ld\n",
                line_number);
        status = CLI_EXIT_USAGE;
    }
    free(line);
    return status;
}

int cli_eval_main(int argc, char **argv)
{
    struct cli_options options;

    enum cli_parse_result parsed = cli_parse_options("eval", argc, argv, CLI_ACCEPT_AUDIT,
                                                 &options);
    if (parsed != CLI_PARSE_OK) {
        if (parsed == CLI_PARSE_HELP) {
            print_help();
        }
        cli_options_free(&options);
        return parsed == CLI_PARSE_HELP ? 0 : CLI_EXIT_USAGE;
    }
    if (options.first_operand < argc) {
        cli_usage_error("eval", "unexpected argument '%s' (requests are read from standard input)",
                        argv[options.first_operand]);
        cli_options_free(&options);
        return CLI_EXIT_USAGE;
    }

    int status = CLI_EXIT_USAGE;
    ag_error *error = NULL;
    ag_checker *checker = NULL;
    ag_policy *policy = cli_load_policy(&options);
    if (policy != NULL) {
        checker = ag_checker_new(policy, &error);
        if (checker == NULL) {
            fprintf(stderr, "agentguard eval: %s\n",
                    error != NULL ? ag_error_message(error) : "creating the checker failed");
        }
    }
    struct cli_audit *audit = NULL;
    if (checker != NULL && options.audit_path != NULL) {
        audit = cli_audit_open("eval", options.audit_path, policy);
    }
    if (checker != NULL && (options.audit_path == NULL || audit != NULL)
        && cli_configure_checker("eval", checker, &options) && cli_audit_attach(audit, checker)) {
        status = evaluate_stream(checker, audit, options.cwd);
    }
    cli_audit_close(audit);

    ag_error_free(error);
    ag_checker_free(checker);
    ag_policy_free(policy);
    cli_options_free(&options);
    return status;
}
