/*
 * Programs and modules that a command finds by a search, so that a request
 * that writes one and then runs it asks. A command named without '/' runs
 * the first file of that name in a PATH directory (`cp x ~/.local/bin/t;
 * t`). The checker does not know the shell's PATH, so the directories are
 * those that users commonly put on it, and those the request itself puts
 * on it. `node -r NAME` loads the package NAME from a node_modules
 * directory (`tar xf a.tar -C node_modules; node -r evil app.js`), and a
 * node program may load any package there (`npm test`). Python imports a
 * module from its script's directory first (`python3 scripts/tool.py`
 * imports a written scripts/json.py).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "effects/effects.h"
#include "effects/internal.h"

static const char unknown_directory[] = {AG_DYNAMIC_MARK, '\0'};

/*
 * Names of the interpreters that a virtual environment keeps beside its
 * scripts: each console script in .venv/bin starts with a `#!` line that
 * names the environment's python, so the kernel runs that file.
 */
static char *interpreter_globs[] = {"python", "python[0-9]*", "pypy*"};
static const ag_word_list interpreters = {
    interpreter_globs, sizeof(interpreter_globs) / sizeof(interpreter_globs[0])};

/*
 * Returns whether `name` may be an interpreter that a script's `#!` line in
 * the same directory names. Names compare in either case, as on a file
 * system that ignores case. No interpreter name is as long as the buffer.
 */
static bool is_interpreter_name(const char *name)
{
    char lower[32];
    size_t length = strlen(name);
    if (length >= sizeof(lower))
        return false;
    for (size_t i = 0; i <= length; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);

    for (size_t i = 0; i < interpreters.count; i++) {
        if (fnmatch(interpreters.items[i], lower, 0) == 0)
            return true;
    }
    return false;
}

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
 * How a write may put a program into a directory on PATH: not at all, only
 * under the last name of its target (`cp x ~/bin/t` puts t there), or
 * under any name. 0 marks a class not yet found (ag_extractor).
 */
enum { WRITES_UNKNOWN, WRITES_NONE, WRITES_NAMED, WRITES_ANY };

static unsigned char stronger(unsigned char a, unsigned char b)
{
    return a > b ? a : b;
}

/* Returns the class of a write below `directory` whose part below it is `rest`. */
static unsigned char class_below(const char *rest)
{
    if (rest[0] == '\0')
        return WRITES_ANY;  /* the directory itself: `cp x DIR` copies x into it under any name */
    return strchr(rest, '/') == NULL ? WRITES_NAMED : WRITES_NONE;
}

/*
 * Returns how the write `effect` may put a program into `directory`. A file
 * written in it goes in by its own name. The directory itself, or a tree
 * written at or above it (tar -C DIR, cp -r x node_modules), may hold any.
 */
static unsigned char writes_into(const ag_effect *effect, const char *directory)
{
    const char *target = effect->target;
    if (directory[0] != '/' || strchr(directory, AG_DYNAMIC_MARK) != NULL)
        return WRITES_ANY;
    if (ag_path_is_within_caseless(target, directory))
        return class_below(below(target, directory));
    return effect->tree && ag_path_is_within_caseless(directory, target) ? WRITES_ANY
                                                                          : WRITES_NONE;
}

/*
 * Returns how `effect` may put a program into one of the directories
 * `names` below `base` (home or a cwd), as writes_into() does. A write of a
 * directory between `base` and one of them counts for any name, because it
 * may replace that directory (`ln -s /tmp/x node_modules`). The
 * directories are not joined to `base`, because this runs for every write.
 */
static unsigned char writes_below(const ag_effect *effect, const char *base,
                                  const char *const *names, size_t count)
{
    const char *target = effect->target;
    if (base == NULL || base[0] != '/')
        return WRITES_NONE;
    if (!ag_path_is_within_caseless(target, base))
        return effect->tree && ag_path_is_within_caseless(base, target) ? WRITES_ANY
                                                                         : WRITES_NONE;

    const char *rest = below(target, base);
    if (rest[0] == '\0')
        return effect->tree ? WRITES_ANY : WRITES_NONE;
    unsigned char result = WRITES_NONE;
    for (size_t i = 0; i < count; i++) {
        if (ag_path_is_within_caseless(rest, names[i]))
            result = stronger(result, class_below(below(rest, names[i])));
        else if (ag_path_is_within_caseless(names[i], rest))
            result = WRITES_ANY;
    }
    return result;
}

