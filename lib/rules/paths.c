/*
 * Path normalization, Read/Edit path rules and WebFetch domain rules.
 *
 * A path rule is stored as an anchor (root, home, policy directory or the
 * request's cwd) plus a PCRE2 pattern for the part of the path below that
 * anchor. At match time the anchor is resolved to an absolute base, the path
 * must lie inside the base (whole components), and the pattern must match
 * the rest of the path.
 *
 * Unknown parts: an unknown part of a path (AG_DYNAMIC_MARK) may expand to
 * text with "/" and "..", so `/safe/$X` can name any file at all. The
 * normalizer therefore replaces everything before an unknown part by that
 * part, and a normalized path with an unknown part always starts with the
 * mark. Such a path never lies inside a known base: an allow rule never
 * matches it, and a deny or ask rule gives MAYBE.
 */
/* readlink() and faccessat() are POSIX 2008 (XSI level 700). */
#define _XOPEN_SOURCE 700

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/paths.h"

/* Buffer for a PCRE2 error message; pcre2_get_error_message() truncates longer ones. */
#define AG_PCRE2_MESSAGE_SIZE 256

/* ------------------------------------------------------------ normalizing */

/*
 * The path being built. `floor` is the length below which ".." cannot pop:
 * 0 for the root "/" (the text is then "" or "/a/b"), 1 for "~" when the home
 * is unknown, and the length of the leading unknown part otherwise.
 */
typedef struct path_builder {
    char *text;
    size_t length;
    size_t floor;
    bool known_root;   /* the path starts at "/" */
    ag_arena *arena;   /* for following links before a ".." (follow_links()) */
    size_t reserve;    /* room kept for the rest of the input when the text is replaced */
    size_t capacity;   /* the size of `text` */
    unsigned lookups;  /* the ag_path_resolve() calls that follow_links() made */
} path_builder;

/*
 * The most ".." components that follow_links() looks up on disk for one
 * path. Each lookup walks the directory built so far and copies it, so
 * without a bound the time and memory of one path grow with the square of
 * its length. A Read of a 250 KB path of "a/" then "../" used 2.4 GB (GNU
 * time, Linux 6.18 VM). Past the bound the directory is unknown, so deny
 * and ask rules give MAYBE.
 */
#define MAX_LINK_LOOKUPS 64

static void builder_set_unknown(path_builder *builder, const char *part, size_t length);

/*
 * Returns whether `path` is or lies below a link that the kernel follows
 * per process (ag_path_alias_part()), including /dev/stdin, /dev/stdout
 * and /dev/stderr themselves.
 */
static bool is_process_link(const char *path)
{
    return ag_path_alias_part(path) != NULL || strcmp(path, "/dev/stdin") == 0
           || strcmp(path, "/dev/stdout") == 0 || strcmp(path, "/dev/stderr") == 0;
}

/*
 * Before a ".." pops a component of a known absolute path: when the
 * directory built so far leads elsewhere through a symbolic link on disk,
 * the kernel applies ".." to where the link leads, not to the text. So
 * `lnk/../x` with `lnk -> ~/.ssh` names ~/x, not ./x. The text becomes the
 * resolved directory (ag_path_resolve()), or unknown when it cannot be
 * resolved, so deny and ask rules answer MAYBE.
 */
static void follow_links(path_builder *builder)
{
    if (!builder->known_root || builder->length == 0 || builder->arena == NULL)
        return;
    builder->text[builder->length] = '\0';

    /*
     * The kernel rejects a path of PATH_MAX bytes or more (ENAMETOOLONG), so
     * only a host that shortens the text first could open such a path. There,
     * and past MAX_LINK_LOOKUPS, where the ".." leads on disk is unknown.
     */
    if (builder->length >= PATH_MAX || builder->lookups >= MAX_LINK_LOOKUPS) {
        char mark = AG_DYNAMIC_MARK;
        builder_set_unknown(builder, &mark, 1);
        return;
    }
    builder->lookups++;

    /*
     * /proc/self/cwd, /dev/stdin and the like lead somewhere else for the
     * agent's process than for the checker's, so where the ".." goes is
     * unknown (`/proc/self/cwd/../x` is the parent of the agent's cwd).
     */
    if (is_process_link(builder->text)) {
        char mark = AG_DYNAMIC_MARK;
        builder_set_unknown(builder, &mark, 1);
        return;
    }
    const char *resolved = ag_path_resolve(builder->arena, NULL, builder->text);
    if (resolved != NULL && strcmp(resolved, builder->text) == 0)
        return;
    size_t length = resolved != NULL ? strlen(resolved) : 0;
    char *text = builder->text;
    /* A new buffer only when the resolved text and the rest of the input do not fit. */
    if (resolved != NULL && length + builder->reserve > builder->capacity) {
        size_t capacity = (length > PATH_MAX ? length : PATH_MAX) + builder->reserve;
        text = ag_arena_alloc(builder->arena, capacity);
        builder->capacity = text != NULL ? capacity : builder->capacity;
    }
    if (resolved == NULL || text == NULL) {
        char mark = AG_DYNAMIC_MARK;
        builder_set_unknown(builder, &mark, 1);
        return;
    }
    memcpy(text, resolved, length);
    builder->text = text;
    builder->length = strcmp(resolved, "/") == 0 ? 0 : length;
}

static void builder_set_unknown(path_builder *builder, const char *part, size_t length)
{
    memcpy(builder->text, part, length);
    builder->length = length;
    builder->floor = length;
    builder->known_root = false;
}

static void builder_pop(path_builder *builder)
{
    follow_links(builder);
    if (builder->length > builder->floor) {
        while (builder->length > builder->floor && builder->text[builder->length - 1] != '/')
            builder->length--;
        builder->length--;    /* the '/' before the component */
        return;
    }
    /* Above an unknown part, or above an unknown home, lies an unknown directory. */
    if (!builder->known_root) {
        char mark = AG_DYNAMIC_MARK;
        builder_set_unknown(builder, &mark, 1);
    }
}

static void builder_push(path_builder *builder, const char *part, size_t length)
{
    if (length == 0 || (length == 1 && part[0] == '.'))
        return;
    if (length == 2 && part[0] == '.' && part[1] == '.') {
        builder_pop(builder);
        return;
    }

    /* An unknown part may contain "/..", so nothing before it is known. */
    const char *mark = memchr(part, AG_DYNAMIC_MARK, length);
    if (mark != NULL) {
        builder_set_unknown(builder, mark, length - (size_t)(mark - part));
        return;
    }
    builder->text[builder->length++] = '/';
    memcpy(builder->text + builder->length, part, length);
    builder->length += length;
}

static void builder_push_all(path_builder *builder, const char *path, size_t length)
{
    size_t start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i == length || path[i] == '/') {
            builder_push(builder, path + start, i - start);
            start = i + 1;
        }
    }
}

/* Starts the path at an absolute directory, or at an unknown one when `directory` is not absolute. */
static void builder_start_at(path_builder *builder, const char *directory)
{
    if (directory != NULL && directory[0] == '/') {
        builder->known_root = true;
        builder_push_all(builder, directory, strlen(directory));
        return;
    }
    char mark = AG_DYNAMIC_MARK;
    builder_set_unknown(builder, &mark, 1);
}

/*
 * Returns whether the absolute `path` is already in normal form: no empty,
 * "." or ".." component, no trailing '/' (except the root itself) and no
 * unknown part. Most paths a host sends are, and normalizing one is a copy.
 */
static bool is_normal_absolute(const char *path, size_t length)
{
    if (length == 0 || path[0] != '/')
        return false;
    if (length == 1)
        return true;
    if (memchr(path, AG_DYNAMIC_MARK, length) != NULL)
        return false;

    size_t start = 1;
    for (size_t i = 1; i <= length; i++) {
        if (i < length && path[i] != '/')
            continue;
        size_t part = i - start;
        if (part == 0 || (part == 1 && path[start] == '.')
            || (part == 2 && path[start] == '.' && path[start + 1] == '.'))
            return false;
        start = i + 1;
    }
    return true;
}

