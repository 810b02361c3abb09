/*
 * Extraction: from the words and redirections of each command, the files it
 * reads and writes, the directories it changes into and the hosts it
 * contacts, following `cd` from one command to the next.
 */
#define _XOPEN_SOURCE 700

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    ag_effect *items = ag_arena_grow(ex->arena, list->items, list->count, &list->capacity,
                                     list->count + 1, sizeof(*items));
    if (items == NULL)
        return AG_ERR_NOMEM;
    list->items = items;

    ag_effect *effect = &list->items[list->count++];
    memset(effect, 0, sizeof(*effect));
    effect->kind = kind;
    effect->target = target;
    effect->command = ex->index;
    word_span(ex, word, &effect->start, &effect->end);
    return AG_OK;
}

/*
 * Device files that discard data or name the terminal or a standard stream:
 * no rule is about them. /dev/fd/N for N above 2, like /proc/self/fd/N, may
 * name any file the shell opened, so only 0, 1 and 2 count.
 */
static bool is_exempt_device(const char *text, size_t length)
{
    static const char *const devices[] = {"/dev/null", "/dev/tty", "/dev/stdin", "/dev/stdout",
                                          "/dev/stderr", "/dev/fd/0", "/dev/fd/1", "/dev/fd/2"};
    if (length < 8 || memcmp(text, "/dev/", 5) != 0)
        return false;
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        if (strlen(devices[i]) == length && memcmp(devices[i], text, length) == 0)
            return true;
    }
    return false;
}

static bool is_glob_char(const char *text, size_t length, size_t i)
{
    char c = text[i];
    if (c == '*' || c == '?' || c == '[' || c == '{')
        return true;
    /* Extended globs: +(...), @(...) and !(...); ?(...) and *(...) are caught above. */
    return (c == '+' || c == '@' || c == '!') && i + 1 < length && text[i + 1] == '(';
}

/*
 * Returns `text` with each glob character replaced by AG_DYNAMIC_MARK when
 * the word is dynamic, else `text` itself. Bash expands an unquoted glob in
 * an argument or a redirection target into names on disk, so `~/.ss?/id_rsa`
 * may read ~/.ssh/id_rsa. A word does not record which of its characters were
 * quoted, so every glob character of a dynamic word counts; a word that is
 * not dynamic has only quoted, literal ones. Returns NULL when out of memory.
 */
const char *ag_extractor_mark_globs(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                    size_t length)
{
    if (!word->dynamic)
        return text;
    char *copy = NULL;
    for (size_t i = 0; i < length; i++) {
        if (!is_glob_char(text, length, i))
            continue;
        if (copy == NULL && (copy = ag_arena_strndup(ex->arena, text, length)) == NULL)
            return NULL;
        copy[i] = AG_DYNAMIC_MARK;
    }
    return copy != NULL ? copy : text;
}

static bool has_prefix(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/*
 * Appends the components of `path` to `out` at *used as ag_path_normalize()
 * pushes them: "/" and the component, skipping empty ones and ".". Returns
 * false for a component that only ag_path_normalize() handles: ".." (which
 * may follow a symbolic link on disk) or one with an unknown part.
 */
static bool append_plain_components(char *out, size_t *used, const char *path, size_t length)
{
    if (memchr(path, AG_DYNAMIC_MARK, length) != NULL)
        return false;
    const char *end = path + length;
    for (const char *part = path; part < end;) {
        const char *slash = memchr(part, '/', (size_t)(end - part));
        const char *stop = slash != NULL ? slash : end;
        size_t part_length = (size_t)(stop - part);
        bool dot = part_length == 1 && part[0] == '.';
        if (part_length == 2 && part[0] == '.' && part[1] == '.')
            return false;
        if (part_length > 0 && !dot) {
            out[(*used)++] = '/';
            memcpy(out + *used, part, part_length);
            *used += part_length;
        }
        part = stop + 1;
    }
    return true;
}

/*
 * Joins the components of `directory` (absolute, or "" for the root) and of
 * `path` as ag_path_normalize() does when neither has a ".." or an unknown
 * part. Returns NULL when one has, or when out of memory.
 */
static const char *join_components(ag_arena *arena, const char *directory,
                                   size_t directory_length, const char *path, size_t length)
{
    char *out = ag_arena_alloc(arena, directory_length + length + 3);
    if (out == NULL)
        return NULL;
    size_t used = 0;
    if (!append_plain_components(out, &used, directory, directory_length)
        || !append_plain_components(out, &used, path, length))
        return NULL;
    if (used == 0)
        out[used++] = '/';
    out[used] = '\0';
    return out;
}

/*
 * Returns whether ag_path_normalize() keeps every component of the relative
 * path `path` as it is: none is empty, ".", or "..", and none has an
 * unknown part. memchr() finds the separators, as it is faster than a loop
 * over the bytes.
 */
static bool has_plain_components(const char *path, size_t length)
{
    if (memchr(path, AG_DYNAMIC_MARK, length) != NULL)
        return false;
    const char *end = path + length;
    for (const char *part = path;;) {
        const char *slash = memchr(part, '/', (size_t)(end - part));
        const char *stop = slash != NULL ? slash : end;
        size_t part_length = (size_t)(stop - part);
        if (part_length == 0)
            return false;
        if (part[0] == '.' && (part_length == 1 || (part_length == 2 && part[1] == '.')))
            return false;
        if (slash == NULL)
            return true;
        part = slash + 1;
    }
}

/*
 * Normalizes an absolute path, or a relative one against an absolute cwd,
 * without calling ag_path_normalize() when neither has a ".." or an unknown
 * part, which is nearly every argument. The result is then the same text:
 * the components joined with "/", or "/" when there are none. Returns NULL
 * when ag_path_normalize() has to do it, also when out of memory.
 */
static const char *normalize_plain(ag_extractor *ex, const char *path, size_t length)
{
    if (length == 0 || path[0] == '~')
        return NULL;
    if (path[0] == '/') {
        if (length > 1 && has_plain_components(path + 1, length - 1))
            return ag_arena_strndup(ex->arena, path, length);
        return join_components(ex->arena, "", 0, path, length);
    }
    const char *cwd = ex->context.cwd;
    if (cwd == NULL || cwd[0] != '/')
        return NULL;

    size_t cwd_length = strlen(cwd);
    bool cwd_plain = cwd == ex->plain_cwd || cwd_length == 1
                     || has_plain_components(cwd + 1, cwd_length - 1);
    if (!cwd_plain || !has_plain_components(path, length))
        return join_components(ex->arena, cwd, cwd_length, path, length);
    ex->plain_cwd = cwd;

    /* The root as cwd adds no component of its own: "/" and "x" give "/x". */
    size_t prefix = cwd_length == 1 ? 0 : cwd_length;
    char *out = ag_arena_alloc(ex->arena, prefix + length + 2);
    if (out == NULL)
        return NULL;
    memcpy(out, cwd, prefix);
    out[prefix] = '/';
    memcpy(out + prefix + 1, path, length);
    out[prefix + 1 + length] = '\0';
    return out;
}

/* Returns whether `path` starts with "/dev/" or "/proc/", the only places ag_path_alias_part() finds. */
static bool may_be_alias(const char *path)
{
    return path[0] == '/'
           && ((path[1] == 'd' && path[2] == 'e' && path[3] == 'v' && path[4] == '/')
               || (path[1] == 'p' && has_prefix(path, "/proc/")));
}

/*
 * Returns the part of `path` below a name that a command looked at so far
 * may make a link (ln, cp, mv), or NULL. That link is not on disk yet, so
 * ag_path_resolve() cannot see where it leads.
 */
static const char *below_link(const ag_extractor *ex, const char *path)
{
    for (size_t i = 0; i < ex->link_count; i++) {
        if (ag_path_is_within(path, ex->links[i].path))
            return path + strlen(ex->links[i].path);
    }
    return NULL;
}

/* Normalizes `text` with glob characters and /proc or /dev/fd aliases made unknown. */
static const char *normalize_path(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                  size_t length)
{
    const char *marked = ag_extractor_mark_globs(ex, word, text, length);
    if (marked == NULL)
        return NULL;
    const char *path = normalize_plain(ex, marked, length);
    if (path == NULL)
        path = ag_path_normalize(ex->arena, &ex->context, marked, length);
    const char *alias = path != NULL && may_be_alias(path) ? ag_path_alias_part(path) : NULL;
    if (alias != NULL)
        return ag_arena_printf(ex->arena, "%c%s", AG_DYNAMIC_MARK, alias);
    return path;
}

/*
 * Normalizes `text` as normalize_path() does, and stores in *via_link the
 * part below a link that a command looked at so far may make (or NULL).
 */
static const char *normalize_split(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length, const char **via_link)
{
    *via_link = NULL;
    const char *path = normalize_path(ex, word, text, length);
    if (path != NULL && ex->link_count > 0)
        *via_link = below_link(ex, path);
    return path;
}

const char *ag_extractor_normalize_written(ag_extractor *ex, const ag_shell_word *word,
                                           const char *text, size_t length)
{
    const char *via_link;
    return normalize_split(ex, word, text, length, &via_link);
}

/*
 * Normalizes a directory that later paths of the same command are resolved
 * against (git -C DIR, tar -C DIR). A directory below a link noted so far
 * becomes unknown up to that link.
 */
const char *ag_extractor_normalize(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    const char *via_link;
    const char *path = normalize_split(ex, word, text, length, &via_link);
    if (via_link == NULL)
        return path;
    return ag_arena_printf(ex->arena, "%c%s", AG_DYNAMIC_MARK, via_link);
}

/*
 * Adds a file effect with its path as written. Whether the path lies below
 * a link that another command of the request makes is decided once every
 * command is looked at (mark_new_links()), because the order of the command
 * list is not the order in which the commands run.
 */
/*
 * Returns `text` normalized with its first byte, the mark of $HOME or $PWD
 * (ag_shell_word.first_variable), replaced by the home or the tracked
 * directory, or NULL when that value is unknown or `text` is not the word's
 * whole text.
 */
static const char *variable_path(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                 size_t length)
{
    const char *value = NULL;
    if (word->first_variable == AG_WORD_VARIABLE_HOME)
        value = ex->context.home;
    else if (word->first_variable == AG_WORD_VARIABLE_PWD)
        value = ex->context.cwd;
    if (value == NULL || value[0] != '/' || text != word->text || length == 0)
        return NULL;

    const char *joined = ag_arena_printf(ex->arena, "%s%.*s", value, (int)(length - 1), text + 1);
    if (joined == NULL)
        return NULL;
    return normalize_path(ex, word, joined, strlen(joined));
}

/*
 * Returns whether `text` is a path relative to the request's cwd while that
 * cwd is unknown and no command of the request may change directory. A ".."
 * could leave the cwd, so such a path is not one.
 * NOTE: an operand relative to an unknown `-C DIR` (tar, git) passes too, so
 * a deny rule anchored at the cwd may deny it. That only makes stricter a
 * request that gets ask anyway.
 */
static bool in_unknown_cwd(const ag_extractor *ex, const char *text, size_t length)
{
    if (!ex->unknown_request_cwd || ex->context.cwd != NULL || length == 0 || text[0] == '/'
        || text[0] == '~' || memchr(text, AG_DYNAMIC_MARK, length) != NULL)
        return false;
    for (size_t i = 0; i + 1 < length; i++) {
        if (text[i] == '.' && text[i + 1] == '.')
            return false;
    }
    return true;
}

/* Sets the second form of the effect just added (ag_effect.variable_target), if it has one. */
static void add_variable_target(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    ag_effect *effect = &ex->out->items[ex->out->count - 1];
    if (word->first_variable != AG_WORD_VARIABLE_NONE) {
        effect->variable_target = variable_path(ex, word, text, length);
        return;
    }
    if (!in_unknown_cwd(ex, text, length))
        return;
    ag_path_context unknown = {AG_UNKNOWN_CWD, ex->context.home, NULL, NULL};
    const char *marked = ag_extractor_mark_globs(ex, word, text, length);
    effect->variable_target = marked != NULL
                                  ? ag_path_normalize_lexical(ex->arena, &unknown, marked, length)
                                  : NULL;
    effect->variable_cwd = AG_UNKNOWN_CWD;
}

ag_status ag_extractor_add_path(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word,
                                const char *text, size_t length)
{
    if (is_exempt_device(text, length))
        return AG_OK;
    ag_status status = ag_extractor_add(ex, kind, normalize_path(ex, word, text, length), word);
    if (status != AG_OK)
        return status;

    add_variable_target(ex, word, text, length);
    ag_effect *effect = &ex->out->items[ex->out->count - 1];
    bool relative = length > 0 && text[0] != '/' && text[0] != '~' && text[0] != AG_DYNAMIC_MARK;
    effect->unknown_cwd = relative && ex->request_cwd == NULL
                          && effect->target[0] == AG_DYNAMIC_MARK;
    return AG_OK;
}

ag_status ag_extractor_add_unpack(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                  size_t length)
{
    size_t first = ex->out->count;
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, text, length);
    for (size_t i = first; i < ex->out->count; i++)
        ex->out->items[i].tree = true;
    return status;
}

