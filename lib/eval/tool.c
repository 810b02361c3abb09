/*
 * Evaluation of requests for tools other than Bash.
 *
 * - File readers (Read, NotebookRead) and searchers (Grep, Glob, LS): the
 *   input's path is checked against Read rules. A searcher reads a whole
 *   tree, so a deny or ask rule that could match anything below its
 *   directory applies (at least ask).
 * - File writers (Edit, Write, MultiEdit, NotebookEdit): the path is checked
 *   against Edit rules, and a Read deny rule blocks the write too. A write
 *   outside the working directories (the cwd and the policy's
 *   additional_directories) asks unless an Edit allow rule covers it.
 * - WebFetch: the URL's host is checked against WebFetch(domain:...) rules.
 *   A URL whose scheme is not http or https gets ask unless a deny rule denies it.
 * - Any other tool: a bare tool rule matches every call, a param rule
 *   (Tool(param:value)) one input field, and a Tool(GLOB) rule the tool's
 *   primary field (lib/eval/forms.c). A specifier that cannot be evaluated
 *   counts as "could match", so such a call asks rather than being allowed.
 *   An MCP tool name with a byte that MCP tool names do not contain asks
 *   unless a deny rule denies it.
 *
 * When a file path exists on disk, symbolic links are resolved: a deny or ask
 * rule applies when the path or its target matches, an allow rule needs both.
 * A ".." after a link is checked both where the kernel takes it (through the
 * link) and as text, because a host may normalize the path as text before it
 * opens it (Node.js path.resolve() does). The stricter outcome wins.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "eval/eval.h"
#include "eval/mode.h"
#include "rules/paths.h"

typedef enum tool_family {
    FAMILY_OTHER,
    FAMILY_READ,      /* reads one file */
    FAMILY_SEARCH,    /* reads a directory tree */
    FAMILY_WRITE,     /* writes one file */
    FAMILY_FETCH      /* fetches a URL */
} tool_family;

static tool_family family_of(const char *tool)
{
    static const char *const readers[] = {"Read", "NotebookRead"};
    static const char *const searchers[] = {"Grep", "Glob", "LS"};
    static const char *const writers[] = {"Edit", "Write", "MultiEdit", "NotebookEdit"};
    for (size_t i = 0; i < sizeof(readers) / sizeof(*readers); i++)
        if (strcmp(tool, readers[i]) == 0)
            return FAMILY_READ;
    for (size_t i = 0; i < sizeof(searchers) / sizeof(*searchers); i++)
        if (strcmp(tool, searchers[i]) == 0)
            return FAMILY_SEARCH;
    for (size_t i = 0; i < sizeof(writers) / sizeof(*writers); i++)
        if (strcmp(tool, writers[i]) == 0)
            return FAMILY_WRITE;
    return strcmp(tool, "WebFetch") == 0 ? FAMILY_FETCH : FAMILY_OTHER;
}

/* What one file request is about, resolved for matching. */
typedef struct file_request {
    tool_family family;
    const char *tool;
    const char *path;         /* normalized; may start with AG_DYNAMIC_MARK or "~" */
    const char *target;       /* the path with symbolic links resolved, or NULL */
    ag_path_context context;  /* normalized cwd and home */
    const ag_json_document *input;    /* the tool input, for param rules */
    /* A relative path in an unknown cwd read below AG_UNKNOWN_CWD, for deny and ask rules only. */
    const char *unknown_cwd_path;
    /*
     * The ASCII foldings of path, target and unknown_cwd_path
     * (ag_path_fold_ascii()), or NULL, for deny and ask rules only.
     */
    const char *folded_path;
    const char *folded_target;
    const char *folded_unknown_cwd_path;
    /*
     * The context with the ASCII foldings of its cwd and home, which the
     * foldings of the path are matched with, and whether it differs.
     */
    ag_path_context folded_context;
    bool folded_base;
    bool unknown_cwd;         /* the path is relative and the request gives no cwd */
} file_request;

static ag_status finish(ag_checker *checker, const ag_command_verdict *result)
{
    ag_verdict *verdict = &checker->verdict;
    verdict->decision = result->decision;
    verdict->rule = result->rule;
    verdict->reason = result->reason;
    verdict->bypassable = result->bypassable;
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* ------------------------------------------------------------ other tools */

/* Decides a call of a tool without a family from the rules that name the tool. */
static void decide_other_tool(ag_checker *checker, const char *tool_name,
                              const ag_json_document *input, ag_command_verdict *result)
{
    const ag_policy *policy = checker->policy;
    ag_rule_findings findings = {0};
    /* Agent and Task are one tool under two names (ag_rule_tool_matches()). */
    bool agent = strcmp(tool_name, "Agent") == 0 || strcmp(tool_name, "Task") == 0;
    const char *agent_tools[] = {"Agent", "Task"};
    ag_rule_cursor cursor;
    ag_rule_cursor_for_tools(&cursor, policy, agent ? agent_tools : &tool_name, agent ? 2 : 1);
    const ag_rule *rule;
    while (!ag_findings_done(checker, &findings) && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
        if (!ag_rule_tool_matches(rule, tool_name))
            continue;
        ag_findings_note(checker, &findings, rule,
                         ag_eval_match_input(checker, rule, tool_name, input));
    }

    const char *text = ag_quote_text(&checker->arena, tool_name, strlen(tool_name));
    ag_findings_decide(checker, result, &findings, text);
}

static ag_status eval_other_tool(ag_checker *checker, const char *tool_name,
                                 const ag_json_document *input)
{
    ag_command_verdict result = {0};
    decide_other_tool(checker, tool_name, input, &result);
    return finish(checker, &result);
}

/* Returns whether the policy has a deny or ask rule for `tool`. */
static bool has_deny_or_ask_rule(const ag_policy *policy, const char *tool)
{
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (rule->decision != AG_ALLOW && rule->tool != NULL && strcmp(rule->tool, tool) == 0)
            return true;
    }
    return false;
}

