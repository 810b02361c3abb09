/*
 * Matching rules against tool names and Bash commands.
 */
#include <stdint.h>
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

/* Returns the offset of `needle` in `text` at or after `from`, or SIZE_MAX. */
static size_t find_bytes(const char *text, size_t length, size_t from, const char *needle,
                         size_t needle_length)
{
    while (from + needle_length <= length) {
        const char *first = memchr(text + from, needle[0], length - needle_length - from + 1);
        if (first == NULL)
            return SIZE_MAX;
        from = (size_t)(first - text);
        if (memcmp(first, needle, needle_length) == 0)
            return from;
        from++;
    }
    return SIZE_MAX;
}

/* Returns whether the text before `end` ends with `suffix`, after `start` (no overlap). */
static bool ends_with_at(const char *text, size_t end, size_t start, const char *suffix,
                         size_t suffix_length)
{
    return end >= start + suffix_length
           && memcmp(text + end - suffix_length, suffix, suffix_length) == 0;
}

/*
 * Matches a GLOB rule as its regex `\A S0 [\s\S]* S1 ... Sk (?: [\s\S]*)? \z`
 * would, where S0..Sk are the literal runs between the stars and the group
 * comes from a final " *". S0 must start the subject. Each middle run is
 * taken at its leftmost place after the one before, which is enough when
 * the only wildcard is `*`: a match that places a run later can place it
 * there too. Sk must then end the subject, or, with a final " *", end the
 * text before some space. The cost is linear in the subject for each run,
 * with no backtracking.
 */
static bool glob_rule_matches(const ag_rule *rule, const char *subject, size_t length)
{
    const char *specifier = rule->specifier;
    size_t first_run = rule->literal_length;
    if (length < first_run || memcmp(subject, specifier, first_run) != 0)
        return false;

    size_t last_star = rule->glob_last_run - 1;
    size_t at = first_run;
    for (size_t run = first_run + 1; run < last_star;) {
        size_t run_length = strcspn(specifier + run, "*");
        if (run_length > 0) {
            at = find_bytes(subject, length, at, specifier + run, run_length);
            if (at == SIZE_MAX)
                return false;
            at += run_length;
        }
        run += run_length + 1;
    }

    const char *last_run = specifier + rule->glob_last_run;
    size_t last_length = rule->glob_body_length - rule->glob_last_run;
    if (ends_with_at(subject, length, at, last_run, last_length))
        return true;
    if (!rule->glob_word_suffix)
        return false;
    for (size_t end = at + last_length; end < length; end++) {
        if (subject[end] == ' ' && ends_with_at(subject, end, at, last_run, last_length))
            return true;
    }
    return false;
}

/* Matches a rule in a form without PCRE2 as its regex would, byte for byte. */
static bool literal_matches(const ag_rule *rule, const char *subject, size_t length)
{
    if (rule->literal_form == AG_LITERAL_GLOB)
        return glob_rule_matches(rule, subject, length);

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
 * match a rule in a form without PCRE2. This is what a partial match (hard)
 * of its regex with JIT returns, an empty subject included. The PCRE2
 * interpreter instead returns no match for an empty subject. A GLOB has a
 * star right after its first run, so any text may follow that run.
 */
static bool literal_extends(const ag_rule *rule, const char *subject, size_t length)
{
    size_t literal = rule->literal_length;
    if (length <= literal)
        return memcmp(subject, rule->literal_prefix, length) == 0;
    if (rule->literal_form == AG_LITERAL_GLOB)
        return memcmp(subject, rule->literal_prefix, literal) == 0;
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
