/*
 * Package managers that run commands in ways the wrapper table cannot
 * describe:
 *
 * - pnpm 6.6.1 and later run an unknown subcommand as `pnpm exec` does,
 *   unless package.json has a script of that name (`pnpm eslint .`).
 * - `bun run NAME` and `bun NAME` run a script, a package binary, a file
 *   or possibly a program found on PATH.
 * - `yarn workspace NAME ARGS`, `yarn workspaces foreach [options] ARGS`
 *   and Yarn 1's `yarn workspaces run ARGS` run `yarn ARGS` in other
 *   directories, and `yarn node ARGS` runs `node ARGS`.
 *
 * The command that runs is appended, so deny rules and the checks of
 * interpreters meet it. The package manager stays in the list, so its own
 * rule and its package-script effects (effects.yaml) still count, and the
 * most restrictive verdict of both wins.
 */
#include <string.h>

#include "eval/unwrap_internal.h"

static bool word_is(const ag_shell_word *word, const char *text)
{
    return !word->dynamic && strlen(text) == word->length
           && memcmp(word->text, text, word->length) == 0;
}

static bool name_is(const char *name, size_t length, const char *text)
{
    return strlen(text) == length && memcmp(name, text, length) == 0;
}

/* Returns whether `word` may be an option, or may expand to one. */
static bool may_be_option(const ag_shell_word *word)
{
    return word->dynamic || word->text[0] == '-';
}

/* Returns whether a word from words[first] on may name a command: a dynamic word or an operand. */
static bool may_name_command(const ag_shell_command *command, size_t first)
{
    for (size_t i = first; i < command->word_count; i++) {
        if (command->words[i].dynamic || command->words[i].text[0] != '-')
            return true;
    }
    return false;
}

static bool is_listed(const char *const *names, size_t count, const ag_shell_word *word)
{
    return !word->dynamic
           && ag_sorted_find(names, count, sizeof(*names), word->text, word->length) != NULL;
}

/*
 * Returns whether words from `first` on can be appended as the command that
 * `command` runs. Past the nesting limit the command is opaque instead.
 */
static bool may_append(ag_shell_command *command, size_t first)
{
    if (command->depth >= AG_UNWRAP_MAX_DEPTH) {
        command->flags |= AG_COMMAND_OPAQUE;
        return false;
    }
    return first < command->word_count;
}

/* Appends the words from `first` on as the command that list->items[index] runs. */
static ag_status append_command(ag_checker *checker, ag_command_list *list, size_t index,
                                const char *wrapper_name, size_t first)
{
    ag_shell_command *command = &list->items[index];
    if (!may_append(command, first))
        return AG_OK;
    return ag_unwrap_append_words(checker, list, index, wrapper_name, command->words + first,
                                  command->word_count - first);
}

/* Appends `TOOL ARGS...` for the words from `first` on, as globals.c does. */
static ag_status append_tool_command(ag_checker *checker, ag_command_list *list, size_t index,
                                     const char *tool, size_t first)
{
    if (!may_append(&list->items[index], first))
        return AG_OK;
    return ag_unwrap_append_subcommand(checker, list, index, tool, first);
}

/* ------------------------------------------------------------------ pnpm */

/*
 * pnpm's subcommands and aliases, from its documentation (up to pnpm 12.6)
 * and command sources. npm's commands that pnpm 11 rejects as not
 * implemented (view, pkg, ...) are listed too, because pnpm does not run
 * them as programs. `with`, `recursive`, `m`, `multi`, `pm` and `ss` are
 * handled apart. Sorted in strcmp() order.
 * NOTE: an older pnpm runs a name added later (`tasks`, pnpm 12.6) as a
 * command, which this list does not unwrap.
 */