/* Normalizes as ag_path_normalize() does; a `lexical` ".." never reads the file system. */
static const char *normalize(ag_arena *arena, const ag_path_context *context, const char *path,
                             size_t length, bool lexical)
{
    if (is_normal_absolute(path, length))
        return ag_arena_strndup(arena, path, length);

    const char *cwd = context != NULL ? context->cwd : NULL;
    const char *home = context != NULL ? context->home : NULL;
    size_t capacity = length + (cwd != NULL ? strlen(cwd) : 0)
                      + (home != NULL ? strlen(home) : 0) + 4;
    path_builder builder = {ag_arena_alloc(arena, capacity), 0, 0, false,
                            lexical ? NULL : arena, capacity, capacity, 0};
    if (builder.text == NULL)
        return NULL;

    if (length > 0 && path[0] == '/') {
        builder.known_root = true;
        builder_push_all(&builder, path, length);
    } else if (length > 0 && path[0] == '~') {
        size_t first = 1;
        while (first < length && path[first] != '/')
            first++;
        if (first > 1) {
            builder_start_at(&builder, NULL);          /* ~user: someone else's home */
        } else if (home != NULL && home[0] == '/') {
            builder_start_at(&builder, home);
        } else {
            builder_set_unknown(&builder, "~", 1);     /* kept as ~ so home rules match it */
        }
        builder_push_all(&builder, path + first, length - first);
    } else {
        builder_start_at(&builder, cwd);
        builder_push_all(&builder, path, length);
    }

    if (builder.known_root && builder.length == 0)
        builder.text[builder.length++] = '/';
    builder.text[builder.length] = '\0';
    return builder.text;
}

const char *ag_path_normalize(ag_arena *arena, const ag_path_context *context,
                              const char *path, size_t length)
{
    return normalize(arena, context, path, length, false);
}

const char *ag_path_normalize_lexical(ag_arena *arena, const ag_path_context *context,
                                      const char *path, size_t length)
{
    return normalize(arena, context, path, length, true);
}

/* Returns the length of `directory` without trailing slashes, keeping a lone "/". */
static size_t directory_length(const char *directory)
{
    size_t length = strlen(directory);
    while (length > 1 && directory[length - 1] == '/')
        length--;
    return length;
}

static unsigned char fold_ascii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Compares the first `length` bytes of two strings, ASCII letters in either
 * case equal. No locale applies, as for PCRE2's default tables.
 */
static bool equal_caseless(const char *a, const char *b, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (a[i] == '\0' || b[i] == '\0')
            return a[i] == b[i];
        if (fold_ascii((unsigned char)a[i]) != fold_ascii((unsigned char)b[i]))
            return false;
    }
    return true;
}

static bool path_is_within(const char *path, const char *directory, bool caseless)
{
    if (path == NULL || directory == NULL || directory[0] == '\0')
        return false;
    size_t length = directory_length(directory);
    if (length == 1 && directory[0] == '/')
        return path[0] == '/';
    bool prefix = caseless ? equal_caseless(path, directory, length)
                           : strncmp(path, directory, length) == 0;
    return prefix && (path[length] == '\0' || path[length] == '/');
}

bool ag_path_is_within(const char *path, const char *directory)
{
    return path_is_within(path, directory, false);
}

bool ag_path_is_within_caseless(const char *path, const char *directory)
{
    return path_is_within(path, directory, true);
}

/* --------------------------------------------------------- ASCII folding */

/* A UTF-8 sequence and the ASCII text that a case-insensitive file system reads it as. */
typedef struct ascii_folding {
    const char *sequence;
    const char *ascii;
} ascii_folding;

/*
 * The characters outside ASCII that a case-insensitive file system may take
 * for ASCII text, with the first byte of each sequence as the key. The list
 * was made with Python 3.11's unicodedata (Unicode 14.0.0) by checking every
 * code point above U+007F. str.casefold() (CaseFolding.txt, status C and F)
 * folds U+00DF, U+017F, U+1E9E, U+212A and U+FB00..U+FB06 to ASCII letters,
 * as APFS and ext4 casefold directories fold names. str.upper() maps U+0131
 * to "I", as the upper-case table of NTFS does. Canonical normalization
 * (NFD, which APFS and HFS+ ignore) maps U+037E to ";" and U+1FEF to "`".
 */
static const ascii_folding ascii_foldings[] = {
    {"\xC3\x9F", "ss"},     /* U+00DF LATIN SMALL LETTER SHARP S */
    {"\xC4\xB1", "i"},      /* U+0131 LATIN SMALL LETTER DOTLESS I */
    {"\xC5\xBF", "s"},      /* U+017F LATIN SMALL LETTER LONG S */
    {"\xCD\xBE", ";"},      /* U+037E GREEK QUESTION MARK */
    {"\xE1\xBA\x9E", "ss"}, /* U+1E9E LATIN CAPITAL LETTER SHARP S */
    {"\xE1\xBF\xAF", "`"},  /* U+1FEF GREEK VARIA */
    {"\xE2\x84\xAA", "k"},  /* U+212A KELVIN SIGN */
    {"\xEF\xAC\x80", "ff"}, /* U+FB00 LATIN SMALL LIGATURE FF */
    {"\xEF\xAC\x81", "fi"}, /* U+FB01 LATIN SMALL LIGATURE FI */
    {"\xEF\xAC\x82", "fl"}, /* U+FB02 LATIN SMALL LIGATURE FL */
    {"\xEF\xAC\x83", "ffi"},    /* U+FB03 LATIN SMALL LIGATURE FFI */
    {"\xEF\xAC\x84", "ffl"},    /* U+FB04 LATIN SMALL LIGATURE FFL */
    {"\xEF\xAC\x85", "st"},     /* U+FB05 LATIN SMALL LIGATURE LONG S T */
    {"\xEF\xAC\x86", "st"},     /* U+FB06 LATIN SMALL LIGATURE ST */
};

/* Returns the entry of ascii_foldings whose sequence starts `text`, or NULL. */
static const ascii_folding *folding_at(const char *text)
{
    for (size_t i = 0; i < sizeof(ascii_foldings) / sizeof(*ascii_foldings); i++) {
        const char *sequence = ascii_foldings[i].sequence;
        size_t length = strlen(sequence);
        if (strncmp(text, sequence, length) == 0)
            return &ascii_foldings[i];
    }
    return NULL;
}

/*
 * Returns whether one of the `length` bytes at `text` is above 0x7F. It
 * tests eight bytes at a time, because this runs for several paths of every
 * effect and nearly all of them are ASCII.
 */
static bool has_high_byte(const char *text, size_t length)
{
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        memcpy(&word, text + i, sizeof(word));
        if ((word & UINT64_C(0x8080808080808080)) != 0)
            return true;
    }
    for (; i < length; i++) {
        if ((unsigned char)text[i] >= 0x80)
            return true;
    }
    return false;
}

/* Returns the first byte of `path` that starts a sequence of ascii_foldings, or NULL. */
static const char *first_folding(const char *path)
{
    if (!has_high_byte(path, strlen(path)))
        return NULL;
    for (const char *p = path; *p != '\0'; p++) {
        if ((unsigned char)*p >= 0x80 && folding_at(p) != NULL)
            return p;
    }
    return NULL;
}

ag_status ag_path_fold_ascii(ag_arena *arena, const char *path, const char **folded)
{
    *folded = NULL;
    const char *first = path != NULL ? first_folding(path) : NULL;
    if (first == NULL)
        return AG_OK;

    /* Every sequence is at least as long as its ASCII text, so the copy never grows. */
    size_t length = strlen(path);
    char *copy = ag_arena_alloc(arena, length + 1);
    if (copy == NULL)
        return AG_ERR_NOMEM;
    size_t out = (size_t)(first - path);
    memcpy(copy, path, out);
    for (const char *p = first; *p != '\0';) {
        const ascii_folding *folding = (unsigned char)*p >= 0x80 ? folding_at(p) : NULL;
        if (folding == NULL) {
            copy[out++] = *p++;
            continue;
        }
        size_t ascii_length = strlen(folding->ascii);
        memcpy(copy + out, folding->ascii, ascii_length);
        out += ascii_length;
        p += strlen(folding->sequence);
    }
    copy[out] = '\0';
    *folded = copy;
    return AG_OK;
}

ag_status ag_path_context_fold_ascii(ag_arena *arena, const ag_path_context *context,
                                     ag_path_context *folded, bool *changed)
{
    *folded = *context;
    *changed = false;
    const char **const fields[] = {&folded->cwd, &folded->home, &folded->real_cwd};
    for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        const char *folding;
        if (ag_path_fold_ascii(arena, *fields[i], &folding) != AG_OK)
            return AG_ERR_NOMEM;
        if (folding == NULL)
            continue;
        *fields[i] = folding;
        *changed = true;
    }
    return AG_OK;
}

