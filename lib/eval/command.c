/*
 * Evaluation of requests against the policy's rules.
 *
 * A Bash request is split by the shell analysis into commands. Each command
 * gets, on its own: deny if a deny rule matches; else ask if a deny rule could
 * match for some value of its dynamic words, or an ask rule matches or could
 * match; else allow if an allow rule matches; else the policy's default. The
 * request gets the strictest of its commands' decisions, and at least ask
 * when the analysis could not see the whole command.
 */
#include <string.h>

#include "eval/eval.h"

/* Longest piece of a command quoted in a reason, in bytes. */
enum { AG_REASON_QUOTE_MAX = 80 };

/* What the rules say about one command. */
typedef struct rule_findings {
    const ag_rule *deny;        /* first deny rule that matches */
    const ag_rule *deny_maybe;  /* first deny rule that could match */
    const ag_rule *ask;         /* first ask rule that matches or could match */
    bool ask_is_maybe;
    const ag_rule *allow;       /* first allow rule that matches */
} rule_findings;

ag_status ag_eval_reject(ag_checker *checker, ag_status code, const char *format, ...)
{
    ag_verdict *verdict = &checker->verdict;
    verdict->decision = AG_DENY;
    verdict->error = code;

    va_list args;
    va_start(args, format);
    char *detail = ag_arena_vprintf(&checker->arena, format, args);
    va_end(args);
    char *reason = detail != NULL
                       ? ag_arena_printf(&checker->arena, "invalid request: %s", detail)
                       : NULL;
    verdict->reason = reason != NULL ? reason : "invalid request";
    return AG_OK;
}

/* Copies text for a reason: at most AG_REASON_QUOTE_MAX bytes, unknown parts shown as "$?". */
static const char *quote_text(ag_arena *arena, const char *text, size_t length)
{
    bool cut = length > AG_REASON_QUOTE_MAX;
    if (cut)
        length = AG_REASON_QUOTE_MAX;

    ag_buffer quoted;
    ag_buffer_init(&quoted);
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == (unsigned char)AG_DYNAMIC_MARK)
            ag_buffer_append_string(&quoted, "$?");
        else if (c == '\n' || c == '\t')
            ag_buffer_append_char(&quoted, ' ');
        else if (c >= 0x20 && c != 0x7f)
            ag_buffer_append_char(&quoted, (char)c);
    }
    if (cut)
        ag_buffer_append_string(&quoted, "...");

    const char *copy = quoted.failed ? NULL
                                     : ag_arena_strndup(arena, quoted.data ? quoted.data : "",
                                                        quoted.length);
    ag_buffer_release(&quoted);
    return copy != NULL ? copy : "(command)";
}

/* Joins the words of a command with single spaces into checker->subject. */
static bool build_subject(ag_checker *checker, const ag_shell_command *command)
{
    ag_buffer *subject = &checker->subject;
    ag_buffer_clear(subject);
    for (size_t i = 0; i < command->word_count; i++) {
        if (i > 0)
            ag_buffer_append_char(subject, ' ');
        ag_buffer_append(subject, command->words[i].text, command->words[i].length);
    }
    ag_buffer_append(subject, "", 0);
    return !subject->failed;
}

static void record_match(rule_findings *findings, const ag_rule *rule, ag_match match)
{
    if (match == AG_MATCH_NO)
        return;

    switch (rule->decision) {
    case AG_DENY:
        if (match == AG_MATCH_YES && findings->deny == NULL)
            findings->deny = rule;
        else if (match == AG_MATCH_MAYBE && findings->deny_maybe == NULL)
            findings->deny_maybe = rule;
        break;
    case AG_ASK:
        /* A rule that matches outright explains the verdict better than one that only could. */
        if (findings->ask == NULL || (findings->ask_is_maybe && match == AG_MATCH_YES)) {
            findings->ask = rule;
            findings->ask_is_maybe = match == AG_MATCH_MAYBE;
        }
        break;
    case AG_ALLOW:
        if (match == AG_MATCH_YES && findings->allow == NULL)
            findings->allow = rule;
        break;
    }
}

/*
 * Matches every Bash rule against one command. A rule for Bash whose
 * specifier this version cannot evaluate counts as "could match" for deny
 * and ask, and never as a match for allow.
 */
