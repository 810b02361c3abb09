/*
 * Rule forms beyond Bash commands and file paths:
 *
 *   Tool(param:value)  deny and ask only: a glob over one top-level input
 *                      field, such as Agent(model:opus) or
 *                      Bash(run_in_background:true)
 *   Tool(GLOB)         a glob over the tool's primary input field, such as
 *                      Agent(Explore) (the field "subagent_type") or
 *                      Skill(deploy *) (the field "skill")
 *
 * and what the library knows about the host's built-in tools: their names,
 * their input fields and which field is the primary one.
 */
#include <string.h>

#include "rules/rules.h"

/* Buffer for a PCRE2 error message; pcre2_get_error_message() truncates longer ones. */
#define AG_FORMS_MESSAGE_SIZE 256

/* One built-in tool: its primary field (or NULL) and the other fields a param rule may name. */
typedef struct tool_fields {
    const char *tool;
    const char *primary;
    const char *const *fields;   /* NULL-terminated; NULL when any name is accepted */
} tool_fields;

static const char *const bash_fields[] = {"run_in_background", "timeout", "description",
                                          "dangerouslyDisableSandbox", NULL};
static const char *const read_fields[] = {"offset", "limit", "pages", NULL};
static const char *const edit_fields[] = {"old_string", "new_string", "replace_all", "content",
                                          "edits", "cell_id", "cell_type", "edit_mode",
                                          "new_source", NULL};
static const char *const search_fields[] = {"pattern", "glob", "output_mode", "type", "-i",
                                            "-n", "-A", "-B", "-C", "head_limit", "multiline",
                                            "ignore", NULL};
static const char *const fetch_fields[] = {"prompt", NULL};
static const char *const agent_fields[] = {"prompt", "description", "model", "isolation",
                                           "run_in_background", "name", "team_name", "mode",
                                           NULL};
static const char *const skill_fields[] = {"args", NULL};

/*
 * Built-in tools of Claude Code and their input fields, as its hook documentation
 * lists them. For these tools `name:value` is a param rule only when `name` is
 * listed, because their usual specifiers (commands, paths, skill names) may
 * contain ':' themselves.
 */
static const tool_fields builtin_tools[] = {
    {"Bash", "command", bash_fields},
    {"Read", "file_path", read_fields},
    {"NotebookRead", "notebook_path", read_fields},
    {"Edit", "file_path", edit_fields},
    {"Write", "file_path", edit_fields},
    {"MultiEdit", "file_path", edit_fields},
    {"NotebookEdit", "notebook_path", edit_fields},
    {"Grep", "path", search_fields},
    {"Glob", "path", search_fields},
    {"LS", "path", search_fields},
    {"WebFetch", "url", fetch_fields},
    {"Agent", "subagent_type", agent_fields},
    {"Task", "subagent_type", agent_fields},
    {"Skill", "skill", skill_fields},
    /* No primary field: a glob over the raw command text would let a compound command
     * through an allow rule. */
    {"PowerShell", NULL, bash_fields},
    {"WebSearch", NULL, NULL},
    {"TodoWrite", NULL, NULL},
    {"TodoRead", NULL, NULL},
    {"BashOutput", NULL, NULL},
    {"KillShell", NULL, NULL},
    {"KillBash", NULL, NULL},
    {"TaskOutput", NULL, NULL},
    {"TaskStop", NULL, NULL},
    {"ExitPlanMode", NULL, NULL},
    {"EnterPlanMode", NULL, NULL},
    {"SlashCommand", NULL, NULL},
    {"AskUserQuestion", NULL, NULL},
    {"Monitor", NULL, NULL},
    {"LSP", NULL, NULL},
    {"Cd", NULL, NULL},
    {"EndConversation", NULL, NULL},
};

/* Primary content fields: a param rule on one of them is rejected for every tool. */
static const char *const primary_content_fields[] = {"command", "file_path", "path",
                                                     "notebook_path", "url", NULL};

static const tool_fields *find_tool(const char *tool)
{
    for (size_t i = 0; i < sizeof(builtin_tools) / sizeof(*builtin_tools); i++)
        if (strcmp(builtin_tools[i].tool, tool) == 0)
            return &builtin_tools[i];
    return NULL;
}

bool ag_tool_is_builtin(const char *tool)
{
    return tool != NULL && find_tool(tool) != NULL;
}

