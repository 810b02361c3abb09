/*
 * Path and domain rules: Read(...), Edit(...) and WebFetch(domain:...), and
 * the path normalization that effects and file tools share.
 *
 * Paths handed to the matchers are absolute and normalized (no ".", "..",
 * "//", or trailing slash). An unknown part of a path is one AG_DYNAMIC_MARK
 * byte; a path that still starts with "~" means the home directory was not
 * known.
 */
#ifndef AG_RULES_PATHS_H
#define AG_RULES_PATHS_H

#include "rules/rules.h"

/* What a relative path or a rule anchor is resolved against. */
typedef struct ag_path_context {
    const char *cwd;    /* absolute working directory of the command, or NULL when unknown */
    const char *home;   /* absolute home directory, or NULL when the host did not give one */
    const char *cdpath; /* the CDPATH that `cd NAME` searches (effects/directory.c), or NULL */
    /*
     * The directory that `cwd` leads to through symbolic links on disk, as
     * ag_path_link_target() returns it: NULL when that is `cwd` itself, the
     * unknown path when the lookup failed. Deny and ask rules anchored at the
     * cwd match below either directory, but allow rules only below `cwd`
     * (ag_rule_match_path()). Normalizing ignores it.
     */
    const char *real_cwd;
} ag_path_context;

/*
 * Makes `path` absolute against context->cwd and normalizes it; "~" and "~/x"
 * expand to context->home when known. Returns arena memory, or NULL when out
 * of memory. A relative path with an unknown cwd becomes AG_DYNAMIC_MARK
 * followed by "/" and the path, so rules can still match its tail.
 *
 * Normalization is lexical except for "..": when the directory before a ".."
 * leads elsewhere through a symbolic link on disk, ".." applies to where the
 * link leads, as in the kernel (`lnk/../x` with `lnk -> /a/b` is /a/x), and
 * a directory that cannot be resolved makes the path unknown. Only then does
 * it read the file system (through ag_path_resolve()).
 */
const char *ag_path_normalize(ag_arena *arena, const ag_path_context *context,
                              const char *path, size_t length);

/*
 * Normalizes `path` as ag_path_normalize() does, but applies every ".." to
 * the text, as Bash's `cd` does by default (`cd lnk/..` stays where it was,
 * whatever lnk leads to) and as Node.js's path.resolve() does for a file
 * tool's path. Never reads the file system.
 */
const char *ag_path_normalize_lexical(ag_arena *arena, const ag_path_context *context,
                                      const char *path, size_t length);

/* How a path rule's specifier is anchored. */
typedef enum ag_path_anchor {
    AG_PATH_ANCHOR_NONE = 0,   /* not a path rule */
    AG_PATH_ANCHOR_ROOT,       /* `//path`: from the file system root */
    AG_PATH_ANCHOR_HOME,       /* `~/path`: from the home directory */
    AG_PATH_ANCHOR_POLICY,     /* `/path`: from the directory of the policy file */
    AG_PATH_ANCHOR_CWD         /* `path` or `./path`: from the request's working directory */
} ag_path_anchor;

/*
 * Compiles the specifier of a Read or Edit rule (gitignore-style glob) into
 * rule->path_anchor and either rule->path_pattern or, for a glob without
 * wildcards or escapes, rule->path_plain. Returns AG_ERR_RULE or
 * AG_ERR_PATTERN with *error naming the rule and the fix.
 */
ag_status ag_path_rule_compile(ag_rule *rule, ag_error **error);

/*
 * Compiles the regex of a path rule whose glob is plain (rule->path_plain),
 * which the rule otherwise matches without PCRE2, and clears path_plain, so
 * that tests can compare both matchers. The caller JIT-compiles it with
 * ag_rule_jit(). Returns AG_ERR_ARGUMENT for any other rule.
 */
ag_status ag_path_rule_compile_regex(ag_rule *rule, ag_error **error);

