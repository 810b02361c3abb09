/*
 * Claude Code settings files (.claude/settings.json,
 * .claude/settings.local.json, managed-settings.json) read as policy
 * sources. The text is first checked to be strict JSON (RFC 8259). JSON is
 * then read as YAML's flow style, so libyaml parses it and errors and rule
 * sources keep FILE:LINE:COLUMN, and the strings are decoded again as JSON
 * defines them (see "strings as JSON" below).
 *
 * Keys read:
 *   permissions.allow, .ask, .deny      rule lists, as in a YAML policy
 *   permissions.defaultMode             the mode, as `mode:` in a YAML policy;
 *                                       "manual" and "auto" are read as "default"
 *   permissions.additionalDirectories   as `additional_directories:`
 *   permissions.disableBypassPermissionsMode: "disable"
 *                                       hosts cannot switch to bypassPermissions
 *   permissions.disableAutoMode: "disable"
 *                                       accepted and ignored: there is no auto mode
 *   allowManagedPermissionRulesOnly     as `allow_managed_rules_only:` in the
 *                                       managed layer; elsewhere ignored with a
 *                                       warning, as Claude Code ignores it
 * Other top-level keys are ignored, because a settings file contains much
 * more than permissions (hooks, env, model). A near miss of a key read
 * ("permission") and an unknown key inside "permissions" are errors
 * (AG_ERR_POLICY_KEY), because a misspelt "deny" would otherwise drop deny
 * rules without a word.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "policy/forms.h"
#include "core/invisible.h"
#include "policy/load_internal.h"

#define PERMISSION_KEYS \
    "allow, ask, deny, defaultMode, additionalDirectories, disableBypassPermissionsMode, " \
    "disableAutoMode"

/*
 * Deepest nesting of a settings file checked; deeper files are rejected. The
 * checks recurse once per level, so the limit bounds their stack use. Keys
 * the library ignores (`hooks`, `env`) may nest deeply, so it is well above
 * what Claude Code's own keys need.
 */
enum { SETTINGS_MAX_DEPTH = 256 };

/* Maximum length of an object key, quotes included, that libyaml 0.2.5 reads (a simple key). */
enum { SETTINGS_MAX_KEY = 1024 };

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
 * and arrays in braces and brackets, other scalars JSON literals. Text that
 * passed ag_settings_check_syntax() always passes; this check stays for the
 * nesting limit and as a second check against YAML-only syntax.
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
    const yaml_node_t *earlier = ag_load_earlier_key(context, mapping, pair);
    if (earlier == NULL)
        return AG_OK;

    const yaml_node_t *key = ag_load_node(context, pair->key);
    ag_source_location first = ag_load_location(context, earlier);
    return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                         "duplicate key \"%s\" (first at line %u, column %u); merge the "
                         "two into one", (const char *)key->data.scalar.value, first.line,
                         first.column);
}

/* Checks that a disable*Mode key is "disable", the one value Claude Code documents for it. */
static ag_status read_disable(struct load_context *context, const char *name,
                              const yaml_node_t *value)
{
    char shown[AG_LOAD_VALUE_QUOTE_MAX + 8];
    if (!ag_load_scalar_equals(value, "disable"))
        return ag_load_error(context, AG_ERR_POLICY_VALUE, value,
                             "invalid value %s for \"%s\"; it accepts only \"disable\"",
                             ag_load_describe_value(value, shown, sizeof(shown)), name);
    return AG_OK;
}

/*
 * Reads defaultMode. Claude Code 2.1.200 and later name the default mode
 * "manual" in the UI and accept it as an alias. "auto" hands what the rules
 * leave open to Claude Code's classifier model, which this library does not
 * have, so it is read as "default": what no rule decides asks.
 */
