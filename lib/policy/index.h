/*
 * Rule index: built once per policy so that a check visits only the rules
 * that can match its request, in the policy's order.
 *
 * A cursor merges a few sorted lists of rule indices (the buckets that a
 * request's keys select) and yields each rule at most once, in ascending
 * index order. Evaluators keep their per-rule tests unchanged: a rule the
 * index leaves out is one whose test would return AG_MATCH_NO, so the
 * findings, and with them the decision and the deciding rule, stay the same.
 * A policy without an index (policy->index == NULL) makes every cursor walk
 * all rules, which tests use as the reference.
 */
#ifndef AG_POLICY_INDEX_H
#define AG_POLICY_INDEX_H

#include <stdint.h>

#include "core/common.h"
#include "rules/paths.h"
#include "rules/rules.h"

struct ag_policy;
typedef struct ag_policy_index ag_policy_index;

/* Maximum number of lists one cursor merges; more make it walk a wider list instead. */
enum { AG_RULE_CURSOR_MAX_LISTS = 16 };

typedef struct ag_rule_cursor {
    const struct ag_policy *policy;
    const uint32_t *lists[AG_RULE_CURSOR_MAX_LISTS];
    size_t lengths[AG_RULE_CURSOR_MAX_LISTS];
    size_t positions[AG_RULE_CURSOR_MAX_LISTS];
    size_t list_count;
    bool overflow;        /* too many lists: the cursor walks `fallback` */
    const uint32_t *fallback;
    size_t fallback_length;
    bool scan_all;        /* no index: the cursor walks every rule */
    size_t next;          /* next position in `fallback` or in the rules */
    size_t last;          /* index of the rule last returned, plus one; 0 before the first */
} ag_rule_cursor;

/* Builds the index of policy->rules into policy->index. Returns AG_OK or AG_ERR_NOMEM. */
ag_status ag_policy_index_build(struct ag_policy *policy);

void ag_policy_index_free(ag_policy_index *index);

/*
 * Starts a cursor over the rules that can apply to any of the `count` tools
 * named in `tools`: rules naming one of them exactly or naming its MCP
 * server, and every rule whose tool name is a glob.
 */
void ag_rule_cursor_for_tools(ag_rule_cursor *cursor, const struct ag_policy *policy,
                              const char *const *tools, size_t count);

/*
 * Starts a cursor for matching the files `paths` (normalized, as
 * ag_rule_match_path() takes them; a symbolic link and its target are two)
 * against the rules of `tools`. It visits the rules of those tools that are
 * not path rules, every rule whose tool name is a glob, and every Read or
 * Edit path rule that could match one of the paths: the rules filed under one
 * of a path's components, the rules without a literal component, and the
 * rules whose anchor a path cannot be compared with. A NULL path or one with
 * an unknown part makes it visit every path rule.
 */
void ag_rule_cursor_for_paths(ag_rule_cursor *cursor, const struct ag_policy *policy,
                              const char *const *tools, size_t tool_count,
                              const char *const *paths, size_t path_count,
                              const ag_path_context *context);

/*
 * Starts a cursor for a tool that searches the trees below `directories`
 * (normalized, as ag_rule_match_path_below() takes them; a symbolic link and
 * its target are two). It visits the rules of `tools` that are not path
 * rules and every rule whose tool name is a glob. Of the Read and Edit path
 * rules, it visits those that ag_rule_match_path() or
 * ag_rule_match_path_below() could match for one of the directories. Those
 * are the rules whose literal directory (ag_path_rule_literal_directory())
 * is the directory, one of its parents, or starts with it, and the rules
 * whose anchor a directory cannot be compared with. A NULL directory or one
 * with an unknown part makes it visit every path rule.
 */
void ag_rule_cursor_for_search(ag_rule_cursor *cursor, const struct ag_policy *policy,
                               const char *const *tools, size_t tool_count,
                               const char *const *directories, size_t directory_count,
                               const ag_path_context *context);

/*
 * Starts a cursor for fetching from `host` with `tool`. It visits the rules
 * of `tool` that are not domain rules and every rule whose tool name is a
 * glob. Of the WebFetch(domain:...) rules, it visits those filed under the
 * host or one of its label suffixes (see ag_domain_rule_key()) and those
 * without a key.
 */
void ag_rule_cursor_for_domain(ag_rule_cursor *cursor, const struct ag_policy *policy,
                               const char *tool, const char *host);

/*
 * Starts a cursor over the rules that can apply to Bash commands, and returns
 * it ready for ag_rule_cursor_add_word() and ag_rule_cursor_add_prefix().
 * With `every_bash_rule`, the cursor visits every rule that applies to Bash
 * (a command whose name is not known before it runs).
 */
void ag_rule_cursor_for_bash(ag_rule_cursor *cursor, const struct ag_policy *policy,
                             bool every_bash_rule);

/* Adds the Bash command rules whose pattern starts with the literal word `word`. */
void ag_rule_cursor_add_word(ag_rule_cursor *cursor, const char *word, size_t length);

/*
 * Adds the Bash command rules whose literal first word starts with `prefix`
 * (rules a partial match of `prefix` alone could reach).
 */
void ag_rule_cursor_add_prefix(ag_rule_cursor *cursor, const char *prefix, size_t length);

/*
 * Starts a cursor over the rules that can match a Bash command given as the
 * `count` subjects it is matched against (its words joined with spaces, see
 * ag_rule_match_command()). `name_dynamic` is true when the command name is
 * not known before it runs.
 */
void ag_rule_cursor_for_command(ag_rule_cursor *cursor, const struct ag_policy *policy,
                                const ag_buffer *subjects, size_t count, bool name_dynamic);

/* Returns the next rule in policy order, or NULL at the end. */
const ag_rule *ag_rule_cursor_next(ag_rule_cursor *cursor);

#endif