static const char unknown_host[] = {AG_DYNAMIC_MARK, '\0'};

/*
 * Returns the host as rules see it: %XX decoded (curl and URL parsers decode
 * it), lowercase, and an IP address literal in canonical form
 * (ag_host_canonical_address()). A host with a character no host name has,
 * such as curl's glob characters "{" and ",", a bracketed address that was
 * percent-encoded, or one that looks like an address but is none, becomes
 * the unknown host.
 */
static const char *canonical_host(ag_extractor *ex, const char *text, size_t length)
{
    char *copy = ag_arena_strndup(ex->arena, text, length);
    if (copy == NULL)
        return NULL;
    size_t out = 0;
    bool decoded = false;
    for (size_t i = 0; i < length; i++) {
        if (copy[i] != '%') {
            copy[out++] = copy[i];
            continue;
        }
        if (i + 2 >= length || !isxdigit((unsigned char)copy[i + 1])
            || !isxdigit((unsigned char)copy[i + 2]))
            return unknown_host;
        char hex[3] = {copy[i + 1], copy[i + 2], '\0'};
        copy[out++] = (char)strtol(hex, NULL, 16);
        decoded = true;
        i += 2;
    }
    copy[out] = '\0';
    length = out;
    bool bracketed = length > 0 && copy[0] == '[';
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)copy[i];
        copy[i] = (char)tolower(c);
        if (bracketed && !decoded && (isxdigit(c) || c == ':' || c == '.' || c == '[' || c == ']'))
            continue;
        if (isalnum(c) || c == '-' || c == '_' || c == ':' || c == '.' || c == AG_DYNAMIC_MARK)
            continue;
        return unknown_host;
    }
    if (memchr(copy, AG_DYNAMIC_MARK, length) != NULL)
        return copy;
    char address[AG_HOST_ADDRESS_MAX];
    switch (ag_host_canonical_address(copy, length, address)) {
    case AG_HOST_ADDRESS:
        return ag_arena_strndup(ex->arena, address, strlen(address));
    case AG_HOST_BAD_ADDRESS:
        return unknown_host;
    case AG_HOST_NAME:
        break;
    }
    return copy;
}