static ag_status read_default_mode(struct load_context *context, const yaml_node_t *value)
{
    ag_policy_settings *settings = ag_load_settings(context);
    if (ag_load_scalar_equals(value, "manual")) {
        settings->has_mode = true;
        settings->mode = AG_MODE_DEFAULT;
        return AG_OK;
    }
    if (ag_load_scalar_equals(value, "auto")) {
        settings->has_mode = true;
        settings->mode = AG_MODE_DEFAULT;
        return ag_forms_warn(context, value,
                             "\"defaultMode\": \"auto\" is read as \"default\": this library "
                             "has no classifier for what the rules leave open, so such calls "
                             "ask");
    }
    return ag_model_read_mode(context, "defaultMode", value);
}

static ag_status read_permission(struct load_context *context, const yaml_node_t *key,
                                 const yaml_node_t *value)
{
    /*
     * A null list would load as no rules, so a managed file with
     * "deny": null would drop its deny rules without a word.
     */
    if (ag_load_is_null(value)) {
        bool list = !ag_load_scalar_equals(key, "defaultMode")
                    && !ag_load_scalar_equals(key, "disableBypassPermissionsMode")
                    && !ag_load_scalar_equals(key, "disableAutoMode");
        return ag_load_error(context, AG_ERR_POLICY_VALUE, value,
                             "\"%s\" is null; %s or remove the key",
                             (const char *)key->data.scalar.value,
                             list ? "write [] for an empty list" : "give a value");
    }
    if (ag_load_scalar_equals(key, "allow"))
        return ag_load_rules(context, key, value, AG_ALLOW);
    if (ag_load_scalar_equals(key, "ask"))
        return ag_load_rules(context, key, value, AG_ASK);
    if (ag_load_scalar_equals(key, "deny"))
        return ag_load_rules(context, key, value, AG_DENY);
    if (ag_load_scalar_equals(key, "defaultMode"))
        return read_default_mode(context, value);
    if (ag_load_scalar_equals(key, "additionalDirectories"))
        return ag_load_directories(context, value);
    if (ag_load_scalar_equals(key, "disableBypassPermissionsMode")) {
        ag_status status = read_disable(context, "disableBypassPermissionsMode", value);
        ag_load_settings(context)->disable_bypass = status == AG_OK;
        return status;
    }
    /* There is no auto mode to disable: defaultMode "auto" is read as "default". */
    if (ag_load_scalar_equals(key, "disableAutoMode"))
        return read_disable(context, "disableAutoMode", value);
    ag_load_key_text shown;
    ag_load_describe_key(key, &shown);
    return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                         "unknown key \"%s\"%s in \"permissions\"; accepted keys: "
                         PERMISSION_KEYS, shown.text, shown.note);
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

/*
 * Returns the key that `key` is likely a misspelling of: a different case,
 * up to two letters added, dropped or changed ("permission",
 * "Permissions", "premissions"), or invisible and space-like characters
 * anywhere in it ("\uFEFFpermissions"), which an editor does not show.
 * Other top-level keys belong to other settings (hooks, env, model) and are
 * ignored, but a misspelt "permissions" would drop every rule of the file
 * without a word.
 */
static const char *misspelt_key(const yaml_node_t *key)
{
    static const char *const known[] = {"permissions", "allowManagedPermissionRulesOnly"};
    const char *text = (const char *)key->data.scalar.value;
    ag_buffer visible;
    ag_buffer_init(&visible);
    ag_invisible_strip(&visible, text, key->data.scalar.length);
    const char *compared = visible.failed ? text : visible.data;

    const char *meant = NULL;
    for (size_t i = 0; meant == NULL && i < sizeof(known) / sizeof(*known); i++) {
        if (strcmp(text, known[i]) != 0 && ag_edit_distance(compared, known[i], 2) <= 2)
            meant = known[i];
    }
    ag_buffer_release(&visible);
    return meant;
}

/*
 * Reads allowManagedPermissionRulesOnly. Claude Code reads the key only
 * from managed settings, and a project may ship it in its own file, where
 * it has no effect. So outside the managed layer it is ignored with a
 * warning rather than failing the load, which would block every call.
 */
