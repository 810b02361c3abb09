/*
 * Loading one YAML policy source (the format is described in policy.h) with
 * libyaml's document API. Locations in errors and rule sources are 1-based;
 * columns count bytes, while libyaml counts characters, so marks are
 * converted against the source text.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "policy/forms.h"
#include "core/invisible.h"
#include "policy/load_internal.h"
#include "policy/model.h"
#include "policy/policy.h"
#include "rules/paths.h"

#define ACCEPTED_KEYS "default, allow, ask, deny, limits, additional_directories, mode, mode_locked, allow_managed_rules_only, primary_fields, tests"
#define ACCEPTED_LIMITS "max_input_bytes, max_depth, max_commands, timeout_ms"

/*
 * Deepest nesting of sequences and mappings in a YAML policy, the same as for
 * settings files. A policy's own keys need three levels, and a test's
 * `tool_input` mapping rarely needs more than a few, so the limit only stops
 * generated or hostile files.
 */
enum { POLICY_MAX_DEPTH = 256 };

typedef struct load_context {
    ag_policy *policy;
    ag_policy_settings *settings;
    ag_error **error;
    const char *name;            /* owned by policy->files */
    const char *directory;       /* owned by policy->directories; NULL when not a file */
    const char *anchor;          /* where `/path` rules start, the source's anchor or directory */
    ag_layer layer;
    const char *text;
    size_t length;
    size_t skipped;              /* bytes of a UTF-8 byte order mark that libyaml is not given */
    yaml_document_t *document;

    /* Start of the line last looked up, so document-order lookups stay linear. */
    size_t cursor_line;
    size_t cursor_offset;

    /* The last column looked up on that line, for the same reason: a flow
     * sequence can put thousands of rules on one line. */
    size_t column_line;
    size_t column_characters;
    size_t column_offset;
} load_context;

/* ------------------------------------------------------------ locations */

/* Returns the length of the line break at `offset` as libyaml counts breaks, or 0. */
static size_t line_break_length(const load_context *context, size_t offset)
{
    const unsigned char *text = (const unsigned char *)context->text;
    size_t left = context->length - offset;

    if (text[offset] == '\r')
        return left >= 2 && text[offset + 1] == '\n' ? 2 : 1;
    if (text[offset] == '\n')
        return 1;
    if (left >= 2 && text[offset] == 0xC2 && text[offset + 1] == 0x85)
        return 2;
    if (left >= 3 && text[offset] == 0xE2 && text[offset + 1] == 0x80
        && (text[offset + 2] == 0xA8 || text[offset + 2] == 0xA9))
        return 3;
    return 0;
}

/* Returns the byte offset where 0-based `line` starts. */
static size_t line_start(load_context *context, size_t line)
{
    if (line < context->cursor_line) {
        context->cursor_line = 0;
        context->cursor_offset = 0;
    }

    size_t offset = context->cursor_offset;
    size_t current = context->cursor_line;
    while (current < line && offset < context->length) {
        size_t width = line_break_length(context, offset);
        offset += width > 0 ? width : 1;
        if (width > 0)
            current++;
    }
    context->cursor_line = current;
    context->cursor_offset = offset;
    return offset;
}

