/*
 * The `primary_fields` and `tests` keys, rules written with examples, and the
 * policy's warnings. The format is described in forms.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "policy/forms.h"
#include "core/invisible.h"
#include "rules/paths.h"

/* Deepest nesting of a test's tool_input converted to JSON. */
enum { AG_TEST_INPUT_MAX_DEPTH = 32 };

#define NOMEM(error) ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory")

/* Grows an array of `size`-byte items by one; returns the new item or NULL. */
static void *grow(void **items, size_t *count, size_t size)
{
    char *grown = ag_realloc(*items, (*count + 1) * size);
    if (grown == NULL)
        return NULL;
    *items = grown;
    memset(grown + *count * size, 0, size);
    return grown + (*count)++ * size;
}

/* ------------------------------------------------------ marks and clearing */

ag_forms_marks ag_forms_mark(const ag_policy *policy)
{
    ag_forms_marks marks = {policy->primary_field_count, policy->warning_count,
                            policy->test_count, policy->example_count};
    return marks;
}

static void free_test(ag_policy_test *test)
{
    ag_free(test->name);
    ag_free(test->tool_name);
    ag_free(test->tool_input_json);
    ag_free(test->cwd);
    ag_free(test->home);
    ag_free(test->rule);
    ag_free(test->source);
}

void ag_forms_truncate(ag_policy *policy, const ag_forms_marks *marks)
{
    while (policy->primary_field_count > marks->primary_fields) {
        ag_primary_field *entry = &policy->primary_fields[--policy->primary_field_count];
        ag_free(entry->tool);
        ag_free(entry->field);
    }
    while (policy->warning_count > marks->warnings)
        ag_free(policy->warnings[--policy->warning_count]);
    while (policy->test_count > marks->tests)
        free_test(&policy->tests[--policy->test_count]);
    while (policy->example_count > marks->examples)
        ag_free(policy->examples[--policy->example_count].text);
}

void ag_forms_clear(ag_policy *policy)
{
    ag_forms_marks none = {0, 0, 0, 0};
    ag_forms_truncate(policy, &none);
    ag_free(policy->primary_fields);
    ag_free(policy->warnings);
    ag_free(policy->tests);
    ag_free(policy->examples);
    policy->primary_fields = NULL;
    policy->warnings = NULL;
    policy->tests = NULL;
    policy->examples = NULL;
}

/* ------------------------------------------------------------ helpers */

static const yaml_node_t *pair_key(struct load_context *context, const yaml_node_pair_t *pair)
{
    return ag_load_node(context, pair->key);
}

static const yaml_node_t *pair_value(struct load_context *context, const yaml_node_pair_t *pair)
{
    return ag_load_node(context, pair->value);
}

/* Copies a scalar's text, or returns an error naming `what` at the node. */
static ag_status copy_string(struct load_context *context, const yaml_node_t *node,
                             const char *what, char **out)
{
    const char *text = ag_load_scalar_text(node);
    if (text == NULL || text[0] == '\0')
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "%s must be a non-empty string without NUL bytes", what);
    *out = ag_strdup(text);
    return *out != NULL ? AG_OK : NOMEM(NULL);
}

/* Copies a test's cwd, which ag_check() takes only as an absolute path. */
static ag_status copy_cwd(struct load_context *context, const yaml_node_t *node, char **out)
{
    const char *text = ag_load_scalar_text(node);
    if (text != NULL && text[0] != '\0' && text[0] != '/')
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "'cwd' must be an absolute path, not \"%s\"", text);
    return copy_string(context, node, "'cwd'", out);
}

/* Checks that a mapping's keys are scalars from `accepted`, each given once. */
static ag_status check_keys(struct load_context *context, const yaml_node_t *mapping,
                            const char *const *accepted, const char *where)
{
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        const yaml_node_t *key = pair_key(context, pair);
        const char *name = ag_load_scalar_text(key);
        bool known = false;
        for (size_t i = 0; name != NULL && accepted[i] != NULL; i++)
            known = known || strcmp(name, accepted[i]) == 0;
        if (!known) {
            ag_load_key_text shown;
            ag_load_describe_key(key, &shown);
            return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                                 "unknown key '%s'%s in %s; remove it or check its spelling",
                                 shown.text, shown.note, where);
        }
        for (yaml_node_pair_t *other = mapping->data.mapping.pairs.start; other < pair; other++)
            if (ag_load_scalar_equals(pair_key(context, other), name))
                return ag_load_error(context, AG_ERR_POLICY_KEY, key,
                                     "duplicate key '%s' in %s; keep one", name, where);
    }
    return AG_OK;
}