static ag_status read_managed_only(struct load_context *context, const yaml_node_t *key,
                                   const yaml_node_t *value)
{
    ag_layer layer = ag_load_layer(context);
    if (layer == AG_LAYER_MANAGED)
        return ag_model_read_managed_only(context, "allowManagedPermissionRulesOnly", key, value);
    return ag_forms_warn(context, key,
                         "\"allowManagedPermissionRulesOnly\" is ignored in the %s layer, as "
                         "Claude Code ignores it outside managed settings; remove it, or load "
                         "the file as managed settings", ag_layer_name(layer));
}

static ag_status misspelt_key_error(struct load_context *context, const yaml_node_t *key,
                                    const char *meant)
{
    ag_load_key_text shown;
    ag_load_describe_key(key, &shown);
    return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                         "unknown key \"%s\"%s; did you mean \"%s\"?", shown.text, shown.note,
                         meant);
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
        const char *meant = key->type == YAML_SCALAR_NODE ? misspelt_key(key) : NULL;
        if (status == AG_OK && meant != NULL)
            status = misspelt_key_error(context, key, meant);
        else if (status == AG_OK && ag_load_scalar_equals(key, "permissions"))
            status = read_permissions(context, value);
        else if (status == AG_OK && ag_load_scalar_equals(key, "allowManagedPermissionRulesOnly"))
            status = read_managed_only(context, key, value);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* ------------------------------------------------------------ JSON syntax */

/*
 * A strict JSON syntax check, run on the text before libyaml reads it.
 * libyaml also accepts what JSON does not: trailing commas, `#` comments,
 * strings over several lines, numbers such as +1 and .5. Claude Code reports
 * such a file as invalid JSON and skips all of it, so loading it here would
 * give rules that the host does not apply. The check stops at the first
 * error, with the byte offset of the token at fault.
 */
typedef struct json_scanner {
    const char *text;
    size_t length;
    size_t offset;              /* the next byte to read */
    size_t error_offset;
    ag_status status;
    char *message;
    size_t size;
} json_scanner;

/* Maximum length of a token quoted in a message. */
enum { JSON_QUOTE_MAX = 40 };

static bool json_fail(json_scanner *scanner, ag_status status, size_t offset,
                      const char *format, ...) AG_PRINTF(4, 5);

static bool json_fail(json_scanner *scanner, ag_status status, size_t offset,
                      const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(scanner->message, scanner->size, format, args);
    va_end(args);
    scanner->status = status;
    scanner->error_offset = offset;
    return false;
}

static int json_peek(const json_scanner *scanner)
{
    if (scanner->offset >= scanner->length)
        return -1;
    return (unsigned char)scanner->text[scanner->offset];
}

/* Reports the byte at the current offset, or the end of the text, where `expected` should be. */
static bool json_unexpected(json_scanner *scanner, const char *expected)
{
    int c = json_peek(scanner);
    if (c < 0)
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: the text ends where %s is expected", expected);
    if (isgraph(c))
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: unexpected '%c' where %s is expected", c, expected);
    return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                     "invalid JSON: unexpected byte 0x%02X where %s is expected", (unsigned)c,
                     expected);
}

/* Skips JSON whitespace and reports a comment, which JSON does not have. */
static bool json_skip_space(json_scanner *scanner)
{
    while (scanner->offset < scanner->length) {
        char c = scanner->text[scanner->offset];
        char next = scanner->offset + 1 < scanner->length ? scanner->text[scanner->offset + 1]
                                                          : '\0';
        if (c == '#' || (c == '/' && (next == '/' || next == '*')))
            return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                             "invalid JSON: a comment; JSON has no comments, so remove it");
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        scanner->offset++;
    }
    return true;
}

