/*
 * Option parsing shared by the subcommands, usage errors, and loading the
 * policy that --policy names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { OPTION_LAYER = CLI_OPTION_LAYER };

/* Prints "agentguard[ SUBCOMMAND]: MESSAGE" and where to find help. */
void cli_usage_error(const char *subcommand, const char *format, ...)
{
    va_list arguments;

    fprintf(stderr, "agentguard%s%s: ", subcommand ? " " : "", subcommand ? subcommand : "");
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fprintf(stderr, "; run 'agentguard%s%s --help' for the options\n",
            subcommand ? " " : "", subcommand ? subcommand : "");
}

/*
 * Returns the text of the option getopt_long() just returned, for messages. A
 * long option is the argument itself (argv[optind - 1]). A short option may
 * sit in a cluster such as -jx, where optind may not have moved on yet, so
 * it is rebuilt from `short_option`.
 */
static const char *option_text(char **argv, int short_option, char buffer[3])
{
    const char *argument = argv[optind - 1];

    if (short_option == 0 || strncmp(argument, "--", 2) == 0) {
        return argument;
    }
    buffer[0] = '-';
    buffer[1] = (char)short_option;
    buffer[2] = '\0';
    return buffer;
}

/* Reports an option getopt_long() rejected, whose character it left in optopt. */
void cli_report_unknown_option(const char *subcommand, char **argv)
{
    char buffer[3];
    cli_usage_error(subcommand, "unknown option '%s'", option_text(argv, optopt, buffer));
}

static void report_missing_argument(const char *subcommand, char **argv)
{
    char buffer[3];
    cli_usage_error(subcommand, "option '%s' requires an argument",
                    option_text(argv, optopt, buffer));
}

bool cli_set_mode_option(const char *subcommand, const char *name, struct cli_options *options)
{
    ag_mode mode;
    if (!ag_mode_from_name(name, &mode)) {
        cli_usage_error(subcommand, "unknown mode '%s'; use default, acceptEdits, plan, "
                        "dontAsk or bypassPermissions", name);
        return false;
    }
    options->mode = name;
    return true;
}

/* One option of the subcommands, and the subcommands that accept it. */
struct option_spec {
    struct option long_form;
    const char *short_form; /* its letter in getopt's short option string, or "" */
    unsigned accepted_by;   /* 0 for every subcommand, else the CLI_ACCEPT_ flag that adds it */
};