static const yaml_node_t *find_value(struct load_context *context, const yaml_node_t *mapping,
                                     const char *name)
{
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++)
        if (ag_load_scalar_equals(pair_key(context, pair), name))
            return pair_value(context, pair);
    return NULL;
}

/* ----------------------------------------------------------- warnings */

/*
 * Appends "WHERE: warning: DETAIL" to the policy's warnings, with invisible
 * characters of DETAIL escaped. Returns false when out of memory.
 */
static bool push_warning(ag_policy *policy, const char *where, const char *detail)
{
    ag_buffer message;
    ag_buffer_init(&message);
    ag_buffer_printf(&message, "%s: warning: ", where);
    ag_invisible_escape(&message, detail, strlen(detail));
    char **slot = message.failed ? NULL
                                 : grow((void **)&policy->warnings, &policy->warning_count,
                                        sizeof(char *));
    if (slot == NULL) {
        ag_buffer_release(&message);
        return false;
    }
    *slot = message.data;
    return true;
}

static ag_status add_warning(ag_policy *policy, const ag_rule *rule, const char *format, ...)
    AG_PRINTF(3, 4);

static ag_status add_warning(ag_policy *policy, const ag_rule *rule, const char *format, ...)
{
    char detail[512];
    va_list args;
    va_start(args, format);
    vsnprintf(detail, sizeof(detail), format, args);
    va_end(args);

    return push_warning(policy, rule->source, detail) ? AG_OK : AG_ERR_NOMEM;
}

ag_status ag_forms_warn(struct load_context *context, const yaml_node_t *node,
                        const char *format, ...)
{
    char detail[512];
    va_list args;
    va_start(args, format);
    vsnprintf(detail, sizeof(detail), format, args);
    va_end(args);

    ag_source_location location = {ag_load_name(context), 1, 1};
    if (node != NULL)
        location = ag_load_location(context, node);

    char where[4096 + 64];    /* a path of up to PATH_MAX bytes, a line and a column */
    snprintf(where, sizeof(where), "%s:%u:%u", location.file, location.line, location.column);
    return push_warning(ag_load_policy(context), where, detail) ? AG_OK : NOMEM(NULL);
}

static bool path_exists(const char *directory, const char *path, size_t length)
{
    char *joined = ag_malloc(strlen(directory) + length + 2);
    if (joined == NULL)
        return true;    /* out of memory: no warning */
    sprintf(joined, "%s/%.*s", strcmp(directory, "/") == 0 ? "" : directory, (int)length, path);
    struct stat status;
    bool exists = stat(joined, &status) == 0;
    ag_free(joined);
    return exists;
}

/*
 * Warns about a deny or ask path rule written with one slash (`Read(/etc/x)`)
 * when its literal directory exists from the root but is missing below the
 * directory that `/` means in its file. That directory is the policy file's
 * own, or a project's root for its .claude settings, as in Claude Code. The
 * author most likely meant `//etc/x`, and the rule protects nothing.
 */
static ag_status warn_about_policy_anchor(ag_policy *policy, const ag_rule *rule)
{
    if (!ag_rule_is_path(rule) || rule->decision == AG_ALLOW
        || rule->path_anchor != AG_PATH_ANCHOR_POLICY || rule->policy_directory == NULL
        || rule->policy_directory[0] != '/')
        return AG_OK;
    const char *literal = NULL;
    size_t length = ag_path_rule_literal_directory(rule, &literal);
    if (length == 0 || path_exists(rule->policy_directory, literal, length)
        || !path_exists("/", literal, length))
        return AG_OK;
    return add_warning(policy, rule,
                       "the %s rule \"%s\" is anchored at %s, the directory that '/' means "
                       "in this file, where %.*s does not exist; for the path from the root, "
                       "write %s(/%s)", ag_decision_name(rule->decision), rule->text,
                       rule->policy_directory, (int)length, literal, rule->tool,
                       rule->specifier);
}

