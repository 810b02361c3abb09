/*
 * Programs and modules that a command finds by a search, so that a request
 * that writes one and then runs it asks. A command named without '/' runs
 * the first file of that name in a PATH directory (`cp x ~/.local/bin/t;
 * t`). The checker does not know the shell's PATH, so the directories are
 * those that users commonly put on it, and those the request itself puts
 * on it. `node -r NAME` loads the package NAME from a node_modules
 * directory (`tar xf a.tar -C node_modules; node -r evil app.js`).
 */
#include <string.h>
#include <strings.h>

#include "effects/effects.h"
#include "effects/internal.h"

static const char unknown_directory[] = {AG_DYNAMIC_MARK, '\0'};

/* Directories below the home directory: ~/.local/bin is on the default PATH of Debian and Ubuntu. */
static const char *const home_directories[] = {".local/bin", "bin"};

/*
 * The system directories of the default PATH of Debian (/etc/profile),
 * which a request run as root can write.
 */
static const char *const system_directories[] = {"/usr/local/sbin", "/usr/local/bin",
                                                 "/usr/sbin", "/usr/bin", "/sbin", "/bin"};

/* Directories below a project that tools and users put on PATH (npm scripts, venvs, direnv). */
static const char *const project_directories[] = {"node_modules/.bin", "bin", ".venv/bin"};

static bool add_path_directory(ag_extractor *ex, const char *path)
{
    const char **items =
        ag_arena_grow(ex->arena, ex->path_directories, ex->path_directory_count,
                      &ex->path_directory_capacity, ex->path_directory_count + 1,
                      sizeof(*items));
    if (path == NULL || items == NULL)
        return false;
    ex->path_directories = items;
    ex->path_directories[ex->path_directory_count++] = path;
    return true;
}

/*
 * Notes each entry of the PATH value `value` of `word`. An empty entry is
 * the working directory, as in Bash. An entry with a part known only at run
 * time (`$PATH`, `$PWD/bin`) may be any directory.
 */
static ag_status note_path_value(ag_extractor *ex, const ag_shell_word *word, const char *value)
{
    const char *end = word->text + word->length;
    for (const char *entry = value; entry <= end;) {
        const char *colon = memchr(entry, ':', (size_t)(end - entry));
        const char *stop = colon != NULL ? colon : end;
        size_t length = (size_t)(stop - entry);
        const char *path;
        if (memchr(entry, AG_DYNAMIC_MARK, length) != NULL)
            path = unknown_directory;
        else
            path = ag_extractor_normalize_written(ex, word, length > 0 ? entry : ".",
                                                  length > 0 ? length : 1);
        if (!add_path_directory(ex, path))
            return AG_ERR_NOMEM;
        entry = stop + 1;
    }
    return AG_OK;
}

/* Returns whether `word` assigns PATH, and stores in *value where its value starts. */
static bool assigns_path(const ag_shell_word *word, const char **value)
{
    if (word->length < 5 || memcmp(word->text, "PATH=", 5) != 0)
        return false;
    *value = word->text + 5;
    return true;
}

/* Returns whether a declaration builtin's words are assignments (`export PATH=...`). */
static bool declares(const char *keyword)
{
    static const char *const names[] = {"export", "declare", "typeset", "local", "readonly"};
    for (size_t i = 0; keyword != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(keyword, names[i]) == 0)
            return true;
    }
    return false;
}

ag_status ag_extractor_note_path_assignments(ag_extractor *ex)
{
    const ag_shell_command *command = ex->command;
    const char *value;
    ag_status status = AG_OK;
    for (size_t i = 0; i < command->assignment_count && status == AG_OK; i++) {
        if (assigns_path(&command->assignments[i], &value))
            status = note_path_value(ex, &command->assignments[i], value);
    }
    if (!declares(command->keyword))
        return status;
    for (size_t i = 1; i < command->word_count && status == AG_OK; i++) {
        if (assigns_path(&command->words[i], &value))
            status = note_path_value(ex, &command->words[i], value);
    }
    return status;
}

/* Returns the part of `path` below `directory`, which contains it: "" for the directory itself. */
static const char *below(const char *path, const char *directory)
{
    const char *rest = path + strlen(directory);
    return rest[0] == '/' ? rest + 1 : rest;
}

/*
 * Returns whether the write `effect` may put a program named `name` into
 * `directory`. That is so for a write of `name` in it, and of the directory
 * itself, because `cp x DIR` copies x into it under any name. It is also so
 * for a tree written at or above it (tar -C DIR, cp -r x node_modules).
 */
static bool writes_into(const ag_effect *effect, const char *directory, const char *name)
{
    const char *target = effect->target;
    if (directory[0] != '/' || strchr(directory, AG_DYNAMIC_MARK) != NULL)
        return true;
    if (ag_path_is_within_caseless(target, directory)) {
        const char *rest = below(target, directory);
        return rest[0] == '\0' || strcasecmp(rest, name) == 0;
    }
    return effect->tree && ag_path_is_within_caseless(directory, target);
}

/*
 * Returns whether `effect` may put `name` into one of the directories
 * `names` below `base` (home or a cwd), as writes_into() decides. A write
 * of a directory between `base` and one of them counts too, because it may
 * replace that directory (`ln -s /tmp/x node_modules`). The directories
 * are not joined to `base`, because this runs for every write and every
 * command named without '/'.
 */
