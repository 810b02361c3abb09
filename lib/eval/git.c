/*
 * git: its global options can hide the subcommand from rules
 * (`git -C . push` must meet `Bash(git push *)`), and some subcommands run
 * other commands: options such as `rebase --exec`, `push --receive-pack`
 * and `clone --upload-pack` (tables below, read by options.c), `git bisect
 * run`, `git submodule foreach`, `git hook run` and `ext::` URLs. The first
 * gets a second command without the global options; the second gets
 * AG_COMMAND_RUNS_CODE and its inner commands. `git config` of a key that
 * runs a program gets AG_COMMAND_UNSAFE_ENVIRONMENT.
 */
#include <string.h>

#include "eval/options.h"

/* Global options that take a separate value, and those that take none. */
static const char git_value_options[] = "-C -c --git-dir --work-tree --namespace --super-prefix --config-env --list-cmds";
static const char git_flag_options[] =
    "-p -P --paginate --no-pager --bare --no-replace-objects --literal-pathspecs "
    "--glob-pathspecs --noglob-pathspecs --icase-pathspecs --no-optional-locks --no-lazy-fetch "
    "--no-advice --exec-path --html-path --man-path --info-path -v --version -h --help";

static bool word_is(const ag_shell_word *word, const char *text)
{
    return !word->dynamic && strcmp(word->text, text) == 0;
}

static bool is_listed(const char *list, const ag_shell_word *word)
{
    return ag_list_contains(list, word->text, word->length);
}

/*
 * Returns the index of the subcommand, or 0 when there is none, and sets
 * *opaque when an option is unknown or dynamic, because the subcommand could
 * then be any word.
 */
static size_t find_subcommand(const ag_shell_command *command, bool *opaque)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic && (word->text[0] == AG_DYNAMIC_MARK || word->text[0] == '-')) {
            *opaque = true;
            return 0;
        }
        if (word->text[0] != '-')
            return i;

        const char *equals = strchr(word->text, '=');
        if (equals != NULL && word->text[1] == '-') {
            size_t name_length = (size_t)(equals - word->text);
            if (ag_list_contains(git_value_options, word->text, name_length)
                || ag_list_contains(git_flag_options, word->text, name_length))
                continue;
            *opaque = true;
            return 0;
        }
        if (is_listed(git_value_options, word)) {
            i++;
            continue;
        }
        if (!is_listed(git_flag_options, word)) {
            *opaque = true;
            return 0;
        }
    }
    return 0;
}

/*
 * Options of git subcommands that run a program. Values are read as shell
 * commands where git runs them through the shell: --upload-pack and
 * --receive-pack when the remote is local (git's connect.c), rebase --exec,
 * difftool --extcmd, grep -O, and the send-email *-cmd options. Other letters
 * and names are listed only so their values are not read as options.
 */
#define END_OPTIONS {0, NULL, AG_TOOL_VALUE_NONE, AG_TOOL_OTHER}

