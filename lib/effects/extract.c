/*
 * Extraction: from the words and redirections of each command, the files it
 * reads and writes, the directories it changes into and the hosts it
 * contacts, following `cd` from one command to the next.
 */
#include <string.h>

#include "effects/effects.h"
#include "effects/internal.h"

/* Span of a word, or of its command when the word lies outside the input (a wrapper's text). */
static void word_span(const ag_extractor *ex, const ag_shell_word *word, uint32_t *start,
                      uint32_t *end)
{
    if (word != NULL && word->start <= word->end && word->end <= ex->input_length
        && word->end > 0) {
        *start = word->start;
        *end = word->end;
        return;
    }
    *start = ex->command->start;
    *end = ex->command->end;
}

ag_status ag_extractor_add(ag_extractor *ex, ag_effect_kind kind, const char *target,
                           const ag_shell_word *word)
{
    if (target == NULL)
        return AG_ERR_NOMEM;
    ag_effect_list *list = ex->out;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity < 8 ? 8 : list->capacity * 2;
        ag_effect *items = ag_arena_alloc(ex->arena, capacity * sizeof(*items));
        if (items == NULL)
            return AG_ERR_NOMEM;
        if (list->count > 0)
            memcpy(items, list->items, list->count * sizeof(*items));
        list->items = items;
        list->capacity = capacity;
    }

    ag_effect *effect = &list->items[list->count++];
    memset(effect, 0, sizeof(*effect));
    effect->kind = kind;
    effect->target = target;
    effect->command = ex->index;
    word_span(ex, word, &effect->start, &effect->end);
    return AG_OK;
}

/* Device files that name a descriptor or discard data: no rule is about them. */
static bool is_exempt_device(const char *text, size_t length)
{
    static const char *const devices[] = {"/dev/null", "/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        if (strlen(devices[i]) == length && memcmp(devices[i], text, length) == 0)
            return true;
    }
    if (length <= 8 || memcmp(text, "/dev/fd/", 8) != 0)
        return false;
    for (size_t i = 8; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
    }
    return true;
}

ag_status ag_extractor_add_path(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word,
                                const char *text, size_t length)
{
    if (is_exempt_device(text, length))
        return AG_OK;
    const char *path = ag_path_normalize(ex->arena, &ex->context, text, length);
    return ag_extractor_add(ex, kind, path, word);
}

ag_status ag_extractor_add_host(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    if (length == 0)
        return AG_OK;
    return ag_extractor_add(ex, AG_EFFECT_NETWORK, ag_arena_strndup(ex->arena, text, length), word);
}

static const char *find_text(const char *text, size_t length, const char *needle)
{
    size_t needle_length = strlen(needle);
    for (size_t i = 0; i + needle_length <= length; i++) {
        if (memcmp(text + i, needle, needle_length) == 0)
            return text + i;
    }
    return NULL;
}

/* Cuts [user@]host[:port] out of an authority, keeping IPv6 brackets' content whole. */
static ag_status add_authority(ag_extractor *ex, const ag_shell_word *word, const char *text,
                               size_t length)
{
    for (size_t i = length; i > 0; i--) {
        if (text[i - 1] == '@') {
            text += i;
            length -= i;
            break;
        }
    }
    if (length > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', length);
        size_t end = close != NULL ? (size_t)(close - text) : length;
        return ag_extractor_add_host(ex, word, text + 1, end > 0 ? end - 1 : 0);
    }
    const char *colon = memchr(text, ':', length);
    return ag_extractor_add_host(ex, word, text, colon != NULL ? (size_t)(colon - text) : length);
}

static size_t authority_length(const char *text, size_t length)
{
    size_t end = 0;
    while (end < length && text[end] != '/' && text[end] != '?' && text[end] != '#')
        end++;
    return end;
}

/*
 * Adds the host of a URL. A file: URL reads its path. Without "scheme://",
 * `bare_host` says whether the text before the first "/" is a host (curl
 * and wget assume http).
 */
