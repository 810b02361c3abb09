/*
 * agentguard: the command-line front end of libagentguard.
 *
 * The top level only reads --help and --version and hands the remaining
 * arguments to a subcommand, which parses its own options.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: agentguard [--help | --version]\n"
           "       agentguard check [OPTION]... [--] COMMAND\n"
           "       agentguard eval [OPTION]...\n"
           "       agentguard hook claude [OPTION]...\n"
           "       agentguard test [--allow-no-tests] POLICY...\n"
           "       agentguard explain [OPTION]... [--] COMMAND\n"
           "\n"
           "Decides allow, ask or deny for an AI coding agent's tool calls.\n"
           "\n"
           "Subcommands:\n"
           "  check   print the verdict for one Bash command; the exit status is\n"
           "          0 allow, 2 deny, 3 ask, 1 usage or policy error\n"
           "  eval    read JSON requests (Claude Code hook fields), one per line, from\n"
           "          standard input and write one JSON verdict line for each\n"
           "  hook    run as an agent's hook: 'hook claude' reads one Claude Code\n"
           "          PreToolUse input from standard input and writes its decision;\n"
           "          any failure exits with 2, which blocks the tool call\n"
           "  test    run the tests written in policy files; exits 1 on any failure\n"
           "          or on a file without tests\n"
           "  explain print every rule that matches a command or tool call, and the\n"
           "          rule that decided\n"
           "\n"
           "Options:\n"
           "  -h, --help      print this help and exit\n"
           "  -V, --version   print the versions of this tool's library and header and exit\n"
           "\n"
           "Run 'agentguard SUBCOMMAND --help' (check, eval, hook, test, explain) for their options.\n");
}

static void print_version(void)
{
    printf("agentguard %s (library %s, header %s)\n",
           ag_version(), ag_version(), AG_VERSION_STRING);

    if (ag_version_number() != AG_VERSION_NUMBER) {
        fprintf(stderr, "agentguard: warning: built with header %s but running library %s\n",
                AG_VERSION_STRING, ag_version());
    }
}

static int run_subcommand(int argc, char **argv)
{
    const char *name = argv[0];

    if (strcmp(name, "check") == 0) {
        return cli_check_main(argc, argv);
    }
    if (strcmp(name, "eval") == 0) {
        return cli_eval_main(argc, argv);
    }
    if (strcmp(name, "hook") == 0) {
        return cli_hook_main(argc, argv);
    }
    if (strcmp(name, "test") == 0) {
        return cli_test_main(argc, argv);
    }
    if (strcmp(name, "explain") == 0) {
        return cli_explain_main(argc, argv);
    }

    fprintf(stderr, "agentguard: unknown subcommand '%s'; run 'agentguard --help' for the list\n",
            name);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };

    /* '+' stops at the subcommand, whose options are parsed by the subcommand. */
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, "+hV", long_options, NULL)) != -1) {
        switch (option) {
        case 'h':
            print_help();
            return 0;
        case 'V':
            print_version();
            return 0;
        default:
            cli_report_unknown_option(NULL, argv);
            return CLI_EXIT_USAGE;
        }
    }

    if (optind >= argc) {
        fprintf(stderr, "agentguard: missing subcommand (check, eval, hook, test or explain); "
                        "run 'agentguard --help'\n");
        return CLI_EXIT_USAGE;
    }

    return run_subcommand(argc - optind, argv + optind);
}