static void find_command_rules(ag_checker *checker, const ag_shell_command *command,
                               rule_findings *findings)
{
    const ag_policy *policy = checker->policy;
    const char *subject = checker->subject.data;
    size_t length = checker->subject.length;
    bool name_dynamic = command->words[0].dynamic;

    for (size_t i = 0; i < policy->rule_count && findings->deny == NULL; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (!ag_rule_tool_matches(rule, "Bash"))
            continue;

        ag_match match;
        if (rule->kind == AG_RULE_SPECIFIER)
            match = AG_MATCH_MAYBE;
        else
            match = ag_rule_match_command(rule, subject, length, name_dynamic,
                                          checker->match_data);
        record_match(findings, rule, match);
    }
}

static void decide_from_findings(ag_checker *checker, ag_command_verdict *result,
                                 const rule_findings *findings, const char *text)
{
    ag_arena *arena = &checker->arena;
    const ag_policy *policy = checker->policy;

    if (findings->deny != NULL) {
        result->decision = AG_DENY;
        result->rule = findings->deny;
        result->reason = ag_arena_printf(arena, "`%s` matches the deny rule %s (%s)", text,
                                         findings->deny->text, findings->deny->source);
    } else if (findings->deny_maybe != NULL) {
        result->decision = AG_ASK;
        result->rule = findings->deny_maybe;
        result->reason = ag_arena_printf(
            arena, "`%s` could match the deny rule %s (%s), depending on values only known when it runs",
            text, findings->deny_maybe->text, findings->deny_maybe->source);
    } else if (findings->ask != NULL) {
        result->decision = AG_ASK;
        result->rule = findings->ask;
        result->reason = ag_arena_printf(arena, "`%s` %s the ask rule %s (%s)", text,
                                         findings->ask_is_maybe ? "could match" : "matches",
                                         findings->ask->text, findings->ask->source);
    } else if (findings->allow != NULL) {
        result->decision = AG_ALLOW;
        result->rule = findings->allow;
        result->reason = ag_arena_printf(arena, "`%s` matches the allow rule %s (%s)", text,
                                         findings->allow->text, findings->allow->source);
    } else {
        result->decision = policy->default_decision;
        result->reason = ag_arena_printf(arena, "no rule matches `%s`, so the policy default (%s) applies",
                                         text, ag_decision_name(policy->default_decision));
    }
}

/*
 * A command with no words runs nothing itself: `X=1`, `> file`, or the
 * redirections of a compound statement such as `{ ...; } > file`. Commands in
 * its substitutions are listed and checked on their own.
 */
static void decide_wordless_command(ag_checker *checker, ag_command_verdict *result,
                                    const char *text)
{
    const ag_shell_command *command = result->command;
    bool opens_file = false;
    for (size_t i = 0; i < command->redirect_count; i++) {
        ag_redirect_kind kind = command->redirects[i].kind;
        if (kind != AG_REDIRECT_DUPLICATE && kind != AG_REDIRECT_HEREDOC
            && kind != AG_REDIRECT_HERESTRING)
            opens_file = true;
    }

    if (!opens_file) {
        /* TODO(wrappers): assignments to PATH, LD_PRELOAD, IFS and the like change
         * what later commands do and should ask. */
        result->decision = AG_ALLOW;
        result->reason = ag_arena_printf(&checker->arena,
                                         "`%s` only assigns variables", text);
        return;
    }

    /* No rule can name a command-less redirection, so the default decides. */
    result->decision = checker->policy->default_decision;
    result->reason = ag_arena_printf(&checker->arena,
                                     "`%s` opens a file without a command, so the policy default (%s) applies",
                                     text, ag_decision_name(result->decision));
}

