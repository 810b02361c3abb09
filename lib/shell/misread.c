/*
 * Commands that tree-sitter-bash 0.25.1 gives for compound commands it
 * misreads: reserved words read as command words, and assignments and
 * groups behind them. See ag_drop_misread_words() and
 * ag_flag_misread_compound().
 */
#include <string.h>

#include "shell/internal.h"

/* Returns whether `word` is `text` written plainly: no quote, escape or expansion. */
static bool is_plain_word(const ag_walker *walker, const ag_shell_word *word, const char *text)
{
    size_t length = strlen(text);
    return !word->dynamic && word->length == length && strcmp(word->text, text) == 0
           && word->end - word->start == length && word->end <= walker->source_length
           && memcmp(walker->source + word->start, text, length) == 0;
}

/* Returns whether `word` has the form NAME=VALUE or NAME+=VALUE of an assignment. */
static bool looks_like_assignment(const ag_shell_word *word)
{
    const char *text = word->text;
    if (!(text[0] == '_' || (text[0] >= 'A' && text[0] <= 'Z') || (text[0] >= 'a' && text[0] <= 'z')))
        return false;
    size_t i = 1;
    while (text[i] == '_' || (text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')
           || (text[i] >= '0' && text[i] <= '9'))
        i++;
    return text[i] == '=' || (text[i] == '+' && text[i + 1] == '=');
}

static void remove_word(ag_shell_command *command, size_t index)
{
    memmove(&command->words[index], &command->words[index + 1],
            (command->word_count - index - 1) * sizeof(*command->words));
    command->word_count--;
}

/*
 * Returns whether the command's first word is a reserved word that opens or
 * continues a compound command. tree-sitter-bash 0.25.1 gives such a word
 * as a command name only when it misreads the compound command, as in
 * `time if true; then PATH=/x; fi`, which gives a command `then PATH=/x`.
 */
static bool is_misread_reserved_word(const ag_walker *walker, const ag_shell_command *command)
{
    static const char *const words[] = {"then", "do", "else", "elif", "if", "while", "until"};
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
        if (is_plain_word(walker, &command->words[0], words[i]))
            return true;
    }
    return false;
}

/*
 * Drops the leading `!` and `{` words of a command and a lone `}`. Returns
 * the last word dropped, or NULL when there was none.
 */
static const char *drop_group_words(const ag_walker *walker, ag_shell_command *command)
{
    const char *dropped = NULL;
    while (command->word_count > 0) {
        const ag_shell_word *word = &command->words[0];
        bool negation = is_plain_word(walker, word, "!");
        bool brace = is_plain_word(walker, word, "{")
                     || (command->word_count == 1 && is_plain_word(walker, word, "}"));
        if (!negation && !brace)
            break;
        if (negation)
            command->context |= AG_CONTEXT_NEGATED;
        dropped = word->text;
        command->words++;
        command->word_count--;
    }
    return dropped;
}

/*
 * Returns the index of the word after `time [-p] [--] [coproc]` or after
 * `coproc` at the start of a command, or 0 when the command starts with
 * neither.
 */
static size_t skip_time_or_coproc(const ag_walker *walker, const ag_shell_command *command)
{
    if (command->word_count < 2)
        return 0;
    if (is_plain_word(walker, &command->words[0], "coproc"))
        return 1;
    if (!is_plain_word(walker, &command->words[0], "time"))
        return 0;

    size_t next = 1;
    while (next < command->word_count
           && (is_plain_word(walker, &command->words[next], "-p")
               || is_plain_word(walker, &command->words[next], "--")))
        next++;
    if (next + 1 < command->word_count && is_plain_word(walker, &command->words[next], "coproc"))
        next++;
    return next;
}

static void report_misread_assignment(ag_walker *walker, const ag_shell_word *word,
                                      const char *before, bool compound)
{
    if (compound)
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                             "tree-sitter-bash reads `%s` before the assignment at byte %u "
                             "as a command name, but Bash reads a compound command and "
                             "assigns the variable, which the analysis does not check.",
                             before, word->start);
    else
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                             "`%s` before the assignment at byte %u reads as a command named "
                             "after it to tree-sitter-bash, but Bash gives the assignment to "
                             "the command's environment; write it as `%s env NAME=VALUE ...`.",
                             before, word->start, before);
}