/* Links followed in one lookup before ELOOP: MAXSYMLINKS in Linux and glibc 2.36's realpath(). */
#define AG_MAX_LINKS 40

/*
 * State of ag_path_resolve(). The text still to resolve is the `pending`
 * link text followed by the input from `cursor` on. `good` is what
 * realpath() returns for the longest input prefix known to resolve (the
 * input before `good_cut`). When the lookup fails below it, the result is
 * `good` followed by the rest of the input.
 */
typedef struct path_resolver {
    const char *path;
    size_t cursor;
    char *pending;
    size_t pending_start, pending_end, pending_capacity;
    char directory[PATH_MAX];      /* resolved so far, "" for "/" */
    size_t directory_length;
    char good[PATH_MAX];           /* the good prefix, copied before a link rewrites `directory` */
    size_t good_length, good_cut;
    size_t directory_cut;          /* good_cut if the good prefix is a directory */
    bool good_copied;
    unsigned links;
    ag_arena *arena;
    ag_lookup_cache *cache;        /* or NULL */
} path_resolver;

typedef enum resolve_step {
    RESOLVE_NEXT,       /* go on with the next component */
    RESOLVE_MISSING,    /* nothing below exists: return `good` and the rest of the input */
    RESOLVE_DANGLING,   /* a name in a link's text is missing (resolver_dangling_result()) */
    RESOLVE_ERROR       /* return NULL */
} resolve_step;

/* Returns the byte at `index` of `first` (of `first_length` bytes) followed by `second`. */
static char joined_at(const char *first, size_t first_length, const char *second, size_t index)
{
    return index < first_length ? first[index] : second[index - first_length];
}

/*
 * Returns whether the text after a component makes glibc's realpath()
 * check that the component is a directory: slashes then the end, ".", or
 * "..", after any "/." components (suffix_requires_dir_check() in glibc's
 * stdlib/canonicalize.c). The text is `first` followed by `second`.
 */
static bool suffix_needs_directory(const char *first, size_t first_length, const char *second)
{
    size_t i = 0;
    while (joined_at(first, first_length, second, i) == '/') {
        while (joined_at(first, first_length, second, i) == '/')
            i++;
        char c = joined_at(first, first_length, second, i++);
        if (c == '\0')
            return true;
        if (c != '.')
            return false;
        char next = joined_at(first, first_length, second, i);
        if (next == '\0')
            return true;
        if (next == '.') {
            char after = joined_at(first, first_length, second, i + 1);
            if (after == '\0' || after == '/')
                return true;
        }
    }
    return false;
}

/* Marks the directory resolved so far as the result for the input before `cursor`. */
static void resolver_mark_good(path_resolver *resolver)
{
    resolver->good_length = resolver->directory_length;
    resolver->good_cut = resolver->cursor;
    resolver->good_copied = false;
}

/*
 * Takes the next component, from the pending link text or else from the
 * input. Returns false at the end of both. Marks the input prefix as good
 * whenever the link text is used up, because each input component then
 * resolved completely.
 */
static bool resolver_next(path_resolver *resolver, const char **name, size_t *length,
                          bool *from_link)
{
    while (resolver->pending_start < resolver->pending_end
           && resolver->pending[resolver->pending_start] == '/')
        resolver->pending_start++;
    if (resolver->pending_start < resolver->pending_end) {
        const char *start = resolver->pending + resolver->pending_start;
        const char *slash = memchr(start, '/', resolver->pending_end - resolver->pending_start);
        *length = slash != NULL ? (size_t)(slash - start)
                                : resolver->pending_end - resolver->pending_start;
        *name = start;
        *from_link = true;
        resolver->pending_start += *length;
        return true;
    }

    resolver_mark_good(resolver);
    const char *path = resolver->path;
    for (;;) {
        while (path[resolver->cursor] == '/')
            resolver->cursor++;
        bool dot = path[resolver->cursor] == '.'
                   && (path[resolver->cursor + 1] == '/' || path[resolver->cursor + 1] == '\0');
        if (!dot)
            break;
        resolver->cursor++;
    }
    if (path[resolver->cursor] == '\0')
        return false;

    /*
     * realpath() resolves "dir/" and "dir/." only when dir is a directory,
     * so the longest prefix that resolves ends at the last slash of a run
     * of slashes and "." then, and before the run otherwise.
     * resolver_step() learns which from the readlink() of the next name.
     */
    resolver->directory_cut = resolver->cursor - 1;
    *name = path + resolver->cursor;
    *length = strcspn(*name, "/");
    *from_link = false;
    resolver->cursor += *length;
    return true;
}

/* Applies ".." to the resolved directory, which stops at "/". */
static void resolver_pop(path_resolver *resolver)
{
    while (resolver->directory_length > 0
           && resolver->directory[resolver->directory_length - 1] != '/')
        resolver->directory_length--;
    if (resolver->directory_length > 0)
        resolver->directory_length--;
}

/*
 * Puts a link's text before the pending text. The stack buffer fits the
 * text of any one link (Linux keeps it under PATH_MAX bytes), and nested
 * links that leave more text than that move it to the arena.
 */
static bool resolver_splice(path_resolver *resolver, const char *text, size_t length)
{
    size_t rest = resolver->pending_end - resolver->pending_start;
    if (length + rest + 1 > resolver->pending_capacity) {
        size_t capacity = 2 * (length + rest + 1);
        char *pending = ag_arena_alloc(resolver->arena, capacity);
        if (pending == NULL)
            return false;
        memcpy(pending + length, resolver->pending + resolver->pending_start, rest);
        resolver->pending = pending;
        resolver->pending_capacity = capacity;
    } else {
        memmove(resolver->pending + length, resolver->pending + resolver->pending_start, rest);
    }
    memcpy(resolver->pending, text, length);
    resolver->pending_start = 0;
    resolver->pending_end = length + rest;
    return true;
}

/* Follows a link whose `length` bytes of text are in `text`. */
static resolve_step resolver_follow(path_resolver *resolver, const char *text, size_t length)
{
    if (++resolver->links > AG_MAX_LINKS)
        return RESOLVE_ERROR;

    /* The link may rewrite the directory below the good prefix, so keep a copy. */
    if (!resolver->good_copied) {
        memcpy(resolver->good, resolver->directory, resolver->good_length);
        resolver->good_copied = true;
    }
    if (length > 0 && text[0] == '/')
        resolver->directory_length = 0;
    return resolver_splice(resolver, text, length) ? RESOLVE_NEXT : RESOLVE_ERROR;
}

/*
 * Checks that the component just added is a directory where realpath()
 * would (suffix_needs_directory()). It also runs where only the rest of a
 * link's text requires it, as in a link to "file/". realpath() then fails
 * on the input prefix that ends at the link, so the good prefix stays the
 * one before the link.
 */
static resolve_step resolver_check_directory(path_resolver *resolver, bool from_link)
{
    const char *pending = resolver->pending + resolver->pending_start;
    size_t pending_length = resolver->pending_end - resolver->pending_start;
    bool for_prefix = from_link && suffix_needs_directory(pending, pending_length, "");
    bool for_path = suffix_needs_directory(pending, pending_length,
                                           resolver->path + resolver->cursor);
    if (!for_prefix && !for_path)
        return RESOLVE_NEXT;

    if (resolver->directory_length + 1 >= PATH_MAX)
        return RESOLVE_ERROR;
    resolver->directory[resolver->directory_length] = '/';
    resolver->directory[resolver->directory_length + 1] = '\0';
    if (faccessat(AT_FDCWD, resolver->directory, F_OK, AT_EACCESS) == 0)
        return RESOLVE_NEXT;
    if (errno != ENOENT && errno != ENOTDIR)
        return RESOLVE_ERROR;
    if (!for_prefix && pending_length == 0)
        resolver_mark_good(resolver);
    return RESOLVE_MISSING;
}

/* Returns the cached lookup of the `length` bytes of `path`, or NULL. */
static const ag_lookup_entry *lookup_cached(const ag_lookup_cache *cache, const char *path,
                                            size_t length)
{
    if (cache == NULL)
        return NULL;
    for (unsigned i = 0; i < cache->count; i++) {
        const ag_lookup_entry *entry = &cache->entries[i];
        if (entry->length == length && memcmp(entry->path, path, length) == 0)
            return entry;
    }
    return NULL;
}

