/*
 * Rule forms and testable policies through the real rule parser and YAML
 * loader: param rules, Agent/Task, primary fields, warnings, `tests:` and
 * rule examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "agentguard.h"
#include "rules/rules.h"

static ag_source_location here = {"forms.yaml", 3, 5};

static ag_status parse(const char *text, ag_decision decision, ag_rule *rule, ag_error **error)
{
    return ag_rule_parse(text, decision, here, rule, error);
}

static void test_param_rules_parse(void **state)
{
    (void)state;
    ag_rule rule;
    assert_int_equal(parse("Agent(model:opus)", AG_DENY, &rule, NULL), AG_OK);
    assert_int_equal(rule.kind, AG_RULE_PARAM);
    assert_string_equal(rule.param, "model");
    assert_string_equal(rule.specifier, "opus");
    ag_rule_clear(&rule);

    assert_int_equal(parse("Agent(isolation :  worktree)", AG_ASK, &rule, NULL), AG_OK);
    assert_int_equal(rule.kind, AG_RULE_PARAM);
    assert_string_equal(rule.param, "isolation");
    assert_string_equal(rule.specifier, "worktree");
    ag_rule_clear(&rule);

    assert_int_equal(parse("Bash(run_in_background:true)", AG_DENY, &rule, NULL), AG_OK);
    assert_int_equal(rule.kind, AG_RULE_PARAM);
    ag_rule_clear(&rule);

    assert_int_equal(parse("mcp__db__query(limit:0)", AG_DENY, &rule, NULL), AG_OK);
    assert_int_equal(rule.kind, AG_RULE_PARAM);
    ag_rule_clear(&rule);
}

static void test_bash_colon_stays_command(void **state)
{
    (void)state;
    const char *rules[] = {"Bash(npm:*)", "Bash(git log:*)", "Bash(echo a:b)"};
    for (size_t i = 0; i < 3; i++) {
        ag_rule rule;
        assert_int_equal(parse(rules[i], AG_ALLOW, &rule, NULL), AG_OK);
        assert_int_equal(rule.kind, AG_RULE_COMMAND);
        ag_rule_clear(&rule);
    }

    /* Skill names may contain ':', and "plugin" is no Skill input field. */
    ag_rule rule;
    assert_int_equal(parse("Skill(plugin:deploy)", AG_ALLOW, &rule, NULL), AG_OK);
    assert_int_equal(rule.kind, AG_RULE_SPECIFIER);
    ag_rule_clear(&rule);

    assert_int_equal(parse("WebFetch(domain:example.com)", AG_ALLOW, &rule, NULL), AG_OK);
    assert_non_null(rule.domain);
    ag_rule_clear(&rule);
}

