/*
 * host.c: print what libagentguard would decide for each tool call of an agent.
 *
 * The C counterpart of examples/python-host/host.py. It uses only the public
 * header <agentguard.h> and shows the whole life of a host:
 *
 *   1. build one policy from the --policy files (none: the built-in default),
 *   2. create one checker for it (one checker per thread; this host has one),
 *   3. check each tool call and print the verdict,
 *   4. free the checker, then the policy.
 *
 * Input: tool calls as JSON lines on stdin, in the field names of Claude
 * Code's PreToolUse hook:
 *
 *     {"tool_name": "Bash", "tool_input": {"command": "git status"}, "cwd": "/repo"}
 *
 * Output: one line per call, in order (blank input lines are skipped):
 *
 *     allow Bash: REASON [Bash(git status) (policy.yaml:5:5)]
 *     ask Bash: REASON
 *     deny ?: line 10 is not valid JSON: ...
 *
 * The bracket names the deciding rule and where it was written. It is left
 * out when no rule decided (the policy default, or a malformed request). A
 * line that is not a valid call is denied and reading goes on: the host fails
 * closed like the library.
 *
 * Exit status: 0 when all of stdin was read, 1 when a policy cannot be loaded
 * or stdin cannot be read, 2 for a usage error.
 */
#include <agentguard.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Prints `text` with control bytes escaped, so that a reason quoting a
 * multi-line command still takes one output line. Other bytes pass through.
 */