/* Keeps a lookup for the rest of the check; a lack of arena memory only skips it. */
static void lookup_store(path_resolver *resolver, size_t length, int error, const char *text,
                         size_t text_length)
{
    ag_lookup_cache *cache = resolver->cache;
    if (cache == NULL)
        return;
    char *path = ag_arena_strndup(resolver->arena, resolver->directory, length);
    char *copy = error == 0 ? ag_arena_strndup(resolver->arena, text, text_length) : NULL;
    if (path == NULL || (error == 0 && copy == NULL))
        return;

    unsigned slot = cache->count;
    if (slot == AG_LOOKUP_SLOTS) {
        slot = cache->next;
        cache->next = (cache->next + 1) % AG_LOOKUP_SLOTS;
    } else {
        cache->count++;
    }
    cache->entries[slot] = (ag_lookup_entry){path, length, error, copy, text_length};
}

/*
 * Reads the link at resolver->directory (`length` bytes) from the cache or
 * with readlink(). Returns the text's length and points *text at it, or -1
 * with errno set as readlink() set it.
 */
static ssize_t lookup_link(path_resolver *resolver, size_t length, char *buffer,
                           const char **text)
{
    const ag_lookup_entry *entry = lookup_cached(resolver->cache, resolver->directory, length);
    if (entry != NULL) {
        *text = entry->text;
        errno = entry->error;
        return entry->error == 0 ? (ssize_t)entry->text_length : -1;
    }

    ssize_t text_length = readlink(resolver->directory, buffer, PATH_MAX);
    int error = text_length >= 0 ? 0 : errno;
    /* Linux keeps link texts under PATH_MAX bytes, so a full buffer means a cut text. */
    if (text_length >= PATH_MAX)
        return text_length;
    lookup_store(resolver, length, error, buffer, text_length >= 0 ? (size_t)text_length : 0);
    *text = buffer;
    errno = error;
    return text_length;
}

/*
 * Resolves one component other than "." and "..", with one readlink() call (or none when the cache has it)
 * and, where realpath() makes one, a directory check.
 */
static resolve_step resolver_step(path_resolver *resolver, const char *name, size_t length,
                                  bool from_link)
{
    size_t start = resolver->directory_length;
    if (start + 1 + length >= PATH_MAX)
        return RESOLVE_ERROR;
    resolver->directory[start] = '/';
    memcpy(resolver->directory + start + 1, name, length);
    resolver->directory[start + 1 + length] = '\0';

    /*
     * A link into /proc/self/cwd, /dev/fd and the like leads elsewhere for
     * the agent's process than for the checker's, so where it goes is unknown.
     */
    bool may_be_alias = resolver->directory[1] == 'p' || resolver->directory[1] == 'd';
    if (may_be_alias && ag_path_alias_part(resolver->directory) != NULL)
        return RESOLVE_ERROR;

    char buffer[PATH_MAX];
    const char *text = NULL;
    ssize_t text_length = lookup_link(resolver, start + 1 + length, buffer, &text);
    if (!from_link && (text_length >= 0 || errno == EINVAL))
        resolver->good_cut = resolver->directory_cut;
    if (text_length >= 0) {
        if (text_length >= PATH_MAX)
            return RESOLVE_ERROR;
        return resolver_follow(resolver, text, (size_t)text_length);
    }
    if ((errno == ENOENT || errno == ENOTDIR) && from_link)
        return RESOLVE_DANGLING;
    if (errno == ENOENT || errno == ENOTDIR) {
        if (errno == ENOENT)
            resolver->good_cut = resolver->directory_cut;
        return RESOLVE_MISSING;
    }
    if (errno != EINVAL)
        return RESOLVE_ERROR;

    /* EINVAL: the component exists and is not a link. */
    resolver->directory_length = start + 1 + length;
    return resolver_check_directory(resolver, from_link);
}

/* Returns the good prefix followed by the rest of the input after it. */
static const char *resolver_missing_result(path_resolver *resolver)
{
    const char *prefix = resolver->good_copied ? resolver->good : resolver->directory;
    const char *rest = resolver->path + resolver->good_cut;
    size_t rest_length = strlen(rest);
    if (resolver->good_length == 0 && rest_length == 0)
        return ag_arena_strndup(resolver->arena, "/", 1);

    char *result = ag_arena_alloc(resolver->arena, resolver->good_length + rest_length + 1);
    if (result == NULL)
        return NULL;
    memcpy(result, prefix, resolver->good_length);
    memcpy(result + resolver->good_length, rest, rest_length + 1);
    return result;
}

/* Returns whether the `length` bytes of `text` have a ".." component. */
static bool has_dot_dot(const char *text, size_t length)
{
    for (size_t i = 0; i + 1 < length; i++) {
        bool at_start = i == 0 || text[i - 1] == '/';
        bool at_end = i + 2 == length || text[i + 2] == '/';
        if (at_start && at_end && text[i] == '.' && text[i + 1] == '.')
            return true;
    }
    return false;
}

/*
 * Returns where a dangling link leads: the directory resolved before the
 * missing component `name`, then `name`, the rest of the link's text and
 * the rest of the input. open(O_CREAT) follows a dangling link and creates
 * that file, so a write through the link is a write there. A ".." after
 * the missing component makes the kernel fail, but the checker cannot tell
 * what the agent creates first, so the result is NULL (unknown).
 */
