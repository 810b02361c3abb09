/*
 * The policy model: layers, the mode, and allow_managed_rules_only.
 *
 * Sources are added to a builder in a layer (ag_layer, most authoritative
 * first). Every rule keeps its layer. The policy's mode is the `mode:` of the
 * most authoritative layer that sets one (the first such source added, within
 * a layer), together with that source's `mode_locked`. The project and
 * local_project layers come with the working tree, so their bypassPermissions
 * and their mode_locked are ignored with a warning, and a user-layer lock
 * keeps its mode over theirs. A managed source with
 * `allow_managed_rules_only: true` drops the allow rules of every other layer
 * when the policy is built, while their deny and ask rules stay.
 */
#include <string.h>

#include "policy/forms.h"
#include "policy/load_internal.h"
#include "policy/model.h"

static const char *const layer_names[] = {"managed", "command_line", "local_project", "project",
                                          "user"};

static const char *const mode_names[] = {"default", "acceptEdits", "plan", "dontAsk",
                                         "bypassPermissions"};

#define MODE_LIST "default, acceptEdits, plan, dontAsk or bypassPermissions"

const char *ag_layer_name(ag_layer layer)
{
    if ((unsigned)layer >= sizeof(layer_names) / sizeof(*layer_names))
        return "unknown";
    return layer_names[layer];
}

bool ag_layer_from_name(const char *name, ag_layer *layer)
{
    if (layer == NULL)
        return false;

    for (size_t i = 0; name != NULL && i < sizeof(layer_names) / sizeof(*layer_names); i++) {
        if (strcmp(name, layer_names[i]) == 0) {
            *layer = (ag_layer)i;
            return true;
        }
    }
    return false;
}

const char *ag_mode_name(ag_mode mode)
{
    if ((unsigned)mode >= sizeof(mode_names) / sizeof(*mode_names))
        return "unknown";
    return mode_names[mode];
}

bool ag_mode_from_name(const char *name, ag_mode *mode)
{
    if (mode == NULL)
        return false;

    for (size_t i = 0; name != NULL && i < sizeof(mode_names) / sizeof(*mode_names); i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *mode = (ag_mode)i;
            return true;
        }
    }
    return false;
}

ag_mode ag_policy_mode(const ag_policy *policy)
{
    return policy != NULL ? policy->mode : AG_MODE_DEFAULT;
}

bool ag_policy_mode_locked(const ag_policy *policy)
{
    return policy != NULL && policy->mode_locked;
}

/* ------------------------------------------------------------ reading keys */

static bool is_plain(const yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Reads `true` or `false`, written without quotes as in YAML and JSON. */
static ag_status read_flag(struct load_context *context, const char *name,
                           const yaml_node_t *value, bool *flag)
{
    if (is_plain(value) && ag_load_scalar_equals(value, "true")) {
        *flag = true;
        return AG_OK;
    }
    if (is_plain(value) && ag_load_scalar_equals(value, "false")) {
        *flag = false;
        return AG_OK;
    }
    return ag_load_error(context, AG_ERR_POLICY_VALUE, value,
                         "'%s' must be true or false, written without quotes", name);
}

/* Reads a mode name into the source's settings; `name` is the key as written. */
ag_status ag_model_read_mode(struct load_context *context, const char *name,
                             const yaml_node_t *value)
{
    ag_policy_settings *settings = ag_load_settings(context);
    const char *text = value->type == YAML_SCALAR_NODE ? (const char *)value->data.scalar.value
                                                       : NULL;
    ag_mode mode;
    char shown[AG_LOAD_VALUE_QUOTE_MAX + 8];
    if (text == NULL || strlen(text) != value->data.scalar.length
        || !ag_mode_from_name(text, &mode))
        return ag_load_error(context, AG_ERR_POLICY_VALUE, value,
                             "invalid value %s for '%s'; use " MODE_LIST,
                             ag_load_describe_value(value, shown, sizeof(shown)), name);
    settings->has_mode = true;
    settings->mode = mode;

    /*
     * Claude Code confirms this mode from a project's settings with the
     * user, and no prompt exists here.
     */
    ag_layer layer = ag_load_layer(context);
    if (mode == AG_MODE_BYPASS_PERMISSIONS && ag_layer_from_working_tree(layer))
        return ag_forms_warn(context, value,
                             "the mode bypassPermissions ('%s') is ignored in the %s layer, "
                             "because a working tree can come from anyone; set the mode in "
                             "the user settings, or pass it as the host's mode (--mode)",
                             name, ag_layer_name(layer));
    return AG_OK;
}

/* Reads allow_managed_rules_only (or its settings-file spelling `name`) and notes where. */
ag_status ag_model_read_managed_only(struct load_context *context, const char *name,
                                     const yaml_node_t *key, const yaml_node_t *value)
{
    ag_policy_settings *settings = ag_load_settings(context);
    ag_status status = read_flag(context, name, value, &settings->allow_managed_rules_only);
    if (status == AG_OK)
        settings->managed_only_location = ag_load_location(context, key);
    return status;
}

ag_status ag_model_read_entry(struct load_context *context, const yaml_node_t *key,
                              const yaml_node_t *value, bool *handled)
{
    ag_policy_settings *settings = ag_load_settings(context);
    *handled = true;
    if (ag_load_scalar_equals(key, "mode"))
        return ag_model_read_mode(context, "mode", value);
    if (ag_load_scalar_equals(key, "mode_locked")) {
        ag_status status = read_flag(context, "mode_locked", value, &settings->mode_locked);
        if (status != AG_OK)
            return status;
        settings->mode_locked_location = ag_load_location(context, key);

        ag_layer layer = ag_load_layer(context);
        if (settings->mode_locked && ag_layer_from_working_tree(layer))
            return ag_forms_warn(context, key,
                                 "'mode_locked' is ignored in the %s layer, because a working "
                                 "tree must not fix the mode against the user's lock or the "
                                 "host's mode; lock the mode in the user, command_line or "
                                 "managed layer", ag_layer_name(layer));
        return AG_OK;
    }
    if (ag_load_scalar_equals(key, "allow_managed_rules_only"))
        return ag_model_read_managed_only(context, "allow_managed_rules_only", key, value);
    *handled = false;
    return AG_OK;
}

/* ------------------------------------------------------------------ building */

ag_status ag_model_check_source(const ag_policy_settings *settings, ag_layer layer,
                                ag_error **error)
{
    if ((unsigned)layer > AG_LAYER_USER)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                            "the layer %d is not an ag_layer value", (int)layer);

    const ag_source_location *where = &settings->managed_only_location;
    if (settings->allow_managed_rules_only && layer != AG_LAYER_MANAGED)
        return ag_error_set(error, AG_ERR_POLICY_VALUE, where->file, where->line, where->column,
                            "allow_managed_rules_only is only valid in the managed layer, but "
                            "this source is in the %s layer; remove the key, or load the file "
                            "as managed settings", ag_layer_name(layer));

    where = &settings->mode_locked_location;
    if (settings->mode_locked && !settings->has_mode)
        return ag_error_set(error, AG_ERR_POLICY_VALUE, where->file, where->line, where->column,
                            "mode_locked needs a mode in the same file; add mode: default "
                            "(or another mode) next to it");
    return AG_OK;
}