ag_status ag_extractor_add_host(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    if (length == 0)
        return AG_OK;
    /* `curl evil.exampl?` names evil.example when a file of that name exists. */
    const char *marked = ag_extractor_mark_globs(ex, word, text, length);
    if (marked == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_add(ex, AG_EFFECT_NETWORK, canonical_host(ex, marked, length), word);
}

ag_status ag_extractor_add_unknown_host(ag_extractor *ex, const ag_shell_word *word)
{
    return ag_extractor_add(ex, AG_EFFECT_NETWORK, unknown_host, word);
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

/* Returns where the host of an authority starts: after the last "@". */
static size_t host_offset(const char *text, size_t length)
{
    for (size_t i = length; i > 0; i--) {
        if (text[i - 1] == '@')
            return i;
    }
    return 0;
}

/*
 * Cuts [user@]host[:port] out of an authority. An IPv6 address keeps its
 * brackets; written without them (ssh ::1) it has two or more ":".
 */
ag_status ag_extractor_add_authority(ag_extractor *ex, const ag_shell_word *word,
                                     const char *text, size_t length)
{
    size_t offset = host_offset(text, length);
    text += offset;
    length -= offset;
    if (length > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', length);
        if (close == NULL)
            return ag_extractor_add_unknown_host(ex, word);
        return ag_extractor_add_host(ex, word, text, (size_t)(close - text) + 1);
    }
    size_t colons = 0;
    for (size_t i = 0; i < length; i++)
        colons += text[i] == ':';
    if (colons >= 2)
        return ag_extractor_add_host(ex, word, text, length);
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
/*
 * A URL that curl expands ({a,b}, [a-z]) contacts unknown hosts, and may
 * read an unknown local file: `file:///x/id_rs[a-a]` and `{file,http}://`.
 */
static ag_status add_globbed_url(ag_extractor *ex, const ag_shell_word *word)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    ag_status status = ag_extractor_add_unknown_host(ex, word);
    if (status == AG_OK)
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
    return status;
}

/* A file: URL without "//" and without a leading "/" names no path that is sure. */
static ag_status add_file_url_path(ag_extractor *ex, const ag_shell_word *word,
                                   const char *path, size_t length)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    if (path[0] != '/')
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
    return ag_extractor_add_path(ex, AG_EFFECT_READ, word, path, length);
}

ag_status ag_extractor_add_url(ag_extractor *ex, const ag_shell_word *word, bool bare_host)
{
    const char *text = word->text;
    size_t length = word->length;
    const char *separator = find_text(text, length, "://");
    /* A "://" after something that is no scheme (host/?x=://y) is no scheme's. */
    for (const char *c = text; separator != NULL && c < separator; c++) {
        if (!isalnum((unsigned char)*c) && strchr("+-.", *c) == NULL)
            separator = NULL;
    }
    if (separator == text)
        separator = NULL;
    const char *authority_start = separator != NULL ? separator + 3 : text;
    size_t authority_size = authority_length(authority_start,
                                             length - (size_t)(authority_start - text));
    if (ex->url_globbing && (separator != NULL || bare_host)) {
        /* curl expands {a,b} and [a-z] anywhere in its URLs, even across "://";
         * only a "[" that opens an IPv6 host is no glob. */
        const char *host = authority_start + host_offset(authority_start, authority_size);
        for (size_t i = 0; i < length; i++) {
            if (text[i] == '{' || (text[i] == '[' && text + i != host))
                return add_globbed_url(ex, word);
        }
    }
    /* curl 7.88 reads file:/x and FILE:/x as /x: a "file:" scheme needs no "//". */
    if (separator == NULL && length > 5 && strncasecmp(text, "file:", 5) == 0)
        return add_file_url_path(ex, word, text + 5, length - 5);
    if (separator == NULL) {
        if (!bare_host)
            return AG_OK;
        return ag_extractor_add_authority(ex, word, text, authority_size);
    }

    size_t scheme_length = (size_t)(separator - text);
    const char *rest = separator + 3;
    size_t rest_length = length - scheme_length - 3;
    size_t authority = authority_length(rest, rest_length);
    /* Schemes are case-insensitive (RFC 3986), and curl reads FILE:///x too. */
    if (scheme_length == 4 && strncasecmp(text, "file", 4) == 0) {
        /* file://localhost/x and file:///x both name /x on this machine. */
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, rest + authority,
                                     rest_length - authority);
    }
    if (authority == 0)
        return ag_extractor_add_host(ex, word, "\x01", 1);
    return ag_extractor_add_authority(ex, word, rest, authority);
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
    /* [::1]:path names an IPv6 host; git and scp also read [user@host]:path and
     * [host:port]:path, the brackets around the whole authority. */
    const char *close = memchr(word->text, ']', word->length);
    if (word->text[0] == '[' && close != NULL && close[1] == ':') {
        char address[AG_HOST_ADDRESS_MAX];
        size_t inner_length = (size_t)(close - word->text) - 1;
        if (ag_host_canonical_address(word->text, inner_length + 2, address) == AG_HOST_ADDRESS)
            return ag_extractor_add_host(ex, word, word->text, inner_length + 2);
        return ag_extractor_add_authority(ex, word, word->text + 1, inner_length);
    }
    const char *colon = memchr(word->text, ':', word->length);
    return ag_extractor_add_authority(ex, word, word->text, (size_t)(colon - word->text));
}

/*
 * Adds the host of a /dev/tcp/HOST/PORT or /dev/udp/HOST/PORT redirection
 * target, which Bash opens as a socket, not a file (it matches the expanded
 * name against "/dev/tcp/" "*" "/" "*"). Sets *socket when the target is
 * surely such a name, so it is no file. A target with an unknown part that
 * may spell such a name contacts an unknown host and may still be a file.
 */
static ag_status add_socket(ag_extractor *ex, const ag_shell_word *target, bool *socket)
{
    *socket = false;
    const char *text = ag_extractor_mark_globs(ex, target, target->text, target->length);
    if (text == NULL)
        return AG_ERR_NOMEM;

    static const char *const prefixes[] = {"/dev/tcp/", "/dev/udp/"};
    for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
        const char *prefix = prefixes[p];
        size_t i = 0;
        while (prefix[i] != '\0' && text[i] == prefix[i])
            i++;
        if (prefix[i] != '\0' && text[i] == AG_DYNAMIC_MARK)
            return ag_extractor_add_host(ex, target, "\x01", 1);
        if (prefix[i] != '\0')
            continue;

        const char *host = text + i;
        const char *slash = strchr(host, '/');
        const char *mark = strchr(host, AG_DYNAMIC_MARK);
        if (slash == NULL && mark == NULL)
            return AG_OK;       /* no port: Bash opens it as a file */
        *socket = slash != NULL;
        if (mark != NULL && (slash == NULL || mark < slash))
            return ag_extractor_add_host(ex, target, "\x01", 1);
        return ag_extractor_add_host(ex, target, host, (size_t)(slash - host));
    }
    return AG_OK;
}

/*
 * The effects of a redirection. Reads and writes of a file count, and
 * /dev/tcp and /dev/udp names contact a host; copying a descriptor (2>&1),
 * heredocs and here-strings open no file.
 */
static ag_status add_redirect(ag_extractor *ex, const ag_shell_redirect *redirect)
{
    const ag_shell_word *target = &redirect->target;
    ag_status status = AG_OK;
    bool socket = false;
    if (redirect->kind != AG_REDIRECT_DUPLICATE && redirect->kind != AG_REDIRECT_HEREDOC
        && redirect->kind != AG_REDIRECT_HERESTRING)
        status = add_socket(ex, target, &socket);
    if (status != AG_OK || socket)
        return status;
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
    if (memchr(name->text, '/', name->length) != NULL) {
        for (size_t i = 0; i < name->length; i++) {
            if (name->text[i] == '/')
                offset = i + 1;
        }
    }
    /* The base name of a NUL-terminated word is NUL-terminated already. */
    if (name->text[name->length] == '\0')
        return name->text + offset;
    return ag_arena_strndup(arena, name->text + offset, name->length - offset);
}

/* The effects of one command with the working directory already in ex->context. */
static const char unknown_path[] = {AG_DYNAMIC_MARK, '\0'};

/*
 * A command whose name is known only when it runs (`$X f`, `c{a,b}t f`,
 * `cat* f`) may be any program, so it may read or write any file and contact
 * any host. One possible effect of each kind with an unknown target gives
 * every deny and ask rule on files and hosts at least MAYBE.
 */
static ag_status add_unknown_program(ag_extractor *ex, const ag_shell_command *command)
{
    static const ag_effect_kind kinds[] = {AG_EFFECT_READ, AG_EFFECT_WRITE, AG_EFFECT_NETWORK};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        ag_status status = ag_extractor_add(ex, kinds[i], unknown_path, &command->words[0]);
        if (status != AG_OK)
            return status;
        ex->out->items[ex->out->count - 1].possible = true;
    }
    return AG_OK;
}

/* Returns whether a short option cluster such as `-rn` contains one of the letters in `letters`. */
static bool cluster_has(const char *word, const char *letters)
{
    if (word[0] != '-' || word[1] == '-' || word[1] == '\0')
        return false;
    return strpbrk(word + 1, letters) != NULL;
}

static const ag_effect_spec *find_module_entry(const ag_effect_spec *spec,
                                               const ag_shell_word *word)
{
    for (size_t i = 0; word != NULL && !word->dynamic && i < spec->module_count; i++) {
        const char *name = spec->modules[i].name;
        if (strlen(name) == word->length && memcmp(name, word->text, word->length) == 0)
            return &spec->modules[i];
    }
    return NULL;
}

/*
 * Finds the entry of the module that `python -m NAME` (also `-mNAME` and
 * `-Im NAME`) runs, reading the options before it as the command's entry
 * lists them, and stores in *next the index of the first word after NAME.
 * Returns NULL when no -m comes before the script, `-c` or `--`, when a
 * word before it is known only at run time, or when the table lists no
 * entry for NAME. Stores NAME in *module when there is one, and leaves
 * *module alone otherwise.
 */
static const ag_effect_spec *find_module(const ag_effect_spec *spec,
                                         const ag_shell_command *command, size_t *next,
                                         ag_shell_word *module)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic || word->text[0] != '-' || word->length < 2
            || strcmp(word->text, "--") == 0)
            return NULL;
        if (word->text[1] == '-') {
            const char *equals = strchr(word->text, '=');
            size_t length = equals != NULL ? (size_t)(equals - word->text) : word->length;
            const ag_effect_option *option = ag_effect_option_find(spec, word->text, length);
            if (option != NULL && ag_effect_option_takes_value(option) && equals == NULL)
                i++;
            continue;
        }
        for (size_t j = 1; j < word->length; j++) {
            bool attached = j + 1 < word->length;
            if (word->text[j] == 'm') {
                ag_shell_word name = *word;
                name.text += j + 1;
                name.length -= j + 1;
                *next = attached ? i + 1 : i + 2;
                if (attached)
                    *module = name;
                else if (i + 1 < command->word_count)
                    *module = command->words[i + 1];
                return find_module_entry(spec, module->text != NULL ? module : NULL);
            }
            char letter[3] = {'-', word->text[j], '\0'};
            const ag_effect_option *option = ag_effect_option_find(spec, letter, 2);
            if (option == NULL || !ag_effect_option_takes_value(option))
                continue;
            if (option->kind == AG_OPTION_END)
                return NULL;
            i += attached ? 0 : 1;
            break;
        }
    }
    return NULL;
}

