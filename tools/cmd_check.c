/*
 * agentguard check: the verdict for one Bash command, as text or JSON, with
 * the decision in the exit status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: agentguard check [OPTION]... [--] COMMAND\n"
           "\n"
           "Prints the verdict for the Bash command COMMAND (one argument: quote it).\n"
           "Exit status: 0 allow, 2 deny, 3 ask, 1 usage or policy error.\n"
           "\n"
           "Options:\n"
           CLI_POLICY_OPTIONS_HELP
           "  -C, --cwd DIR      the directory the command would run in, for rules on\n"
           "                     relative paths (default: the current directory)\n"
           "  -H, --home DIR     the home directory that \"~\" means in rules and paths\n"
           "                     (default: the HOME environment variable)\n"
           CLI_CDPATH_OPTION_HELP
           "  -j, --json         print the verdict as one JSON object in place of text\n"
           "      --audit FILE   append one JSON line per decision to FILE (created with\n"
           "                     mode 0600), with secrets masked; see docs/audit.md\n"
           "  -h, --help         print this help and exit\n"
           "\n"
           "Options must come before COMMAND; '--' ends them, for a command that\n"
           "starts with '-'.\n"
           "\n"
           "In the text output, " CLI_DYNAMIC_MARKER " stands for each part of a word that is only\n"
           "known when the command runs (a variable, a command substitution, a glob);\n"
           "control bytes and invalid UTF-8 show as \\xNN, and invisible or reordering\n"
           "characters as \\u{XXXX}. In JSON, such a part of an \"argv\" word is the\n"
           "character U+0001, which the \"dynamic\" list flags, and in an effect's\n"
           "\"target\" it is " CLI_DYNAMIC_MARKER ", as in the text output.\n");
}

static int exit_status_for(ag_decision decision)
{
    switch (decision) {
    case AG_ALLOW:
        return CLI_EXIT_ALLOW;
    case AG_ASK:
        return CLI_EXIT_ASK;
    default:
        return CLI_EXIT_DENY;
    }
}

/* Reports a check that returned no verdict. The host must treat it as denied. */
static int report_check_failure(const struct cli_options *options, const ag_error *error)
{
    const char *message = error != NULL ? ag_error_message(error) : "no error message";
    const char *code = ag_status_name(error != NULL ? ag_error_code(error) : AG_ERR_INTERNAL);

    if (options->json) {
        char reason[512];
        snprintf(reason, sizeof reason, "the check failed: %s", message);
        cli_print_json_line(cli_failure_to_json(reason, message, code));
    } else {
        printf("deny: the check failed: %s\n", message);
    }
    return CLI_EXIT_DENY;
}

static int check_command(const struct cli_options *options, const ag_policy *policy,
                         struct cli_audit *audit, const char *command, const char *cwd)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        int status = report_check_failure(options, error);
        ag_error_free(error);
        return status;
    }

    if (!cli_configure_checker("check", checker, options) || !cli_audit_attach(audit, checker)) {
        ag_checker_free(checker);
        return CLI_EXIT_USAGE;
    }

    size_t length = strlen(command);
    const ag_verdict *verdict = ag_check_command(checker, command, length, cwd, &error);
    int status;
    if (verdict == NULL) {
        status = report_check_failure(options, error);
    } else if (cli_audit_failed(audit, "check")) {
        status = CLI_EXIT_USAGE;
    } else if (options->json) {
        status = exit_status_for(ag_verdict_decision(verdict));
        if (cli_print_json_line(cli_verdict_to_json(verdict)) != 0) {
            status = CLI_EXIT_USAGE;
        }
    } else {
        cli_print_verdict_text(stdout, verdict, command, length);
        status = exit_status_for(ag_verdict_decision(verdict));
    }

    ag_error_free(error);
    ag_checker_free(checker);
    return status;
}

int cli_check_main(int argc, char **argv)
{
    struct cli_options options;

    unsigned accepted = CLI_ACCEPT_JSON | CLI_ACCEPT_AUDIT;
    enum cli_parse_result parsed = cli_parse_options("check", argc, argv, accepted, &options);
    if (parsed != CLI_PARSE_OK) {
        if (parsed == CLI_PARSE_HELP) {
            print_help();
        }
        cli_options_free(&options);
        return parsed == CLI_PARSE_HELP ? 0 : CLI_EXIT_USAGE;
    }

    int operands = argc - options.first_operand;
    if (operands != 1) {
        if (operands == 0) {
            cli_usage_error("check", "missing COMMAND");
        } else {
            cli_usage_error("check", "expected one COMMAND argument but got %d; quote the "
                            "whole command, as in agentguard check 'git status'", operands);
        }
        cli_options_free(&options);
        return CLI_EXIT_USAGE;
    }
    const char *command = argv[options.first_operand];

    int status = CLI_EXIT_USAGE;
    ag_policy *policy = cli_load_policy(&options);
    char *cwd = policy != NULL ? cli_resolve_cwd("check", &options) : NULL;
    struct cli_audit *audit = NULL;
    if (cwd != NULL && options.audit_path != NULL) {
        audit = cli_audit_open("check", options.audit_path, policy);
    }
    if (cwd != NULL && (options.audit_path == NULL || audit != NULL)) {
        status = check_command(&options, policy, audit, command, cwd);
    }
    cli_audit_close(audit);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "agentguard check: writing the verdict to standard output failed\n");
        status = CLI_EXIT_USAGE;
    }
    free(cwd);
    ag_policy_free(policy);
    cli_options_free(&options);
    return status;
}