static const char *resolver_dangling_result(path_resolver *resolver, const char *name,
                                            size_t length)
{
    size_t before = resolver->directory_length;
    const char *pending = resolver->pending + resolver->pending_start;
    size_t pending_length = resolver->pending_end - resolver->pending_start;
    const char *rest = resolver->path + resolver->cursor;
    size_t rest_length = strlen(rest);
    if (has_dot_dot(pending, pending_length) || has_dot_dot(rest, rest_length))
        return NULL;

    size_t capacity = before + length + pending_length + rest_length + 4;
    char *text = ag_arena_alloc(resolver->arena, capacity);
    if (text == NULL)
        return NULL;
    int written = snprintf(text, capacity, "%.*s/%.*s/%.*s/%s", (int)before, resolver->directory,
                           (int)length, name, (int)pending_length, pending, rest);
    if (written < 0 || (size_t)written >= capacity)
        return NULL;
    return ag_path_normalize_lexical(resolver->arena, NULL, text, (size_t)written);
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Returns whether the component from `start` to `end` is `name`. */
static bool component_equals(const char *start, const char *end, const char *name)
{
    return (size_t)(end - start) == strlen(name) && memcmp(start, name, strlen(name)) == 0;
}

const char *ag_path_alias_part(const char *path)
{
    if (starts_with(path, "/dev/fd/") || starts_with(path, "/dev/stdin/")
        || starts_with(path, "/dev/stdout/") || starts_with(path, "/dev/stderr/"))
        return strchr(path + 5, '/');
    if (strcmp(path, "/dev/fd") == 0)
        return path + strlen(path);
    if (!starts_with(path, "/proc/"))
        return NULL;

    for (const char *part = path + 6; *part != '\0';) {
        const char *slash = strchr(part, '/');
        const char *end = slash != NULL ? slash : part + strlen(part);
        if (component_equals(part, end, "root") || component_equals(part, end, "cwd")
            || component_equals(part, end, "fd") || component_equals(part, end, "map_files"))
            return end;
        part = *end == '/' ? end + 1 : end;
    }
    return NULL;
}

const char *ag_path_resolve(ag_arena *arena, ag_lookup_cache *cache, const char *path)
{
    if (path == NULL || path[0] != '/' || strchr(path, AG_DYNAMIC_MARK) != NULL)
        return NULL;

    char pending[PATH_MAX];
    path_resolver resolver;
    resolver.path = path;
    resolver.cursor = 0;
    resolver.pending = pending;
    resolver.pending_start = resolver.pending_end = 0;
    resolver.pending_capacity = sizeof(pending);
    resolver.directory_length = 0;
    resolver.links = 0;
    resolver.arena = arena;
    resolver.cache = cache;
    resolver_mark_good(&resolver);

    const char *name;
    size_t length;
    bool from_link;
    while (resolver_next(&resolver, &name, &length, &from_link)) {
        if (length == 1 && name[0] == '.')
            continue;
        if (length == 2 && name[0] == '.' && name[1] == '.') {
            resolver_pop(&resolver);
            continue;
        }
        resolve_step step = resolver_step(&resolver, name, length, from_link);
        if (step == RESOLVE_DANGLING)
            return resolver_dangling_result(&resolver, name, length);
        if (step == RESOLVE_MISSING)
            return resolver_missing_result(&resolver);
        if (step == RESOLVE_ERROR)
            return NULL;
    }

    if (resolver.directory_length == 0)
        return ag_arena_strndup(arena, "/", 1);
    return ag_arena_strndup(arena, resolver.directory, resolver.directory_length);
}

const char *ag_path_link_target(ag_arena *arena, ag_lookup_cache *cache, const char *path)
{
    static const char unknown_path[] = {AG_DYNAMIC_MARK, '\0'};
    if (path == NULL || path[0] != '/' || strchr(path, AG_DYNAMIC_MARK) != NULL)
        return NULL;

    const char *resolved = ag_path_resolve(arena, cache, path);
    if (resolved == NULL)
        return unknown_path;
    return strcmp(resolved, path) == 0 ? NULL : resolved;
}

/* ------------------------------------------------------------- rule errors */

static ag_status spec_error(ag_error **error, ag_status code, const ag_rule *rule,
                            const char *detail)
{
    return ag_error_set(error, code, rule->location.file, rule->location.line,
                        rule->location.column, "invalid rule \"%s\": %s", rule->text, detail);
}

/* ------------------------------------------------------------- path rules */

/* Appends a byte so PCRE2 reads it literally, inside or outside a class. */
static void append_literal(ag_buffer *regex, unsigned char c)
{
    if (isalnum(c) && c < 0x80)
        ag_buffer_append_char(regex, (char)c);
    else
        ag_buffer_printf(regex, "\\x{%02x}", c);
}

/*
 * Translates a `[...]` class starting at glob[*index]. Returns false when the
 * class has no closing ']', so the caller takes the '[' literally. A class
 * never matches '/'.
 */
static bool append_class(const char *glob, size_t *index, ag_buffer *regex)
{
    size_t i = *index + 1;
    bool negate = glob[i] == '!' || glob[i] == '^';
    if (negate)
        i++;
    size_t first = i;
    if (glob[i] == ']')
        i++;
    while (glob[i] != '\0' && glob[i] != ']')
        i++;
    if (glob[i] != ']')
        return false;

    ag_buffer_append_string(regex, negate ? "(?!/)[^" : "(?!/)[");
    for (size_t j = first; j < i; j++) {
        bool range = glob[j] == '-' && j > first && j + 1 < i;
        if (range)
            ag_buffer_append_char(regex, '-');
        else
            append_literal(regex, (unsigned char)glob[j]);
    }
    ag_buffer_append_char(regex, ']');
    *index = i;
    return true;
}

/* Translates a run of '*' at glob[*index]; `**` alone in a segment crosses directories. */
static void append_stars(const char *glob, size_t *index, ag_buffer *regex)
{
    size_t start = *index;
    size_t end = start;
    while (glob[end] == '*')
        end++;
    bool segment_start = start == 0 || glob[start - 1] == '/';
    bool segment_end = glob[end] == '\0' || glob[end] == '/';

    if (end - start >= 2 && segment_start && glob[end] == '/') {
        ag_buffer_append_string(regex, "(?:[\\s\\S]*/)?");   /* `**` + `/`: zero or more directories */
        end++;
    } else if (end - start >= 2 && segment_start && segment_end) {
        ag_buffer_append_string(regex, "[\\s\\S]*");
    } else {
        ag_buffer_append_string(regex, "[^/]*");
    }
    *index = end - 1;
}

/* Translates the glob after the anchor; returns false on a trailing backslash. */
static bool append_glob(const char *glob, ag_buffer *regex)
{
    for (size_t i = 0; glob[i] != '\0'; i++) {
        char c = glob[i];
        if (c == '\\') {
            if (glob[i + 1] == '\0')
                return false;
            append_literal(regex, (unsigned char)glob[++i]);
        } else if (c == '*') {
            append_stars(glob, &i, regex);
        } else if (c == '?') {
            ag_buffer_append_string(regex, "[^/]");
        } else if (c == '[') {
            if (!append_class(glob, &i, regex))
                append_literal(regex, '[');
        } else if (c == '/') {
            ag_buffer_append_char(regex, '/');
        } else {
            append_literal(regex, (unsigned char)c);
        }
    }
    return true;
}

/* Splits the anchor off the specifier; returns the glob after it, or NULL for `~user`. */
static const char *split_anchor(const char *spec, ag_path_anchor *anchor)
{
    if (strncmp(spec, "//", 2) == 0) {
        *anchor = AG_PATH_ANCHOR_ROOT;
        return spec + 2;
    }
    if (spec[0] == '~') {
        *anchor = AG_PATH_ANCHOR_HOME;
        if (spec[1] == '\0')
            return spec + 1;
        return spec[1] == '/' ? spec + 2 : NULL;
    }
    if (spec[0] == '/') {
        *anchor = AG_PATH_ANCHOR_POLICY;
        return spec + 1;
    }
    *anchor = AG_PATH_ANCHOR_CWD;
    return strncmp(spec, "./", 2) == 0 ? spec + 2 : spec;
}

/*
 * Returns a message when the glob has an empty, "." or ".." component, else
 * NULL. For a path from the root the message only says to drop the
 * component, because it is already the absolute //path the advice names.
 */
static const char *check_components(const char *glob, size_t length, ag_path_anchor anchor)
{
    size_t start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && glob[i] != '/')
            continue;
        size_t size = i - start;
        const char *part = glob + start;
        if (size == 0 && length > 0)
            return "an empty path component (\"//\" inside the path); remove the extra '/'";
        bool dots = (size == 1 && part[0] == '.')
                    || (size == 2 && part[0] == '.' && part[1] == '.');
        if (dots && anchor == AG_PATH_ANCHOR_ROOT)
            return "a \".\" or \"..\" component; write the path without it";
        if (dots)
            return "a \".\" or \"..\" component; write the path without it, or use an "
                   "absolute //path";
        start = i + 1;
    }
    return NULL;
}

/*
 * Deny and ask rules match ASCII letters in either case, because on a file
 * system that ignores case (the macOS and Windows defaults) `.SSH/id_rsa`
 * names the file `.ssh/id_rsa` does. Allow rules stay exact, so this only
 * ever makes a request stricter.
 * The code points outside ASCII that such a file system reads as ASCII
 * text (U+017F as "s") are matched through ag_path_fold_ascii().
 */
static uint32_t path_case_option(const ag_rule *rule)
{
    return ag_path_rule_is_caseless(rule) ? PCRE2_CASELESS : 0;
}

bool ag_path_rule_is_caseless(const ag_rule *rule)
{
    return rule->decision != AG_ALLOW;
}

static ag_status compile_regex(ag_rule *rule, const ag_buffer *regex, ag_error **error)
{
    pcre2_general_context *general = ag_rule_pcre2_context();
    pcre2_compile_context *compile = general != NULL ? pcre2_compile_context_create(general) : NULL;
    int code = 0;
    PCRE2_SIZE offset = 0;
    if (compile != NULL)
        rule->path_pattern = pcre2_compile((PCRE2_SPTR)regex->data, regex->length,
                                           PCRE2_NEVER_UTF | path_case_option(rule), &code,
                                           &offset, compile);
    pcre2_compile_context_free(compile);
    pcre2_general_context_free(general);

    if (compile == NULL || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_NOMEMORY
        || code == PCRE2_ERROR_HEAP_FAILED)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (rule->path_pattern == NULL) {
        PCRE2_UCHAR message[AG_PCRE2_MESSAGE_SIZE];
        pcre2_get_error_message(code, message, sizeof(message));
        char detail[AG_PCRE2_MESSAGE_SIZE + 96];
        snprintf(detail, sizeof(detail), "PCRE2 failed to compile its pattern: %s; "
                 "shorten or split the rule", (const char *)message);
        return spec_error(error, AG_ERR_PATTERN, rule, detail);
    }
    return AG_OK;    /* JIT-compiled by ag_rule_jit() */
}

/* The shape of the glob after a path rule's anchor, as build_path_regex() translates it. */
typedef struct path_glob_shape {
    size_t body_length;    /* the glob without a trailing "/" or "/" "**" */
    bool below;            /* the pattern also matches everything below a matched path */
    bool any_depth;        /* the body is one component that matches at any depth */
} path_glob_shape;

