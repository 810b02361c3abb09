/*
 * Looks at a git repository on disk, so that `git checkout NAME` (one
 * operand, no "--") that restores the file NAME does not count as a branch
 * switch. It reads only what the check needs, with stack buffers: a few
 * lstat() calls and the packed-refs file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "effects/internal.h"

/* What lstat() finds at a path. */
typedef enum path_kind {
    PATH_ABSENT,        /* ENOENT or ENOTDIR */
    PATH_DIRECTORY,
    PATH_FILE,          /* a regular file */
    PATH_OTHER          /* a symbolic link, another file type, or a failed lookup */
} path_kind;

static path_kind look_at(const char *path)
{
    struct stat status;
    if (lstat(path, &status) != 0)
        return errno == ENOENT || errno == ENOTDIR ? PATH_ABSENT : PATH_OTHER;
    if (S_ISDIR(status.st_mode))
        return PATH_DIRECTORY;
    return S_ISREG(status.st_mode) ? PATH_FILE : PATH_OTHER;
}

/* Writes "DIRECTORY/PREFIXNAME" into `out` (PATH_MAX bytes). Returns false when it is longer. */
static bool join(char *out, const char *directory, const char *prefix, const char *name,
                 size_t length)
{
    int written = snprintf(out, PATH_MAX, "%s/%s%.*s", directory, prefix, (int)length, name);
    return written > 0 && written < PATH_MAX;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Returns whether git 2.39 may read NAME as a revision that is no ref name
 * (gitrevisions(7)): an object name of 4 to 64 hex digits, describe output
 * (hex digits after a last "-g"), or revision syntax (HEAD~1, main^,
 * @{-1}, :/text, A...B, and "-", which is @{-1}).
 */
static bool may_be_revision(const char *name, size_t length)
{
    size_t hex = 0;
    while (hex < length && is_hex(name[length - 1 - hex]))
        hex++;
    if (hex == length && length >= 4 && length <= 64)
        return true;
    if (hex > 0 && hex + 2 <= length && name[length - hex - 1] == 'g'
        && name[length - hex - 2] == '-')
        return true;
    for (size_t i = 0; i < length; i++) {
        if (strchr("~^:@{}", name[i]) != NULL || (name[i] == '.' && i + 1 < length
                                                  && name[i + 1] == '.'))
            return true;
    }
    return name[0] == '-';
}

/*
 * Returns whether NAME is a relative path of plain components, which git
 * reads as the one file it names. So it has no ".", ".." or empty
 * component, no pathspec magic (a leading ':'), no control character, and
 * no glob character, which git would match itself.
 */
static bool is_plain_path(const char *name, size_t length)
{
    if (length == 0 || name[0] == '/' || name[length - 1] == '/')
        return false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || strchr("*?[\\", c) != NULL)
            return false;
    }
    for (size_t start = 0; start < length;) {
        const char *slash = memchr(name + start, '/', length - start);
        size_t end = slash != NULL ? (size_t)(slash - name) : length;
        size_t component = end - start;
        if (component == 0 || (component == 1 && name[start] == '.')
            || (component == 2 && name[start] == '.' && name[start + 1] == '.'))
            return false;
        start = end + 1;
    }
    return true;
}

/*
 * Returns whether `git_directory` is laid out as git 2.39 lays out the
 * .git directory of a main work tree whose refs are files. HEAD is a
 * file and refs/heads a directory (a reftable repository keeps a file
 * there). There is no commondir file, which a linked work tree's
 * directory has, and no reftable directory, whose refs are no files.
 */
