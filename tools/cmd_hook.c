/*
 * agentguard hook claude: a Claude Code PreToolUse hook. Reads one hook input
 * object from standard input, checks its tool call, and writes the decision
 * as Claude Code's hookSpecificOutput object.
 *
 * Claude Code reads exit status 2 as "block the tool call" and shows standard
 * error to the model, while any other non-zero status lets the call go on.
 * So every failure here, usage errors included, exits with 2 and writes
 * nothing to standard output.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Exit status of every failure. Claude Code blocks the tool call on it. */
#define HOOK_EXIT_BLOCK 2

static void print_help(void)
{
    printf("Usage: agentguard hook claude [OPTION]...\n"
           "\n"
           "Runs as a Claude Code PreToolUse hook. Reads one hook input object from\n"
           "standard input:\n"
           "  {\"session_id\":...,\"cwd\":\"/repo\",\"permission_mode\":...,\n"
           "   \"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\n"
           "   \"tool_input\":{\"command\":\"git status\"},\"tool_use_id\":...}\n"
           "and writes the decision on one line:\n"
           "  {\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\n"
           "   \"permissionDecision\":\"allow\"|\"ask\"|\"deny\",\n"
           "   \"permissionDecisionReason\":...}}\n"
           "The reason gives the library's reason and the deciding rule with its\n"
           "FILE:LINE:COLUMN.\n"
           "\n"
           "Exit status: 0 when a decision was written. 2, with the reason on standard\n"
           "error and nothing on standard output, when the input is not such an object,\n"
           "a policy cannot be loaded, the options are wrong or the check fails; Claude\n"
           "Code blocks the tool call on status 2.\n"
           "\n"
           "The input's \"permission_mode\" sets the mode, but with --mode it applies only\n"
           "when it is stricter (bypassPermissions, acceptEdits, default, then plan and\n"
           "dontAsk).\n"
           "\n"
           "Options:\n"
           CLI_POLICY_OPTIONS_HELP
           "  -C, --cwd DIR      the working directory when the input has no \"cwd\"\n"
           "      --audit FILE   append one JSON line per decision to FILE (created with\n"
           "                     mode 0600), with secrets masked; a log that cannot be\n"
           "                     opened or written blocks the tool call\n"
           "  -H, --home DIR     the home directory that \"~\" means in rules and paths\n"
           "                     (default: the HOME environment variable)\n"
           CLI_CDPATH_OPTION_HELP
           "  -h, --help         print this help and exit\n");
}

/* Prints "agentguard hook claude: MESSAGE" on standard error and returns the blocking status. */
__attribute__((format(printf, 1, 2)))
static int block(const char *format, ...)
{
    va_list arguments;

    fputs("agentguard hook claude: ", stderr);
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
    return HOOK_EXIT_BLOCK;
}

/*
 * Checks that `input` is a PreToolUse input with the fields ag_check() needs.
 * Returns NULL when it is, or a message naming the field that is wrong, which
 * may be written into `buffer`.
 */
static const char *validate_input(json_t *input, char *buffer, size_t size)
{
    if (!json_is_object(input)) {
        return "the input is not a JSON object";
    }

    json_t *event = json_object_get(input, "hook_event_name");
    if (event != NULL && (!json_is_string(event) ||
                          strcmp(json_string_value(event), "PreToolUse") != 0)) {
        return "\"hook_event_name\" is not \"PreToolUse\"; install this hook under PreToolUse only";
    }

    const char *problem = cli_request_problem(input, buffer, size);
    if (problem != NULL) {
        return problem;
    }

    json_t *mode = json_object_get(input, "permission_mode");
    if (mode != NULL && !json_is_string(mode)) {
        return "\"permission_mode\" is not a string";
    }
    return NULL;
}

/*
 * Ranks a mode by strictness. Plan and dontAsk rank highest, because each
 * only makes verdicts stricter than the rules give them.
 */
static int mode_strictness(ag_mode mode)
{
    switch (mode) {
    case AG_MODE_BYPASS_PERMISSIONS:
        return 0;
    case AG_MODE_ACCEPT_EDITS:
        return 1;
    case AG_MODE_DEFAULT:
        return 2;
    default:
        return 3;
    }
}

