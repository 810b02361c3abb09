/*
 * Evaluation: turns a request into a verdict, using the shell analysis for
 * Bash commands and the policy's rules for everything.
 */
#ifndef AG_EVAL_EVAL_H
#define AG_EVAL_EVAL_H

#include "core/json.h"

#include "effects/effects.h"
#include "policy/policy.h"
#include "rules/paths.h"
#include "rules/rules.h"
#include "shell/shell.h"

/* A growable list of commands in the checker's arena. */
typedef struct ag_command_list {
    ag_shell_command *items;
    size_t count;
    size_t capacity;
} ag_command_list;

/* Appends a copy of *command; returns AG_ERR_NOMEM when the arena is exhausted. */
ag_status ag_command_list_append(ag_arena *arena, ag_command_list *list,
                                 const ag_shell_command *command);

/* One rule that matched (YES) or could match (MAYBE), recorded in explain mode. */
typedef struct ag_rule_match_record {
    const ag_rule *rule;
    ag_match match;
} ag_rule_match_record;

/* The rules that matched one command, effect or tool call, in the checker's arena. */
typedef struct ag_match_list {
    ag_rule_match_record *items;
    size_t count;
    size_t capacity;
} ag_match_list;

/* The decision one command of a Bash request got on its own. */
typedef struct ag_command_verdict {
    const ag_shell_command *command;
    ag_decision decision;
    const ag_rule *rule;      /* the deciding rule, or NULL when the default or a check decided */
    const char *reason;       /* arena text */
    ag_match_list matches;    /* explain mode only */
    bool bypassable;          /* no rule decided, only the policy default or the check for
                                 writes outside the working directories (mode.c) */
} ag_command_verdict;

/* What the rules say about one command. */
typedef struct ag_rule_findings {
    const ag_rule *deny;        /* first deny rule that matches */
    const ag_rule *deny_maybe;  /* first deny rule that could match */
    bool deny_maybe_fits;       /* deny_maybe fits the path (ag_findings_note_fitting()) */
    bool deny_maybe_below;      /* deny_maybe could match a file in the tree below a known
                                   path that the command walks, not a value known only
                                   when it runs (grep -r x src) */
    bool deny_maybe_links;      /* and that walk follows links, which may lead anywhere */
    bool deny_maybe_archive;    /* and that tree is the members of an archive (tar x) */
    const ag_rule *ask;         /* first ask rule that matches or could match */
    bool ask_is_maybe;
    const ag_rule *allow;       /* first allow rule that matches */
    const ag_rule *allow_wildcard; /* first allow rule with `*` that matches a command fed
                                      code, to which it does not apply (command.c) */
    const ag_rule *allow_environment; /* first allow rule that matches a command with an
                                         unlisted variable, to which no allow rule applies */
} ag_rule_findings;

/*
 * Notes a rule's match on a file path as ag_findings_note() does. A deny rule
 * that could match and whose pattern fits the end of `path`
 * (ag_rule_path_tail_fits()) replaces an earlier one that does not fit, so
 * the reason names a rule that could match this path.
 */
void ag_findings_note_fitting(ag_checker *checker, ag_rule_findings *findings,
                              const ag_rule *rule, ag_match match, const char *path);

/*
 * Returns whether a rule loop over a path may stop, as ag_findings_done()
 * does, except that for a write (`write`) it goes on past a Read deny rule,
 * so that ag_findings_note_path() may find an Edit deny rule to name instead.
 */
bool ag_findings_path_done(const ag_checker *checker, const ag_rule_findings *findings,
                           bool write);

/*
 * Notes a rule's match on a path as ag_findings_note_fitting() does. For a
 * write, an Edit deny rule that matches, or could match, replaces a Read
 * deny rule found first that does the same: both deny, but "writing X
 * matches the deny rule Read(...)" reads like a mistake.
 */
void ag_findings_note_path(ag_checker *checker, ag_rule_findings *findings, const ag_rule *rule,
                           ag_match match, const char *path, bool write);

/* Notes a rule's match in *findings; the first rule of each kind is kept. */
void ag_findings_record(ag_rule_findings *findings, const ag_rule *rule, ag_match match);

/*
 * Same as ag_findings_record(), and in explain mode also appends the match to
 * checker->explain_sink (explain.c). Running out of memory while recording
 * drops the record and never changes the findings.
 */
void ag_findings_note(ag_checker *checker, ag_rule_findings *findings, const ag_rule *rule,
                      ag_match match);