/* Returns the length of the word or number at the offset: letters, digits and + - . _ $. */
static size_t json_token_length(const json_scanner *scanner)
{
    size_t end = scanner->offset;
    while (end < scanner->length) {
        char c = scanner->text[end];
        if (!isalnum((unsigned char)c) && c != '+' && c != '-' && c != '.' && c != '_'
            && c != '$')
            break;
        end++;
    }
    return end - scanner->offset;
}

/* Returns whether `length` bytes are a number by the JSON grammar. */
static bool is_json_number(const char *text, size_t length)
{
    size_t i = 0;
    if (i < length && text[i] == '-')
        i++;
    if (i < length && text[i] == '0') {
        i++;
    } else if (i < length && text[i] >= '1' && text[i] <= '9') {
        while (i < length && isdigit((unsigned char)text[i]))
            i++;
    } else {
        return false;
    }

    if (i < length && text[i] == '.') {
        size_t digits = ++i;
        while (i < length && isdigit((unsigned char)text[i]))
            i++;
        if (i == digits)
            return false;
    }
    if (i < length && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (i < length && (text[i] == '+' || text[i] == '-'))
            i++;
        size_t digits = i;
        while (i < length && isdigit((unsigned char)text[i]))
            i++;
        if (i == digits)
            return false;
    }
    return i == length;
}

/* Returns the value of the \uXXXX escape at `offset`, or -1 when it is not one. */
static long json_unicode_escape(const json_scanner *scanner, size_t offset)
{
    if (offset + 6 > scanner->length || scanner->text[offset] != '\\'
        || scanner->text[offset + 1] != 'u')
        return -1;
    long value = 0;
    for (size_t i = offset + 2; i < offset + 6; i++) {
        char c = scanner->text[i];
        if (!isxdigit((unsigned char)c))
            return -1;
        value = value << 4 | (isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return value;
}

/*
 * Scans a \uXXXX escape. A UTF-16 surrogate must come as a high one followed
 * by a low one (\uD83D\uDE00), which together give one character. A lone
 * surrogate is no character, so JSON parsers read it differently.
 */
static bool json_scan_unicode_escape(json_scanner *scanner)
{
    size_t start = scanner->offset;
    long value = json_unicode_escape(scanner, start);
    if (value < 0)
        return json_fail(scanner, AG_ERR_YAML, start,
                         "invalid JSON: '\\u' in a string must be followed by four hex digits");
    if (value >= 0xDC00 && value <= 0xDFFF)
        return json_fail(scanner, AG_ERR_YAML, start,
                         "invalid JSON: '\\u%04lX' is a lone UTF-16 low surrogate; write the "
                         "character itself or its high and low surrogates", value);
    if (value < 0xD800 || value > 0xDBFF) {
        scanner->offset += 6;
        return true;
    }

    long low = json_unicode_escape(scanner, start + 6);
    if (low < 0xDC00 || low > 0xDFFF)
        return json_fail(scanner, AG_ERR_YAML, start,
                         "invalid JSON: '\\u%04lX' is a UTF-16 high surrogate without a low "
                         "surrogate after it; write the character itself or both surrogates",
                         value);
    scanner->offset += 12;
    return true;
}

/* Scans one escape sequence; the offset is at its backslash. */
static bool json_scan_escape(json_scanner *scanner)
{
    size_t start = scanner->offset;
    char c = start + 1 < scanner->length ? scanner->text[start + 1] : '\0';
    if (c != '\0' && strchr("\"\\/bfnrt", c) != NULL) {
        scanner->offset += 2;
        return true;
    }
    if (c == 'u')
        return json_scan_unicode_escape(scanner);
    if (isgraph((unsigned char)c))
        return json_fail(scanner, AG_ERR_YAML, start,
                         "invalid JSON: the escape '\\%c' in a string; JSON accepts \\\" \\\\ "
                         "\\/ \\b \\f \\n \\r \\t and \\uXXXX", c);
    return json_fail(scanner, AG_ERR_YAML, start,
                     "invalid JSON: a '\\' in a string that starts no escape; write a "
                     "backslash as \\\\");
}

static bool json_scan_string(json_scanner *scanner)
{
    size_t start = scanner->offset++;
    while (scanner->offset < scanner->length) {
        unsigned char c = (unsigned char)scanner->text[scanner->offset];
        if (c == '"') {
            scanner->offset++;
            return true;
        }
        if (c < 0x20)
            return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                             "invalid JSON: the control character 0x%02X inside a string; "
                             "escape it, such as \\n for a line break", (unsigned)c);
        if (c == '\\' && !json_scan_escape(scanner))
            return false;
        if (c != '\\')
            scanner->offset++;
    }
    return json_fail(scanner, AG_ERR_YAML, start,
                     "invalid JSON: a string without its closing double quote");
}

/* Scans a number, true, false or null, and names anything else that is a word. */
static bool json_scan_literal(json_scanner *scanner)
{
    int c = json_peek(scanner);
    size_t length = json_token_length(scanner);
    const char *token = scanner->text + scanner->offset;
    int shown = length > JSON_QUOTE_MAX ? JSON_QUOTE_MAX : (int)length;
    if (length == 0)
        return json_unexpected(scanner, "a value");

    if (isdigit(c) || c == '-' || c == '+' || c == '.') {
        if (!is_json_number(token, length))
            return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                             "invalid JSON number '%.*s'; write a decimal number such as 10, "
                             "-1.5 or 2e3", shown, token);
    } else if (!(length == 4 && memcmp(token, "true", 4) == 0)
               && !(length == 5 && memcmp(token, "false", 5) == 0)
               && !(length == 4 && memcmp(token, "null", 4) == 0)) {
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: '%.*s' is not a JSON value; a string must be in double "
                         "quotes", shown, token);
    }
    scanner->offset += length;
    return true;
}

