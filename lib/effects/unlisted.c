/*
 * Effects of a program that effects.yaml does not list (`yq . ~/.ssh/config`,
 * `./tool ~/.ssh/id_rsa`). Which of its arguments are files is unknown, so
 * every argument that looks like a path is a possible read and a possible
 * write (ag_effect.possible). A deny rule that matches one gives ask, and
 * a possible write outside the working directories gives no ask on its own.
 * Programs without file effects (echo, kill, sleep) have an empty entry in
 * the table, so they get no effects here.
 */
#include "effects/internal.h"

#include <stdint.h>
#include <string.h>

/* Attached values tried in one short option word (-xf/path) before the value counts as unknown. */
enum { MAX_ATTACHED_STARTS = 8 };

static const char unknown_path[] = {AG_DYNAMIC_MARK, '\0'};

/* Returns whether an argument's text may name a file: it has a '/', starts with '~' or '.', or has an unknown part. */
static bool looks_like_path(const char *text, size_t length)
{
    if (length == 0)
        return false;
    return text[0] == '~' || text[0] == '.' || memchr(text, '/', length) != NULL
           || memchr(text, AG_DYNAMIC_MARK, length) != NULL;
}

/* Adds a possible read and a possible write of `text`, a part of `word`. */
static ag_status add_possible_file(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    static const ag_effect_kind kinds[] = {AG_EFFECT_READ, AG_EFFECT_WRITE};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t first = ex->out->count;
        ag_status status = ag_extractor_add_path(ex, kinds[i], word, text, length);
        if (status != AG_OK)
            return status;
        for (size_t e = first; e < ex->out->count; e++) {
            ex->out->items[e].possible = true;
            ex->out->items[e].unlisted = true;
        }
    }
    return AG_OK;
}

static ag_status add_if_path(ag_extractor *ex, const ag_shell_word *word, const char *text,
                             size_t length)
{
    if (!looks_like_path(text, length))
        return AG_OK;
    return add_possible_file(ex, word, text, length);
}

/* Returns whether text[0, length) is a shell variable name. */
static bool is_name(const char *text, size_t length)
{
    if (length == 0 || (text[0] >= '0' && text[0] <= '9'))
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && c != '_' && !(c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/*
 * Adds the effects of an operand. Bash expands a "~" after the "=" of a word
 * written NAME=VALUE (`prog key=~/.ssh/id_rsa` passes key=/home/u/...), and
 * many programs read such a VALUE as a file, so VALUE counts too.
 */
static ag_status add_operand(ag_extractor *ex, const ag_shell_word *word)
{
    /* An unquoted expansion may split into words that share nothing with the text. */
    if (word->splits)
        return add_possible_file(ex, word, unknown_path, 1);

    ag_status status = add_if_path(ex, word, word->text, word->length);
    const char *equals = memchr(word->text, '=', word->length);
    if (status != AG_OK || equals == NULL || !is_name(word->text, (size_t)(equals - word->text)))
        return status;
    size_t offset = (size_t)(equals - word->text) + 1;
    return add_if_path(ex, word, equals + 1, word->length - offset);
}

/*
 * Adds the effects of the value a short option word may carry (-f/x, -xf/x,
 * -xf.ssh/x). Which letter takes it is unknown, so each value that starts
 * after the first letter and reaches the first '/' counts. A word with an
 * unknown part, or with more such values than MAX_ATTACHED_STARTS, counts
 * as an unknown path.
 */
static ag_status add_short_option(ag_extractor *ex, const ag_shell_word *word)
{
    if (word->dynamic)
        return add_possible_file(ex, word, unknown_path, 1);

    const char *slash = memchr(word->text, '/', word->length);
    if (slash == NULL)
        return AG_OK;
    size_t last = (size_t)(slash - word->text);
    if (last < 2)
        return AG_OK;   /* "-/x" carries no value after a letter */
    if (last - 2 >= MAX_ATTACHED_STARTS)
        return add_possible_file(ex, word, unknown_path, 1);

    for (size_t start = 2; start <= last; start++) {
        ag_status status = add_possible_file(ex, word, word->text + start, word->length - start);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/*
 * Adds the effects of an option word: the VALUE of --name=VALUE, or the
 * value a short option carries. The value of `--name VALUE` is the next
 * word, which counts as an operand.
 */
static ag_status add_option(ag_extractor *ex, const ag_shell_word *word)
{
    if (word->text[1] != '-')
        return add_short_option(ex, word);

    const char *equals = memchr(word->text, '=', word->length);
    if (equals == NULL) {
        /* `--$X` may expand to --name=FILE. */
        return word->dynamic ? add_possible_file(ex, word, unknown_path, 1) : AG_OK;
    }
    size_t offset = (size_t)(equals - word->text) + 1;
    return add_if_path(ex, word, equals + 1, word->length - offset);
}

/* Returns whether `wrapper`, a name such as "sudo" or "conda run", starts with the program `name`. */
static bool names_program(const char *wrapper, const char *name, size_t length)
{
    return wrapper != NULL && strncmp(wrapper, name, length) == 0
           && (wrapper[length] == '\0' || wrapper[length] == ' ');
}

/*
 * Returns the byte where the first command that `command` wraps starts
 * (`timeout 5 ls x` wraps `ls x`, `watch ./run` the script `./run`), or
 * UINT32_MAX when unwrap.c found none. It lists such a command later, flagged
 * as wrapped by this wrapper, one level deeper and inside the wrapper's span.
 * Its words are checked as its own, by its own entry, so they are no
 * arguments of the wrapper here.
 * TODO(unlisted-wrappers): a wrapper's own arguments after the command it
 * runs (`script -c CMD FILE`, `su -c CMD USER`) are dropped with that
 * command's words, so FILE gets no effect, as before this file existed.
 */
static uint32_t wrapped_start(const ag_extractor *ex, const ag_shell_command *command)
{
    const ag_shell_word *program = &command->words[0];
    size_t offset = program->length;
    while (offset > 0 && program->text[offset - 1] != '/')
        offset--;
    const char *name = program->text + offset;
    size_t length = program->length - offset;

    uint32_t start = UINT32_MAX;
    for (size_t i = ex->index + 1; i < ex->command_count; i++) {
        const ag_shell_command *inner = &ex->commands[i];
        bool wraps = (inner->flags & AG_COMMAND_WRAPPED) != 0 && inner->word_count > 0
                     && inner->depth == command->depth + 1 && inner->start >= command->start
                     && inner->end <= command->end
                     && inner->words[0].start > program->start
                     && names_program(inner->wrapper, name, length);
        if (wraps && inner->words[0].start < start)
            start = inner->words[0].start;
    }
    return start;
}

ag_status ag_extractor_add_unlisted(ag_extractor *ex, const ag_shell_command *command)
{
    uint32_t end = wrapped_start(ex, command);
    bool operands_only = false;
    for (size_t i = 1; i < command->word_count && command->words[i].end <= end; i++) {
        const ag_shell_word *word = &command->words[i];
        bool dash_dash = !word->dynamic && strcmp(word->text, "--") == 0;
        ag_status status = AG_OK;
        if (dash_dash && !operands_only)
            operands_only = true;
        else if (!operands_only && word->length > 1 && word->text[0] == '-')
            status = add_option(ex, word);
        else
            status = add_operand(ex, word);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}