static bool has_primary_field(const ag_policy *policy, const char *tool)
{
    return ag_policy_primary_field(policy, tool) != NULL;
}

/*
 * Returns the tool to write in place of a path rule whose glob no check
 * applies, or NULL: "Edit" for Write, MultiEdit and NotebookEdit, "Read"
 * for Glob. Claude Code 2.1.210 and later warn about such rules at startup.
 */
static const char *path_rule_meant(const ag_rule *rule)
{
    static const char *const writers[] = {"Write", "MultiEdit", "NotebookEdit"};
    if (rule->kind != AG_RULE_SPECIFIER)
        return NULL;
    for (size_t i = 0; i < sizeof(writers) / sizeof(*writers); i++)
        if (strcmp(rule->tool, writers[i]) == 0)
            return "Edit";
    return strcmp(rule->tool, "Glob") == 0 ? "Read" : NULL;
}

/*
 * Warns about a rule that names a tool the library does not know (a typo in a
 * deny rule would otherwise protect nothing), and about an allow rule with a
 * specifier that can never match because the tool has no primary field.
 */
static ag_status warn_about_rule(ag_policy *policy, const ag_rule *rule)
{
    const char *tool = rule->tool;
    const char *meant = path_rule_meant(rule);
    if (meant != NULL)
        return add_warning(policy, rule,
                           "the %s rule \"%s\" is not applied to the files that shell commands "
                           "%s, and the %s tool treats its path glob as \"could match\" (deny "
                           "and ask rules ask, allow rules never match); write %s(%s), which "
                           "covers the file tools and shell commands",
                           ag_decision_name(rule->decision), rule->text,
                           strcmp(meant, "Edit") == 0 ? "write" : "read", tool, meant,
                           rule->specifier);
    /* "mcp__" names no server, so it matches no tool, unlike mcp__SERVER. */
    if (strcmp(tool, "mcp__") == 0)
        return add_warning(policy, rule,
                           "the %s rule \"%s\" names no MCP server, so it matches no tool; "
                           "write mcp__SERVER for one server or mcp__* for every MCP tool",
                           ag_decision_name(rule->decision), rule->text);
    bool known = ag_tool_is_builtin(tool) || strncmp(tool, "mcp__", 5) == 0
                 || strchr(tool, '*') != NULL;
    for (size_t i = 0; !known && i < policy->primary_field_count; i++)
        known = strcmp(policy->primary_fields[i].tool, tool) == 0;
    const char *near = known ? NULL : ag_tool_builtin_near(tool);
    if (near != NULL && rule->decision != AG_ALLOW)
        return add_warning(policy, rule,
                           "the %s rule \"%s\" names the unknown tool '%s', so it may never "
                           "match; did you mean '%s'?", ag_decision_name(rule->decision),
                           rule->text, tool, near);
    if (!known && rule->decision != AG_ALLOW)
        return add_warning(policy, rule,
                           "the %s rule \"%s\" names the unknown tool '%s', so it may never "
                           "match; check the spelling, or write MCP tools as mcp__SERVER__TOOL",
                           ag_decision_name(rule->decision), rule->text, tool);
    if (rule->kind == AG_RULE_SPECIFIER && rule->decision == AG_ALLOW
        && !has_primary_field(policy, tool) && strcmp(tool, "Read") != 0
        && strcmp(tool, "Edit") != 0 && strcmp(tool, "WebFetch") != 0)
        return add_warning(policy, rule,
                           "the allow rule \"%s\" never matches: the tool '%s' has no primary "
                           "field; name one with primary_fields: {%s: FIELD}",
                           rule->text, tool, tool);
    return AG_OK;
}

/*
 * Warns about an allow rule that contains an invisible or space-like
 * character outside ASCII, such as the no-break space in "Bash(ls\u00A0*)".
 * In an editor the rule looks like another one, but it matches only commands
 * and paths that contain the same character, so it most likely never
 * matches. The loader rejects a deny or ask rule with such a character
 * (check_invisible() in load.c), so only allow rules get here.
 */
