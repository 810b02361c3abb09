/*
 * The names that cp, mv, install, ln, scp and rsync give what they copy,
 * move or link into a directory. `cp x/.mcp.json .` writes ./.mcp.json,
 * `mv x/.bashrc ~` writes ~/.bashrc and `rsync -R x/.mcp.json d` writes
 * d/x/.mcp.json, while the table's roles name only the directory. So when
 * the destination may be a directory, each source's last component below
 * it counts as written too. A name that is not known here (a glob, a remote
 * path that the remote side expands) counts as an unknown name.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "effects/internal.h"

static const char unknown_name[] = {AG_DYNAMIC_MARK, '\0'};

static bool is_dots(const char *text, size_t length)
{
    return (length == 1 && text[0] == '.') || (length == 2 && text[0] == '.' && text[1] == '.');
}

/* Returns the length of `text` without its trailing slashes, keeping a lone "/". */
static size_t strip_slashes(const char *text, size_t length)
{
    while (length > 1 && text[length - 1] == '/')
        length--;
    return length;
}

/* Returns where the last component of the `length` bytes at `text` starts. */
static size_t last_component(const char *text, size_t length)
{
    size_t start = length;
    while (start > 0 && text[start - 1] != '/')
        start--;
    return start;
}

static bool is_remote(const ag_effect_spec *spec, const ag_copy_operand *operand)
{
    const ag_shell_word *word = operand->word;
    if (!spec->remote_operands || operand->text != word->text || operand->length != word->length)
        return false;
    return strstr(word->text, "://") != NULL || ag_word_is_remote_path(word);
}

/*
 * Returns whether the destination is a directory, or may be one when the
 * command runs. It is one with -t DIR, --parents, rsync -R or two or more
 * sources, and with a name that only a directory can have ("dir/", ".", "..", "~",
 * "~user"). It may be one when its path has a part known only at run time
 * or is a directory on disk now. Another command of the request may make
 * the directory first (`mkdir d && cp x d`), so then any destination may
 * be one.
 * NOTE: a command of an earlier request that still runs in the background
 * may make it between the check and the run; that is not seen.
 */
static bool may_be_directory(ag_extractor *ex, const ag_copy *copy)
{
    const ag_copy_operand *destination = &copy->destination;
    const char *text = destination->text;
    size_t length = destination->length;
    bool home = text[0] == '~' && memchr(text, '/', length) == NULL;
    if (copy->target_directory || copy->parents || copy->relative || copy->source_count >= 2
        || text[length - 1] == '/' || home)
        return true;
    size_t start = last_component(text, length);
    if (is_dots(text + start, length - start) || !ag_extractor_runs_first(ex))
        return true;

    const char *path = ag_extractor_normalize(ex, destination->word, text, length);
    if (path == NULL || path[0] != '/' || strchr(path, AG_DYNAMIC_MARK) != NULL)
        return true;
    struct stat status;
    if (stat(path, &status) != 0)
        return errno != ENOENT && errno != ENOTDIR;
    return S_ISDIR(status.st_mode);
}

/*
 * Returns whether the remote side may expand `name` into other names: the
 * glob characters that sftp and a remote shell expand, and the quotes,
 * variables and other shell syntax that a remote shell reads.
 */
static bool remote_name_expands(const char *name, size_t length)
{
    static const char expanding[] = "*?[]{}$`\\'\"~ \t\n;&|<>()!#";
    for (size_t i = 0; i < length; i++) {
        if (memchr(expanding, name[i], sizeof(expanding) - 1) != NULL)
            return true;
    }
    return false;
}

/*
 * Finds the path of a remote source: after the host of a URL
 * (rsync://host/module/x), or after the ':' of [user@]host:path (or
 * [host]:path). Returns false when it has none.
 */
static bool remote_path(const ag_copy_operand *source, const char **path, size_t *length)
{
    const char *text = source->text;
    const char *end = text + source->length;
    const char *scheme = strstr(text, "://");
    const char *start = NULL;
    if (scheme != NULL) {
        start = memchr(scheme + 3, '/', (size_t)(end - scheme - 3));
    } else {
        const char *close = text[0] == '[' ? memchr(text, ']', source->length) : NULL;
        start = memchr(close != NULL ? close : text, ':', (size_t)(end - (close ? close : text)));
    }
    if (start == NULL)
        return false;
    *path = start + 1;
    *length = (size_t)(end - start - 1);
    return true;
}