/*
 * tree-sitter-bash 0.25.1 reads some reserved words as command words: in
 * `! ! rm -rf ~` the second `!`, in `! { rm -rf ~; }` and `time { ...; }`
 * the `{` (and the closing `}` as a command of its own), and in `time ! rm`
 * the `!`. Bash runs `rm` in each, so the words go, and the command is
 * checked as the one Bash runs. After `time` or `coproc`, an assignment
 * (`time PATH=/x ls`) is read as the command's name; Bash gives it to the
 * command's environment, which the analysis cannot place there, so it goes
 * too and the analysis is incomplete. The same holds for an assignment
 * after `time coproc`, and after a misread `!`, `{`, `then`, `do` or other
 * reserved word (`time if true; then PATH=/x; fi`, `! { PATH=/x; }`),
 * where Bash sets the shell variable.
 */
void ag_drop_misread_words(ag_walker *walker, ag_shell_command *command)
{
    /* A `{` after `time` opens a group, where Bash assigns the variable. */
    bool group = false;
    for (;;) {
        const char *dropped = drop_group_words(walker, command);
        size_t next = skip_time_or_coproc(walker, command);
        bool time = next > 0 && is_plain_word(walker, &command->words[0], "time");
        bool reserved = command->word_count > 1 && is_misread_reserved_word(walker, command);
        if (reserved)
            next = 1;
        if ((next == 0 && dropped == NULL) || next >= command->word_count)
            return;

        ag_shell_word *word = &command->words[next];
        if (time && (is_plain_word(walker, word, "!") || is_plain_word(walker, word, "{"))) {
            if (word->text[0] == '!')
                command->context |= AG_CONTEXT_NEGATED;
            else
                group = true;
            remove_word(command, next);
            continue;
        }
        if (word->dynamic || !looks_like_assignment(word))
            return;

        const char *before = next == 0 ? dropped : command->words[0].text;
        report_misread_assignment(walker, word, before, next == 0 || reserved || group);
        remove_word(command, next);
    }
}

/* Returns whether `word` opens a compound command that tree-sitter-bash read as a word. */
static bool is_misread_compound_word(const ag_walker *walker, const ag_shell_word *word)
{
    bool open_brace = !word->dynamic && word->text[0] == '{'
                      && (word->text[1] == ' ' || word->text[1] == '\t' || word->text[1] == '\n');
    return open_brace || is_plain_word(walker, word, "function");
}

/*
 * Returns the index of the word that names the command after the prefixes
 * `time [-p] [--]` and `coproc [NAME]`, in any order. NAME is skipped only
 * when a misread compound command follows it, because Bash takes a NAME
 * only before a compound command.
 */
static size_t skip_misread_prefixes(const ag_walker *walker, const ag_shell_command *command)
{
    size_t name = 0;
    for (;;) {
        const ag_shell_word *word = &command->words[name];
        if (name + 1 >= command->word_count)
            return name;

        if (is_plain_word(walker, word, "time")) {
            name++;
            while (name + 1 < command->word_count
                   && (is_plain_word(walker, &command->words[name], "-p")
                       || is_plain_word(walker, &command->words[name], "--")))
                name++;
        } else if (is_plain_word(walker, word, "coproc")) {
            name++;
            if (name + 1 < command->word_count
                && is_misread_compound_word(walker, &command->words[name + 1]))
                name++;
        } else {
            return name;
        }
    }
}

/*
 * Flags a command whose name is a misread compound command that the words
 * cannot describe. tree-sitter-bash 0.25.1 reads `time { { rm x; }; }`,
 * `! { { rm x; }; }` and `coproc N { { rm x; }; }` as a command named
 * `{ {`, and `time { function f { rm x; }; f; }` as a command named
 * `function`, while Bash runs `rm x` in each. The wrappers table covers
 * `if`, `while` and `until` instead, because the words after them are the
 * command Bash runs.
 */
void ag_flag_misread_compound(ag_walker *walker, const ag_shell_command *command)
{
    if (command->word_count == 0)
        return;

    const ag_shell_word *word = &command->words[skip_misread_prefixes(walker, command)];
    if (!is_misread_compound_word(walker, word))
        return;

    ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                         "tree-sitter-bash reads the compound command at byte %u as a "
                         "command named `%s`, so the commands in it are not known.",
                         word->start, word->text);
}
