/*
 * The YAML loader's parts that the other readers of policy sources use:
 * model.c (the mode and layer keys) and settings.c (Claude Code settings
 * files, which are JSON and so parsed by the same libyaml machinery, keeping
 * FILE:LINE:COLUMN in errors and rule sources).
 */
#ifndef AG_POLICY_LOAD_INTERNAL_H
#define AG_POLICY_LOAD_INTERNAL_H

#include <yaml.h>

#include "policy/policy.h"

/* The state of one source being loaded; defined in load.c. */
struct load_context;

/* Returns the node with index `index` of the document being loaded. */
yaml_node_t *ag_load_node(struct load_context *context, int index);

/*
 * Returns the key of an earlier pair of `mapping` that equals the key of
 * `pair`, or NULL when there is none. The scan is quadratic, which the few
 * keys of a policy or settings mapping allow.
 */
const yaml_node_t *ag_load_earlier_key(struct load_context *context, const yaml_node_t *mapping,
                                      const yaml_node_pair_t *pair);

/* Returns what the source sets besides its rules, filled while it loads. */
ag_policy_settings *ag_load_settings(struct load_context *context);

/* Returns the 1-based location of `node` in the source. */
ag_source_location ag_load_location(struct load_context *context, const yaml_node_t *node);

/* Stores an error located at `node` and returns `code`. */
ag_status ag_load_error(struct load_context *context, ag_status code, const yaml_node_t *node,
                        const char *format, ...) AG_PRINTF(4, 5);

/* Returns the source's name (owned by the policy), as locations give it. */
const char *ag_load_name(struct load_context *context);

/* Returns the layer that the source is loaded in. */
ag_layer ag_load_layer(struct load_context *context);

/* Maximum length of a value that ag_load_describe_value() quotes before it cuts it. */
enum { AG_LOAD_VALUE_QUOTE_MAX = 40 };

/*
 * Writes into `buffer` how messages show an invalid value: a scalar in
 * double quotes (cut after AG_LOAD_VALUE_QUOTE_MAX bytes or where `buffer`
 * is full, control bytes as '?', invisible and space-like characters as
 * \uXXXX), or "(a list)" or "(a mapping)". Returns `buffer`, which needs room
 * for AG_LOAD_VALUE_QUOTE_MAX + 8 bytes to show a value without such characters.
 */
const char *ag_load_describe_value(const yaml_node_t *node, char *buffer, size_t size);

/* How messages show a mapping key: see ag_load_describe_key(). */
typedef struct ag_load_key_text {
    char text[160];    /* the key, cut at the size */
    char note[112];    /* "" or " (it contains ...)" */
} ag_load_key_text;

/*
 * Stores how messages show the key `key`: its text with invisible and
 * space-like characters written as \uXXXX and control bytes as \xHH. The
 * note names the first such character, because a key such as "\u200Bdeny"
 * looks like "deny" in an editor.
 */
void ag_load_describe_key(const yaml_node_t *key, ag_load_key_text *out);

/* Reads a sequence of rules with `decision`; `key` names the list in messages. */
ag_status ag_load_rules(struct load_context *context, const yaml_node_t *key,
                        const yaml_node_t *node, ag_decision decision);

/* Reads a sequence of additional working directories. */
ag_status ag_load_directories(struct load_context *context, const yaml_node_t *node);

/* Returns whether a scalar node's text is exactly `text`. */
bool ag_load_scalar_equals(const yaml_node_t *node, const char *text);

/* Returns whether a source named `name` is a settings file: its name ends in ".json". */
bool ag_load_is_settings_name(const char *name);

/*
 * Reads the policy model's keys of a YAML policy (model.c): `mode`,
 * `mode_locked` and `allow_managed_rules_only`. Sets *handled when `key` is
 * one of them.
 */
ag_status ag_model_read_entry(struct load_context *context, const yaml_node_t *key,
                              const yaml_node_t *value, bool *handled);

/* Reads a mode name; `name` is the key as written, for messages (model.c). */
ag_status ag_model_read_mode(struct load_context *context, const char *name,
                             const yaml_node_t *value);

/* Reads the flag that keeps only managed allow rules, under the key `name` (model.c). */
ag_status ag_model_read_managed_only(struct load_context *context, const char *name,
                                     const yaml_node_t *key, const yaml_node_t *value);

/* Returns the byte offset in the source text of a libyaml mark. */
size_t ag_load_mark_offset(struct load_context *context, yaml_mark_t mark);

/*
 * Stores in *masked a copy of the `length` bytes of a settings file that
 * passed ag_settings_check_syntax(), with the characters and escapes in
 * strings that libyaml reads differently from JSON replaced, or NULL when
 * there are none (settings.c). Returns AG_OK or AG_ERR_NOMEM. The caller
 * frees the copy with ag_free().
 */
ag_status ag_settings_mask_strings(const char *text, size_t length, char **masked);

/*
 * Decodes every double-quoted scalar of `document`, which libyaml read from
 * a masked copy, from the `length` bytes of the original text as JSON
 * defines its strings (settings.c).
 */
ag_status ag_settings_restore_strings(struct load_context *context, yaml_document_t *document,
                                      const char *original, size_t length);

/* Reads the root of a Claude Code settings file (settings.c). */
ag_status ag_settings_read_root(struct load_context *context, const yaml_node_t *root);

/*
 * Checks that `length` bytes of a settings file are strict JSON (settings.c).
 * Returns AG_OK, or AG_ERR_YAML (AG_ERR_LIMIT for too deep nesting) with the
 * byte offset of the error in *offset and the message in `message`.
 */
ag_status ag_settings_check_syntax(const char *text, size_t length, size_t *offset,
                                   char *message, size_t size);

#endif
