/*
 * Policies: loading YAML policy files into compiled, immutable policies.
 *
 * A policy file is a YAML mapping with these keys:
 *   default: allow | ask | deny     the decision when no rule matches
 *   allow:   [RULE, ...]            rules as Claude Code writes them
 *   ask:     [RULE, ...]
 *   deny:    [RULE, ...]
 *   limits:  {max_input_bytes: N, max_depth: N, max_commands: N, timeout_ms: N}
 *   additional_directories: [PATH, ...]   working directories besides the cwd;
 *                                   a relative PATH is relative to the policy file
 * Any other key, and any key given twice, is an error (AG_ERR_POLICY_KEY).
 * Each section may be empty (`allow:` with no value). A limit of 0 counts as
 * unset, so the built-in default applies; a policy cannot remove a limit.
 */
#ifndef AG_POLICY_POLICY_H
#define AG_POLICY_POLICY_H

#include "core/common.h"
#include "policy/index.h"
#include "rules/rules.h"
#include "shell/shell.h"

/* The mode that the sources of some layers set, while a policy is built (model.c). */
typedef struct ag_mode_choice {
    bool set;
    ag_mode mode;
    bool locked;
    ag_layer layer;            /* the layer of the source that set it */
} ag_mode_choice;

struct ag_policy {
    ag_decision default_decision;
    ag_rule *rules;            /* every rule of every source, in the order written */
    size_t rule_count;
    char **files;              /* source names that rule locations point into */
    size_t file_count;
    ag_shell_limits limits;    /* the strictest of the sources' limits */
    char **directories;        /* per entry of `files`: the file's absolute directory, or
                                  NULL for a string policy or the built-in default */
    char **anchors;            /* per entry of `files`: where its `/path` rules start when
                                  that is not its directory (ag_policy_source), else NULL */
    struct ag_policy_directory *additional_directories;
    size_t additional_directory_count;
    const struct ag_effects_table *effects; /* ag_effects_table_builtin(), not owned */
    ag_policy_index *index;    /* built by ag_policy_builder_build(); NULL makes checks walk every rule */
    char digest[65];           /* hex SHA-256 of the sources, see ag_policy_digest() */

    /* The policy model (model.c): layers, the mode and the policy's own files. */
    ag_mode mode;              /* the mode that ag_model_finish() chose */
    bool mode_locked;
    ag_mode_choice trusted_mode;   /* while building: see ag_model_merge_source() */
    ag_mode_choice project_mode;
    bool managed_allow_only;   /* a managed source set allow_managed_rules_only */
    bool bypass_disabled;      /* a source set disableBypassPermissionsMode */
    char **policy_paths;       /* absolute paths of the policy files, protected from writes */
    ag_layer *policy_path_layers; /* the layer each of policy_paths was loaded in */
    size_t policy_path_count;

    /* Rule forms, warnings, tests and rule examples (forms.h, forms.c). */
    struct ag_primary_field *primary_fields;  /* `primary_fields:` of every source */
    size_t primary_field_count;
    char **warnings;           /* "FILE:LINE:COLUMN: warning: TEXT" */
    size_t warning_count;
    struct ag_policy_test *tests;
    size_t test_count;
    struct ag_rule_example *examples;
    size_t example_count;
};

/*
 * One entry of `additional_directories` as written. A relative `path` is
 * resolved against `base` (the policy file's directory, or the request's
 * cwd when `base` is NULL) and "~" against the checker's home, at check time.
 */
typedef struct ag_policy_directory {
    char *path;
    const char *base;          /* owned by the policy's `directories` */
    bool from_working_tree;    /* written in a project or local_project source */
    const char *project_root;  /* for such an entry: where its source's `/path` rules start,
                                  owned by the policy, or NULL for a string source */
} ag_policy_directory;

/* The name that stands for the built-in default policy in rule sources. */
#define AG_DEFAULT_POLICY_NAME "<default>"

/*
 * What one policy source sets besides its rules. Each limit is 0 when the
 * source leaves it unset, and `timeout_micros` is the source's timeout_ms
 * converted to microseconds.
 */
typedef struct ag_policy_settings {
    bool has_default;
    ag_decision default_decision;
    ag_shell_limits limits;

    /* The policy model's keys (model.c); a location is set with its flag. */
    bool has_mode;
    ag_mode mode;
    bool mode_locked;
    ag_source_location mode_locked_location;
    bool allow_managed_rules_only;
    ag_source_location managed_only_location;
    bool disable_bypass;       /* settings files: disableBypassPermissionsMode */
} ag_policy_settings;

/* One policy source as a builder stores it. */
typedef struct ag_policy_source {
    char *name;                /* a file name, or the name given for a string */
    char *text;
    size_t length;
    char *directory;           /* absolute directory of a policy file, or NULL */
    char *anchor;              /* absolute directory `/path` rules start at when it is not
                                  `directory`: a project's root for its .claude settings */
    ag_layer layer;
} ag_policy_source;

/*
 * Parses a YAML policy source (or a settings file, by its ".json" name),
 * appends its rules and its name to `policy`, and stores the rest in
 * *settings. `/path` rules are anchored at the source's anchor, else at its
 * directory, and relative additional directories at its directory. Also
 * checks what the source's layer may set
 * (ag_model_check_source()). On failure returns the error code with *error
 * set, and `policy` is left as it was before the call.
 *
 * The rules' regexes are not JIT-compiled: run ag_rule_jit() on every rule
 * before the policy is matched against (see ag_rule_jit()).
 */
ag_status ag_policy_parse_source(ag_policy *policy, const ag_policy_source *source,
                                 ag_policy_settings *settings, ag_error **error);

/* Frees the rules and names inside `policy`, not the struct itself. */
void ag_policy_clear(ag_policy *policy);

#endif