static ag_status decide_command(ag_checker *checker, const char *input,
                                ag_command_verdict *result)
{
    const ag_shell_command *command = result->command;
    const char *text = quote_text(&checker->arena, input + command->start,
                                  command->end - command->start);

    if (command->word_count == 0) {
        decide_wordless_command(checker, result, text);
    } else {
        if (!build_subject(checker, command))
            return AG_ERR_NOMEM;
        rule_findings findings = {0};
        find_command_rules(checker, command, &findings);
        decide_from_findings(checker, result, &findings, text);
    }
    return result->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* Sets the request's verdict from the strictest command; the first one wins ties. */
static void combine_commands(ag_verdict *verdict)
{
    const ag_command_verdict *deciding = &verdict->commands[0];
    for (size_t i = 1; i < verdict->command_count; i++) {
        if (verdict->commands[i].decision > deciding->decision)
            deciding = &verdict->commands[i];
    }

    verdict->decision = deciding->decision;
    verdict->rule = deciding->rule;
    verdict->reason = deciding->reason;
    verdict->has_span = true;
    verdict->span_start = deciding->command->start;
    verdict->span_end = deciding->command->end;
}

/* An incomplete analysis may hide a command, so nothing from it is allowed. */
static ag_status apply_incomplete(ag_checker *checker, const ag_shell_analysis *analysis)
{
    ag_verdict *verdict = &checker->verdict;
    if (analysis->incomplete == 0 || verdict->decision > AG_ALLOW)
        return AG_OK;

    verdict->decision = AG_ASK;
    verdict->rule = NULL;
    verdict->error = (analysis->incomplete & AG_SHELL_LIMIT) ? AG_ERR_LIMIT : AG_ERR_REQUEST;
    verdict->has_span = true;
    verdict->span_start = analysis->problem_start;
    verdict->span_end = analysis->problem_end;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the command cannot be fully analysed, so it is not allowed: %s",
                                      analysis->problem != NULL ? analysis->problem
                                                                : "unknown problem");
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

static ag_status decide_empty(ag_checker *checker)
{
    ag_verdict *verdict = &checker->verdict;
    verdict->decision = checker->policy->default_decision;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the command runs nothing, so the policy default (%s) applies",
                                      ag_decision_name(verdict->decision));
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

ag_status ag_eval_command(ag_checker *checker, const char *command, size_t length,
                          const char *cwd)
{
    (void)cwd;  /* TODO(effects): resolve file paths of commands against cwd. */
    ag_verdict *verdict = &checker->verdict;
    ag_shell_analysis analysis;
    ag_status status = ag_shell_analyze(checker->analyzer, command, length,
                                        &checker->policy->limits, &checker->arena, &analysis);
    if (status != AG_OK)
        return status;
    if (analysis.incomplete & AG_SHELL_NOMEM)
        return AG_ERR_NOMEM;

    verdict->commands = ag_arena_calloc(&checker->arena, analysis.command_count + 1,
                                        sizeof(*verdict->commands));
    if (verdict->commands == NULL)
        return AG_ERR_NOMEM;
    verdict->command_count = analysis.command_count;

    for (size_t i = 0; i < analysis.command_count; i++) {
        verdict->commands[i].command = &analysis.commands[i];
        status = decide_command(checker, command, &verdict->commands[i]);
        if (status != AG_OK)
            return status;
    }

    if (analysis.command_count > 0)
        combine_commands(verdict);
    else if ((status = decide_empty(checker)) != AG_OK)
        return status;
    return apply_incomplete(checker, &analysis);
}

/*
 * Requests for tools other than Bash: a bare tool rule matches every call.
 * TODO(rule-language): evaluate path, domain and parameter specifiers; until
 * then a deny or ask rule with a specifier counts as "could match", so such a
 * call asks rather than being allowed past it.
 */
ag_status ag_eval_tool(ag_checker *checker, const char *tool_name)
{
    const ag_policy *policy = checker->policy;
    rule_findings findings = {0};
    for (size_t i = 0; i < policy->rule_count && findings.deny == NULL; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (!ag_rule_tool_matches(rule, tool_name))
            continue;
        record_match(&findings, rule, rule->kind == AG_RULE_TOOL ? AG_MATCH_YES : AG_MATCH_MAYBE);
    }

    ag_command_verdict result = {0};
    const char *text = quote_text(&checker->arena, tool_name, strlen(tool_name));
    decide_from_findings(checker, &result, &findings, text);

    ag_verdict *verdict = &checker->verdict;
    verdict->decision = result.decision;
    verdict->rule = result.rule;
    verdict->reason = result.reason;
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}