/* Returns whether the policy has a rule of any decision for `tool`. */
static bool has_rule(const ag_policy *policy, const char *tool)
{
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (rule->tool != NULL && strcmp(rule->tool, tool) == 0)
            return true;
    }
    return false;
}

/*
 * Raises the verdict to at least ask when a tool call carries no field that
 * `tool`'s rules could be checked on, while a deny or ask rule of `tool`
 * exists. The ask stays in bypassPermissions too, because such a rule might
 * have denied the call.
 */
static ag_status ask_for_unchecked_rules(ag_checker *checker, const char *tool_name,
                                         const char *tool, const char *fields)
{
    ag_verdict *verdict = &checker->verdict;
    bool decided_by_rule = verdict->decision >= AG_ASK && verdict->rule != NULL;
    if (verdict->decision == AG_DENY || decided_by_rule
        || !has_deny_or_ask_rule(checker->policy, tool))
        return AG_OK;
    verdict->decision = AG_ASK;
    verdict->rule = NULL;
    verdict->bypassable = false;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the %s tool input has no %s, so the %s deny and ask "
                                      "rules, which apply to %s, cannot be checked",
                                      tool_name, fields, tool, tool_name);
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* ---------------------------------------------------------- MCP tool names */

/*
 * Returns whether the MCP specification (2025-11-25) allows byte `c` in a
 * tool name. The test spells out the ASCII ranges, because isalnum() may
 * accept bytes above 0x7f in a single-byte locale.
 */
static bool is_mcp_name_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '_' || c == '-' || c == '.';
}

/*
 * Raises an allow to ask when the name of an MCP tool (`mcp__SERVER__TOOL`)
 * has a byte that no MCP tool name contains. A name glob of an allow rule
 * would match such a name (`mcp__s__get_*` matches `mcp__s__get_x delete`),
 * and a host may read it as another tool. A deny stays, and an ask keeps the
 * rule that decided it. The ask survives bypassPermissions, because the name
 * is malformed rather than undecided.
 */
static ag_status ask_for_invalid_mcp_name(ag_checker *checker, const char *tool_name)
{
    size_t offset = 0;
    while (is_mcp_name_byte(tool_name[offset]))
        offset++;
    ag_verdict *verdict = &checker->verdict;
    bool decided_by_rule = verdict->decision == AG_ASK && verdict->rule != NULL;
    if (tool_name[offset] == '\0' || verdict->decision == AG_DENY || decided_by_rule)
        return AG_OK;

    verdict->decision = AG_ASK;
    verdict->rule = NULL;
    verdict->bypassable = false;
    const char *quoted = ag_quote_text(&checker->arena, tool_name, strlen(tool_name));
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the MCP tool name `%s` has the byte 0x%02x at offset "
                                      "%zu, but MCP tool names contain only letters, digits, "
                                      "'_', '-' and '.', so neither a rule nor the policy "
                                      "default allows it",
                                      quoted, (unsigned char)tool_name[offset], offset);
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* ------------------------------------------------------------- file tools */

typedef ag_match (*path_matcher)(const ag_rule *, const char *, const ag_path_context *,
                                 pcre2_match_data *);

/*
 * Returns the form of `path` that is matched with the folded cwd and home:
 * its ASCII folding, or the path itself when only the cwd or home has one
 * (/home/user/.ssh with the home /home/uſer). Returns NULL when there is
 * no such form.
 */
static const char *folded_form(const file_request *request, const char *path,
                               const char *folded_path)
{
    if (path == NULL)
        return NULL;
    if (folded_path != NULL)
        return folded_path;
    return request->folded_base ? path : NULL;
}

/*
 * Matches a deny or ask rule against the forms of the path that only such
 * rules read: the path below an unknown cwd, and the ASCII foldings, which
 * name the file only on a file system that ignores case. The foldings are
 * compared with the folded cwd and home, so that the folding of a path
 * below a cwd spelled with U+017F still lies below the cwd.
 */
static ag_match match_strict_forms(ag_checker *checker, const ag_rule *rule,
                                   const file_request *request, path_matcher match)
{
    ag_path_context unknown = {AG_UNKNOWN_CWD, request->context.home, NULL, NULL};
    const char *const paths[] = {request->unknown_cwd_path, request->folded_unknown_cwd_path,
                                 folded_form(request, request->path, request->folded_path),
                                 folded_form(request, request->target, request->folded_target)};
    const ag_path_context *const contexts[] = {&unknown, &unknown, &request->folded_context,
                                               &request->folded_context};
    ag_match strictest = AG_MATCH_NO;
    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        if (paths[i] == NULL)
            continue;
        ag_match on_form = match(rule, paths[i], contexts[i], checker->match_data);
        if (on_form > strictest)
            strictest = on_form;
    }
    return strictest;
}

/* Matches one path rule against the path and, when it differs, its link target. */
static ag_match match_file_rule(ag_checker *checker, const ag_rule *rule,
                                const file_request *request)
{
    bool below = request->family == FAMILY_SEARCH && rule->decision != AG_ALLOW;
    path_matcher match = below ? ag_rule_match_path_below : ag_rule_match_path;
    ag_match on_path = match(rule, request->path, &request->context, checker->match_data);
    if (rule->decision != AG_ALLOW) {
        ag_match on_strict = match_strict_forms(checker, rule, request, match);
        if (on_strict > on_path)
            on_path = on_strict;
    }
    if (request->target == NULL)
        return on_path;

    ag_match on_target = match(rule, request->target, &request->context, checker->match_data);
    if (rule->decision == AG_ALLOW)
        return on_path == AG_MATCH_YES && on_target == AG_MATCH_YES ? AG_MATCH_YES
                                                                    : AG_MATCH_NO;
    return on_path > on_target ? on_path : on_target;
}

