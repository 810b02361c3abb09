/*
 * Evaluation of requests against the policy's rules.
 *
 * A Bash request is split by the shell analysis into commands, and each
 * command is decided on its own, in this order:
 *   1. deny if a deny rule matches;
 *   2. ask if a deny rule could match for some value of its dynamic words,
 *      or an ask rule matches or could match;
 *   3. allow if an allow rule matches;
 *   4. otherwise the policy's default.
 * The request gets the strictest of its commands' and its effects' decisions
 * (lib/effects/: files read and written, hosts contacted), and at least ask
 * when the analysis could not see the whole command.
 */
#include <string.h>

#include "effects/decide.h"
#include "eval/eval.h"
#include "eval/mode.h"
#include "eval/unwrap.h"
#include "rules/paths.h"

/* Maximum length of a piece of command quoted in a reason, in bytes. */
enum { AG_REASON_QUOTE_MAX = 80 };


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
    verdict->error_message = detail != NULL ? detail : "invalid request";
    return AG_OK;
}

/* Returns whether one of the 8 bytes of `word` is a control byte (below 0x20, or 0x7f). */
static bool has_control_byte(uint64_t word)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t highs = 0x8080808080808080u;
    /* The high bit of a byte is set where it is below 0x20, or after such a byte. */
    uint64_t below_space = (word - 0x20 * ones) & ~word;
    uint64_t xor_delete = word ^ (0x7f * ones);    /* 0 where a byte is 0x7f */
    uint64_t delete_found = (xor_delete - ones) & ~xor_delete;
    return ((below_space | delete_found) & highs) != 0;
}

size_t ag_printable_prefix(const char *text, size_t length)
{
    /* Most command text is printable, so 8 bytes are checked at a time up to a control byte. */
    size_t i = 0;
    uint64_t word;
    while (i + sizeof(word) <= length) {
        memcpy(&word, text + i, sizeof(word));
        if (has_control_byte(word))
            break;
        i += sizeof(word);
    }
    while (i < length && (unsigned char)text[i] >= 0x20 && text[i] != 0x7f)
        i++;
    return i;
}

/*
 * Copies text for a reason: at most AG_REASON_QUOTE_MAX bytes, unknown parts
 * shown as "‹?›" (as the CLI shows them in words), newlines and tabs as
 * spaces, other control bytes dropped.
 */
const char *ag_quote_text(ag_arena *arena, const char *text, size_t length)
{
    bool cut = length > AG_REASON_QUOTE_MAX;
    if (cut)
        length = AG_REASON_QUOTE_MAX;

    /* Written straight into the arena: each byte becomes at most the mark's bytes. */
    static const char mark[] = "\u2039?\u203a";
    char *quoted = ag_arena_alloc(arena, (sizeof(mark) - 1) * length + sizeof("..."));
    if (quoted == NULL)
        return "(command)";
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        /* Runs of printable bytes, most of a command, are copied in one memcpy. */
        size_t run = i + ag_printable_prefix(text + i, length - i);
        memcpy(quoted + used, text + i, run - i);
        used += run - i;
        if (run == length)
            break;
        i = run;

        unsigned char c = (unsigned char)text[i];
        if (c == (unsigned char)AG_DYNAMIC_MARK) {
            memcpy(quoted + used, mark, sizeof(mark) - 1);
            used += sizeof(mark) - 1;
        } else if (c == '\n' || c == '\t') {
            quoted[used++] = ' ';
        }
    }
    if (cut) {
        memcpy(quoted + used, "...", 3);
        used += 3;
    }
    quoted[used] = '\0';
    return quoted;
}

/* Characters that make an unquoted word expand: globs, brace expansion, tilde. */
static bool is_expansion_char(char c)
{
    return c == '*' || c == '?' || c == '[' || c == '{' || c == '~';
}

/*
 * Joins the words of a command with single spaces into `subject`, starting
 * the command name at byte `name_offset` (to drop a directory part). With
 * `mark_expansions`, each glob, brace or tilde character of a dynamic word
 * becomes AG_DYNAMIC_MARK, because `cat /etc/shado?` may read /etc/shadow.
 */
static bool join_words(ag_buffer *subject, const ag_shell_command *command, size_t name_offset,
                       bool mark_expansions)
{
    ag_buffer_clear(subject);
    for (size_t i = 0; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        size_t skip = i == 0 ? name_offset : 0;
        if (i > 0)
            ag_buffer_append_char(subject, ' ');
        if (!mark_expansions || !word->dynamic) {
            ag_buffer_append(subject, word->text + skip, word->length - skip);
            continue;
        }
        for (size_t j = skip; j < word->length; j++) {
            char c = word->text[j];
            ag_buffer_append_char(subject, is_expansion_char(c) ? AG_DYNAMIC_MARK : c);
        }
    }
    ag_buffer_append(subject, "", 0);
    return !subject->failed;
}

/*
 * Returns the offset of the command name's last path component, or 0 when the
 * name has no slash. `/usr/bin/rm` and `./rm` both name `rm` for deny and ask
 * rules; an allow rule must spell the path as written.
 */