static ag_status warn_about_invisible(ag_policy *policy, const ag_rule *rule)
{
    size_t length = strlen(rule->text);
    ag_invisible found;
    if (!ag_invisible_find(rule->text, length, &found))
        return AG_OK;

    ag_buffer shown;
    ag_buffer_init(&shown);
    ag_invisible_escape(&shown, rule->text, length);
    ag_status status = shown.failed
                           ? AG_ERR_NOMEM
                           : add_warning(policy, rule,
                                         "the %s rule \"%s\" contains the invisible or "
                                         "space-like character U+%04X at byte %zu, so it "
                                         "matches only text with that same character; write "
                                         "a plain space or remove it",
                                         ag_decision_name(rule->decision), shown.data,
                                         (unsigned)found.code_point, found.offset);
    ag_buffer_release(&shown);
    return status;
}

/* ------------------------------------------------------ primary_fields */

const char *ag_policy_primary_field(const ag_policy *policy, const char *tool)
{
    for (size_t i = 0; policy != NULL && i < policy->primary_field_count; i++)
        if (strcmp(policy->primary_fields[i].tool, tool) == 0)
            return policy->primary_fields[i].field;
    return ag_tool_builtin_primary_field(tool);
}

static ag_status read_primary_fields(struct load_context *context, const yaml_node_t *node)
{
    if (ag_load_is_null(node))
        return AG_OK;
    if (node->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "'primary_fields' must be a mapping from tool name to input "
                             "field, such as primary_fields: {mcp__db__query: sql}");

    ag_policy *policy = ag_load_policy(context);
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        const yaml_node_t *key = pair_key(context, pair);
        const char *tool = ag_load_scalar_text(key);
        if (tool != NULL && (ag_tool_is_builtin(tool) || strchr(tool, '*') != NULL))
            return ag_load_error(context, AG_ERR_POLICY_VALUE, key,
                                 "'%s' cannot be given a primary field: it is a built-in "
                                 "tool or a glob; name one MCP or custom tool", tool);
        ag_primary_field entry = {NULL, NULL};
        ag_status status = copy_string(context, key, "a tool name", &entry.tool);
        if (status == AG_OK)
            status = copy_string(context, pair_value(context, pair), "a primary field",
                                 &entry.field);
        ag_primary_field *slot = status == AG_OK
                                     ? grow((void **)&policy->primary_fields,
                                            &policy->primary_field_count, sizeof(entry))
                                     : NULL;
        if (slot == NULL) {
            ag_free(entry.tool);
            ag_free(entry.field);
            return status != AG_OK ? status : NOMEM(NULL);
        }
        *slot = entry;
    }
    return AG_OK;
}

/* ------------------------------------------------------ rule examples */

ag_status ag_forms_rule_mapping(struct load_context *context, const yaml_node_t *node,
                                const yaml_node_t **rule_node, const yaml_node_t **examples)
{
    /* Without 'rule', the mapping is most likely an unquoted rule that contains ': '. */
    const yaml_node_t *rule = find_value(context, node, "rule");
    if (rule == NULL)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "a rule must be a string such as \"Bash(git status)\", or a "
                             "mapping with 'rule' and 'examples'; quote a rule that contains "
                             "': ' or ' #' so YAML reads it as one string");

    static const char *const keys[] = {"rule", "examples", NULL};
    ag_status status = check_keys(context, node, keys, "a rule");
    if (status != AG_OK)
        return status;
    *rule_node = rule;
    *examples = find_value(context, node, "examples");
    return AG_OK;
}