/*
 * Returns how a write may put a program into a directory on PATH below a
 * working directory known only at run time. A tree, or a directory named
 * like one on PATH, may hold any name, and a file may be one itself.
 */
static unsigned char writes_anywhere_into(const ag_effect *effect)
{
    const char *slash = strrchr(effect->target, '/');
    const char *last = slash != NULL ? slash + 1 : effect->target;
    bool directory = strcmp(last, "bin") == 0 || strcmp(last, ".bin") == 0;
    return effect->tree || directory ? WRITES_ANY : WRITES_NAMED;
}

/* Returns how `effect` may put a program into a directory on PATH for a command run in `cwd`. */
static unsigned char classify_write(const ag_extractor *ex, const char *cwd,
                                    const ag_effect *effect)
{
    if (effect->no_code)
        return WRITES_NONE;
    if (effect->target[0] != '/' || strchr(effect->target, AG_DYNAMIC_MARK) != NULL)
        return WRITES_ANY;

    const size_t home_count = sizeof(home_directories) / sizeof(home_directories[0]);
    const size_t project_count = sizeof(project_directories) / sizeof(project_directories[0]);
    unsigned char result = cwd == NULL ? writes_anywhere_into(effect) : WRITES_NONE;
    result = stronger(result, writes_below(effect, ex->context.home, home_directories, home_count));
    result = stronger(result,
                      writes_below(effect, ex->request_cwd, project_directories, project_count));
    if (cwd != ex->request_cwd)
        result = stronger(result, writes_below(effect, cwd, project_directories, project_count));
    for (size_t i = 0; i < sizeof(system_directories) / sizeof(system_directories[0]); i++)
        result = stronger(result, writes_into(effect, system_directories[i]));
    for (size_t i = 0; i < ex->path_directory_count; i++)
        result = stronger(result, writes_into(effect, ex->path_directories[i]));
    return result;
}

/*
 * Returns the class of the effect at `index` for a command run in `cwd`.
 * The classes are kept for the last cwd, because every command named
 * without '/' is checked against every write, nearly always in the same
 * directory. Returns WRITES_ANY when out of memory.
 */
static unsigned char write_class(ag_extractor *ex, const char *cwd, size_t index)
{
    if (ex->path_write_classes == NULL || ex->path_write_cwd != cwd
        || index >= ex->path_write_class_count) {
        size_t count = ex->out->count;
        ex->path_write_classes = ag_arena_calloc(ex->arena, count, 1);
        ex->path_write_class_count = ex->path_write_classes != NULL ? count : 0;
        ex->path_write_cwd = cwd;
        if (index >= ex->path_write_class_count)
            return WRITES_ANY;
    }
    unsigned char *slot = &ex->path_write_classes[index];
    if (*slot == WRITES_UNKNOWN)
        *slot = classify_write(ex, cwd, &ex->out->items[index]);
    return *slot;
}

bool ag_runner_path_written(ag_extractor *ex, const ag_runner *runner, const ag_effect *effect)
{
    switch (write_class(ex, runner->cwd, (size_t)(effect - ex->out->items))) {
    case WRITES_ANY:
        return true;
    case WRITES_NAMED: {
        const char *slash = strrchr(effect->target, '/');
        const char *name = slash != NULL ? slash + 1 : effect->target;
        return strcasecmp(name, runner->path_name) == 0 || is_interpreter_name(name);
    }
    default:
        return false;
    }
}

/*
 * Notes the site-packages trees of the virtual environment `venv`, a
 * normalized absolute path in which a component "*" matches any one
 * component. The component "*" after lib matches python3.12, and lib64 is
 * a link to lib that a write may name instead.
 */
static bool note_venv_packages(ag_extractor *ex, const char *venv)
{
    static const char *const below_venv[] = {"lib/*/site-packages", "lib64/*/site-packages"};
    const char *separator = strcmp(venv, "/") == 0 ? "" : "/";
    for (size_t i = 0; i < sizeof(below_venv) / sizeof(below_venv[0]); i++) {
        /* Joined, because ag_arena_printf() took four times as many instructions. */
        ag_text_part parts[] = {ag_text_part_of(venv), ag_text_part_of(separator),
                                ag_text_part_of(below_venv[i])};
        const char *tree = ag_arena_join(ex->arena, parts, sizeof(parts) / sizeof(parts[0]));
        if (tree == NULL || !ag_extractor_note_program_tree(ex, tree))
            return false;
    }
    return true;
}

/*
 * Conventional names of a project's virtual environment: uv and the
 * Python venv documentation use .venv, and many projects use venv.
 */