/*
 * Returns whether `word` gives `option`: a long option alone or with
 * "=VALUE", a short one also inside a cluster (-rN for -r). A word known
 * only at run time may be any option.
 */
static bool gives_option(const ag_shell_word *word, const char *option)
{
    if (word->dynamic)
        return true;
    const char *text = word->text;
    /* A quick test first: the lists hold every abbreviation of their long options. */
    if (option[1] == '-' && (text[0] != '-' || text[1] != '-' || text[2] != option[2]))
        return false;
    size_t length = strlen(option);
    if (option[1] != '-' && length == 2)
        return cluster_has(text, option + 1);
    return strncmp(text, option, length) == 0 && (text[length] == '\0' || text[length] == '=');
}

/*
 * Returns whether a word known only at run time may expand to no word at
 * all, or to words that start with '-': one that starts with a parameter,
 * a substitution or a glob (which matches nothing under nullglob). A word
 * that starts with a literal character, or with "~", is at least one word.
 * arguments.c's may_be_option() reads words the same way.
 */
static bool may_vanish(const ag_shell_word *word)
{
    static const char starts[] = {'-', '*', '?', '[', '{', '@', '+', '!', AG_DYNAMIC_MARK, '\0'};
    return word->dynamic && word->text[0] != '\0' && strchr(starts, word->text[0]) != NULL;
}

/* What scan_operands() finds in the words of a command. */
typedef struct operand_scan {
    size_t operands;            /* operands, the program text (grep's pattern) included */
    bool vanishes;              /* an operand may expand to no word at all */
    bool script_given;          /* an option gave the program text (grep -e), so no operand is it */
    size_t end;                 /* the index of an `end` option (fd -x), or the word count */
    size_t subcommand;          /* the index of the word naming a subcommand, or the word count */
    size_t possible_values;     /* operands that may be the value of the option before */
    /* The subcommand came after operands, so the entry's own reading counts too. */
    bool subcommand_after_operands;
} operand_scan;

/*
 * Returns whether the long option `name`, listed nowhere, starts a listed
 * option that takes a value: GNU tools read --max-c as --max-count. Its
 * value is then the next word, so one operand fewer is a path, which can
 * only add a read of the working directory.
 */
static bool abbreviates_value_option(const ag_effect_spec *spec, const char *name, size_t length)
{
    for (size_t i = 0; i < spec->option_count; i++) {
        const ag_effect_option *option = &spec->options[i];
        if (strncmp(option->name, name, length) == 0 && ag_effect_option_takes_value(option))
            return true;
    }
    return false;
}

/*
 * Returns whether the option word `word` takes the next word as its value,
 * as parse_short() and parse_long() in arguments.c read it, and notes a
 * program text or an end of the command's own words in `scan`.
 */
static bool option_takes_next(const ag_effect_spec *spec, const ag_shell_word *word,
                              operand_scan *scan, size_t index)
{
    const ag_effect_option *option = NULL;
    bool attached = false;
    if (word->text[1] == '-' || spec->single_dash_long) {
        const char *equals = memchr(word->text, '=', word->length);
        size_t length = equals != NULL ? (size_t)(equals - word->text) : word->length;
        option = ag_effect_option_find(spec, word->text, length);
        attached = equals != NULL;
        if (option == NULL && !attached && word->text[1] == '-')
            return abbreviates_value_option(spec, word->text, length);
    } else {
        for (size_t j = 1; j < word->length && option == NULL; j++) {
            char name[3] = {'-', word->text[j], '\0'};
            const ag_effect_option *letter = ag_effect_option_find(spec, name, 2);
            if (letter != NULL && letter->kind == AG_OPTION_OPTIONAL_VALUE)
                break;
            if (letter != NULL && ag_effect_option_takes_value(letter)) {
                option = letter;
                attached = j + 1 < word->length;
            }
        }
    }
    if (option != NULL && option->kind == AG_OPTION_NO_SCRIPT)
        scan->script_given = true;
    if (option == NULL || !ag_effect_option_takes_value(option))
        return false;
    scan->script_given = scan->script_given || option->kind == AG_OPTION_SCRIPT;
    if (option->kind == AG_OPTION_END)
        scan->end = index;
    return !attached;
}

/*
 * Notes in `scan` the subcommand that the operand `word` at `index` names,
 * as parse_arguments() in arguments.c finds it. Returns whether the scan
 * ends there: at a subcommand that the first operand names, or at a first
 * operand that names none when the search for one stops at it.
 */
static bool ends_subcommand_search(const ag_effect_spec *spec, const ag_shell_word *word,
                                   bool may_be_value, operand_scan *scan, size_t index)
{
    if (scan->subcommand_after_operands
        || !ag_effect_subcommand_search_passes(spec, scan->operands, scan->possible_values))
        return false;

    bool named = ag_effect_subcommand_find(spec, word) != NULL;
    if (scan->operands == 0) {
        bool searches_on = ag_effect_subcommand_search_passes(spec, 1, may_be_value ? 1 : 0);
        if (named || !searches_on)
            scan->subcommand = index;
        return named || !searches_on;
    }
    if (named) {
        scan->subcommand = index;
        scan->subcommand_after_operands = true;
    }
    return false;
}

/*
 * Counts the operands of `words` as parse_arguments() in arguments.c reads
 * them with the table entry `spec`, up to an `end` option or the word that
 * names a subcommand. A subcommand named after operands does not end the
 * count, because the entry's own reading of the words counts too.
 */
static void scan_operands(const ag_effect_spec *spec, const ag_shell_word *words, size_t count,
                          operand_scan *scan)
{
    *scan = (operand_scan){.end = count, .subcommand = count};
    bool options_done = false;
    bool saw_option = false;
    bool expression = false;
    bool value_may_follow = false;
    for (size_t i = 0; i < count && scan->end == count; i++) {
        const ag_shell_word *word = &words[i];
        bool may_be_value = value_may_follow;
        value_may_follow = false;
        if (!options_done && !word->dynamic && strcmp(word->text, "--") == 0) {
            options_done = true;
        } else if (!options_done && word->length > 1 && word->text[0] == '-') {
            saw_option = true;
            /* find's expression (-name, -exec) ends its paths; -H, -L, -P, -D and -O do not. */
            expression = expression || (spec->stop_at_option && word->length > 2);
            value_may_follow = spec->subcommand_count > 0
                               && ag_effect_option_may_take_next(spec, word);
            i += option_takes_next(spec, word, scan, i);
        } else if (spec->stop_at_option && saw_option && (scan->operands > 0 || expression)) {
            continue;
        } else if (ends_subcommand_search(spec, word, may_be_value, scan, i)) {
            return;
        } else {
            scan->operands++;
            scan->possible_values += may_be_value;
            scan->vanishes = scan->vanishes || may_vanish(word);
            options_done = options_done || spec->options_first;
        }
    }
}

const ag_effect_spec *ag_effect_find_subcommand(const ag_effect_spec *spec,
                                                const ag_shell_word *words, size_t count,
                                                size_t *index)
{
    operand_scan scan;
    scan_operands(spec, words, count, &scan);
    *index = scan.subcommand;
    return scan.subcommand < count ? ag_effect_subcommand_find(spec, &words[scan.subcommand])
                                   : NULL;
}

/*
 * Returns whether one of `words` gives one of `options` (gives_option()), up
 * to "--". When `dynamic_counts`, a word that may expand to an option counts
 * as any of them.
 */
static bool gives_any_option(const ag_shell_word *words, size_t count,
                             const ag_word_list *options, bool dynamic_counts)
{
    for (size_t i = 0; i < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            return false;
        if (words[i].dynamic && !(dynamic_counts && may_vanish(&words[i])))
            continue;
        /* gives_option() matches a literal word only when it starts with '-'. */
        bool literal = !words[i].dynamic;
        const char *text = words[i].text;
        if (literal && text[0] != '-')
            continue;
        for (size_t j = 0; j < options->count; j++) {
            /*
             * The first test of gives_option(), made here for the many long
             * options: a literal word gives a long option only when it
             * starts with "--" and has the option's third byte.
             */
            const char *option = options->items[j];
            if (literal && option[1] == '-' && (text[1] != '-' || text[2] != option[2]))
                continue;
            if (gives_option(&words[i], option))
                return true;
        }
    }
    return false;
}

