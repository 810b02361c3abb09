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
 * tree-sitter-bash 0.25.1 reads some reserved words as command words: in
 * `! ! rm -rf ~` the second `!`, in `! { rm -rf ~; }` and `time { ...; }`
 * the `{` (and the closing `}` as a command of its own), and in `time ! rm`
 * the `!`. Bash runs `rm` in each, so the words go, and the command is
 * checked as the one Bash runs. After `time` or `coproc`, an assignment
 * (`time PATH=/x ls`) is read as the command's name; Bash gives it to the
 * command's environment, which the analysis cannot place there, so it goes
 * too and the analysis is incomplete.
 */
void ag_drop_misread_words(ag_walker *walker, ag_shell_command *command)
{
    for (;;) {
        if (command->word_count > 0 && is_plain_word(walker, &command->words[0], "!")) {
            command->words++;
            command->word_count--;
            command->context |= AG_CONTEXT_NEGATED;
            continue;
        }
        if (command->word_count > 0 && (is_plain_word(walker, &command->words[0], "{")
                                        || (command->word_count == 1
                                            && is_plain_word(walker, &command->words[0], "}")))) {
            command->words++;
            command->word_count--;
            continue;
        }
        bool time = command->word_count > 1 && is_plain_word(walker, &command->words[0], "time");
        bool coproc = command->word_count > 1
                      && is_plain_word(walker, &command->words[0], "coproc");
        size_t next = 1;
        while (time && next < command->word_count
               && (is_plain_word(walker, &command->words[next], "-p")
                   || is_plain_word(walker, &command->words[next], "--")))
            next++;
        if ((!time && !coproc) || next >= command->word_count)
            return;
        ag_shell_word *word = &command->words[next];
        if (time && (is_plain_word(walker, word, "!") || is_plain_word(walker, word, "{"))) {
            if (word->text[0] == '!')
                command->context |= AG_CONTEXT_NEGATED;
            remove_word(command, next);
            continue;
        }
        if (word->dynamic || !looks_like_assignment(word))
            return;
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                             "`%s` before the assignment at byte %u reads as a command named "
                             "after it to tree-sitter-bash, but Bash gives the assignment to "
                             "the command's environment; write it as `%s env NAME=VALUE ...`.",
                             command->words[0].text, word->start, command->words[0].text);
        remove_word(command, next);
    }
}

/*
 * Flags a command whose name is a misread compound command that the words
 * cannot describe. tree-sitter-bash 0.25.1 reads `time { { rm x; }; }` and
 * `! { { rm x; }; }` as a command named `{ {`, and `time { function f {
 * rm x; }; f; }` as a command named `function`, while Bash runs `rm x` in
 * both. The wrappers table covers `if`, `while` and `until` instead,
 * because the words after them are the command Bash runs.
 */
void ag_flag_misread_compound(ag_walker *walker, const ag_shell_command *command)
{
    size_t name = 0;
    if (command->word_count > 1 && is_plain_word(walker, &command->words[0], "time")) {
        name = 1;
        while (name < command->word_count
               && (is_plain_word(walker, &command->words[name], "-p")
                   || is_plain_word(walker, &command->words[name], "--")))
            name++;
    }
    if (name >= command->word_count)
        return;

    const ag_shell_word *word = &command->words[name];
    bool open_brace = !word->dynamic && word->text[0] == '{'
                      && (word->text[1] == ' ' || word->text[1] == '\t' || word->text[1] == '\n');
    if (!open_brace && !is_plain_word(walker, word, "function"))
        return;

    ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                         "tree-sitter-bash reads the compound command at byte %u as a "
                         "command named `%s`, so the commands in it are not known.",
                         word->start, word->text);
}
