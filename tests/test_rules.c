/*
 * Tests of rule parsing, tool-name matching and Bash command matching,
 * against real PCRE2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

static const ag_source_location test_location = {"rules.yaml", 3, 5};

/* Parses a rule that must be valid. The caller clears it. */
static void parse_ok(const char *text, ag_decision decision, ag_rule *rule)
{
    ag_error *error = NULL;
    ag_status status = ag_rule_parse(text, decision, test_location, rule, &error);
    if (status != AG_OK)
        fail_msg("rule \"%s\" was rejected: %s", text, ag_error_message(error));
    assert_null(error);
}

/* Parses a rule that must be rejected with `code` and a message containing `expected`. */
static void parse_fails(const char *text, ag_decision decision, ag_status code,
                        const char *expected)
{
    ag_rule rule;
    ag_error *error = NULL;
    ag_status status = ag_rule_parse(text, decision, test_location, &rule, &error);
    if (status == AG_OK)
        fail_msg("rule \"%s\" was accepted", text);
    assert_int_equal(status, code);
    assert_non_null(error);
    assert_int_equal(ag_error_code(error), code);
    if (strstr(ag_error_message(error), expected) == NULL)
        fail_msg("message for \"%s\" lacks \"%s\": %s", text, expected, ag_error_message(error));
    assert_string_equal(ag_error_file(error), "rules.yaml");
    assert_int_equal(ag_error_line(error), 3);
    assert_int_equal(ag_error_column(error), 5);
    assert_null(rule.text);
    assert_null(rule.pattern);
    ag_error_free(error);
}

/* ------------------------------------------------------------ parsing */

static void test_parse_bare_tools(void **state)
{
    (void)state;
    const char *tools[] = {"Bash", "WebFetch", "Read", "mcp__server__tool", "mcp__server",
                           "my-tool_2"};
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        ag_rule rule;
        parse_ok(tools[i], AG_ALLOW, &rule);
        assert_int_equal(rule.kind, AG_RULE_TOOL);
        assert_string_equal(rule.tool, tools[i]);
        assert_string_equal(rule.text, tools[i]);
        assert_null(rule.specifier);
        assert_null(rule.pattern);
        assert_string_equal(rule.source, "rules.yaml:3:5");
        assert_int_equal(rule.decision, AG_ALLOW);
        ag_rule_clear(&rule);
    }
}

static void test_parse_star_specifier_is_tool(void **state)
{
    (void)state;
    const char *rules[] = {"Bash(*)", "Read(*)", "Bash(\t*)"};
    const char *tools[] = {"Bash", "Read", "Bash"};
    for (size_t i = 0; i < 3; i++) {
        ag_rule rule;
        parse_ok(rules[i], AG_DENY, &rule);
        assert_int_equal(rule.kind, AG_RULE_TOOL);
        assert_string_equal(rule.tool, tools[i]);
        assert_string_equal(rule.text, rules[i]);
        ag_rule_clear(&rule);
    }
}

static void test_parse_command_rule(void **state)
{
    (void)state;
    ag_rule rule;
    parse_ok("Bash(npm run build)", AG_ALLOW, &rule);
    assert_int_equal(rule.kind, AG_RULE_COMMAND);
    assert_string_equal(rule.tool, "Bash");
    assert_string_equal(rule.specifier, "npm run build");
    assert_string_equal(rule.literal_prefix, "npm run build");
    assert_int_equal(rule.literal_form, AG_LITERAL_EXACT);
    assert_null(rule.pattern);    /* a literal form matches without PCRE2 */
    ag_rule_clear(&rule);
    assert_null(rule.text);

    /* A glob matches without PCRE2 too; tests compile its regex on request. */
    parse_ok("Bash(git * status)", AG_ALLOW, &rule);
    assert_int_equal(rule.literal_form, AG_LITERAL_GLOB);
    assert_null(rule.pattern);
    assert_int_equal(ag_rule_compile_command_regex(&rule, NULL), AG_OK);
    assert_int_equal(rule.literal_form, AG_LITERAL_NONE);
    assert_non_null(rule.pattern);
    ag_rule_clear(&rule);
    assert_null(rule.pattern);
}

