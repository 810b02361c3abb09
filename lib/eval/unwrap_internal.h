/*
 * Private parts of unwrapping, shared by unwrap.c, wrappers.c, environment.c
 * and interpreters.c.
 */
#ifndef AG_EVAL_UNWRAP_INTERNAL_H
#define AG_EVAL_UNWRAP_INTERNAL_H

#include <pthread.h>

#include "eval/eval.h"
#include "eval/ssh_options.h"

/* Deepest wrapper nesting that is unwrapped; a deeper command gets AG_COMMAND_OPAQUE. */
#define AG_UNWRAP_MAX_DEPTH 16

/* How the inner command of a wrapper is found once its options are read. */
typedef enum ag_wrapper_kind {
    AG_WRAPPER_PLAIN,     /* options, `operands` operands, then the command */
    AG_WRAPPER_ENV,       /* also NAME=value words, and -S STRING split into words */
    AG_WRAPPER_WATCH,     /* the command words are joined and run by sh -c, unless -x */
    AG_WRAPPER_FLOCK,     /* FILE, then a command or -c STRING */
    AG_WRAPPER_XARGS,     /* the command (default echo) gets arguments from stdin */
    AG_WRAPPER_PARALLEL,  /* the command ends at :::, and runs through a shell */
    AG_WRAPPER_FIND,      /* -exec ... ; and -exec ... {} +, several per find */
    AG_WRAPPER_FD,        /* fd -x/-X COMMAND... [;]: the rest of the words, or up to `;` */
    AG_WRAPPER_SHELL,     /* sh -c STRING, a script file, or a program on stdin */
    AG_WRAPPER_SU,        /* su [USER] -c STRING, options anywhere */
    AG_WRAPPER_EVAL,      /* the words are joined and parsed as a script */
    AG_WRAPPER_SSH,       /* HOST, then remote command words joined and parsed */
    AG_WRAPPER_FOREIGN_SHELL, /* fish, pwsh, csh...: code this check cannot parse */
    AG_WRAPPER_COPROC,    /* coproc COMMAND, or coproc [NAME] { LIST; } split into words */
    AG_WRAPPER_TRAP,      /* trap [--] CODE SIGNAL...: CODE is parsed as a script */
    AG_WRAPPER_SOURCE,    /* source FILE and `. FILE`: code from a file, or a heredoc */
    AG_WRAPPER_ALIAS,     /* alias NAME=VALUE: VALUE is parsed as a script */
    AG_WRAPPER_SCRIPT,    /* script -c STRING, or an interactive shell */
    AG_WRAPPER_SG,        /* sg GROUP [-c] STRING */
    AG_WRAPPER_RUNUSER,   /* runuser -u USER COMMAND, otherwise like su */
    AG_WRAPPER_GDB,       /* runs code; gdb --args COMMAND also runs COMMAND */
    AG_WRAPPER_SCRIPTS,   /* each operand is shell code (hyperfine 'CODE'...), options anywhere */
    AG_WRAPPER_CODE_OPTIONS /* always runs code; the values of its script options are parsed
                               and its other words are not read (nix-shell --run CODE) */
} ag_wrapper_kind;

