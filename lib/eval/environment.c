/*
 * Variable assignments that change what a command does. A variable is
 * harmless (locale, colours, log levels: allow rules still apply), dangerous
 * (it chooses which program runs, loads code, or changes how words split: the
 * command at least asks), or unlisted (allow rules do not apply, so the
 * policy's default or an ask rule decides).
 */
#include <string.h>

#include "eval/unwrap_internal.h"

typedef enum ag_variable_class {
    AG_VARIABLE_HARMLESS,
    AG_VARIABLE_UNLISTED,
    AG_VARIABLE_DANGEROUS
} ag_variable_class;

/* Exact names that cannot change which program runs or what it executes. */
static const char harmless_names[] =
    "LANG LANGUAGE TZ NO_COLOR FORCE_COLOR CLICOLOR CLICOLOR_FORCE TERM COLUMNS LINES "
    "NODE_ENV RUST_BACKTRACE RUST_LOG CI DEBUG VERBOSE";

/* Name prefixes of harmless variables. */
static const char *const harmless_prefixes[] = {"LC_"};

/*
 * Exact names that choose a program, a library, a startup file or a config
 * that runs code, or that change how the shell splits and traces words.
 */
static const char dangerous_names[] =
    "PATH BASH_ENV ENV PROMPT_COMMAND IFS PS4 SHELLOPTS BASHOPTS CDPATH GLOBIGNORE "
    "PAGER EDITOR VISUAL BROWSER MANPAGER SYSTEMD_PAGER LESSOPEN LESSCLOSE "
    "PYTHONPATH PYTHONSTARTUP PYTHONHOME PYTHONUSERBASE "
    "NODE_OPTIONS NODE_PATH PERL5LIB PERL5OPT PERLLIB RUBYOPT RUBYLIB "
    "JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS CLASSPATH "
    "HOME SHELL TMPDIR XDG_CONFIG_HOME ZDOTDIR INPUTRC "
    "SSH_ASKPASS SUDO_ASKPASS SUDO_EDITOR";

/*
 * Name prefixes of dangerous variables: the dynamic loader (LD_PRELOAD,
 * LD_LIBRARY_PATH, DYLD_INSERT_LIBRARIES), git (GIT_DIR, GIT_SSH_COMMAND,
 * GIT_CONFIG_*, GIT_EXTERNAL_DIFF, ...), and bash functions exported through
 * the environment.
 */
static const char *const dangerous_prefixes[] = {"LD_", "DYLD_", "GIT_", "BASH_FUNC_"};

static bool has_prefix(const char *name, size_t length, const char *const *prefixes,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t prefix_length = strlen(prefixes[i]);
        if (length >= prefix_length && memcmp(name, prefixes[i], prefix_length) == 0)
            return true;
    }
    return false;
}

static ag_variable_class classify_variable(const char *name, size_t length)
{
    if (length == 0 || memchr(name, AG_DYNAMIC_MARK, length) != NULL)
        return AG_VARIABLE_DANGEROUS;
    if (ag_list_contains(dangerous_names, name, length)
        || has_prefix(name, length, dangerous_prefixes,
                      sizeof(dangerous_prefixes) / sizeof(dangerous_prefixes[0])))
        return AG_VARIABLE_DANGEROUS;
    if (ag_list_contains(harmless_names, name, length)
        || has_prefix(name, length, harmless_prefixes,
                      sizeof(harmless_prefixes) / sizeof(harmless_prefixes[0])))
        return AG_VARIABLE_HARMLESS;
    return AG_VARIABLE_UNLISTED;
}

/*
 * Returns the length of the variable name in an assignment word: the text
 * before `=`, `+=` or an array subscript `[`.
 */
static size_t variable_name_length(const ag_shell_word *word)
{
    size_t length = strcspn(word->text, "=[");
    if (length > word->length)
        length = word->length;
    if (length > 0 && word->text[length - 1] == '+')
        length--;
    return length;
}

static unsigned flags_for_variable(const ag_shell_word *word)
{
    ag_variable_class class = classify_variable(word->text, variable_name_length(word));
    if (class == AG_VARIABLE_DANGEROUS)
        return AG_COMMAND_UNSAFE_ENVIRONMENT | AG_COMMAND_UNLISTED_ENVIRONMENT;
    if (class == AG_VARIABLE_UNLISTED)
        return AG_COMMAND_UNLISTED_ENVIRONMENT;
    return 0;
}

/* TODO(wrappers): `read`, `printf -v` and `mapfile` also assign variables and are not checked. */
static bool is_declaration(const ag_shell_command *command)
{
    size_t length = 0;
    const char *name = ag_command_base_name(command, &length);
    if (name == NULL || command->words[0].length != length)
        return false;  /* a path such as /usr/bin/export is no shell builtin */
    return ag_list_contains("export declare typeset readonly local", name, length);
}

/*
 * Marks a declaration that gives a dangerous variable a value or exports it.
 * `export PATH` alone passes the current value on, so only the name decides;
 * a dynamic word may expand to any NAME=value, so it counts as dangerous.
 */
static void mark_declaration(ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->length > 0 && (word->text[0] == '-' || word->text[0] == '+')
            && !word->dynamic)
            continue;
        if (classify_variable(word->text, variable_name_length(word)) == AG_VARIABLE_DANGEROUS)
            command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
    }
}

void ag_environment_mark(ag_shell_command *command)
{
    for (size_t i = 0; i < command->assignment_count; i++) {
        unsigned flags = flags_for_variable(&command->assignments[i]);
        /* A command-less assignment only matters when it changes later commands. */
        if (command->word_count == 0)
            flags &= AG_COMMAND_UNSAFE_ENVIRONMENT;
        command->flags |= flags;
    }
    if (is_declaration(command))
        mark_declaration(command);
}
