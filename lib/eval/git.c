/*
 * git: its global options can hide the subcommand from rules
 * (`git -C . push` must meet `Bash(git push *)`), and some subcommands run
 * other commands (`git rebase --exec`, `git bisect run`, `git submodule
 * foreach`, filter-branch filters, difftool's --extcmd, grep's
 * --open-files-in-pager). The first gets a second command without the global
 * options; the second gets AG_COMMAND_RUNS_CODE and its inner commands.
 */
#include <string.h>

#include "eval/unwrap_internal.h"

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

/* Appends `git SUBCOMMAND ARGS...` without the global options. */
static ag_status append_canonical(ag_checker *checker, ag_command_list *list, size_t index,
                                  size_t subcommand)
{
    const ag_shell_command *command = &list->items[index];
    size_t count = 1 + command->word_count - subcommand;
    ag_shell_word *words = ag_arena_calloc(&checker->arena, count + 1, sizeof(*words));
    if (words == NULL)
        return AG_ERR_NOMEM;
    words[0] = command->words[0];
    memcpy(words + 1, command->words + subcommand,
           (command->word_count - subcommand) * sizeof(*words));
    return ag_unwrap_append_words(checker, list, index, "git", words, count);
}

/* Returns the value of `--name=VALUE` or of `SHORT VALUE`/`--name VALUE` at *i, or NULL. */
static const ag_shell_word *option_value(const ag_shell_command *command, size_t *i,
                                         const char *names, ag_shell_word *attached)
{
    const ag_shell_word *word = &command->words[*i];
    const char *equals = strchr(word->text, '=');
    if (equals != NULL && word->text[1] == '-'
        && ag_list_contains(names, word->text, (size_t)(equals - word->text))) {
        *attached = *word;
        attached->text = equals + 1;
        attached->length = word->length - (size_t)(equals + 1 - word->text);
        return attached;
    }
    if (is_listed(names, word) && *i + 1 < command->word_count) {
        (*i)++;
        return &command->words[*i];
    }
    return NULL;
}

/* Parses every value of the options in `names` as a shell command. */
static ag_status append_option_scripts(ag_checker *checker, ag_command_list *list, size_t index,
                                       size_t subcommand, const char *names)
{
    for (size_t i = subcommand + 1; i < list->items[index].word_count; i++) {
        ag_shell_word attached;
        const ag_shell_word *value = option_value(&list->items[index], &i, names, &attached);
        if (value == NULL)
            continue;
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        ag_shell_word script = *value;
        ag_status status = ag_unwrap_append_script(checker, list, index, "git", &script);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static ag_status unwrap_subcommand(ag_checker *checker, ag_command_list *list, size_t index,
                                   size_t subcommand)
{
    ag_shell_command *command = &list->items[index];
    const ag_shell_word *name = &command->words[subcommand];
    size_t next = subcommand + 1;

    if (word_is(name, "rebase"))
        return append_option_scripts(checker, list, index, subcommand, "-x --exec");
    if (word_is(name, "filter-branch"))
        return append_option_scripts(checker, list, index, subcommand,
                                     "--env-filter --tree-filter --index-filter --parent-filter "
                                     "--msg-filter --commit-filter --tag-name-filter");
    if (word_is(name, "difftool") || word_is(name, "mergetool"))
        return append_option_scripts(checker, list, index, subcommand, "-x --extcmd");
    if (word_is(name, "grep") || word_is(name, "send-email")) {
        /* -O takes an optional attached pager; any form runs a program. */
        for (size_t i = next; i < command->word_count; i++) {
            const char *text = command->words[i].text;
            if (strncmp(text, "-O", 2) == 0 || strncmp(text, "--open-files-in-pager", 21) == 0
                || strstr(text, "-cmd") != NULL || strncmp(text, "--sendmail", 10) == 0)
                command->flags |= AG_COMMAND_RUNS_CODE;
        }
        return append_option_scripts(checker, list, index, subcommand,
                                     "--open-files-in-pager --to-cmd --cc-cmd --sendmail-cmd");
    }
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
        status = append_canonical(checker, list, index, subcommand);
    if (status == AG_OK)
        status = unwrap_subcommand(checker, list, index, subcommand);
    return status;
}