static const char *const pnpm_commands[] = {
    "access", "add", "adduser", "approve-builds", "audit", "bin", "bugs", "c", "cache",
    "cat-file", "cat-index", "change", "ci", "clean", "clean-install", "completion",
    "config", "create", "dedupe", "deploy", "deprecate", "dist-tag", "dlx", "docs", "doctor",
    "edit", "env", "exec", "fetch", "find", "find-hash", "get", "help", "home", "i", "ic",
    "ignored-builds", "import", "info", "init", "install", "install-clean", "install-test",
    "issues", "it", "la", "lane", "licenses", "link", "list", "ll", "ln", "login", "logout",
    "ls", "outdated", "owner", "pack", "pack-app", "patch", "patch-commit", "patch-remove",
    "peers", "ping", "pkg", "prefix", "profile", "prune", "publish", "purge", "rb", "rebuild",
    "remove", "repo", "restart", "rm", "root", "rt", "run", "run-script", "runtime", "s",
    "sbom", "se", "search", "self-update", "server", "set", "set-script", "setup", "shim",
    "show", "stage", "star", "stars", "start", "stop", "store", "t", "tasks", "team", "test",
    "token", "tst", "un", "uninstall", "unlink", "unpublish", "unstar", "up", "update",
    "upgrade", "v", "version", "view", "whoami", "why", "xmas",
};

