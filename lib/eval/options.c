/*
 * Option reading for commands whose options run programs. Every word is
 * read, including those after `--` and those that might be values of
 * options not listed, because reading a value as an option can only find a
 * program that is not there (the request asks), while skipping an option
 * could miss one.
 */
#include <string.h>
#include <strings.h>

#include "eval/options.h"

/* Where ag_options_apply() is, for the helpers that apply one option. */
typedef struct option_reader {
    ag_checker *checker;
    ag_command_list *list;
    size_t index;
    const char *wrapper_name;
} option_reader;

/* Re-read after every append, because appending can move list->items. */
static ag_shell_command *reader_command(const option_reader *reader)
{
    return &reader->list->items[reader->index];
}

static bool has_dynamic_mark(const char *text, size_t length)
{
    return memchr(text, AG_DYNAMIC_MARK, length) != NULL;
}

/* Returns a word for the text at `text`, a suffix of `word`, with the span of `word`. */
static ag_shell_word suffix_word(const ag_shell_word *word, const char *text)
{
    ag_shell_word suffix = *word;
    suffix.text = text;
    suffix.length = word->length - (size_t)(text - word->text);
    suffix.dynamic = has_dynamic_mark(suffix.text, suffix.length);
    return suffix;
}

static bool is_end(const ag_tool_option *option)
{
    return option->letter == 0 && option->name == NULL;
}

static const ag_tool_option *find_letter(const ag_tool_option *options, char letter)
{
    for (const ag_tool_option *option = options; !is_end(option); option++) {
        if (option->letter == letter)
            return option;
    }
    return NULL;
}

/*
 * Returns the option that `--NAME` (length bytes) means: an exact name, else
 * the first watched option that NAME abbreviates, else an unwatched option
 * that NAME abbreviates, else NULL.
 */
static const ag_tool_option *find_long(const ag_tool_option *options, const char *name, size_t length)
{
    const ag_tool_option *abbreviated = NULL;
    for (const ag_tool_option *option = options; !is_end(option); option++) {
        if (option->name == NULL)
            continue;
        size_t option_length = strlen(option->name);
        if (option_length == length && memcmp(option->name, name, length) == 0)
            return option;
        if (length == 0 || length > option_length || memcmp(option->name, name, length) != 0)
            continue;
        if (abbreviated == NULL
            || (abbreviated->action == AG_TOOL_OTHER && option->action != AG_TOOL_OTHER))
            abbreviated = option;
    }
    return abbreviated;
}

static ag_status append_value_script(const option_reader *reader, const ag_shell_word *value)
{
    if (value == NULL)
        return AG_OK;
    return ag_unwrap_append_script(reader->checker, reader->list, reader->index,
                                   reader->wrapper_name, value);
}

