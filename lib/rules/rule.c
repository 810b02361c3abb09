/*
 * Parsing of permission rules in Claude Code's syntax:
 *
 *   Tool             every use of the tool; `Tool(*)` means the same
 *   Bash(GLOB)       a glob over the command's words, compiled to PCRE2
 *   Tool(SPECIFIER)  any other tool's specifier, stored for later matching
 *
 * Parentheses inside a specifier are rejected, not taken literally, so a
 * rule never means something other than what its author could read into it.
 * TODO(rule-language): path specifiers such as `Read(app/(auth)/page.tsx)` need
 * literal parentheses; they are rejected until path matching exists.
 */
#include <stdio.h>
#include <string.h>

#include "rules/paths.h"
#include "rules/rules.h"

/* Buffer for a PCRE2 error message; pcre2_get_error_message() truncates longer ones. */
#define AG_PCRE2_MESSAGE_SIZE 256

typedef struct ag_rule_parts {
    const char *tool;
    size_t tool_length;
    const char *specifier;     /* NULL for a bare tool name */
    size_t specifier_length;
} ag_rule_parts;

/* --------------------------------------------------------------- errors */

void ag_rule_quote(ag_buffer *out, const char *text, size_t length)
{
    ag_buffer_append(out, "", 0);
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '"')
            ag_buffer_printf(out, c == '\\' || c == '"' ? "\\%c" : "\\x%02X", c);
        else
            ag_buffer_append_char(out, (char)c);
    }
}

/*
 * Stores an error that quotes the rule (control bytes written as \xHH so the
 * message stays printable) and returns `code`.
 */
static ag_status rule_error(ag_error **error, ag_status code, const char *text,
                            ag_source_location location, const char *format, ...)
    AG_PRINTF(5, 6);

static ag_status rule_error(ag_error **error, ag_status code, const char *text,
                            ag_source_location location, const char *format, ...)
{
    if (error == NULL)
        return code;

    ag_buffer quoted;
    ag_buffer_init(&quoted);
    ag_rule_quote(&quoted, text, strlen(text));

    char detail[512];
    va_list args;
    va_start(args, format);
    vsnprintf(detail, sizeof(detail), format, args);
    va_end(args);

    if (quoted.failed) {
        *error = ag_error_nomem();
    } else {
        *error = ag_error_new(code, location.file, location.line, location.column,
                              "invalid rule \"%s\": %s", quoted.data, detail);
    }
    ag_buffer_release(&quoted);
    return code;
}

/* ------------------------------------------------------------- syntax */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_tool_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-';
}

/* Tabs are allowed because whitespace in a Bash specifier is normalized. */
static ag_status check_bytes(const char *text, ag_source_location location, ag_error **error)
{
    for (size_t i = 0; text[i] != '\0'; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return rule_error(error, AG_ERR_RULE, text, location,
                              "control character 0x%02X at byte %zu; remove it", c, i);
    }
    return AG_OK;
}

/* Splits `Tool` or `Tool(specifier)` into its parts. */
static ag_status split_rule(const char *text, ag_source_location location,
                            ag_rule_parts *parts, ag_error **error)
{
    size_t length = strlen(text);
    const char *open = strchr(text, '(');
    const char *close = strchr(text, ')');

    memset(parts, 0, sizeof(*parts));
    if (open == NULL) {
        if (close != NULL)
            return rule_error(error, AG_ERR_RULE, text, location,
                              "')' without '('; write Tool(specifier)");
        parts->tool = text;
        parts->tool_length = length;
        return AG_OK;
    }

    if (close == NULL)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "missing ')'; close the specifier as in Bash(git status)");
    if (close < open)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "')' before '('; write Tool(specifier)");
    if (memchr(open + 1, '(', (size_t)(close - open - 1)) != NULL
        || strpbrk(close + 1, "()") != NULL)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "nested or unbalanced parentheses; a specifier may not contain "
                          "'(' or ')', so match such a command with '*'");
    if (close[1] != '\0')
        return rule_error(error, AG_ERR_RULE, text, location,
                          "text after ')'; remove it or move it inside the parentheses");

    parts->tool = text;
    parts->tool_length = (size_t)(open - text);
    parts->specifier = open + 1;
    parts->specifier_length = (size_t)(close - open - 1);
    return AG_OK;
}