static void test_parse_normalizes_whitespace(void **state)
{
    (void)state;
    ag_rule rule;
    parse_ok("Bash(  git\t\tcommit   -m *)", AG_ALLOW, &rule);
    assert_string_equal(rule.specifier, "git commit -m *");
    assert_string_equal(rule.literal_prefix, "git commit -m ");
    assert_string_equal(rule.text, "Bash(  git\t\tcommit   -m *)");
    ag_rule_clear(&rule);
}

static void test_parse_legacy_suffix(void **state)
{
    (void)state;
    ag_rule rule;
    parse_ok("Bash(ls:*)", AG_ALLOW, &rule);
    assert_int_equal(rule.kind, AG_RULE_COMMAND);
    assert_string_equal(rule.specifier, "ls *");
    assert_string_equal(rule.literal_prefix, "ls ");
    ag_rule_clear(&rule);

    parse_ok("Bash(git:* push)", AG_ALLOW, &rule);
    assert_string_equal(rule.specifier, "git:* push");
    assert_string_equal(rule.literal_prefix, "git:");
    ag_rule_clear(&rule);
}

static void test_parse_other_specifiers(void **state)
{
    (void)state;
    const char *rules[] = {"WebFetch(domain:example.com)", "Read(~/.ssh/**)", "Edit(/src/*.c)",
                           "Agent(Explore)"};
    const char *tools[] = {"WebFetch", "Read", "Edit", "Agent"};
    const char *specifiers[] = {"domain:example.com", "~/.ssh/**", "/src/*.c", "Explore"};
    for (size_t i = 0; i < 4; i++) {
        ag_rule rule;
        parse_ok(rules[i], AG_DENY, &rule);
        assert_int_equal(rule.kind, AG_RULE_SPECIFIER);
        assert_string_equal(rule.tool, tools[i]);
        assert_string_equal(rule.specifier, specifiers[i]);
        /* Agent(Explore) globs the primary field "subagent_type", so it has a pattern. */
        if (i < 3)
            assert_null(rule.pattern);
        else
            assert_non_null(rule.pattern);
        ag_rule_clear(&rule);
    }
}

