/* Accessors of verdicts. Every pointer returned lives as long as the verdict. */
#include "eval/eval.h"

ag_decision ag_verdict_decision(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->decision : AG_DENY;
}

const char *ag_verdict_reason(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->reason : "no verdict";
}

const char *ag_verdict_rule(const ag_verdict *verdict)
{
    return verdict != NULL && verdict->rule != NULL ? verdict->rule->text : NULL;
}

const char *ag_verdict_source(const ag_verdict *verdict)
{
    return verdict != NULL && verdict->rule != NULL ? verdict->rule->source : NULL;
}

bool ag_verdict_span(const ag_verdict *verdict, size_t *start, size_t *end)
{
    if (verdict == NULL || !verdict->has_span)
        return false;
    if (start != NULL)
        *start = verdict->span_start;
    if (end != NULL)
        *end = verdict->span_end;
    return true;
}

ag_status ag_verdict_error(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->error : AG_ERR_ARGUMENT;
}

const char *ag_verdict_error_message(const ag_verdict *verdict)
{
    if (verdict == NULL)
        return "no verdict";
    if (verdict->error == AG_OK)
        return NULL;
    return verdict->error_message != NULL ? verdict->error_message : verdict->reason;
}

size_t ag_verdict_command_count(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->command_count : 0;
}

static const ag_command_verdict *command_at(const ag_verdict *verdict, size_t index)
{
    if (verdict == NULL || index >= verdict->command_count)
        return NULL;
    return &verdict->commands[index];
}

size_t ag_verdict_command_argc(const ag_verdict *verdict, size_t index)
{
    const ag_command_verdict *command = command_at(verdict, index);
    return command != NULL ? command->command->word_count : 0;
}

const char *ag_verdict_command_arg(const ag_verdict *verdict, size_t index, size_t word,
                                   bool *dynamic)
{
    const ag_command_verdict *command = command_at(verdict, index);
    if (command == NULL || word >= command->command->word_count)
        return NULL;
    if (dynamic != NULL)
        *dynamic = command->command->words[word].dynamic;
    return command->command->words[word].text;
}

ag_decision ag_verdict_command_decision(const ag_verdict *verdict, size_t index)
{
    const ag_command_verdict *command = command_at(verdict, index);
    return command != NULL ? command->decision : AG_DENY;
}

const char *ag_verdict_command_rule(const ag_verdict *verdict, size_t index)
{
    const ag_command_verdict *command = command_at(verdict, index);
    return command != NULL && command->rule != NULL ? command->rule->text : NULL;
}

const char *ag_verdict_command_source(const ag_verdict *verdict, size_t index)
{
    const ag_command_verdict *command = command_at(verdict, index);
    return command != NULL && command->rule != NULL ? command->rule->source : NULL;
}

bool ag_verdict_command_span(const ag_verdict *verdict, size_t index, size_t *start,
                             size_t *end)
{
    const ag_command_verdict *command = command_at(verdict, index);
    if (command == NULL)
        return false;
    if (start != NULL)
        *start = command->command->start;
    if (end != NULL)
        *end = command->command->end;
    return true;
}

const char *ag_effect_kind_name(ag_effect_kind kind)
{
    switch (kind) {
    case AG_EFFECT_READ:
        return "read";
    case AG_EFFECT_WRITE:
        return "write";
    case AG_EFFECT_CHDIR:
        return "chdir";
    case AG_EFFECT_NETWORK:
        return "network";
    }
    return "unknown";
}

size_t ag_verdict_effect_count(const ag_verdict *verdict)
{
    return verdict != NULL ? verdict->effect_count : 0;
}

static const ag_effect *effect_at(const ag_verdict *verdict, size_t index)
{
    if (verdict == NULL || index >= verdict->effect_count)
        return NULL;
    return &verdict->effects[index];
}

ag_effect_kind ag_verdict_effect_kind(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL ? effect->kind : AG_EFFECT_READ;
}

const char *ag_verdict_effect_target(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL ? effect->target : NULL;
}

ag_decision ag_verdict_effect_decision(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL ? effect->decision : AG_DENY;
}

const char *ag_verdict_effect_rule(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL && effect->rule != NULL ? effect->rule->text : NULL;
}

const char *ag_verdict_effect_source(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL && effect->rule != NULL ? effect->rule->source : NULL;
}

bool ag_verdict_effect_span(const ag_verdict *verdict, size_t index, size_t *start, size_t *end)
{
    const ag_effect *effect = effect_at(verdict, index);
    if (effect == NULL)
        return false;
    if (start != NULL)
        *start = effect->start;
    if (end != NULL)
        *end = effect->end;
    return true;
}

size_t ag_verdict_effect_command(const ag_verdict *verdict, size_t index)
{
    const ag_effect *effect = effect_at(verdict, index);
    return effect != NULL ? effect->command : SIZE_MAX;
}