/*
 * Finds the body of a glob and how far its pattern reaches. A name without
 * '/' matches at any depth. A trailing "/" or "/" "**" also matches the
 * directory itself. Deny and ask rules also cover everything
 * below a matched path, because denying a directory means denying its
 * contents; allow rules do not widen.
 */
static path_glob_shape shape_glob(const ag_rule *rule, const char *glob, bool bare)
{
    path_glob_shape shape = {strlen(glob), rule->decision != AG_ALLOW, false};
    if (shape.body_length >= 3 && strcmp(glob + shape.body_length - 3, "/**") == 0) {
        shape.body_length -= 3;
        shape.below = true;
    } else if (shape.body_length >= 1 && glob[shape.body_length - 1] == '/') {
        shape.body_length -= 1;
        shape.below = true;
    }

    /* A deny or ask rule naming one directory ("secrets/" then "**") matches at any depth. */
    size_t length = shape.body_length;
    bool one_segment = length > 0 && memchr(glob, '/', length) == NULL
                       && !(length == 2 && strncmp(glob, "**", 2) == 0);
    shape.any_depth = bare && one_segment
                      && (strchr(glob, '/') == NULL || rule->decision != AG_ALLOW);
    return shape;
}

/* Builds the regex for the glob after the anchor; returns false on a trailing backslash. */
static bool build_path_regex(const ag_rule *rule, const char *glob, bool bare, ag_buffer *regex)
{
    path_glob_shape shape = shape_glob(rule, glob, bare);
    char *body = ag_strndup(glob, shape.body_length);
    if (body == NULL) {
        regex->failed = true;    /* so the caller reports AG_ERR_NOMEM, not a bad rule */
        return false;
    }
    ag_buffer_append_string(regex, "\\A");
    if (shape.any_depth)
        ag_buffer_append_string(regex, "(?:[\\s\\S]*/)?");
    bool ok = append_glob(body, regex);
    ag_free(body);
    if (!ok)
        return false;
    if (shape.body_length == 0)
        ag_buffer_append_string(regex, "[\\s\\S]*");
    else if (shape.below)
        ag_buffer_append_string(regex, "(?:/[\\s\\S]*)?");
    ag_buffer_append_string(regex, "\\z");
    return true;
}

static bool is_literal_component(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (strchr("*?[\\", text[i]) != NULL)
            return false;
    return true;
}

/*
 * Sets rule->path_plain when the glob's body has no wildcard or escape and
 * is not empty, so that match_glob() compares bytes instead of running the
 * regex; returns whether it did. A JIT compile costs about 120,000
 * instructions per rule (callgrind, PCRE2 10.42), about half of the load
 * time of the 10,000-rule policy of bench/bench.c.
 */
static bool set_plain_glob(ag_rule *rule, const char *glob, bool bare)
{
    path_glob_shape shape = shape_glob(rule, glob, bare);
    if (shape.body_length == 0 || !is_literal_component(glob, shape.body_length))
        return false;
    rule->path_plain = (ag_plain_path_glob){glob, shape.body_length, shape.below,
                                            shape.any_depth};
    return true;
}

/* Builds and compiles the regex of a glob into rule->path_pattern. */
static ag_status compile_path_regex(ag_rule *rule, const char *glob, bool bare, ag_error **error)
{
    ag_buffer regex;
    ag_buffer_init(&regex);
    if (!build_path_regex(rule, glob, bare, &regex)) {
        bool nomem = regex.failed;
        ag_buffer_release(&regex);
        if (nomem)
            return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return spec_error(error, AG_ERR_RULE, rule,
                          "a '\\' at the end escapes nothing; remove it or escape a character");
    }
    if (regex.failed) {
        ag_buffer_release(&regex);
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    ag_status status = compile_regex(rule, &regex, error);
    ag_buffer_release(&regex);
    return status;
}

ag_status ag_path_rule_compile(ag_rule *rule, ag_error **error)
{
    ag_path_anchor anchor = AG_PATH_ANCHOR_NONE;
    const char *glob = split_anchor(rule->specifier, &anchor);
    if (glob == NULL)
        return spec_error(error, AG_ERR_RULE, rule,
                          "\"~user\" paths are not supported; write the absolute path as "
                          "//home/user/...");

    size_t length = strlen(glob);
    size_t checked = length;
    if (checked >= 1 && glob[checked - 1] == '/')
        checked--;    /* a trailing '/' is allowed: it means the directory */
    const char *problem = check_components(glob, checked, anchor);
    if (problem != NULL)
        return spec_error(error, AG_ERR_RULE, rule, problem);

    /* Only a pattern written without an anchor (not "./x", "/x", "~/x", "//x") floats. */
    bool bare = anchor == AG_PATH_ANCHOR_CWD && strncmp(rule->specifier, "./", 2) != 0;
    if (set_plain_glob(rule, glob, bare)) {
        rule->path_anchor = anchor;
        return AG_OK;
    }

    ag_status status = compile_path_regex(rule, glob, bare, error);
    if (status == AG_OK)
        rule->path_anchor = anchor;
    return status;
}

ag_status ag_path_rule_compile_regex(ag_rule *rule, ag_error **error)
{
    ag_path_anchor anchor = AG_PATH_ANCHOR_NONE;
    const char *glob = split_anchor(rule->specifier, &anchor);
    if (rule->path_plain.text == NULL || glob == NULL)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0, "not a plain path rule");

    bool bare = anchor == AG_PATH_ANCHOR_CWD && strncmp(rule->specifier, "./", 2) != 0;
    ag_status status = compile_path_regex(rule, glob, bare, error);
    if (status == AG_OK)
        rule->path_plain = (ag_plain_path_glob){0};
    return status;
}

bool ag_rule_is_path(const ag_rule *rule)
{
    return rule != NULL && rule->path_anchor != AG_PATH_ANCHOR_NONE;
}

/* Returns the glob of a path rule without its anchor, and its shape in *shape, or NULL. */
static const char *rule_glob(const ag_rule *rule, path_glob_shape *shape)
{
    if (!ag_rule_is_path(rule))
        return NULL;
    ag_path_anchor anchor = AG_PATH_ANCHOR_NONE;
    const char *glob = split_anchor(rule->specifier, &anchor);
    if (glob == NULL)
        return NULL;
    bool bare = anchor == AG_PATH_ANCHOR_CWD && strncmp(rule->specifier, "./", 2) != 0;
    *shape = shape_glob(rule, glob, bare);
    return glob;
}

/*
 * A literal component is eligible as a key only when at most one part of the
 * pattern that crosses directories (the any-depth prefix or a `**` component)
 * comes before it. With more, PCRE2 could reach its match limit on a long
 * path before failing at the literal, and ag_rule_match_path() would return
 * MAYBE for that error where the index returns no rule.
 */
size_t ag_path_rule_literals(const ag_rule *rule, ag_path_literal *literals, size_t capacity)
{
    path_glob_shape shape;
    const char *glob = rule_glob(rule, &shape);
    if (glob == NULL)
        return 0;

    size_t count = 0;
    size_t crossings = shape.any_depth ? 1 : 0;
    size_t start = 0;
    for (size_t i = 0; i <= shape.body_length && count < capacity; i++) {
        if (i < shape.body_length && glob[i] != '/')
            continue;
        size_t length = i - start;
        if (length == 2 && strncmp(glob + start, "**", 2) == 0)
            crossings++;
        else if (length > 0 && crossings <= 1 && is_literal_component(glob + start, length))
            literals[count++] = (ag_path_literal){glob + start, length};
        start = i + 1;
    }
    return count;
}

size_t ag_path_rule_literal_directory(const ag_rule *rule, const char **text)
{
    path_glob_shape shape;
    const char *glob = rule_glob(rule, &shape);
    *text = glob;
    if (glob == NULL)
        return 0;
    if (shape.any_depth)
        return 0;

    /* Up to the '/' before the first component with a wildcard or an escape. */
    size_t literal = 0;
    size_t start = 0;
    for (size_t i = 0; i <= shape.body_length; i++) {
        if (i < shape.body_length && glob[i] != '/')
            continue;
        if (i == start || !is_literal_component(glob + start, i - start))
            return literal;
        literal = i;
        start = i + 1;
    }
    return literal;
}