/*
 * Sets the checker's mode from the input's "permission_mode" (the library
 * keeps a mode the policy locks). A mode name this version does not know
 * keeps the mode of --mode or the policy, which may ask more but never less.
 * With --mode, the operator's mode is a floor that the agent's input cannot
 * lower. The input's mode then applies only when it is stricter. Neither of
 * plan and dontAsk contains the other, so between them --mode stays.
 */
static void apply_permission_mode(ag_checker *checker, json_t *input, bool operator_mode)
{
    const char *name = json_string_value(json_object_get(input, "permission_mode"));
    ag_mode mode;
    if (name == NULL || !ag_mode_from_name(name, &mode)) {
        return;
    }
    if (operator_mode && mode_strictness(mode) <= mode_strictness(ag_checker_mode(checker))) {
        return;
    }
    ag_checker_set_mode(checker, mode);
}

/*
 * Returns the permissionDecisionReason: the library's reason, then the
 * deciding rule with its source (or that the policy's default decided), then
 * the analysis error when there is one. The caller frees it.
 */
static char *decision_reason(const ag_verdict *verdict)
{
    const char *reason = ag_verdict_reason(verdict);
    const char *rule = ag_verdict_rule(verdict);
    const char *source = ag_verdict_source(verdict);
    ag_status status = ag_verdict_error(verdict);

    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);
    if (stream == NULL) {
        return NULL;
    }

    fprintf(stream, "agentguard: %s", reason != NULL ? reason : "no reason given");
    if (rule != NULL) {
        fprintf(stream, " [rule %s at %s]", rule, source != NULL ? source : "an unknown source");
    } else {
        fputs(" [no rule decided]", stream);
    }
    if (status != AG_OK) {
        fprintf(stream, " [error %s]", ag_status_name(status));
    }

    if (fclose(stream) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Returns the hookSpecificOutput object for a verdict, or NULL when out of memory. */
static json_t *hook_output(const ag_verdict *verdict)
{
    char *reason = decision_reason(verdict);
    if (reason == NULL) {
        return NULL;
    }

    json_t *output = json_pack("{s:{s:s,s:s,s:o*}}", "hookSpecificOutput",
                               "hookEventName", "PreToolUse",
                               "permissionDecision", ag_decision_name(ag_verdict_decision(verdict)),
                               "permissionDecisionReason",
                               cli_json_string(reason, strlen(reason)));
    free(reason);
    return output;
}

/*
 * Reads all of standard input into a malloc'd buffer, with its length in
 * *length. Returns NULL when reading fails or memory runs out.
 */
static char *read_standard_input(size_t *length)
{
    size_t capacity = 65536;
    char *buffer = malloc(capacity);
    *length = 0;
    while (buffer != NULL) {
        *length += fread(buffer + *length, 1, capacity - *length, stdin);
        if (*length < capacity) {
            break;
        }
        char *larger = capacity <= SIZE_MAX / 2 ? realloc(buffer, capacity * 2) : NULL;
        if (larger == NULL) {
            free(buffer);
            return NULL;
        }
        buffer = larger;
        capacity *= 2;
    }
    if (buffer != NULL && ferror(stdin)) {
        free(buffer);
        return NULL;
    }
    return buffer;
}

/*
 * Reads the hook input on standard input, checks it and writes the decision. Duplicate keys
 * are rejected because Claude Code's JSON parser may keep a different copy
 * of a key than jansson does, and the two would then see different tool calls.
 */
static int run_hook(ag_checker *checker, struct cli_audit *audit, const char *default_cwd,
                    bool operator_mode)
{
    size_t length = 0;
    char *text = read_standard_input(&length);
    if (text == NULL) {
        return block("reading standard input failed, so the tool call is blocked");
    }
    json_error_t parse_error;
    json_t *input = cli_json_load(text, length, JSON_REJECT_DUPLICATES, &parse_error);
    free(text);
    if (input == NULL) {
        /* JSON allows \u0000, so the input is valid JSON but still not a request. */
        bool nul = json_error_code(&parse_error) == json_error_null_character;
        return block("the input is %s (line %d, column %d: %s), so the tool call is blocked",
                     nul ? "malformed" : "not valid JSON", parse_error.line,
                     parse_error.column, cli_json_error_text(&parse_error));
    }

    char problem_text[512];
    const char *problem = validate_input(input, problem_text, sizeof problem_text);
    if (problem != NULL) {
        json_decref(input);
        return block("the input is malformed (%s), so the tool call is blocked", problem);
    }

    apply_permission_mode(checker, input, operator_mode);
    json_t *cwd = json_object_get(input, "cwd");
    char *tool_input = json_dumps(json_object_get(input, "tool_input"), JSON_COMPACT);
    if (tool_input == NULL) {
        json_decref(input);
        return block("out of memory, so the tool call is blocked");
    }

    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check(checker,
                                         json_string_value(json_object_get(input, "tool_name")),
                                         tool_input,
                                         cwd != NULL ? json_string_value(cwd) : default_cwd,
                                         &error);
    free(tool_input);
    json_decref(input);

    if (verdict == NULL) {
        int status = block("the check failed (%s), so the tool call is blocked",
                           error != NULL ? ag_error_message(error) : "no error message");
        ag_error_free(error);
        return status;
    }
    ag_error_free(error);
    if (cli_audit_failed(audit, "hook claude")) {
        return block("the decision could not be written to the audit log, so the tool call "
                     "is blocked");
    }

    json_t *output = hook_output(verdict);
    if (output == NULL) {
        return block("out of memory while writing the decision, so the tool call is blocked");
    }

    /* Built in memory first, so a failure leaves standard output empty. */
    char *line = json_dumps(output, JSON_COMPACT);
    json_decref(output);
    if (line == NULL) {
        return block("out of memory while writing the decision, so the tool call is blocked");
    }
    bool written = printf("%s\n", line) >= 0 && fflush(stdout) == 0;
    free(line);
    if (!written) {
        return block("writing the decision to standard output failed, so the tool call is "
                     "blocked");
    }
    return CLI_EXIT_ALLOW;
}

int cli_hook_main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_help();
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "claude") != 0) {
        cli_usage_error("hook", "expected the agent name 'claude'%s%s%s",
                        argc >= 2 ? ", got '" : "", argc >= 2 ? argv[1] : "",
                        argc >= 2 ? "'" : "");
        return HOOK_EXIT_BLOCK;
    }

    /* The options follow the agent name, so argv + 1 starts at "claude". */
    struct cli_options options;
    enum cli_parse_result parsed = cli_parse_options("hook claude", argc - 1, argv + 1,
                                                     CLI_ACCEPT_AUDIT, &options);
    if (parsed != CLI_PARSE_OK) {
        if (parsed == CLI_PARSE_HELP) {
            print_help();
        }
        cli_options_free(&options);
        return parsed == CLI_PARSE_HELP ? 0 : HOOK_EXIT_BLOCK;
    }
    if (options.first_operand < argc - 1) {
        cli_usage_error("hook claude", "unexpected argument '%s' (the hook input is read from "
                        "standard input)", argv[1 + options.first_operand]);
        cli_options_free(&options);
        return HOOK_EXIT_BLOCK;
    }

    int status = HOOK_EXIT_BLOCK;
    ag_error *error = NULL;
    ag_checker *checker = NULL;
    ag_policy *policy = cli_load_policy(&options);
    if (policy == NULL) {
        block("the policy could not be loaded, so the tool call is blocked");
    } else {
        checker = ag_checker_new(policy, &error);
        if (checker == NULL) {
            block("%s, so the tool call is blocked",
                  error != NULL ? ag_error_message(error) : "creating the checker failed");
        }
    }
    struct cli_audit *audit = NULL;
    if (checker != NULL && options.audit_path != NULL) {
        audit = cli_audit_open("hook claude", options.audit_path, policy);
        if (audit == NULL) {
            block("the audit log could not be opened, so the tool call is blocked");
        }
    }
    if (checker != NULL && (options.audit_path == NULL || audit != NULL)
        && cli_configure_checker("hook claude", checker, &options)
        && cli_audit_attach(audit, checker)) {
        status = run_hook(checker, audit, options.cwd, options.mode != NULL);
    }
    cli_audit_close(audit);

    ag_error_free(error);
    ag_checker_free(checker);
    ag_policy_free(policy);
    cli_options_free(&options);
    return status;
}