/* Bits of ag_wrapper.features. */
enum {
    AG_WRAPPER_ASSIGNMENTS = 1u << 0,    /* NAME=value words before the command set variables */
    AG_WRAPPER_NUMERIC_OPTION = 1u << 1, /* `-10` is an option (nice) */
    AG_WRAPPER_DASH_OPTION = 1u << 2,    /* a lone `-` is an option (env: same as -i) */
    AG_WRAPPER_NUMERIC_OPERANDS = 1u << 3, /* the operands must look like numbers, masks or
                                            durations, or the wrapper is opaque */
    AG_WRAPPER_DEFAULT_SHELL = 1u << 4,  /* with no command, an interactive shell runs:
                                            chroot, unshare, nsenter, fakeroot, pkexec */
    AG_WRAPPER_OUTPUT_PIPE = 1u << 5,    /* -o '|COMMAND' or -o '!COMMAND' pipes the output
                                            to a shell command (strace), so it is opaque */
    AG_WRAPPER_NEW_ROOT = 1u << 6,       /* the command runs under a new root (chroot's
                                            operand) or in another directory (yarn exec), so
                                            its paths are not the checked ones */
    AG_WRAPPER_AFTER_DOUBLE_DASH = 1u << 7, /* any number of operands, then `--` (or one of
                                            command_options) and the command (op run, mise
                                            exec); without it the start of the command is
                                            unknown */
    AG_WRAPPER_JOINED_SCRIPT = 1u << 8,  /* the command words are joined with spaces and run
                                            as shell code (pixi run, pueue add) */
    AG_WRAPPER_LONG_PREFIXES = 1u << 9,  /* getopt_long reads an unambiguous prefix of a long
                                            option as that option (--kill for --kill-after).
                                            Set only where the long option lists are complete:
                                            a prefix of a listed name could also be an
                                            unlisted option with other syntax */
    AG_WRAPPER_PYTHON_SCRIPTS = 1u << 10, /* a command word ending in .py runs with python,
                                            and `-` (stdin) or a URL makes it opaque
                                            (uv run) */
    AG_WRAPPER_INFINITE_DURATION = 1u << 11, /* a numeric operand may also be `inf` or
                                            `infinity` (coreutils 9.1 timeout) */
    AG_WRAPPER_OPTIONS_ANYWHERE = 1u << 12, /* the tool reads options among the command
                                            words too, up to a `--` before or after the
                                            operands (npm's nopt, glibc getopt), so
                                            without that `--` a command word starting
                                            with `-` makes the wrapper opaque */
    AG_WRAPPER_SHELL_STRING = 1u << 13,  /* with AG_WRAPPER_JOINED_SCRIPT: a shell runs the
                                            joined words as `sh -c` or a remote shell does
                                            (sops exec-env, mosh), so the wrapper runs code */
    AG_WRAPPER_SINGLE_DASH_LONG = 1u << 14 /* Perl's Getopt::Long without bundling (mosh)
                                            reads `-port 1` as `--port 1` and `-p1` as an
                                            unknown option, so a word of `-` and more than
                                            one letter makes the wrapper opaque */
};

/*
 * One wrapper. Short option lists are strings of option letters; long option
 * lists are names separated by spaces, without the leading `--`. A long
 * option listed both as a flag and as taking a value takes an optional value
 * written as `--name=value`.
 *
 * A name of two words, such as `uv run`, is a subcommand runner: the entry
 * applies when the command's first argument is that subcommand, and its
 * options are read from the word after it. A name of three words, such as
 * `docker container run`, applies when the first two arguments are the
 * group and the subcommand.
 */
typedef struct ag_wrapper {
    const char *name;
    ag_wrapper_kind kind;
    const char *short_values;     /* take a value: `-u root` or `-uroot` */
    const char *short_optional;   /* take an optional attached value only: `-i{}` */
    const char *short_flags;      /* take no value */
    const char *short_no_command; /* mean nothing runs: `command -v` */
    const char *long_values;
    const char *long_flags;
    const char *long_no_command;
    const char *long_pairs;       /* take two separate values: bwrap --bind SRC DEST */
    unsigned operands;            /* operands between the options and the command */
    unsigned features;            /* AG_WRAPPER_* bits */
    /*
     * Options that run the command in another directory or root (env -C,
     * sudo -D and -R, unshare -w and -R). The command's paths then name
     * other files than the ones checked, so the wrapper is opaque. Short
     * letters, then long names separated by spaces.
     */
    const char *moves_short;
    const char *moves_long;
    /*
     * Options whose value is shell code that the wrapper runs (hyperfine
     * --prepare, nix-shell --run); the value is parsed as a script. Short
     * letters, then long names separated by spaces.
     */
    const char *scripts_short;
    const char *scripts_long;
    /*
     * With AG_WRAPPER_AFTER_DOUBLE_DASH, whole words that start the command
     * as `--` does (nix develop -c COMMAND), separated by spaces.
     */
    const char *command_options;
    /*
     * A long option whose value is the program that runs, with the words
     * after the operands as its arguments (docker run --entrypoint PROGRAM
     * IMAGE ARGS).
     */
    const char *entrypoint_long;
} ag_wrapper;