static size_t name_base_offset(const ag_shell_word *name)
{
    const char *slash = NULL;
    for (size_t i = 0; i < name->length; i++) {
        if (name->text[i] == '/')
            slash = name->text + i;
    }
    return slash != NULL ? (size_t)(slash - name->text) + 1 : 0;
}

static bool has_expansion(const ag_shell_command *command)
{
    for (size_t i = 0; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        for (size_t j = 0; word->dynamic && j < word->length; j++) {
            if (is_expansion_char(word->text[j]))
                return true;
        }
    }
    return false;
}

/*
 * Builds the subjects rules are matched against: the words as written (the
 * only one allow rules see), and for deny and ask rules also the name without
 * its directory and the words with expansions marked unknown.
 */
static bool build_subjects(ag_checker *checker, const ag_shell_command *command)
{
    size_t offset = name_base_offset(&command->words[0]);
    bool has_base = offset > 0 && offset < command->words[0].length;
    bool marks = has_expansion(command);
    ag_buffer *subjects = checker->subjects;

    checker->subject_count = 1;
    if (!join_words(&subjects[0], command, 0, false))
        return false;
    if (has_base && !join_words(&subjects[checker->subject_count++], command, offset, false))
        return false;
    if (marks && !join_words(&subjects[checker->subject_count++], command, 0, true))
        return false;
    if (has_base && marks
        && !join_words(&subjects[checker->subject_count++], command, offset, true))
        return false;
    return true;
}

/* Returns whether a rule allows every argument list: a bare tool, or a `*` in it. */
static bool rule_has_wildcard(const ag_rule *rule)
{
    return rule->kind == AG_RULE_TOOL || (rule->specifier != NULL && strchr(rule->specifier, '*'));
}

/* Returns whether an allow rule may allow this command at all, given its flags. */
static bool allow_rule_applies(const ag_rule *rule, unsigned flags)
{
    if (flags & AG_COMMAND_UNLISTED_ENVIRONMENT)
        return false;
    if ((flags & AG_COMMAND_RUNS_CODE) && rule_has_wildcard(rule))
        return false;
    return true;
}

void ag_findings_record(ag_rule_findings *findings, const ag_rule *rule, ag_match match)
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

void ag_findings_note_fitting(ag_checker *checker, ag_rule_findings *findings,
                              const ag_rule *rule, ag_match match, const char *path)
{
    bool candidate = match == AG_MATCH_MAYBE && rule->decision == AG_DENY
                     && findings->deny == NULL && !findings->deny_maybe_fits;
    bool fits = candidate && ag_rule_path_tail_fits(rule, path, checker->match_data);
    if (fits)
        findings->deny_maybe = NULL;
    ag_findings_note(checker, findings, rule, match);
    if (fits && findings->deny_maybe == rule)
        findings->deny_maybe_fits = true;
}

static bool rule_tool_is(const ag_rule *rule, const char *tool)
{
    return rule->tool != NULL && strcmp(rule->tool, tool) == 0;
}

bool ag_findings_path_done(const ag_checker *checker, const ag_rule_findings *findings,
                           bool write)
{
    return ag_findings_done(checker, findings)
           && !(write && rule_tool_is(findings->deny, "Read"));
}

void ag_findings_note_path(ag_checker *checker, ag_rule_findings *findings, const ag_rule *rule,
                           ag_match match, const char *path, bool write)
{
    bool edit_deny = write && rule->decision == AG_DENY && rule_tool_is(rule, "Edit");
    bool names_better = edit_deny && match == AG_MATCH_YES && findings->deny != NULL
                        && rule_tool_is(findings->deny, "Read");
    const ag_rule *read_maybe = edit_deny && match == AG_MATCH_MAYBE && findings->deny == NULL
                                        && findings->deny_maybe != NULL
                                        && rule_tool_is(findings->deny_maybe, "Read")
                                    ? findings->deny_maybe
                                    : NULL;
    bool read_maybe_fits = findings->deny_maybe_fits;

    ag_findings_note_fitting(checker, findings, rule, match, path);
    if (names_better)
        findings->deny = rule;
    /* A Read rule that could match gives way too, unless only it fits the path. */
    if (read_maybe != NULL && findings->deny_maybe == read_maybe
        && (!read_maybe_fits || ag_rule_path_tail_fits(rule, path, checker->match_data)))
        findings->deny_maybe = rule;
}

/* Returns the best match of a rule over the subjects its decision may see. */
static ag_match match_subjects(ag_checker *checker, const ag_rule *rule, bool name_dynamic)
{
    size_t count = rule->decision == AG_ALLOW ? 1 : checker->subject_count;
    ag_match best = AG_MATCH_NO;
    for (size_t i = 0; i < count && best != AG_MATCH_YES; i++) {
        ag_match match = ag_rule_match_command(rule, checker->subjects[i].data,
                                               checker->subjects[i].length, name_dynamic,
                                               checker->match_data);
        if (match > best)
            best = match;
    }
    return best;
}

/*
 * Keeps the first allow rule with `*` that matches a command fed code, so
 * that the reason can name the rule that does not apply to it.
 */
