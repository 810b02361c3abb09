/*
 * Explain mode: with ag_checker_set_explain(), every rule that matches or could
 * match a command, an effect or a tool call is recorded in the checker's
 * arena, besides the one that decides. Recording never changes a decision:
 * the rule loops only go on past the first deny (ag_findings_done()), and
 * the findings keep the first rule of each kind.
 */
#include <string.h>

#include "eval/eval.h"

static void append_match(ag_checker *checker, ag_match_list *list, const ag_rule *rule,
                         ag_match match)
{
    ag_rule_match_record *items = ag_arena_grow(&checker->arena, list->items, list->count,
                                                &list->capacity, list->count + 1,
                                                sizeof(*items));
    if (items == NULL)
        return;    /* explain output loses a line; the decision is unaffected */
    list->items = items;
    list->items[list->count++] = (ag_rule_match_record){rule, match};
}

void ag_findings_note(ag_checker *checker, ag_rule_findings *findings, const ag_rule *rule,
                      ag_match match)
{
    if (checker->explain && checker->explain_sink != NULL && match != AG_MATCH_NO)
        append_match(checker, checker->explain_sink, rule, match);
    ag_findings_record(findings, rule, match);
}

ag_status ag_checker_set_explain(ag_checker *checker, bool explain)
{
    if (checker == NULL)
        return AG_ERR_ARGUMENT;
    checker->explain = explain;
    return AG_OK;
}

/* Stores one record's fields in the caller's outputs, each of which may be NULL. */
static bool read_record(const ag_match_list *list, size_t index, const char **rule_text,
                        const char **source, ag_decision *decision, bool *certain)
{
    if (list == NULL || index >= list->count)
        return false;
    const ag_rule_match_record *record = &list->items[index];
    if (rule_text != NULL)
        *rule_text = record->rule->text;
    if (source != NULL)
        *source = record->rule->source;
    if (decision != NULL)
        *decision = record->rule->decision;
    if (certain != NULL)
        *certain = record->match == AG_MATCH_YES;
    return true;
}

size_t ag_verdict_match_count(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->matches.count : 0;
}

bool ag_verdict_match(const ag_verdict *verdict, size_t index, const char **rule_text,
                      const char **source, ag_decision *decision, bool *certain)
{
    return verdict != NULL && read_record(&verdict->matches, index, rule_text, source,
                                          decision, certain);
}

static const ag_match_list *command_matches(const ag_verdict *verdict, size_t command)
{
    if (verdict == NULL || command >= verdict->command_count)
        return NULL;
    return &verdict->commands[command].matches;
}

size_t ag_verdict_command_match_count(const ag_verdict *verdict, size_t command)
{
    const ag_match_list *list = command_matches(verdict, command);
    return list != NULL ? list->count : 0;
}

bool ag_verdict_command_match(const ag_verdict *verdict, size_t command, size_t index,
                              const char **rule_text, const char **source,
                              ag_decision *decision, bool *certain)
{
    return read_record(command_matches(verdict, command), index, rule_text, source, decision,
                       certain);
}

static const ag_match_list *effect_matches(const ag_verdict *verdict, size_t effect)
{
    if (verdict == NULL || verdict->effect_matches == NULL || effect >= verdict->effect_count)
        return NULL;
    return &verdict->effect_matches[effect];
}

size_t ag_verdict_effect_match_count(const ag_verdict *verdict, size_t effect)
{
    const ag_match_list *list = effect_matches(verdict, effect);
    return list != NULL ? list->count : 0;
}

bool ag_verdict_effect_match(const ag_verdict *verdict, size_t effect, size_t index,
                             const char **rule_text, const char **source,
                             ag_decision *decision, bool *certain)
{
    return read_record(effect_matches(verdict, effect), index, rule_text, source, decision,
                       certain);
}
