/*
 * Policies: loading YAML policy files into compiled, immutable policies.
 *
 * A policy file is a YAML mapping with these keys:
 *   default: allow | ask | deny     the decision when no rule matches
 *   allow:   [RULE, ...]            rules as Claude Code writes them
 *   ask:     [RULE, ...]
 *   deny:    [RULE, ...]
 *   limits:  {max_input_bytes: N, max_depth: N, max_commands: N, timeout_ms: N}
 * Any other key is an error (AG_ERR_POLICY_KEY).
 */
#ifndef AG_POLICY_POLICY_H
#define AG_POLICY_POLICY_H

#include "core/common.h"
#include "rules/rules.h"
#include "shell/shell.h"

struct ag_policy {
    ag_decision default_decision;
    ag_rule *rules;            /* every rule of every source, in the order written */
    size_t rule_count;
    char **files;              /* source names that rule locations point into */
    size_t file_count;
    ag_shell_limits limits;    /* the strictest of the sources' limits */
};

/* The name that stands for the built-in default policy in rule sources. */
#define AG_DEFAULT_POLICY_NAME "<default>"

#endif