static void note_wildcard_allow(ag_checker *checker, const ag_shell_command *command,
                                ag_rule_findings *findings, const ag_rule *rule)
{
    if (findings->allow_wildcard != NULL || !(command->flags & AG_COMMAND_RUNS_CODE)
        || (command->flags & AG_COMMAND_UNLISTED_ENVIRONMENT) || rule->kind == AG_RULE_SPECIFIER)
        return;
    if (match_subjects(checker, rule, command->words[0].dynamic) == AG_MATCH_YES)
        findings->allow_wildcard = rule;
}

/*
 * Keeps the first allow rule that matches a command with an unlisted
 * variable, so that the reason can name the rule that does not apply to it.
 */
static void note_environment_allow(ag_checker *checker, const ag_shell_command *command,
                                   ag_rule_findings *findings, const ag_rule *rule)
{
    if (findings->allow_environment != NULL
        || !(command->flags & AG_COMMAND_UNLISTED_ENVIRONMENT) || rule->kind == AG_RULE_SPECIFIER)
        return;
    if (match_subjects(checker, rule, command->words[0].dynamic) == AG_MATCH_YES)
        findings->allow_environment = rule;
}

/*
 * Matches every Bash rule against one command. A rule for Bash whose
 * specifier this version cannot evaluate counts as "could match" for deny
 * and ask, and never as a match for allow. Deny and ask rules also see the
 * command name without its directory.
 */
static void find_command_rules(ag_checker *checker, const ag_shell_command *command,
                               ag_rule_findings *findings)
{
    const ag_policy *policy = checker->policy;
    bool name_dynamic = command->words[0].dynamic;

    /* The index skips only rules that cannot match, and keeps the policy's order. */
    ag_rule_cursor cursor;
    ag_rule_cursor_for_command(&cursor, policy, checker->subjects, checker->subject_count,
                               name_dynamic);
    const ag_rule *rule;
    while (!ag_findings_done(checker, findings) && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
        /* Bash(param:value) rules apply to the request, not to each command (forms.c). */
        if (!ag_rule_tool_matches(rule, "Bash") || rule->kind == AG_RULE_PARAM)
            continue;
        if (rule->decision == AG_ALLOW && !allow_rule_applies(rule, command->flags)) {
            note_wildcard_allow(checker, command, findings, rule);
            note_environment_allow(checker, command, findings, rule);
            continue;
        }

        ag_match match = AG_MATCH_MAYBE;
        if (rule->kind != AG_RULE_SPECIFIER)
            match = match_subjects(checker, rule, name_dynamic);
        ag_findings_note(checker, findings, rule, match);
    }
}

/*
 * Joins a reason about `rule`: `text` quoted, `verb`, the rule and where it
 * was written, and `after`. Every command gets a reason, so it is joined
 * from parts rather than formatted.
 */
static const char *rule_reason(ag_arena *arena, const char *text, ag_text_part verb,
                               const ag_rule *rule, ag_text_part after)
{
    ag_text_part parts[] = {
        AG_TEXT_LITERAL("`"), ag_text_part_of(text), verb, ag_text_part_of(rule->text),
        AG_TEXT_LITERAL(" ("), ag_text_part_of(rule->source), AG_TEXT_LITERAL(")"), after,
    };
    return ag_arena_join(arena, parts, sizeof(parts) / sizeof(*parts));
}

/* Returns why a deny rule could match: a value known only at run time, or a file in a tree. */
static ag_text_part maybe_cause(const ag_rule_findings *findings)
{
    if (findings->deny_maybe_links)
        return AG_TEXT_LITERAL(", because those files may include one that the rule covers");
    if (findings->deny_maybe_archive)
        return AG_TEXT_LITERAL(", because the archive may hold a file that the rule covers");
    if (findings->deny_maybe_below)
        return AG_TEXT_LITERAL(", because the tree below it may hold a file that the rule covers");
    return AG_TEXT_LITERAL(", depending on values only known when it runs");
}

void ag_findings_decide(ag_checker *checker, ag_command_verdict *result,
                        const ag_rule_findings *findings, const char *text)
{
    ag_findings_decide_because(checker, result, findings, text, NULL);
}