/*
 * Returns how `rule` matches a file request. Read rules govern readers and
 * searchers, Edit rules govern writers, and Read deny rules govern writers
 * too, so a file that may not be read may not be overwritten either. An
 * Edit allow path rule also allows reading what it allows editing, as in
 * Claude Code. Deny and ask rules still win over it.
 */
static ag_match match_file_request(ag_checker *checker, const ag_rule *rule,
                                   const file_request *request)
{
    const char *family_tool = request->family == FAMILY_WRITE ? "Edit" : "Read";
    bool is_read = rule->tool != NULL && strcmp(rule->tool, "Read") == 0;
    bool is_edit = rule->tool != NULL && strcmp(rule->tool, "Edit") == 0;
    bool read_deny_on_write = request->family == FAMILY_WRITE && rule->decision == AG_DENY
                              && is_read;
    bool edit_allow_on_read = request->family != FAMILY_WRITE && rule->decision == AG_ALLOW
                              && is_edit && ag_rule_is_path(rule);
    bool governs = read_deny_on_write
                   || (rule->tool != NULL && strcmp(rule->tool, family_tool) == 0);

    if ((governs || edit_allow_on_read) && ag_rule_is_path(rule))
        return match_file_rule(checker, rule, request);
    if (governs && rule->kind == AG_RULE_TOOL)
        return AG_MATCH_YES;
    if (!ag_rule_tool_matches(rule, request->tool))
        return AG_MATCH_NO;
    if (rule->kind == AG_RULE_PARAM)
        return ag_eval_match_input(checker, rule, request->tool, request->input);
    /* Other specifiers (Write(path), Grep(x)) would glob an unnormalized path: never allow. */
    return rule->kind == AG_RULE_TOOL ? AG_MATCH_YES : AG_MATCH_MAYBE;
}

static const char *describe_request(ag_checker *checker, const file_request *request)
{
    ag_arena *arena = &checker->arena;
    const char *path = ag_quote_text(arena, request->path, strlen(request->path));
    if (path != NULL && request->folded_path != NULL) {
        const char *folded = ag_quote_text(arena, request->folded_path,
                                           strlen(request->folded_path));
        path = folded == NULL ? NULL
                              : ag_arena_printf(arena, "%s (read as %s on a file system that "
                                                "ignores case)", path, folded);
    }
    if (path == NULL)
        return NULL;
    if (request->target == NULL)
        return ag_arena_printf(arena, "%s %s", request->tool, path);
    if (ag_path_lookup_failed(request->target))
        return ag_arena_printf(arena, "%s %s (%s)", request->tool, path, AG_LOOKUP_FAILED_NOTE);
    const char *target = ag_quote_text(arena, request->target, strlen(request->target));
    return ag_arena_printf(arena, "%s %s (a link to %s)", request->tool, path, target);
}

static ag_status decide_file_request(ag_checker *checker, const file_request *request)
{
    const ag_policy *policy = checker->policy;
    ag_rule_findings findings = {0};
    /* Read and Edit rules govern every file tool (see match_file_request()). */
    const char *tools[] = {request->tool, "Read", "Edit"};
    size_t tool_count = sizeof(tools) / sizeof(*tools);
    ag_rule_cursor cursor;
    /* Deny and ask rules match the foldings too, so the cursor must find their rules. */
    const char *paths[4] = {request->path};
    size_t path_count = 1;
    if (request->target != NULL)
        paths[path_count++] = request->target;
    if (request->folded_path != NULL)
        paths[path_count++] = request->folded_path;
    if (request->folded_target != NULL)
        paths[path_count++] = request->folded_target;
    /*
     * The search cursor files rules by directories below the cwd and home as
     * given, so with a folded cwd or home it would miss the rules that the
     * folded forms meet.
     */
    if (request->family == FAMILY_SEARCH && request->folded_base)
        ag_rule_cursor_for_tools(&cursor, policy, tools, tool_count);
    else if (request->family == FAMILY_SEARCH)
        ag_rule_cursor_for_search(&cursor, policy, tools, tool_count, paths, path_count,
                                  &request->context);
    else
        ag_rule_cursor_for_paths(&cursor, policy, tools, tool_count, paths, path_count,
                                 &request->context);
    const ag_rule *rule;
    bool write = request->family == FAMILY_WRITE;
    while (!ag_findings_path_done(checker, &findings, write)
           && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
        ag_findings_note_path(checker, &findings, rule, match_file_request(checker, rule, request),
                              request->path, write);
    }

    ag_command_verdict result = {0};
    const char *text = describe_request(checker, request);
    if (text == NULL)
        return AG_ERR_NOMEM;
    const char *cause = request->unknown_cwd && request->path[0] == AG_DYNAMIC_MARK
                            ? ", because the request gives no working directory and the path "
                              "is relative to it"
                            : NULL;
    ag_findings_decide_because(checker, &result, &findings, text, cause);

    const ag_path_context *where = &request->context;
    bool outside = !ag_checker_in_working_directories(checker, request->path, where)
                   || (request->target != NULL
                       && !ag_checker_in_working_directories(checker, request->target, where));
    if (request->family == FAMILY_WRITE && outside && findings.allow == NULL
        && result.decision < AG_ASK) {
        result.decision = AG_ASK;
        result.rule = NULL;
        result.bypassable = true;    /* bypassPermissions waives this check (mode.c) */
        result.reason = ag_arena_printf(
            &checker->arena,
            "`%s` writes outside the working directories (the cwd and the policy's "
            "additional_directories) and no Edit allow rule covers it", text);
    }

    /* For the mode and the protected paths (mode.c). */
    checker->verdict.file_write = request->family == FAMILY_WRITE;
    checker->verdict.file_outside = outside;
    checker->verdict.file_path = request->path;
    checker->verdict.file_target = request->target;
    checker->verdict.file_folded_path = request->folded_path;
    checker->verdict.file_folded_target = request->folded_target;
    return finish(checker, &result);
}