static const struct option_spec option_specs[] = {
    {{"policy", required_argument, NULL, 'p'}, "p:", 0},
    {{"cwd", required_argument, NULL, 'C'}, "C:", 0},
    {{"home", required_argument, NULL, 'H'}, "H:", 0},
    {{"cdpath", required_argument, NULL, CLI_OPTION_CDPATH}, "", 0},
    {{"json", no_argument, NULL, 'j'}, "j", CLI_ACCEPT_JSON},
    {{"audit", required_argument, NULL, 'A'}, "", CLI_ACCEPT_AUDIT},
    {{"tool", required_argument, NULL, 't'}, "t:", CLI_ACCEPT_TOOL},
    {{"input", required_argument, NULL, 'i'}, "i:", CLI_ACCEPT_TOOL},
    {{"help", no_argument, NULL, 'h'}, "h", 0},
    {{"mode", required_argument, NULL, 'M'}, "", 0},
    {{"managed-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_MANAGED}, "", 0},
    {{"local-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_LOCAL_PROJECT}, "", 0},
    {{"project-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_PROJECT}, "", 0},
    {{"user-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_USER}, "", 0},
};

enum { OPTION_SPEC_COUNT = sizeof option_specs / sizeof option_specs[0] };

/*
 * Fills getopt_long()'s tables with the options that `accepted` adds to the
 * common ones. getopt_long() does not know an option left out, so the
 * subcommand reports it, and any abbreviation of it, as an unknown option.
 */
static void build_option_tables(unsigned accepted, struct option long_options[],
                                char short_options[])
{
    size_t count = 0;

    /* '+' stops at the first operand, and ':' makes a missing argument return ':'. */
    strcpy(short_options, "+:");
    for (size_t i = 0; i < OPTION_SPEC_COUNT; i++) {
        unsigned needed = option_specs[i].accepted_by;
        if (needed != 0 && (accepted & needed) == 0) {
            continue;
        }
        long_options[count++] = option_specs[i].long_form;
        strcat(short_options, option_specs[i].short_form);
    }
    long_options[count] = (struct option){NULL, 0, NULL, 0};
}

/* Stores one option that getopt_long() returned. Returns false after printing a usage error. */
static bool store_option(const char *subcommand, char **argv, int option,
                         struct cli_options *options)
{
    switch (option) {
    case 'p':
        options->policy_layers[options->policy_count] = AG_LAYER_COMMAND_LINE;
        options->policy_paths[options->policy_count++] = optarg;
        return true;
    case OPTION_LAYER + AG_LAYER_MANAGED:
    case OPTION_LAYER + AG_LAYER_LOCAL_PROJECT:
    case OPTION_LAYER + AG_LAYER_PROJECT:
    case OPTION_LAYER + AG_LAYER_USER:
        options->policy_layers[options->policy_count] = (ag_layer)(option - OPTION_LAYER);
        options->policy_paths[options->policy_count++] = optarg;
        return true;
    case 'M':
        return cli_set_mode_option(subcommand, optarg, options);
    case 'C':
        if (!cli_check_cwd_option(subcommand, optarg))
            return false;
        options->cwd = optarg;
        return true;
    case 'H':
        options->home = optarg;
        return true;
    case CLI_OPTION_CDPATH:
        options->cdpath = optarg;
        return true;
    case 'A':
        options->audit_path = optarg;
        return true;
    case 't':
        options->tool = optarg;
        return true;
    case 'i':
        options->input = optarg;
        return true;
    case 'j':
        options->json = true;
        return true;
    default:
        cli_report_unknown_option(subcommand, argv);
        return false;
    }
}

/*
 * Parses the options of `subcommand`, whose name is argv[0]. `accepted` is a
 * set of CLI_ACCEPT_ flags. The options stop at the first operand, so a
 * command such as `check rm -rf /` is never read as the options -r and -f.
 */
enum cli_parse_result cli_parse_options(const char *subcommand, int argc, char **argv,
                                        unsigned accepted, struct cli_options *options)
{
    struct option long_options[OPTION_SPEC_COUNT + 1];
    char short_options[2 * OPTION_SPEC_COUNT + 3];
    build_option_tables(accepted, long_options, short_options);

    *options = (struct cli_options){0};
    options->policy_paths = calloc((size_t)argc, sizeof *options->policy_paths);
    options->policy_layers = calloc((size_t)argc, sizeof *options->policy_layers);
    if (options->policy_paths == NULL || options->policy_layers == NULL) {
        fprintf(stderr, "agentguard %s: out of memory while reading the options\n", subcommand);
        return CLI_PARSE_ERROR;
    }

    /* optind = 0 makes glibc reset its state, which the top-level parse left behind. */
    optind = 0;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        if (option == 'h') {
            return CLI_PARSE_HELP;
        }
        if (option == ':') {
            report_missing_argument(subcommand, argv);
            return CLI_PARSE_ERROR;
        }
        if (!store_option(subcommand, argv, option, options)) {
            return CLI_PARSE_ERROR;
        }
    }

    cli_read_environment(options);
    options->first_operand = optind;
    return CLI_PARSE_OK;
}

void cli_options_free(struct cli_options *options)
{
    free(options->policy_paths);
    options->policy_paths = NULL;
    free(options->policy_layers);
    options->policy_layers = NULL;
}

/*
 * Prints a policy error. The library's message starts with FILE:LINE:COLUMN
 * when the error has a location. An error without one (a file that cannot be
 * opened, for example) gets the path in front, so the user knows which
 * --policy failed.
 */
void cli_print_policy_error(const ag_error *error, const char *path)
{
    if (error == NULL) {
        fprintf(stderr, "agentguard: the policy could not be loaded and the library gave no error\n");
        return;
    }

    const char *message = ag_error_message(error);
    bool named = path != NULL && strncmp(message, path, strlen(path)) == 0;
    if (path != NULL && ag_error_line(error) == 0 && !named) {
        fprintf(stderr, "%s: %s\n", path, message);
        return;
    }
    fprintf(stderr, "%s\n", message);
}

/*
 * Builds one policy from every --policy file, or the built-in default policy
 * when there is none. Prints the error and returns NULL on failure.
 */
ag_policy *cli_load_policy(const struct cli_options *options)
{
    ag_error *error = NULL;

    ag_policy_builder *builder = ag_policy_builder_new();
    if (builder == NULL) {
        fprintf(stderr, "agentguard: out of memory while creating the policy builder\n");
        return NULL;
    }

    for (size_t i = 0; i < options->policy_count; i++) {
        const char *path = options->policy_paths[i];
        if (ag_policy_builder_add_file_in_layer(builder, path, options->policy_layers[i],
                                                &error) != AG_OK) {
            cli_print_policy_error(error, path);
            ag_error_free(error);
            ag_policy_builder_free(builder);
            return NULL;
        }
    }

    ag_policy *policy = ag_policy_builder_build(builder, &error);
    if (policy == NULL) {
        cli_print_policy_error(error, NULL);
    }
    for (size_t i = 0; i < ag_policy_warning_count(policy); i++) {
        fprintf(stderr, "%s\n", ag_policy_warning(policy, i));
    }

    ag_error_free(error);
    ag_policy_builder_free(builder);
    return policy;
}

/*
 * Fills the home and CDPATH that no option gave from $HOME and $CDPATH. The
 * library never reads the environment, so the tool passes them on.
 */
void cli_read_environment(struct cli_options *options)
{
    if (options->home == NULL) {
        const char *home = getenv("HOME");
        options->home = home != NULL && home[0] == '/' ? home : NULL;
    }
    if (options->cdpath == NULL) {
        options->cdpath = getenv("CDPATH");
    }
}

/*
 * Sets the checker's mode from --mode (kept by the library when the policy
 * locks its mode), its home directory from --home or $HOME, and its CDPATH
 * from --cdpath or $CDPATH. Prints the error and returns false when the
 * library rejects the home (a relative path) or cannot copy a value.
 */
bool cli_configure_checker(const char *subcommand, ag_checker *checker,
                           const struct cli_options *options)
{
    ag_mode mode;
    if (options->mode != NULL && ag_mode_from_name(options->mode, &mode)) {
        ag_checker_set_mode(checker, mode);
    }
    ag_status status = ag_checker_set_cdpath(checker, options->cdpath);
    if (status != AG_OK) {
        fprintf(stderr, "agentguard %s: setting the CDPATH failed (%s)\n", subcommand,
                ag_status_name(status));
        return false;
    }
    if (options->home == NULL) {
        return true;
    }
    status = ag_checker_set_home(checker, options->home);
    if (status != AG_OK) {
        cli_usage_error(subcommand, "invalid home directory '%s' (%s); give an absolute path "
                        "with --home DIR", options->home, ag_status_name(status));
        return false;
    }
    return true;
}

const char *cli_request_problem(json_t *request, char *buffer, size_t size)
{
    json_t *tool_name = json_object_get(request, "tool_name");
    if (tool_name == NULL) {
        return "missing \"tool_name\"";
    }
    if (!json_is_string(tool_name)) {
        return "\"tool_name\" is not a string";
    }

    json_t *tool_input = json_object_get(request, "tool_input");
    if (tool_input == NULL) {
        return "missing \"tool_input\"";
    }
    if (!json_is_object(tool_input)) {
        return "\"tool_input\" is not an object";
    }

    json_t *cwd = json_object_get(request, "cwd");
    if (cwd != NULL && !json_is_string(cwd)) {
        return "\"cwd\" is not a string";
    }
    /* Checked here, because ag_check()'s own message gives advice for C callers. */
    if (cwd != NULL && json_string_value(cwd)[0] != '/') {
        snprintf(buffer, size, "the cwd \"%s\" is not an absolute path; give an absolute path "
                 "or omit cwd", json_string_value(cwd));
        return buffer;
    }
    return NULL;
}

bool cli_check_cwd_option(const char *subcommand, const char *cwd)
{
    if (cwd[0] == '/') {
        return true;
    }
    cli_usage_error(subcommand, "--cwd needs an absolute path, not '%s'", cwd);
    return false;
}

char *cli_resolve_cwd(const char *subcommand, const struct cli_options *options)
{
    if (options->cwd != NULL)
        return strdup(options->cwd);

    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL)
        fprintf(stderr, "agentguard %s: cannot read the current directory (%s); "
                        "pass it with --cwd DIR\n", subcommand, strerror(errno));
    return cwd;
}