/*
 * Returns whether `spec` searches its working directory when it names no
 * path: a tree reader whose operands are an optional program text and then
 * paths ([read...] or [script, read...]), such as grep -r, rg, ag, ack,
 * find, fd and git grep. tar, cp, zip and the like fail without a path.
 */
static bool searches_cwd_by_default(const ag_effect_spec *spec)
{
    size_t count = spec->operand_count;
    if (spec->tree != AG_TREE_READ || spec->handler != AG_HANDLER_NONE || spec->has_last
        || spec->remote_operands || !spec->repeat_last || count == 0
        || spec->operands[count - 1] != AG_ROLE_READ)
        return false;
    return count == 1 || (count == 2 && spec->operands[0] == AG_ROLE_SCRIPT);
}

/*
 * Adds a read of the tree below `path` by the command: the working directory
 * for ".", or anywhere for unknown_path. With `follows`, the walk follows
 * the symbolic links in the tree.
 */
static ag_status add_tree_read(ag_extractor *ex, const char *path, bool follows)
{
    const ag_shell_word *name = &ex->command->words[0];
    ag_status status = path == unknown_path
                           ? ag_extractor_add(ex, AG_EFFECT_READ, unknown_path, name)
                           : ag_extractor_add_path(ex, AG_EFFECT_READ, name, path, strlen(path));
    if (status != AG_OK)
        return status;
    ag_effect *effect = &ex->out->items[ex->out->count - 1];
    effect->tree = true;
    effect->follows_links = follows;
    return AG_OK;
}

/* Returns whether a word after words[end], an `end` option, is ";" with more words after it. */
static bool resumes_after_end(const ag_shell_word *words, size_t count, size_t end)
{
    for (size_t i = end + 1; i + 1 < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, ";") == 0)
            return true;
    }
    return false;
}

/*
 * Adds the read of the working directory's tree by a tree reader that names
 * no path (`grep -r x`, `rg x`, `find -name x`), which GNU grep 2.11 and
 * later, rg, ag, ack, find, fd and git grep search then. An operand that may
 * expand to no word at all may leave no path, so it counts too. `words`
 * follow the command name, and a subcommand (git grep) is looked up as
 * parse_arguments() does.
 */
static ag_status read_default_tree(ag_extractor *ex, const ag_effect_spec *spec,
                                   const ag_shell_word *words, size_t count)
{
    operand_scan scan;
    scan_operands(spec, words, count, &scan);
    if (scan.subcommand < count) {
        const ag_effect_spec *subcommand = ag_effect_subcommand_find(spec, &words[scan.subcommand]);
        size_t next = scan.subcommand + 1;
        ag_status status = subcommand != NULL
                               ? read_default_tree(ex, subcommand, words + next, count - next)
                               : AG_OK;
        if (status != AG_OK || !scan.subcommand_after_operands)
            return status;
    }
    if (!searches_cwd_by_default(spec))
        return AG_OK;
    if (spec->tree_options.count > 0
        && !gives_any_option(words, count, &spec->tree_options, true))
        return AG_OK;

    bool follows = spec->follows_links
                   && (spec->follow_options.count == 0
                       || gives_any_option(words, count, &spec->follow_options, true))
                   && !gives_any_option(words, count, &spec->no_follow_options, false);
    /* fd -x CMD ; PATH: fd reads its own words again after the ";" that ends CMD. */
    ag_status status = AG_OK;
    if (scan.end < count && resumes_after_end(words, count, scan.end))
        status = add_tree_read(ex, unknown_path, follows);
    size_t program = spec->operands[0] == AG_ROLE_SCRIPT && !scan.script_given ? 1 : 0;
    if (status == AG_OK && (scan.operands <= program || scan.vanishes))
        status = add_tree_read(ex, ".", follows);
    return status;
}

/*
 * Notes a command named by a path (./run, bin/rails) as running that file,
 * so that a write of it by another command of the request gets ask. A name
 * without '/' is looked up in PATH (lookup.c), except for the
 * declaration and test commands, which are builtins.
 */
static ag_status note_program_path(ag_extractor *ex, const ag_shell_word *name)
{
    if (memchr(name->text, '/', name->length) == NULL) {
        if (ex->command->keyword != NULL)
            return AG_OK;
        return ag_extractor_note_path_name(ex, name) ? AG_OK : AG_ERR_NOMEM;
    }
    const char *path = ag_extractor_normalize_written(ex, name, name->text, name->length);
    if (path == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_note_program(ex, path) && ag_extractor_note_interpreters(ex, path)
               ? AG_OK
               : AG_ERR_NOMEM;
}

/*
 * Notes the files that `python -m NAME` may run from the working directory,
 * which comes first on sys.path: for NAME a.b, a.py, a/__init__.py, a/b.py,
 * a/b/__init__.py and a/b/__main__.py. A write of one of them by another
 * command of the request then gets ask, even for a standard module (pip) that
 * the file shadows. A NAME known only at run time may be any file.
 */
ag_status ag_extractor_note_module_files(ag_extractor *ex, const ag_shell_word *word,
                                         const char *text, size_t length)
{
    ag_shell_word part = *word;
    part.text = text;
    part.length = length;
    const ag_shell_word *name = &part;
    if (name->dynamic)
        return ag_extractor_note_program(ex, unknown_path) ? AG_OK : AG_ERR_NOMEM;

    static const char *const suffixes[] = {".py", "/__init__.py", "/__main__.py"};
    for (size_t end = 0; end <= name->length; end++) {
        if (end < name->length && name->text[end] != '.')
            continue;
        for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
            char *path = ag_arena_printf(ex->arena, "%.*s%s", (int)end, name->text, suffixes[s]);
            if (path == NULL)
                return AG_ERR_NOMEM;
            for (char *c = path; *c != '\0' && c < path + end; c++)
                *c = *c == '.' ? '/' : *c;
            const char *normal = ag_extractor_normalize_written(ex, name, path, strlen(path));
            if (normal == NULL || !ag_extractor_note_program(ex, normal))
                return AG_ERR_NOMEM;
        }
    }
    return ag_extractor_note_venv_module(ex, name->text, name->length);
}

/*
 * Adds the effects of the command at ex->index and stores in *links the entry
 * whose link keys apply to it: the command's, or its module's (python -m
 * tarfile), or NULL when the table has no entry.
 */
static ag_status extract_command(ag_extractor *ex, const ag_effect_spec **links)
{
    const ag_shell_command *command = ex->command;
    *links = NULL;
    for (size_t i = 0; i < command->redirect_count && !ex->redirects_apart; i++) {
        ag_status status = add_redirect(ex, &command->redirects[i]);
        if (status != AG_OK)
            return status;
    }
    ag_status status = ag_extractor_note_path_assignments(ex);
    if (status != AG_OK || command->word_count == 0)
        return status;
    if (command->words[0].dynamic)
        return add_unknown_program(ex, command);
    status = note_program_path(ex, &command->words[0]);
    if (status != AG_OK)
        return status;

    const char *name = base_name(ex->arena, &command->words[0]);
    if (name == NULL)
        return AG_ERR_NOMEM;
    const ag_effect_spec *spec = ag_effects_table_find(ex->table, name);
    if (spec == NULL)
        return ag_extractor_add_unlisted(ex, command);
    status = ag_extract_arguments(ex, spec, command->words + 1, command->word_count - 1);
    if (status == AG_OK)
        status = read_default_tree(ex, spec, command->words + 1, command->word_count - 1);
    *links = spec;

    size_t next = 0;
    ag_shell_word module_name = {0};
    const ag_effect_spec *module =
        spec->module_count > 0 ? find_module(spec, command, &next, &module_name) : NULL;
    if (status == AG_OK && module_name.text != NULL)
        status = ag_extractor_note_module_files(ex, &module_name, module_name.text,
                                                module_name.length);
    if (status != AG_OK || module == NULL)
        return status;
    *links = module;
    return ag_extract_arguments(ex, module, command->words + next,
                                next < command->word_count ? command->word_count - next : 0);
}

/* Returns whether a cp command makes symbolic links (-s, --symbolic-link) in place of copies. */
static bool copies_as_links(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (strcmp(word->text, "--") == 0)
            return false;
        if (strcmp(word->text, "--symbolic-link") == 0
            || (word->text[0] == '-' && word->text[1] != '-' && strchr(word->text, 's') != NULL))
            return true;
    }
    return false;
}