static void test_parse_tool_globs(void **state)
{
    (void)state;
    struct {
        const char *text;
        ag_decision decision;
    } accepted[] = {
        {"*", AG_DENY}, {"mcp__*", AG_ASK}, {"mcp__github__*", AG_ALLOW},
        {"mcp__github__get_*", AG_ALLOW}, {"mcp__*(*)", AG_DENY},
    };
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        ag_rule rule;
        parse_ok(accepted[i].text, accepted[i].decision, &rule);
        assert_int_equal(rule.kind, AG_RULE_TOOL);
        ag_rule_clear(&rule);
    }

    const char *anchored = "may use '*' in the tool name only after a literal mcp__SERVER__";
    parse_fails("*", AG_ALLOW, AG_ERR_RULE, anchored);
    parse_fails("mcp__*", AG_ALLOW, AG_ERR_RULE, anchored);
    parse_fails("B*", AG_ALLOW, AG_ERR_RULE, anchored);
    parse_fails("mcp__git*__get", AG_ALLOW, AG_ERR_RULE, anchored);
    parse_fails("mcp____*", AG_ALLOW, AG_ERR_RULE, anchored);
    parse_fails("mcp__*(rm *)", AG_DENY, AG_ERR_RULE, "cannot take a specifier");
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_fails("", AG_ALLOW, AG_ERR_RULE, "empty rule");
    parse_fails(" \t ", AG_DENY, AG_ERR_RULE, "empty rule");
    parse_fails("Bash(ls", AG_ALLOW, AG_ERR_RULE, "missing ')'");
    parse_fails("Bash)ls(", AG_ALLOW, AG_ERR_RULE, "')' before '('");
    parse_fails("Bash ls)", AG_ALLOW, AG_ERR_RULE, "')' without '('");
    parse_fails("Bash(echo (x))", AG_ALLOW, AG_ERR_RULE, "nested or unbalanced parentheses");
    parse_fails("Bash(ls))", AG_DENY, AG_ERR_RULE, "nested or unbalanced parentheses");
    parse_fails("Bash(ls)(x)", AG_DENY, AG_ERR_RULE, "nested or unbalanced parentheses");
    parse_fails("Bash(ls) -la", AG_ALLOW, AG_ERR_RULE, "text after ')'");
    parse_fails("Bash()", AG_ALLOW, AG_ERR_RULE, "empty specifier");
    parse_fails("Bash(git rebase :* )", AG_ALLOW, AG_ERR_RULE, "space before ')'; remove the space");
    parse_fails("Bash(ls )", AG_DENY, AG_ERR_RULE, "space before ')'; remove the space");
    parse_fails("Bash( )", AG_DENY, AG_ERR_RULE, "space before ')'");
    parse_fails("Bash(git rebase :*)", AG_ALLOW, AG_ERR_RULE, "space before ':*'; remove the space");
    parse_fails("Bash(:*)", AG_ALLOW, AG_ERR_RULE, "':*' needs a command before it");
    parse_fails("(ls)", AG_ALLOW, AG_ERR_RULE, "missing tool name");
    parse_fails("Bash (ls)", AG_ALLOW, AG_ERR_RULE, "invalid character ' ' in the tool name");
    parse_fails("Bash (ls)", AG_ALLOW, AG_ERR_RULE, "(remove the space)");
    parse_fails("Bash.exe", AG_ALLOW, AG_ERR_RULE, "invalid character '.' in the tool name");
    parse_fails("caf\xc3\xa9", AG_DENY, AG_ERR_RULE, "invalid byte 0xC3 in the tool name");
    parse_fails("Bash(echo \x01)", AG_ALLOW, AG_ERR_RULE, "control character 0x01 at byte 10");
    parse_fails("Bash(echo \x01)", AG_ALLOW, AG_ERR_RULE, "\"Bash(echo \\x01)\"");
    parse_fails("Bash(ls\n)", AG_ALLOW, AG_ERR_RULE, "control character 0x0A");
    parse_fails("Bash(ls\x7f)", AG_ALLOW, AG_ERR_RULE, "control character 0x7F");
}

static void test_parse_quotes_rule_in_message(void **state)
{
    (void)state;
    parse_fails("Bash(git rebase :* )", AG_ALLOW, AG_ERR_RULE,
                "rules.yaml:3:5: error[AG_ERR_RULE]: invalid rule \"Bash(git rebase :* )\": ");
    parse_fails("Bash(say \"hi\")x", AG_ALLOW, AG_ERR_RULE, "\"Bash(say \\\"hi\\\")x\"");
}

static void test_parse_long_glob_rule(void **state)
{
    (void)state;
    /*
     * A 200 KB rule with a '*' in the middle is a GLOB, matched without
     * PCRE2, so the size limit of a compiled pattern (64 KiB with PCRE2's
     * default link size) does not apply to it.
     */
    size_t length = 200000;
    char *text = test_malloc(length + 8);
    memcpy(text, "Bash(", 5);
    memset(text + 5, 'a', length);
    text[5 + length / 2] = '*';
    strcpy(text + 5 + length, ")");

    ag_rule rule;
    ag_error *error = NULL;
    assert_int_equal(ag_rule_parse(text, AG_ALLOW, test_location, &rule, &error), AG_OK);
    assert_int_equal(rule.literal_form, AG_LITERAL_GLOB);
    assert_null(rule.pattern);
    pcre2_match_data *match_data = ag_rule_match_data_new();
    char *subject = test_malloc(length + 2);
    memset(subject, 'a', length + 1);
    assert_int_equal(ag_rule_match_command(&rule, subject, length + 1, false, match_data),
                     AG_MATCH_YES);
    assert_int_equal(ag_rule_match_command(&rule, subject, length - 2, false, match_data),
                     AG_MATCH_NO);

    /* Its regex is over PCRE2's size limit. */
    assert_int_equal(ag_rule_compile_command_regex(&rule, &error), AG_ERR_PATTERN);
    assert_non_null(strstr(ag_error_message(error), "too large"));
    ag_error_free(error);
    pcre2_match_data_free(match_data);
    ag_rule_clear(&rule);
    test_free(subject);
    test_free(text);
}