/*
 * Returns whether a tool-name glob is allowed in an allow rule: every `*`
 * must follow a literal `mcp__SERVER__` prefix, so an allow rule never
 * reaches beyond one named MCP server.
 */
static bool allow_glob_is_anchored(const char *tool, size_t length)
{
    const char *star = memchr(tool, '*', length);
    if (star == NULL)
        return true;

    size_t before = (size_t)(star - tool);
    if (before < 5 || strncmp(tool, "mcp__", 5) != 0)
        return false;
    const char *server_end = strstr(tool + 5, "__");
    return server_end != NULL && server_end > tool + 5 && server_end + 2 <= star;
}

static ag_status check_tool(const char *text, const ag_rule_parts *parts, ag_decision decision,
                            ag_source_location location, ag_error **error)
{
    if (parts->tool_length == 0)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "missing tool name; start the rule with a tool such as Bash");

    bool has_glob = false;
    for (size_t i = 0; i < parts->tool_length; i++) {
        char c = parts->tool[i];
        if (c == '*') {
            has_glob = true;
        } else if (!is_tool_char(c) && (unsigned char)c >= 0x80) {
            return rule_error(error, AG_ERR_RULE, text, location,
                              "invalid byte 0x%02X in the tool name; tool names contain "
                              "only ASCII letters, digits, '_' and '-'", (unsigned char)c);
        } else if (!is_tool_char(c)) {
            return rule_error(error, AG_ERR_RULE, text, location,
                              "invalid character '%c' in the tool name; tool names contain "
                              "only letters, digits, '_' and '-'%s", c,
                              is_blank(c) ? " (remove the space)" : "");
        }
    }
    if (!has_glob)
        return AG_OK;

    if (decision == AG_ALLOW && !allow_glob_is_anchored(parts->tool, parts->tool_length))
        return rule_error(error, AG_ERR_RULE, text, location,
                          "an allow rule may use '*' in the tool name only after a literal "
                          "mcp__SERVER__ prefix, such as mcp__github__*; name the tools to allow");
    bool whole_tool = parts->specifier == NULL
        || (parts->specifier_length == 1 && parts->specifier[0] == '*');
    if (!whole_tool)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "a tool name with '*' cannot take a specifier; write one rule per tool");
    return AG_OK;
}

/* Rejects blanks right before ')', which the author almost certainly did not mean. */
static ag_status check_specifier(const char *text, const ag_rule_parts *parts,
                                 ag_source_location location, ag_error **error)
{
    const char *spec = parts->specifier;
    size_t length = parts->specifier_length;

    if (length == 0)
        return rule_error(error, AG_ERR_RULE, text, location,
                          "empty specifier; write the bare tool name to match every use, "
                          "or put a pattern between the parentheses");
    if (is_blank(spec[length - 1]))
        return rule_error(error, AG_ERR_RULE, text, location,
                          "space before ')'; remove the space");
    return AG_OK;
}

/* ------------------------------------------------------ Bash patterns */

/*
 * Normalizes a Bash specifier: trims leading blanks, collapses each run of
 * spaces and tabs to one space, collapses runs of '*' (they match the same),
 * and rewrites a final legacy `:*` as ` *`. Returns a new string, or NULL
 * with *status set.
 */
static char *normalize_command_specifier(const char *text, const ag_rule_parts *parts,
                                         ag_source_location location, ag_status *status,
                                         ag_error **error)
{
    /* Normalizing never lengthens the specifier, so one allocation of its size is enough. */
    char *out = ag_malloc(parts->specifier_length + 1);
    if (out == NULL) {
        *status = ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }

    size_t length = 0;
    for (size_t i = 0; i < parts->specifier_length; i++) {
        char c = parts->specifier[i];
        char previous = length > 0 ? out[length - 1] : '\0';
        if (is_blank(c)) {
            if (length > 0 && previous != ' ')
                out[length++] = ' ';
        } else if (!(c == '*' && previous == '*')) {
            out[length++] = c;
        }
    }
    out[length] = '\0';

    if (length >= 2 && strcmp(out + length - 2, ":*") == 0) {
        if (length == 2 || out[length - 3] == ' ') {
            ag_free(out);
            *status = rule_error(error, AG_ERR_RULE, text, location, length == 2
                                 ? "':*' needs a command before it; write Bash to match every command"
                                 : "space before ':*'; remove the space");
            return NULL;
        }
        out[length - 2] = ' ';
    }
    return out;
}

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