/* What ag_host_canonical_address() found in a host (host.c). */
typedef enum ag_host_kind {
    AG_HOST_NAME,          /* a name, not an address literal */
    AG_HOST_ADDRESS,       /* an IP address, written into `out` in canonical form */
    AG_HOST_BAD_ADDRESS    /* looks like an address but is none: treat as an unknown host */
} ag_host_kind;

/* Room for the canonical text of an address: "[" IPv6 "]" and the NUL. */
#define AG_HOST_ADDRESS_MAX 48

/*
 * The directory that stands for an unknown request cwd when a relative path
 * and the rules anchored at the cwd are compared: both lie in the same
 * unknown directory. The 0x02 byte keeps it apart from any real path the
 * analysis could build, and it is used only as a second form of a path for
 * deny and ask rules, so a match never allows.
 */
#define AG_UNKNOWN_CWD "/\x02cwd"

/*
 * Looks at a host (no port, no userinfo) for an IP address literal. An IPv4
 * address in any form WHATWG URL parsers or inet_aton() accept (2130706433,
 * 0x7f.1, 0177.0.0.1) becomes dotted decimal; an IPv6 address, bracketed or
 * not, becomes "[" inet_ntop() text "]", and an IPv4-mapped one
 * (::ffff:a.b.c.d) becomes the IPv4 form. A name whose last label starts
 * with a digit, or any text with ':', counts as an address.
 */
ag_host_kind ag_host_canonical_address(const char *host, size_t length, char *out);

/*
 * Checks a WebFetch domain pattern as ag_domain_rule_compile() stores it for
 * an address pattern that no host can match, such as 172.16.* (addresses have
 * four parts) or [fe80::*] (IPv6 is compared in its shortest form). Returns
 * NULL when the pattern is fine, else the reason, and writes what to write
 * instead into `advice` (`size` bytes). Host names are not checked (host.c).
 */
const char *ag_host_pattern_problem(const char *pattern, char *advice, size_t size);

/* Checks a WebFetch specifier (`domain:HOST`) and stores the host pattern in rule->domain. */
ag_status ag_domain_rule_compile(ag_rule *rule, ag_error **error);

/*
 * Returns where the aliased part of a normalized path begins, or NULL when
 * the path is no alias. /proc/PID/root, /proc/PID/cwd, /proc/PID/fd and
 * /proc/PID/map_files (also under /proc/PID/task/TID, and with PID "self" or
 * "thread-self") are links the kernel follows to any directory or open file
 * of the process that opens them, and /dev/fd, /dev/stdin, /dev/stdout and
 * /dev/stderr lead into /proc/self/fd. Neither lexical normalization nor
 * ag_path_resolve(), which runs in the checker's process, can see where
 * they lead for the agent's process.
 */
const char *ag_path_alias_part(const char *path);

/* Slots of an ag_lookup_cache. A check that makes more lookups reuses the oldest slot. */
#define AG_LOOKUP_SLOTS 16

/* One readlink() result: the link text, or the errno of a path that is no link. */
typedef struct ag_lookup_entry {
    const char *path;
    size_t length;
    int error;              /* 0 for a link */
    const char *text;       /* the link's text when error is 0 */
    size_t text_length;
} ag_lookup_entry;

/*
 * The readlink() results of one check, so that the paths of a request look
 * up a shared directory once (`rm a b c` reads the cwd's components once).
 * A command the agent runs between two checks may make or remove links, so
 * the owner empties the cache at the start of each check
 * (ag_lookup_cache_clear()), and the strings live in that check's arena.
 */
typedef struct ag_lookup_cache {
    ag_lookup_entry entries[AG_LOOKUP_SLOTS];
    unsigned count;         /* entries in use */
    unsigned next;          /* the slot the next lookup takes when all are in use */
} ag_lookup_cache;

static inline void ag_lookup_cache_clear(ag_lookup_cache *cache)
{
    cache->count = 0;
    cache->next = 0;
}