static bool writes_below(const ag_effect *effect, const char *base, const char *const *names,
                         size_t count, const char *name)
{
    const char *target = effect->target;
    if (base == NULL || base[0] != '/')
        return false;
    if (!ag_path_is_within_caseless(target, base))
        return effect->tree && ag_path_is_within_caseless(base, target);

    const char *rest = below(target, base);
    if (rest[0] == '\0')
        return effect->tree;
    for (size_t i = 0; i < count; i++) {
        if (ag_path_is_within_caseless(rest, names[i])) {
            const char *inside = below(rest, names[i]);
            if (inside[0] == '\0' || strcasecmp(inside, name) == 0)
                return true;
        } else if (ag_path_is_within_caseless(names[i], rest)) {
            return true;    /* a directory between base and names[i], which may replace it */
        }
    }
    return false;
}

/*
 * Returns whether a write may put `name` into a directory on PATH below a
 * working directory known only at run time: a write of that name, of a
 * directory named like one on PATH, or of a tree.
 */
static bool writes_anywhere_into(const ag_effect *effect, const char *name)
{
    const char *slash = strrchr(effect->target, '/');
    const char *last = slash != NULL ? slash + 1 : effect->target;
    return effect->tree || strcasecmp(last, name) == 0 || strcmp(last, "bin") == 0
           || strcmp(last, ".bin") == 0;
}

bool ag_runner_path_written(ag_extractor *ex, const ag_runner *runner, const ag_effect *effect)
{
    const char *name = runner->path_name;
    if (effect->no_code)
        return false;
    if (effect->target[0] != '/' || strchr(effect->target, AG_DYNAMIC_MARK) != NULL)
        return true;
    if (runner->cwd == NULL && writes_anywhere_into(effect, name))
        return true;

    const size_t home_count = sizeof(home_directories) / sizeof(home_directories[0]);
    const size_t project_count = sizeof(project_directories) / sizeof(project_directories[0]);
    if (writes_below(effect, ex->context.home, home_directories, home_count, name)
        || writes_below(effect, ex->request_cwd, project_directories, project_count, name))
        return true;
    if (runner->cwd != ex->request_cwd
        && writes_below(effect, runner->cwd, project_directories, project_count, name))
        return true;
    for (size_t i = 0; i < sizeof(system_directories) / sizeof(system_directories[0]); i++) {
        if (writes_into(effect, system_directories[i], name))
            return true;
    }
    for (size_t i = 0; i < ex->path_directory_count; i++) {
        if (writes_into(effect, ex->path_directories[i], name))
            return true;
    }
    return false;
}

/*
 * Returns the length of the package name at the start of a bare module
 * specifier: "a" for "a/lib/x", "@s/a" for "@s/a/x".
 */
static size_t package_length(const char *text, size_t length)
{
    const char *slash = memchr(text, '/', length);
    if (text[0] == '@' && slash != NULL)
        slash = memchr(slash + 1, '/', length - (size_t)(slash + 1 - text));
    return slash != NULL ? (size_t)(slash - text) : length;
}

/* Notes the package directory `name` below DIR/node_modules and the files require() tries for it. */
static bool note_package_in(ag_extractor *ex, const char *directory, const char *name)
{
    static const char *const extensions[] = {".js", ".json", ".node"};
    const char *separator = strcmp(directory, "/") == 0 ? "" : "/";
    const char *package = ag_arena_printf(ex->arena, "%s%snode_modules/%s", directory, separator,
                                          name);
    if (package == NULL || !ag_extractor_note_program_tree(ex, package))
        return false;
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        const char *file = ag_arena_printf(ex->arena, "%s%s", package, extensions[i]);
        if (file == NULL || !ag_extractor_note_program(ex, file))
            return false;
    }
    return true;
}

ag_status ag_extractor_note_node_package(ag_extractor *ex, const char *text, size_t length)
{
    bool bare = length > 0 && text[0] != '.' && text[0] != '/'
                && text[0] != '~' && memchr(text, ':', length) == NULL;
    const char *cwd = ex->context.cwd;
    if (!bare || cwd == NULL || cwd[0] != '/')
        return AG_OK;

    char *name = ag_arena_strndup(ex->arena, text, package_length(text, length));
    char *directory = ag_arena_strndup(ex->arena, cwd, strlen(cwd));
    if (name == NULL || directory == NULL)
        return AG_ERR_NOMEM;
    /* Node looks in DIR/node_modules for the working directory and each directory above it. */
    for (;;) {
        if (!note_package_in(ex, directory, name))
            return AG_ERR_NOMEM;
        char *slash = strrchr(directory, '/');
        if (slash == directory && directory[1] == '\0')
            return AG_OK;
        slash[slash == directory ? 1 : 0] = '\0';
    }
}

ag_status ag_extractor_note_venv_module(ag_extractor *ex, const char *text, size_t length)
{
    const char *cwd = ex->context.cwd;
    if (cwd == NULL || cwd[0] != '/' || length == 0)
        return AG_OK;

    /*
     * `python -m a.b` imports the package a first, from the directory or from a.py.
     * TODO(effects): a .pth file written into site-packages runs at every start
     * of that Python, which only a write of the module itself counts here.
     */
    const char *dot = memchr(text, '.', length);
    int top = (int)(dot != NULL ? (size_t)(dot - text) : length);
    const char *separator = strcmp(cwd, "/") == 0 ? "" : "/";
    const char *package = ag_arena_printf(ex->arena, "%s%s.venv/lib/*/site-packages/%.*s", cwd,
                                          separator, top, text);
    const char *file = ag_arena_printf(ex->arena, "%s.py", package != NULL ? package : "");
    if (package == NULL || file == NULL || !ag_extractor_note_program_tree(ex, package)
        || !ag_extractor_note_program_tree(ex, file))
        return AG_ERR_NOMEM;
    return AG_OK;
}