/* Returns the wrapper named `name` (a base name, `length` bytes), or NULL. */
const ag_wrapper *ag_wrapper_find(const char *name, size_t length);

/*
 * Returns the subcommand runner `NAME SUBCOMMAND` (`uv run`) for the base
 * name `name` (`length` bytes) and the word `subcommand`, or NULL.
 */
const ag_wrapper *ag_wrapper_find_subcommand(const char *name, size_t length,
                                             const ag_shell_word *subcommand);

/*
 * Returns the runner `NAME GROUP SUBCOMMAND` (`docker container run`) for
 * the base name `name` (`length` bytes) and the words `group` and
 * `subcommand`, or NULL.
 */
const ag_wrapper *ag_wrapper_find_group_subcommand(const char *name, size_t length,
                                                   const ag_shell_word *group,
                                                   const ag_shell_word *subcommand);

/*
 * A hash of a tool's base name from its first two bytes and its length.
 * A filter in front of a tool table is a bool array with the hash of every
 * tool of the table set, so most commands, whose hash is not set, skip the
 * search. Two names may share a hash, which only costs that search.
 */
#define AG_TOOL_HASH(first, second, length) \
    ((((unsigned)(unsigned char)(first) * 31u) + ((unsigned)(unsigned char)(second) * 7u) \
      + (unsigned)(length)) & 255u)

/* Returns whether some subcommand runner starts with the base name `name` (`length` bytes). */
bool ag_wrapper_has_subcommands(const char *name, size_t length);
/* Returns false when no subcommand runner names the tool `name` (a quick test, never wrong then). */
bool ag_wrapper_may_have_subcommands(const char *name, size_t length);

/* Returns the wrapper table, sorted by name, and sets *count to its length (for tests). */
const ag_wrapper *ag_wrapper_table(size_t *count);

/*
 * Compares a NUL-terminated table name with the `length` bytes at `name` in
 * strcmp() order. Returns a negative number when `entry` sorts first, 0 when
 * they are equal, and a positive number otherwise.
 */
int ag_name_compare(const char *entry, const char *name, size_t length);

/*
 * Finds `name` (`length` bytes, case-sensitive) by halves in `count`
 * elements of `stride` bytes at `base`, each starting with a `const char *`
 * name, sorted in strcmp() order without duplicates. Returns the element, or
 * NULL.
 */
const void *ag_sorted_find(const void *base, size_t count, size_t stride, const char *name,
                           size_t length);

/* Returns whether the names that start the elements at `base` are sorted without duplicates. */
bool ag_sorted_is_strict(const void *base, size_t count, size_t stride);

/* Slots of an ag_name_index: more than twice the largest table it indexes. */
#define AG_NAME_INDEX_SLOTS 1024

/*
 * A hash index over a table that ag_sorted_find() could search. Each step
 * of a search by halves is a branch on the data, which the processor often
 * mispredicts, and the command-name tables are searched several times per
 * command: by callgrind's branch simulation, hashing them removed a seventh
 * of the analysis's mispredictions.
 */
typedef struct ag_name_index {
    const void *base;
    size_t count;
    size_t stride;
    bool hashed;                            /* false for a table too large for the slots */
    uint16_t slots[AG_NAME_INDEX_SLOTS];    /* an element's number plus 1, or 0 when empty */
} ag_name_index;

/*
 * Builds `index` over the table that ag_sorted_find() takes. Call it once,
 * before any ag_name_index_find() on it, for example with pthread_once().
 */
void ag_name_index_build(ag_name_index *index, const void *base, size_t count, size_t stride);

/* Returns the element named by the `length` bytes at `name` (case-sensitive), or NULL. */
const void *ag_name_index_find(const ag_name_index *index, const char *name, size_t length);

/*
 * Defines `static const void *FUNCTION(const char *name, size_t length)`,
 * which finds a name in the sorted static table ARRAY through an index that
 * the first call builds (pthread_once(), so any thread may make it).
 */