/*
 * Finds the name that `source` gets in the destination directory: its last
 * component as written, or the unknown name. Returns false when it gets
 * none of its own: "." and ".." (cp -r x/. DIR copies what x holds) and,
 * for rsync, a source that ends in "/".
 */
static bool copy_name(ag_extractor *ex, const ag_effect_spec *spec, const ag_copy_operand *source,
                      const char **name, size_t *name_length)
{
    const char *text = source->text;
    size_t length = source->length;
    bool remote = is_remote(spec, source);
    if (remote && !remote_path(source, &text, &length))
        length = 0;
    if (spec->copies_into == AG_COPIES_SLASH_CONTENTS && length > 0 && text[length - 1] == '/')
        return false;

    length = strip_slashes(text, length);
    size_t start = last_component(text, length);
    *name = text + start;
    *name_length = length - start;
    if (is_dots(*name, *name_length))
        return false;

    /* `cp -r ~ DIR` copies the home directory under its own name. */
    if (!remote && length > 0 && text[0] == '~' && start == 0) {
        const char *home = ag_extractor_normalize(ex, source->word, text, length);
        if (home == NULL)
            return false;
        size_t home_length = strlen(home);
        size_t home_start = last_component(home, home_length);
        *name = home + home_start;
        *name_length = home_length - home_start;
        if (home[0] != '/')
            *name_length = 0;
    }

    bool unknown = *name_length == 0 || (remote && remote_name_expands(*name, *name_length));
    if (unknown) {
        *name = unknown_name;
        *name_length = 1;
    } else if (!remote) {
        *name = ag_extractor_mark_globs(ex, source->word, *name, *name_length);
    }
    return true;
}

/*
 * Returns the text of cp --parents' DEST/SOURCE, the source as written,
 * ".." included (GNU cp 9.1 appends it so), or with its "~" expanded as
 * the shell does, or NULL when out of memory.
 */
static const char *parents_path(ag_extractor *ex, const ag_copy_operand *source,
                                const char *destination, size_t destination_length)
{
    const char *text = source->text;
    size_t length = source->length;
    if (length > 0 && text[0] == '~') {
        text = ag_extractor_normalize(ex, source->word, text, length);
        if (text == NULL)
            return NULL;
        length = strlen(text);
    } else {
        text = ag_extractor_mark_globs(ex, source->word, text, length);
        if (text == NULL)
            return NULL;
    }
    return ag_arena_printf(ex->arena, "%.*s/%.*s", (int)destination_length, destination,
                           (int)length, text);
}

/* Returns where the first "/./" of the `length` bytes at `text` starts, or NULL. */
static const char *find_dot_slash(const char *text, size_t length)
{
    for (size_t i = 0; i + 3 <= length; i++) {
        if (memcmp(text + i, "/./", 3) == 0)
            return text + i;
    }
    return NULL;
}

/*
 * Returns the path of a local source as Bash passes it to rsync: its "~"
 * or "~user" prefix expanded and its glob characters marked, or NULL when
 * out of memory. Unlike ag_extractor_normalize(), it keeps "." and "..",
 * because rsync -R reads them.
 */
static const char *expand_source(ag_extractor *ex, const ag_copy_operand *source, size_t *length)
{
    const char *text = ag_extractor_mark_globs(ex, source->word, source->text, source->length);
    *length = source->length;
    if (text == NULL || *length == 0 || text[0] != '~')
        return text;

    const char *slash = memchr(text, '/', *length);
    size_t prefix = slash != NULL ? (size_t)(slash - text) : *length;
    const char *home = ag_extractor_normalize(ex, source->word, text, prefix);
    if (home == NULL)
        return NULL;
    const char *expanded = ag_arena_printf(ex->arena, "%s%.*s", home, (int)(*length - prefix),
                                           text + prefix);
    if (expanded != NULL)
        *length = strlen(expanded);
    return expanded;
}