const char *ag_tool_builtin_near(const char *tool)
{
    if (tool == NULL || strchr(tool, '*') != NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(builtin_tools) / sizeof(*builtin_tools); i++) {
        const char *name = builtin_tools[i].tool;
        if (strcmp(name, tool) != 0 && ag_edit_distance(tool, name, 2) <= 2)
            return name;
    }
    return NULL;
}

const char *ag_tool_builtin_primary_field(const char *tool)
{
    const tool_fields *entry = tool != NULL ? find_tool(tool) : NULL;
    return entry != NULL ? entry->primary : NULL;
}

static bool list_contains(const char *const *list, const char *name, size_t length)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        if (strlen(list[i]) == length && memcmp(list[i], name, length) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------ errors */

static ag_status form_error(ag_error **error, const char *text, ag_source_location location,
                            const char *detail)
{
    return ag_error_set(error, AG_ERR_RULE, location.file, location.line, location.column,
                        "invalid rule \"%s\": %s", text, detail);
}

/* ------------------------------------------------------------- globs */

static void *pcre2_malloc_hook(PCRE2_SIZE size, void *data)
{
    (void)data;
    return ag_malloc(size);
}

static void pcre2_free_hook(void *pointer, void *data)
{
    (void)data;
    ag_free(pointer);
}

/*
 * Translates a glob to an anchored regex: `*` matches any run of bytes,
 * newlines included, and every other byte is literal. With `word_suffix`, a
 * final ` *` also matches nothing, so `deploy *` matches "deploy".
 */
static bool build_glob_regex(const char *glob, size_t length, bool word_suffix, ag_buffer *regex)
{
    bool optional_tail = word_suffix && length >= 2 && memcmp(glob + length - 2, " *", 2) == 0;
    size_t body = optional_tail ? length - 2 : length;

    ag_buffer_append_string(regex, "\\A");
    for (size_t i = 0; i < body; i++) {
        if (glob[i] == '*')
            ag_buffer_append_string(regex, "[\\s\\S]*");
        else
            ag_rule_append_literal(regex, (unsigned char)glob[i]);
    }
    if (optional_tail)
        ag_buffer_append_string(regex, "(?: [\\s\\S]*)?");
    ag_buffer_append_string(regex, "\\z");
    return !regex->failed;
}

static ag_status compile_glob(ag_rule *rule, const char *glob, size_t length, bool word_suffix,
                              uint32_t options, ag_error **error)
{
    ag_buffer regex;
    ag_buffer_init(&regex);
    if (!build_glob_regex(glob, length, word_suffix, &regex)) {
        ag_buffer_release(&regex);
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }

    pcre2_general_context *general = pcre2_general_context_create(pcre2_malloc_hook,
                                                                  pcre2_free_hook, NULL);
    pcre2_compile_context *compile = general != NULL ? pcre2_compile_context_create(general)
                                                     : NULL;
    int code = 0;
    PCRE2_SIZE offset = 0;
    if (compile != NULL)
        rule->pattern = pcre2_compile((PCRE2_SPTR)regex.data, regex.length, PCRE2_NEVER_UTF | options,
                                      &code, &offset, compile);
    pcre2_compile_context_free(compile);
    pcre2_general_context_free(general);
    ag_buffer_release(&regex);

    if (compile == NULL || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_NOMEMORY
        || code == PCRE2_ERROR_HEAP_FAILED)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (rule->pattern == NULL) {
        PCRE2_UCHAR message[AG_FORMS_MESSAGE_SIZE];
        pcre2_get_error_message(code, message, sizeof(message));
        return ag_error_set(error, AG_ERR_PATTERN, rule->location.file, rule->location.line,
                            rule->location.column,
                            "invalid rule \"%s\": PCRE2 failed to compile its pattern at "
                            "offset %zu: %s; shorten or split the rule", rule->text,
                            (size_t)offset, (const char *)message);
    }
    return AG_OK;    /* JIT-compiled by ag_rule_jit() */
}

ag_status ag_rule_compile_specifier(ag_rule *rule, ag_error **error)
{
    /* A deny or ask glob over a path ignores ASCII case, as deny path rules do,
     * because a file system that ignores case opens `.SSH` as `.ssh`. */
    const char *glob = rule->specifier;
    bool path = glob[0] == '~' || strchr(glob, '/') != NULL;
    uint32_t options = path && rule->decision != AG_ALLOW ? PCRE2_CASELESS : 0;
    return compile_glob(rule, glob, strlen(glob), true, options, error);
}

ag_match ag_rule_match_value(const ag_rule *rule, const char *text, size_t length,
                             pcre2_match_data *match_data)
{
    if (rule == NULL || rule->pattern == NULL || match_data == NULL || text == NULL)
        return AG_MATCH_MAYBE;
    int rc = pcre2_match(rule->pattern, (PCRE2_SPTR)text, length, 0, 0, match_data, NULL);
    if (rc >= 0)
        return AG_MATCH_YES;
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

/* ------------------------------------------------------------ params */

static bool is_param_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '_' || c == '-';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Splits `name:value` with blanks around ':' ignored. Returns false when the
 * specifier has no ':' or the text before it is not a field name.
 */
static bool split_param(const char *specifier, size_t length, size_t *name_length,
                        const char **value, size_t *value_length)
{
    const char *colon = memchr(specifier, ':', length);
    if (colon == NULL)
        return false;

    size_t end = (size_t)(colon - specifier);
    while (end > 0 && is_blank(specifier[end - 1]))
        end--;
    if (end == 0)
        return false;
    for (size_t i = 0; i < end; i++)
        if (!is_param_char(specifier[i]))
            return false;

    const char *start = colon + 1;
    const char *stop = specifier + length;
    while (start < stop && is_blank(*start))
        start++;
    *name_length = end;
    *value = start;
    *value_length = (size_t)(stop - start);
    return true;
}

/*
 * Returns whether `name` makes `Tool(name:value)` a param rule for this tool:
 * for a built-in tool the name must be one of its input fields, and for any
 * other tool (MCP tools) every name qualifies.
 */
static bool is_param_name(const char *tool, const char *name, size_t length)
{
    const tool_fields *entry = find_tool(tool);
    if (entry == NULL)
        return true;
    if (entry->primary != NULL && strlen(entry->primary) == length
        && memcmp(entry->primary, name, length) == 0)
        return true;
    return list_contains(entry->fields, name, length);
}

ag_status ag_rule_parse_param(const char *text, const char *specifier, size_t length,
                              ag_rule *rule, bool *handled, ag_error **error)
{
    *handled = false;
    size_t name_length = 0;
    const char *value = NULL;
    size_t value_length = 0;
    if (!split_param(specifier, length, &name_length, &value, &value_length))
        return AG_OK;
    /* WebFetch(domain:HOST) is the domain form, not a field named "domain". */
    if (strcmp(rule->tool, "WebFetch") == 0 && name_length == 6
        && memcmp(specifier, "domain", 6) == 0)
        return AG_OK;
    if (!is_param_name(rule->tool, specifier, name_length))
        return AG_OK;

    *handled = true;
    const char *primary = ag_tool_builtin_primary_field(rule->tool);
    bool on_primary = list_contains(primary_content_fields, specifier, name_length)
                      || (primary != NULL && strlen(primary) == name_length
                          && memcmp(primary, specifier, name_length) == 0);
    if (on_primary)
        return form_error(error, text, rule->location,
                          "a param rule cannot match the tool's primary field, because a "
                          "compound command or another spelling of the path would bypass "
                          "it; write the usual form, such as Bash(rm *) or Read(./secret/**)");
    if (rule->decision == AG_ALLOW)
        return form_error(error, text, rule->location,
                          strcmp(rule->tool, "Bash") == 0
                              ? "an allow rule cannot use the param:value form, because one "
                                "field's value does not make a call safe; to allow a command "
                                "of that name, write Bash(NAME *) with a space"
                              : "an allow rule cannot use the param:value form, because one "
                                "field's value does not make a call safe; move the rule to "
                                "'ask' or 'deny', or allow the tool by name");
    if (value_length == 0)
        return form_error(error, text, rule->location,
                          "the value after ':' is empty; write a value, or '*' for any value");

    rule->kind = AG_RULE_PARAM;
    rule->param = ag_strndup(specifier, name_length);
    rule->specifier = ag_strndup(value, value_length);
    if (rule->param == NULL || rule->specifier == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return compile_glob(rule, value, value_length, false, 0, error);
}
