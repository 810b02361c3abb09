/*
 * Matching rules against tool names and Bash commands.
 */
#include <string.h>

#include "rules/rules.h"

/* Matches `text` against `glob` as a whole; `*` matches any run of characters. */
static bool glob_matches(const char *glob, const char *text)
{
    const char *star = NULL;
    const char *resume = NULL;

    while (*text != '\0') {
        if (*glob == '*') {
            star = glob++;
            resume = text;
        } else if (*glob == *text) {
            glob++;
            text++;
        } else if (star != NULL) {
            glob = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*glob == '*')
        glob++;
    return *glob == '\0';
}

/* Returns whether `name` is `mcp__SERVER` with no tool part. */
static bool names_mcp_server(const char *name)
{
    if (strncmp(name, "mcp__", 5) != 0 || name[5] == '\0')
        return false;
    return strstr(name + 5, "__") == NULL;
}

/*
 * Returns whether an MCP tool name splits into server and tool in more than
 * one way. Claude Code names a tool `mcp__SERVER__TOOL`, and a server name
 * may contain "_" (a server `github.` becomes `github_`), so
 * `mcp__github__evil__x` is tool `evil__x` of `github` or tool `x` of
 * `github__evil`, and `mcp__github___x` may belong to `github_`.
 */
static bool mcp_name_is_ambiguous(const char *tool)
{
    if (strncmp(tool, "mcp__", 5) != 0)
        return false;
    const char *separator = strstr(tool + 5, "__");
    if (separator == NULL)
        return false;
    return separator[2] == '_' || strstr(separator + 2, "__") != NULL;
}

/* Claude Code renamed the Task tool to Agent; a rule for either name covers both. */
static bool is_agent_tool(const char *name)
{
    return strcmp(name, "Agent") == 0 || strcmp(name, "Task") == 0;
}

bool ag_rule_tool_matches(const ag_rule *rule, const char *tool)
{
    if (rule == NULL || rule->tool == NULL || tool == NULL)
        return false;

    /* An allow rule for one server must not reach a server whose name extends it. */
    if (rule->decision == AG_ALLOW && mcp_name_is_ambiguous(tool))
        return strcmp(rule->tool, tool) == 0;
    if (strchr(rule->tool, '*') != NULL)
        return glob_matches(rule->tool, tool);
    if (strcmp(rule->tool, tool) == 0)
        return true;
    if (is_agent_tool(rule->tool) && is_agent_tool(tool))
        return true;

    size_t length = strlen(rule->tool);
    return names_mcp_server(rule->tool) && strncmp(tool, rule->tool, length) == 0
        && strncmp(tool + length, "__", 2) == 0;
}

/*
 * Semantics, which the evaluator's security depends on:
 *
 * - The subject is the command's argv joined with single spaces, and each
 *   unknown part of a dynamic word is the byte AG_DYNAMIC_MARK. A rule's
 *   literals never contain that byte (ag_rule_parse() rejects control
 *   characters), so in a full match every mark is consumed by a `*`. Since
 *   `*` is `[\s\S]*`, any value of the unknown part still matches: YES is true
 *   for every value, which is what an allow rule needs. A dynamic word thus
 *   satisfies an allow rule only where it falls wholly inside a `*`.
 * - When the subject has a mark and does not match, the result is MAYBE if
 *   some value of the unknown parts could make it match. The test is a
 *   PCRE2_PARTIAL_HARD match of the text before the first mark: if that prefix
 *   cannot be extended to a match, no value can help, so NO is sound. When the
 *   mark starts a word, the space before it is cut too, because an unquoted
 *   expansion to the empty string removes the word and its separator
 *   (`rm -rf / $EMPTY` runs `rm -rf /`). The test over-approximates, which
 *   only turns some NO into MAYBE (stricter).
 * TODO(rule-matching): a YES does not consider a word that vanishes: with
 *   `Bash(git * main)`, `git $X main` is YES although an empty X runs
 *   `git main`, which the rule does not match literally.
 * - When the command name itself is dynamic (`name_dynamic`), a pattern rule
 *   never gives YES. A name may be dynamic without a mark (`~/bin/x` or
 *   `r*` keep their characters), so the prefix for the MAYBE test is cut at
 *   the first mark or the first character that could expand (glob, tilde,
 *   brace, extglob): `ma$X` cannot become `rm`, so `Bash(rm *)` gives NO.
 *   When no such character lies in the first word, the result is MAYBE.
 * - A Bash tool rule (`Bash`, `Bash(*)`, or a tool glob covering Bash such
 *   as `*`) matches every command: YES.
 * - Any PCRE2 failure (match limit, out of memory) gives MAYBE: an allow
 *   rule does not apply, a deny or ask rule makes the command ask at least.
 */
/* Characters after which a dynamic command name is unknown. */
#define AG_EXPANDING_CHARACTERS "\x01*?[]~{}!@+()"

/* Matches a rule in a literal form as its regex would, byte for byte. */
static bool literal_matches(const ag_rule *rule, const char *subject, size_t length)
{
    size_t literal = rule->literal_length;
    if (length < literal || memcmp(subject, rule->literal_prefix, literal) != 0)
        return false;
    switch (rule->literal_form) {
    case AG_LITERAL_EXACT:
        return length == literal;
    case AG_LITERAL_PREFIX:
        return true;
    case AG_LITERAL_WORD:
        return length == literal || subject[literal] == ' ';
    default:
        return false;
    }
}

/*
 * Returns whether some text appended to the `length` bytes of `subject` would
 * match a rule in a literal form. This is what a partial match (hard) of its
 * regex with JIT returns, an empty subject included; the PCRE2 interpreter
 * instead returns no match for an empty subject.
 */
static bool literal_extends(const ag_rule *rule, const char *subject, size_t length)
{
    size_t literal = rule->literal_length;
    if (length <= literal)
        return memcmp(subject, rule->literal_prefix, length) == 0;
    return rule->literal_form != AG_LITERAL_EXACT && literal_matches(rule, subject, length);
}

/*
 * Returns MAYBE when the first `cut` bytes of the subject (less a space right
 * before the cut) could be extended to a match, and NO when they cannot.
 */
static ag_match match_prefix(const ag_rule *rule, const char *subject, size_t cut,
                             pcre2_match_data *match_data)
{
    if (cut > 0 && subject[cut - 1] == ' ')
        cut--;
    if (rule->literal_form != AG_LITERAL_NONE)
        return literal_extends(rule, subject, cut) ? AG_MATCH_MAYBE : AG_MATCH_NO;
    int rc = pcre2_match(rule->pattern, (PCRE2_SPTR)subject, cut, 0, PCRE2_PARTIAL_HARD,
                         match_data, NULL);
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

/* Returns the offset of the first byte of `set` in the subject, or `length`. */
static size_t find_any(const char *subject, size_t length, const char *set)
{
    for (size_t i = 0; i < length; i++) {
        if (subject[i] != '\0' && strchr(set, subject[i]) != NULL)
            return i;
    }
    return length;
}

ag_match ag_rule_match_command(const ag_rule *rule, const char *subject,
                               size_t length, bool name_dynamic,
                               pcre2_match_data *match_data)
{
    if (rule == NULL)
        return AG_MATCH_MAYBE;
    if (rule->kind == AG_RULE_TOOL)
        return ag_rule_tool_matches(rule, "Bash") ? AG_MATCH_YES : AG_MATCH_NO;
    if (rule->kind != AG_RULE_COMMAND)
        return AG_MATCH_NO;
    bool matchable = rule->pattern != NULL || rule->literal_form != AG_LITERAL_NONE;
    if (!matchable || match_data == NULL || (subject == NULL && length > 0))
        return AG_MATCH_MAYBE;
    if (subject == NULL)
        subject = "";

    if (name_dynamic) {
        /* The cut must fall inside the first word, or the name may be unknown as a whole. */
        size_t cut = find_any(subject, length, AG_EXPANDING_CHARACTERS);
        size_t first_space = find_any(subject, length, " ");
        if (cut == length || cut > first_space)
            return AG_MATCH_MAYBE;
        return match_prefix(rule, subject, cut, match_data);
    }

    /* TODO(rule-cost): a match that backtracks up to PCRE2's default match
     * limit fails closed (MAYBE) but takes about 20 ms, and nothing bounds
     * their sum: 900 `echo baaa…` commands (200 bytes each) against a rule
     * with 40 stars took 20 s. timeout_ms covers only the parse. */
    int rc = rule->literal_form != AG_LITERAL_NONE
                 ? (literal_matches(rule, subject, length) ? 0 : PCRE2_ERROR_NOMATCH)
                 : pcre2_match(rule->pattern, (PCRE2_SPTR)subject, length, 0, 0, match_data,
                               NULL);
    if (rc >= 0)
        return AG_MATCH_YES;
    if (rc != PCRE2_ERROR_NOMATCH)
        return AG_MATCH_MAYBE;

    const char *mark = memchr(subject, AG_DYNAMIC_MARK, length);
    if (mark == NULL)
        return AG_MATCH_NO;

    return match_prefix(rule, subject, (size_t)(mark - subject), match_data);
}

/* Rule patterns have no capture groups, so one ovector pair is enough. */
pcre2_match_data *ag_rule_match_data_new(void)
{
    pcre2_general_context *general = ag_rule_pcre2_context();
    if (general == NULL)
        return NULL;
    pcre2_match_data *data = pcre2_match_data_create(1, general);
    pcre2_general_context_free(general);
    return data;
}