/*
 * Finds the part of `source` that rsync -R (--relative) recreates below the
 * destination: the path after its first "/./", or the whole path, without
 * leading slashes. A ".." stays, as for cp --parents: rsync 3.5.0 rejects
 * such a source, but another rsync or a remote sender may keep it. A glob
 * or a part known only at run time before that "/./" (or anywhere, without
 * one) may hold a "/./" of its own, so it makes the part unknown. Returns
 * false when out of memory.
 */
static bool relative_part(ag_extractor *ex, const ag_effect_spec *spec,
                          const ag_copy_operand *source, const char **part, size_t *part_length)
{
    const char *text = source->text;
    size_t length = source->length;
    if (is_remote(spec, source)) {
        if (!remote_path(source, &text, &length))
            length = 0;
        if (remote_name_expands(text, length)) {
            text = unknown_name;
            length = 1;
        }
    } else {
        text = expand_source(ex, source, &length);
        if (text == NULL)
            return false;
    }

    const char *dot_slash = find_dot_slash(text, length);
    size_t prefix = dot_slash != NULL ? (size_t)(dot_slash - text) : length;
    if (memchr(text, AG_DYNAMIC_MARK, prefix) != NULL) {
        *part = unknown_name;
        *part_length = 1;
        return true;
    }

    size_t start = dot_slash != NULL ? prefix + 3 : 0;
    while (start < length && text[start] == '/')
        start++;
    *part = text + start;
    *part_length = length - start;
    return true;
}

/* Returns the text of rsync -R's DEST/PATH (see relative_part()), or NULL when out of memory. */
static const char *relative_path(ag_extractor *ex, const ag_effect_spec *spec,
                                 const ag_copy_operand *source, const char *destination,
                                 size_t destination_length)
{
    const char *part = NULL;
    size_t part_length = 0;
    if (!relative_part(ex, spec, source, &part, &part_length))
        return NULL;
    return ag_arena_printf(ex->arena, "%.*s/%.*s", (int)destination_length, destination,
                           (int)part_length, part);
}

/* Adds the write of the path that `source` gets below the destination. */
static ag_status add_copy_name(ag_extractor *ex, const ag_effect_spec *spec, const ag_copy *copy,
                               const ag_copy_operand *source)
{
    const ag_copy_operand *destination = &copy->destination;
    const char *directory = ag_extractor_mark_globs(ex, destination->word, destination->text,
                                                    destination->length);
    if (directory == NULL)
        return AG_ERR_NOMEM;

    const char *path = NULL;
    if (copy->parents) {
        path = parents_path(ex, source, directory, destination->length);
    } else if (copy->relative) {
        path = relative_path(ex, spec, source, directory, destination->length);
    } else {
        const char *name = NULL;
        size_t name_length = 0;
        if (!copy_name(ex, spec, source, &name, &name_length))
            return AG_OK;
        if (name == NULL)
            return AG_ERR_NOMEM;
        path = ag_arena_printf(ex->arena, "%.*s/%.*s", (int)destination->length, directory,
                               (int)name_length, name);
    }
    if (path == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, destination->word, path, strlen(path));
}

ag_status ag_extractor_add_copy_names(ag_extractor *ex, const ag_effect_spec *spec,
                                      const ag_copy *copy)
{
    /* A word known only at run time may be -t DIR, which moves every name into DIR. */
    if (copy->dynamic_option) {
        ag_status status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, &ex->command->words[0],
                                                 unknown_name, 1);
        if (status != AG_OK)
            return status;
    }

    ag_copy into = *copy;
    if (into.destination.text == NULL) {
        /* ln TARGET makes the link ./NAME, while cp and the others need a destination. */
        if (spec->copies_into != AG_COPIES_NAMES_OR_CWD || into.source_count != 1)
            return AG_OK;
        into.destination = (ag_copy_operand){into.sources[0].word, ".", 1};
    }
    if (into.destination.length == 0 || into.no_target_directory
        || is_remote(spec, &into.destination) || !may_be_directory(ex, &into))
        return AG_OK;

    ag_status status = AG_OK;
    for (size_t i = 0; i < into.source_count && status == AG_OK; i++)
        status = add_copy_name(ex, spec, &into, &into.sources[i]);
    return status;
}
