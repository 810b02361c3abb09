/*
 * Deciding effects: Read(...) deny and ask rules apply to every file read,
 * Edit(...) deny and ask rules and Read(...) deny rules to every file
 * written, WebFetch(domain:...) and bare WebFetch deny and ask rules to every
 * host contacted. A write outside the working directory and the policy's
 * additional directories asks unless an Edit(...) allow rule matches it. A
 * target that is a symbolic link on disk is checked as itself and as the
 * file it leads to (ag_path_resolve), as the file tools do.
 */
#include <string.h>

#include "effects/decide.h"

static bool rule_names(const ag_rule *rule, const char *tool)
{
    return strcmp(rule->tool, tool) == 0;
}

/*
 * Matches a domain rule against a host. A host with an unknown part (curl
 * $URL) could be any host, so it could match every domain rule. This holds
 * whatever the domain matcher does with the unknown mark.
 */
static ag_match match_host(const ag_rule *rule, const char *host)
{
    ag_match match = ag_rule_match_domain(rule, host);
    if (match == AG_MATCH_NO && strchr(host, AG_DYNAMIC_MARK) != NULL)
        return AG_MATCH_MAYBE;
    return match;
}

/* Returns how `rule` bears on `effect` with the target `path`, and whether it applies at all. */
static ag_match match_effect_at(ag_checker *checker, const ag_rule *rule, const ag_effect *effect,
                                const char *path, const ag_path_context *context)
{
    /* A bare Read or Edit deny or ask rule covers every file, read or written by any means. */
    bool bare = rule->kind == AG_RULE_TOOL && rule->decision != AG_ALLOW;
    switch (effect->kind) {
    case AG_EFFECT_READ:
        if (rule->decision == AG_ALLOW || !rule_names(rule, "Read"))
            return AG_MATCH_NO;
        if (bare)
            return AG_MATCH_YES;
        if (!ag_rule_is_path(rule))
            return AG_MATCH_NO;
        break;
    case AG_EFFECT_WRITE:
        if (!rule_names(rule, "Edit") && !(rule_names(rule, "Read") && rule->decision == AG_DENY))
            return AG_MATCH_NO;
        if (bare)
            return AG_MATCH_YES;
        if (!ag_rule_is_path(rule))
            return AG_MATCH_NO;
        break;
    case AG_EFFECT_NETWORK:
        if (rule->decision == AG_ALLOW || !rule_names(rule, "WebFetch"))
            return AG_MATCH_NO;
        if (rule->kind == AG_RULE_TOOL)
            return AG_MATCH_YES;
        return ag_rule_is_domain(rule) ? match_host(rule, effect->target) : AG_MATCH_NO;
    case AG_EFFECT_CHDIR:
    default:
        return AG_MATCH_NO;
    }
    return ag_rule_match_path(rule, path, context, checker->match_data);
}

/*
 * Returns how `rule` bears on `effect`. When the target is a symbolic link,
 * a deny or ask rule applies if it matches the link or the file it leads to,
 * and an allow rule only if it matches both, as for the file tools.
 */
static ag_match match_effect(ag_checker *checker, const ag_rule *rule, const ag_effect *effect,
                             const char *link_target, const ag_path_context *context)
{
    ag_match on_path = match_effect_at(checker, rule, effect, effect->target, context);
    if (link_target == NULL || effect->kind == AG_EFFECT_NETWORK)
        return on_path;
    ag_match on_target = match_effect_at(checker, rule, effect, link_target, context);
    if (rule->decision == AG_ALLOW)
        return on_path == AG_MATCH_YES && on_target == AG_MATCH_YES ? AG_MATCH_YES : AG_MATCH_NO;
    return on_path > on_target ? on_path : on_target;
}

/*
 * Returns where the path target of `effect` leads through symbolic links on
 * disk, or NULL when it leads nowhere else, does not resolve, or the effect
 * contacts a host. A link that the same command line creates is not on disk
 * yet: extraction makes the paths under it unknown instead.
 */
static const char *link_target_of(ag_checker *checker, const ag_effect *effect)
{
    if (effect->kind == AG_EFFECT_NETWORK)
        return NULL;
    const char *resolved = ag_path_resolve(&checker->arena, effect->target);
    if (resolved == NULL || strcmp(resolved, effect->target) == 0)
        return NULL;
    return resolved;
}

static bool is_within_directory(const char *path, const char *directory)
{
    return directory != NULL && directory[0] == '/' && ag_path_is_within(path, directory);
}

/* Returns whether a written path lies in the request's cwd or an additional directory. */
static bool inside_workspace(ag_checker *checker, const char *path,
                             const ag_path_context *context)
{
    if (is_within_directory(path, context->cwd))
        return true;

    const ag_policy *policy = checker->policy;
    for (size_t i = 0; i < policy->additional_directory_count; i++) {
        const ag_policy_directory *entry = &policy->additional_directories[i];
        ag_path_context base = {entry->base != NULL ? entry->base : context->cwd, context->home};
        const char *directory = ag_path_normalize(&checker->arena, &base, entry->path,
                                                  strlen(entry->path));
        if (is_within_directory(path, directory))
            return true;
    }
    return false;
}

static const char *effect_verb(ag_effect_kind kind)
{
    switch (kind) {
    case AG_EFFECT_READ:
        return "reading";
    case AG_EFFECT_WRITE:
        return "writing";
    case AG_EFFECT_NETWORK:
        return "contacting";
    default:
        return "changing into";
    }
}

