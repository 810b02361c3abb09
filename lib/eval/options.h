/*
 * Reading the options of git subcommands and of other tools (tar, rsync,
 * make, ...) whose options run programs. See options.c.
 */
#ifndef AG_EVAL_OPTIONS_H
#define AG_EVAL_OPTIONS_H

#include "eval/unwrap_internal.h"

/* What an option found in a command means for the check. */
typedef enum ag_tool_action {
    AG_TOOL_OTHER,        /* runs nothing; listed so its value is skipped and its exact
                               name wins over an abbreviation of a watched option */
    AG_TOOL_SCRIPT,       /* the value is a shell command: RUNS_CODE, and its commands
                               are checked too */
    AG_TOOL_COMMAND,      /* the value is a command line that is checked like one given
                               to a wrapper (rsync -e ssh), without RUNS_CODE */
    AG_TOOL_PROGRAM,      /* the value names a program, or holds code that is not parsed
                               here: RUNS_CODE */
    AG_TOOL_OPAQUE,       /* hides what runs (curl -K FILE): RUNS_CODE and OPAQUE */
    AG_TOOL_GIT_CONFIG,   /* the value is a git KEY=VALUE setting: RUNS_CODE when the
                               key is risky */
    AG_TOOL_PATH_PROGRAM, /* a value that contains `/` is run as a program
                               (git send-email --smtp-server): RUNS_CODE */
    AG_TOOL_TAR_ACTION,   /* tar --checkpoint-action: `exec=COMMAND` is a shell command */
    AG_TOOL_MAKEFILE,     /* make -f: a makefile from stdin, a pipe or a dynamic name is
                               code that cannot be read here: RUNS_CODE */
    AG_TOOL_SSH_OPTION,   /* scp and sftp -o KEY=VALUE: a key that runs a local command
                               gives RUNS_CODE, and the command of ProxyCommand,
                               LocalCommand and KnownHostsCommand is checked too */
    AG_TOOL_PERMISSION_MODE /* claude --permission-mode MODE: a mode that allows more than
                               the default (acceptEdits, bypassPermissions) is OPAQUE */
} ag_tool_action;

/* How an option takes its value. */
typedef enum ag_tool_value {
    AG_TOOL_VALUE_NONE,          /* a flag */
    AG_TOOL_VALUE_REQUIRED,      /* attached (`-xCMD`, `--exec=CMD`) or the next word */
    AG_TOOL_VALUE_OPTIONAL       /* attached only (`-O`, `-Opager`, `--open-files-in-pager=p`) */
} ag_tool_value;

/* One option: a letter, a long name without `--`, or both. */
typedef struct ag_tool_option {
    char letter;
    const char *name;
    ag_tool_value value;
    ag_tool_action action;
} ag_tool_option;

/*
 * Reads the options of list->items[index] from word `first` on and applies
 * the action of each listed option found, with git's and getopt_long's
 * rules: a cluster `-ix CMD` or `-xCMD` where the letter that takes a value
 * takes the rest of the word or the next word, `--name=value` and
 * `--name value`, and any prefix of a long name (`--exe` is `--exec`). When
 * a prefix could be more than one option, a watched one is assumed, so the
 * guess fails closed. `options` ends with an entry whose letter is 0 and
 * name NULL. Operands are skipped. A word that could be a dynamic option
 * (`$OPT`, `-$X`, `--$NAME=...`) before `--` makes the command opaque.
 */
ag_status ag_options_apply(ag_checker *checker, ag_command_list *list, size_t index,
                           size_t first, const ag_tool_option *options, const char *wrapper_name);

/*
 * Same as ag_options_apply(), but a dynamic word is left to the caller,
 * for curl and wget, whose arguments the effect checks read.
 */
ag_status ag_options_apply_static(ag_checker *checker, ag_command_list *list, size_t index,
                                  size_t first, const ag_tool_option *options,
                                  const char *wrapper_name);

/*
 * Reads the old-style option word at `first` (tar's `xIf PROGRAM FILE`):
 * each letter is an option, and the letters that take a value take the
 * following words in order. Sets *next to the first word not read.
 */
ag_status ag_options_apply_bundled(ag_checker *checker, ag_command_list *list, size_t index,
                                   size_t first, const ag_tool_option *options,
                                   const char *wrapper_name, size_t *next);

#endif