/*
 * A rule with many stars against a subject that almost matches: the regex
 * backtracks until PCRE2's match limit stops it, while the GLOB matcher
 * decides in one pass per literal run. The match limit's MAYBE would ask
 * even where no value could match.
 */
static void test_glob_rule_many_stars(void **state)
{
    (void)state;
    char text[256] = "Bash(echo ";
    for (int i = 0; i < 40; i++)
        strcat(text, "*a");
    strcat(text, "*b)");
    ag_rule rule;
    parse_ok(text, AG_DENY, &rule);
    assert_int_equal(rule.literal_form, AG_LITERAL_GLOB);

    char subject[512] = "echo ";
    memset(subject + 5, 'a', 400);
    subject[405] = '\0';
    pcre2_match_data *match_data = ag_rule_match_data_new();
    assert_int_equal(ag_rule_match_command(&rule, subject, strlen(subject), false, match_data),
                     AG_MATCH_NO);
    subject[404] = 'b';
    assert_int_equal(ag_rule_match_command(&rule, subject, strlen(subject), false, match_data),
                     AG_MATCH_YES);
    pcre2_match_data_free(match_data);
    ag_rule_clear(&rule);
}

static void test_parse_rejects_null(void **state)
{
    (void)state;
    ag_rule rule;
    ag_error *error = NULL;
    assert_int_equal(ag_rule_parse(NULL, AG_ALLOW, test_location, &rule, &error), AG_ERR_ARGUMENT);
    ag_error_free(error);
    assert_int_equal(ag_rule_parse("Bash", AG_ALLOW, test_location, NULL, NULL), AG_ERR_ARGUMENT);
}

/* ------------------------------------------------------- tool matching */

/*
 * The regex result that ag_rule_match_command() gives for a subject whose
 * dynamic words are marked, with the pattern JIT-compiled as before literal
 * forms existed: a full match, else a partial match (hard) up to the mark.
 */
static ag_match regex_result(const ag_rule *rule, const char *subject, size_t length,
                             pcre2_match_data *match_data)
{
    int rc = pcre2_match(rule->pattern, (PCRE2_SPTR)subject, length, 0, 0, match_data, NULL);
    if (rc >= 0)
        return AG_MATCH_YES;
    const char *mark = memchr(subject, '\x01', length);
    if (mark == NULL)
        return AG_MATCH_NO;
    size_t cut = (size_t)(mark - subject);
    if (cut > 0 && subject[cut - 1] == ' ')
        cut--;
    rc = pcre2_match(rule->pattern, (PCRE2_SPTR)subject, cut, 0, PCRE2_PARTIAL_HARD,
                     match_data, NULL);
    return rc == PCRE2_ERROR_NOMATCH ? AG_MATCH_NO : AG_MATCH_MAYBE;
}