static const ag_tool_option rebase_options[] = {
    {'x', "exec", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'s', "strategy", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'X', "strategy-option", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'C', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "onto", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option fetch_options[] = {
    {0, "upload-pack", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    END_OPTIONS,
};
static const ag_tool_option ls_remote_options[] = {
    {0, "upload-pack", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "exec", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    END_OPTIONS,
};
static const ag_tool_option clone_options[] = {
    {'u', "upload-pack", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'c', "config", AG_TOOL_VALUE_REQUIRED, AG_TOOL_GIT_CONFIG},
    /* Hooks in the template directory are copied into the repository and run. */
    {0, "template", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'o', "origin", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'b', "branch", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "depth", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option init_options[] = {
    {0, "template", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    END_OPTIONS,
};
static const ag_tool_option push_options[] = {
    {0, "receive-pack", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "exec", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'o', "push-option", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option archive_options[] = {
    {0, "exec", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'o', "output", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "remote", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "prefix", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option filter_branch_options[] = {
    {0, "setup", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "env-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "tree-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "index-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "parent-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "msg-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "commit-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "tag-name-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "subdirectory-filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'d', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option difftool_options[] = {
    {'x', "extcmd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'t', "tool", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option grep_options[] = {
    /* -O takes an optional attached pager; without one git runs core.pager. */
    {'O', "open-files-in-pager", AG_TOOL_VALUE_OPTIONAL, AG_TOOL_SCRIPT},
    {'e', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'f', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'m', "max-count", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'A', "after-context", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'B', "before-context", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'C', "context", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option send_email_options[] = {
    {0, "to-cmd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "cc-cmd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "header-cmd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "sendmail-cmd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    /* A server that is a path names a sendmail-like program. */
    {0, "smtp-server", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PATH_PROGRAM},
    {0, "smtp-server-option", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "smtp-server-port", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};
static const ag_tool_option instaweb_options[] = {
    {'d', "httpd", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'b', "browser", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    /* The web server loads its modules from here. */
    {'m', "module-path", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    END_OPTIONS,
};
static const ag_tool_option daemon_options[] = {
    {0, "access-hook", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    END_OPTIONS,
};

typedef struct git_subcommand {
    const char *names;          /* space-separated */
    const ag_tool_option *options;
} git_subcommand;

static const git_subcommand subcommands[] = {
    {"rebase", rebase_options},
    {"fetch pull", fetch_options},
    {"ls-remote fetch-pack", ls_remote_options},
    {"clone", clone_options},
    {"init", init_options},
    {"push send-pack", push_options},
    {"archive", archive_options},
    {"filter-branch", filter_branch_options},
    {"difftool mergetool", difftool_options},
    {"grep", grep_options},
    {"send-email", send_email_options},
    {"instaweb", instaweb_options},
    {"daemon", daemon_options},
};

static const ag_tool_option *subcommand_options(const ag_shell_word *name)
{
    if (name->dynamic)
        return NULL;
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        if (is_listed(subcommands[i].names, name))
            return subcommands[i].options;
    }
    return NULL;
}

/* Returns whether `--NAME` (name with its dashes) abbreviates one of the space-separated `names`. */
static bool abbreviates(const char *names, const char *text)
{
    if (strncmp(text, "--", 2) != 0)
        return false;
    const char *name = text + 2;
    size_t length = strcspn(name, "=");
    if (length == 0)
        return false;
    for (const char *item = names; *item != '\0';) {
        while (*item == ' ')
            item++;
        size_t item_length = strcspn(item, " ");
        if (length <= item_length && memcmp(item, name, length) == 0)
            return true;
        item += item_length;
    }
    return false;
}

/*
 * git config: setting or removing a risky key (core.pager, alias.*, ...),
 * opening the file in an editor, or renaming a section (to `alias`, say)
 * changes what later git commands run, so it asks. Reading is harmless.
 */
static void mark_config(ag_shell_command *command, size_t subcommand)
{
    bool reads = false;
    bool changes = false;
    bool first_operand = true;
    for (size_t i = subcommand + 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (text[0] == '-' && text[1] == '-') {
            if (is_listed("--get --get-all --get-regexp --get-urlmatch --list --get-color "
                          "--get-colorbool", word))
                reads = true;
            else if (abbreviates("edit rename-section remove-section", text)
                     || memchr(text, AG_DYNAMIC_MARK, word->length) != NULL)
                changes = true;
        } else if (text[0] == '-' && text[1] != '\0') {
            if (strchr(text, 'e') != NULL || memchr(text, AG_DYNAMIC_MARK, word->length) != NULL)
                changes = true;
            else if (strcmp(text, "-l") == 0)
                reads = true;
        } else {
            /* git 2.46 and later also take an action word first: `git config get KEY`. */
            if (first_operand && is_listed("get list", word))
                reads = true;
            else if (first_operand && is_listed("edit rename-section remove-section", word))
                changes = true;
            else if (ag_git_key_is_risky(text))
                changes = true;
            first_operand = false;
        }
    }
    if (changes && !reads)
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
}

/* An ext:: URL runs its text as a command (git-remote-ext), which is not parsed here. */
static void mark_ext_urls(ag_shell_command *command, size_t subcommand)
{
    for (size_t i = subcommand; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (strstr(word->text, "ext::") != NULL)
            command->flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
    }
}

static ag_status unwrap_subcommand(ag_checker *checker, ag_command_list *list, size_t index,
                                   size_t subcommand)
{
    ag_shell_command *command = &list->items[index];
    const ag_shell_word *name = &command->words[subcommand];
    size_t next = subcommand + 1;

    mark_ext_urls(command, subcommand);
    if (word_is(name, "config")) {
        mark_config(command, subcommand);
        return AG_OK;
    }
    if (word_is(name, "hook")) {
        command->flags |= AG_COMMAND_RUNS_CODE;  /* runs the repository's hook scripts */
        return AG_OK;
    }
    const ag_tool_option *options = subcommand_options(name);
    if (options != NULL)
        return ag_options_apply(checker, list, index, next, options, "git");
    if (word_is(name, "bisect") && next < command->word_count
        && word_is(&command->words[next], "run")) {
        command->flags |= AG_COMMAND_RUNS_CODE;
        return ag_unwrap_append_words(checker, list, index, "git", command->words + next + 1,
                                      command->word_count - next - 1);
    }
    if (word_is(name, "submodule")) {
        for (size_t i = next; i < command->word_count; i++) {
            if (word_is(&command->words[i], "foreach")) {
                command->flags |= AG_COMMAND_RUNS_CODE;
                size_t first = i + 1;
                while (first < command->word_count && command->words[first].text[0] == '-')
                    first++;
                return ag_unwrap_append_joined_script(checker, list, index, "git", first);
            }
        }
    }
    return AG_OK;
}

ag_status ag_unwrap_git(ag_checker *checker, ag_command_list *list, size_t index)
{
    bool opaque = false;
    size_t subcommand = find_subcommand(&list->items[index], &opaque);
    if (opaque) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    if (subcommand == 0)
        return AG_OK;

    ag_status status = AG_OK;
    if (subcommand > 1)
        status = ag_unwrap_append_subcommand(checker, list, index, "git", subcommand);
    if (status == AG_OK)
        status = unwrap_subcommand(checker, list, index, subcommand);
    return status;
}
