/*
 * Fuzzes the input reader of `agentguard hook claude` (tools/cmd_hook.c):
 * the input is the hook's standard input, the policy the built-in default,
 * and the home directory FUZZ_HOME.
 *
 * Invariants:
 * - the hook exits 0 with exactly one line on standard output, a JSON
 *   object whose hookSpecificOutput has hookEventName "PreToolUse", a
 *   permissionDecision of allow, ask or deny and a string reason; or it
 *   exits 2 with nothing on standard output and a message on standard error;
 * - input that is not valid JSON, has duplicate keys, or is not a
 *   PreToolUse object with a string tool_name and an object tool_input
 *   exits 2, so malformed input is never allowed;
 * - for well-formed input the decision is the one ag_check() returns for the
 *   same tool call, working directory and permission mode, and exit 2 only
 *   when ag_check() returns no verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "fuzz.h"

#define FUZZ_HOME "/home/fuzz"

/* The exit status of the hook when it blocks the tool call. */
#define HOOK_BLOCK 2

/* The output of one run of the hook. */
struct hook_run {
    int status;
    char *output;
    size_t output_length;
    char *errors;
    size_t errors_length;
};

/* Runs cli_hook_main() with `input` as standard input and memory streams as standard output and error. */
static void run_hook(const char *input, size_t size, struct hook_run *run)
{
    /* fmemopen() of 0 bytes fails on some C libraries, so give it one unread byte. */
    FILE *in = fmemopen((void *)input, size > 0 ? size : 1, "r");
    FUZZ_ASSERT(in != NULL);
    if (size == 0)
        fgetc(in);
    FILE *out = open_memstream(&run->output, &run->output_length);
    FUZZ_ASSERT(out != NULL);
    FILE *err = open_memstream(&run->errors, &run->errors_length);
    FUZZ_ASSERT(err != NULL);

    FILE *saved_in = stdin;
    FILE *saved_out = stdout;
    FILE *saved_err = stderr;
    stdin = in;
    stdout = out;
    stderr = err;
    char hook[] = "hook", claude[] = "claude", home_option[] = "--home", home[] = FUZZ_HOME;
    char *argv[] = {hook, claude, home_option, home, NULL};
    run->status = cli_hook_main(4, argv);
    stdin = saved_in;
    stdout = saved_out;
    stderr = saved_err;

    fclose(in);
    FUZZ_ASSERT(fclose(out) == 0);
    FUZZ_ASSERT(fclose(err) == 0);
}

/* Returns whether `input` is a hook input the hook must check, as validate_input() in cmd_hook.c. */
static bool is_well_formed(json_t *input)
{
    if (!json_is_object(input))
        return false;
    json_t *event = json_object_get(input, "hook_event_name");
    if (event != NULL
        && (!json_is_string(event) || strcmp(json_string_value(event), "PreToolUse") != 0))
        return false;
    json_t *cwd = json_object_get(input, "cwd");
    json_t *mode = json_object_get(input, "permission_mode");
    return json_is_string(json_object_get(input, "tool_name"))
           && json_is_object(json_object_get(input, "tool_input"))
           && (cwd == NULL || json_is_string(cwd)) && (mode == NULL || json_is_string(mode));
}

static ag_policy *default_policy(void)
{
    static ag_policy *policy;
    if (policy == NULL) {
        ag_error *error = NULL;
        policy = ag_policy_load_default(&error);
        if (policy == NULL) {
            fuzz_require_nomem(error, "ag_policy_load_default");
            abort();
        }
    }
    return policy;
}

/* A decision and whether a limit (such as the parse time) was reached on the way to it. */
struct outcome {
    int decision;
    bool limited;
};

/*
 * Returns the decision ag_check() gives the tool call of the well-formed
 * `input` with a new checker set up as the hook sets up its own, or -1 when
 * ag_check() returns no verdict.
 */