static bool json_scan_value(json_scanner *scanner, unsigned depth);

/* Scans an object key: a string in double quotes. */
static bool json_scan_key(json_scanner *scanner)
{
    int c = json_peek(scanner);
    size_t length = json_token_length(scanner);
    if (c == '"') {
        size_t start = scanner->offset;
        if (!json_scan_string(scanner))
            return false;
        /* libyaml reads a key as a simple key, which it limits to 1024 characters. */
        if (scanner->offset - start > SETTINGS_MAX_KEY)
            return json_fail(scanner, AG_ERR_YAML, start,
                             "an object key longer than %d bytes, which the settings reader "
                             "cannot read; shorten the key", SETTINGS_MAX_KEY);
        return true;
    }
    if (c == '\'')
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: an object key in single quotes; use double quotes");
    if (length > 0)
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: the object key '%.*s' must be a string in double "
                         "quotes", length > JSON_QUOTE_MAX ? JSON_QUOTE_MAX : (int)length,
                         scanner->text + scanner->offset);
    return json_unexpected(scanner, "an object key in double quotes");
}

/*
 * Scans the ',' or the closing bracket after an element of an array or
 * object. Sets *done at the closing bracket; a ',' right before it is a
 * trailing comma.
 */
static bool json_scan_separator(json_scanner *scanner, char close, const char *expected,
                                bool *done)
{
    if (!json_skip_space(scanner))
        return false;
    int c = json_peek(scanner);
    *done = c == close;
    if (*done) {
        scanner->offset++;
        return true;
    }
    if (c != ',')
        return json_unexpected(scanner, expected);

    size_t comma = scanner->offset++;
    if (!json_skip_space(scanner))
        return false;
    if (json_peek(scanner) == close)
        return json_fail(scanner, AG_ERR_YAML, comma,
                         "invalid JSON: a trailing comma before '%c'; remove the comma", close);
    return true;
}