ag_status ag_extractor_add_url(ag_extractor *ex, const ag_shell_word *word, bool bare_host)
{
    const char *text = word->text;
    size_t length = word->length;
    const char *separator = find_text(text, length, "://");
    if (separator == NULL) {
        if (!bare_host)
            return AG_OK;
        return add_authority(ex, word, text, authority_length(text, length));
    }

    size_t scheme_length = (size_t)(separator - text);
    const char *rest = separator + 3;
    size_t rest_length = length - scheme_length - 3;
    size_t authority = authority_length(rest, rest_length);
    if (scheme_length == 4 && strncmp(text, "file", 4) == 0) {
        /* file://localhost/x and file:///x both name /x on this machine. */
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, rest + authority,
                                     rest_length - authority);
    }
    if (authority == 0)
        return ag_extractor_add_host(ex, word, "\x01", 1);
    return add_authority(ex, word, rest, authority);
}

/* Returns whether a word is scp's [user@]host:path: a ":" before any "/". */
bool ag_word_is_remote_path(const ag_shell_word *word)
{
    const char *colon = memchr(word->text, ':', word->length);
    if (colon == NULL || colon == word->text)
        return false;
    const char *slash = memchr(word->text, '/', word->length);
    return slash == NULL || slash > colon;
}

ag_status ag_extractor_add_remote_path(ag_extractor *ex, const ag_shell_word *word)
{
    const char *colon = memchr(word->text, ':', word->length);
    return add_authority(ex, word, word->text, (size_t)(colon - word->text));
}

/*
 * The effects of a redirection. Reads and writes of a file count; copying
 * a descriptor (2>&1), heredocs and here-strings open no file.
 */
static ag_status add_redirect(ag_extractor *ex, const ag_shell_redirect *redirect)
{
    const ag_shell_word *target = &redirect->target;
    ag_status status = AG_OK;
    switch (redirect->kind) {
    case AG_REDIRECT_READ:
        return ag_extractor_add_path(ex, AG_EFFECT_READ, target, target->text, target->length);
    case AG_REDIRECT_WRITE:
    case AG_REDIRECT_APPEND:
        return ag_extractor_add_path(ex, AG_EFFECT_WRITE, target, target->text, target->length);
    case AG_REDIRECT_READ_WRITE:
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, target, target->text, target->length);
        if (status == AG_OK)
            status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, target, target->text,
                                           target->length);
        return status;
    case AG_REDIRECT_DUPLICATE:
    case AG_REDIRECT_HEREDOC:
    case AG_REDIRECT_HERESTRING:
        return AG_OK;
    }
    return AG_OK;
}

/* Returns the command name without its directory: /usr/bin/cat is cat. */
static const char *base_name(ag_arena *arena, const ag_shell_word *name)
{
    size_t offset = 0;
    for (size_t i = 0; i < name->length; i++) {
        if (name->text[i] == '/')
            offset = i + 1;
    }
    return ag_arena_strndup(arena, name->text + offset, name->length - offset);
}

/* The effects of one command with the working directory already in ex->context. */
static ag_status extract_command(ag_extractor *ex)
{
    const ag_shell_command *command = ex->command;
    for (size_t i = 0; i < command->redirect_count; i++) {
        ag_status status = add_redirect(ex, &command->redirects[i]);
        if (status != AG_OK)
            return status;
    }
    if (command->word_count == 0 || command->words[0].dynamic)
        return AG_OK;

    const char *name = base_name(ex->arena, &command->words[0]);
    if (name == NULL)
        return AG_ERR_NOMEM;
    const ag_effect_spec *spec = ag_effects_table_find(ex->table, name);
    if (spec == NULL)
        return AG_OK;
    return ag_extract_arguments(ex, spec, command->words + 1, command->word_count - 1);
}

ag_status ag_effects_extract(ag_arena *arena, const ag_effects_table *table,
                             const ag_shell_command *commands, size_t count,
                             const ag_path_context *context, size_t input_length,
                             ag_effect_list *out)
{
    ag_extractor ex = {.arena = arena, .table = table, .out = out, .input_length = input_length};
    ag_directory_tracker tracker;
    ag_status status = ag_directory_tracker_init(&tracker, arena, commands, count, context);

    for (size_t i = 0; i < count && status == AG_OK; i++) {
        ex.command = &commands[i];
        ex.index = i;
        ex.context.home = context->home;
        ex.context.cwd = ag_directory_tracker_cwd(&tracker, i);
        status = extract_command(&ex);
        if (status == AG_OK)
            status = ag_directory_tracker_follow(&tracker, &ex, i);
    }
    return status;
}