void ag_model_merge_source(ag_policy *policy, size_t first_rule,
                           const ag_policy_settings *settings, ag_layer layer)
{
    for (size_t i = first_rule; i < policy->rule_count; i++)
        policy->rules[i].layer = layer;

    /*
     * The trusted layers and the working tree's layers are kept apart until
     * ag_model_finish(), because a user-layer lock beats the project's mode.
     * A project's bypassPermissions and lock were warned about when read.
     */
    bool from_tree = ag_layer_from_working_tree(layer);
    ag_mode_choice *choice = from_tree ? &policy->project_mode : &policy->trusted_mode;
    bool usable = settings->has_mode
                  && !(from_tree && settings->mode == AG_MODE_BYPASS_PERMISSIONS);
    /* A lower ag_layer value is more authoritative; an equal one was added later and loses. */
    if (usable && (!choice->set || layer < choice->layer)) {
        choice->set = true;
        choice->mode = settings->mode;
        choice->locked = settings->mode_locked && !from_tree;
        choice->layer = layer;
    }
    if (settings->allow_managed_rules_only && layer == AG_LAYER_MANAGED)
        policy->managed_allow_only = true;
    if (settings->disable_bypass)
        policy->bypass_disabled = true;
}

/*
 * Drops the allow rules outside the managed layer when a managed source set
 * allow_managed_rules_only. Dropping them, rather than skipping them at check
 * time, keeps every matcher free of the check.
 */
static void drop_unmanaged_allows(ag_policy *policy)
{
    if (!policy->managed_allow_only)
        return;

    size_t kept = 0;
    for (size_t i = 0; i < policy->rule_count; i++) {
        ag_rule *rule = &policy->rules[i];
        if (rule->decision == AG_ALLOW && rule->layer != AG_LAYER_MANAGED) {
            ag_rule_clear(rule);
            continue;
        }
        policy->rules[kept++] = *rule;
    }
    policy->rule_count = kept;
}

/*
 * Chooses the policy's mode: that of the most authoritative layer that set
 * one, except that a lock of the user layer, the one trusted layer below
 * the project layers, beats their mode. No project mode is locked.
 */
static void choose_mode(ag_policy *policy)
{
    const ag_mode_choice *trusted = &policy->trusted_mode;
    const ag_mode_choice *project = &policy->project_mode;
    const ag_mode_choice *chosen = trusted;
    if (project->set && (!trusted->set || (trusted->layer > project->layer && !trusted->locked)))
        chosen = project;
    if (!chosen->set)
        return;
    policy->mode = chosen->mode;
    policy->mode_locked = chosen->locked;
}

void ag_model_finish(ag_policy *policy)
{
    choose_mode(policy);
    drop_unmanaged_allows(policy);

    /* disableBypassPermissionsMode overrides a settings file's own defaultMode too. */
    if (policy->bypass_disabled && policy->mode == AG_MODE_BYPASS_PERMISSIONS)
        policy->mode = AG_MODE_DEFAULT;
}

ag_status ag_model_add_policy_path(ag_policy *policy, const char *path, ag_layer layer)
{
    size_t count = policy->policy_path_count + 1;
    char **paths = ag_realloc(policy->policy_paths, count * sizeof(*paths));
    if (paths == NULL)
        return AG_ERR_NOMEM;
    policy->policy_paths = paths;
    ag_layer *layers = ag_realloc(policy->policy_path_layers, count * sizeof(*layers));
    if (layers == NULL)
        return AG_ERR_NOMEM;
    policy->policy_path_layers = layers;

    char *copy = ag_strdup(path);
    if (copy == NULL)
        return AG_ERR_NOMEM;
    paths[policy->policy_path_count] = copy;
    layers[policy->policy_path_count] = layer;
    policy->policy_path_count++;
    return AG_OK;
}

void ag_model_clear(ag_policy *policy)
{
    for (size_t i = 0; i < policy->policy_path_count; i++)
        ag_free(policy->policy_paths[i]);
    ag_free(policy->policy_paths);
    ag_free(policy->policy_path_layers);
    policy->policy_paths = NULL;
    policy->policy_path_layers = NULL;
    policy->policy_path_count = 0;
}