/* Returns whether the entry's makes_links applies: always, or with one of its makes_links_with options. */
static bool makes_links_now(const ag_effect_spec *spec, const ag_shell_command *command)
{
    if (spec->makes_links == AG_LINKS_NONE)
        return false;
    if (spec->link_option_count == 0)
        return true;
    for (size_t i = 1; i < command->word_count; i++) {
        if (!command->words[i].dynamic && strcmp(command->words[i].text, "--") == 0)
            return false;
        for (size_t j = 0; j < spec->link_option_count; j++) {
            if (gives_option(&command->words[i], spec->link_options[j]))
                return true;
        }
    }
    return false;
}

/*
 * Adds a path at or under which the command at ex->index may make a link.
 * `repeats_through` is set when the command's own write of the path, if it
 * runs again, goes through that link.
 */
static bool note_link_name(ag_extractor *ex, const char *path, bool repeats_through)
{
    ag_link_name *links = ag_arena_grow(ex->arena, ex->links, ex->link_count, &ex->link_capacity,
                                        ex->link_count + 1, sizeof(*links));
    if (links == NULL)
        return false;
    ex->links = links;
    ex->links[ex->link_count++] = (ag_link_name){path, ex->index, repeats_through};
    return true;
}

/*
 * Returns whether a command may run more than once in the request: in a
 * loop body, a loop or if condition, or a function body. Its second run
 * may then go through a link its first run made.
 */
static bool may_repeat(const ag_shell_command *command)
{
    return (command->context & (AG_CONTEXT_LOOP | AG_CONTEXT_CONDITION | AG_CONTEXT_FUNCTION)) != 0;
}

/*
 * Returns whether ln, link or cp -s may make a link anywhere: an argument
 * that may split may also be the destination (`echo ~/.ssh /tmp/k | xargs ln
 * -s` gives ln a trailing word known only at run time).
 */
static bool links_anywhere(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        if (may_vanish(&command->words[i]))
            return true;
    }
    return false;
}

/*
 * Records the links the command at ex->index may create, as the `makes_links`
 * key of its table entry `spec` sets them: the paths it wrote (from effect
 * `first` on), and its working directory for git when it writes, because
 * `git checkout BRANCH` rewrites the work tree without naming a path, and
 * always for ln, link and cp -s, which may make a link whose name is not
 * written out (ln -s DIR makes ./DIR's last name). mark_new_links() then
 * marks the paths of the other commands at or under a recorded path. A
 * written path that is itself unknown may be anywhere, and so may the
 * working directory when it is unknown: then "/" is recorded.
 */
static ag_status note_links(ag_extractor *ex, const ag_effect_spec *spec, size_t first)
{
    const ag_shell_command *command = ex->command;
    const char *cwd = ex->context.cwd != NULL ? ex->context.cwd : "/";
    if (command->word_count == 0)
        return AG_OK;
    /* A name known only when it runs may be ln. */
    if (command->words[0].dynamic)
        return note_link_name(ex, cwd, false) ? AG_OK : AG_ERR_NOMEM;
    if (spec == NULL || !makes_links_now(spec, command))
        return AG_OK;
    /* cp -s is a flag of cp, which the table's makes_links cannot tell apart from plain cp. */
    bool names_cwd = spec->makes_links == AG_LINKS_CWD
                     || (strcmp(spec->name, "cp") == 0 && copies_as_links(command));
    if (names_cwd && !note_link_name(ex, links_anywhere(command) ? "/" : cwd, false))
        return AG_ERR_NOMEM;

    /* Run again, `ln -s ~/.ssh k` writes k/.ssh through the link k it made. */
    bool repeats_through = names_cwd && may_repeat(command);
    bool writes = false;
    for (size_t i = first; i < ex->out->count; i++) {
        const ag_effect *effect = &ex->out->items[i];
        if (effect->kind != AG_EFFECT_WRITE)
            continue;
        writes = true;
        if (!note_link_name(ex, effect->target[0] == '/' ? effect->target : "/", repeats_through))
            return AG_ERR_NOMEM;
    }
    if (writes && spec->makes_links == AG_LINKS_WORK_TREE && !note_link_name(ex, cwd, false))
        return AG_ERR_NOMEM;
    return AG_OK;
}

/*
 * Returns whether `command` is a plain command of the top-level shell: not
 * behind a wrapper, not in a substitution, subshell, function, loop,
 * condition, background job or heredoc. Such a command runs once, in text
 * order, and the shell waits for it.
 */
static bool runs_once_in_order(const ag_shell_command *command)
{
    return (command->flags & AG_COMMAND_WRAPPED) == 0 && command->depth == 0
           && (command->context & ~(unsigned)AG_CONTEXT_NEGATED) == 0;
}

/*
 * Returns the command at `index` when it runs once in order. When it runs
 * in a command substitution (also in a heredoc body) of such a command, as
 * in `x=$(head f)`, returns that outer command instead, because the shell
 * expands the substitution and waits for it before it starts the outer
 * command. Returns NULL otherwise.
 */
static const ag_shell_command *in_order_command(const ag_extractor *ex, size_t index)
{
    const ag_shell_command *command = &ex->commands[index];
    if (runs_once_in_order(command))
        return command;
    const unsigned expanded = AG_CONTEXT_SUBSTITUTION | AG_CONTEXT_HEREDOC | AG_CONTEXT_NEGATED;
    if ((command->flags & AG_COMMAND_WRAPPED) != 0 || (command->context & ~expanded) != 0)
        return NULL;
    for (size_t i = 0; i < ex->command_count; i++) {
        const ag_shell_command *outer = &ex->commands[i];
        if (i != index && runs_once_in_order(outer) && outer->start <= command->start
            && command->end <= outer->end)
            return outer;
    }
    return NULL;
}

/*
 * Returns whether the command at `first` ends before the command at
 * `second` starts and does not run again after it. Both must run once in
 * order (`first` may be in a substitution of such a command), and `first`
 * must come first in the text. They must not be members of one pipeline,
 * because those run at the same time.
 */
static bool runs_before(const ag_extractor *ex, size_t first, size_t second)
{
    const ag_shell_command *earlier = in_order_command(ex, first);
    const ag_shell_command *later = &ex->commands[second];
    return earlier != NULL && runs_once_in_order(later) && earlier->pipeline != later->pipeline
           && earlier->end <= later->start;
}

/*
 * Returns whether the commands at `a` and `b` are one process: a command and
 * the copy of it without its global options (git --no-pager checkout as
 * git checkout), which has the same span. A link one of them makes is its
 * own link for the other too.
 */
static bool same_process(const ag_extractor *ex, size_t a, size_t b)
{
    const ag_shell_command *first = &ex->commands[a];
    const ag_shell_command *second = &ex->commands[b];
    return a == b
           || (((first->flags | second->flags) & AG_COMMAND_SUBCOMMAND_COPY) != 0
               && first->start == second->start && first->end == second->end);
}

/* Returns whether `command` only changes the shell's directory, which the tracker follows. */
static bool changes_directory_only(const ag_shell_command *command)
{
    if (command->word_count == 0 || command->words[0].dynamic)
        return false;
    const char *name = command->words[0].text;
    return strcmp(name, "cd") == 0 || strcmp(name, "pushd") == 0 || strcmp(name, "popd") == 0;
}

bool ag_extractor_runs_first(const ag_extractor *ex)
{
    const ag_shell_command *self = ex->command;
    for (size_t i = 0; i < ex->command_count; i++) {
        const ag_shell_command *other = &ex->commands[i];
        bool runs_self = other->start <= self->start && self->end <= other->end;
        if (same_process(ex, i, ex->index) || runs_before(ex, ex->index, i) || runs_self
            || changes_directory_only(other))
            continue;
        return false;
    }
    return true;
}

/*
 * Returns whether `link` may lie on the way to `effect`'s target, unless the
 * effect's command surely ends before the link's maker starts. A command's
 * own paths do not go through the links it makes (ln -s a k writes k, not
 * what k leads to). If it may run again, a path below the link does, and so
 * does the link name that ln writes: run twice, `ln -s ~/.ssh k` writes
 * k/.ssh, which is ~/.ssh/.ssh.
 */
static bool goes_through_link(const ag_extractor *ex, const ag_effect *effect,
                              const ag_link_name *link)
{
    if (!ag_path_is_within(effect->target, link->path))
        return false;
    if (!same_process(ex, link->maker, effect->command))
        return !runs_before(ex, effect->command, link->maker);
    if (!may_repeat(&ex->commands[effect->command]))
        return false;
    return link->repeats_through || strcmp(effect->target, link->path) != 0;
}

