/*
 * Check-time matching of the rule forms in lib/rules/forms.c: param rules
 * (Tool(param:value)) and specifier rules over a tool's primary field.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eval/eval.h"
#include "policy/forms.h"
#include "rules/paths.h"

/*
 * Returns the text a param rule compares for a top-level field: a string as
 * it is, a number, boolean or null as its JSON text. Arrays and objects are
 * not scalars and give NULL, as does an absent field.
 */
static const char *scalar_field_text(ag_checker *checker, const ag_json_member *value,
                                     size_t *length)
{
    if (value->type == AG_JSON_STRING) {
        *length = value->string_length;
        return value->string;
    }
    const char *text = NULL;
    if (value->type == AG_JSON_TRUE)
        text = "true";
    else if (value->type == AG_JSON_FALSE)
        text = "false";
    else if (value->type == AG_JSON_NULL)
        text = "null";
    else if (value->type == AG_JSON_INTEGER)
        text = ag_arena_printf(&checker->arena, "%" PRId64, value->integer);
    else if (value->type == AG_JSON_REAL)
        text = ag_arena_printf(&checker->arena, "%.17g", value->real);
    if (text != NULL)
        *length = strlen(text);
    return text;
}

static ag_match match_param(ag_checker *checker, const ag_rule *rule,
                            const ag_json_document *input)
{
    const ag_json_member *value = ag_json_get(input, rule->param);
    if (value == NULL || value->type == AG_JSON_ARRAY || value->type == AG_JSON_OBJECT)
        return AG_MATCH_NO;    /* an omitted parameter never matches */
    /* A real this large may be an integer beyond 64 bits read as a real
     * (parse_with_jansson() in lib/core/json.c), whose JSON text is no longer known. */
    if (value->type == AG_JSON_REAL && (value->real >= 0x1p63 || value->real <= -0x1p63))
        return AG_MATCH_MAYBE;

    size_t length = 0;
    const char *text = scalar_field_text(checker, value, &length);
    if (text == NULL)
        return AG_MATCH_MAYBE;    /* out of memory: deny and ask rules still apply */
    return ag_rule_match_value(rule, text, length, checker->match_data);
}

/* Returns whether a value starts with `scheme://` for a scheme other than file. */
static bool is_network_url(const char *text, size_t length)
{
    size_t i = 0;
    while (i < length && (isalnum((unsigned char)text[i]) || strchr("+-.", text[i]) != NULL))
        i++;
    if (i == 0 || !isalpha((unsigned char)text[0]) || length - i < 3
        || memcmp(text + i, "://", 3) != 0)
        return false;
    return !(i == 4 && strncasecmp(text, "file", 4) == 0);
}

/*
 * Returns whether a field value reads as a file path: it starts with "~" or
 * has a "/". A URL such as https://host/x is no path, because its "//" is
 * part of the syntax, but a file:// URL counts as one.
 */
static bool looks_like_path(const char *text, size_t length)
{
    if (is_network_url(text, length))
        return false;
    return (length > 0 && text[0] == '~') || memchr(text, '/', length) != NULL;
}

/*
 * Returns whether a path-like value has one spelling only: no "~" start, no
 * NUL byte, and no empty, "." or ".." component (so no "//", "/./", "/../"
 * or trailing "/"), and no /proc or /dev/fd alias.
 */
static bool path_is_normal(const char *text, size_t length)
{
    if (length == 0 || text[0] == '~' || memchr(text, '\0', length) != NULL)
        return false;
    if (length == 1 && text[0] == '/')
        return true;

    size_t start = text[0] == '/' ? 1 : 0;
    while (start <= length) {
        const char *slash = memchr(text + start, '/', length - start);
        size_t end = slash != NULL ? (size_t)(slash - text) : length;
        size_t size = end - start;
        if (size == 0 || (size == 1 && text[start] == '.')
            || (size == 2 && text[start] == '.' && text[start + 1] == '.'))
            return false;
        start = end + 1;
    }
    return text[0] != '/' || ag_path_alias_part(text) == NULL;
}

static ag_match match_text(ag_checker *checker, const ag_rule *rule, const char *text)
{
    if (text == NULL || ag_path_lookup_failed(text) || strchr(text, AG_DYNAMIC_MARK) != NULL)
        return AG_MATCH_MAYBE;
    return ag_rule_match_value(rule, text, strlen(text), checker->match_data);
}

static ag_match stronger(ag_match a, ag_match b)
{
    return a > b ? a : b;
}

/*
 * Matches a specifier rule against a field value that reads as a path. The
 * server opens the path, so "..", "//", "~" and links can lead away from the
 * written text. An allow rule needs a value in normal form that matches as
 * written and where its links lead. A deny or ask rule applies when the
 * value as written, its normalized form (with "~" as the home directory) or
 * where that leads matches. A form that cannot be known gives MAYBE.
 */