/*
 * Resolves symbolic links in a normalized absolute path: where the path
 * leads when it exists, else where its longest existing ancestor leads,
 * with the rest of the path appended. That equals glibc's realpath() on
 * the ancestor followed by the rest, with one difference: a link whose
 * text names a missing file leads to that file, because open(O_CREAT)
 * follows it. Each component costs one readlink() (plus a directory check
 * where a link's text ends in "/" or "/." or goes on with ".."), and none
 * when `cache` (may be NULL) has its result. Returns arena memory. Returns
 * NULL when the path is relative or has unknown parts, or when more than 40
 * links are followed. Where the path leads is unknown (NULL) also when a
 * ".." follows the missing name of a dangling link, or when the lookup
 * reaches a link the kernel follows per process (ag_path_alias_part()).
 * It also returns NULL when memory runs out, and
 * when a lookup fails other than with ENOENT or ENOTDIR (EACCES, or
 * ENAMETOOLONG once the existing part reaches PATH_MAX bytes). This is the
 * only place where the library reads the file system at check time;
 * ag_path_normalize() calls it for a ".." below a link.
 * NOTE: one openat2() with RESOLVE_NO_SYMLINKS could replace the walk for a
 * path without links, but on Linux 6.18 it costs two readlink() calls, so
 * it pays only for paths of three or more existing names.
 */
const char *ag_path_resolve(ag_arena *arena, ag_lookup_cache *cache, const char *path);

/*
 * Returns where a normalized `path` of a file effect or file tool leads
 * through symbolic links on disk, when that differs from the path itself.
 * Returns NULL when the path leads nowhere else, is relative or has unknown
 * parts. Returns an unknown path (one AG_DYNAMIC_MARK) when
 * ag_path_resolve() fails on it, because a directory the checker may not
 * search (EACCES), a loop of links or a lack of memory leaves the
 * destination unknown. Deny and ask rules then give MAYBE rather than NO.
 */
const char *ag_path_link_target(ag_arena *arena, ag_lookup_cache *cache, const char *path);

/* Returns whether `target` is the unknown path that ag_path_link_target() returns on failure. */
static inline bool ag_path_lookup_failed(const char *target)
{
    return target != NULL && target[0] == AG_DYNAMIC_MARK && target[1] == '\0';
}

/* Reason text for a path whose destination ag_path_link_target() could not look up. */
#define AG_LOOKUP_FAILED_NOTE "where it leads could not be looked up"

/*
 * Matches a deny or ask path rule against everything below `directory`, for
 * tools that search a whole tree (Grep, Glob, LS): YES when the directory
 * itself matches, MAYBE when some path below it could, NO otherwise.
 */
ag_match ag_rule_match_path_below(const ag_rule *rule, const char *directory,
                                  const ag_path_context *context,
                                  pcre2_match_data *match_data);

/* Returns whether a rule is a path rule: Read(...) or Edit(...) with a specifier. */
bool ag_rule_is_path(const ag_rule *rule);

/*
 * Returns whether a path rule is anchored at the request's cwd: `path`,
 * `./path`, and `/path` of a policy that has no file directory.
 */
bool ag_path_rule_at_cwd(const ag_rule *rule);

/*
 * Returns whether a path rule matches ASCII letters in either case: true for
 * deny and ask rules, so that a case variant cannot slip past them on a file
 * system that ignores case; allow rules match exactly.
 */
bool ag_path_rule_is_caseless(const ag_rule *rule);

/* A component of a path rule's glob without wildcards, pointing into rule->specifier. */
typedef struct ag_path_literal {
    const char *text;
    size_t length;
} ag_path_literal;

/*
 * Lists up to `capacity` literal components of a path rule's glob, in glob
 * order. Every path that the rule's pattern matches below its anchor
 * contains each of them as a whole component, in ASCII letters of either
 * case when ag_path_rule_is_caseless(). Returns how many were stored:
 * 0 for a glob without an eligible literal component (`**`, `*.env`).
 */
size_t ag_path_rule_literals(const ag_rule *rule, ag_path_literal *literals, size_t capacity);