static ag_status unwrap_pnpm(ag_checker *checker, ag_command_list *list, size_t index)
{
    ag_shell_command *command = &list->items[index];
    const ag_shell_word *first = &command->words[1];

    /*
     * Global options first: globals.c appends `pnpm SUBCOMMAND ...` without
     * them, and that command is unwrapped in turn. The options pick other
     * projects or directories (-C, -r, --filter), so the command's relative
     * paths are unknown. After an option globals.c does not list, any later
     * operand may be the command; `pnpm --version` has none.
     */
    if (may_be_option(first)) {
        if (ag_global_subcommand(command) != 0)
            command->flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
        else if (may_name_command(command, 1))
            command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    /* `pnpm pm ARGS` runs the pnpm command ARGS even where a script has its name. */
    if (word_is(first, "pm"))
        return append_tool_command(checker, list, index, "pnpm", 2);
    /* pnpm 11's `pnpm ss NAME CMD` (set-script) writes a script of package.json. */
    if (word_is(first, "ss")) {
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
        return AG_OK;
    }
    /* `pnpm recursive ARGS` runs `pnpm ARGS` in every project, as -r does. */
    if (word_is(first, "recursive") || word_is(first, "m") || word_is(first, "multi")) {
        command->flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
        return append_tool_command(checker, list, index, "pnpm", 2);
    }
    /* `pnpm with VERSION ARGS` runs `pnpm ARGS` with that pnpm version. */
    if (word_is(first, "with")) {
        if (command->word_count > 2 && may_be_option(&command->words[2])) {
            command->flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        return append_tool_command(checker, list, index, "pnpm", 3);
    }
    if (is_listed(pnpm_commands, sizeof(pnpm_commands) / sizeof(*pnpm_commands), first)) {
        /* pnpm 11's pkg and config commands write package.json and settings as npm's do. */
        ag_npm_settings_mark(command, 1);
        return AG_OK;
    }
    return append_command(checker, list, index, "pnpm", 1);
}

/* ------------------------------------------------------------------- bun */

/* Bun 1.2's subcommands and aliases, which `bun NAME` runs instead of a script. Sorted. */
static const char *const bun_commands[] = {
    "a", "add", "audit", "build", "c", "completions", "create", "discord", "exec", "feedback",
    "getcompletes", "help", "i", "info", "init", "install", "link", "outdated", "patch",
    "patch-commit", "pm", "publish", "remove", "repl", "rm", "run", "test", "unlink", "update",
    "upgrade", "why", "x",
};

/*
 * Options of bun and bun run that take no value (Bun 1.2). The others,
 * such as --cwd, -r and --env-file, make the name after them unknown.
 */
static const char bun_flags[] = "-b --bun --watch --hot --smol --silent --if-present "
                                "--no-clear-screen --no-install";

/* Returns whether bun takes `word` as a file to run: a path, or a JavaScript or TypeScript name. */
static bool names_bun_file(const ag_shell_word *word)
{
    static const char *const extensions[] = {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx",
                                             ".mts", ".cts"};
    if (memchr(word->text, '/', word->length) != NULL)
        return true;
    for (size_t i = 0; i < sizeof(extensions) / sizeof(*extensions); i++) {
        size_t length = strlen(extensions[i]);
        if (word->length > length
            && memcmp(word->text + word->length - length, extensions[i], length) == 0)
            return true;
    }
    return false;
}

/*
 * Appends the command that `bun NAME` or `bun run NAME` may run, where
 * words[name] is NAME: a file is read by the effects table, and any other
 * name may be a package script, a package binary or a program on PATH.
 * TODO(wrappers): Bun's documentation does not say whether `bun run NAME`
 * or `bun NAME` looks on PATH; both are checked as though they did.
 */
static ag_status append_bun_target(ag_checker *checker, ag_command_list *list, size_t index,
                                   size_t name)
{
    ag_shell_command *command = &list->items[index];
    if (name >= command->word_count)
        return AG_OK;
    const ag_shell_word *word = &command->words[name];
    if (word->dynamic) {
        command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    if (names_bun_file(word))
        return AG_OK;
    return append_command(checker, list, index, "bun", name);
}

/*
 * Returns the index of the first word from words[first] on that is not
 * one of Bun's options without a value. Returns 0 when a word before it
 * is another option or dynamic, because that option may take the next
 * word as its value.
 */
static size_t skip_bun_flags(const ag_shell_command *command, size_t first)
{
    for (size_t i = first; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (!may_be_option(word))
            return i;
        if (word->dynamic || !ag_list_contains(bun_flags, word->text, word->length))
            return 0;
    }
    return command->word_count;
}

static ag_status unwrap_bun(ag_checker *checker, ag_command_list *list, size_t index)
{
    ag_shell_command *command = &list->items[index];
    size_t first = skip_bun_flags(command, 1);

    /*
     * After an option that may take a value, the name is not known. The
     * command stays readable where no operand follows (`bun --version`),
     * or where the first operand is a file or a subcommand that runs
     * nothing named by its operands.
     */
    if (first == 0) {
        for (size_t i = 1; i < command->word_count; i++) {
            const ag_shell_word *word = &command->words[i];
            if (!may_be_option(word) && !word_is(word, "run") && !word_is(word, "exec")
                && !word_is(word, "x")
                && (is_listed(bun_commands, sizeof(bun_commands) / sizeof(*bun_commands), word)
                    || names_bun_file(word)))
                break;
            if (!may_be_option(word) || word->dynamic) {
                command->flags |= AG_COMMAND_OPAQUE;
                break;
            }
        }
        return AG_OK;
    }
    if (first >= command->word_count)
        return AG_OK;

    /* bun run's own options come before NAME, and the words after NAME go to NAME. */
    const ag_shell_word *word = &command->words[first];
    if (word_is(word, "run")) {
        size_t name = skip_bun_flags(command, first + 1);
        if (name == 0) {
            command->flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        return append_bun_target(checker, list, index, name);
    }
    /* Bun 1.2.19's `bun pm pkg set` writes package.json as `npm pkg set` does. */
    if (word_is(word, "pm") && first + 1 < command->word_count
        && word_is(&command->words[first + 1], "pkg"))
        ag_npm_settings_mark(command, first + 1);
    if (is_listed(bun_commands, sizeof(bun_commands) / sizeof(*bun_commands), word))
        return AG_OK;
    return append_bun_target(checker, list, index, first);
}

/* ------------------------------------------------------------------ yarn */

/* yarn workspaces foreach (Yarn 4) options: with a value, and without. */
static const char foreach_values[] = "--from --include --exclude -j --jobs --cwd";
static const char foreach_flags[] =
    "-A --all -R --recursive -W --worktree -v --verbose -p --parallel -i --interlaced "
    "-t --topological --topological-dev --no-private -n --dry-run";
/* Letters of the foreach flags, which may be clustered (`-Apt`). */
static const char foreach_flag_letters[] = "ARWvpitn";

/*
 * Returns the index of the first word after the options of `yarn
 * workspaces foreach` (from words[3]), or 0 when an option is not known.
 * A bare `--since` is left out: with a value it is written `--since=REF`,
 * and reading the next word as its value or as the command could be wrong.
 */
static size_t foreach_command(const ag_shell_command *command)
{
    for (size_t i = 3; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic)
            return 0;
        const char *text = word->text;
        if (text[0] != '-')
            return i;
        size_t name_length = strcspn(text, "=");
        if (text[name_length] == '=') {
            if (!ag_list_contains(foreach_values, text, name_length)
                && !(name_length == 7 && memcmp(text, "--since", 7) == 0))
                return 0;
            continue;
        }
        if (ag_list_contains(foreach_values, text, word->length)) {
            /* A dynamic value may be several words, which moves the command. */
            if (i + 1 >= command->word_count || command->words[i + 1].dynamic)
                return 0;
            i++;
            continue;
        }
        if (ag_list_contains(foreach_flags, text, word->length))
            continue;
        if (text[1] == '-' || strspn(text + 1, foreach_flag_letters) != word->length - 1)
            return 0;
    }
    return 0;
}

static ag_status unwrap_yarn(ag_checker *checker, ag_command_list *list, size_t index)
{
    ag_shell_command *command = &list->items[index];
    const ag_shell_word *first = &command->words[1];

    /* After yarn's own options, `node` and `workspace` are not read, so yarn is opaque. */
    if (may_be_option(first)) {
        for (size_t i = 2; i < command->word_count; i++) {
            const ag_shell_word *word = &command->words[i];
            if (word->dynamic || word_is(word, "node") || word_is(word, "workspace")
                || word_is(word, "workspaces")) {
                command->flags |= AG_COMMAND_OPAQUE;
                break;
            }
        }
        return AG_OK;
    }

    /* yarn node ARGS runs node with the project's loader: `node ARGS`. */
    if (word_is(first, "node"))
        return append_command(checker, list, index, "yarn", 1);

    /* yarn workspace NAME ARGS runs `yarn ARGS` in the directory of workspace NAME. */
    if (word_is(first, "workspace")) {
        if (command->word_count > 2 && command->words[2].dynamic) {
            command->flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        command->flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
        return append_tool_command(checker, list, index, "yarn", 3);
    }

    if (!word_is(first, "workspaces") || command->word_count < 4)
        return AG_OK;
    const ag_shell_word *action = &command->words[2];
    if (word_is(action, "run")) {
        command->flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
        return append_tool_command(checker, list, index, "yarn", 3);
    }
    if (!word_is(action, "foreach"))
        return AG_OK;
    size_t start = foreach_command(command);
    if (start == 0) {
        command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    command->flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
    return append_tool_command(checker, list, index, "yarn", start);
}

/* --------------------------------------------------------------- entry */

bool ag_package_manager_tables_are_sorted(void)
{
    return ag_sorted_is_strict(pnpm_commands, sizeof(pnpm_commands) / sizeof(*pnpm_commands),
                               sizeof(*pnpm_commands))
           && ag_sorted_is_strict(bun_commands, sizeof(bun_commands) / sizeof(*bun_commands),
                                  sizeof(*bun_commands));
}

ag_status ag_unwrap_package_manager(ag_checker *checker, ag_command_list *list, size_t index,
                                    const char *name, size_t length)
{
    if (name == NULL || list->items[index].word_count < 2)
        return AG_OK;
    /* pn is pnpm 11's short name for pnpm. */
    if (name_is(name, length, "pnpm") || name_is(name, length, "pn"))
        return unwrap_pnpm(checker, list, index);
    if (name_is(name, length, "bun"))
        return unwrap_bun(checker, list, index);
    if (name_is(name, length, "yarn"))
        return unwrap_yarn(checker, list, index);
    return AG_OK;
}