/* Sets result's decision, rule and reason from findings; `text` names what was checked. */
void ag_findings_decide(ag_checker *checker, ag_command_verdict *result,
                        const ag_rule_findings *findings, const char *text);

/*
 * Same as ag_findings_decide(), where `unknown_cause` ends the reason of a
 * rule that only could match, as in ", because the request gives no working
 * directory". NULL gives the usual ending, which blames values only known
 * when the command runs.
 */
void ag_findings_decide_because(ag_checker *checker, ag_command_verdict *result,
                                const ag_rule_findings *findings, const char *text,
                                const char *unknown_cause);

/* Copies text for a reason: at most 80 bytes, unknown parts shown as "‹?›". Never NULL. */
const char *ag_quote_text(ag_arena *arena, const char *text, size_t length);

/* Returns the length of the leading bytes of `text` that are printable: none below 0x20 or 0x7f. */
size_t ag_printable_prefix(const char *text, size_t length);

struct ag_verdict {
    ag_decision decision;
    const char *reason;       /* arena text, never NULL once a check returns */
    const ag_rule *rule;
    ag_status error;
    const char *error_message;    /* the problem behind `error`, or NULL for the reason */
    bool has_span;
    size_t span_start, span_end;
    ag_command_verdict *commands;
    size_t command_count;
    ag_effect *effects;       /* files read and written, directories entered, hosts contacted */
    size_t effect_count;
    ag_match_list matches;    /* explain mode: rules matched by a non-Bash tool call, and
                                 Bash(param:value) rules matched by a Bash request */
    ag_match_list *effect_matches; /* explain mode: one list per effect, or NULL */

    /* What the mode (mode.c) needs to know about the request. */
    bool bypassable;          /* as in ag_command_verdict, for a tool call or an empty command */
    bool file_write;          /* an edit tool: Edit, Write, MultiEdit, NotebookEdit */
    bool file_outside;        /* its path or link target lies outside the working directories */
    const char *file_path;    /* a file tool's normalized path, and its link target or NULL */
    const char *file_target;
    /* The ASCII foldings of file_path and file_target (ag_path_fold_ascii()), or NULL. */
    const char *file_folded_path;
    const char *file_folded_target;
};

/* A path normalized by an earlier check, kept so the next check with the same path reuses it. */
typedef struct ag_path_cache {
    char *path;          /* as given, or NULL */
    char *normalized;
    bool real_known;     /* `real` was looked up: see ag_checker_real_cwd() */
    char *real;          /* the directory `normalized` leads to through links, or NULL */
} ag_path_cache;

/*
 * Whether the policy has rules for a tool that effects meet. Only rules
 * naming Read, Edit or WebFetch exactly can apply to an effect
 * (lib/effects/decide.c), and the default policy has none.
 */
typedef enum ag_tool_rules_state {
    AG_TOOL_RULES_UNKNOWN,    /* not looked up yet */
    AG_TOOL_RULES_NONE,
    AG_TOOL_RULES_SOME
} ag_tool_rules_state;

typedef struct ag_effect_tool_rules {
    ag_tool_rules_state read, edit, web_fetch;
} ag_effect_tool_rules;

struct ag_checker {
    const ag_policy *policy;
    ag_shell_analyzer *analyzer;
    ag_arena arena;                  /* every per-check allocation; reset at each check */
    pcre2_match_data *match_data;
    ag_buffer subjects[4];           /* spellings of the command being matched: see build_subjects() */
    size_t subject_count;
    ag_verdict verdict;
    char *home;                      /* absolute home directory for "~", or NULL */
    char *folded_home;               /* its ASCII folding (ag_path_fold_ascii()), or NULL */
    char *cdpath;                    /* the shell's CDPATH, or NULL when unset */
    ag_shell_limits limits;          /* the policy's limits, tightened by ag_checker_set_limits() */
    ag_decision_callback callback;   /* called after each check that returns a verdict, or NULL */
    void *callback_data;
    bool in_callback;                /* rejects a check made from inside the callback */
    ag_mode mode;                    /* the policy's mode, or the one ag_checker_set_mode() set */
    bool explain;                    /* record every matching rule: ag_checker_set_explain() */
    ag_match_list *explain_sink;     /* where ag_findings_note() records, or NULL */
    ag_path_cache cwd_cache;         /* see ag_checker_normalize() */
    ag_path_cache home_cache;
    ag_lookup_cache lookups;         /* readlink() results of the current check */
    /* Found on first need and kept, because a checker's policy never changes. */
    ag_effect_tool_rules effect_tools;
    ag_tool_rules_state cwd_restrictions;   /* deny or ask path rules anchored at the cwd */
    /*
     * Commands of the lines of wrapped scripts (`bash -c '...'`) that failed
     * to parse, each line parsed alone. They are decided apart from the
     * request's commands, only to raise its decision (check_lines_alone()
     * in command.c). Cleared at each check.
     */
    ag_command_list line_commands;
    /*
     * Microseconds spent parsing wrapped scripts in the current check. All
     * scripts of one request share one budget of limits.timeout_micros
     * (script_limits() in unwrap.c). Cleared at each check.
     */
    uint64_t script_parse_micros;
    /*
     * Commands found so far by parsing the lines of wrapped scripts alone in
     * the current check. All scripts together get limits.max_commands of
     * them (script_line_limits() in unwrap.c). Cleared at each check.
     */
    size_t script_line_commands;
};