pcre2_general_context *ag_rule_pcre2_context(void)
{
    return pcre2_general_context_create(pcre2_malloc_hook, pcre2_free_hook, NULL);
}

void ag_rule_append_literal(ag_buffer *regex, unsigned char c)
{
    static const char hex_digits[] = "0123456789abcdef";
    bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alphanumeric) {
        ag_buffer_append_char(regex, (char)c);
    } else if (c < 0x80) {
        char escaped[2] = {'\\', (char)c};
        ag_buffer_append(regex, escaped, sizeof(escaped));
    } else {
        char escaped[6] = {'\\', 'x', '{', hex_digits[c >> 4], hex_digits[c & 0xF], '}'};
        ag_buffer_append(regex, escaped, sizeof(escaped));
    }
}

/*
 * Translates a normalized specifier to a regex. `\A` and `\z` anchor both
 * ends, because `$` would also match before a final newline. Each `*` becomes
 * `[\s\S]*` so it crosses newlines. A final ` *` becomes `(?: [\s\S]*)?`, so
 * `ls *` matches `ls` and `ls -la` but not `lsof`.
 */
static bool build_regex(const char *specifier, ag_buffer *regex)
{
    size_t length = strlen(specifier);
    bool word_suffix = length >= 2 && strcmp(specifier + length - 2, " *") == 0;
    size_t body = word_suffix ? length - 2 : length;

    ag_buffer_append_string(regex, "\\A");
    for (size_t i = 0; i < body; i++) {
        if (specifier[i] == '*')
            ag_buffer_append_string(regex, "[\\s\\S]*");
        else
            ag_rule_append_literal(regex, (unsigned char)specifier[i]);
    }
    if (word_suffix)
        ag_buffer_append_string(regex, "(?: [\\s\\S]*)?");
    ag_buffer_append_string(regex, "\\z");
    return !regex->failed;
}

