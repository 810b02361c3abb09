/*
 * Rules: parsing Claude Code's permission rule syntax and matching rules
 * against requests. Glob patterns are compiled to PCRE2 once, when the
 * policy loads.
 */
#ifndef AG_RULES_RULES_H
#define AG_RULES_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/common.h"

/* Where a rule was written. `file` is owned by the policy. */
typedef struct ag_source_location {
    const char *file;
    unsigned line;
    unsigned column;
} ag_source_location;

typedef enum ag_rule_kind {
    AG_RULE_TOOL,      /* a bare tool name, or Tool(*): every use of the tool */
    AG_RULE_COMMAND,   /* Bash(specifier): a glob over the command's words */
    AG_RULE_SPECIFIER, /* any other Tool(specifier): a glob over the tool's primary input field */
    AG_RULE_PARAM      /* Tool(param:value), deny and ask only: a glob over one input field */
} ag_rule_kind;

/*
 * How a Bash rule matches, exactly as its regex would (see build_regex() in
 * rule.c). For a literal L: "L" (EXACT), "L*" (PREFIX) and "L *" (WORD: L
 * alone or followed by a space). Any other specifier is a GLOB of literal
 * runs between `*`, which match.c matches in time linear in the subject for
 * each run, where the regex backtracks up to PCRE2's match limit. Bash rules
 * have no PCRE2 pattern, so loading them skips pcre2_compile() and JIT. NONE
 * is left for tests that match with the regex (ag_rule_compile_command_regex()).
 */
typedef enum ag_literal_form {
    AG_LITERAL_NONE = 0,
    AG_LITERAL_EXACT,
    AG_LITERAL_PREFIX,
    AG_LITERAL_WORD,
    AG_LITERAL_GLOB
} ag_literal_form;

/*
 * A path glob after its anchor without wildcards or escapes, such as `.env`,
 * `src/lib/` or `src/lib/` followed by "**". paths.c matches it by comparing
 * bytes, exactly as the regex of build_path_regex() would match. Such rules
 * have no PCRE2 pattern, so loading them skips pcre2_compile() and JIT.
 */
typedef struct ag_plain_path_glob {
    const char *text;    /* the glob's body in the rule's specifier, or NULL */
    size_t length;       /* bytes of text, at least 1 */
    bool below;          /* the glob also matches every path below a matched path */
    bool any_depth;      /* the glob matches after any '/' of the path, as a bare name does */
} ag_plain_path_glob;

typedef struct ag_rule {
    ag_rule_kind kind;
    ag_decision decision;
    char *text;                  /* the rule as written */
    char *tool;                  /* tool name: "Bash", "WebFetch", "mcp__server__tool" */
    char *specifier;             /* text between the parentheses, or NULL */
    pcre2_code *pattern;         /* AG_RULE_COMMAND: the compiled glob, anchored both ends,
                                    only after ag_rule_compile_command_regex() */
    char *literal_prefix;        /* AG_RULE_COMMAND: the specifier's text before its first wildcard */
    ag_literal_form literal_form; /* AG_RULE_COMMAND: how it matches without PCRE2, or NONE */
    size_t literal_length;       /* bytes of literal_prefix that literal_form compares */
    size_t glob_body_length;     /* AG_LITERAL_GLOB: the specifier's bytes before a final " *" */
    size_t glob_last_run;        /* AG_LITERAL_GLOB: where the text after the body's last `*` starts */
    bool glob_word_suffix;       /* AG_LITERAL_GLOB: the specifier ends with " *" */
    char *source;                /* "FILE:LINE:COLUMN" */
    ag_source_location location;
    ag_layer layer;              /* the layer of the source it was written in (policy/model.c) */

    /* Read(...) and Edit(...) path rules, filled by ag_path_rule_compile() (paths.c). */
    int path_anchor;             /* an ag_path_anchor; AG_PATH_ANCHOR_NONE for other rules */
    pcre2_code *path_pattern;    /* the glob after the anchor, anchored both ends, or NULL
                                    when path_plain matches it */
    ag_plain_path_glob path_plain;
    const char *policy_directory; /* absolute directory of the policy file for `/path`, or
                                     NULL (a string policy); owned by the policy */

    /* WebFetch(domain:...) rules: the host pattern, lowercase, no trailing dot. */
    char *domain;

    /* AG_RULE_PARAM: the input field's name; `pattern` holds the value glob (forms.c). */
    char *param;
} ag_rule;

/*
 * Parses `text` as a rule with `decision`, written at `location`. Fills *rule
 * and returns AG_OK, or returns AG_ERR_RULE or AG_ERR_PATTERN with *error set
 * to a message that names the rule, its location and the fix.
 */
ag_status ag_rule_parse(const char *text, ag_decision decision,
                        ag_source_location location, ag_rule *rule,
                        ag_error **error);

/*
 * Same as ag_rule_parse() without JIT-compiling the rule's regexes, so that
 * the caller JIT-compiles only the rules it keeps. Matching it before
 * ag_rule_jit() may give other results (see ag_rule_jit()).
 */