void ag_findings_decide_because(ag_checker *checker, ag_command_verdict *result,
                                const ag_rule_findings *findings, const char *text,
                                const char *unknown_cause)
{
    ag_arena *arena = &checker->arena;
    const ag_policy *policy = checker->policy;
    const ag_text_part none = AG_TEXT_LITERAL("");
    /* The usual ending is for deny rules: an ask rule that could match gets only a given cause. */
    ag_text_part deny_cause = maybe_cause(findings);
    ag_text_part ask_cause = none;
    if (unknown_cause != NULL)
        deny_cause = ask_cause = ag_text_part_of(unknown_cause);

    if (findings->deny != NULL) {
        result->decision = AG_DENY;
        result->rule = findings->deny;
        result->reason = rule_reason(arena, text, AG_TEXT_LITERAL("` matches the deny rule "),
                                     findings->deny, none);
    } else if (findings->deny_maybe != NULL) {
        result->decision = AG_ASK;
        result->rule = findings->deny_maybe;
        result->reason = rule_reason(arena, text, AG_TEXT_LITERAL("` could match the deny rule "),
                                     findings->deny_maybe, deny_cause);
    } else if (findings->ask != NULL) {
        result->decision = AG_ASK;
        result->rule = findings->ask;
        ag_text_part verb = findings->ask_is_maybe ? AG_TEXT_LITERAL("` could match the ask rule ")
                                                   : AG_TEXT_LITERAL("` matches the ask rule ");
        result->reason = rule_reason(arena, text, verb, findings->ask,
                                     findings->ask_is_maybe ? ask_cause : none);
    } else if (findings->allow != NULL) {
        result->decision = AG_ALLOW;
        result->rule = findings->allow;
        result->reason = rule_reason(arena, text, AG_TEXT_LITERAL("` matches the allow rule "),
                                     findings->allow, none);
    } else {
        result->decision = policy->default_decision;
        result->bypassable = true;
        ag_text_part parts[] = {
            AG_TEXT_LITERAL("no rule matches `"), ag_text_part_of(text),
            AG_TEXT_LITERAL("`, so the policy default ("),
            ag_text_part_of(ag_decision_name(policy->default_decision)),
            AG_TEXT_LITERAL(") applies"),
        };
        result->reason = ag_arena_join(arena, parts, sizeof(parts) / sizeof(*parts));
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
        /* Assignments to PATH, LD_PRELOAD and the like are flagged by unwrapping,
         * and raise_for_flags() then makes them ask. */
        result->decision = AG_ALLOW;
        result->reason = ag_arena_printf(&checker->arena,
                                         "`%s` only assigns variables", text);
        return;
    }

    /* No rule can name a command-less redirection, so the default decides. */
    result->decision = checker->policy->default_decision;
    result->bypassable = true;
    result->reason = ag_arena_printf(&checker->arena,
                                     "`%s` opens a file without a command, so the policy default (%s) applies",
                                     text, ag_decision_name(result->decision));
}

/*
 * A transparent wrapper (timeout, nice, ...) that no rule names leaves the
 * decision to the command it runs, which is in the list too: `timeout 30
 * npm test` is allowed where `npm test` is, and denied where it is.
 */
static void decide_transparent(ag_checker *checker, ag_command_verdict *result, const char *text)
{
    result->decision = AG_ALLOW;
    result->bypassable = false;
    result->reason = ag_arena_printf(&checker->arena,
                                     "`%s` only wraps the command it runs, whose check decides",
                                     text);
}

/* Commands that run something unseen, or run with a changed environment, never get allow. */
static void raise_for_flags(ag_checker *checker, ag_command_verdict *result, const char *text)
{
    unsigned flags = result->command->flags;
    const char *why = NULL;
    if (flags & AG_COMMAND_OPAQUE)
        why = "runs code that cannot be analysed";
    else if (flags & AG_COMMAND_UNSAFE_ENVIRONMENT)
        why = "sets a variable or shell option that changes which program runs or how";
    else if ((flags & AG_COMMAND_STDIN_CODE) && result->rule == NULL)
        why = "may read the program it runs from stdin, which no allow rule names exactly";
    else if ((flags & AG_COMMAND_RUNS_CODE) && result->rule == NULL)
        /* Code fed to an interpreter needs an allow rule that names it exactly;
         * a permissive default is not such a rule. */
        why = "runs code that no allow rule names exactly";
    if (why == NULL || result->decision > AG_ALLOW)
        return;

    result->decision = AG_ASK;
    result->rule = NULL;
    result->bypassable = false;    /* bypassPermissions keeps this ask, as for an incomplete analysis */
    result->reason = ag_arena_printf(&checker->arena, "`%s` %s, so it is not allowed without asking",
                                     text, why);
}

/*
 * Replaces the "no rule matches" reason of a command fed code when an allow
 * rule with `*` matched its text but does not apply to code
 * (allow_rule_applies()), or when the code may come from stdin.
 */
static void explain_code_default(ag_checker *checker, ag_command_verdict *result,
                                 const ag_rule_findings *findings, const char *text)
{
    unsigned flags = result->command->flags;
    const ag_rule *wildcard = findings->allow_wildcard;
    bool from_stdin = (flags & AG_COMMAND_STDIN_CODE) != 0;
    if (result->rule != NULL || !(flags & AG_COMMAND_RUNS_CODE) || (wildcard == NULL && !from_stdin))
        return;

    const char *cause = from_stdin ? "may read the program it runs from stdin"
                                   : "counts as running code";
    const char *decision = ag_decision_name(result->decision);
    const char *reason =
        wildcard != NULL
            ? ag_arena_printf(&checker->arena,
                              "`%s` %s, so the allow rule %s (%s) does not apply, because it "
                              "has `*`; no allow rule names the command exactly, so the policy "
                              "default (%s) applies",
                              text, cause, wildcard->text, wildcard->source, decision)
            : ag_arena_printf(&checker->arena,
                              "`%s` %s, and no allow rule names the command exactly, so the "
                              "policy default (%s) applies",
                              text, cause, decision);
    if (reason != NULL)
        result->reason = reason;
}

/*
 * Replaces the "no rule matches" reason of a command with an unlisted
 * variable when an allow rule matched its text but no allow rule applies
 * (allow_rule_applies()): the variable may change what the command does.
 */