/* Literal forms match without PCRE2: they must agree with the JIT-compiled regex. */
static void test_literal_forms_match_regex(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        ag_literal_form form;
    } rules[] = {
        {"Bash(git status)", AG_LITERAL_EXACT},   {"Bash(git status *)", AG_LITERAL_WORD},
        {"Bash(git status:*)", AG_LITERAL_WORD},  {"Bash(git status*)", AG_LITERAL_PREFIX},
        {"Bash(ls  -la  *)", AG_LITERAL_WORD},    {"Bash(a.b[c] $x *)", AG_LITERAL_WORD},
        {"Bash(git * status)", AG_LITERAL_GLOB},  {"Bash(* status)", AG_LITERAL_GLOB},
        {"Bash(git**)", AG_LITERAL_PREFIX},       {"Bash(rm -rf /*)", AG_LITERAL_PREFIX},
        {"Bash(ls *)", AG_LITERAL_WORD},          {"Bash(x)", AG_LITERAL_EXACT},
        {"Bash(git * status *)", AG_LITERAL_GLOB},
        {"Bash(* * *)", AG_LITERAL_GLOB},         {"Bash(*s*)", AG_LITERAL_GLOB},
        {"Bash(g*t*s *)", AG_LITERAL_GLOB},       {"Bash(**status)", AG_LITERAL_GLOB},
        {"Bash(git *s*t*)", AG_LITERAL_GLOB},     {"Bash(rm * -rf *)", AG_LITERAL_GLOB},
        {"Bash(a.b[c] * $x)", AG_LITERAL_GLOB},   {"Bash(ls * -la)", AG_LITERAL_GLOB},
        {"Bash(git status ** *)", AG_LITERAL_GLOB}, {"Bash(*status *)", AG_LITERAL_GLOB},
    };
    static const char *subjects[] = {
        "", "g", "git", "git status", "git status ", "git status -s", "git statuses",
        "git status\n", "git status\t-s", "git  status", "ls -la", "ls -la x", "ls -lax",
        "a.b[c] $x", "a.b[c] $x y", "abbc] $x", "rm -rf /", "rm -rf /tmp", "git x status",
        "\x01", " \x01", "g\x01", "git\x01", "git \x01", "git stat\x01", "git status\x01",
        "git status \x01", "git status -s\x01", "gitx\x01", "ls\x01", "ls \x01 -la",
        "ls -\x01", "lsof \x01", "x\x01", "x \x01", "rm -rf /\x01", "rm -rf \x01",
        "a.b[c] \x01", "a.b[c] $x \x01", "xyz\x01",
        "git x status y", "git x status", "git status status", "git x statusy", "git a s b t",
        "rm x -rf y", "rm -rf", "rm x -rf", "ls a -la", "ls -la -la", "status", "s", "x y z",
        "a.b[c] q $x", "git status status x", "git \x01 status", "git x \x01tatus",
        "rm \x01 -rf", "\x01 status", "ls \x01", "git status x \x01",
    };
    pcre2_match_data *match_data = ag_rule_match_data_new();
    assert_non_null(match_data);
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
        ag_rule rule;
        parse_ok(rules[r].rule, AG_ALLOW, &rule);
        assert_int_equal(rule.literal_form, rules[r].form);
        ag_rule jit;
        parse_ok(rules[r].rule, AG_ALLOW, &jit);
        if (rules[r].form != AG_LITERAL_NONE) {
            assert_null(rule.pattern);
            assert_int_equal(ag_rule_compile_command_regex(&jit, NULL), AG_OK);
            ag_rule_jit(&jit);
        } else {
            assert_int_equal(ag_rule_compile_command_regex(&jit, NULL), AG_ERR_ARGUMENT);
        }
        assert_int_equal(jit.literal_form, AG_LITERAL_NONE);
        assert_int_equal(pcre2_jit_compile(jit.pattern, PCRE2_JIT_COMPLETE
                                                        | PCRE2_JIT_PARTIAL_HARD), 0);
        for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
            size_t length = strlen(subjects[i]);
            ag_match expected = regex_result(&jit, subjects[i], length, match_data);
            assert_int_equal(ag_rule_match_command(&jit, subjects[i], length, false, match_data),
                             expected);
            ag_match got = ag_rule_match_command(&rule, subjects[i], length, false, match_data);
            if (got != expected)
                fail_msg("%s on \"%s\": got %d, the regex gives %d", rules[r].rule, subjects[i],
                         (int)got, (int)expected);
        }
        ag_rule_clear(&rule);
        ag_rule_clear(&jit);
    }
    pcre2_match_data_free(match_data);
}