/*
 * The input fields that name a path. Every one present is checked, whatever
 * the tool, so a field the tool reads cannot hide behind one it ignores.
 */
static const char *const path_fields[] = {"file_path", "notebook_path", "path"};

/*
 * Returns whether a Glob pattern can reach outside its search directory, or
 * is too hard to read to tell: an absolute or "~" start, a ".." anywhere,
 * brace expansion ({../x,y}), a backslash escape (\.\./x) or an extglob
 * group (@(..)/x).
 */
static bool glob_leaves_directory(const char *pattern)
{
    static const char *const groups[] = {"@(", "!(", "+(", "*(", "?("};
    if (pattern[0] == '/' || pattern[0] == '~' || strstr(pattern, "..") != NULL
        || strchr(pattern, '{') != NULL || strchr(pattern, '\\') != NULL)
        return true;
    for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++) {
        if (strstr(pattern, groups[i]) != NULL)
            return true;
    }
    return false;
}

/* Returns the length of the leading components of a Glob pattern that have no wildcard. */
static size_t glob_literal_prefix(const char *pattern)
{
    size_t literal = 0;
    for (size_t i = 0;; i++) {
        if (pattern[i] == '\0')
            return i;
        if (strchr("*?[", pattern[i]) != NULL)
            return literal;
        if (pattern[i] == '/')
            literal = i;
    }
}

/* Limits of the scan of one Glob directory for symbolic links (add_glob_links()). */
enum { GLOB_LINKS_MAX = 32, GLOB_ENTRIES_MAX = 4096 };

/* Returns whether a Glob pattern has a wildcard in a directory component (`*` `/id_rsa`). */
static bool glob_wildcard_directory(const char *pattern)
{
    const char *wildcard = strpbrk(pattern, "*?[");
    return wildcard != NULL && strchr(wildcard, '/') != NULL;
}

/*
 * Returns whether an entry of the directory `stream` reads is a symbolic
 * link. The build's _POSIX_C_SOURCE hides d_type, so each entry costs one
 * fstatat().
 */
static bool entry_is_link(DIR *stream, const struct dirent *entry)
{
    struct stat status;
    return fstatat(dirfd(stream), entry->d_name, &status, AT_SYMLINK_NOFOLLOW) == 0
           && S_ISLNK(status.st_mode);
}

/*
 * Appends to `links` each symbolic link directly in `directory` whose name
 * matches `component`. The directory is the literal start of a Glob
 * pattern, and the component its first wildcard component, which is a
 * directory. Glob lists names through such a link (the pattern `*` `/id_rsa`
 * through keys -> ~/.ssh), so each link is checked as a searched directory,
 * whose target deny and ask rules see. A directory that cannot be read,
 * more than GLOB_ENTRIES_MAX entries or more than GLOB_LINKS_MAX links add
 * an unknown path instead, which such rules count as "could match".
 */
static ag_status add_glob_links(ag_checker *checker, const file_request *request,
                                const char *directory, const char *component,
                                const char **links, size_t *count)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    ag_arena *arena = &checker->arena;
    const char *path = ag_path_normalize(arena, &request->context, directory, strlen(directory));
    if (path == NULL)
        return AG_ERR_NOMEM;
    DIR *stream = path[0] == '/' ? opendir(path) : NULL;
    if (stream == NULL) {
        /* Glob finds nothing in a directory that does not exist. */
        if (path[0] != '/' || (errno != ENOENT && errno != ENOTDIR))
            links[(*count)++] = unknown;
        return AG_OK;
    }

    size_t entries = 0;
    size_t limit = *count + GLOB_LINKS_MAX;
    const struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
        if (++entries > GLOB_ENTRIES_MAX || *count == limit) {
            links[(*count)++] = unknown;
            break;
        }
        /* Dot files count too, because a Glob tool may list them. */
        bool matches = strcmp(component, "**") == 0 || fnmatch(component, entry->d_name, 0) == 0;
        if (!matches || !entry_is_link(stream, entry))
            continue;
        links[*count] = ag_arena_printf(arena, "%s/%s", strcmp(path, "/") == 0 ? "" : path,
                                        entry->d_name);
        if (links[(*count)++] == NULL) {
            closedir(stream);
            return AG_ERR_NOMEM;
        }
    }
    closedir(stream);
    return AG_OK;
}

/* The outcome of one path of a file tool call, after the mode (mode.c). */
typedef struct path_outcome {
    ag_decision decision;
    const ag_rule *rule;
    const char *reason;
    bool bypassable, file_write, file_outside;
    const char *file_path, *file_target, *file_folded_path, *file_folded_target;
} path_outcome;

/*
 * Replaces the part of a /proc or /dev/fd alias before its link by one
 * unknown part (see ag_path_alias_part()), so deny and ask rules give
 * MAYBE, as they do for the same path in a Bash command.
 */
static const char *mark_alias(ag_arena *arena, const char *path)
{
    const char *alias = ag_path_alias_part(path);
    if (alias == NULL)
        return path;
    return ag_arena_printf(arena, "%c%s", AG_DYNAMIC_MARK, alias);
}

/* Checks one normalized path of a file tool call, with the mode, into *outcome. */
/*
 * Returns whether the link target of the request's path can change the
 * verdict. It cannot when no rule names the tool, Read or Edit, the policy
 * default is not allow, and the mode is neither acceptEdits nor
 * bypassPermissions. The default then decides, because the outside and
 * protected path checks only apply to what would be allowed. Skipping the
 * lookup saves one readlink() per path component.
 */
static bool target_matters(ag_checker *checker, const file_request *request)
{
    if (checker->mode == AG_MODE_ACCEPT_EDITS || checker->mode == AG_MODE_BYPASS_PERMISSIONS
        || checker->policy->default_decision == AG_ALLOW)
        return true;

    const char *tools[] = {request->tool, "Read", "Edit"};
    ag_rule_cursor cursor;
    ag_rule_cursor_for_tools(&cursor, checker->policy, tools, sizeof(tools) / sizeof(*tools));
    return ag_rule_cursor_next(&cursor) != NULL;
}