static bool json_scan_object(json_scanner *scanner, unsigned depth)
{
    scanner->offset++;
    if (!json_skip_space(scanner))
        return false;
    if (json_peek(scanner) == '}') {
        scanner->offset++;
        return true;
    }

    for (bool done = false; !done;) {
        if (!json_scan_key(scanner) || !json_skip_space(scanner))
            return false;
        if (json_peek(scanner) != ':')
            return json_unexpected(scanner, "':' after the object key");
        scanner->offset++;
        if (!json_scan_value(scanner, depth + 1)
            || !json_scan_separator(scanner, '}', "',' or '}' after an object member", &done))
            return false;
    }
    return true;
}

static bool json_scan_array(json_scanner *scanner, unsigned depth)
{
    scanner->offset++;
    if (!json_skip_space(scanner))
        return false;
    if (json_peek(scanner) == ']') {
        scanner->offset++;
        return true;
    }

    for (bool done = false; !done;) {
        if (!json_scan_value(scanner, depth + 1)
            || !json_scan_separator(scanner, ']', "',' or ']' after an array element", &done))
            return false;
    }
    return true;
}

/* Scans one value at nesting `depth` (0 for the top-level value). */
static bool json_scan_value(json_scanner *scanner, unsigned depth)
{
    if (!json_skip_space(scanner))
        return false;
    if (depth > SETTINGS_MAX_DEPTH)
        return json_fail(scanner, AG_ERR_LIMIT, scanner->offset,
                         "the settings file nests deeper than %d levels; flatten it",
                         SETTINGS_MAX_DEPTH);

    switch (json_peek(scanner)) {
    case '{':
        return json_scan_object(scanner, depth);
    case '[':
        return json_scan_array(scanner, depth);
    case '"':
        return json_scan_string(scanner);
    case '\'':
        return json_fail(scanner, AG_ERR_YAML, scanner->offset,
                         "invalid JSON: a string in single quotes; use double quotes");
    default:
        return json_scan_literal(scanner);
    }
}

ag_status ag_settings_check_syntax(const char *text, size_t length, size_t *offset,
                                   char *message, size_t size)
{
    json_scanner scanner = {text, length, 0, 0, AG_OK, message, size};
    bool ok = json_skip_space(&scanner);

    /*
     * An empty file is no JSON. Taking it as a source without rules would
     * let a truncated managed settings file drop its deny rules unnoticed.
     */
    if (ok && scanner.offset == length) {
        json_fail(&scanner, AG_ERR_YAML, scanner.offset,
                  "invalid JSON: the file is empty; a settings file is one JSON object, "
                  "such as {} for no settings");
        ok = false;
    }
    ok = ok && json_scan_value(&scanner, 0) && json_skip_space(&scanner);
    if (ok && scanner.offset < length)
        json_fail(&scanner, AG_ERR_YAML, scanner.offset,
                  "invalid JSON: text after the end of the top-level value; a settings file "
                  "is one JSON object");
    *offset = scanner.error_offset;
    return scanner.status;
}

/* ------------------------------------------------------ strings as JSON */

/*
 * libyaml 0.2.5 reads some JSON strings differently from a JSON parser. It
 * folds a raw NEL (U+0085), LINE SEPARATOR or PARAGRAPH SEPARATOR into a
 * line break or a space. It rejects a raw DEL, C1 control, U+FFFE or U+FFFF,
 * and an escaped surrogate pair. Outside strings, it rejects a tab that starts
 * a line outside the top-level object, such as before its '{' or on a blank
 * line after its '}', where JSON allows any whitespace. So libyaml reads a
 * masked copy, in which each such character or escape is replaced by one
 * that libyaml accepts as it is (a space for a tab), with the same byte
 * length, number of characters and decoded length.
 * The copy keeps every line and column, and ag_settings_restore_strings()
 * then decodes the strings from the original.
 */