/*
 * Marks every file effect at or under a path that another command of the
 * request may make a link: it leads to an unknown place up to that link
 * (ag_effect.new_link_target). So a deny rule on the path itself still
 * denies, and one that could match where the link leads gives ask. The order of
 * the command list does not count, because it is not the order in which
 * the commands run: the commands behind wrappers come last (`timeout 5 ln
 * -s ~/.ssh k; cat k/id_rsa`), a substitution in an assignment or a
 * here-string runs before its command, and a loop body runs again after
 * its last command. Only a command that surely ends before the maker starts
 * (runs_before()) keeps its paths. The cost is one pass over effects times
 * link names, and requests without link makers skip it.
 */
static ag_status mark_new_links(ag_extractor *ex)
{
    for (size_t i = 0; i < ex->out->count; i++) {
        ag_effect *effect = &ex->out->items[i];
        bool file = effect->kind == AG_EFFECT_READ || effect->kind == AG_EFFECT_WRITE;
        if (!file || effect->target[0] != '/' || effect->new_link_target != NULL)
            continue;
        for (size_t j = 0; j < ex->link_count; j++) {
            if (!goes_through_link(ex, effect, &ex->links[j]))
                continue;
            const char *below = effect->target + strlen(ex->links[j].path);
            effect->new_link_target = ag_arena_printf(ex->arena, "%c%s", AG_DYNAMIC_MARK, below);
            if (effect->new_link_target == NULL)
                return AG_ERR_NOMEM;
            break;
        }
    }
    return AG_OK;
}

bool ag_extractor_add_runner(ag_extractor *ex, ag_runner runner)
{
    ag_runner *runners = ag_arena_grow(ex->arena, ex->runners, ex->runner_count,
                                       &ex->runner_capacity, ex->runner_count + 1,
                                       sizeof(*runners));
    if (runners == NULL)
        return false;
    ex->runners = runners;
    ex->runners[ex->runner_count++] = runner;
    return true;
}

/* Returns the runner of the command being looked at, in its working directory. */
static ag_runner runner_here(const ag_extractor *ex)
{
    const char *cwd = ex->context.cwd != NULL && ex->context.cwd[0] == '/' ? ex->context.cwd : NULL;
    return (ag_runner){.command = ex->command, .index = ex->index, .cwd = cwd};
}

bool ag_extractor_note_runner(ag_extractor *ex, const ag_effect_spec *spec)
{
    ag_runner runner = runner_here(ex);
    runner.files = &spec->runs_files;
    return ag_extractor_add_runner(ex, runner);
}

bool ag_extractor_note_program(ag_extractor *ex, const char *path)
{
    ag_runner runner = runner_here(ex);
    runner.program = path;
    return ag_extractor_add_runner(ex, runner);
}

bool ag_extractor_note_program_tree(ag_extractor *ex, const char *path)
{
    ag_runner runner = runner_here(ex);
    runner.program = path;
    runner.program_tree = true;
    return ag_extractor_add_runner(ex, runner);
}

bool ag_extractor_note_path_name(ag_extractor *ex, const ag_shell_word *name)
{
    ag_runner runner = runner_here(ex);
    runner.path_name = base_name(ex->arena, name);
    return runner.path_name != NULL && ag_extractor_add_runner(ex, runner);
}

/*
 * Returns whether `text` matches `glob` with fnmatch(3) `flags`, ASCII
 * letters of either case equal: on a file system that ignores case, make
 * reads a file written as MAKEFILE. Returns true when out of memory, which
 * can only make a check stricter.
 */