static ag_status read_example_list(struct load_context *context, size_t index,
                                   const yaml_node_t *list, bool match)
{
    if (ag_load_is_null(list))
        return AG_OK;
    if (list->type != YAML_SEQUENCE_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, list,
                             "'%s' must be a list of strings", match ? "match" : "not_match");

    ag_policy *policy = ag_load_policy(context);
    for (yaml_node_item_t *item = list->data.sequence.items.start;
         item < list->data.sequence.items.top; item++) {
        const yaml_node_t *entry = ag_load_node(context, *item);
        char *text = NULL;
        ag_status status = copy_string(context, entry, "an example", &text);
        if (status != AG_OK)
            return status;
        ag_rule_example *slot = grow((void **)&policy->examples, &policy->example_count,
                                     sizeof(*slot));
        if (slot == NULL) {
            ag_free(text);
            return NOMEM(NULL);
        }
        *slot = (ag_rule_example){index, text, match, ag_load_location(context, entry)};
    }
    return AG_OK;
}

ag_status ag_forms_rule_added(struct load_context *context, size_t index,
                              const yaml_node_t *examples)
{
    if (examples == NULL || ag_load_is_null(examples))
        return AG_OK;
    if (examples->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, examples,
                             "'examples' must be a mapping such as "
                             "{match: [\"git push\"], not_match: [\"git status\"]}");

    static const char *const keys[] = {"match", "not_match", NULL};
    ag_status status = check_keys(context, examples, keys, "'examples'");
    const yaml_node_t *match = find_value(context, examples, "match");
    const yaml_node_t *not_match = find_value(context, examples, "not_match");
    if (status == AG_OK && match != NULL)
        status = read_example_list(context, index, match, true);
    if (status == AG_OK && not_match != NULL)
        status = read_example_list(context, index, not_match, false);
    return status;
}

/* -------------------------------------------------------------- tests */

static json_t *node_to_json(struct load_context *context, const yaml_node_t *node, int depth);

/* Converts a plain scalar the way YAML 1.2's core schema reads it; quoted ones stay strings. */
static json_t *scalar_to_json(const yaml_node_t *node)
{
    const char *text = ag_load_scalar_text(node);
    if (text == NULL)
        return NULL;
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_string(text);
    if (ag_load_is_null(node))
        return json_null();
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
        return json_boolean(text[0] == 't');

    json_error_t error;
    json_t *number = json_loads(text, JSON_DECODE_ANY, &error);
    if (number != NULL && json_is_number(number))
        return number;
    json_decref(number);
    return json_string(text);
}

