/*
 * Policy keys for rule forms and testable policies (forms.c):
 *
 *   primary_fields: {TOOL: FIELD}   the input field that TOOL(GLOB) rules match
 *   tests: [{name, command | request: {tool_name, tool_input, cwd}, cwd, home,
 *            expect: allow | ask | deny, rule}]
 *   a rule written as {rule: "...", examples: {match: [...], not_match: [...]}}
 *
 * and the warnings a policy collects (unknown tool names, rules that never match).
 */
#ifndef AG_POLICY_FORMS_H
#define AG_POLICY_FORMS_H

#include "policy/load_internal.h"
#include "policy/policy.h"

typedef struct ag_primary_field {
    char *tool;
    char *field;
} ag_primary_field;

/* One entry of `tests:`; every string is owned by the policy. */
typedef struct ag_policy_test {
    char *name;
    char *tool_name;
    char *tool_input_json;     /* a JSON object */
    char *cwd;                 /* NULL when the test gives none */
    char *home;                /* NULL when the test gives none */
    char *rule;                /* the expected deciding rule, or NULL when not checked */
    ag_decision expect;
    char *source;              /* "FILE:LINE:COLUMN" of the test */
} ag_policy_test;

/* One example of a rule, checked by ag_forms_finish(). */
typedef struct ag_rule_example {
    size_t rule;               /* index into policy->rules */
    char *text;
    bool match;                /* listed under `match` (true) or `not_match` */
    ag_source_location location;
} ag_rule_example;

/* Counts to undo a failed parse back to. */
typedef struct ag_forms_marks {
    size_t primary_fields, warnings, tests, examples;
} ag_forms_marks;

ag_forms_marks ag_forms_mark(const ag_policy *policy);
void ag_forms_truncate(ag_policy *policy, const ag_forms_marks *marks);
void ag_forms_clear(ag_policy *policy);

/*
 * Reads a rule written as a mapping: stores its `rule:` node in *rule_node
 * and its `examples:` node (or NULL) in *examples.
 */
ag_status ag_forms_rule_mapping(struct load_context *context, const yaml_node_t *node,
                                const yaml_node_t **rule_node, const yaml_node_t **examples);

/* Stores the examples of the rule just appended at `index`; `examples` may be NULL. */
ag_status ag_forms_rule_added(struct load_context *context, size_t index,
                              const yaml_node_t *examples);

/* Reads `primary_fields` and `tests`, setting *handled when `key` is one of them. */
ag_status ag_forms_read_entry(struct load_context *context, const yaml_node_t *key,
                              const yaml_node_t *value, bool *handled);

/*
 * Finishes a built policy: adds the warnings about its rules and checks every
 * rule example with a checker. Returns AG_ERR_RULE naming the first failing
 * example, its rule and its location.
 */
ag_status ag_forms_finish(ag_policy *policy, ag_error **error);

/*
 * Adds a warning located at `node`, or at the start of the source when
 * `node` is NULL, to the policy being loaded. A failed parse drops it with
 * the rest of the source.
 */
ag_status ag_forms_warn(struct load_context *context, const yaml_node_t *node,
                        const char *format, ...) AG_PRINTF(3, 4);

/* Returns the field TOOL(GLOB) rules match for `tool`: the policy's, else the built-in one. */
const char *ag_policy_primary_field(const ag_policy *policy, const char *tool);

/* Accessors of the loader for forms.c (load.c). */
ag_policy *ag_load_policy(struct load_context *context);
const char *ag_load_directory(struct load_context *context);
const char *ag_load_scalar_text(const yaml_node_t *node);
bool ag_load_is_null(const yaml_node_t *node);

#endif