bool ag_path_rule_at_cwd(const ag_rule *rule)
{
    if (!ag_rule_is_path(rule))
        return false;
    ag_path_anchor anchor = (ag_path_anchor)rule->path_anchor;
    return anchor == AG_PATH_ANCHOR_CWD
           || (anchor == AG_PATH_ANCHOR_POLICY && rule->policy_directory == NULL);
}

/*
 * Returns the absolute directory a rule's anchor stands for, "~" for the
 * home when it is unknown, or NULL when the base is unknown.
 * TODO(paths): a `/path` rule from a string policy or the built-in default
 * has no file directory, so it is anchored at the request's cwd.
 * TODO(case-folding): the cwd and home of an ASCII folding's context are
 * folded (ag_path_context_fold_ascii()), but the policy directory is not,
 * so a `/path` rule of a policy in /ſrv misses the folding /srv/x of /ſrv/x.
 */
static const char *anchor_base(const ag_rule *rule, const ag_path_context *context)
{
    const char *cwd = context != NULL ? context->cwd : NULL;
    const char *home = context != NULL ? context->home : NULL;
    switch ((ag_path_anchor)rule->path_anchor) {
    case AG_PATH_ANCHOR_ROOT:
        return "/";
    case AG_PATH_ANCHOR_HOME:
        return home != NULL && home[0] == '/' ? home : "~";
    case AG_PATH_ANCHOR_POLICY:
        if (rule->policy_directory != NULL)
            return rule->policy_directory;
        return cwd != NULL && cwd[0] == '/' ? cwd : NULL;
    case AG_PATH_ANCHOR_CWD:
        return cwd != NULL && cwd[0] == '/' ? cwd : NULL;
    default:
        return NULL;
    }
}

/*
 * Returns the second base of a deny or ask rule anchored at the cwd: where
 * the cwd leads through links, so that `cat /data/proj/secret` meets
 * Read(./secret) when the cwd is /work/link/proj and /work/link leads to
 * /data. The base is the unknown path when the lookup failed. Returns NULL
 * for every other rule. An allow rule keeps the cwd as written, so the
 * second base never widens what it allows.
 */
static const char *real_anchor_base(const ag_rule *rule, const ag_path_context *context)
{
    if (rule->decision == AG_ALLOW || context == NULL || context->real_cwd == NULL
        || !ag_path_rule_at_cwd(rule))
        return NULL;
    return context->real_cwd;
}

/* Returns the part of `path` below `base`, which must contain it, without a leading '/'. */
static const char *remainder_below(const char *path, const char *base)
{
    size_t length = directory_length(base);
    if (length == 1 && base[0] == '/')
        return path + 1;
    return path[length] == '/' ? path + length + 1 : path + length;
}

/* Returns whether the `length` bytes of `subject` start with the plain glob's text. */
static bool plain_prefix(const ag_plain_path_glob *plain, bool caseless, const char *subject,
                         size_t length)
{
    if (length < plain->length)
        return false;
    return caseless ? equal_caseless(subject, plain->text, plain->length)
                    : memcmp(subject, plain->text, plain->length) == 0;
}

/* Returns whether the plain glob matches the whole subject, without its any-depth prefix. */
static bool plain_matches_here(const ag_plain_path_glob *plain, bool caseless,
                               const char *subject, size_t length)
{
    if (!plain_prefix(plain, caseless, subject, length))
        return false;
    return length == plain->length || (plain->below && subject[plain->length] == '/');
}

/*
 * Matches a plain glob as pcre2_match() matches its regex, returning 1,
 * PCRE2_ERROR_PARTIAL or PCRE2_ERROR_NOMATCH. A partial match (hard) means
 * that the subject, or some longer text that starts with it, matches. Any
 * subject can be extended to match an any-depth glob ("x" + "/" + glob), and
 * an empty one to match every glob; JIT reports both as partial matches.
 */
static int match_plain_glob(const ag_rule *rule, const char *subject, size_t length,
                            bool partial)
{
    const ag_plain_path_glob *plain = &rule->path_plain;
    bool caseless = ag_path_rule_is_caseless(rule);
    if (partial) {
        if (plain->any_depth)
            return PCRE2_ERROR_PARTIAL;
        if (length <= plain->length) {
            bool equal = caseless ? equal_caseless(subject, plain->text, length)
                                  : memcmp(subject, plain->text, length) == 0;
            return equal ? PCRE2_ERROR_PARTIAL : PCRE2_ERROR_NOMATCH;
        }
        return plain_matches_here(plain, caseless, subject, length) ? PCRE2_ERROR_PARTIAL
                                                                    : PCRE2_ERROR_NOMATCH;
    }

    if (plain_matches_here(plain, caseless, subject, length))
        return 1;
    if (!plain->any_depth)
        return PCRE2_ERROR_NOMATCH;
    for (const char *slash = memchr(subject, '/', length); slash != NULL;
         slash = memchr(slash + 1, '/', length - (size_t)(slash + 1 - subject))) {
        size_t offset = (size_t)(slash + 1 - subject);
        if (plain_matches_here(plain, caseless, slash + 1, length - offset))
            return 1;
    }
    return PCRE2_ERROR_NOMATCH;
}

/*
 * Matches the glob of a path rule against the part of a path below the
 * rule's base, with pcre2_match()'s results. `options` is 0 or
 * PCRE2_PARTIAL_HARD.
 */
static int match_glob(const ag_rule *rule, const char *subject, uint32_t options,
                      pcre2_match_data *match_data)
{
    size_t length = strlen(subject);
    if (rule->path_plain.text != NULL)
        return match_plain_glob(rule, subject, length, options == PCRE2_PARTIAL_HARD);

    /*
     * Partial matches run in PCRE2's interpreter (ag_rule_jit()), which gives
     * no match for an empty subject (PCRE2 10.42). Every glob matches some
     * path, and each path extends the empty one, so that is a partial match,
     * as JIT reports it.
     */
    if (options == PCRE2_PARTIAL_HARD && length == 0)
        return PCRE2_ERROR_PARTIAL;
    return pcre2_match(rule->path_pattern, (PCRE2_SPTR)subject, length, 0, options, match_data,
                       NULL);
}

/* Returns whether a rule is a path rule with a glob to match: a PCRE2 pattern or a plain glob. */
static bool has_path_glob(const ag_rule *rule)
{
    return ag_rule_is_path(rule) && (rule->path_pattern != NULL || rule->path_plain.text != NULL);
}

/*
 * Returns whether `path` can be compared with `base`, or sets *early to
 * MAYBE or NO when it cannot: an unknown part, an unknown base, or a path
 * and base of which one is under an unknown home and the other is not.
 */
static bool comparable_base(const ag_rule *rule, const char *path, const char *base,
                            ag_match *early)
{
    *early = AG_MATCH_MAYBE;
    if (!has_path_glob(rule) || path == NULL || path[0] == AG_DYNAMIC_MARK || base == NULL)
        return false;
    if ((base[0] == '~') != (path[0] == '~'))
        return false;
    if (!path_is_within(path, base, ag_path_rule_is_caseless(rule))) {
        *early = AG_MATCH_NO;
        return false;
    }
    return true;
}

/*
 * Matches a path against a rule whose base is unknown (a cwd whose lookup
 * failed). The base may be any directory above the path or the path
 * itself, so the rule gives MAYBE when its pattern matches the part of the
 * path below one of them, and NO otherwise.
 */