static ag_status check_one_path(ag_checker *checker, file_request *request, const char *path,
                                path_outcome *outcome)
{
    ag_arena *arena = &checker->arena;
    request->path = mark_alias(arena, path);
    if (request->path == NULL)
        return AG_ERR_NOMEM;
    request->target = target_matters(checker, request)
                          ? ag_path_link_target(arena, &checker->lookups, request->path)
                          : NULL;
    if (ag_path_fold_ascii(arena, request->path, &request->folded_path) != AG_OK
        || ag_path_fold_ascii(arena, request->target, &request->folded_target) != AG_OK)
        return AG_ERR_NOMEM;
    ag_status status = decide_file_request(checker, request);
    if (status == AG_OK)
        status = ag_mode_apply_tool(checker, request->tool, &request->context);
    if (status != AG_OK)
        return status;
    const ag_verdict *verdict = &checker->verdict;
    *outcome = (path_outcome){verdict->decision,       verdict->rule,
                              verdict->reason,         verdict->bypassable,
                              verdict->file_write,     verdict->file_outside,
                              verdict->file_path,      verdict->file_target,
                              verdict->file_folded_path, verdict->file_folded_target};
    return AG_OK;
}

/*
 * Checks every path of a file tool call: each path field present and, for
 * Glob, the directory its pattern searches. The strictest outcome (the first
 * on ties) is the verdict, so a call is allowed only when every path is.
 */
static ag_status check_file_paths(ag_checker *checker, file_request *request,
                                  const char *const *raws, const size_t *lengths, size_t count);

/* Fills a file request's tool, family, input, normalized cwd and home, and real cwd. */
static ag_status start_file_request(ag_checker *checker, file_request *request,
                                    const char *tool_name, tool_family family,
                                    const ag_json_document *input, const char *cwd)
{
    ag_arena *arena = &checker->arena;
    *request = (file_request){.family = family, .tool = tool_name, .input = input};
    ag_path_context none = {NULL, NULL, NULL, NULL};
    if (cwd != NULL && cwd[0] == '/')
        request->context.cwd = ag_path_normalize(arena, &none, cwd, strlen(cwd));
    if (checker->home != NULL)
        request->context.home = ag_path_normalize(arena, &none, checker->home,
                                                  strlen(checker->home));
    if (request->context.cwd != NULL
        && ag_checker_set_real_cwd(checker, cwd, &request->context) != AG_OK)
        return AG_ERR_NOMEM;
    return ag_path_context_fold_ascii(arena, &request->context, &request->folded_context,
                                      &request->folded_base);
}

static ag_status eval_file_tool(ag_checker *checker, const char *tool_name,
                                tool_family family, const ag_json_document *input,
                                const char *cwd)
{
    ag_arena *arena = &checker->arena;
    file_request request;
    if (start_file_request(checker, &request, tool_name, family, input, cwd) != AG_OK)
        return AG_ERR_NOMEM;

    /*
     * Up to the three fields, the search directory, the Glob pattern's
     * directory, and the links in it with an unknown path after them.
     */
    const char *raws[5 + GLOB_LINKS_MAX + 1];
    size_t lengths[5 + GLOB_LINKS_MAX + 1];
    size_t count = 0;
    const char *search = ".";    /* a searcher's directory: its "path", else the cwd */
    for (size_t i = 0; i < sizeof(path_fields) / sizeof(*path_fields); i++) {
        const ag_json_member *value = ag_json_get(input, path_fields[i]);
        if (value == NULL)
            continue;
        bool is_string = value->type == AG_JSON_STRING;
        const char *raw = is_string ? value->string : NULL;
        size_t length = is_string ? value->string_length : 0;
        /* Models send "path":"" for the default, so it counts as absent and the cwd is
         * searched. NOTE: this assumes the host reads "" as the cwd, as Node's
         * path.resolve(cwd, "") does. */
        if (family == FAMILY_SEARCH && raw != NULL && length == 0
            && strcmp(path_fields[i], "path") == 0)
            continue;
        if (raw == NULL || length == 0 || memchr(raw, '\0', length) != NULL)
            return ag_eval_reject(checker, AG_ERR_REQUEST,
                                  "the %s tool input's \"%s\" is not a non-empty string "
                                  "without NUL bytes", tool_name, path_fields[i]);
        raws[count] = raw;
        lengths[count++] = length;
        if (strcmp(path_fields[i], "path") == 0)
            search = raw;
    }
    if (count == 0 && family != FAMILY_SEARCH)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the %s tool input has no \"file_path\" field", tool_name);
    if (count == 0) {
        raws[count] = ".";
        lengths[count++] = 1;
    }

    /* The pattern, not the path, decides what Glob reads. */
    char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    bool glob = strcmp(tool_name, "Glob") == 0;
    const ag_json_member *pattern_value = glob ? ag_json_get(input, "pattern") : NULL;
    if (pattern_value != NULL && pattern_value->type != AG_JSON_STRING)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the Glob tool input's \"pattern\" is not a string");
    const char *pattern = pattern_value != NULL ? pattern_value->string : NULL;
    if (pattern != NULL && glob_leaves_directory(pattern)) {
        raws[count] = unknown;
        lengths[count++] = 1;
    } else if (pattern != NULL && glob_literal_prefix(pattern) > 0) {
        /* Its literal directory, such as `lnk` of `lnk/[*].txt`, so that a link there is followed. */
        const char *joined = ag_arena_printf(arena, "%s/%.*s", search,
                                             (int)glob_literal_prefix(pattern), pattern);
        if (joined == NULL)
            return AG_ERR_NOMEM;
        raws[count] = joined;
        lengths[count++] = strlen(joined);
    }

    /*
     * A wildcard directory component may be a link to anywhere. Only the
     * links directly in the literal directory are found, and only when a
     * rule could see one. A Read or Glob deny or ask rule could match where
     * such a link leads, and a Read or Edit allow rule allows only when it
     * covers that place too.
     * TODO(glob-links): a link deeper down is not found: one that a second
     * wildcard component or `**` reaches below the first level.
     */
    if (pattern != NULL && count < 5 && glob_wildcard_directory(pattern)
        && (has_rule(checker->policy, "Read") || has_rule(checker->policy, "Glob")
            || has_rule(checker->policy, "Edit"))) {
        size_t prefix = glob_literal_prefix(pattern);
        const char *directory = prefix == 0 ? search
                                            : ag_arena_printf(arena, "%s/%.*s", search,
                                                              (int)prefix, pattern);
        const char *start = pattern + prefix + (prefix > 0);
        const char *component = ag_arena_strndup(arena, start, strcspn(start, "/"));
        if (directory == NULL || component == NULL)
            return AG_ERR_NOMEM;
        size_t before = count;
        ag_status status = add_glob_links(checker, &request, directory, component, raws,
                                          &count);
        if (status != AG_OK)
            return status;
        for (size_t i = before; i < count; i++)
            lengths[i] = strlen(raws[i]);
    }

    return check_file_paths(checker, &request, raws, lengths, count);
}