static void explain_environment_default(ag_checker *checker, ag_command_verdict *result,
                                        const ag_rule_findings *findings, const char *text)
{
    const ag_rule *allow = findings->allow_environment;
    size_t length = 0;
    const char *name = ag_environment_unlisted_name(result->command, &length);
    if (result->rule != NULL || allow == NULL || name == NULL)
        return;

    result->reason = ag_arena_printf(
        &checker->arena,
        "`%s` runs with %.*s set, and %.*s is not a variable known to be harmless, so the allow "
        "rule %s (%s) does not apply, nor does any other, and the policy default (%s) applies",
        text, (int)length, name, (int)length, name, allow->text, allow->source,
        ag_decision_name(result->decision));
}

static ag_status decide_command(ag_checker *checker, const char *input,
                                ag_command_verdict *result)
{
    const ag_shell_command *command = result->command;
    const char *text = ag_quote_text(&checker->arena, input + command->start,
                                  command->end - command->start);

    if (command->word_count == 0) {
        decide_wordless_command(checker, result, text);
    } else {
        if (!build_subjects(checker, command))
            return AG_ERR_NOMEM;
        ag_rule_findings findings = {0};
        checker->explain_sink = &result->matches;
        find_command_rules(checker, command, &findings);
        checker->explain_sink = NULL;
        /* `$X args` could be any command: that, and not the rule, is what the reason is about. */
        const char *cause = command->words[0].dynamic
                                ? ", because the command name is only known when it runs"
                                : NULL;
        ag_findings_decide_because(checker, result, &findings, text, cause);
        explain_code_default(checker, result, &findings, text);
        explain_environment_default(checker, result, &findings, text);
    }
    if (result->rule == NULL && (command->flags & AG_COMMAND_TRANSPARENT))
        decide_transparent(checker, result, text);
    raise_for_flags(checker, result, text);
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

/*
 * Raises the request's decision to its strictest effect's; the first one wins
 * ties, and a command that is as strict as an effect keeps deciding, unless
 * only the policy default decided the command and a rule decided the effect,
 * because the rule explains the verdict better. Effects never lower a decision.
 */
static void combine_effects(ag_verdict *verdict)
{
    const ag_effect *deciding = NULL;
    for (size_t i = 0; i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        bool explains_tie = effect->decision == verdict->decision && verdict->rule == NULL
                            && effect->rule != NULL && deciding == NULL;
        if ((effect->decision > verdict->decision || explains_tie)
            && (deciding == NULL || effect->decision > deciding->decision))
            deciding = effect;
    }
    if (deciding == NULL)
        return;

    verdict->decision = deciding->decision;
    verdict->rule = deciding->rule;
    verdict->reason = deciding->reason;
    verdict->has_span = true;
    verdict->span_start = deciding->start;
    verdict->span_end = deciding->end;
}

/* An incomplete analysis may hide a command, so nothing from it is allowed. */
static ag_status apply_incomplete(ag_checker *checker, const ag_shell_analysis *analysis)
{
    ag_verdict *verdict = &checker->verdict;
    if (analysis->incomplete == 0)
        return AG_OK;

    /* The error is recorded whatever decided, so a host can tell why. A rule
     * that already made the request deny keeps explaining it. One that made
     * it ask gets the analysis problem added, because the ask may come from
     * words the incomplete analysis could not read. */
    verdict->error = (analysis->incomplete & AG_SHELL_LIMIT) ? AG_ERR_LIMIT : AG_ERR_REQUEST;
    verdict->bypassable = false;
    const char *problem = analysis->problem != NULL ? analysis->problem : "unknown problem";
    verdict->error_message = ag_arena_printf(&checker->arena,
                                             "the command cannot be fully analysed: %s", problem);
    if (verdict->error_message == NULL)
        return AG_ERR_NOMEM;
    if (verdict->decision == AG_DENY && verdict->rule != NULL)
        return AG_OK;
    if (verdict->decision == AG_ASK && verdict->rule != NULL) {
        verdict->reason = ag_arena_printf(&checker->arena,
                                          "%s; also, the command cannot be fully analysed: %s",
                                          verdict->reason, problem);
        return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
    }

    if (verdict->decision < AG_ASK)
        verdict->decision = AG_ASK;
    verdict->rule = NULL;
    verdict->has_span = true;
    verdict->span_start = analysis->problem_start;
    verdict->span_end = analysis->problem_end;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the command cannot be fully analysed, so it is not allowed: %s",
                                      problem);
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

static ag_status decide_empty(ag_checker *checker)
{
    ag_verdict *verdict = &checker->verdict;
    verdict->decision = checker->policy->default_decision;
    verdict->bypassable = true;
    verdict->reason = ag_arena_printf(&checker->arena,
                                      "the command runs nothing, so the policy default (%s) applies",
                                      ag_decision_name(verdict->decision));
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

ag_status ag_command_list_append(ag_arena *arena, ag_command_list *list,
                                 const ag_shell_command *command)
{
    ag_shell_command *items = ag_arena_grow(arena, list->items, list->count, &list->capacity,
                                            list->count + 1, sizeof(*items));
    if (items == NULL)
        return AG_ERR_NOMEM;
    list->items = items;
    list->items[list->count++] = *command;
    return AG_OK;
}

/* Returns whether a known command name has an uppercase ASCII letter or a byte above 0x7F. */
static bool name_may_fold(const ag_shell_command *command)
{
    if (command->word_count == 0 || command->words[0].dynamic)
        return false;
    const ag_shell_word *name = &command->words[0];
    for (size_t i = 0; i < name->length; i++) {
        unsigned char c = (unsigned char)name->text[i];
        if ((c >= 'A' && c <= 'Z') || c >= 0x80)
            return true;
    }
    return false;
}

/*
 * On a case-insensitive file system (the default on macOS and Windows) `RM`
 * and `/BIN/RM` run rm, and `ſsh` (U+017F) runs ssh where the file system
 * folds it as ag_path_fold_ascii() does. So a command whose name has
 * uppercase letters or such characters also gets a copy with the name
 * folded to ASCII and in lowercase. The copy meets every rule, wrapper and
 * effect like any other command, and the strictest verdict wins.
 */
static ag_status append_folded_copy(ag_checker *checker, ag_command_list *list, size_t index)
{
    ag_shell_command copy = list->items[index];
    char *name = ag_arena_strndup(&checker->arena, copy.words[0].text, copy.words[0].length);
    if (name == NULL)
        return AG_ERR_NOMEM;

    const char *folding;
    if (ag_path_fold_ascii(&checker->arena, name, &folding) != AG_OK)
        return AG_ERR_NOMEM;
    if (folding != NULL)
        name = ag_arena_strndup(&checker->arena, folding, strlen(folding));
    if (name == NULL)
        return AG_ERR_NOMEM;

    bool changed = folding != NULL;
    for (char *c = name; *c != '\0'; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
            changed = true;
        }
    }
    if (!changed)
        return AG_OK;

    ag_shell_word *words = ag_arena_alloc(&checker->arena, copy.word_count * sizeof(*words));
    if (words == NULL)
        return AG_ERR_NOMEM;
    memcpy(words, copy.words, copy.word_count * sizeof(*words));
    words[0].text = name;
    words[0].length = strlen(name);
    copy.words = words;
    copy.flags |= AG_COMMAND_WRAPPED;
    copy.wrapper = "a case-insensitive file system";
    return ag_command_list_append(&checker->arena, list, &copy);
}

/*
 * Unwraps list->items[first..] and appends what they run behind wrappers.
 * Unwrapping stops at the policy's command limit, which leaves `analysis`
 * incomplete: commands past the limit are never looked at, so it asks.
 */
static ag_status unwrap_commands(ag_checker *checker, ag_command_list *list, size_t first,
                                 ag_shell_analysis *analysis)
{
    size_t max_commands = checker->limits.max_commands;
    for (size_t i = first; i < list->count; i++) {
        if (max_commands != 0 && list->count > max_commands) {
            analysis->incomplete |= AG_SHELL_LIMIT;
            if (analysis->problem == NULL)
                analysis->problem = "the command runs more commands than the policy's max_commands limit";
            break;
        }
        ag_status status = AG_OK;
        if (name_may_fold(&list->items[i]))
            status = append_folded_copy(checker, list, i);
        if (status == AG_OK)
            status = ag_unwrap(checker, list, i);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static ag_status append_commands(ag_checker *checker, const ag_shell_command *commands,
                                 size_t count, ag_command_list *list)
{
    for (size_t i = 0; i < count; i++) {
        ag_status status = ag_command_list_append(&checker->arena, list, &commands[i]);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* Lists the analysed commands and everything they run behind wrappers. */
static ag_status list_commands(ag_checker *checker, ag_shell_analysis *analysis,
                               ag_command_list *list)
{
    ag_status status = append_commands(checker, analysis->commands, analysis->command_count,
                                       list);
    if (status != AG_OK)
        return status;
    return unwrap_commands(checker, list, 0, analysis);
}

/*
 * Raises the request's decision to `decision` from a command found by parsing
 * a part of the request alone. `why` gives the reason that part was parsed
 * alone.
 */
static ag_status raise_from_line(ag_checker *checker, ag_decision decision, const ag_rule *rule,
                                 const char *reason, const char *why, uint32_t start,
                                 uint32_t end)
{
    ag_verdict *verdict = &checker->verdict;
    /* A deny rule explains a deny better than the mode or a check that denied without one. */
    bool names_rule = decision == AG_DENY && verdict->decision == AG_DENY && rule != NULL
                      && verdict->rule == NULL;
    if (decision <= verdict->decision && !names_rule)
        return AG_OK;

    verdict->decision = decision;
    verdict->rule = rule;
    verdict->has_span = true;
    verdict->span_start = start;
    verdict->span_end = end;
    verdict->reason = ag_arena_printf(&checker->arena, "%s (%s)", reason, why);
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* Returns why the request's commands were also looked for in parts parsed alone. */
static const char *parsed_alone_why(const ag_shell_analysis *analysis)
{
    if (analysis->unparsed)
        return "found by parsing part of the command alone, because the whole command is over "
               "the input or time limit";
    if (analysis->unwalked_count > 0 && (analysis->incomplete & AG_SHELL_PARSE_ERROR) == 0)
        return "found by parsing a nested part of the command alone, because the whole command "
               "nests deeper than the depth limit";
    return "found by parsing its line or its backtick text alone, because tree-sitter-bash "
           "could not read it in the whole command";
}

/* The request's own effects, and in explain mode the rules each matched. */
typedef struct own_effects {
    ag_effect *items;
    size_t count;
    ag_match_list *matches;   /* NULL outside explain mode or without effects */
} own_effects;

/*
 * Joins the explain lists of the request's own effects and of the line
 * commands' effects, which ag_effects_evaluate() stored in the verdict, in
 * the order of the joined effects.
 */
static ag_status join_effect_matches(ag_checker *checker, const own_effects *real)
{
    ag_verdict *verdict = &checker->verdict;
    ag_match_list *line_matches = verdict->effect_matches;
    if (real->matches == NULL && line_matches == NULL)
        return AG_OK;

    size_t count = real->count + verdict->effect_count;
    ag_match_list *matches = ag_arena_calloc(&checker->arena, count + 1, sizeof(*matches));
    if (matches == NULL)
        return AG_ERR_NOMEM;
    if (real->matches != NULL)
        memcpy(matches, real->matches, real->count * sizeof(*matches));
    if (line_matches != NULL)
        memcpy(matches + real->count, line_matches, verdict->effect_count * sizeof(*matches));
    verdict->effect_matches = matches;
    return AG_OK;
}

/*
 * Appends the verdicts of the line commands `extra` to the request's
 * commands, and their effects, whose command index moves past the request's
 * own commands.
 */
static ag_status append_line_verdicts(ag_checker *checker, const ag_command_list *extra,
                                      ag_command_verdict **decided, const own_effects *real)
{
    ag_effect *real_effects = real->items;
    size_t real_effect_count = real->count;
    if (join_effect_matches(checker, real) != AG_OK)
        return AG_ERR_NOMEM;

    ag_verdict *verdict = &checker->verdict;
    size_t command_total = verdict->command_count + extra->count;
    size_t effect_total = real_effect_count + verdict->effect_count;
    ag_command_verdict *commands = ag_arena_calloc(&checker->arena, command_total + 1,
                                                   sizeof(*commands));
    ag_effect *effects = ag_arena_calloc(&checker->arena, effect_total + 1, sizeof(*effects));
    if (commands == NULL || effects == NULL)
        return AG_ERR_NOMEM;

    if (verdict->command_count > 0)
        memcpy(commands, verdict->commands, verdict->command_count * sizeof(*commands));
    for (size_t i = 0; i < extra->count; i++)
        commands[verdict->command_count + i].command = &extra->items[i];
    if (real_effect_count > 0)
        memcpy(effects, real_effects, real_effect_count * sizeof(*effects));
    for (size_t i = 0; i < verdict->effect_count; i++) {
        effects[real_effect_count + i] = verdict->effects[i];
        effects[real_effect_count + i].command += verdict->command_count;
    }

    *decided = commands + verdict->command_count;
    verdict->commands = commands;
    verdict->command_count = command_total;
    verdict->effects = effects;
    verdict->effect_count = effect_total;
    return AG_OK;
}

/*
 * Reports a limit that stopped the analysis of the lines parsed alone or of
 * wrapped scripts, which may hold a command. A problem reported earlier keeps
 * its message.
 */
static void set_lines_limit_error(ag_verdict *verdict)
{
    verdict->error = AG_ERR_LIMIT;
    if (verdict->error_message == NULL)
        verdict->error_message = "a limit of the policy stopped the analysis of the command's "
                                 "lines or wrapped scripts";
}

/*
 * Lists the commands found by parsing lines alone: those of the request's
 * lines after its parse error or of its unparsed backtick text
 * (`error_pieces`), and those of the lines of wrapped scripts
 * that failed to parse (checker->line_commands), also of the scripts that
 * the line commands run. Stops at the command limit.
 */
static ag_status list_line_commands(ag_checker *checker, const char *input, size_t length,
                                    const ag_shell_analysis *analysis, ag_command_list *extra)
{
    ag_shell_analysis lines = {0};
    ag_status status = AG_OK;
    if ((analysis->incomplete & AG_SHELL_PARSE_ERROR) || analysis->error_piece_count > 0) {
        status = ag_shell_analyze_lines_after(checker->analyzer, input, length,
                                              &checker->limits, &checker->arena, analysis,
                                              &lines);
        if (status == AG_OK)
            status = append_commands(checker, lines.commands, lines.command_count, extra);
    }
    /* Lines a limit left unread may hold a command, so the verdict reports the limit. */
    if (lines.incomplete & AG_SHELL_LIMIT)
        set_lines_limit_error(&checker->verdict);
    if (status == AG_OK && (analysis->unparsed || analysis->unwalked_count > 0)) {
        status = ag_shell_analyze_limited(checker->analyzer, input, length, &checker->limits,
                                          &checker->arena, analysis, &lines);
        if (status == AG_OK)
            status = append_commands(checker, lines.commands, lines.command_count, extra);
    }

    /* Unwrapping may add the lines of more scripts, until the command limit. */
    ag_shell_analysis unwrapped = {0};
    size_t first = 0;
    while (status == AG_OK && (unwrapped.incomplete & AG_SHELL_LIMIT) == 0
           && (first < extra->count || checker->line_commands.count > 0)) {
        ag_command_list pending = checker->line_commands;
        checker->line_commands = (ag_command_list){0};
        status = append_commands(checker, pending.items, pending.count, extra);
        if (status == AG_OK)
            status = unwrap_commands(checker, extra, first, &unwrapped);
        first = extra->count;
    }
    if (unwrapped.incomplete & AG_SHELL_LIMIT)
        set_lines_limit_error(&checker->verdict);
    return status;
}

/*
 * After a parse error, tree-sitter-bash's error recovery may have dropped a
 * command from the tree, so each line is also parsed alone
 * (ag_shell_analyze_lines()), and so is each line of a wrapped script that
 * failed to parse. The text inside backticks that tree-sitter-bash left as
 * text (in a heredoc body, or in `${x:-...}`) is parsed alone too, and so
 * are the parts a limit kept out of the parse or the walk
 * (ag_shell_analyze_limited()). Their commands are decided with every rule and effect,
 * in a directory tracking of their own that starts at `cwd`. They can only
 * raise the request's decision: the parse error, or the opaque wrapper of
 * the script, already made it at least ask, and a line command that is
 * allowed changes nothing. This runs after the mode, so no mode lowers what
 * a line command raised.
 * TODO(line-commands): apply the mode to line commands too: plan mode denies
 * a write of the request's own commands, but a line command's write keeps
 * the ask of the parse error.
 */
static ag_status check_lines_alone(ag_checker *checker, const char *input, size_t length,
                                   const char *cwd, const ag_shell_analysis *analysis)
{
    ag_verdict *verdict = &checker->verdict;
    ag_command_list extra = {0};
    ag_status status = list_line_commands(checker, input, length, analysis, &extra);
    if (status != AG_OK || extra.count == 0)
        return status;

    /* The line commands' effects go through extraction alone, so they do
     * not move the directory or add writes before the request's commands. */
    own_effects real = {verdict->effects, verdict->effect_count, verdict->effect_matches};
    verdict->effects = NULL;
    verdict->effect_count = 0;
    verdict->effect_matches = NULL;
    if ((status = ag_effects_evaluate(checker, extra.items, extra.count, cwd, length)) != AG_OK)
        return status;

    ag_command_verdict *decided = NULL;
    const char *why = parsed_alone_why(analysis);
    status = append_line_verdicts(checker, &extra, &decided, &real);
    for (size_t i = 0; status == AG_OK && i < extra.count; i++)
        status = decide_command(checker, input, &decided[i]);
    for (size_t i = 0; status == AG_OK && i < extra.count; i++)
        status = raise_from_line(checker, decided[i].decision, decided[i].rule,
                                 decided[i].reason, why, extra.items[i].start,
                                 extra.items[i].end);
    for (size_t i = real.count; status == AG_OK && i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        status = raise_from_line(checker, effect->decision, effect->rule, effect->reason, why,
                                 effect->start, effect->end);
    }
    return status;
}

ag_status ag_eval_command(ag_checker *checker, const char *command, size_t length,
                          const char *cwd)
{
    ag_verdict *verdict = &checker->verdict;
    checker->line_commands = (ag_command_list){0};
    checker->script_parse_micros = 0;
    checker->script_line_commands = 0;
    ag_shell_analysis analysis;
    ag_status status = ag_shell_analyze(checker->analyzer, command, length,
                                        &checker->limits, &checker->arena, &analysis);
    if (status != AG_OK)
        return status;
    if (analysis.incomplete & AG_SHELL_NOMEM)
        return AG_ERR_NOMEM;

    ag_command_list list = {0};
    if ((status = list_commands(checker, &analysis, &list)) != AG_OK)
        return status;

    verdict->commands = ag_arena_calloc(&checker->arena, list.count + 1,
                                        sizeof(*verdict->commands));
    if (verdict->commands == NULL)
        return AG_ERR_NOMEM;
    verdict->command_count = list.count;

    for (size_t i = 0; i < list.count; i++) {
        verdict->commands[i].command = &list.items[i];
        status = decide_command(checker, command, &verdict->commands[i]);
        if (status != AG_OK)
            return status;
    }

    if (list.count > 0)
        combine_commands(verdict);
    else if ((status = decide_empty(checker)) != AG_OK)
        return status;

    status = ag_effects_evaluate(checker, list.items, list.count, cwd, length);
    if (status != AG_OK)
        return status;
    combine_effects(verdict);
    if ((status = apply_incomplete(checker, &analysis)) != AG_OK)
        return status;

    /* The mode and the protected paths adjust the verdict (mode.c). */
    if ((status = ag_mode_apply_command(checker, &analysis, cwd)) != AG_OK)
        return status;
    return check_lines_alone(checker, command, length, cwd, &analysis);
}