static bool matches_caseless(ag_arena *arena, const char *glob, const char *text, int flags)
{
    char *lower_glob = ag_arena_strndup(arena, glob, strlen(glob));
    char *lower_text = ag_arena_strndup(arena, text, strlen(text));
    if (lower_glob == NULL || lower_text == NULL)
        return true;
    for (char *c = lower_glob; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    for (char *c = lower_text; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    return fnmatch(lower_glob, lower_text, flags) == 0;
}

/*
 * Returns whether `rest`, a path below a runner's directory, matches the
 * run-file glob `glob`, in which "*" stops at '/'. A glob that ends in
 * "/" "**" matches the directory before it and every path below it (the
 * table's "vendor/" "**"), so it counts each leading part of `rest`.
 */
static bool matches_run_glob(ag_arena *arena, const char *glob, const char *rest)
{
    size_t length = strlen(glob);
    if (length < 3 || strcmp(glob + length - 3, "/**") != 0)
        return matches_caseless(arena, glob, rest, FNM_PATHNAME);

    char *directory = ag_arena_strndup(arena, glob, length - 3);
    if (directory == NULL)
        return true;
    for (size_t end = 1; rest[end - 1] != '\0'; end++) {
        if (rest[end] != '/' && rest[end] != '\0')
            continue;
        char *leading = ag_arena_strndup(arena, rest, end);
        if (leading == NULL || matches_caseless(arena, directory, leading, FNM_PATHNAME))
            return true;
    }
    return false;
}

/*
 * Returns whether `path` is one of the run files `files` below `directory`
 * (any directory when NULL, for a runner whose directory is unknown). A
 * glob without '/' matches the last name at any depth, because a build
 * file may run the build files of its subdirectories (make -C sub). A glob
 * with '/' matches the whole path below the directory, so one that starts
 * with "./" matches only the files directly in it. The directory compares
 * in either case too (.venv/BIN/Python is .venv/bin/python on macOS).
 */
static bool is_run_file(ag_arena *arena, const ag_word_list *files, const char *directory,
                        const char *path)
{
    bool below = directory != NULL && ag_path_is_within_caseless(path, directory)
                 && strcasecmp(path, directory) != 0;
    if (directory != NULL && !below)
        return false;
    const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    const char *rest = below ? path + strlen(directory) + (strcmp(directory, "/") != 0) : NULL;
    for (size_t i = 0; i < files->count; i++) {
        const char *glob = files->items[i];
        glob += strncmp(glob, "./", 2) == 0 ? 2 : 0;
        if (strchr(files->items[i], '/') == NULL ? matches_caseless(arena, glob, name, 0)
                                                 : rest != NULL
                                                       && matches_run_glob(arena, glob, rest))
            return true;
    }
    return false;
}

/* How the components of a path and of a pattern compare from the root. */
typedef enum component_order {
    COMPONENTS_DIFFER,
    COMPONENTS_EQUAL,
    PATH_BELOW_PATTERN,     /* the pattern matches a directory above the path */
    PATTERN_BELOW_PATH      /* the path is a directory above what the pattern matches */
} component_order;

/*
 * Stores in *start the next component of a path at *cursor and moves past
 * it. Returns its length, 0 at the end of the path.
 */
static size_t next_component(const char **cursor, const char **start)
{
    while (**cursor == '/')
        (*cursor)++;
    *start = *cursor;
    while (**cursor != '\0' && **cursor != '/')
        (*cursor)++;
    return (size_t)(*cursor - *start);
}

/*
 * Compares a normalized absolute `path` with `pattern`, a normalized
 * absolute path where a component "*" matches any one component (the
 * pythonX.Y of a site-packages path). Other components compare with ASCII
 * letters of either case equal, as on a file system that ignores case.
 */
static component_order compare_components(const char *path, const char *pattern)
{
    for (;;) {
        const char *path_part;
        const char *pattern_part;
        size_t path_length = next_component(&path, &path_part);
        size_t pattern_length = next_component(&pattern, &pattern_part);
        if (path_length == 0 || pattern_length == 0) {
            if (path_length == pattern_length)
                return COMPONENTS_EQUAL;
            return path_length == 0 ? PATTERN_BELOW_PATH : PATH_BELOW_PATTERN;
        }
        bool any = pattern_length == 1 && pattern_part[0] == '*';
        if (!any && (path_length != pattern_length
                     || strncasecmp(path_part, pattern_part, path_length) != 0))
            return COMPONENTS_DIFFER;
    }
}

/* Returns whether `path` lies at or below a directory that `pattern` matches. */
static bool is_within_pattern(const char *path, const char *pattern)
{
    component_order order = compare_components(path, pattern);
    return order == COMPONENTS_EQUAL || order == PATH_BELOW_PATTERN;
}

/* Returns whether a directory that `pattern` matches may lie at or below `path`. */
static bool pattern_is_within(const char *pattern, const char *path)
{
    component_order order = compare_components(path, pattern);
    return order == COMPONENTS_EQUAL || order == PATTERN_BELOW_PATH;
}

/*
 * Returns whether the runner may run the code that `write`, a write by
 * another command of the request, writes. That is so for an unknown path,
 * a run file in its directory, a file it reads (make -f FILE, pytest t.py)
 * and a run file below a directory it reads (cmake SOURCE_DIR). It is also
 * so for its program file, a file in its program directory, a tree that
 * contains that directory, and a file that a PATH lookup of its name may
 * find.
 */
static bool runs_written_path(ag_extractor *ex, const ag_runner *runner, size_t read_end,
                              const ag_effect *write)
{
    const char *written = write->target;
    /* mkdir and venv write no code from the request (writes_no_code). */
    if (write->no_code)
        return false;
    if (runner->path_name != NULL)
        return ag_runner_path_written(ex, runner, write);
    if (written[0] != '/' || strchr(written, AG_DYNAMIC_MARK) != NULL)
        return true;
    /* rewrites_directory() finds the tree copies (cp -r x bin) that may replace the program. */
    if (runner->program != NULL) {
        const char *program = runner->program;
        if (program[0] != '/' || strchr(program, AG_DYNAMIC_MARK) != NULL)
            return true;
        if (runner->program_tree)
            return is_within_pattern(written, program)
                   || (write->tree && pattern_is_within(program, written));
        return strcasecmp(program, written) == 0;
    }
    if (is_run_file(ex->arena, runner->files, runner->cwd, written))
        return true;
    for (size_t i = 0; i < read_end; i++) {
        const ag_effect *read = &ex->out->items[i];
        if (read->command != runner->index || read->kind != AG_EFFECT_READ)
            continue;
        if (read->target[0] != '/' || strchr(read->target, AG_DYNAMIC_MARK) != NULL
            || strcmp(read->target, written) == 0
            || is_run_file(ex->arena, runner->files, read->target, written))
            return true;
    }
    return false;
}

/*
 * Returns whether a command of the request replaces a whole tree that contains
 * the runner's directory or program file (git checkout, tar x, cp -r x/. .):
 * the paths note_links() records. A plain directory write (mkdir bin) does
 * not count. Every one of them counts when the directory or file is unknown.
 * A command loads its program and run files before making any link (python
 * -m tarfile -e), so its own links count only with repeats_through, or when
 * the command may run again: the second pass of `for ...; do python3 -m
 * tarfile -e a.tar; done` imports the tarfile.py the first pass extracted.
 */
static bool rewrites_directory(const ag_extractor *ex, const ag_runner *runner)
{
    const char *path = runner->program != NULL ? runner->program : runner->cwd;
    if (path == NULL || path[0] != '/' || strchr(path, AG_DYNAMIC_MARK) != NULL)
        return ex->link_count > 0;
    for (size_t i = 0; i < ex->link_count; i++) {
        const ag_link_name *link = &ex->links[i];
        bool loaded_before = link->maker == runner->index
                             && !link->repeats_through && !may_repeat(runner->command);
        bool below_link = runner->program_tree
                              ? pattern_is_within(path, link->path)
                              : ag_path_is_within(path, link->path);
        if (!loaded_before && below_link)
            return true;
    }
    return false;
}

/* Adds a read of `target` by the runner, which decide.c turns into ask (ag_effect.runs_written). */
static ag_status add_written_run(ag_extractor *ex, const ag_runner *runner, const char *target)
{
    ex->command = runner->command;
    ex->index = runner->index;
    ag_status status = ag_extractor_add(ex, AG_EFFECT_READ, target, &runner->command->words[0]);
    if (status == AG_OK)
        ex->out->items[ex->out->count - 1].runs_written = true;
    return status;
}

/*
 * Finds the runners (make, npm run, pytest, ...) whose code another command
 * of the same request writes: `printf ... > Makefile; make` runs what the
 * printf wrote, which no rule saw. The writes of every other command count,
 * whatever their order, because the commands behind wrappers come last in
 * the list and a loop may run a later command first.
 */
static ag_status note_written_runs(ag_extractor *ex)
{
    size_t count = ex->out->count;
    ag_status status = AG_OK;
    for (size_t r = 0; r < ex->runner_count && status == AG_OK; r++) {
        const ag_runner *runner = &ex->runners[r];
        for (size_t i = 0; i < count && status == AG_OK; i++) {
            const ag_effect *effect = &ex->out->items[i];
            if (effect->kind == AG_EFFECT_WRITE && effect->command != runner->index
                && runs_written_path(ex, runner, count, effect))
                status = add_written_run(ex, runner, effect->target);
        }
        const char *rewritten = runner->program != NULL ? runner->program
                                : runner->cwd != NULL   ? runner->cwd
                                                        : unknown_path;
        /* A PATH lookup does not search the working directory, which `git stash` rewrites. */
        if (status == AG_OK && runner->path_name == NULL && rewrites_directory(ex, runner))
            status = add_written_run(ex, runner, rewritten);
    }
    return status;
}

/* Finds the effects of ex->command run in `cwd`, and the links it makes. */
static ag_status extract_in(ag_extractor *ex, const char *cwd)
{
    ex->context.cwd = cwd;
    size_t first = ex->out->count;
    const ag_effect_spec *links = NULL;
    ag_status status = extract_command(ex, &links);
    return status == AG_OK ? note_links(ex, links, first) : status;
}

/* Adds the effects of the command's redirections, which the shell opens in `cwd`. */
static ag_status extract_redirects_in(ag_extractor *ex, const char *cwd)
{
    ex->context.cwd = cwd;
    const ag_shell_command *command = ex->command;
    for (size_t i = 0; i < command->redirect_count; i++) {
        ag_status status = add_redirect(ex, &command->redirects[i]);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/*
 * Returns whether the redirections of a command open files somewhere other
 * than its words do: those of an unwrapped command that runs in another
 * directory. A wrapped command's redirections are its wrapper's, which were
 * added with the wrapper, so they stay with the command.
 * TODO(wrapper-redirects): a moving wrapper inside a script (`bash -c 'bwrap
 * ... cat < .env'`) has redirections of its own, which the script's shell
 * opens, but they stay unknown, so a deny rule on the file gives ask, not
 * deny. The flag does not tell a moving wrapper's own bit from one it
 * inherited.
 */
static bool has_redirects_apart(const ag_shell_command *command)
{
    return command->redirect_count > 0 && (command->flags & AG_COMMAND_WRAPPED) == 0
           && (command->flags & AG_COMMAND_UNKNOWN_DIRECTORY) != 0;
}

static bool same_effect(const ag_effect *a, const ag_effect *b)
{
    return a->kind == b->kind && a->start == b->start && a->end == b->end
           && a->possible == b->possible && a->unlisted == b->unlisted && a->tree == b->tree
           && a->follows_links == b->follows_links && strcmp(a->target, b->target) == 0;
}

/*
 * Drops the effects from index `first` on that repeat an earlier one from
 * there: a command looked at in two directories (directory.c) finds its
 * absolute paths twice. Past a few hundred effects the repeats stay, which
 * costs only their checks, so that the comparison never grows quadratic.
 */
static void drop_repeated_effects(ag_effect_list *out, size_t first)
{
    if (out->count - first > 256)
        return;
    size_t kept = first;
    for (size_t i = first; i < out->count; i++) {
        bool repeated = false;
        for (size_t j = first; j < kept && !repeated; j++)
            repeated = same_effect(&out->items[j], &out->items[i]);
        if (!repeated)
            out->items[kept++] = out->items[i];
    }
    out->count = kept;
}

ag_status ag_effects_extract(ag_arena *arena, const ag_effects_table *table,
                             const ag_shell_command *commands, size_t count,
                             const ag_path_context *context, size_t input_length,
                             ag_effect_list *out)
{
    ag_extractor ex = {.arena = arena, .table = table, .out = out, .input_length = input_length,
                       .commands = commands, .command_count = count,
                       .request_cwd = context->cwd != NULL && context->cwd[0] == '/'
                                          ? context->cwd
                                          : NULL};
    ag_directory_tracker tracker;
    ag_status status = ag_directory_tracker_init(&tracker, arena, commands, count, context);
    ex.unknown_request_cwd = context->cwd == NULL && !tracker.any_move;

    for (size_t i = 0; i < count && status == AG_OK; i++) {
        ex.command = &commands[i];
        ex.index = i;
        ex.context.home = context->home;
        ex.context.cdpath = context->cdpath;
        ag_directory_set set;
        ag_directory_set shell_set;
        ag_directory_tracker_cwds(&tracker, i, &set, &shell_set);
        size_t first = out->count;
        ex.redirects_apart = has_redirects_apart(ex.command);
        for (size_t d = 0; d < shell_set.count && status == AG_OK && ex.redirects_apart; d++)
            status = extract_redirects_in(&ex, shell_set.cwd[d]);
        for (size_t d = 0; d < set.count && status == AG_OK; d++)
            status = extract_in(&ex, set.cwd[d]);
        if (status == AG_OK)
            status = ag_directory_tracker_follow(&tracker, &ex, i, &set);
        if (set.count > 1)
            drop_repeated_effects(out, first);
    }
    if (status == AG_OK && ex.link_count > 0)
        status = mark_new_links(&ex);
    if (status == AG_OK && ex.runner_count > 0)
        status = note_written_runs(&ex);
    return status;
}