static size_t utf8_width(unsigned char lead)
{
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

/* Converts a libyaml mark (0-based line, column in characters) to a 1-based byte column. */
static unsigned mark_column(load_context *context, yaml_mark_t mark)
{
    size_t start = line_start(context, mark.line);
    size_t offset = start;
    size_t characters = 0;
    if (mark.line == 0)
        offset += context->skipped;    /* libyaml never saw the byte order mark */

    bool same_line = context->column_offset >= offset && context->column_line == mark.line;
    if (same_line && context->column_characters <= mark.column) {
        characters = context->column_characters;
        offset = context->column_offset;
    }
    for (; characters < mark.column && offset < context->length; characters++)
        offset += utf8_width((unsigned char)context->text[offset]);

    context->column_line = mark.line;
    context->column_characters = characters;
    context->column_offset = offset;
    return (unsigned)(offset - start + 1);
}

size_t ag_load_mark_offset(load_context *context, yaml_mark_t mark)
{
    size_t start = line_start(context, mark.line);
    return start + mark_column(context, mark) - 1;
}

static ag_source_location node_location(load_context *context, const yaml_node_t *node)
{
    ag_source_location location = {
        context->name, (unsigned)node->start_mark.line + 1,
        mark_column(context, node->start_mark)
    };
    return location;
}

/* Stores an error located at `node` and returns `code`. */
static ag_status node_error(load_context *context, ag_status code, const yaml_node_t *node,
                            const char *format, ...) AG_PRINTF(4, 5);

static ag_status node_error(load_context *context, ag_status code, const yaml_node_t *node,
                            const char *format, ...)
{
    if (context->error == NULL)
        return code;
    ag_source_location location = node_location(context, node);
    va_list args;
    va_start(args, format);
    *context->error = ag_error_newv(code, location.file, location.line, location.column,
                                    format, args);
    va_end(args);
    return code;
}

/* Converts a byte offset into the source text to a 1-based line and byte column. */
static void offset_location(const load_context *context, size_t offset, unsigned *line,
                            unsigned *column)
{
    if (offset > context->length)
        offset = context->length;
    size_t start = 0;
    size_t current = 0;
    for (size_t i = 0; i < offset;) {
        size_t width = line_break_length(context, i);
        i += width > 0 ? width : 1;
        if (width > 0 && i <= offset) {
            current++;
            start = i;
        }
    }
    *line = (unsigned)current + 1;
    *column = (unsigned)(offset - start + 1);
}

/* ------------------------------------------------------------- YAML errors */

/*
 * Returns whether the byte at `mark` is a tab. libyaml reports a tab that indents as
 * "found character that cannot start any token", and editors show the tab as spaces,
 * so the message alone would not show the cause.
 */
static bool is_tab_at(load_context *context, yaml_mark_t mark)
{
    size_t offset = ag_load_mark_offset(context, mark);
    return offset < context->length && context->text[offset] == '\t';
}

/*
 * Returns whether libyaml failed on an alias: an unquoted value that starts with '*',
 * such as the rule `*` or the `*)` that YAML splits off `Bash(git commit -m: *)`.
 */
static bool is_alias_error(const yaml_parser_t *parser)
{
    bool scanning = parser->context != NULL
        && strcmp(parser->context, "while scanning an alias") == 0;
    bool undefined = parser->problem != NULL
        && strcmp(parser->problem, "found undefined alias") == 0;
    return scanning || undefined;
}

static ag_status yaml_error(load_context *context, const yaml_parser_t *parser)
{
    if (parser->error == YAML_MEMORY_ERROR)
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    unsigned line = 0;
    unsigned column = 0;
    if (parser->error == YAML_READER_ERROR) {
        /* Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark. */
        offset_location(context, context->skipped + parser->problem_offset, &line, &column);
    } else {
        line = (unsigned)parser->problem_mark.line + 1;
        column = mark_column(context, parser->problem_mark);
    }

    const char *problem = parser->problem != NULL ? parser->problem : "unknown problem";
    /* Settings files are JSON, which libyaml parses as YAML's flow style. */
    const char *format = ag_load_is_settings_name(context->name) ? "JSON" : "YAML";

    if (parser->error == YAML_SCANNER_ERROR && !ag_load_is_settings_name(context->name)
        && is_tab_at(context, parser->problem_mark))
        return ag_error_set(context->error, AG_ERR_YAML, context->name, line, column,
                            "invalid YAML: a tab here; YAML indents with spaces only, so "
                            "replace the tab with spaces");
    if (!ag_load_is_settings_name(context->name) && is_alias_error(parser))
        return ag_error_set(context->error, AG_ERR_YAML, context->name, line, column,
                            "invalid YAML: YAML reads an unquoted value that starts with '*' "
                            "as an alias; quote the whole rule, as in \"*\" or "
                            "\"Bash(git commit -m: *)\"");
    if (parser->context != NULL)
        return ag_error_set(context->error, AG_ERR_YAML, context->name, line, column,
                            "invalid %s %s: %s; fix the syntax here", format, parser->context,
                            problem);
    return ag_error_set(context->error, AG_ERR_YAML, context->name, line, column,
                        "invalid %s: %s; fix the syntax here", format, problem);
}

/* ---------------------------------------------------------------- values */

static bool scalar_equals(const yaml_node_t *node, const char *text)
{
    size_t length = strlen(text);
    return node->data.scalar.length == length
        && memcmp(node->data.scalar.value, text, length) == 0;
}

/* Returns whether `node` is YAML's null: an empty value, `~` or `null`. */
static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return node->data.scalar.length == 0 || scalar_equals(node, "~")
        || scalar_equals(node, "null") || scalar_equals(node, "Null")
        || scalar_equals(node, "NULL");
}

/* Returns the scalar's text, which a NUL byte would silently cut, or NULL when it has one. */
static const char *scalar_text(const yaml_node_t *node)
{
    const char *value = (const char *)node->data.scalar.value;
    if (memchr(value, '\0', node->data.scalar.length) != NULL)
        return NULL;
    return value;
}

static ag_status read_default(load_context *context, const yaml_node_t *node)
{
    static const char *const names[] = {"allow", "ask", "deny"};
    static const ag_decision decisions[] = {AG_ALLOW, AG_ASK, AG_DENY};

    if (node->type == YAML_SCALAR_NODE) {
        for (size_t i = 0; i < 3; i++) {
            if (scalar_equals(node, names[i])) {
                context->settings->has_default = true;
                context->settings->default_decision = decisions[i];
                return AG_OK;
            }
        }
    }
    char shown[AG_LOAD_VALUE_QUOTE_MAX + 8];
    return node_error(context, AG_ERR_POLICY_VALUE, node,
                      "invalid value %s for 'default'; use allow, ask or deny",
                      ag_load_describe_value(node, shown, sizeof(shown)));
}

/* Appends one rule to the policy, growing the array to the next power of two. */
static ag_status append_rule(load_context *context, const ag_rule *rule)
{
    ag_policy *policy = context->policy;
    size_t count = policy->rule_count;
    bool full = count == 0 || (count >= 8 && (count & (count - 1)) == 0);
    if (full) {
        size_t capacity = count == 0 ? 8 : count * 2;
        ag_rule *rules = ag_realloc(policy->rules, capacity * sizeof(*rules));
        if (rules == NULL)
            return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        policy->rules = rules;
    }
    policy->rules[policy->rule_count++] = *rule;
    return AG_OK;
}

