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

/*
 * Parses the options of `subcommand`; argv[0] is the subcommand's name. The
 * leading '+' stops at the first operand, so a command such as
 * `check rm -rf /` is never read as the options -r and -f.
 */
enum cli_parse_result cli_parse_options(const char *subcommand, int argc, char **argv,
                                        bool accept_json, struct cli_options *options)
{
    static const struct option long_options[] = {
        {"policy", required_argument, NULL, 'p'},
        {"cwd", required_argument, NULL, 'C'},
        {"home", required_argument, NULL, 'H'},
        {"cdpath", required_argument, NULL, CLI_OPTION_CDPATH},
        {"json", no_argument, NULL, 'j'},
        {"audit", required_argument, NULL, 'A'}, /* long only: 'A' is not in the short list */
        {"help", no_argument, NULL, 'h'},
        {"mode", required_argument, NULL, 'M'},   /* long only, as are the layer options */
        {"managed-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_MANAGED},
        {"local-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_LOCAL_PROJECT},
        {"project-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_PROJECT},
        {"user-settings", required_argument, NULL, OPTION_LAYER + AG_LAYER_USER},
        {NULL, 0, NULL, 0},
    };

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
    while ((option = getopt_long(argc, argv, "+:p:C:H:jh", long_options, NULL)) != -1) {
        switch (option) {
        case 'p':
            options->policy_layers[options->policy_count] = AG_LAYER_COMMAND_LINE;
            options->policy_paths[options->policy_count++] = optarg;
            break;
        case OPTION_LAYER + AG_LAYER_MANAGED:
        case OPTION_LAYER + AG_LAYER_LOCAL_PROJECT:
        case OPTION_LAYER + AG_LAYER_PROJECT:
        case OPTION_LAYER + AG_LAYER_USER:
            options->policy_layers[options->policy_count] = (ag_layer)(option - OPTION_LAYER);
            options->policy_paths[options->policy_count++] = optarg;
            break;
        case 'M':
            if (!cli_set_mode_option(subcommand, optarg, options)) {
                return CLI_PARSE_ERROR;
            }
            break;
        case 'C':
            options->cwd = optarg;
            break;
        case 'H':
            options->home = optarg;
            break;
        case CLI_OPTION_CDPATH:
            options->cdpath = optarg;
            break;
        case 'A':
            options->audit_path = optarg;
            break;
        case 'j':
            if (!accept_json) {
                char buffer[3];
                cli_usage_error(subcommand, "unknown option '%s'", option_text(argv, 'j', buffer));
                return CLI_PARSE_ERROR;
            }
            options->json = true;
            break;
        case 'h':
            return CLI_PARSE_HELP;
        case ':':
            report_missing_argument(subcommand, argv);
            return CLI_PARSE_ERROR;
        default:
            cli_report_unknown_option(subcommand, argv);
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
static void print_policy_error(const ag_error *error, const char *path)
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
            print_policy_error(error, path);
            ag_error_free(error);
            ag_policy_builder_free(builder);
            return NULL;
        }
    }

    ag_policy *policy = ag_policy_builder_build(builder, &error);
    if (policy == NULL) {
        print_policy_error(error, NULL);
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

const char *cli_request_problem(json_t *request)
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
    return NULL;
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