ag_status ag_rule_parse_unjitted(const char *text, ag_decision decision,
                                 ag_source_location location, ag_rule *rule,
                                 ag_error **error);

/*
 * Appends the `length` bytes of a rule's text to `out` as rule errors quote
 * it: control bytes (NUL included) as \xHH, and '\\' and '"' escaped.
 */
void ag_rule_quote(ag_buffer *out, const char *text, size_t length);

/* JIT-compiles the regexes of a rule parsed by ag_rule_parse_unjitted(). */
void ag_rule_jit(ag_rule *rule);

/*
 * Compiles the regex of a Bash rule, which the rule otherwise matches
 * without PCRE2, and sets literal_form to NONE, so that tests can compare
 * both matchers. The caller JIT-compiles it with ag_rule_jit(). Returns
 * AG_ERR_ARGUMENT for any other rule.
 */
ag_status ag_rule_compile_command_regex(ag_rule *rule, ag_error **error);

/* Appends byte `c` to a regex, escaped so that PCRE2 reads it literally. */
void ag_rule_append_literal(ag_buffer *regex, unsigned char c);

/* Frees what ag_rule_parse() allocated inside *rule (not the struct itself). */
void ag_rule_clear(ag_rule *rule);

typedef enum ag_match {
    AG_MATCH_NO = 0,      /* the rule cannot match */
    AG_MATCH_MAYBE = 1,   /* the rule could match for some value of the dynamic words */
    AG_MATCH_YES = 2      /* the rule matches */
} ag_match;

/*
 * Matches an AG_RULE_COMMAND or a Bash AG_RULE_TOOL rule against a command
 * given as its words joined with single spaces (`subject`, `length` bytes,
 * with AG_DYNAMIC_MARK for unknown parts). `match_data` comes from
 * ag_rule_match_data_new() and belongs to the calling thread.
 *
 * For an allow rule only AG_MATCH_YES counts, and a dynamic part matches only
 * inside a `*` of the pattern. For deny and ask rules AG_MATCH_MAYBE means the
 * command must get at least ask.
 */
ag_match ag_rule_match_command(const ag_rule *rule, const char *subject,
                               size_t length, bool name_dynamic,
                               pcre2_match_data *match_data);

/*
 * Returns whether `rule` names the tool `tool`: the same name, Agent for Task
 * and Task for Agent, a server rule `mcp__server` for any `mcp__server__...`
 * tool, or a `*` glob over the whole name.
 */
bool ag_rule_tool_matches(const ag_rule *rule, const char *tool);

/*
 * Creates a PCRE2 general context that allocates through ag_malloc(), or NULL
 * when out of memory. Free it with pcre2_general_context_free() after use.
 */
pcre2_general_context *ag_rule_pcre2_context(void);

/* Creates match data large enough for any rule, or NULL when out of memory. */
pcre2_match_data *ag_rule_match_data_new(void);

/*
 * Returns whether `rule` applies to the tool named `tool`. It does when the
 * names are equal, or when the rule names an MCP server (`mcp__server`) and
 * `tool` is one of its tools (`mcp__server__...`). A rule tool name with `*`
 * must match the whole of `tool`, each `*` matching any run of characters.
 */
bool ag_rule_tool_matches(const ag_rule *rule, const char *tool);

/* ------------------------------------------------ rule forms (forms.c) */

/* Returns whether `tool` is a tool the host ships (Bash, Read, Agent, ...), not an MCP tool. */
bool ag_tool_is_builtin(const char *tool);

/*
 * Returns the first built-in tool whose name is within two letters of
 * `tool` (added, dropped or changed, ignoring ASCII case), such as "Read"
 * for "Rd", or NULL. The name is static.
 */
const char *ag_tool_builtin_near(const char *tool);

/*
 * Returns the built-in primary input field of `tool`: the field a Tool(GLOB)
 * rule matches ("command" for Bash, "subagent_type" for Agent and Task,
 * "skill" for Skill), or NULL when the tool has none.
 */
const char *ag_tool_builtin_primary_field(const char *tool);

/*
 * Parses a specifier of the form `param:value` into an AG_RULE_PARAM rule and
 * sets *handled, or leaves *handled false when the specifier is not one (then
 * the caller parses it as the tool's usual specifier). Returns AG_ERR_RULE
 * for a param rule that is an allow rule or names the tool's primary field.
 */
ag_status ag_rule_parse_param(const char *text, const char *specifier, size_t length,
                              ag_rule *rule, bool *handled, ag_error **error);

/*
 * Compiles an AG_RULE_SPECIFIER rule's specifier into rule->pattern: a glob
 * where `*` matches any run of characters and a final ` *` also matches
 * nothing, as in Bash rules.
 */
ag_status ag_rule_compile_specifier(ag_rule *rule, ag_error **error);

/*
 * Matches the value glob of an AG_RULE_PARAM rule, or the specifier glob of an
 * AG_RULE_SPECIFIER rule, against `text`. A PCRE2 failure gives MAYBE.
 */
ag_match ag_rule_match_value(const ag_rule *rule, const char *text, size_t length,
                             pcre2_match_data *match_data);

#endif