/*
 * Rejects a WebFetch(domain:...) rule whose address pattern no host can match
 * (host.c gives the reason), because a deny rule that never matches protects nothing.
 * Clears the rule when it is rejected.
 */
static ag_status check_domain_pattern(load_context *context, ag_rule *rule)
{
    char advice[160];
    const char *problem = ag_host_pattern_problem(rule->domain, advice, sizeof(advice));
    if (problem == NULL)
        return AG_OK;
    ag_status status = ag_error_set(context->error, AG_ERR_RULE, rule->location.file,
                                    rule->location.line, rule->location.column,
                                    "invalid rule \"%s\": %s; %s", rule->text, problem, advice);
    ag_rule_clear(rule);
    return status;
}

/*
 * Returns "null", "boolean" or "number" when an unquoted scalar is a YAML
 * value of that type (`null`, `true`, `5`, `-1.5`), else NULL. A list of
 * rules would take such a value for a rule named by its text: `deny: [5]`
 * would load one rule for a tool "5".
 */
static const char *typed_literal(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    if (is_null(node))
        return "null";
    const char *text = (const char *)node->data.scalar.value;
    if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0)
        return "boolean";

    size_t sign = text[0] == '-' || text[0] == '+' ? 1 : 0;
    bool number = isdigit((unsigned char)text[sign])
                  && strspn(text + sign, "0123456789.eE+-_") == strlen(text + sign);
    return number ? "number" : NULL;
}

/* Rejects a rule with a NUL byte, quoted as other rule errors quote a rule. */
static ag_status nul_rule_error(load_context *context, const yaml_node_t *node)
{
    const char *text = (const char *)node->data.scalar.value;
    size_t length = node->data.scalar.length;
    size_t offset = (size_t)((const char *)memchr(text, '\0', length) - text);
    ag_buffer quoted;
    ag_buffer_init(&quoted);
    ag_rule_quote(&quoted, text, length);
    if (quoted.failed) {
        ag_buffer_release(&quoted);
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }

    ag_status status = node_error(context, AG_ERR_RULE, node,
                                  "invalid rule \"%s\": it contains a NUL byte at byte %zu; "
                                  "remove it", quoted.data, offset);
    ag_buffer_release(&quoted);
    return status;
}

/*
 * Rejects a deny or ask rule that contains an invisible or space-like
 * character, such as the no-break space in "Bash(rm\u00A0*)". It looks like
 * another rule in an editor but matches only text with that same character,
 * so it would protect nothing. An allow rule only gets a warning (forms.c),
 * because such a rule can only allow less than it seems to. Clears the rule
 * when it is rejected.
 */
static ag_status check_invisible(load_context *context, const yaml_node_t *node,
                                 ag_rule *rule)
{
    ag_invisible found;
    size_t length = strlen(rule->text);
    if (rule->decision == AG_ALLOW || !ag_invisible_find(rule->text, length, &found))
        return AG_OK;

    ag_buffer quoted;
    ag_buffer_init(&quoted);
    ag_rule_quote(&quoted, rule->text, length);
    ag_status status = quoted.failed
        ? ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory")
        : node_error(context, AG_ERR_RULE, node,
                     "invalid rule \"%s\": the %s rule contains the invisible or space-like "
                     "character U+%04X at byte %zu, so it matches only text with that same "
                     "character and never the text it looks like; write a plain space or "
                     "remove the character", quoted.data, ag_decision_name(rule->decision),
                     (unsigned)found.code_point, found.offset);
    ag_buffer_release(&quoted);
    ag_rule_clear(rule);
    return status;
}

static ag_status read_rule(load_context *context, const yaml_node_t *node, ag_decision decision)
{
    /* A mapping {rule: ..., examples: ...} carries examples checked at build (forms.c). */
    const yaml_node_t *examples = NULL;
    if (node->type == YAML_MAPPING_NODE) {
        ag_status status = ag_forms_rule_mapping(context, node, &node, &examples);
        if (status != AG_OK)
            return status;
    }
    if (node->type != YAML_SCALAR_NODE)
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "a rule must be a string such as \"Bash(git status)\"; quote a rule "
                          "that contains ': ' or ' #' so YAML reads it as one string");
    const char *literal = typed_literal(node);
    if (literal != NULL)
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "a rule must be a string such as \"Bash(git status)\", not a %s; "
                          "quote it if it is meant as a rule", literal);
    const char *text = scalar_text(node);
    if (text == NULL)
        return nul_rule_error(context, node);

    ag_rule rule;
    /* JIT waits for the builder, which compiles only the rules that a build keeps. */
    ag_status status = ag_rule_parse_unjitted(text, decision, node_location(context, node),
                                              &rule, context->error);
    if (status == AG_OK && ag_rule_is_domain(&rule))
        status = check_domain_pattern(context, &rule);
    if (status == AG_OK)
        status = check_invisible(context, node, &rule);
    if (status != AG_OK)
        return status;
    rule.policy_directory = context->anchor;
    status = append_rule(context, &rule);
    if (status != AG_OK) {
        ag_rule_clear(&rule);
        return status;
    }
    return ag_forms_rule_added(context, context->policy->rule_count - 1, examples);
}