/*
 * Returns whether a path is relative without "..", so that in an unknown
 * cwd it lies in the directory that rules anchored at the cwd name.
 */
static bool is_plain_relative(const char *path, size_t length)
{
    if (length == 0 || path[0] == '/' || path[0] == '~'
        || memchr(path, AG_DYNAMIC_MARK, length) != NULL)
        return false;
    for (size_t i = 0; i + 1 < length; i++) {
        if (path[i] == '.' && path[i + 1] == '.')
            return false;
    }
    return true;
}

/*
 * Checks the `count` paths of a file tool call as written in its input. The
 * strictest outcome (the first on ties) is the verdict, so a call is allowed
 * only when every path is.
 */
static ag_status check_file_paths(ag_checker *checker, file_request *request,
                                  const char *const *raws, const size_t *lengths, size_t count)
{
    ag_arena *arena = &checker->arena;
    path_outcome strictest = {0};
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        const char *forms[2];
        forms[0] = ag_path_normalize(arena, &request->context, raws[i], lengths[i]);
        forms[1] = ag_path_normalize_lexical(arena, &request->context, raws[i], lengths[i]);
        if (forms[0] == NULL || forms[1] == NULL)
            return AG_ERR_NOMEM;
        request->unknown_cwd_path = NULL;
        request->folded_unknown_cwd_path = NULL;
        request->unknown_cwd = request->context.cwd == NULL && lengths[i] > 0
                               && raws[i][0] != '/' && raws[i][0] != '~'
                               && raws[i][0] != AG_DYNAMIC_MARK;
        if (request->context.cwd == NULL && is_plain_relative(raws[i], lengths[i])) {
            ag_path_context unknown = {AG_UNKNOWN_CWD, request->context.home, NULL, NULL};
            request->unknown_cwd_path = ag_path_normalize_lexical(arena, &unknown, raws[i],
                                                                  lengths[i]);
            if (request->unknown_cwd_path == NULL
                || ag_path_fold_ascii(arena, request->unknown_cwd_path,
                                      &request->folded_unknown_cwd_path) != AG_OK)
                return AG_ERR_NOMEM;
        }
        size_t form_count = strcmp(forms[0], forms[1]) != 0 ? 2 : 1;
        for (size_t j = 0; j < form_count; j++) {
            path_outcome outcome;
            ag_status status = check_one_path(checker, request, forms[j], &outcome);
            if (status != AG_OK)
                return status;
            if (first || outcome.decision > strictest.decision)
                strictest = outcome;
            first = false;
        }
    }

    ag_verdict *verdict = &checker->verdict;
    verdict->decision = strictest.decision;
    verdict->rule = strictest.rule;
    verdict->reason = strictest.reason;
    verdict->bypassable = strictest.bypassable;
    verdict->file_write = strictest.file_write;
    verdict->file_outside = strictest.file_outside;
    verdict->file_path = strictest.file_path;
    verdict->file_target = strictest.file_target;
    verdict->file_folded_path = strictest.file_folded_path;
    verdict->file_folded_target = strictest.file_folded_target;
    return AG_OK;
}

/* -------------------------------------------------------------------- LSP */

/* The input fields of an LSP call that may name a file: its schema is not documented. */
static const char *const lsp_path_fields[] = {"file_path", "filePath", "path", "uri"};

/*
 * Returns the path that a value of an LSP path field names: the path of a
 * "file:///..." URI without percent escapes, or the text of another field.
 * A value that cannot be read gives an unknown path, so that Read deny and
 * ask rules give "could match".
 */
static const char *lsp_path(const char *field, const ag_json_member *value, size_t *length)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    *length = 1;
    if (value->type != AG_JSON_STRING || value->string_length == 0)
        return unknown;
    const char *text = value->string;
    if (strcmp(field, "uri") != 0) {
        *length = value->string_length;
        return text;
    }
    const char *path = strncmp(text, "file://", 7) == 0 ? text + 7 : NULL;
    if (path == NULL || path[0] != '/' || strchr(path, '%') != NULL)
        return unknown;
    *length = strlen(path);
    return path;
}

/*
 * Checks an LSP call. Claude Code applies Read rules to the LSP tool, so each
 * path field is checked as a Read of that file. A call without one asks when
 * a Read deny or ask rule exists.
 */
