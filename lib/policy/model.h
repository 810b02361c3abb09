/* The policy model's part of building a policy (model.c): layers and the mode. */
#ifndef AG_POLICY_MODEL_H
#define AG_POLICY_MODEL_H

#include "policy/policy.h"

/*
 * Checks what a source in `layer` may set: allow_managed_rules_only only in
 * the managed layer, and mode_locked only next to a mode. Returns
 * AG_ERR_POLICY_VALUE located at the key, or AG_ERR_ARGUMENT for a layer
 * outside the enum.
 */
ag_status ag_model_check_source(const ag_policy_settings *settings, ag_layer layer,
                                ag_error **error);

/*
 * Returns whether sources of `layer` come with the working tree (the project
 * and local_project layers). A cloned repository can ship both, so what they
 * set must not loosen what the trusted layers (managed, command_line, user)
 * or the host decide.
 */
static inline bool ag_layer_from_working_tree(ag_layer layer)
{
    return layer == AG_LAYER_PROJECT || layer == AG_LAYER_LOCAL_PROJECT;
}

/* Gives the rules from `first_rule` on the source's layer and merges its mode. */
void ag_model_merge_source(ag_policy *policy, size_t first_rule,
                           const ag_policy_settings *settings, ag_layer layer);

/*
 * Finishes the model once every source is merged: chooses the mode, drops
 * the allow rules outside the managed layer when a managed source set
 * allow_managed_rules_only, and turns a bypassPermissions mode into default
 * when a source disables that mode.
 */
void ag_model_finish(ag_policy *policy);

/*
 * Appends the absolute path of a policy file, loaded in `layer`, to the
 * paths protected from writes.
 */
ag_status ag_model_add_policy_path(ag_policy *policy, const char *path, ag_layer layer);

/* Frees what the model added to a policy. */
void ag_model_clear(ag_policy *policy);

#endif