/* tar --checkpoint-action: `exec=COMMAND` runs COMMAND through the shell. */
static ag_status apply_tar_action(const option_reader *reader, const ag_shell_word *value)
{
    if (value == NULL)
        return AG_OK;
    if (strncmp(value->text, "exec=", 5) != 0) {
        if (value->dynamic)
            reader_command(reader)->flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    reader_command(reader)->flags |= AG_COMMAND_RUNS_CODE;
    ag_shell_word script = suffix_word(value, value->text + 5);
    return append_value_script(reader, &script);
}

/* scp, sftp, ssh-copy-id and autossh pass -o VALUE to ssh: see ssh_options.c. */
static ag_status apply_ssh_option(const option_reader *reader, const ag_shell_word *value)
{
    if (value == NULL)
        return AG_OK;
    return ag_unwrap_ssh_option(reader->checker, reader->list, reader->index,
                                reader->wrapper_name, value->text, value->length);
}

static bool is_hidden_makefile(const ag_shell_word *value)
{
    return value == NULL || value->dynamic || strcmp(value->text, "-") == 0
           || strncmp(value->text, "/dev/", 5) == 0 || strncmp(value->text, "/proc/", 6) == 0;
}

/*
 * claude --permission-mode: default, plan and dontAsk let the nested agent
 * run only what its rules allow, and any other mode allows more, so the
 * agent runs tools that no rule checked. A mode known only at run time may
 * be any of them.
 */
static void apply_permission_mode(const option_reader *reader, const ag_shell_word *value)
{
    if (value == NULL)
        return;
    bool checked = !value->dynamic
                   && ag_list_contains("default plan dontAsk", value->text, value->length);
    if (!checked)
        reader_command(reader)->flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
}

/* Applies the action of `option` with its value (NULL when it has none). */
static ag_status apply_option(const option_reader *reader, const ag_tool_option *option,
                              const ag_shell_word *value)
{
    ag_shell_command *command = reader_command(reader);
    switch (option->action) {
    case AG_TOOL_OTHER:
        return AG_OK;
    case AG_TOOL_SCRIPT:
        command->flags |= AG_COMMAND_RUNS_CODE;
        return append_value_script(reader, value);
    case AG_TOOL_COMMAND:
        return append_value_script(reader, value);
    case AG_TOOL_PROGRAM:
        command->flags |= AG_COMMAND_RUNS_CODE;
        return AG_OK;
    case AG_TOOL_OPAQUE:
        command->flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
        return AG_OK;
    case AG_TOOL_GIT_CONFIG:
        if (value != NULL && ag_git_key_is_risky(value->text))
            command->flags |= AG_COMMAND_RUNS_CODE;
        return AG_OK;
    case AG_TOOL_PATH_PROGRAM:
        if (value != NULL && (value->dynamic || memchr(value->text, '/', value->length) != NULL))
            command->flags |= AG_COMMAND_RUNS_CODE;
        return AG_OK;
    case AG_TOOL_TAR_ACTION:
        return apply_tar_action(reader, value);
    case AG_TOOL_MAKEFILE:
        if (is_hidden_makefile(value))
            command->flags |= AG_COMMAND_RUNS_CODE;
        return AG_OK;
    case AG_TOOL_SSH_OPTION:
        return apply_ssh_option(reader, value);
    case AG_TOOL_PERMISSION_MODE:
        apply_permission_mode(reader, value);
        return AG_OK;
    }
    return AG_OK;
}

/* Reads `--NAME`, `--NAME=VALUE` or `--NAME VALUE` at *i. */
static ag_status read_long(const option_reader *reader, const ag_tool_option *options, size_t *i)
{
    const ag_shell_word *words = reader_command(reader)->words;
    size_t count = reader_command(reader)->word_count;
    const ag_shell_word *word = &words[*i];
    const char *name = word->text + 2;
    size_t length = strcspn(name, "=");
    if (has_dynamic_mark(name, length)) {
        reader_command(reader)->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    const ag_tool_option *option = find_long(options, name, length);
    if (option == NULL)
        return AG_OK;
    if (name[length] == '=') {
        ag_shell_word value = suffix_word(word, name + length + 1);
        return apply_option(reader, option, &value);
    }
    if (option->value != AG_TOOL_VALUE_REQUIRED || *i + 1 >= count)
        return apply_option(reader, option, NULL);
    (*i)++;
    return apply_option(reader, option, &words[*i]);
}

/* Reads a cluster of short options such as `-ix CMD` or `-xCMD` at *i. */
static ag_status read_short(const option_reader *reader, const ag_tool_option *options, size_t *i)
{
    const ag_shell_word *words = reader_command(reader)->words;
    size_t count = reader_command(reader)->word_count;
    const ag_shell_word *word = &words[*i];
    for (size_t j = 1; j < word->length; j++) {
        char letter = word->text[j];
        if (letter == AG_DYNAMIC_MARK) {
            reader_command(reader)->flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        const ag_tool_option *option = find_letter(options, letter);
        if (option == NULL)
            continue;  /* a letter not listed is read as a flag */
        if (option->value == AG_TOOL_VALUE_NONE) {
            ag_status status = apply_option(reader, option, NULL);
            if (status != AG_OK)
                return status;
            continue;
        }
        if (j + 1 < word->length) {
            ag_shell_word value = suffix_word(word, word->text + j + 1);
            return apply_option(reader, option, &value);
        }
        if (option->value == AG_TOOL_VALUE_OPTIONAL || *i + 1 >= count)
            return apply_option(reader, option, NULL);
        (*i)++;
        return apply_option(reader, option, &words[*i]);
    }
    return AG_OK;
}

static ag_status apply_options(ag_checker *checker, ag_command_list *list, size_t index,
                               size_t first, const ag_tool_option *options,
                               const char *wrapper_name, bool dynamic_is_opaque)
{
    option_reader reader = {checker, list, index, wrapper_name};
    /* After `--` a dynamic word is an operand. */
    bool dynamic_could_be_option = dynamic_is_opaque;
    for (size_t i = first; i < list->items[index].word_count; i++) {
        const char *text = list->items[index].words[i].text;
        ag_status status = AG_OK;
        bool splits = list->items[index].words[i].splits;
        if ((text[0] == AG_DYNAMIC_MARK || splits) && dynamic_could_be_option)
            list->items[index].flags |= AG_COMMAND_OPAQUE;  /* `$OPT`, `a$OPT` could be any option */
        else if (strcmp(text, "--") == 0)
            dynamic_could_be_option = false;
        else if (text[0] == '-' && text[1] == '-')
            status = read_long(&reader, options, &i);
        else if (text[0] == '-' && text[1] != '\0')
            status = read_short(&reader, options, &i);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

ag_status ag_options_apply(ag_checker *checker, ag_command_list *list, size_t index,
                           size_t first, const ag_tool_option *options, const char *wrapper_name)
{
    return apply_options(checker, list, index, first, options, wrapper_name, true);
}

ag_status ag_options_apply_static(ag_checker *checker, ag_command_list *list, size_t index,
                                  size_t first, const ag_tool_option *options,
                                  const char *wrapper_name)
{
    return apply_options(checker, list, index, first, options, wrapper_name, false);
}

ag_status ag_options_apply_bundled(ag_checker *checker, ag_command_list *list, size_t index,
                                   size_t first, const ag_tool_option *options,
                                   const char *wrapper_name, size_t *next)
{
    option_reader reader = {checker, list, index, wrapper_name};
    const ag_shell_word *words = list->items[index].words;
    size_t count = list->items[index].word_count;
    const ag_shell_word *bundle = &words[first];
    *next = first + 1;
    for (size_t j = 0; j < bundle->length; j++) {
        if (bundle->text[j] == AG_DYNAMIC_MARK) {
            reader_command(&reader)->flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        const ag_tool_option *option = find_letter(options, bundle->text[j]);
        if (option == NULL)
            continue;
        const ag_shell_word *value = NULL;
        if (option->value == AG_TOOL_VALUE_REQUIRED && *next < count)
            value = &words[(*next)++];
        ag_status status = apply_option(&reader, option, value);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}