static const char *const venv_names[] = {".venv", "venv"};

bool ag_extractor_note_site_packages(ag_extractor *ex, const char *directory)
{
    if (directory == NULL || directory[0] != '/')
        return true;

    const char *separator = strcmp(directory, "/") == 0 ? "" : "/";
    for (size_t i = 0; i < sizeof(venv_names) / sizeof(venv_names[0]); i++) {
        ag_text_part parts[] = {ag_text_part_of(directory), ag_text_part_of(separator),
                                ag_text_part_of(venv_names[i])};
        const char *venv = ag_arena_join(ex->arena, parts, sizeof(parts) / sizeof(parts[0]));
        if (venv == NULL || !note_venv_packages(ex, venv))
            return false;
    }
    return true;
}

/*
 * A console script in a venv's bin directory also imports its package from
 * the venv's site-packages, and the venv's python reads pyvenv.cfg, both
 * in the directory above bin.
 */
bool ag_extractor_note_interpreters(ag_extractor *ex, const char *program)
{
    static char *venv_file_globs[] = {"./pyvenv.cfg"};
    static const ag_word_list venv_files = {venv_file_globs, 1};

    const char *slash = strrchr(program, '/');
    if (slash == NULL || slash - program < 4 || strncasecmp(slash - 4, "/bin", 4) != 0)
        return true;

    ag_runner runner = {.command = ex->command, .index = ex->index, .files = &interpreters};
    runner.cwd = ag_arena_strndup(ex->arena, program, (size_t)(slash - program));
    if (runner.cwd == NULL || !ag_extractor_add_runner(ex, runner))
        return false;

    size_t above_length = (size_t)(slash - 4 - program);
    const char *venv = above_length == 0 ? "/" : ag_arena_strndup(ex->arena, program, above_length);
    if (venv == NULL || !note_venv_packages(ex, venv))
        return false;
    ag_runner config = {.command = ex->command, .index = ex->index, .files = &venv_files,
                        .cwd = venv};
    return ag_extractor_add_runner(ex, config);
}

bool ag_extractor_note_script_directory(ag_extractor *ex, const char *script)
{
    static char *beside_globs[] = {"./*.py"};
    static const ag_word_list beside = {beside_globs, 1};

    /* A script path known only at run time already counts every write (extract.c). */
    const char *slash = strrchr(script, '/');
    if (script[0] != '/' || slash == NULL || strchr(script, AG_DYNAMIC_MARK) != NULL)
        return true;

    ag_runner runner = {.command = ex->command, .index = ex->index, .files = &beside};
    size_t length = slash == script ? 1 : (size_t)(slash - script);
    runner.cwd = ag_arena_strndup(ex->arena, script, length);
    return runner.cwd != NULL && ag_extractor_add_runner(ex, runner);
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

/* Cuts the last component off `directory`, a normalized absolute path. Returns false at "/". */
static bool go_up(char *directory)
{
    char *slash = strrchr(directory, '/');
    if (slash == directory && directory[1] == '\0')
        return false;
    slash[slash == directory ? 1 : 0] = '\0';
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
    do {
        if (!note_package_in(ex, directory, name))
            return AG_ERR_NOMEM;
    } while (go_up(directory));
    return AG_OK;
}

/*
 * A relative path written in a working directory known only at run time is
 * unknown too, and an unknown write counts for every runner, so an unknown
 * working directory needs no tree here.
 */
ag_status ag_extractor_note_node_modules(ag_extractor *ex)
{
    const char *cwd = ex->context.cwd;
    if (cwd == NULL || cwd[0] != '/')
        return AG_OK;

    char *directory = ag_arena_strndup(ex->arena, cwd, strlen(cwd));
    if (directory == NULL)
        return AG_ERR_NOMEM;
    do {
        const char *separator = strcmp(directory, "/") == 0 ? "" : "/";
        const char *tree = ag_arena_printf(ex->arena, "%s%snode_modules", directory, separator);
        if (tree == NULL || !ag_extractor_note_program_tree(ex, tree))
            return AG_ERR_NOMEM;
    } while (go_up(directory));
    return AG_OK;
}

ag_status ag_extractor_note_venv_module(ag_extractor *ex, const char *text, size_t length)
{
    const char *cwd = ex->context.cwd;
    if (cwd == NULL || cwd[0] != '/' || length == 0)
        return AG_OK;

    /* `python -m a.b` imports the package a first, from the directory or from a.py. */
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
