/*
 * Claude Code settings files (.claude/settings.json,
 * .claude/settings.local.json, managed-settings.json) read as policy
 * sources. JSON is YAML's flow style, so libyaml parses them and errors and
 * rule sources keep FILE:LINE:COLUMN; the document is then checked to be
 * JSON and not some other YAML.
 *
 * Keys read:
 *   permissions.allow, .ask, .deny      rule lists, as in a YAML policy
 *   permissions.defaultMode             the mode, as `mode:` in a YAML policy
 *   permissions.additionalDirectories   as `additional_directories:`
 *   permissions.disableBypassPermissionsMode: "disable"
 *                                       hosts cannot switch to bypassPermissions
 *   allowManagedPermissionRulesOnly     as `allow_managed_rules_only:`
 * Other top-level keys are ignored, because a settings file holds much more
 * than permissions (hooks, env, model). An unknown key inside "permissions"
 * is an error (AG_ERR_POLICY_KEY): a misspelt "deny" would otherwise drop
 * deny rules without a word.
 */
#include <string.h>

#include "policy/load_internal.h"

#define PERMISSION_KEYS \
    "allow, ask, deny, defaultMode, additionalDirectories, disableBypassPermissionsMode"

/* Deepest nesting of a settings file checked; deeper files are rejected. */
enum { SETTINGS_MAX_DEPTH = 64 };

static bool is_json_literal(const yaml_node_t *node)
{
    const char *text = (const char *)node->data.scalar.value;
    size_t length = node->data.scalar.length;
    if (ag_load_scalar_equals(node, "true") || ag_load_scalar_equals(node, "false")
        || ag_load_scalar_equals(node, "null"))
        return true;

    /* A JSON number: only digits, sign, point and exponent characters. */
    if (length == 0)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (strchr("0123456789+-.eE", text[i]) == NULL || text[i] == '\0')
            return false;
    }
    return true;
}

/*
 * Checks that a node is written as JSON: strings in double quotes, objects
 * and arrays in braces and brackets, other scalars JSON literals.
 * NOTE: libyaml also accepts a trailing comma and `#` comments inside flow
 * collections, and this check cannot see them, so such a file loads.
 */
static ag_status check_json(struct load_context *context, const yaml_node_t *node,
                            unsigned depth)
{
    if (depth > SETTINGS_MAX_DEPTH)
        return ag_load_error(context, AG_ERR_LIMIT, node,
                             "the settings file nests deeper than %d levels; flatten it",
                             SETTINGS_MAX_DEPTH);

    switch (node->type) {
    case YAML_SCALAR_NODE:
        if (node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE || is_json_literal(node))
            return AG_OK;
        return ag_load_error(context, AG_ERR_YAML, node,
                             "invalid JSON: a string must be in double quotes");
    case YAML_SEQUENCE_NODE:
        if (node->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE)
            return ag_load_error(context, AG_ERR_YAML, node,
                                 "invalid JSON: an array must be written in [ ]");
        for (yaml_node_item_t *item = node->data.sequence.items.start;
             item < node->data.sequence.items.top; item++) {
            ag_status status = check_json(context, ag_load_node(context, *item), depth + 1);
            if (status != AG_OK)
                return status;
        }
        return AG_OK;
    case YAML_MAPPING_NODE:
        if (node->data.mapping.style != YAML_FLOW_MAPPING_STYLE)
            return ag_load_error(context, AG_ERR_YAML, node,
                                 "invalid JSON: an object must be written in { }");
        for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
             pair < node->data.mapping.pairs.top; pair++) {
            const yaml_node_t *key = ag_load_node(context, pair->key);
            if (key->type != YAML_SCALAR_NODE
                || key->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
                return ag_load_error(context, AG_ERR_YAML, key,
                                     "invalid JSON: an object key must be a string in double "
                                     "quotes");
            ag_status status = check_json(context, ag_load_node(context, pair->value),
                                          depth + 1);
            if (status != AG_OK)
                return status;
        }
        return AG_OK;
    default:
        return ag_load_error(context, AG_ERR_YAML, node, "invalid JSON value");
    }
}

/*
 * Rejects a key given twice in one object: JSON parsers disagree on which
 * copy wins, so the host and this library could read different rules.
 */
static ag_status check_duplicate(struct load_context *context, const yaml_node_t *mapping,
                                 const yaml_node_pair_t *pair)
{
    const yaml_node_t *key = ag_load_node(context, pair->key);
    for (const yaml_node_pair_t *other = mapping->data.mapping.pairs.start; other < pair;
         other++) {
        const yaml_node_t *earlier = ag_load_node(context, other->key);
        if (earlier->data.scalar.length == key->data.scalar.length
            && memcmp(earlier->data.scalar.value, key->data.scalar.value,
                      key->data.scalar.length) == 0)
            return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                                 "duplicate key \"%s\" (first at line %lu); merge the two "
                                 "into one", (const char *)key->data.scalar.value,
                                 (unsigned long)earlier->start_mark.line + 1);
    }
    return AG_OK;
}

static ag_status read_disable_bypass(struct load_context *context, const yaml_node_t *value)
{
    if (!ag_load_scalar_equals(value, "disable"))
        return ag_load_error(context, AG_ERR_POLICY_VALUE, value,
                             "\"disableBypassPermissionsMode\" accepts only \"disable\"");
    ag_load_settings(context)->disable_bypass = true;
    return AG_OK;
}

static ag_status read_permission(struct load_context *context, const yaml_node_t *key,
                                 const yaml_node_t *value)
{
    if (ag_load_scalar_equals(key, "allow"))
        return ag_load_rules(context, key, value, AG_ALLOW);
    if (ag_load_scalar_equals(key, "ask"))
        return ag_load_rules(context, key, value, AG_ASK);
    if (ag_load_scalar_equals(key, "deny"))
        return ag_load_rules(context, key, value, AG_DENY);
    if (ag_load_scalar_equals(key, "defaultMode"))
        return ag_model_read_mode(context, "defaultMode", value);
    if (ag_load_scalar_equals(key, "additionalDirectories"))
        return ag_load_directories(context, value);
    if (ag_load_scalar_equals(key, "disableBypassPermissionsMode"))
        return read_disable_bypass(context, value);
    return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                         "unknown key \"%s\" in \"permissions\"; accepted keys: "
                         PERMISSION_KEYS, (const char *)key->data.scalar.value);
}

static ag_status read_permissions(struct load_context *context, const yaml_node_t *node)
{
    if (node->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "\"permissions\" must be an object, such as "
                             "{\"deny\": [\"Read(./.env)\"]}");

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        ag_status status = check_duplicate(context, node, pair);
        if (status == AG_OK)
            status = read_permission(context, ag_load_node(context, pair->key),
                                     ag_load_node(context, pair->value));
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

ag_status ag_settings_read_root(struct load_context *context, const yaml_node_t *root)
{
    ag_status status = check_json(context, root, 0);
    if (status != AG_OK)
        return status;
    if (root->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, root,
                             "a settings file must be a JSON object, such as "
                             "{\"permissions\": {\"allow\": [\"Bash(git status)\"]}}");

    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        const yaml_node_t *key = ag_load_node(context, pair->key);
        const yaml_node_t *value = ag_load_node(context, pair->value);
        status = check_duplicate(context, root, pair);
        if (status == AG_OK && ag_load_scalar_equals(key, "permissions"))
            status = read_permissions(context, value);
        else if (status == AG_OK && ag_load_scalar_equals(key, "allowManagedPermissionRulesOnly"))
            status = ag_model_read_managed_only(context, "allowManagedPermissionRulesOnly", key,
                                                value);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}