static ag_status eval_lsp(ag_checker *checker, const ag_json_document *input, const char *cwd)
{
    enum { FIELDS = sizeof(lsp_path_fields) / sizeof(*lsp_path_fields) };
    const char *raws[FIELDS];
    size_t lengths[FIELDS];
    size_t count = 0;
    for (size_t i = 0; i < FIELDS; i++) {
        const ag_json_member *value = ag_json_get(input, lsp_path_fields[i]);
        if (value != NULL) {
            raws[count] = lsp_path(lsp_path_fields[i], value, &lengths[count]);
            count++;
        }
    }
    if (count > 0) {
        file_request request;
        if (start_file_request(checker, &request, "LSP", FAMILY_READ, input, cwd) != AG_OK)
            return AG_ERR_NOMEM;
        return check_file_paths(checker, &request, raws, lengths, count);
    }

    ag_status status = eval_other_tool(checker, "LSP", input);
    if (status == AG_OK)
        status = ask_for_unchecked_rules(checker, "LSP", "Read",
                                         "\"file_path\", \"filePath\", \"path\" or \"uri\"");
    if (status != AG_OK)
        return status;
    return ag_mode_apply_tool(checker, "LSP", NULL);
}

/* --------------------------------------------------------------- WebFetch */

/* A byte of a host name; bytes of non-ASCII UTF-8 are allowed (see has_non_ascii()). */
static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_'
           || (unsigned char)c >= 0x80;
}

/*
 * Returns whether a host has non-ASCII bytes. The fetcher converts such a
 * name to its IDNA (punycode) form, which a byte comparison cannot see
 * (`ｅｘａｍｐｌｅ.com` is example.com). So only a literal match of a domain
 * rule counts, and every other match is MAYBE.
 */
static bool has_non_ascii(const char *host)
{
    for (; *host != '\0'; host++)
        if ((unsigned char)*host >= 0x80)
            return true;
    return false;
}

/*
 * Extracts the lowercase host of scheme://[userinfo@]host[:port][/...], or
 * returns NULL with *problem set. The authority ends at '/', '?' or '#'. A
 * '\\' in it is rejected because browsers end the authority there while other
 * parsers do not ("https://a.com\\@b.com/"). Whitespace, control bytes and '%'
 * in the host are rejected rather than guessed at. Non-ASCII bytes are kept,
 * because the tool input is valid UTF-8 (ag_json_parse() checks it). An IP address literal comes back in canonical form (ag_host_canonical_address()),
 * and a host that looks like an address but is none is rejected.
 */
static const char *parse_url_host(ag_arena *arena, const char *url, size_t length,
                                  const char **problem)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7f) {
            *problem = "it contains whitespace or a control character";
            return NULL;
        }
    }
    size_t i = 0;
    while (i < length && (isalnum((unsigned char)url[i]) || strchr("+-.", url[i]) != NULL))
        i++;
    if (i == 0 || !isalpha((unsigned char)url[0]) || length - i < 3
        || memcmp(url + i, "://", 3) != 0) {
        *problem = "it does not start with scheme://";
        return NULL;
    }

    const char *authority = url + i + 3;
    size_t size = strcspn(authority, "/?#");
    if (memchr(authority, '\\', size) != NULL) {
        *problem = "its authority contains '\\', which URL parsers read differently";
        return NULL;
    }
    const char *at = NULL;
    for (size_t j = 0; j < size; j++)
        if (authority[j] == '@')
            at = authority + j;
    const char *host = at != NULL ? at + 1 : authority;
    size_t host_size = (size_t)(authority + size - host);

    size_t name_size = 0;
    if (host_size > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', host_size);
        if (close == NULL) {
            *problem = "its IPv6 address has no ']'";
            return NULL;
        }
        name_size = (size_t)(close - host) + 1;
        for (size_t j = 1; j + 1 < name_size; j++) {
            if (!isxdigit((unsigned char)host[j]) && host[j] != ':' && host[j] != '.') {
                *problem = "its IPv6 address has an invalid character";
                return NULL;
            }
        }
    } else {
        while (name_size < host_size && host[name_size] != ':')
            name_size++;
        for (size_t j = 0; j < name_size; j++) {
            if (!is_host_char(host[j]) || (host[j] == '.' && (j == 0 || host[j - 1] == '.'))) {
                *problem = "its host has an invalid character or an empty label";
                return NULL;
            }
        }
    }
    if (name_size == 0 || (name_size == 1 && host[0] == '.')) {
        *problem = "it has no host";
        return NULL;
    }
    for (size_t j = name_size; j < host_size; j++) {
        if (!(j == name_size && host[j] == ':') && !isdigit((unsigned char)host[j])) {
            *problem = "its port is not a number";
            return NULL;
        }
    }

    char address[AG_HOST_ADDRESS_MAX];
    switch (ag_host_canonical_address(host, name_size, address)) {
    case AG_HOST_ADDRESS:
        return ag_arena_strndup(arena, address, strlen(address));
    case AG_HOST_BAD_ADDRESS:
        *problem = "its host looks like an IP address but is not a valid one";
        return NULL;
    case AG_HOST_NAME:
        break;
    }
    char *copy = ag_arena_strndup(arena, host, name_size);
    if (copy == NULL)
        return NULL;
    for (char *p = copy; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

/* Returns whether `url`, which starts with scheme://, is an http or https URL. */
static bool has_web_scheme(const char *url)
{
    size_t length = strcspn(url, ":");
    return (length == 4 && strncasecmp(url, "http", 4) == 0)
           || (length == 5 && strncasecmp(url, "https", 5) == 0);
}

/*
 * Raises an allow to ask for a URL whose scheme is not http or https. A
 * domain rule names a web host, while ftp:// and other schemes reach other
 * services, and file://HOST/PATH may read a local file. Deny and ask rules
 * have matched the host already, so their verdicts stay. The ask survives
 * bypassPermissions, as for a malformed MCP tool name.
 */
static ag_status ask_for_other_scheme(ag_checker *checker, ag_command_verdict *result,
                                      const char *url, size_t length)
{
    if (result->decision != AG_ALLOW || has_web_scheme(url))
        return AG_OK;

    result->decision = AG_ASK;
    result->rule = NULL;
    result->bypassable = false;
    const char *quoted = ag_quote_text(&checker->arena, url, length);
    int scheme_length = (int)strcspn(url, ":");
    result->reason = ag_arena_printf(&checker->arena,
                                     "the URL `%s` has the scheme `%.*s`, but only http and "
                                     "https URLs may be allowed, so neither a rule nor the "
                                     "policy default allows it",
                                     quoted, scheme_length, url);
    return result->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

static ag_status eval_fetch(ag_checker *checker, const char *tool_name,
                            const ag_json_document *input)
{
    const ag_json_member *url = ag_json_get(input, "url");
    if (url == NULL)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the %s tool input has no \"url\" field", tool_name);
    const char *text = url->type == AG_JSON_STRING ? url->string : NULL;
    size_t length = url->type == AG_JSON_STRING ? url->string_length : 0;
    if (text == NULL || memchr(text, '\0', length) != NULL)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the %s tool input's \"url\" is not a string without NUL bytes",
                              tool_name);

    const char *problem = "out of memory";
    const char *host = parse_url_host(&checker->arena, text, length, &problem);
    if (host == NULL)
        return ag_eval_reject(checker, AG_ERR_REQUEST, "the URL `%s` cannot be parsed: %s",
                              ag_quote_text(&checker->arena, text, length), problem);

    const ag_policy *policy = checker->policy;
    ag_rule_findings findings = {0};
    ag_rule_cursor cursor;
    ag_rule_cursor_for_domain(&cursor, policy, tool_name, host);
    bool idn = has_non_ascii(host);
    const ag_rule *rule;
    while (!ag_findings_done(checker, &findings) && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
        if (!ag_rule_tool_matches(rule, tool_name))
            continue;
        ag_match match = AG_MATCH_MAYBE;
        if (rule->kind == AG_RULE_TOOL)
            match = AG_MATCH_YES;
        else if (ag_rule_is_domain(rule))
            match = ag_rule_match_domain(rule, host);
        if (idn && ag_rule_is_domain(rule) && match == AG_MATCH_NO)
            match = AG_MATCH_MAYBE;
        else if (rule->kind == AG_RULE_PARAM)
            match = ag_eval_match_input(checker, rule, tool_name, input);
        ag_findings_note(checker, &findings, rule, match);
    }

    ag_command_verdict result = {0};
    const char *described = ag_arena_printf(&checker->arena, "%s %s", tool_name, host);
    if (described == NULL)
        return AG_ERR_NOMEM;
    ag_findings_decide(checker, &result, &findings, described);
    ag_status status = ask_for_other_scheme(checker, &result, text, length);
    if (status != AG_OK)
        return status;
    return finish(checker, &result);
}