static void expect_rule_error(const char *text, ag_decision decision, const char *fragment)
{
    ag_rule rule;
    ag_error *error = NULL;
    assert_int_equal(parse(text, decision, &rule, &error), AG_ERR_RULE);
    if (strstr(ag_error_message(error), fragment) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", text, ag_error_message(error), fragment);
    assert_int_equal(ag_error_line(error), 3);
    ag_error_free(error);
}

static void test_param_rule_errors(void **state)
{
    (void)state;
    expect_rule_error("Agent(model:opus)", AG_ALLOW, "allow rule cannot use the param");
    expect_rule_error("Bash(timeout:*)", AG_ALLOW, "write Bash(NAME *)");
    expect_rule_error("Bash(command:rm *)", AG_DENY, "primary field");
    expect_rule_error("Read(file_path:/etc/*)", AG_DENY, "primary field");
    expect_rule_error("WebFetch(url:*evil*)", AG_ASK, "primary field");
    expect_rule_error("mcp__x__fetch(url:*)", AG_DENY, "primary field");
    expect_rule_error("Agent(model:)", AG_DENY, "empty");
}

static void test_mcp_forms(void **state)
{
    (void)state;
    struct {
        const char *rule;
        ag_decision decision;
        const char *tool;
        bool matches;
    } cases[] = {
        {"mcp__github", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github", AG_ALLOW, "mcp__githubx__get_issue", false},
        {"mcp__github__*", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github__get_*", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__github__get_*", AG_ALLOW, "mcp__github__create_issue", false},
        {"mcp__github__get_issue", AG_ALLOW, "mcp__github__get_issue", true},
        {"mcp__*", AG_DENY, "mcp__any__tool", true},
        {"mcp__*", AG_DENY, "Bash", false},
        {"*", AG_ASK, "Bash", true},
        {"Agent", AG_DENY, "Task", true},
        {"Task", AG_DENY, "Agent", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_rule rule;
        assert_int_equal(parse(cases[i].rule, cases[i].decision, &rule, NULL), AG_OK);
        if (ag_rule_tool_matches(&rule, cases[i].tool) != cases[i].matches)
            fail_msg("%s on %s: expected %d", cases[i].rule, cases[i].tool, cases[i].matches);
        ag_rule_clear(&rule);
    }
    expect_rule_error("mcp__*", AG_ALLOW, "only after a literal");
    expect_rule_error("*", AG_ALLOW, "only after a literal");
}

static ag_policy *load(const char *text, ag_error **error)
{
    return ag_policy_load_string("forms.yaml", text, strlen(text), error);
}

static void test_unknown_tool_warns(void **state)
{
    (void)state;
    ag_policy *policy = load("deny:\n  - Bassh(rm *)\n  - mcp__x\n  - Agent(Plan)\nallow:\n"
                             "  - mcp__y__tool(abc)\n", NULL);
    assert_non_null(policy);
    assert_int_equal(ag_policy_warning_count(policy), 2);
    const char *first = ag_policy_warning(policy, 0);
    assert_non_null(strstr(first, "forms.yaml:2:5: warning:"));
    assert_non_null(strstr(first, "'Bassh'"));
    assert_non_null(strstr(first, "did you mean 'Bash'?"));
    assert_non_null(strstr(ag_policy_warning(policy, 1), "primary_fields"));
    assert_null(ag_policy_warning(policy, 2));
    ag_policy_free(policy);

    /* A name far from every built-in tool gets the general advice instead. */
    policy = load("deny:\n  - Rd(~/.ssh/**)\n  - Zzzzzz(x)\n", NULL);
    assert_non_null(policy);
    assert_int_equal(ag_policy_warning_count(policy), 2);
    assert_non_null(strstr(ag_policy_warning(policy, 0), "did you mean 'Read'?"));
    assert_non_null(strstr(ag_policy_warning(policy, 1), "check the spelling"));
    assert_null(strstr(ag_policy_warning(policy, 1), "did you mean"));
    ag_policy_free(policy);

    policy = load("primary_fields: {mcp__y__tool: q}\nallow:\n  - mcp__y__tool(abc)\n", NULL);
    assert_non_null(policy);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);
}

/* Warns about rules that no check applies: path globs of Write and the like, and bare mcp__. */
static void test_dead_rules_warn(void **state)
{
    (void)state;
    ag_policy *policy = load("deny:\n  - Write(./x)\n  - mcp__\n  - Glob(*.c)\nallow:\n"
                             "  - MultiEdit(src/**)\n  - NotebookEdit(nb/*.ipynb)\n", NULL);
    assert_non_null(policy);
    assert_int_equal(ag_policy_warning_count(policy), 5);
    static const char *const expected[] = {
        "forms.yaml:2:5: warning: the deny rule \"Write(./x)\" is not applied to the files "
        "that shell commands write",
        "forms.yaml:3:5: warning: the deny rule \"mcp__\" names no MCP server",
        "forms.yaml:4:5: warning: the deny rule \"Glob(*.c)\" is not applied to the files that "
        "shell commands read",
        "forms.yaml:6:5: warning: the allow rule \"MultiEdit(src/**)\"",
        "forms.yaml:7:5: warning: the allow rule \"NotebookEdit(nb/*.ipynb)\"",
    };
    for (size_t i = 0; i < 5; i++) {
        if (strstr(ag_policy_warning(policy, i), expected[i]) == NULL)
            fail_msg("expected \"%s\" in: %s", expected[i], ag_policy_warning(policy, i));
    }
    assert_non_null(strstr(ag_policy_warning(policy, 0), "write Edit(./x)"));
    assert_non_null(strstr(ag_policy_warning(policy, 2), "write Read(*.c)"));
    ag_policy_free(policy);

    /* Bare tools, param rules, Edit and Read path rules and mcp__SERVER load quietly. */
    policy = load("deny:\n  - Write\n  - Write(content:*secret*)\n  - Edit(./x)\n"
                  "  - Read(./y)\n  - mcp__github\n", NULL);
    assert_non_null(policy);
    assert_int_equal(ag_policy_warning_count(policy), 0);
    ag_policy_free(policy);
}

static void test_tests_key(void **state)
{
    (void)state;
    const char *text = "allow: [\"Bash(git status)\"]\n"
                       "tests:\n"
                       "  - {name: status, command: git status, expect: allow,\n"
                       "     rule: Bash(git status)}\n"
                       "  - name: read\n"
                       "    request: {tool_name: Read, tool_input: {file_path: a, limit: 5},\n"
                       "              cwd: /w}\n"
                       "    home: /home/u\n"
                       "    expect: ask\n";
    ag_error *error = NULL;
    ag_policy *policy = load(text, &error);
    assert_non_null(policy);
    assert_int_equal(ag_policy_test_count(policy), 2);
    assert_string_equal(ag_policy_test_name(policy, 0), "status");
    assert_string_equal(ag_policy_test_tool_name(policy, 0), "Bash");
    assert_string_equal(ag_policy_test_tool_input_json(policy, 0), "{\"command\":\"git status\"}");
    assert_string_equal(ag_policy_test_rule(policy, 0), "Bash(git status)");
    assert_int_equal(ag_policy_test_expect(policy, 0), AG_ALLOW);
    assert_string_equal(ag_policy_test_source(policy, 0), "forms.yaml:3:5");
    assert_string_equal(ag_policy_test_tool_input_json(policy, 1),
                        "{\"file_path\":\"a\",\"limit\":5}");
    assert_string_equal(ag_policy_test_cwd(policy, 1), "/w");
    assert_string_equal(ag_policy_test_home(policy, 1), "/home/u");
    assert_null(ag_policy_test_rule(policy, 1));
    assert_null(ag_policy_test_name(policy, 2));
    ag_policy_free(policy);

    assert_null(load("tests:\n  - {name: x, expect: allow}\n", &error));
    assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
    ag_error_free(error);
    assert_null(load("tests:\n  - {name: x, command: ls, expect: maybe}\n", &error));
    assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
    ag_error_free(error);
}

static void test_rule_examples(void **state)
{
    (void)state;
    const char *good = "deny:\n"
                       "  - rule: Bash(git push *)\n"
                       "    examples:\n"
                       "      match: [git push, \"cd x && git push origin\", sudo git push]\n"
                       "      not_match: [git status, git pushx]\n"
                       "  - rule: Read(~/.ssh/**)\n"
                       "    examples: {match: [~/.ssh/id_rsa], not_match: [~/.sshx]}\n"
                       "  - rule: WebFetch(domain:*.evil.com)\n"
                       "    examples: {match: [https://a.evil.com/x, b.evil.com]}\n";
    ag_error *error = NULL;
    ag_policy *policy = load(good, &error);
    if (policy == NULL)
        fail_msg("%s", ag_error_message(error));
    ag_policy_free(policy);

    const char *bad = "deny:\n"
                      "  - rule: Bash(git push *)\n"
                      "    examples: {match: [git status]}\n";
    assert_null(load(bad, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_RULE);
    assert_int_equal(ag_error_line(error), 3);
    assert_non_null(strstr(ag_error_message(error), "\"git status\" does not match"));
    assert_non_null(strstr(ag_error_message(error), "forms.yaml:2:11"));
    ag_error_free(error);

    const char *wrong = "allow:\n"
                        "  - rule: Bash(ls *)\n"
                        "    examples: {not_match: [ls -la]}\n";
    assert_null(load(wrong, &error));
    assert_non_null(strstr(ag_error_message(error), "\"ls -la\" matches"));
    ag_error_free(error);
}

static void test_explain_records_all(void **state)
{
    (void)state;
    ag_policy *policy = load("deny: [\"Bash(rm *)\", \"Bash(rm -rf *)\"]\nallow: [Bash]\n", NULL);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, NULL);
    const ag_verdict *verdict = ag_check_command(checker, "rm -rf x", 8, "/w", NULL);
    assert_int_equal(ag_verdict_command_match_count(verdict, 0), 0);

    assert_int_equal(ag_checker_set_explain(checker, true), AG_OK);
    verdict = ag_check_command(checker, "rm -rf x", 8, "/w", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_DENY);
    assert_string_equal(ag_verdict_rule(verdict), "Bash(rm *)");
    assert_int_equal(ag_verdict_command_match_count(verdict, 0), 3);
    const char *text = NULL;
    const char *source = NULL;
    ag_decision decision = AG_ALLOW;
    bool certain = false;
    assert_true(ag_verdict_command_match(verdict, 0, 1, &text, &source, &decision, &certain));
    assert_string_equal(text, "Bash(rm -rf *)");
    assert_string_equal(source, "forms.yaml:1:22");
    assert_int_equal(decision, AG_DENY);
    assert_true(certain);
    assert_false(ag_verdict_command_match(verdict, 0, 3, &text, NULL, NULL, NULL));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_rules_parse),
        cmocka_unit_test(test_bash_colon_stays_command),
        cmocka_unit_test(test_param_rule_errors),
        cmocka_unit_test(test_mcp_forms),
        cmocka_unit_test(test_unknown_tool_warns),
        cmocka_unit_test(test_dead_rules_warn),
        cmocka_unit_test(test_tests_key),
        cmocka_unit_test(test_rule_examples),
        cmocka_unit_test(test_explain_records_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