#define AG_NAME_INDEX_DEFINE(function, array)                                                \
    static ag_name_index function##_index;                                                  \
    static pthread_once_t function##_once = PTHREAD_ONCE_INIT;                              \
    static void function##_build(void)                                                      \
    {                                                                                        \
        ag_name_index_build(&function##_index, (array), sizeof(array) / sizeof((array)[0]),  \
                            sizeof((array)[0]));                                             \
    }                                                                                        \
    static const void *function(const char *name, size_t length)                            \
    {                                                                                        \
        pthread_once(&function##_once, function##_build);                                   \
        return ag_name_index_find(&function##_index, name, length);                         \
    }

/* Returns whether the space-separated `list` contains the `length` bytes at `name`. */
bool ag_list_contains(const char *list, const char *name, size_t length);

/*
 * Returns the command name without its directory (`/usr/bin/sudo` gives
 * `sudo`), NUL-terminated, or NULL when the command has no words or its name
 * is dynamic.
 */
const char *ag_command_base_name(const ag_shell_command *command, size_t *length);

/*
 * Sets AG_COMMAND_UNSAFE_ENVIRONMENT and AG_COMMAND_UNLISTED_ENVIRONMENT on a
 * command from its prefix assignments and, for export, declare, typeset,
 * readonly and local, from the variables it declares. Also marks read,
 * mapfile, printf -v and getopts that assign a dangerous variable, hash -p,
 * enable, alias, and set and shopt with an unsafe option (shell_options.c).
 */
void ag_environment_mark(ag_shell_command *command);

/*
 * Sets AG_COMMAND_UNSAFE_ENVIRONMENT on a `set` or `shopt` command (`name`)
 * that turns on an option which changes what later commands do, such as
 * `set -k` or `shopt -s lastpipe`, or turns off one the analysis relies on.
 */
void ag_shell_options_mark(ag_shell_command *command, const char *name);

/* Returns whether turning `set` option `letter` on (or off) is unsafe; an unknown letter is. */
bool ag_shell_option_letter_is_unsafe(char letter, bool on);

/*
 * Returns whether a shell's invocation option `letter` (`bash -k -c ...`) is
 * unsafe: -i, or a `set` letter whose change is unsafe. Other letters are not.
 */
bool ag_shell_invocation_letter_is_unsafe(char letter, bool on);

/*
 * Returns whether turning the option named by `word` on (or off) is unsafe:
 * a `shopt` name if `shopt`, else a `set -o` name. An unknown or dynamic
 * name is unsafe.
 */
bool ag_shell_option_name_is_unsafe(const ag_shell_word *word, bool on, bool shopt);

/* Returns whether the option tables of shell_options.c are sorted without duplicates (for tests). */
bool ag_shell_option_tables_are_sorted(void);

/* Returns whether the builtin table of environment.c is sorted without duplicates (for tests). */
bool ag_builtin_table_is_sorted(void);

/*
 * Sets AG_COMMAND_RUNS_CODE on an interpreter fed code, and on git -c with a
 * risky key; an interpreter that may read its program from stdin also gets
 * AG_COMMAND_STDIN_CODE.
 */
void ag_interpreter_mark(ag_shell_command *command);

/*
 * Returns whether every word after the command name is one of the
 * space-separated `info_words` (`--version --help`), options that print
 * and exit before any program is read. A dynamic word never is one.
 */
bool ag_words_only_print_info(const ag_shell_command *command, const char *info_words);

/*
 * Returns whether the sorted name index of interpreters.c is sorted and
 * contains exactly the names its tables list (for tests).
 */
bool ag_interpreter_index_is_consistent(void);

/*
 * Appends the command `words` (count words; the array must outlive the check)
 * as run by list->items[index] through `wrapper_name`.
 */
ag_status ag_unwrap_append_words(ag_checker *checker, ag_command_list *list, size_t index,
                                 const char *wrapper_name, const ag_shell_word *words,
                                 size_t count);

/* Parses `word` as a shell script run by list->items[index] and appends its commands. */
ag_status ag_unwrap_append_script(ag_checker *checker, ag_command_list *list, size_t index,
                                  const char *wrapper_name, const ag_shell_word *word);

/* Parses the words from `first` on, joined with spaces, as a script; see above. */
ag_status ag_unwrap_append_joined_script(ag_checker *checker, ag_command_list *list,
                                         size_t index, const char *wrapper_name, size_t first);

/*
 * Parses `text` (`length` bytes) as shell code that list->items[index] runs
 * and appends its commands with the command's span. With `arguments`, each
 * command also gets a trailing dynamic word for the arguments Bash appends
 * to a callback (mapfile -C CODE runs `CODE INDEX LINE`). Code with an
 * unknown part makes the command opaque.
 */
ag_status ag_unwrap_append_callback(ag_checker *checker, ag_command_list *list, size_t index,
                                    const char *wrapper_name, const char *text, size_t length,
                                    bool arguments);

/*
 * Marks and unwraps the Bash builtins that run code or touch files named in
 * their arguments (mapfile -C, jobs -x, compgen -C/-F/-W, fc, history with a
 * file): see lib/eval/interpreters.c. Returns AG_OK for any other command.
 */
ag_status ag_unwrap_code_builtin(ag_checker *checker, ag_command_list *list, size_t index);

/* Unwraps git: see lib/eval/git.c. */
ag_status ag_unwrap_git(ag_checker *checker, ag_command_list *list, size_t index);

/*
 * Returns whether a git config setting `KEY` or `KEY=VALUE` names a key that
 * runs a program or changes which one runs (core.pager, alias.*, ...); a
 * dynamic key counts as risky.
 */
bool ag_git_key_is_risky(const char *text);

/*
 * Applies the ssh `-o` value to list->items[index]: a shell command is
 * parsed and its commands appended, and a key that brings in commands not
 * on the command line makes the command opaque.
 */
ag_status ag_unwrap_ssh_option(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *wrapper_name, const char *value, size_t length);

/* Flags tar, rsync, make, npm and other tools whose options run programs: see lib/eval/tools.c. */
ag_status ag_unwrap_tool(ag_checker *checker, ag_command_list *list, size_t index);

/*
 * Sets AG_COMMAND_UNSAFE_ENVIRONMENT on an npm, pnpm or `bun pm` command
 * whose subcommand, words[subcommand], changes what later commands run: a
 * script in package.json (`pkg set scripts.test=...`), the script shell
 * or pnpmfile setting (`config set`), `set-script` or `edit`.
 */
void ag_npm_settings_mark(ag_shell_command *command, size_t subcommand);

/* Returns whether the tool table of tools.c is sorted without duplicates (for tests). */
bool ag_tool_table_is_sorted(void);

/*
 * Appends `TOOL SUBCOMMAND ARGS...` for a kubectl, docker, npm, helm, gh,
 * podman or terraform command whose subcommand follows global options: see
 * lib/eval/globals.c. `name` and `length` are the command's base name, or
 * NULL when it has none.
 */
ag_status ag_unwrap_global_options(ag_checker *checker, ag_command_list *list, size_t index,
                                   const char *name, size_t length);

/*
 * Returns the index of the subcommand of a tool of globals.c after its
 * listed global options, or 0 when the tool is not there or the subcommand
 * is not known.
 */
size_t ag_global_subcommand(const ag_shell_command *command);

/*
 * Returns whether the tool table of globals.c is sorted without duplicates
 * and its filter passes every tool (for tests).
 */
bool ag_global_table_is_consistent(void);

/*
 * Appends the commands that pnpm, bun and yarn run where the wrapper table
 * cannot describe them (`pnpm eslint`, `bun run NAME`, `yarn workspace W
 * ARGS`): see lib/eval/package_managers.c. `name` and `length` are the
 * command's base name, or NULL when it has none.
 */
ag_status ag_unwrap_package_manager(ag_checker *checker, ag_command_list *list, size_t index,
                                    const char *name, size_t length);

/* Returns whether the command tables of package_managers.c are sorted (for tests). */
bool ag_package_manager_tables_are_sorted(void);

/*
 * Appends `NAME SUBCOMMAND ARGS...` for list->items[index]: its command name,
 * then its words from index `subcommand` on, without the global options.
 */
ag_status ag_unwrap_append_subcommand(ag_checker *checker, ag_command_list *list, size_t index,
                                      const char *wrapper_name, size_t subcommand);

#endif