static ag_match match_unknown_base(const ag_rule *rule, const char *path,
                                   pcre2_match_data *match_data)
{
    if (!has_path_glob(rule) || path == NULL || path[0] != '/' || match_data == NULL)
        return AG_MATCH_MAYBE;

    for (const char *slash = path; slash != NULL; slash = strchr(slash + 1, '/')) {
        if (match_glob(rule, slash + 1, 0, match_data) != PCRE2_ERROR_NOMATCH)
            return AG_MATCH_MAYBE;
    }
    int rc = match_glob(rule, "", 0, match_data);
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

static ag_match match_path_at(const ag_rule *rule, const char *path, const char *base,
                              pcre2_match_data *match_data)
{
    if (base != NULL && base[0] == AG_DYNAMIC_MARK)
        return match_unknown_base(rule, path, match_data);
    ag_match early;
    if (!comparable_base(rule, path, base, &early))
        return early;
    if (match_data == NULL)
        return AG_MATCH_MAYBE;

    int rc = match_glob(rule, remainder_below(path, base), 0, match_data);
    if (rc >= 0)
        return AG_MATCH_YES;
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

bool ag_rule_path_tail_fits(const ag_rule *rule, const char *path, pcre2_match_data *match_data)
{
    const char *mark = path != NULL ? strrchr(path, AG_DYNAMIC_MARK) : NULL;
    if (mark == NULL || !has_path_glob(rule) || match_data == NULL)
        return false;
    for (const char *slash = strchr(mark, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        if (match_glob(rule, slash + 1, 0, match_data) >= 0)
            return true;
    }
    return false;
}

static ag_match match_below_at(const ag_rule *rule, const char *directory, const char *base,
                               pcre2_match_data *match_data)
{
    ag_match itself = match_path_at(rule, directory, base, match_data);
    if (itself != AG_MATCH_NO)
        return itself;

    /* An unknown base may lie below the directory. */
    if (base == NULL || base[0] == AG_DYNAMIC_MARK)
        return AG_MATCH_MAYBE;
    bool caseless = ag_path_rule_is_caseless(rule);
    if (path_is_within(base, directory, caseless))
        return AG_MATCH_MAYBE;    /* the whole anchor lies below the directory */
    if (!path_is_within(directory, base, caseless))
        return AG_MATCH_NO;

    /* A partial match means some longer path, below the directory, could match. */
    int rc = match_glob(rule, remainder_below(directory, base), PCRE2_PARTIAL_HARD, match_data);
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

/* Matches a path against a rule below one base: match_path_at() or match_below_at(). */
typedef ag_match (*base_matcher)(const ag_rule *rule, const char *path, const char *base,
                                 pcre2_match_data *match_data);

/* Matches below the rule's anchor and below real_anchor_base(); the stronger match wins. */
static ag_match match_at_anchors(base_matcher match, const ag_rule *rule, const char *path,
                                 const ag_path_context *context, pcre2_match_data *match_data)
{
    ag_match written = match(rule, path, anchor_base(rule, context), match_data);
    const char *real = real_anchor_base(rule, context);
    if (written == AG_MATCH_YES || real == NULL)
        return written;
    ag_match on_real = match(rule, path, real, match_data);
    return on_real > written ? on_real : written;
}

ag_match ag_rule_match_path(const ag_rule *rule, const char *path,
                            const ag_path_context *context, pcre2_match_data *match_data)
{
    return match_at_anchors(match_path_at, rule, path, context, match_data);
}

ag_match ag_rule_match_path_below(const ag_rule *rule, const char *directory,
                                  const ag_path_context *context,
                                  pcre2_match_data *match_data)
{
    return match_at_anchors(match_below_at, rule, directory, context, match_data);
}

/* ----------------------------------------------------------- domain rules */

static bool is_host_pattern_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == '*'
           || c == ':' || c == '[' || c == ']';
}

ag_status ag_domain_rule_compile(ag_rule *rule, ag_error **error)
{
    const char *spec = rule->specifier;
    if (strncmp(spec, "domain:", 7) != 0)
        return spec_error(error, AG_ERR_RULE, rule,
                          "a WebFetch specifier must be domain:HOST, such as "
                          "WebFetch(domain:example.com) or WebFetch(domain:*.example.com)");

    const char *host = spec + 7;
    size_t length = strlen(host);
    if (length > 0 && host[length - 1] == '.')
        length--;
    if (length == 0)
        return spec_error(error, AG_ERR_RULE, rule,
                          "missing host after domain:; write domain:example.com, or the bare "
                          "tool name WebFetch to match every host");
    for (size_t i = 0; i < length; i++) {
        if (!is_host_pattern_char(host[i]))
            return spec_error(error, AG_ERR_RULE, rule,
                              "invalid character in the host; a host contains letters, digits, "
                              "'-', '.' and '*' (write internationalized names in punycode)");
        if (host[i] == '.' && (i == 0 || host[i - 1] == '.'))
            return spec_error(error, AG_ERR_RULE, rule,
                              "an empty label in the host (\"..\" or a leading '.'); remove the "
                              "extra '.'");
    }

    /* domain:127.1 and domain:[::ffff:7f00:1] name 127.0.0.1, as hosts are compared. */
    char address[AG_HOST_ADDRESS_MAX];
    if (memchr(host, '*', length) == NULL
        && ag_host_canonical_address(host, length, address) == AG_HOST_ADDRESS) {
        host = address;
        length = strlen(address);
    }
    rule->domain = ag_strndup(host, length);
    if (rule->domain == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    for (char *p = rule->domain; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return AG_OK;
}

bool ag_rule_is_domain(const ag_rule *rule)
{
    return rule != NULL && rule->domain != NULL;
}

/* Matches one label against a glob whose `*` matches any run of characters, ignoring case. */
static bool label_matches(const char *glob, size_t glob_length, const char *label,
                          size_t label_length)
{
    size_t g = 0, l = 0, star = SIZE_MAX, resume = 0;
    while (l < label_length) {
        if (g < glob_length && glob[g] == '*') {
            star = g++;
            resume = l;
        } else if (g < glob_length
                   && glob[g] == (char)tolower((unsigned char)label[l])) {
            g++;
            l++;
        } else if (star != SIZE_MAX) {
            g = star + 1;
            l = ++resume;
        } else {
            return false;
        }
    }
    while (g < glob_length && glob[g] == '*')
        g++;
    return g == glob_length;
}

/* Matches a host against a pattern label by label; both must have the same number of labels. */
static bool labels_match(const char *pattern, size_t pattern_length, const char *host,
                         size_t host_length)
{
    size_t p = 0, h = 0;
    for (;;) {
        size_t p_end = p, h_end = h;
        while (p_end < pattern_length && pattern[p_end] != '.')
            p_end++;
        while (h_end < host_length && host[h_end] != '.')
            h_end++;
        if (!label_matches(pattern + p, p_end - p, host + h, h_end - h))
            return false;
        bool pattern_done = p_end == pattern_length;
        bool host_done = h_end == host_length;
        if (pattern_done || host_done)
            return pattern_done && host_done;
        p = p_end + 1;
        h = h_end + 1;
    }
}

ag_host_kind ag_host_match_form(const char *host, char *address, const char **text,
                                size_t *length)
{
    *text = host;
    *length = strlen(host);
    if (*length > 0 && host[*length - 1] == '.')
        (*length)--;
    if (*length == 0)
        return AG_HOST_NAME;
    /* Hosts come canonical from their parsers; an address spelled another way is caught here too. */
    ag_host_kind kind = ag_host_canonical_address(host, *length, address);
    if (kind == AG_HOST_ADDRESS) {
        *text = address;
        *length = strlen(address);
    }
    return kind;
}

size_t ag_domain_rule_key(const ag_rule *rule, const char **key)
{
    *key = NULL;
    if (!ag_rule_is_domain(rule))
        return 0;
    size_t length = strlen(rule->domain);

    /* The labels after the last one with a `*`, which labels_match() compares without wildcards. */
    const char *star = strrchr(rule->domain, '*');
    if (star == NULL) {
        *key = rule->domain;
        return length;
    }
    const char *dot = strchr(star, '.');
    if (dot == NULL)
        return 0;
    *key = dot + 1;
    return length - (size_t)(*key - rule->domain);
}

ag_match ag_rule_match_domain(const ag_rule *rule, const char *host)
{
    if (!ag_rule_is_domain(rule) || host == NULL)
        return AG_MATCH_NO;
    char address[AG_HOST_ADDRESS_MAX];
    size_t host_length;
    ag_host_kind kind = ag_host_match_form(host, address, &host, &host_length);
    if (host_length == 0)
        return AG_MATCH_NO;
    if (kind == AG_HOST_BAD_ADDRESS)
        return AG_MATCH_MAYBE;

    const char *pattern = rule->domain;
    size_t pattern_length = strlen(pattern);
    if (strcmp(pattern, "*") == 0)
        return AG_MATCH_YES;

    /* `*.example.com`: one or more labels before example.com, never the apex itself. */
    if (strncmp(pattern, "*.", 2) == 0) {
        for (size_t i = 0; i < host_length; i++) {
            if (host[i] == '.' && i > 0
                && labels_match(pattern + 2, pattern_length - 2, host + i + 1,
                                host_length - i - 1))
                return AG_MATCH_YES;
        }
        return AG_MATCH_NO;
    }
    return labels_match(pattern, pattern_length, host, host_length) ? AG_MATCH_YES
                                                                    : AG_MATCH_NO;
}