static ag_status read_rules(load_context *context, const yaml_node_t *key,
                            const yaml_node_t *node, ag_decision decision)
{
    if (is_null(node))
        return AG_OK;
    const char *name = (const char *)key->data.scalar.value;
    if (node->type != YAML_SEQUENCE_NODE && ag_load_is_settings_name(context->name))
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "'%s' must be a list of rules, such as \"%s\": [\"Bash(git status)\"]",
                          name, name);
    if (node->type != YAML_SEQUENCE_NODE)
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "'%s' must be a list of rules, such as %s: [\"Bash(git status)\"]",
                          name, name);

    for (yaml_node_item_t *item = node->data.sequence.items.start;
         item < node->data.sequence.items.top; item++) {
        ag_status status = read_rule(context, yaml_document_get_node(context->document, *item),
                                     decision);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* ---------------------------------------------------------------- limits */

/* Parses a non-negative decimal integer no larger than `max`. */
static bool parse_count(const yaml_node_t *node, uint64_t max, uint64_t *out)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE
        || node->data.scalar.length == 0)
        return false;

    uint64_t value = 0;
    for (size_t i = 0; i < node->data.scalar.length; i++) {
        unsigned char c = node->data.scalar.value[i];
        if (c < '0' || c > '9')
            return false;
        uint64_t digit = (uint64_t)(c - '0');
        if (value > (max - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

static ag_status read_limit(load_context *context, const yaml_node_t *key,
                            const yaml_node_t *value)
{
    ag_shell_limits *limits = &context->settings->limits;
    static const char *const names[] = {"max_input_bytes", "max_depth", "max_commands",
                                        "timeout_ms"};
    const uint64_t maxima[] = {SIZE_MAX, UINT_MAX, SIZE_MAX, UINT64_MAX / 1000};

    size_t index = 0;
    while (index < 4 && !scalar_equals(key, names[index]))
        index++;
    if (index == 4) {
        ag_load_key_text shown;
        ag_load_describe_key(key, &shown);
        return node_error(context, AG_ERR_POLICY_KEY, key,
                          "unknown key '%s'%s in 'limits'; accepted keys: " ACCEPTED_LIMITS,
                          shown.text, shown.note);
    }

    uint64_t number = 0;
    if (!parse_count(value, maxima[index], &number))
        return node_error(context, AG_ERR_POLICY_VALUE, value,
                          "'limits.%s' must be a non-negative integer of at most %llu, "
                          "written without quotes", names[index],
                          (unsigned long long)maxima[index]);

    switch (index) {
    case 0: limits->max_input_bytes = (size_t)number; break;
    case 1: limits->max_depth = (unsigned)number; break;
    case 2: limits->max_commands = (size_t)number; break;
    default: limits->timeout_micros = number * 1000; break;
    }
    return AG_OK;
}

const yaml_node_t *ag_load_earlier_key(struct load_context *context, const yaml_node_t *mapping,
                                      const yaml_node_pair_t *pair)
{
    const yaml_node_t *key = yaml_document_get_node(context->document, pair->key);
    for (const yaml_node_pair_t *other = mapping->data.mapping.pairs.start; other < pair;
         other++) {
        const yaml_node_t *earlier = yaml_document_get_node(context->document, other->key);
        if (earlier->type == YAML_SCALAR_NODE
            && earlier->data.scalar.length == key->data.scalar.length
            && memcmp(earlier->data.scalar.value, key->data.scalar.value,
                      key->data.scalar.length) == 0)
            return earlier;
    }
    return NULL;
}

/*
 * Checks that a mapping key is a scalar not seen before in the same mapping.
 * Mappings here have at most a handful of keys, so the quadratic scan is fine.
 */
static ag_status check_key(load_context *context, const yaml_node_t *mapping,
                           const yaml_node_pair_t *pair)
{
    const yaml_node_t *key = yaml_document_get_node(context->document, pair->key);
    if (key->type != YAML_SCALAR_NODE || scalar_text(key) == NULL)
        return node_error(context, AG_ERR_POLICY_KEY, key,
                          "a key must be a plain name; accepted keys: " ACCEPTED_KEYS);

    const yaml_node_t *earlier = ag_load_earlier_key(context, mapping, pair);
    if (earlier == NULL)
        return AG_OK;

    ag_source_location first = node_location(context, earlier);
    return node_error(context, AG_ERR_POLICY_KEY, key,
                      "duplicate key '%s' (first at line %u, column %u); merge the two "
                      "into one", (const char *)key->data.scalar.value, first.line,
                      first.column);
}

static ag_status read_limits(load_context *context, const yaml_node_t *node)
{
    if (is_null(node))
        return AG_OK;
    if (node->type != YAML_MAPPING_NODE)
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "'limits' must be a mapping, such as limits: {max_depth: 100}");

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        ag_status status = check_key(context, node, pair);
        if (status == AG_OK)
            status = read_limit(context, yaml_document_get_node(context->document, pair->key),
                                yaml_document_get_node(context->document, pair->value));
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* ------------------------------------------------- additional directories */

static ag_status append_directory(load_context *context, const char *path)
{
    ag_policy *policy = context->policy;
    ag_policy_directory *entries = ag_realloc(
        policy->additional_directories,
        (policy->additional_directory_count + 1) * sizeof(*entries));
    if (entries == NULL)
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    policy->additional_directories = entries;

    char *copy = ag_strdup(path);
    if (copy == NULL)
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    bool from_tree = ag_layer_from_working_tree(context->layer);
    entries[policy->additional_directory_count++] = (ag_policy_directory){
        copy, context->directory, from_tree, from_tree ? context->anchor : NULL};
    return AG_OK;
}

/*
 * Warns about an additional directory of a project or local_project source
 * that lies outside the source's project root, as written or where it leads
 * through links. At check time such an entry covers only paths below the
 * root (ag_checker_in_working_directories()), which may be none, and an
 * entry of a source with no file covers none.
 * TODO(directories): a "~" entry is not checked, because the home is known
 * only at check time.
 */
static ag_status warn_outside_project(load_context *context, const yaml_node_t *entry,
                                      const char *path)
{
    const char *root = context->anchor;
    if (!ag_layer_from_working_tree(context->layer))
        return AG_OK;
    if (root == NULL)
        return ag_forms_warn(context, entry,
                             "the additional directory \"%s\" is ignored in the %s layer, "
                             "because a source given as a string has no project root to keep "
                             "it in; load the settings from their file, or add the directory "
                             "in the user settings", path, ag_layer_name(context->layer));
    if (root[0] != '/' || path[0] == '~')
        return AG_OK;

    ag_arena arena;
    ag_arena_init(&arena);
    ag_path_context base = {context->directory, NULL, NULL, NULL};
    const char *directory = ag_path_normalize(&arena, &base, path, strlen(path));
    const char *real = NULL;
    const char *real_root = NULL;
    if (directory != NULL && directory[0] == '/' && ag_path_is_within(directory, root)) {
        real = ag_path_resolve(&arena, NULL, directory);
        real_root = ag_path_resolve(&arena, NULL, root);
        if (real == NULL || real_root == NULL || ag_path_is_within(real, real_root))
            directory = NULL;
    }

    ag_status status = AG_OK;
    if (directory != NULL && directory[0] == '/') {
        const char *place = real != NULL ? real : directory;
        const char *place_root = real != NULL ? real_root : root;
        const char *effect = ag_path_is_within(place_root, place)
                                 ? "counts only below the project root"
                                 : "is ignored";
        status = ag_forms_warn(context, entry,
                               "the additional directory \"%s\" %s %s, outside the project "
                               "root %s, so in the %s layer it %s, because a working tree can "
                               "come from anyone; add it in the user settings instead",
                               path, real != NULL ? "leads through a symbolic link to" : "is",
                               place, place_root, ag_layer_name(context->layer), effect);
    }
    ag_arena_release(&arena);
    return status;
}

static ag_status read_directories(load_context *context, const yaml_node_t *node)
{
    if (is_null(node))
        return AG_OK;
    if (node->type != YAML_SEQUENCE_NODE)
        return node_error(context, AG_ERR_POLICY_VALUE, node,
                          "'additional_directories' must be a list of paths, such as "
                          "additional_directories: [\"../shared\", \"~/notes\"]");

    for (yaml_node_item_t *item = node->data.sequence.items.start;
         item < node->data.sequence.items.top; item++) {
        const yaml_node_t *entry = yaml_document_get_node(context->document, *item);
        const char *literal = typed_literal(entry);
        if (literal != NULL)
            return node_error(context, AG_ERR_POLICY_VALUE, entry,
                              "an additional directory must be a path string, not a %s; quote "
                              "it if it is meant as a directory name", literal);
        const char *path = entry->type == YAML_SCALAR_NODE ? scalar_text(entry) : NULL;
        if (path == NULL || path[0] == '\0')
            return node_error(context, AG_ERR_POLICY_VALUE, entry,
                              "an additional directory must be a non-empty path string "
                              "without NUL bytes, such as \"../shared\"");
        if (path[0] == '~' && path[1] != '\0' && path[1] != '/')
            return node_error(context, AG_ERR_POLICY_VALUE, entry,
                              "\"~user\" paths are not supported; write the absolute path");
        ag_status status = append_directory(context, path);
        if (status == AG_OK)
            status = warn_outside_project(context, entry, path);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* ------------------------------------------------------------------ root */

static ag_status read_entry(load_context *context, const yaml_node_t *key,
                            const yaml_node_t *value)
{
    if (scalar_equals(key, "default"))
        return read_default(context, value);
    if (scalar_equals(key, "allow"))
        return read_rules(context, key, value, AG_ALLOW);
    if (scalar_equals(key, "ask"))
        return read_rules(context, key, value, AG_ASK);
    if (scalar_equals(key, "deny"))
        return read_rules(context, key, value, AG_DENY);
    if (scalar_equals(key, "limits"))
        return read_limits(context, value);
    if (scalar_equals(key, "additional_directories"))
        return read_directories(context, value);

    bool handled = false;
    ag_status status = ag_model_read_entry(context, key, value, &handled);
    if (handled)
        return status;
    status = ag_forms_read_entry(context, key, value, &handled);
    if (handled)
        return status;
    ag_load_key_text shown;
    ag_load_describe_key(key, &shown);
    return node_error(context, AG_ERR_POLICY_KEY, key,
                      "unknown key '%s'%s; accepted keys: " ACCEPTED_KEYS, shown.text,
                      shown.note);
}

static ag_status read_root(load_context *context)
{
    const yaml_node_t *root = yaml_document_get_root_node(context->document);
    /* A settings file of JSON `null` is no object; its syntax check rejects an empty one. */
    if (root != NULL && ag_load_is_settings_name(context->name))
        return ag_settings_read_root(context, root);
    /*
     * An empty or comment-only source stays a valid policy with no rules,
     * because hosts build policies from an empty string. A file that was cut
     * to nothing would drop its deny rules unnoticed, so it gets a warning.
     */
    if (root == NULL || (is_null(root) && root->data.scalar.length == 0))
        return ag_forms_warn(context, NULL,
                             "the policy is empty, so it has no rules; if the file was cut "
                             "short, restore it, and for a policy that is meant to be empty, "
                             "write default: ask");
    if (is_null(root))
        return AG_OK;
    if (root->type != YAML_MAPPING_NODE)
        return node_error(context, AG_ERR_POLICY_VALUE, root,
                          "a policy must be a mapping with the keys " ACCEPTED_KEYS);

    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        ag_status status = check_key(context, root, pair);
        if (status == AG_OK)
            status = read_entry(context, yaml_document_get_node(context->document, pair->key),
                                yaml_document_get_node(context->document, pair->value));
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* Loads the only document of the stream and checks that no second one follows. */
static ag_status load_document(load_context *context, yaml_parser_t *parser,
                               yaml_document_t *document)
{
    if (!yaml_parser_load(parser, document))
        return yaml_error(context, parser);

    yaml_document_t next;
    if (!yaml_parser_load(parser, &next)) {
        yaml_document_delete(document);
        return yaml_error(context, parser);
    }
    yaml_node_t *extra = yaml_document_get_root_node(&next);
    if (extra == NULL) {
        yaml_document_delete(&next);
        return AG_OK;
    }

    ag_status status = node_error(context, AG_ERR_YAML, extra,
                                  "a second YAML document; a policy is one document, so "
                                  "remove the '---' or split the file");
    yaml_document_delete(&next);
    yaml_document_delete(document);
    return status;
}

/*
 * Skips a UTF-8 byte order mark, which YAML allows at the start of a stream
 * and RFC 8259 lets JSON parsers ignore. libyaml is not given it: with the
 * encoding set, libyaml counts it as a column of the first line, which then
 * is indented deeper than the next ones. Rejects a UTF-16 byte order mark.
 */
static ag_status skip_byte_order_mark(load_context *context)
{
    const unsigned char *text = (const unsigned char *)context->text;
    if (context->length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        context->skipped = 3;
    bool utf16 = context->length >= 2 && ((text[0] == 0xFF && text[1] == 0xFE)
                                          || (text[0] == 0xFE && text[1] == 0xFF));
    if (!utf16)
        return AG_OK;
    return ag_error_set(context->error, AG_ERR_YAML, context->name, 1, 1,
                        "invalid %s: the file starts with a UTF-16 byte order mark (%02X %02X); "
                        "save it as UTF-8", ag_load_is_settings_name(context->name) ? "JSON"
                                                                                 : "YAML",
                        text[0], text[1]);
}

/* Checks a settings file as strict JSON before libyaml reads it (settings.c gives the reason). */
static ag_status check_json_syntax(load_context *context)
{
    char message[256];
    size_t offset = 0;
    ag_status status = ag_settings_check_syntax(context->text + context->skipped,
                                                context->length - context->skipped, &offset,
                                                message, sizeof(message));
    if (status == AG_OK)
        return AG_OK;
    unsigned line = 0;
    unsigned column = 0;
    offset_location(context, context->skipped + offset, &line, &column);
    return ag_error_set(context->error, status, context->name, line, column, "%s", message);
}

static bool open_parser(load_context *context, yaml_parser_t *parser)
{
    if (!yaml_parser_initialize(parser))
        return false;
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(parser, (const unsigned char *)context->text + context->skipped,
                                 context->length - context->skipped);
    return true;
}

/* Reads events up to the end of the stream or the first collection past POLICY_MAX_DEPTH. */
static ag_status scan_nesting(load_context *context, yaml_parser_t *parser)
{
    unsigned depth = 0;
    for (;;) {
        yaml_event_t event;
        if (!yaml_parser_parse(parser, &event))
            return yaml_error(context, parser);

        yaml_event_type_t type = event.type;
        yaml_mark_t mark = event.start_mark;
        yaml_event_delete(&event);
        if (type == YAML_STREAM_END_EVENT)
            return AG_OK;
        if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT)
            depth--;
        if (type != YAML_SEQUENCE_START_EVENT && type != YAML_MAPPING_START_EVENT)
            continue;
        if (++depth > POLICY_MAX_DEPTH)
            return ag_error_set(context->error, AG_ERR_LIMIT, context->name,
                                (unsigned)mark.line + 1, mark_column(context, mark),
                                "the policy nests deeper than %d levels; flatten it",
                                POLICY_MAX_DEPTH);
    }
}

/*
 * Rejects a YAML source that nests deeper than POLICY_MAX_DEPTH before the
 * document is composed. libyaml 0.2.5 has no depth limit, and its scanner
 * checks every open flow level on each token, so 100,000 levels of `[` take
 * tens of seconds. Stopping at the limit keeps that work linear.
 */
static ag_status check_nesting(load_context *context)
{
    yaml_parser_t parser;
    if (!open_parser(context, &parser))
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    ag_status status = scan_nesting(context, &parser);
    yaml_parser_delete(&parser);
    return status;
}

/*
 * Parses the text, or for a settings file its masked copy, into a document
 * and reads it. The copy has the same lines and columns, so locations and
 * the offsets that ag_settings_restore_strings() looks up hold for both.
 */
static ag_status parse_document(load_context *context, const char *original)
{
    yaml_parser_t parser;
    if (!open_parser(context, &parser))
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    yaml_document_t document;
    ag_status status = load_document(context, &parser, &document);
    if (status == AG_OK) {
        context->document = &document;
        if (context->text != original)
            status = ag_settings_restore_strings(context, &document, original, context->length);
        if (status == AG_OK)
            status = read_root(context);
        yaml_document_delete(&document);
    }
    yaml_parser_delete(&parser);
    return status;
}

static ag_status parse_text(load_context *context)
{
    ag_status status = skip_byte_order_mark(context);
    /* The JSON check of a settings file has its own depth limit. */
    bool settings = ag_load_is_settings_name(context->name);
    if (status == AG_OK && settings)
        status = check_json_syntax(context);
    else if (status == AG_OK)
        status = check_nesting(context);
    if (status != AG_OK)
        return status;

    const char *original = context->text;
    char *masked = NULL;
    if (settings && ag_settings_mask_strings(original, context->length, &masked) != AG_OK)
        return ag_error_set(context->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (masked != NULL)
        context->text = masked;
    status = parse_document(context, original);
    context->text = original;
    ag_free(masked);
    return status;
}

/* Grows `strings`, an array of `count` entries, by one entry. */
static bool grow_strings(char ***strings, size_t count)
{
    char **grown = ag_realloc(*strings, (count + 1) * sizeof(*grown));
    if (grown != NULL)
        *strings = grown;
    return grown != NULL;
}

/* Appends the source's name, directory and anchor to `files`, `directories` and `anchors`. */
static ag_status append_name(ag_policy *policy, const ag_policy_source *source, ag_error **error)
{
    size_t count = policy->file_count;
    if (!grow_strings(&policy->files, count) || !grow_strings(&policy->directories, count)
        || !grow_strings(&policy->anchors, count))
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    char *name = ag_strdup(source->name);
    char *directory = source->directory != NULL ? ag_strdup(source->directory) : NULL;
    char *anchor = source->anchor != NULL ? ag_strdup(source->anchor) : NULL;
    if (name == NULL || (source->directory != NULL && directory == NULL)
        || (source->anchor != NULL && anchor == NULL)) {
        ag_free(name);
        ag_free(directory);
        ag_free(anchor);
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    policy->files[count] = name;
    policy->directories[count] = directory;
    policy->anchors[count] = anchor;
    policy->file_count++;
    return AG_OK;
}

/* Undoes what a failed parse appended, back to the given counts. */
static void truncate_policy(ag_policy *policy, size_t rule_count, size_t file_count,
                            size_t directory_count)
{
    while (policy->rule_count > rule_count)
        ag_rule_clear(&policy->rules[--policy->rule_count]);
    while (policy->additional_directory_count > directory_count)
        ag_free(policy->additional_directories[--policy->additional_directory_count].path);
    while (policy->file_count > file_count) {
        policy->file_count--;
        ag_free(policy->files[policy->file_count]);
        ag_free(policy->directories[policy->file_count]);
        ag_free(policy->anchors[policy->file_count]);
    }
}

ag_status ag_policy_parse_source(ag_policy *policy, const ag_policy_source *source,
                                 ag_policy_settings *settings, ag_error **error)
{
    size_t rule_count = policy->rule_count;
    size_t file_count = policy->file_count;
    size_t directory_count = policy->additional_directory_count;
    ag_forms_marks forms_marks = ag_forms_mark(policy);
    memset(settings, 0, sizeof(*settings));

    ag_status status = append_name(policy, source, error);
    if (status != AG_OK)
        return status;

    load_context context = {
        .policy = policy,
        .settings = settings,
        .error = error,
        .name = policy->files[policy->file_count - 1],
        .directory = policy->directories[policy->file_count - 1],
        .anchor = policy->anchors[policy->file_count - 1] != NULL
                      ? policy->anchors[policy->file_count - 1]
                      : policy->directories[policy->file_count - 1],
        .layer = source->layer,
        .text = source->text,
        .length = source->length,
    };
    status = parse_text(&context);
    if (status == AG_OK)
        status = ag_model_check_source(settings, source->layer, error);
    if (status != AG_OK) {
        ag_forms_truncate(policy, &forms_marks);
        truncate_policy(policy, rule_count, file_count, directory_count);
        memset(settings, 0, sizeof(*settings));
    }
    return status;
}

void ag_policy_clear(ag_policy *policy)
{
    if (policy == NULL)
        return;
    ag_forms_clear(policy);
    truncate_policy(policy, 0, 0, 0);
    ag_free(policy->rules);
    ag_free(policy->files);
    ag_free(policy->directories);
    ag_free(policy->anchors);
    ag_free(policy->additional_directories);
    policy->rules = NULL;
    policy->files = NULL;
    policy->directories = NULL;
    policy->anchors = NULL;
    policy->additional_directories = NULL;
}

/* ------------------------------------------ for model.c and settings.c */

yaml_node_t *ag_load_node(struct load_context *context, int index)
{
    return yaml_document_get_node(context->document, index);
}

ag_policy_settings *ag_load_settings(struct load_context *context)
{
    return context->settings;
}

ag_source_location ag_load_location(struct load_context *context, const yaml_node_t *node)
{
    return node_location(context, node);
}

ag_status ag_load_error(struct load_context *context, ag_status code, const yaml_node_t *node,
                        const char *format, ...)
{
    if (context->error == NULL)
        return code;
    ag_source_location location = node_location(context, node);
    va_list args;
    va_start(args, format);
    *context->error = ag_error_newv(code, location.file, location.line, location.column,
                                    format, args);
    va_end(args);
    return code;
}

const char *ag_load_name(struct load_context *context)
{
    return context->name;
}

ag_layer ag_load_layer(struct load_context *context)
{
    return context->layer;
}

const char *ag_load_describe_value(const yaml_node_t *node, char *buffer, size_t size)
{
    if (node->type == YAML_SEQUENCE_NODE)
        snprintf(buffer, size, "(a list)");
    else if (node->type == YAML_MAPPING_NODE)
        snprintf(buffer, size, "(a mapping)");
    if (node->type != YAML_SCALAR_NODE)
        return buffer;

    size_t length = node->data.scalar.length;
    size_t shown = length > AG_LOAD_VALUE_QUOTE_MAX ? AG_LOAD_VALUE_QUOTE_MAX : length;
    const char *text = (const char *)node->data.scalar.value;
    size_t used = 0;
    buffer[used++] = '"';
    size_t i = 0;
    for (; i < shown; i++) {
        /* An invisible character is escaped, because "default\u200B" would read as "default". */
        char piece[12];
        size_t piece_length = 1;
        uint32_t code_point;
        size_t invisible = ag_invisible_at(text + i, length - i, &code_point);
        unsigned char c = (unsigned char)text[i];
        if (invisible > 0)
            piece_length = (size_t)snprintf(piece, sizeof(piece),
                                            code_point > 0xFFFF ? "\\U%08X" : "\\u%04X",
                                            (unsigned)code_point);
        else
            piece[0] = c < 0x20 || c == 0x7F ? '?' : (char)c;

        /* Room is kept for the closing quote, "..." and the NUL. */
        if (used + piece_length + 5 > size)
            break;
        memcpy(buffer + used, piece, piece_length);
        used += piece_length;
        if (invisible > 0)
            i += invisible - 1;
    }
    buffer[used++] = '"';
    if (i < length && used + 4 <= size) {
        memcpy(buffer + used, "...", 3);
        used += 3;
    }
    buffer[used] = '\0';
    return buffer;
}

void ag_load_describe_key(const yaml_node_t *key, ag_load_key_text *out)
{
    out->note[0] = '\0';
    if (key->type != YAML_SCALAR_NODE) {
        snprintf(out->text, sizeof(out->text), "?");
        return;
    }

    const char *text = (const char *)key->data.scalar.value;
    size_t length = key->data.scalar.length;
    ag_buffer escaped;
    ag_buffer_init(&escaped);
    ag_invisible_escape(&escaped, text, length);
    snprintf(out->text, sizeof(out->text), "%s", escaped.failed ? "?" : escaped.data);
    ag_buffer_release(&escaped);

    ag_invisible found;
    if (ag_invisible_find(text, length, &found))
        snprintf(out->note, sizeof(out->note),
                 " (it contains the invisible or space-like character U+%04X at byte %zu; "
                 "remove it)", (unsigned)found.code_point, found.offset);
}

ag_status ag_load_rules(struct load_context *context, const yaml_node_t *key,
                        const yaml_node_t *node, ag_decision decision)
{
    return read_rules(context, key, node, decision);
}

ag_status ag_load_directories(struct load_context *context, const yaml_node_t *node)
{
    return read_directories(context, node);
}

bool ag_load_scalar_equals(const yaml_node_t *node, const char *text)
{
    return node->type == YAML_SCALAR_NODE && scalar_equals(node, text);
}

bool ag_load_is_settings_name(const char *name)
{
    size_t length = name != NULL ? strlen(name) : 0;
    return length >= 5 && strcmp(name + length - 5, ".json") == 0;
}

/* ------------------------------------------------------------ for forms.c */

ag_policy *ag_load_policy(struct load_context *context)
{
    return context->policy;
}

const char *ag_load_directory(struct load_context *context)
{
    return context->directory;
}

const char *ag_load_scalar_text(const yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE ? scalar_text(node) : NULL;
}

bool ag_load_is_null(const yaml_node_t *node)
{
    return is_null(node);
}