static bool is_plain_git_directory(const char *git_directory)
{
    char path[PATH_MAX];
    return join(path, git_directory, "", "HEAD", 4) && look_at(path) == PATH_FILE
           && join(path, git_directory, "", "refs/heads", 10)
           && look_at(path) == PATH_DIRECTORY
           && join(path, git_directory, "", "commondir", 9) && look_at(path) == PATH_ABSENT
           && join(path, git_directory, "", "reftable", 8) && look_at(path) == PATH_ABSENT;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Finds the .git directory of the repository that contains `cwd`, as git
 * 2.39 looks for it: in `cwd`, then in each parent. The parents are
 * reached by appending "/..", so that the kernel walks the directories on
 * disk, as git does from getcwd(), and not the text of a `cwd` that goes
 * through a link. Writes its path into `out` (PATH_MAX bytes). Returns
 * false when there is none or it is no plain .git directory. A .git file
 * (a linked work tree or a submodule), a link, a failed lookup, and a
 * directory that may itself be a git directory (it has a HEAD) count so.
 */
static bool find_git_directory(const char *cwd, char *out)
{
    char directory[PATH_MAX];
    struct stat root, here;
    int written = snprintf(directory, sizeof(directory), "%s", cwd);
    if (written <= 0 || written >= PATH_MAX || stat("/", &root) != 0)
        return false;

    for (size_t used = (size_t)written; used + 3 < PATH_MAX; used += 3) {
        if (!join(out, directory, "", ".git", 4))
            return false;
        path_kind kind = look_at(out);
        if (kind == PATH_DIRECTORY)
            return is_plain_git_directory(out);
        if (kind != PATH_ABSENT || !join(out, directory, "", "HEAD", 4)
            || look_at(out) != PATH_ABSENT)
            return false;
        if (stat(directory, &here) != 0 || same_file(&here, &root))
            return false;
        memcpy(directory + used, "/..", 4);
    }
    return false;
}

/* Returns whether `ref` ends in "/NAME" or "/NAME/HEAD" (refs/remotes/NAME/HEAD). */
static bool ref_ends_in(const char *ref, size_t ref_length, const char *name, size_t length)
{
    if (ref_length > 5 && memcmp(ref + ref_length - 5, "/HEAD", 5) == 0
        && ref_ends_in(ref, ref_length - 5, name, length))
        return true;
    return ref_length > length && ref[ref_length - length - 1] == '/'
           && memcmp(ref + ref_length - length, name, length) == 0;
}

/*
 * Returns whether one line of packed-refs ("OBJECT REFNAME", a "#" header
 * or a "^OBJECT" peeled line) may name NAME. Any ref whose name ends in
 * "/NAME" counts. That covers refs/NAME, refs/heads/NAME, refs/tags/NAME
 * and refs/remotes/NAME, and also a remote-tracking branch REMOTE/NAME,
 * which a remote's fetch refspec may put anywhere below refs/.
 */
static bool packed_line_names(const char *line, size_t line_length, const char *name,
                              size_t length)
{
    if (line_length == 0 || line[0] == '#' || line[0] == '^')
        return false;
    const char *space = memchr(line, ' ', line_length);
    if (space == NULL)
        return true;
    const char *ref = space + 1;
    return ref_ends_in(ref, line_length - (size_t)(ref - line), name, length);
}

/*
 * Returns whether the packed-refs file of `git_directory` may hold a ref
 * that NAME names, or cannot be read: a line longer than the buffer or a
 * read error counts as a match.
 */
static bool packed_refs_name(const char *git_directory, const char *name, size_t length)
{
    char path[PATH_MAX];
    if (!join(path, git_directory, "", "packed-refs", 11))
        return true;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno != ENOENT;

    char buffer[8192];
    size_t used = 0;
    bool found = false;
    for (;;) {
        ssize_t got = read(fd, buffer + used, sizeof(buffer) - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            found = got < 0 || packed_line_names(buffer, used, name, length);
            break;
        }
        used += (size_t)got;
        size_t start = 0;
        const char *newline;
        while (!found && (newline = memchr(buffer + start, '\n', used - start)) != NULL) {
            size_t end = (size_t)(newline - buffer);
            found = packed_line_names(buffer + start, end - start, name, length);
            start = end + 1;
        }
        if (found || (start == 0 && used == sizeof(buffer))) {
            found = true;
            break;
        }
        memmove(buffer, buffer + start, used - start);
        used -= start;
    }
    close(fd);
    return found;
}

/*
 * Returns whether NAME may name a ref of the repository in
 * `git_directory`, in the places where git 2.39's revision lookup
 * (ref_rev_parse_rules) tries it: NAME itself (HEAD, FETCH_HEAD),
 * refs/NAME (refs/stash), refs/tags/NAME, refs/heads/NAME, refs/remotes/NAME
 * and refs/remotes/NAME/HEAD, as loose refs or in packed-refs. Names below
 * worktrees/ and main-worktree/ name the refs of other work trees.
 * Anything found there counts, and so does a failed lookup.
 */
static bool may_name_ref(const char *git_directory, const char *name, size_t length)
{
    static const char *const prefixes[] = {"", "refs/", "refs/tags/", "refs/heads/",
                                           "refs/remotes/"};
    if ((length >= 10 && memcmp(name, "worktrees/", 10) == 0)
        || (length >= 14 && memcmp(name, "main-worktree/", 14) == 0))
        return true;

    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (!join(path, git_directory, prefixes[i], name, length) || look_at(path) != PATH_ABSENT)
            return true;
    }
    int written = snprintf(path, sizeof(path), "%s/refs/remotes/%.*s/HEAD", git_directory,
                           (int)length, name);
    if (written <= 0 || written >= PATH_MAX || look_at(path) != PATH_ABSENT)
        return true;
    return packed_refs_name(git_directory, name, length);
}

/* Returns whether `cwd` has a control character: a part known only at run time is one. */
static bool has_unknown_part(const char *cwd)
{
    for (const char *c = cwd; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20)
            return true;
    }
    return false;
}

bool ag_git_checkout_restores_file(const char *cwd, const char *name, size_t length)
{
    if (cwd == NULL || cwd[0] != '/' || has_unknown_part(cwd) || !is_plain_path(name, length)
        || may_be_revision(name, length))
        return false;

    char path[PATH_MAX];
    struct stat status;
    if (!join(path, cwd, "", name, length) || lstat(path, &status) != 0
        || S_ISDIR(status.st_mode))
        return false;

    char git_directory[PATH_MAX];
    return find_git_directory(cwd, git_directory)
           && !may_name_ref(git_directory, name, length);
}

bool ag_git_is_work_tree_top(const char *cwd)
{
    char path[PATH_MAX];
    if (cwd == NULL || cwd[0] != '/' || has_unknown_part(cwd) || !join(path, cwd, "", ".git", 4))
        return false;
    path_kind kind = look_at(path);
    return kind == PATH_DIRECTORY || kind == PATH_FILE;
}

bool ag_git_path_is_regular_file(const char *cwd, const char *name, size_t length)
{
    char path[PATH_MAX];
    if (cwd == NULL || cwd[0] != '/' || has_unknown_part(cwd) || !is_plain_path(name, length)
        || !join(path, cwd, "", name, length))
        return false;
    return look_at(path) == PATH_FILE;
}
