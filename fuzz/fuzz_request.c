/*
 * Fuzzes the tool-input JSON reader of ag_check(). The whole input is the
 * tool input of a Bash request and of a few other tools; when it has a
 * newline, the first line is also tried as the tool name with the rest as
 * the tool input.
 *
 * Invariants: a verdict always exists (unless memory runs out), a tool input
 * that jansson cannot read as a JSON object is denied, a Bash input without a
 * string "command" is denied, and a Bash input with one gets the same
 * decision as ag_check_command() on that command.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"

/* The test policy of tests/cases/policies/basic.yaml, cut down: rules for several tools. */
static const char policy_text[] =
    "default: ask\n"
    "allow:\n"
    "  - \"Bash(git status)\"\n"
    "  - \"Bash(ls *)\"\n"
    "  - \"Bash(echo *)\"\n"
    "  - Read\n"
    "  - mcp__github\n"
    "ask:\n"
    "  - \"Bash(git push *)\"\n"
    "  - \"Bash(npm publish:*)\"\n"
    "deny:\n"
    "  - \"Bash(rm -rf *)\"\n"
    "  - WebFetch\n"
    "  - mcp__evil\n";

static const char *const tools[] = {"Bash", "Read", "Edit", "WebFetch", "mcp__github__x"};

static ag_checker *checkers[2];

static void make_checkers(void)
{
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("request.yaml", policy_text,
                                              sizeof(policy_text) - 1, &error);
    if (policy == NULL)
        fuzz_require_nomem(error, "loading the request harness policy");
    FUZZ_ASSERT(policy != NULL);
    checkers[0] = ag_checker_new(policy, &error);
    checkers[1] = fuzz_default_checker();
    FUZZ_ASSERT(checkers[0] != NULL);
}

/*
 * Returns the "command" string of a Bash tool input as a copy in *command,
 * or false when the input is not an object with a string "command". Sets
 * *object to whether the input is a JSON object at all.
 */
static bool read_command(const char *input, bool *object, char **command, size_t *length)
{
    json_t *root = fuzz_json_loads(input);
    *object = json_is_object(root);
    json_t *value = *object ? json_object_get(root, "command") : NULL;
    bool found = json_is_string(value);
    if (found) {
        *length = json_string_length(value);
        *command = fuzz_strndup((const uint8_t *)json_string_value(value), *length);
    }
    json_decref(root);
    return found;
}

static void check_request(ag_checker *checker, const char *tool, const char *input)
{
    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check(checker, tool, input, "/tmp", &error);
    if (verdict == NULL) {
        fuzz_require_nomem(error, "ag_check");
        ag_error_free(error);
        return;
    }
    FUZZ_ASSERT(error == NULL);

    bool is_bash = strcmp(tool, "Bash") == 0;
    bool object = false;
    char *command = NULL;
    size_t command_length = 0;
    bool has_command = read_command(input, &object, &command, &command_length);

    fuzz_check_verdict(verdict, is_bash && has_command ? command : NULL, command_length);
    ag_decision decision = ag_verdict_decision(verdict);

    if (tool[0] == '\0' || !object || (is_bash && !has_command)) {
        FUZZ_ASSERT(decision == AG_DENY);
        FUZZ_ASSERT(ag_verdict_error(verdict) == AG_ERR_REQUEST);
    }

    /* The verdict is invalid after the next check, so the decision is compared, not the verdict. */
    if (is_bash && has_command) {
        ag_decision direct = fuzz_check_command(checker, command, command_length);
        FUZZ_ASSERT(direct == decision);
    }
    free(command);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (checkers[0] == NULL)
        make_checkers();

    char *input = fuzz_strndup(data, size);

    for (size_t c = 0; c < 2; c++) {
        for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++)
            check_request(checkers[c], tools[t], input);
    }

    /* The first line as the tool name and the rest as the tool input. */
    char *newline = strchr(input, '\n');
    if (newline != NULL) {
        *newline = '\0';
        check_request(checkers[0], input, newline + 1);
    }

    free(input);
    return 0;
}