static void print_escaped(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

/* Prints the line for a call the host denies itself, without asking the library. */
static void print_denied(const char *tool_name, const char *problem)
{
    fputs("deny ", stdout);
    print_escaped(tool_name);
    fputs(": ", stdout);
    print_escaped(problem);
    putchar('\n');
}

/* Prints the line for a verdict of the library. */
static void print_verdict(const char *tool_name, const ag_verdict *verdict)
{
    const char *rule = ag_verdict_rule(verdict);
    const char *source = ag_verdict_source(verdict);

    printf("%s ", ag_decision_name(ag_verdict_decision(verdict)));
    print_escaped(tool_name);
    fputs(": ", stdout);
    print_escaped(ag_verdict_reason(verdict));
    if (rule != NULL) {
        fputs(" [", stdout);
        print_escaped(rule);
        if (source != NULL) {
            fputs(" (", stdout);
            print_escaped(source);
            putchar(')');
        }
        putchar(']');
    }
    putchar('\n');
}

/*
 * Checks one input line (without its newline) and prints the output line.
 * `default_cwd` is used for calls without a "cwd" field and may be NULL.
 */
static void check_line(ag_checker *checker, unsigned long line_number,
                       const char *line, const char *default_cwd)
{
    char problem[512];
    json_error_t json_error;

    json_t *call = json_loads(line, 0, &json_error);
    if (call == NULL) {
        snprintf(problem, sizeof problem, "line %lu is not valid JSON: %s",
                 line_number, json_error.text);
        print_denied("?", problem);
        return;
    }

    /* The hook's field names are the host's format, so the host validates them. */
    json_t *name = json_is_object(call) ? json_object_get(call, "tool_name") : NULL;
    json_t *input = json_is_object(call) ? json_object_get(call, "tool_input") : NULL;
    json_t *cwd = json_is_object(call) ? json_object_get(call, "cwd") : NULL;
    if (!json_is_object(call)) {
        print_denied("?", "the call is not a JSON object");
    } else if (!json_is_string(name)) {
        print_denied("?", "\"tool_name\" is missing or not a string");
    } else if (!json_is_object(input)) {
        print_denied(json_string_value(name), "\"tool_input\" is missing or not an object");
    } else if (cwd != NULL && !json_is_string(cwd)) {
        print_denied(json_string_value(name), "\"cwd\" is not a string");
    } else {
        /*
         * ag_check takes the tool input as JSON text, so the parsed object is
         * serialized again. The library validates it itself: a tool input of
         * the wrong shape (say a number for "command") gets a deny verdict
         * with ag_verdict_error() set, not an error return.
         */
        char *input_json = json_dumps(input, JSON_COMPACT);
        ag_error *error = NULL;
        const ag_verdict *verdict = NULL;
        if (input_json != NULL)
            verdict = ag_check(checker, json_string_value(name), input_json,
                               cwd != NULL ? json_string_value(cwd) : default_cwd,
                               &error);
        if (verdict != NULL) {
            print_verdict(json_string_value(name), verdict);
        } else {
            /* Out of memory: the request must be treated as denied. */
            snprintf(problem, sizeof problem, "the check failed: %s",
                     error != NULL ? ag_error_message(error) : "out of memory");
            print_denied(json_string_value(name), problem);
        }
        ag_error_free(error);
        free(input_json);
        /* The verdict belongs to the checker, so it is not freed here. */
    }
    json_decref(call);
}

/* Builds the policy from `count` files, or the built-in default when count is 0. */
static ag_policy *load_policy(char **files, size_t count)
{
    ag_error *error = NULL;
    ag_policy *policy = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    if (builder == NULL) {
        fputs("c-host: out of memory\n", stderr);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (ag_policy_builder_add_file(builder, files[i], &error) != AG_OK)
            goto done;
    }
    policy = ag_policy_builder_build(builder, &error);
done:
    if (error != NULL)
        fprintf(stderr, "c-host: %s\n", ag_error_message(error));
    ag_error_free(error);
    ag_policy_builder_free(builder);
    return policy;
}

static void usage(FILE *out)
{
    fputs("usage: c-host [--policy FILE]... [--cwd DIR] < calls.jsonl\n"
          "  --policy, -p FILE  YAML policy file; repeat to combine several\n"
          "                     (default: the built-in policy)\n"
          "  --cwd, -C DIR      working directory for calls without a \"cwd\" field\n",
          out);
}

int main(int argc, char **argv)
{
    /* Policy file names, in argv order. There are fewer than argc of them. */
    char **policy_files = calloc((size_t)argc, sizeof *policy_files);
    size_t policy_count = 0;
    const char *default_cwd = NULL;
    if (policy_files == NULL) {
        fputs("c-host: out of memory\n", stderr);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool is_policy = strcmp(arg, "--policy") == 0 || strcmp(arg, "-p") == 0;
        bool is_cwd = strcmp(arg, "--cwd") == 0 || strcmp(arg, "-C") == 0;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            free(policy_files);
            return 0;
        }
        if ((!is_policy && !is_cwd) || i + 1 == argc) {
            usage(stderr);
            free(policy_files);
            return 2;
        }
        if (is_policy)
            policy_files[policy_count++] = argv[++i];
        else
            default_cwd = argv[++i];
    }

    ag_policy *policy = load_policy(policy_files, policy_count);
    free(policy_files);
    if (policy == NULL)
        return 1;

    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        fprintf(stderr, "c-host: %s\n", error != NULL ? ag_error_message(error) : "out of memory");
        ag_error_free(error);
        ag_policy_free(policy);
        return 1;
    }

    int status = 0;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    unsigned long line_number = 0;
    while ((length = getline(&line, &capacity, stdin)) != -1) {
        line_number++;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (strspn(line, " \t") == (size_t)length)
            continue; /* blank line */
        if (strlen(line) != (size_t)length) {
            /* json_loads would stop at a NUL byte and parse only part of the line. */
            char problem[64];
            snprintf(problem, sizeof problem, "line %lu contains a NUL byte", line_number);
            print_denied("?", problem);
        } else {
            check_line(checker, line_number, line, default_cwd);
        }
        fflush(stdout); /* Print each verdict as soon as it is known. */
    }
    if (ferror(stdin)) {
        perror("c-host: reading standard input");
        status = 1;
    }
    free(line);

    /* Every checker must be freed before its policy. */
    ag_checker_free(checker);
    ag_policy_free(policy);
    return status;
}