static void test_tool_matching(void **state)
{
    (void)state;
    struct {
        const char *rule;
        ag_decision decision;
        const char *tool;
        bool expected;
    } cases[] = {
        {"Bash", AG_ALLOW, "Bash", true},
        {"Bash", AG_ALLOW, "bash", false},
        {"Bash", AG_ALLOW, "BashX", false},
        {"Bash(ls *)", AG_ALLOW, "Bash", true},
        {"Read(~/.ssh/**)", AG_DENY, "Read", true},
        {"Read(~/.ssh/**)", AG_DENY, "Edit", false},
        {"mcp__github", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github", AG_ALLOW, "mcp__github", true},
        {"mcp__github", AG_ALLOW, "mcp__github_enterprise__get", false},
        {"mcp__github", AG_ALLOW, "mcp__githubx__get", false},
        {"mcp__github__get_issue", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github__get_issue", AG_ALLOW, "mcp__github__get_issue_x", false},
        {"mcp__github__get", AG_ALLOW, "mcp__github__get__x", false},
        {"mcp__github__*", AG_ALLOW, "mcp__github__get", true},
        {"mcp__github__*", AG_ALLOW, "mcp__gitlab__get", false},
        {"mcp__github__get_*", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github__get_*", AG_ALLOW, "mcp__github__list_issues", false},
        {"mcp__*", AG_DENY, "mcp__a__b", true},
        {"mcp__*", AG_DENY, "Bash", false},
        {"*", AG_DENY, "Bash", true},
        {"*", AG_DENY, "WebFetch", true},
        {"*__admin*", AG_DENY, "mcp__db__admin_drop", true},
        {"*__admin*", AG_DENY, "mcp__db__query", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ag_rule rule;
        parse_ok(cases[i].rule, cases[i].decision, &rule);
        if (ag_rule_tool_matches(&rule, cases[i].tool) != cases[i].expected)
            fail_msg("rule \"%s\" vs tool \"%s\": expected %s", cases[i].rule, cases[i].tool,
                     cases[i].expected ? "match" : "no match");
        ag_rule_clear(&rule);
    }
}

/* ---------------------------------------------------- command matching */

#define NO AG_MATCH_NO
#define MAYBE AG_MATCH_MAYBE
#define YES AG_MATCH_YES

typedef struct match_case {
    const char *rule;
    const char *subject;   /* "\x01" marks an unknown part */
    bool name_dynamic;
    ag_match expected;
} match_case;

static const match_case match_cases[] = {
    /* Exact rules. */
    {"Bash(npm run build)", "npm run build", false, YES},
    {"Bash(npm run build)", "npm run build --prod", false, NO},
    {"Bash(npm run build)", "npm run buil", false, NO},
    {"Bash(npm run build)", "npm run buildx", false, NO},
    {"Bash(npm run build)", "npm run \x01", false, MAYBE},
    {"Bash(npm run build)", "npm run b\x01", false, MAYBE},
    {"Bash(npm run build)", "npm run x\x01", false, NO},
    {"Bash(npm run build)", "npm test \x01", false, NO},
    {"Bash(npm run build)", "npm run build \x01", false, MAYBE},   /* $EMPTY vanishes */
    {"Bash(npm run build)", "npm run build\x01", false, MAYBE},
    {"Bash(npm run build)", "npm run build\n", false, NO},
    /* Trailing " *": a word boundary, and the bare prefix matches too. */
    {"Bash(ls *)", "ls", false, YES},
    {"Bash(ls *)", "ls -la", false, YES},
    {"Bash(ls *)", "ls -la /tmp", false, YES},
    {"Bash(ls *)", "lsof", false, NO},
    {"Bash(ls *)", "lsof -i", false, NO},
    {"Bash(ls *)", "ls \x01", false, YES},
    {"Bash(ls *)", "ls -l\x01", false, YES},
    {"Bash(ls *)", "ls\x01", false, MAYBE},
    {"Bash(ls *)", "l\x01", false, MAYBE},
    /* An unknown command name never gives YES, and NO only when its known prefix rules it out. */
    {"Bash(ls *)", "ls -la", true, MAYBE},
    {"Bash(ls *)", "\x01", true, MAYBE},
    {"Bash(ls *)", "l\x01 -la", true, MAYBE},
    {"Bash(ls *)", "ls\x01", true, MAYBE},
    {"Bash(rm *)", "ma\x01", true, NO},
    {"Bash(rm *)", "ma\x01 -rf /", true, NO},
    {"Bash(rm *)", "r*", true, MAYBE},
    {"Bash(rm *)", "m*", true, NO},
    {"Bash(rm *)", "~/bin/rm -rf /", true, MAYBE},
    {"Bash(rm *)", "/bin/r? x", true, NO},
    {"Bash(rm *)", "r{m,x} x", true, MAYBE},
    {"Bash(rm *)", "rmx x*", true, MAYBE},
    {"Bash(rm -rf /)", "rm\x01 -rf /", true, MAYBE},
    {"Bash(ls *)", "ls a\nb", false, YES},
    /* No space before "*": no word boundary. */
    {"Bash(ls*)", "ls", false, YES},
    {"Bash(ls*)", "lsof", false, YES},
    {"Bash(ls*)", "ls -la", false, YES},
    {"Bash(ls*)", "l", false, NO},
    /* Legacy ":*" equals " *" at the end and is literal elsewhere. */
    {"Bash(ls:*)", "ls", false, YES},
    {"Bash(ls:*)", "ls -la", false, YES},
    {"Bash(ls:*)", "lsof", false, NO},
    {"Bash(ls:*)", "ls:x", false, NO},
    {"Bash(git:* push)", "git:x push", false, YES},
    {"Bash(git:* push)", "git push", false, NO},
    /* "*" in the middle crosses spaces. */
    {"Bash(git * main)", "git push origin main", false, YES},
    {"Bash(git * main)", "git merge main", false, YES},
    {"Bash(git * main)", "git main", false, NO},
    {"Bash(git * main)", "git push origin main2", false, NO},
    {"Bash(git * main)", "git \x01 main", false, YES},
    {"Bash(git * main)", "git push \x01", false, MAYBE},
    {"Bash(git * main)", "gif \x01", false, NO},
    {"Bash(* --version)", "node --version", false, YES},
    {"Bash(* --version)", "--version", false, NO},
    {"Bash(* --help *)", "git --help", false, YES},
    {"Bash(* --help *)", "git --help commit", false, YES},
    {"Bash(* --help *)", "git --helpx", false, NO},
    /* A dynamic part outside every "*" never makes YES. */
    {"Bash(git status)", "git \x01", false, MAYBE},
    {"Bash(git status)", "git status", true, MAYBE},
    {"Bash(echo hello)", "echo \x01", false, MAYBE},
    {"Bash(echo hello *)", "echo \x01", false, MAYBE},
    {"Bash(echo hello *)", "echo hello \x01", false, YES},
    {"Bash(rm -rf /)", "rm -rf / \x01", false, MAYBE},
    {"Bash(rm -rf /)", "rm -rf /\x01", false, MAYBE},
    {"Bash(rm -rf /)", "rm -rf /tmp \x01", false, NO},
    {"Bash(rm * / *)", "rm -rf \x01", false, MAYBE},
    {"Bash(rm * / *)", "rm -rf / --no-preserve-root", false, YES},
    {"Bash(rm * / *)", "rm -rf /tmp", false, NO},
    /* Whitespace in the rule is normalized: tabs and runs of spaces. */
    {"Bash(git   commit\t-m *)", "git commit -m fix", false, YES},
    {"Bash(git\tstatus)", "git status", false, YES},
    {"Bash(  git status)", "git status", false, YES},
    {"Bash(git  status)", "git  status", false, NO},
    /* Regex metacharacters in rules are literal. */
    {"Bash(echo a.b)", "echo a.b", false, YES},
    {"Bash(echo a.b)", "echo aXb", false, NO},
    {"Bash(grep [a-z] *)", "grep [a-z] file", false, YES},
    {"Bash(grep [a-z] *)", "grep b file", false, NO},
    {"Bash(echo a+)", "echo aa", false, NO},
    {"Bash(echo a+)", "echo a+", false, YES},
    {"Bash(echo ^$|\\d{2}?)", "echo ^$|\\d{2}?", false, YES},
    {"Bash(echo ^$|\\d{2}?)", "echo 12", false, NO},
    {"Bash(echo \\Q*)", "echo \\Qx", false, YES},
    {"Bash(echo \\E*)", "echo \\Ex", false, YES},
    {"Bash(echo caf\xc3\xa9)", "echo caf\xc3\xa9", false, YES},
    {"Bash(echo caf\xc3\xa9)", "echo cafe", false, NO},
    /* Globs and "~" in the subject are ordinary characters. */
    {"Bash(rm *.o)", "rm *.o", false, YES},
    {"Bash(rm ~)", "rm ~", false, YES},
    {"Bash(rm ~)", "rm ~/x", false, NO},
    /* Repeated stars behave as one. */
    {"Bash(a**b)", "axxb", false, YES},
    {"Bash(a**b)", "ab", false, YES},
    /* Bash tool rules match every command, even one with an unknown name. */
    {"Bash", "anything at all", false, YES},
    {"Bash(*)", "\x01 x", true, YES},
    {"Bash(*)", "", false, YES},
    /* Rules for other tools never match a command. */
    {"Read", "cat x", false, NO},
    {"Read(*.env)", "cat .env", false, NO},
};

static void test_match_table(void **state)
{
    (void)state;
    pcre2_match_data *data = ag_rule_match_data_new();
    assert_non_null(data);
    size_t count = sizeof(match_cases) / sizeof(match_cases[0]);
    assert_true(count >= 60);

    for (size_t i = 0; i < count; i++) {
        const match_case *c = &match_cases[i];
        ag_rule rule;
        parse_ok(c->rule, AG_DENY, &rule);
        ag_match got = ag_rule_match_command(&rule, c->subject, strlen(c->subject),
                                             c->name_dynamic, data);
        if (got != c->expected)
            fail_msg("case %zu: rule \"%s\" vs subject \"%s\"%s: expected %d, got %d", i,
                     c->rule, c->subject, c->name_dynamic ? " (dynamic name)" : "",
                     c->expected, got);
        ag_rule_clear(&rule);
    }
    pcre2_match_data_free(data);
}

static void test_match_subject_with_nul(void **state)
{
    (void)state;
    pcre2_match_data *data = ag_rule_match_data_new();
    ag_rule rule;
    parse_ok("Bash(echo a)", AG_ALLOW, &rule);
    assert_int_equal(ag_rule_match_command(&rule, "echo a\0b", 8, false, data), AG_MATCH_NO);
    assert_int_equal(ag_rule_match_command(&rule, "echo a\0b", 6, false, data), AG_MATCH_YES);
    ag_rule_clear(&rule);
    pcre2_match_data_free(data);
}

static void test_match_without_match_data(void **state)
{
    (void)state;
    ag_rule rule;
    parse_ok("Bash(echo a)", AG_DENY, &rule);
    assert_int_equal(ag_rule_match_command(&rule, "echo a", 6, false, NULL), AG_MATCH_MAYBE);
    assert_int_equal(ag_rule_match_command(NULL, "echo a", 6, false, NULL), AG_MATCH_MAYBE);
    ag_rule_clear(&rule);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_bare_tools),
        cmocka_unit_test(test_parse_star_specifier_is_tool),
        cmocka_unit_test(test_parse_command_rule),
        cmocka_unit_test(test_parse_normalizes_whitespace),
        cmocka_unit_test(test_parse_legacy_suffix),
        cmocka_unit_test(test_parse_other_specifiers),
        cmocka_unit_test(test_parse_tool_globs),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_quotes_rule_in_message),
        cmocka_unit_test(test_parse_long_glob_rule),
        cmocka_unit_test(test_glob_rule_many_stars),
        cmocka_unit_test(test_parse_rejects_null),
        cmocka_unit_test(test_literal_forms_match_regex),
        cmocka_unit_test(test_tool_matching),
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_match_subject_with_nul),
        cmocka_unit_test(test_match_without_match_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