static ag_match match_path_value(ag_checker *checker, const ag_rule *rule, const char *text,
                                 size_t length)
{
    ag_arena *arena = &checker->arena;
    ag_match written = ag_rule_match_value(rule, text, length, checker->match_data);
    bool absolute = text[0] == '/' || text[0] == '~';
    bool normal = path_is_normal(text, length);

    if (rule->decision == AG_ALLOW) {
        if (!normal || written != AG_MATCH_YES)
            return AG_MATCH_NO;
        /* NOTE: a relative value is relative to the server's unknown cwd, so its links
         * cannot be followed here; policy.md advises absolute allow globs. */
        const char *target = text[0] == '/' ? ag_path_link_target(arena, &checker->lookups, text)
                                            : NULL;
        return target == NULL || match_text(checker, rule, target) == AG_MATCH_YES
                   ? AG_MATCH_YES : AG_MATCH_NO;
    }

    if (!absolute || memchr(text, '\0', length) != NULL)
        return written;
    ag_path_context none = {NULL, NULL, NULL, NULL};
    ag_path_context context = {NULL, NULL, NULL, NULL};
    if (checker->home != NULL)
        context.home = ag_path_normalize(arena, &none, checker->home, strlen(checker->home));
    const char *normalized = ag_path_normalize(arena, &context, text, length);
    if (normalized == NULL || normalized[0] != '/')
        return stronger(written, AG_MATCH_MAYBE);    /* out of memory, or "~" with no home */
    if (ag_path_alias_part(normalized) != NULL)
        return stronger(written, AG_MATCH_MAYBE);

    ag_match result = stronger(written, match_text(checker, rule, normalized));
    const char *target = ag_path_link_target(arena, &checker->lookups, normalized);
    if (target != NULL)
        result = stronger(result, match_text(checker, rule, target));
    return result;
}

/*
 * A specifier rule globs the tool's primary field. With no primary field, a
 * missing field or one that is not a string, the rule cannot be evaluated:
 * MAYBE, so a deny or ask rule still makes the call ask and an allow rule
 * does not apply. A value that reads as a path is matched as a path
 * (match_path_value()).
 */
static ag_match match_specifier(ag_checker *checker, const ag_rule *rule, const char *tool,
                                const ag_json_document *input)
{
    const char *field = ag_policy_primary_field(checker->policy, tool);
    size_t length = 0;
    const char *text = field != NULL ? ag_json_get_string(input, field, &length) : NULL;
    if (text == NULL)
        return AG_MATCH_MAYBE;

    if (looks_like_path(text, length))
        return match_path_value(checker, rule, text, length);
    return ag_rule_match_value(rule, text, length, checker->match_data);
}

ag_match ag_eval_match_input(ag_checker *checker, const ag_rule *rule, const char *tool,
                             const ag_json_document *input)
{
    if (rule->kind == AG_RULE_TOOL)
        return AG_MATCH_YES;
    if (rule->kind == AG_RULE_PARAM)
        return match_param(checker, rule, input);
    if (rule->kind == AG_RULE_SPECIFIER && rule->pattern != NULL)
        return match_specifier(checker, rule, tool, input);
    return AG_MATCH_MAYBE;
}

ag_status ag_eval_bash_params(ag_checker *checker, const ag_json_document *input)
{
    const ag_policy *policy = checker->policy;
    ag_rule_findings findings = {0};
    checker->explain_sink = &checker->verdict.matches;
    for (size_t i = 0; i < policy->rule_count && !ag_findings_done(checker, &findings); i++) {
        const ag_rule *rule = &policy->rules[i];
        if (rule->kind != AG_RULE_PARAM || !ag_rule_tool_matches(rule, "Bash"))
            continue;
        ag_findings_note(checker, &findings, rule, match_param(checker, rule, input));
    }
    checker->explain_sink = NULL;

    /* Param rules only raise: a request that matches none keeps its verdict. */
    ag_verdict *verdict = &checker->verdict;
    const ag_rule *deciding = findings.deny != NULL ? findings.deny
                              : findings.deny_maybe != NULL ? findings.deny_maybe
                                                            : findings.ask;
    ag_decision decision = findings.deny != NULL ? AG_DENY : AG_ASK;
    if (deciding == NULL || verdict->decision >= decision)
        return AG_OK;

    verdict->decision = decision;
    verdict->rule = deciding;
    verdict->has_span = false;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the Bash call's \"%s\" field matches the %s rule %s (%s)",
                                      deciding->param, ag_decision_name(deciding->decision),
                                      deciding->text, deciding->source);
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}