/*
 * Returns the absolute `path` normalized with no context, as
 * ag_path_normalize() does, from `cache` when it contains the same path. The
 * text may outlive the check's arena but not the next call with this cache.
 * Returns NULL when out of memory.
 */
const char *ag_checker_normalize(ag_checker *checker, ag_path_cache *cache, const char *path);

/*
 * Stores in *real where the absolute request cwd `cwd` (as given) leads
 * through symbolic links on disk, as ag_path_link_target() returns it: NULL
 * when that is the cwd itself, the unknown path when the lookup fails. A
 * result found is kept in checker->cwd_cache, so a checker that gets the
 * same cwd again makes no lookup, and it lives as long as
 * ag_checker_normalize() results do. Returns AG_ERR_NOMEM or AG_OK.
 * NOTE: a link on the way to the cwd that changes between two checks with
 * the same cwd keeps its old destination here. Changing it means writing
 * outside the cwd, which asks unless a rule or bypassPermissions mode
 * allows it, and a path relative to the cwd still meets the rules.
 */
ag_status ag_checker_real_cwd(ag_checker *checker, const char *cwd, const char **real);

/*
 * Returns whether the normalized `path` lies in the request's cwd
 * (context->cwd) or in one of the policy's additional directories. A
 * directory from a project or local_project source counts only below that
 * source's project root (ag_policy_directory), because a cloned repository
 * could otherwise add `/` and so put every write inside the working
 * directories.
 */
bool ag_checker_in_working_directories(ag_checker *checker, const char *path,
                                       const ag_path_context *context);

/*
 * Sets context->real_cwd for the request cwd `cwd` (as given, or NULL) when
 * a deny or ask path rule of the policy is anchored at the cwd, and to NULL
 * otherwise, so that policies without such rules never look the cwd up.
 */
ag_status ag_checker_set_real_cwd(ag_checker *checker, const char *cwd, ag_path_context *context);

/*
 * Returns whether a rule loop may stop: at the first deny, except in explain
 * mode, where every matching rule is recorded. Going on past a deny never
 * changes the decision, because a deny wins and the first one is kept.
 */
static inline bool ag_findings_done(const ag_checker *checker, const ag_rule_findings *findings)
{
    return findings->deny != NULL && !checker->explain;
}

/*
 * Returns how a rule with a specifier that is neither a command, a path nor a
 * domain (AG_RULE_PARAM, AG_RULE_SPECIFIER) matches a call of `tool` with
 * `input` (forms.c). A param rule compares one top-level scalar field; a
 * specifier rule globs the tool's primary field (the policy's
 * `primary_fields` or the built-in one). Whatever cannot be decided gives
 * MAYBE, which an allow rule ignores.
 */
ag_match ag_eval_match_input(ag_checker *checker, const ag_rule *rule, const char *tool,
                             const ag_json_document *input);

/* Raises a Bash verdict for the Bash(param:value) rules that match `input` (forms.c). */
ag_status ag_eval_bash_params(ag_checker *checker, const ag_json_document *input);

/* Evaluates a Bash command and fills checker->verdict. Returns AG_ERR_NOMEM or AG_OK. */
ag_status ag_eval_command(ag_checker *checker, const char *command, size_t length,
                          const char *cwd);

/*
 * Evaluates a request for a tool other than Bash and fills checker->verdict.
 * `input` is the parsed tool input (a JSON object); `cwd` may be NULL.
 */
ag_status ag_eval_tool(ag_checker *checker, const char *tool_name,
                       const ag_json_document *input, const char *cwd);

/* Sets checker->verdict to a deny for a malformed request, with `code` and a reason. */
ag_status ag_eval_reject(ag_checker *checker, ag_status code, const char *format, ...)
    AG_PRINTF(3, 4);

#endif