static json_t *node_to_json(struct load_context *context, const yaml_node_t *node, int depth)
{
    if (depth > AG_TEST_INPUT_MAX_DEPTH)
        return NULL;
    if (node->type == YAML_SCALAR_NODE)
        return scalar_to_json(node);

    json_t *out = node->type == YAML_SEQUENCE_NODE ? json_array() : json_object();
    if (out == NULL)
        return NULL;
    if (node->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *item = node->data.sequence.items.start;
             item < node->data.sequence.items.top; item++) {
            json_t *value = node_to_json(context, ag_load_node(context, *item), depth + 1);
            if (value == NULL || json_array_append_new(out, value) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        const char *key = ag_load_scalar_text(pair_key(context, pair));
        json_t *value = node_to_json(context, pair_value(context, pair), depth + 1);
        if (key == NULL || value == NULL || json_object_set_new(out, key, value) != 0) {
            json_decref(value);
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static ag_status read_request(struct load_context *context, const yaml_node_t *node,
                              ag_policy_test *test)
{
    static const char *const keys[] = {"tool_name", "tool_input", "cwd", NULL};
    if (node->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "'request' must be a mapping such as {tool_name: Read, "
                             "tool_input: {file_path: README.md}}");
    ag_status status = check_keys(context, node, keys, "'request'");
    if (status != AG_OK)
        return status;

    const yaml_node_t *tool = find_value(context, node, "tool_name");
    const yaml_node_t *input = find_value(context, node, "tool_input");
    const yaml_node_t *cwd = find_value(context, node, "cwd");
    if (tool == NULL || input == NULL || input->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "'request' needs 'tool_name' and a 'tool_input' mapping");
    status = copy_string(context, tool, "'tool_name'", &test->tool_name);
    if (status == AG_OK && cwd != NULL)
        status = copy_cwd(context, cwd, &test->cwd);
    if (status != AG_OK)
        return status;

    json_t *json = node_to_json(context, input, 0);
    test->tool_input_json = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (test->tool_input_json == NULL)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, input,
                             "'tool_input' cannot be converted to JSON: keys must be strings "
                             "and nesting at most %d deep", AG_TEST_INPUT_MAX_DEPTH);
    return AG_OK;
}

/* Stores {"command": COMMAND} for the `command:` shorthand. */
static ag_status read_command(struct load_context *context, const yaml_node_t *node,
                              ag_policy_test *test)
{
    char *command = NULL;
    ag_status status = copy_string(context, node, "'command'", &command);
    if (status != AG_OK)
        return status;
    json_t *json = json_pack("{s:s}", "command", command);
    ag_free(command);
    test->tool_name = ag_strdup("Bash");
    test->tool_input_json = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    return test->tool_name != NULL && test->tool_input_json != NULL ? AG_OK : NOMEM(NULL);
}

static ag_status read_expect(struct load_context *context, const yaml_node_t *node,
                             ag_decision *out)
{
    static const char *const names[] = {"allow", "ask", "deny"};
    for (int i = 0; i < 3; i++) {
        if (ag_load_scalar_equals(node, names[i])) {
            *out = (ag_decision)i;
            return AG_OK;
        }
    }
    char shown[AG_LOAD_VALUE_QUOTE_MAX + 8];
    return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                         "invalid value %s for 'expect'; use allow, ask or deny",
                         ag_load_describe_value(node, shown, sizeof(shown)));
}

/* Returns what a test's keys lack or have too many of, or NULL when they are complete. */
static const char *test_fields_problem(const yaml_node_t *name, const yaml_node_t *command,
                                       const yaml_node_t *request, const yaml_node_t *expect)
{
    if (name == NULL)
        return "missing 'name'";
    if (expect == NULL)
        return "missing 'expect'";
    if (command == NULL && request == NULL)
        return "missing 'command' or 'request'";
    if (command != NULL && request != NULL)
        return "'command' and 'request' are both given";
    return NULL;
}

static ag_status read_test_fields(struct load_context *context, const yaml_node_t *node,
                                  ag_policy_test *test)
{
    static const char *const keys[] = {"name", "command", "request", "cwd", "home", "expect",
                                       "rule", NULL};
    ag_status status = check_keys(context, node, keys, "a test");
    if (status != AG_OK)
        return status;

    const yaml_node_t *name = find_value(context, node, "name");
    const yaml_node_t *command = find_value(context, node, "command");
    const yaml_node_t *request = find_value(context, node, "request");
    const yaml_node_t *expect = find_value(context, node, "expect");
    const char *problem = test_fields_problem(name, command, request, expect);
    if (problem != NULL)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "%s; a test needs 'name', 'expect', and either 'command' or "
                             "'request' (not both)", problem);

    status = copy_string(context, name, "'name'", &test->name);
    if (status == AG_OK)
        status = command != NULL ? read_command(context, command, test)
                                 : read_request(context, request, test);
    if (status == AG_OK)
        status = read_expect(context, expect, &test->expect);

    const yaml_node_t *cwd = find_value(context, node, "cwd");
    const yaml_node_t *home = find_value(context, node, "home");
    const yaml_node_t *rule = find_value(context, node, "rule");
    if (status == AG_OK && cwd != NULL && test->cwd != NULL)
        return ag_load_error(context, AG_ERR_POLICY_KEY, cwd,
                             "'cwd' is given twice, here and in 'request'; keep one");
    if (status == AG_OK && cwd != NULL)
        status = copy_cwd(context, cwd, &test->cwd);
    if (status == AG_OK && home != NULL)
        status = copy_string(context, home, "'home'", &test->home);
    if (status == AG_OK && rule != NULL && !ag_load_is_null(rule))
        status = copy_string(context, rule, "'rule'", &test->rule);
    return status;
}

static ag_status read_test(struct load_context *context, const yaml_node_t *node)
{
    if (node->type != YAML_MAPPING_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "a test must be a mapping such as {name: push asks, command: "
                             "\"git push\", expect: ask}");

    ag_policy_test test;
    memset(&test, 0, sizeof(test));
    ag_source_location location = ag_load_location(context, node);
    char source[1024];
    snprintf(source, sizeof(source), "%s:%u:%u", location.file, location.line, location.column);
    test.source = ag_strdup(source);

    ag_status status = test.source != NULL ? read_test_fields(context, node, &test) : NOMEM(NULL);
    ag_policy *policy = ag_load_policy(context);
    ag_policy_test *slot = status == AG_OK
                               ? grow((void **)&policy->tests, &policy->test_count, sizeof(test))
                               : NULL;
    if (slot == NULL) {
        free_test(&test);
        return status != AG_OK ? status : NOMEM(NULL);
    }
    *slot = test;
    return AG_OK;
}

static ag_status read_tests(struct load_context *context, const yaml_node_t *node)
{
    if (ag_load_is_null(node))
        return AG_OK;
    if (node->type != YAML_SEQUENCE_NODE)
        return ag_load_error(context, AG_ERR_POLICY_VALUE, node,
                             "'tests' must be a list of tests");
    for (yaml_node_item_t *item = node->data.sequence.items.start;
         item < node->data.sequence.items.top; item++) {
        ag_status status = read_test(context, ag_load_node(context, *item));
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

ag_status ag_forms_read_entry(struct load_context *context, const yaml_node_t *key,
                              const yaml_node_t *value, bool *handled)
{
    *handled = true;
    if (ag_load_scalar_equals(key, "primary_fields"))
        return read_primary_fields(context, value);
    if (ag_load_scalar_equals(key, "tests"))
        return read_tests(context, value);
    *handled = false;
    return AG_OK;
}

/* ------------------------------------------------- checking examples */

/* Returns whether `list` records `rule` as a certain match. */
static bool list_has(const ag_verdict *verdict, const ag_rule *rule);

/* Builds the request an example stands for: a command, a path, a URL or a tool name. */
static ag_status example_request(const ag_policy *policy, const ag_rule *rule, const char *text,
                                 const char **tool, char **input)
{
    const char *field = NULL;
    *tool = rule->tool;
    if (rule->kind == AG_RULE_PARAM) {
        field = rule->param;
    } else if (strcmp(rule->tool, "Bash") == 0) {
        field = "command";
    } else if (strcmp(rule->tool, "Read") == 0 || strcmp(rule->tool, "Edit") == 0) {
        field = "file_path";
    } else if (strcmp(rule->tool, "WebFetch") == 0) {
        field = "url";
    } else if (rule->kind == AG_RULE_TOOL) {
        *tool = text;    /* `mcp__github` or `mcp__*`: the example is a tool name */
    } else {
        field = ag_policy_primary_field(policy, rule->tool);
    }
    if (strchr(*tool, '*') != NULL)
        return AG_ERR_RULE;

    json_t *json = json_object();
    if (json != NULL && field != NULL) {
        bool needs_scheme = strcmp(field, "url") == 0 && strstr(text, "://") == NULL;
        char *url = needs_scheme ? ag_malloc(strlen(text) + 9) : NULL;
        if (url != NULL)
            sprintf(url, "https://%s", text);
        json_object_set_new(json, field, json_string(url != NULL ? url : text));
        ag_free(url);
    }
    *input = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    return *input != NULL ? AG_OK : AG_ERR_NOMEM;
}

static ag_status check_example(const ag_policy *policy, ag_checker *checker,
                               const ag_rule_example *example, ag_error **error)
{
    const ag_rule *rule = &policy->rules[example->rule];
    const char *tool = NULL;
    char *input = NULL;
    ag_status status = example_request(policy, rule, example->text, &tool, &input);
    if (status == AG_ERR_NOMEM)
        return NOMEM(error);
    if (status != AG_OK)
        return ag_error_set(error, AG_ERR_RULE, example->location.file, example->location.line,
                            example->location.column,
                            "the example \"%s\" of the rule \"%s\" (%s) is not a tool name; "
                            "write examples of a tool-name glob as tool names",
                            example->text, rule->text, rule->source);

    const char *directory = rule->policy_directory != NULL ? rule->policy_directory : "/";
    const ag_verdict *verdict = ag_check(checker, tool, input, directory, NULL);
    free(input);    /* json_dumps() allocates with the jansson allocator, malloc() */
    if (verdict == NULL)
        return NOMEM(error);

    bool matched = list_has(verdict, rule);
    if (matched == example->match)
        return AG_OK;
    return ag_error_set(error, AG_ERR_RULE, example->location.file, example->location.line,
                        example->location.column,
                        example->match ? "the example \"%s\" does not match the rule \"%s\" "
                                         "(%s); fix the rule or move the example to not_match"
                                       : "the example \"%s\" matches the rule \"%s\" (%s); fix "
                                         "the rule or move the example to match",
                        example->text, rule->text, rule->source);
}

ag_status ag_forms_finish(ag_policy *policy, ag_error **error)
{
    for (size_t i = 0; i < policy->rule_count; i++)
        if (warn_about_rule(policy, &policy->rules[i]) != AG_OK
            || warn_about_invisible(policy, &policy->rules[i]) != AG_OK
            || warn_about_policy_anchor(policy, &policy->rules[i]) != AG_OK)
            return NOMEM(error);
    if (policy->example_count == 0)
        return AG_OK;

    ag_checker *checker = ag_checker_new(policy, error);
    if (checker == NULL)
        return AG_ERR_NOMEM;
    ag_checker_set_explain(checker, true);
    ag_status status = AG_OK;
    for (size_t i = 0; i < policy->example_count && status == AG_OK; i++)
        status = check_example(policy, checker, &policy->examples[i], error);
    ag_checker_free(checker);
    return status;
}

static bool record_has(const ag_verdict *verdict, size_t list, size_t count, const ag_rule *rule,
                       bool effects)
{
    for (size_t j = 0; j < count; j++) {
        const char *text = NULL;
        const char *source = NULL;
        ag_decision decision = AG_DENY;
        bool certain = false;
        bool found = effects
                         ? ag_verdict_effect_match(verdict, list, j, &text, &source, &decision,
                                                   &certain)
                         : ag_verdict_command_match(verdict, list, j, &text, &source, &decision,
                                                    &certain);
        if (found && certain && text == rule->text)
            return true;
    }
    return false;
}

static bool list_has(const ag_verdict *verdict, const ag_rule *rule)
{
    for (size_t j = 0; j < ag_verdict_match_count(verdict); j++) {
        const char *text = NULL;
        bool certain = false;
        if (ag_verdict_match(verdict, j, &text, NULL, NULL, &certain) && certain
            && text == rule->text)
            return true;
    }
    for (size_t i = 0; i < ag_verdict_command_count(verdict); i++)
        if (record_has(verdict, i, ag_verdict_command_match_count(verdict, i), rule, false))
            return true;
    for (size_t i = 0; i < ag_verdict_effect_count(verdict); i++)
        if (record_has(verdict, i, ag_verdict_effect_match_count(verdict, i), rule, true))
            return true;
    return false;
}

/* -------------------------------------------------------- public API */

size_t ag_policy_warning_count(const ag_policy *policy)
{
    return policy != NULL ? policy->warning_count : 0;
}

const char *ag_policy_warning(const ag_policy *policy, size_t index)
{
    return policy != NULL && index < policy->warning_count ? policy->warnings[index] : NULL;
}

static const ag_policy_test *test_at(const ag_policy *policy, size_t index)
{
    return policy != NULL && index < policy->test_count ? &policy->tests[index] : NULL;
}

size_t ag_policy_test_count(const ag_policy *policy)
{
    return policy != NULL ? policy->test_count : 0;
}

const char *ag_policy_test_name(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->name : NULL;
}

const char *ag_policy_test_tool_name(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->tool_name : NULL;
}

const char *ag_policy_test_tool_input_json(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->tool_input_json : NULL;
}

const char *ag_policy_test_cwd(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->cwd : NULL;
}

const char *ag_policy_test_home(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->home : NULL;
}

ag_decision ag_policy_test_expect(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->expect : AG_DENY;
}

const char *ag_policy_test_rule(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->rule : NULL;
}

const char *ag_policy_test_source(const ag_policy *policy, size_t index)
{
    const ag_policy_test *test = test_at(policy, index);
    return test != NULL ? test->source : NULL;
}