/* ---------------------------------------------------------------- Monitor */

/*
 * Checks a Monitor call. Claude Code applies Bash rules to the Monitor tool,
 * which runs a shell command, so its "command" is checked as a Bash command,
 * and a deny or ask rule that names Monitor itself raises the result. The
 * input schema is not documented: a call without a "command" string asks
 * when a Bash deny or ask rule exists.
 */
static ag_status eval_monitor(ag_checker *checker, const ag_json_document *input,
                              const char *cwd)
{
    size_t length = 0;
    const char *text = ag_json_get_string(input, "command", &length);
    if (text == NULL) {
        ag_status status = eval_other_tool(checker, "Monitor", input);
        if (status == AG_OK)
            status = ask_for_unchecked_rules(checker, "Monitor", "Bash", "\"command\" string");
        if (status != AG_OK)
            return status;
        return ag_mode_apply_tool(checker, "Monitor", NULL);
    }

    /* Applies the mode as for Bash. */
    ag_status status = ag_eval_command(checker, text, length, cwd);
    if (status != AG_OK)
        return status;

    /* The command's check left the explain sink unset; Monitor's own rules record here. */
    ag_command_verdict own = {0};
    checker->explain_sink = &checker->verdict.matches;
    decide_other_tool(checker, "Monitor", input, &own);
    ag_verdict *verdict = &checker->verdict;
    if (own.reason == NULL)
        return AG_ERR_NOMEM;
    /* A rule of Monitor's own explains a tie better than the policy default. */
    bool raises = own.decision > verdict->decision
                  || (own.decision == verdict->decision && verdict->rule == NULL);
    if (own.rule != NULL && own.decision > AG_ALLOW && raises) {
        verdict->decision = own.decision;
        verdict->rule = own.rule;
        verdict->reason = own.reason;
        verdict->bypassable = false;
    }
    return AG_OK;
}

ag_status ag_eval_tool(ag_checker *checker, const char *tool_name,
                       const ag_json_document *input, const char *cwd)
{
    tool_family family = family_of(tool_name);
    checker->explain_sink = &checker->verdict.matches;
    ag_status status;
    if (strcmp(tool_name, "Monitor") == 0)
        return eval_monitor(checker, input, cwd);
    if (strcmp(tool_name, "LSP") == 0)
        return eval_lsp(checker, input, cwd);
    switch (family) {
    case FAMILY_READ:
    case FAMILY_SEARCH:
    case FAMILY_WRITE:
        /* Applies the mode to each path itself. */
        return eval_file_tool(checker, tool_name, family, input, cwd);
    case FAMILY_FETCH:
        status = eval_fetch(checker, tool_name, input);
        break;
    default:
        status = eval_other_tool(checker, tool_name, input);
        if (status == AG_OK && strncmp(tool_name, "mcp__", 5) == 0)
            status = ask_for_invalid_mcp_name(checker, tool_name);
        break;
    }

    /* The verdict is final here: the mode and the protected paths adjust it (mode.c). */
    if (status != AG_OK)
        return status;
    return ag_mode_apply_tool(checker, tool_name, NULL);
}