/* Replaces `length` bytes at `offset` of the copy, which is made on the first change. */
static bool mask_bytes(const char *text, size_t text_length, char **masked, size_t offset,
                       const char *replacement, size_t length)
{
    if (*masked == NULL) {
        *masked = ag_malloc(text_length + 1);
        if (*masked == NULL)
            return false;
        memcpy(*masked, text, text_length);
        (*masked)[text_length] = '\0';
    }
    memcpy(*masked + offset, replacement, length);
    return true;
}

/*
 * Returns the replacement for the raw character at `p` (`left` bytes remain)
 * that libyaml would not read as JSON does, and its byte length in *length,
 * or NULL.
 */
static const char *raw_replacement(const unsigned char *p, size_t left, size_t *length)
{
    if (p[0] == 0x7F) {
        *length = 1;
        return "?";
    }
    if (left >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
        *length = 2;
        return "\xC2\xA0";    /* NO-BREAK SPACE for NEL and the C1 controls */
    }
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
        *length = 3;
        return "\xE2\x80\xAF";    /* NARROW NO-BREAK SPACE */
    }
    if (left >= 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
        *length = 3;
        return "\xEF\xBF\xBD";    /* REPLACEMENT CHARACTER */
    }
    return NULL;
}

ag_status ag_settings_mask_strings(const char *text, size_t length, char **masked)
{
    *masked = NULL;
    json_scanner scanner = {text, length, 0, 0, AG_OK, NULL, 0};
    bool in_string = false;
    for (size_t i = 0; i < length;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t width = 1;
        const char *replacement = NULL;
        if (!in_string) {
            in_string = p[0] == '"';
            /* The JSON check rejects a raw tab inside a string, so every tab here is whitespace. */
            if (p[0] == '\t')
                replacement = " ";
        } else if (p[0] == '"') {
            in_string = false;
        } else if (p[0] == '\\') {
            long value = json_unicode_escape(&scanner, i);
            width = value < 0 ? 2 : 6;
            if (value >= 0xD800 && value <= 0xDBFF) {
                /* Two escapes of 2-byte characters decode to 4 bytes, as the pair does. */
                width = 12;
                replacement = "\\u07FF\\u07FF";
            }
        } else {
            replacement = raw_replacement(p, length - i, &width);
            if (replacement == NULL)
                width = 1;
        }
        if (replacement != NULL && !mask_bytes(text, length, masked, i, replacement, width))
            return AG_ERR_NOMEM;
        i += width;
    }
    return AG_OK;
}

/* Returns the length of the raw JSON string that starts after the quote at `text`. */
static size_t raw_string_length(const char *text, size_t left)
{
    size_t i = 0;
    while (i < left && text[i] != '"')
        i += text[i] == '\\' ? 2 : 1;
    return i < left ? i : left;
}

ag_status ag_settings_restore_strings(struct load_context *context, yaml_document_t *document,
                                      const char *original, size_t length)
{
    for (yaml_node_t *node = document->nodes.start; node < document->nodes.top; node++) {
        if (node->type != YAML_SCALAR_NODE
            || node->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            continue;
        size_t offset = ag_load_mark_offset(context, node->start_mark);
        if (offset >= length || original[offset] != '"')
            return ag_load_error(context, AG_ERR_INTERNAL, node,
                                 "internal error: the string was not found in the file");
        size_t raw = raw_string_length(original + offset + 1, length - offset - 1);

        /* Decode where libyaml's value can take it: a masked string decodes to as many bytes. */
        char *decoded = ag_malloc(raw + 1);
        if (decoded == NULL)
            return ag_load_error(context, AG_ERR_NOMEM, node, "out of memory");
        size_t decoded_length = ag_json_decode_validated(original + offset + 1, raw, decoded);
        bool fits = decoded_length == node->data.scalar.length;
        if (fits)
            memcpy(node->data.scalar.value, decoded, decoded_length);
        ag_free(decoded);
        if (!fits)
            return ag_load_error(context, AG_ERR_INTERNAL, node,
                                 "internal error: a string decoded to another length");
    }
    return AG_OK;
}