/* Returns the target as reasons show it: quoted, and with the file a link leads to. */
static const char *describe_target(ag_arena *arena, const ag_effect *effect,
                                   const char *link_target)
{
    const char *target = ag_quote_text(arena, effect->target, strlen(effect->target));
    if (target != NULL && link_target != NULL)
        target = ag_arena_printf(arena, "%s (a link to %s)", target,
                                 ag_quote_text(arena, link_target, strlen(link_target)));
    return target;
}

/*
 * Starts a cursor over the rules match_effect() can find applicable: those
 * naming the effect's tools exactly, and of the path rules only those the
 * rule index finds for the target and its link target. With 10,000 generated
 * rules (bench/bench.c's shapes), a check of the first 2,000 agent-corpus
 * commands took 7.1x the instructions of the 10-rule policy before and 1.07x
 * after (callgrind).
 */
static void start_cursor(ag_rule_cursor *cursor, const ag_policy *policy,
                         const ag_effect *effect, const char *link_target,
                         const ag_path_context *context)
{
    static const char *const read_tools[] = {"Read"};
    static const char *const write_tools[] = {"Edit", "Read"};
    static const char *const network_tools[] = {"WebFetch"};
    const char *paths[] = {effect->target, link_target};
    size_t path_count = link_target != NULL ? 2 : 1;
    switch (effect->kind) {
    case AG_EFFECT_READ:
        ag_rule_cursor_for_paths(cursor, policy, read_tools, 1, paths, path_count, context);
        break;
    case AG_EFFECT_WRITE:
        ag_rule_cursor_for_paths(cursor, policy, write_tools, 2, paths, path_count, context);
        break;
    case AG_EFFECT_NETWORK:
        ag_rule_cursor_for_tools(cursor, policy, network_tools, 1);
        break;
    default:
        ag_rule_cursor_for_tools(cursor, policy, NULL, 0);    /* no rule applies to a cd */
        break;
    }
}

static ag_status decide_effect(ag_checker *checker, ag_effect *effect,
                               const ag_path_context *context)
{
    ag_rule_findings findings = {0};
    const char *link_target = link_target_of(checker, effect);
    effect->link_target = link_target;    /* for the protected paths and the modes (mode.c) */
    ag_rule_cursor cursor;
    start_cursor(&cursor, checker->policy, effect, link_target, context);
    const ag_rule *rule;
    while (!ag_findings_done(checker, &findings) && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
        ag_findings_note(checker, &findings, rule,
                         match_effect(checker, rule, effect, link_target, context));
    }

    const char *verb = effect_verb(effect->kind);
    const char *target = describe_target(&checker->arena, effect, link_target);
    if (target == NULL)
        return AG_ERR_NOMEM;
    bool outside = !inside_workspace(checker, effect->target, context)
                   || (link_target != NULL && !inside_workspace(checker, link_target, context));
    ag_command_verdict result = {0};
    if (findings.deny != NULL || findings.deny_maybe != NULL || findings.ask != NULL) {
        const char *what = ag_arena_printf(&checker->arena, "%s %s", verb, target);
        if (what == NULL)
            return AG_ERR_NOMEM;
        ag_findings_decide(checker, &result, &findings, what);
    } else if (effect->kind == AG_EFFECT_WRITE && findings.allow == NULL && outside) {
        result.decision = AG_ASK;
        result.reason = ag_arena_printf(&checker->arena,
                                        "`%s %s` is outside the working directory and the "
                                        "policy's additional directories, and no Edit allow rule "
                                        "covers it",
                                        verb, target);
    } else {
        /* Most effects meet no rule, so this reason is built in one step. */
        result.decision = AG_ALLOW;
        result.rule = findings.allow;
        result.reason = ag_arena_printf(&checker->arena, "no rule restricts `%s %s`", verb,
                                        target);
    }
    effect->decision = result.decision;
    effect->rule = result.rule;
    effect->reason = result.reason;
    return effect->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

ag_status ag_effects_decide(ag_checker *checker, ag_effect_list *effects,
                            const ag_path_context *context)
{
    /* Explain mode records each effect's rules in a list of its own (explain.c). */
    ag_match_list *matches = NULL;
    if (checker->explain && effects->count > 0) {
        matches = ag_arena_calloc(&checker->arena, effects->count, sizeof(*matches));
        if (matches == NULL)
            return AG_ERR_NOMEM;
    }
    checker->verdict.effect_matches = matches;
    for (size_t i = 0; i < effects->count; i++) {
        checker->explain_sink = matches != NULL ? &matches[i] : NULL;
        ag_status status = decide_effect(checker, &effects->items[i], context);
        checker->explain_sink = NULL;
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

ag_status ag_effects_evaluate(ag_checker *checker, const ag_shell_command *commands, size_t count,
                              const char *cwd, size_t input_length)
{
    ag_verdict *verdict = &checker->verdict;
    ag_effect_list effects = {0};
    if (checker->policy->effects == NULL)
        return AG_OK;

    /* The same normalized cwd and home as the file tools use, so rules match alike. */
    ag_arena *arena = &checker->arena;
    ag_path_context context = {NULL, NULL};
    if (cwd != NULL && cwd[0] == '/'
        && (context.cwd = ag_checker_normalize(checker, &checker->cwd_cache, cwd)) == NULL)
        return AG_ERR_NOMEM;
    if (checker->home != NULL
        && (context.home = ag_checker_normalize(checker, &checker->home_cache, checker->home))
               == NULL)
        return AG_ERR_NOMEM;

    ag_status status = ag_effects_extract(arena, checker->policy->effects, commands, count,
                                          &context, input_length, &effects);
    if (status == AG_OK)
        status = ag_effects_decide(checker, &effects, &context);
    verdict->effects = effects.items;
    verdict->effect_count = status == AG_OK ? effects.count : 0;
    return status;
}