static ag_status compile_pattern(const char *text, ag_rule *rule, ag_error **error)
{
    ag_buffer regex;
    ag_buffer_init(&regex);
    if (!build_regex(rule->specifier, &regex)) {
        ag_buffer_release(&regex);
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }

    pcre2_general_context *general = ag_rule_pcre2_context();
    pcre2_compile_context *compile = general != NULL ? pcre2_compile_context_create(general) : NULL;
    int code = 0;
    PCRE2_SIZE offset = 0;
    if (compile != NULL) {
        rule->pattern = pcre2_compile((PCRE2_SPTR)regex.data, regex.length, PCRE2_NEVER_UTF,
                                      &code, &offset, compile);
    }
    pcre2_compile_context_free(compile);
    pcre2_general_context_free(general);

    if (compile == NULL || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_NOMEMORY
        || code == PCRE2_ERROR_HEAP_FAILED) {
        ag_buffer_release(&regex);
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    if (rule->pattern == NULL) {
        PCRE2_UCHAR message[AG_PCRE2_MESSAGE_SIZE];
        pcre2_get_error_message(code, message, sizeof(message));
        ag_buffer_release(&regex);
        return rule_error(error, AG_ERR_PATTERN, text, rule->location,
                          "PCRE2 failed to compile its pattern at offset %zu: %s; "
                          "shorten or split the rule", (size_t)offset, (const char *)message);
    }
    ag_buffer_release(&regex);
    return AG_OK;
}

/* Sets literal_form: one of the literal forms, else GLOB. */
static void classify_literal(ag_rule *rule)
{
    const char *specifier = rule->specifier;
    size_t length = strlen(specifier);
    size_t prefix = strlen(rule->literal_prefix);
    if (prefix == length) {
        rule->literal_form = AG_LITERAL_EXACT;
        rule->literal_length = prefix;
    } else if (prefix == length - 1 && prefix > 0 && specifier[prefix - 1] == ' ') {
        rule->literal_form = AG_LITERAL_WORD;
        rule->literal_length = prefix - 1;
    } else if (prefix == length - 1) {
        rule->literal_form = AG_LITERAL_PREFIX;
        rule->literal_length = prefix;
    } else {
        rule->literal_form = AG_LITERAL_GLOB;
        rule->literal_length = prefix;
        rule->glob_word_suffix = length >= 2 && strcmp(specifier + length - 2, " *") == 0;
        rule->glob_body_length = rule->glob_word_suffix ? length - 2 : length;
        /* The body has a `*` after the literal prefix, or the rule would have a literal form. */
        size_t last_run = rule->glob_body_length;
        while (specifier[last_run - 1] != '*')
            last_run--;
        rule->glob_last_run = last_run;
    }
}

static ag_status parse_command_rule(const char *text, const ag_rule_parts *parts,
                                    ag_rule *rule, ag_error **error)
{
    ag_status status = AG_OK;
    rule->specifier = normalize_command_specifier(text, parts, rule->location, &status, error);
    if (rule->specifier == NULL)
        return status;

    if (strcmp(rule->specifier, "*") == 0) {
        rule->kind = AG_RULE_TOOL;
        return AG_OK;
    }

    rule->kind = AG_RULE_COMMAND;
    size_t prefix = strcspn(rule->specifier, "*");
    rule->literal_prefix = ag_strndup(rule->specifier, prefix);
    if (rule->literal_prefix == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    classify_literal(rule);
    return AG_OK;
}

ag_status ag_rule_compile_command_regex(ag_rule *rule, ag_error **error)
{
    if (rule == NULL || rule->kind != AG_RULE_COMMAND || rule->literal_form == AG_LITERAL_NONE)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                            "not a Bash rule matched without PCRE2");
    ag_status status = compile_pattern(rule->text, rule, error);
    if (status == AG_OK)
        rule->literal_form = AG_LITERAL_NONE;
    return status;
}

/* ---------------------------------------------------------------- API */

/* Appends `value` in decimal, as printf's %u writes it. */
static void append_unsigned(ag_buffer *buffer, unsigned value)
{
    char digits[3 * sizeof(value)];
    size_t start = sizeof(digits);
    do {
        digits[--start] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    ag_buffer_append(buffer, digits + start, sizeof(digits) - start);
}

/* Formats "FILE:LINE:COLUMN" with appends, which cost far less than printf per rule. */
static char *format_source(ag_source_location location)
{
    ag_buffer source;
    ag_buffer_init(&source);
    ag_buffer_append_string(&source, location.file != NULL ? location.file : "<rule>");
    ag_buffer_append_char(&source, ':');
    append_unsigned(&source, location.line);
    ag_buffer_append_char(&source, ':');
    append_unsigned(&source, location.column);
    if (source.failed) {
        ag_buffer_release(&source);
        return NULL;
    }
    return source.data;
}

static ag_status fill_rule(const char *text, const ag_rule_parts *parts, ag_rule *rule,
                           ag_error **error)
{
    rule->text = ag_strdup(text);
    rule->tool = ag_strndup(parts->tool, parts->tool_length);
    rule->source = format_source(rule->location);
    if (rule->text == NULL || rule->tool == NULL || rule->source == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    bool whole_tool = parts->specifier == NULL
        || (parts->specifier_length == 1 && parts->specifier[0] == '*');
    if (!whole_tool) {
        bool handled = false;
        ag_status status = ag_rule_parse_param(text, parts->specifier, parts->specifier_length,
                                               rule, &handled, error);
        if (status != AG_OK || handled)
            return status;
    }
    if (strcmp(rule->tool, "Bash") == 0 && !whole_tool)
        return parse_command_rule(text, parts, rule, error);

    if (whole_tool) {
        rule->kind = AG_RULE_TOOL;
        return AG_OK;
    }
    rule->kind = AG_RULE_SPECIFIER;
    rule->specifier = ag_strndup(parts->specifier, parts->specifier_length);
    if (rule->specifier == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    /* Path and domain specifiers are compiled now, so a bad one fails the load. */
    if (strcmp(rule->tool, "Read") == 0 || strcmp(rule->tool, "Edit") == 0)
        return ag_path_rule_compile(rule, error);
    if (strcmp(rule->tool, "WebFetch") == 0)
        return ag_domain_rule_compile(rule, error);
    return ag_rule_compile_specifier(rule, error);
}

ag_status ag_rule_parse(const char *text, ag_decision decision,
                        ag_source_location location, ag_rule *rule,
                        ag_error **error)
{
    ag_status status = ag_rule_parse_unjitted(text, decision, location, rule, error);
    if (status == AG_OK)
        ag_rule_jit(rule);
    return status;
}

void ag_rule_jit(ag_rule *rule)
{
    /*
     * Without JIT, pcre2_match() falls back to the interpreter: slower, and a
     * partial match (hard) of an empty subject gives no match where JIT gives
     * a partial match (PCRE2 10.42). So every regex of a policy is
     * JIT-compiled, for full matches at least. Literal Bash forms and plain path globs have no regex: they match by
     * comparing bytes (match.c, paths.c), exactly as their JIT-compiled regex
     * would. JIT costs about 75,000 instructions per Bash rule: 5.0M of the
     * 7.7M of one `agentguard hook claude` run with the default policy
     * (callgrind).
     */
    if (rule->pattern != NULL && rule->kind == AG_RULE_COMMAND) {
        pcre2_jit_compile(rule->pattern, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    } else if (rule->pattern != NULL) {
        pcre2_jit_compile(rule->pattern, PCRE2_JIT_COMPLETE);    /* forms.c: full matches only */
    }
    /*
     * Path globs run partial matches only for tree effects (paths.c), so those
     * take the interpreter: JIT for both modes costs about twice as much as
     * for full matches, 90,000 more instructions per rule (callgrind, PCRE2
     * 10.42). match_glob() in paths.c handles the empty subject, where the
     * interpreter differs from JIT.
     */
    if (rule->path_pattern != NULL)
        pcre2_jit_compile(rule->path_pattern, PCRE2_JIT_COMPLETE);
}

ag_status ag_rule_parse_unjitted(const char *text, ag_decision decision,
                                 ag_source_location location, ag_rule *rule,
                                 ag_error **error)
{
    if (rule == NULL)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0, "rule output is NULL");
    memset(rule, 0, sizeof(*rule));
    rule->decision = decision;
    rule->location = location;
    if (text == NULL)
        return ag_error_set(error, AG_ERR_ARGUMENT, location.file, location.line,
                            location.column, "rule text is NULL");

    ag_status status = check_bytes(text, location, error);
    if (status != AG_OK)
        return status;
    if (text[strspn(text, " \t")] == '\0')
        return rule_error(error, AG_ERR_RULE, text, location,
                          "empty rule; write a tool name such as Bash or a rule such as "
                          "Bash(git status)");

    ag_rule_parts parts;
    status = split_rule(text, location, &parts, error);
    if (status == AG_OK)
        status = check_tool(text, &parts, decision, location, error);
    if (status == AG_OK && parts.specifier != NULL)
        status = check_specifier(text, &parts, location, error);
    if (status == AG_OK)
        status = fill_rule(text, &parts, rule, error);

    if (status != AG_OK)
        ag_rule_clear(rule);
    return status;
}

void ag_rule_clear(ag_rule *rule)
{
    if (rule == NULL)
        return;
    ag_free(rule->text);
    ag_free(rule->tool);
    ag_free(rule->specifier);
    ag_free(rule->literal_prefix);
    ag_free(rule->source);
    pcre2_code_free(rule->pattern);
    pcre2_code_free(rule->path_pattern);
    ag_free(rule->domain);
    ag_free(rule->param);

    ag_decision decision = rule->decision;
    ag_source_location location = rule->location;
    memset(rule, 0, sizeof(*rule));
    rule->decision = decision;
    rule->location = location;
}