/*
 * Finds the literal directory of a path rule: the leading components of the
 * glob after its anchor that have no wildcard or escape (`src/lib` of
 * `src/lib/main.*`). Stores that glob in *text and returns the directory's
 * length in it: 0 when the glob starts with a wildcard, matches at any depth
 * or is empty. A path below the anchor matches the rule's pattern, fully or
 * partially (PCRE2_PARTIAL_HARD), only when it lies in that directory or is
 * a character prefix of it (`src/li`), ASCII letters in either case equal.
 */
size_t ag_path_rule_literal_directory(const ag_rule *rule, const char **text);

/* Returns whether a rule is WebFetch(domain:...). */
bool ag_rule_is_domain(const ag_rule *rule);

/*
 * Matches a Read or Edit path rule against a normalized absolute path. YES
 * when it matches, MAYBE when it could match for some value of the unknown
 * parts, NO otherwise. A deny or ask rule anchored at the cwd matches below
 * context->cwd or context->real_cwd, whichever gives the stronger match.
 * Where the real cwd is unknown, it could be any directory above the path,
 * so such a rule gives MAYBE when it matches the path below any of them.
 */
ag_match ag_rule_match_path(const ag_rule *rule, const char *path,
                            const ag_path_context *context, pcre2_match_data *match_data);

/*
 * Returns whether a path rule's pattern matches the end of `path` after its
 * last unknown part, starting at a component: `‹?›/.ssh/id_rsa` fits a
 * Read rule on everything below ~/.ssh, but not `Read(./.env)`. Only
 * reasons use it, to name a rule that could match the path rather than any
 * rule that could.
 */
bool ag_rule_path_tail_fits(const ag_rule *rule, const char *path, pcre2_match_data *match_data);

/* Matches a WebFetch(domain:...) rule against a host name (any case, trailing dot ignored). */
ag_match ag_rule_match_domain(const ag_rule *rule, const char *host);

/*
 * Finds the text of `host` that ag_rule_match_domain() compares with rules:
 * without a trailing dot, and the canonical form of an IP address literal
 * (written into `address`, AG_HOST_ADDRESS_MAX bytes). Stores it in *text and
 * *length, which is 0 for an empty host (no rule matches it), and returns
 * the kind of host. Every rule gives MAYBE for AG_HOST_BAD_ADDRESS.
 */
ag_host_kind ag_host_match_form(const char *host, char *address, const char **text,
                                size_t *length);

/*
 * Finds the labels at the end of a domain rule's pattern that have no `*`:
 * the whole pattern when it has none, `example.com` for `*.example.com` and
 * for `api-*.example.com`. A host matches the rule only when its last labels,
 * lowercased, are these. Stores them in *key and returns their length, or 0
 * when the last label has a `*` (`*`, `example.*`).
 */
size_t ag_domain_rule_key(const ag_rule *rule, const char **key);

/* Returns whether `path` is `directory` or inside it, comparing whole path components. */
bool ag_path_is_within(const char *path, const char *directory);

/* Like ag_path_is_within(), but ASCII letters of either case compare equal. */
bool ag_path_is_within_caseless(const char *path, const char *directory);

/*
 * Stores in *folded an arena copy of `path` in which each character that a
 * case-insensitive file system may read as ASCII text is replaced by that
 * text. U+017F long s becomes "s", U+212A Kelvin sign "k" and U+FB01 "fi"
 * (the list is in paths.c). Stores NULL when `path` is NULL or has none. Only
 * deny and ask rules and the protected paths may read the copy, because on
 * a file system that keeps case, `.ssh` spelled with U+017F is another name.
 * Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_path_fold_ascii(ag_arena *arena, const char *path, const char **folded);

/*
 * Stores in *folded a copy of `context` whose cwd, home and real cwd are
 * replaced by their ASCII foldings (ag_path_fold_ascii()) where they have
 * one, and sets *changed when one of them has. The folding of a path below
 * /home/uſer is /home/user/..., which only this folded home contains.
 * The cdpath is copied as it is. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_path_context_fold_ascii(ag_arena *arena, const ag_path_context *context,
                                     ag_path_context *folded, bool *changed);

#endif
