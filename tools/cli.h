/*
 * Shared declarations of the agentguard command-line tool.
 */
#ifndef AGENTGUARD_CLI_H
#define AGENTGUARD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "agentguard.h"

/* Exit statuses. check maps its decision onto 0, 2 and 3 so shell scripts can branch on it. */
enum {
    CLI_EXIT_ALLOW = 0,
    CLI_EXIT_USAGE = 1, /* a usage error, a policy error or an output error */
    CLI_EXIT_DENY = 2,
    CLI_EXIT_ASK = 3
};

/* Printed in plain output in place of each part of a word that is only known at run time. */
#define CLI_DYNAMIC_MARKER "\xe2\x80\xb9?\xe2\x80\xba" /* "‹?›" */

/* Options of the check, eval, hook claude and explain subcommands. */
struct cli_options {
    const char **policy_paths; /* each --policy FILE, in command-line order */
    ag_layer *policy_layers;   /* the layer of each policy_paths entry: --policy is the command
                                  line's, --managed-settings FILE and the like name theirs */
    size_t policy_count;
    const char *mode;          /* --mode NAME, or NULL */
    const char *cwd; /* --cwd DIR, or NULL when not given */
    const char *home; /* --home DIR, else $HOME, else NULL */
    const char *cdpath; /* --cdpath DIRS, else $CDPATH, else NULL */
    bool json;       /* --json */
    const char *audit_path; /* --audit FILE, or NULL */
    const char *tool;  /* --tool NAME, or NULL */
    const char *input; /* --input JSON, or NULL */
    int first_operand; /* index in argv of the first argument after the options */
};

/*
 * Options that cli_parse_options() accepts only from the subcommands that
 * pass their flag. Every subcommand accepts the others: the policy, layer,
 * mode, cwd, home and cdpath options and --help.
 */
enum {
    CLI_ACCEPT_JSON = 1u << 0,  /* -j, --json */
    CLI_ACCEPT_AUDIT = 1u << 1, /* --audit FILE */
    CLI_ACCEPT_TOOL = 1u << 2   /* -t, --tool NAME and -i, --input JSON */
};

/* Outcome of cli_parse_options(). */
enum cli_parse_result {
    CLI_PARSE_OK,
    CLI_PARSE_HELP, /* --help was given: print the help and exit 0 */
    CLI_PARSE_ERROR /* a message is already printed: exit CLI_EXIT_USAGE */
};

/* cmd_check.c, cmd_eval.c and cmd_hook.c: each returns the exit status. */
/* Help lines for the policy options that check, eval and hook share. */
#define CLI_POLICY_OPTIONS_HELP \
    "  -p, --policy FILE  add the rules of the YAML policy FILE; repeat to combine\n" \
    "                     several files into one policy (default: the built-in\n" \
    "                     default policy)\n" \
    "      --managed-settings FILE, --project-settings FILE,\n" \
    "      --local-settings FILE, --user-settings FILE\n" \
    "                     add FILE in that layer (a .json file is read as a Claude\n" \
    "                     Code settings file); --policy adds to the command-line layer\n" \
    "      --mode NAME    the permission mode: default, acceptEdits, plan, dontAsk or\n" \
    "                     bypassPermissions (ignored when the policy locks its mode)\n"

/* The getopt_long() value of --cdpath, which has no short form. */
enum { CLI_OPTION_CDPATH = 999 };

/* getopt_long() values of the layer options: CLI_OPTION_LAYER plus the ag_layer. */
enum { CLI_OPTION_LAYER = 1000 };

/* Help lines for --cdpath, which check, eval and hook share. */
#define CLI_CDPATH_OPTION_HELP \
    "      --cdpath DIRS  the CDPATH of the shell that runs the commands: the\n" \
    "                     directories, separated by ':', where 'cd NAME' looks for\n" \
    "                     NAME (default: the CDPATH environment variable)\n"

int cli_check_main(int argc, char **argv);
int cli_eval_main(int argc, char **argv);
int cli_hook_main(int argc, char **argv);
int cli_test_main(int argc, char **argv);     /* cmd_test.c */
int cli_explain_main(int argc, char **argv);  /* cmd_explain.c */

/* options.c */
/* Stores --mode NAME in `options`, or prints a usage error and returns false for an unknown NAME. */
bool cli_set_mode_option(const char *subcommand, const char *name, struct cli_options *options);
enum cli_parse_result cli_parse_options(const char *subcommand, int argc, char **argv,
                                        unsigned accepted, struct cli_options *options);
void cli_options_free(struct cli_options *options);
void cli_usage_error(const char *subcommand, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void cli_report_unknown_option(const char *subcommand, char **argv);
ag_policy *cli_load_policy(const struct cli_options *options);

/* Prints a policy load error, with `path` in front when the message names no file. */
void cli_print_policy_error(const ag_error *error, const char *path);

/*
 * Checks the fields of a request in Claude Code's hook field names that
 * ag_check() needs: "tool_name" a string, "tool_input" an object, and "cwd",
 * when present, an absolute path. Returns NULL, or a message naming the
 * wrong field, which may be written into `buffer`.
 */
const char *cli_request_problem(json_t *request, char *buffer, size_t size);
void cli_read_environment(struct cli_options *options);
bool cli_configure_checker(const char *subcommand, ag_checker *checker,
                           const struct cli_options *options);

/*
 * Returns whether --cwd's value `cwd` is absolute, as the library requires;
 * prints a usage error when it is not.
 */
bool cli_check_cwd_option(const char *subcommand, const char *cwd);

/*
 * Returns the directory a command is checked in: --cwd, or the process's
 * own. Returns malloc'd memory, or NULL after printing why the current
 * directory cannot be read.
 */
char *cli_resolve_cwd(const char *subcommand, const struct cli_options *options);

/* text.c */
size_t cli_utf8_sequence_length(const unsigned char *text, size_t length);
void cli_print_escaped(FILE *stream, const char *text, size_t length);
void cli_print_word(FILE *stream, const char *word);
json_t *cli_json_string(const char *text, size_t length);
json_t *cli_json_string_or_null(const char *text);
json_t *cli_json_path(const char *path);
json_t *cli_json_load(const char *text, size_t length, size_t flags, json_error_t *error);
const char *cli_json_error_text(const json_error_t *error);

/* verdict_json.c */
json_t *cli_verdict_to_json(const ag_verdict *verdict);
json_t *cli_failure_to_json(const char *reason, const char *error, const char *code);
int cli_print_json_line(json_t *object);

/* audit.c: the --audit log; see docs/audit.md */
struct cli_audit;
struct cli_audit *cli_audit_open(const char *subcommand, const char *path,
                                 const ag_policy *policy);
void cli_audit_close(struct cli_audit *audit);
bool cli_audit_attach(struct cli_audit *audit, ag_checker *checker);
bool cli_audit_failed(struct cli_audit *audit, const char *subcommand);

/* audit_mask.c */
char *cli_mask_secrets(const char *text, size_t length, size_t *out_length);
char *cli_mask_json_text(const char *json_text, size_t *out_length);

/* verdict_text.c */
void cli_print_verdict_text(FILE *stream, const ag_verdict *verdict,
                            const char *command, size_t command_length);

#endif /* AGENTGUARD_CLI_H */