static struct outcome expected_outcome(json_t *input)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(default_policy(), &error);
    if (checker == NULL) {
        fuzz_require_nomem(error, "ag_checker_new");
        abort();
    }
    FUZZ_ASSERT(ag_checker_set_home(checker, FUZZ_HOME) == AG_OK);
    ag_mode mode;
    const char *mode_name = json_string_value(json_object_get(input, "permission_mode"));
    if (mode_name != NULL && ag_mode_from_name(mode_name, &mode))
        ag_checker_set_mode(checker, mode);

    char *tool_input = json_dumps(json_object_get(input, "tool_input"), JSON_COMPACT);
    FUZZ_ASSERT(tool_input != NULL);
    const ag_verdict *verdict = ag_check(checker,
                                         json_string_value(json_object_get(input, "tool_name")),
                                         tool_input,
                                         json_string_value(json_object_get(input, "cwd")), &error);
    struct outcome expected = {-1, false};
    if (verdict != NULL) {
        fuzz_check_verdict(verdict, NULL, 0);
        expected.decision = (int)ag_verdict_decision(verdict);
        expected.limited = ag_verdict_error(verdict) == AG_ERR_LIMIT;
    }
    ag_error_free(error);
    free(tool_input);
    ag_checker_free(checker);
    return expected;
}

/* Checks the one output line of an exit 0 and returns its permissionDecision. */
static struct outcome output_outcome(const struct hook_run *run)
{
    FUZZ_ASSERT(run->output_length > 0);
    FUZZ_ASSERT(run->output[run->output_length - 1] == '\n');
    FUZZ_ASSERT(memchr(run->output, '\n', run->output_length) == run->output + run->output_length - 1);

    json_error_t error;
    json_t *output = json_loadb(run->output, run->output_length, JSON_REJECT_DUPLICATES, &error);
    FUZZ_ASSERT(json_is_object(output));
    FUZZ_ASSERT(json_object_size(output) == 1);
    json_t *specific = json_object_get(output, "hookSpecificOutput");
    FUZZ_ASSERT(json_is_object(specific));
    const char *event = json_string_value(json_object_get(specific, "hookEventName"));
    FUZZ_ASSERT(event != NULL && strcmp(event, "PreToolUse") == 0);
    const char *reason = json_string_value(json_object_get(specific, "permissionDecisionReason"));
    FUZZ_ASSERT(reason != NULL);
    bool limited = strstr(reason, "[error AG_ERR_LIMIT]") != NULL;

    const char *name = json_string_value(json_object_get(specific, "permissionDecision"));
    FUZZ_ASSERT(name != NULL);
    ag_decision decision = AG_DENY;
    if (strcmp(name, "allow") == 0)
        decision = AG_ALLOW;
    else if (strcmp(name, "ask") == 0)
        decision = AG_ASK;
    else
        FUZZ_ASSERT(strcmp(name, "deny") == 0);
    json_decref(output);
    return (struct outcome){(int)decision, limited};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = fuzz_strndup(data, size);
    struct hook_run run = {0};
    run_hook(input, size, &run);

    FUZZ_ASSERT(run.status == 0 || run.status == HOOK_BLOCK);
    if (run.status == HOOK_BLOCK) {
        FUZZ_ASSERT(run.output_length == 0);
        FUZZ_ASSERT(run.errors_length > 0);
    }

    /* The hook reads with json_loadf(), which parses exactly as json_loadb() does. */
    json_error_t error;
    json_t *request = json_loadb(input, size, JSON_REJECT_DUPLICATES, &error);
    if (!is_well_formed(request)) {
        /* Malformed input blocks the tool call: exit 2, never a decision. */
        FUZZ_ASSERT(run.status == HOOK_BLOCK);
    } else {
        struct outcome expected = expected_outcome(request);
        if (expected.decision < 0) {
            FUZZ_ASSERT(run.status == HOOK_BLOCK);
        } else {
            FUZZ_ASSERT(run.status == 0);
            struct outcome hook = output_outcome(&run);
            /*
             * The parse time limit is wall-clock time, so on a loaded machine
             * one of the two checks may reach it and the other not. The one
             * that reached it asks, so neither may then allow what the other
             * denied.
             */
            if (hook.limited || expected.limited) {
                FUZZ_ASSERT(!(hook.decision == AG_ALLOW && expected.decision == AG_DENY));
                FUZZ_ASSERT(!(hook.decision == AG_DENY && expected.decision == AG_ALLOW));
            } else {
                FUZZ_ASSERT(hook.decision == expected.decision);
            }
        }
    }

    json_decref(request);
    free(run.output);
    free(run.errors);
    free(input);
    return 0;
}
