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

/*
 * Matches a path rule against a tree walked through its symbolic links
 * (`grep -R x DIR`). A link below DIR may lead to any file, so a deny or
 * ask rule could match even where it matches nothing below DIR, and an
 * allow rule cannot vouch for the files the links reach.
 */
static ag_match match_followed_tree(ag_checker *checker, const ag_rule *rule, const char *path,
                                    const ag_path_context *context)
{
    if (rule->decision == AG_ALLOW)
        return AG_MATCH_NO;
    ag_match match = ag_rule_match_path_below(rule, path, context, checker->match_data);
    return match == AG_MATCH_NO ? AG_MATCH_MAYBE : match;
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
    if (effect->follows_links)
        return match_followed_tree(checker, rule, path, context);
    /* A tree read (`grep -r x ~`) meets rules below its target, as the Grep tool does. */
    if (effect->tree)
        return ag_rule_match_path_below(rule, path, context, checker->match_data);
    return ag_rule_match_path(rule, path, context, checker->match_data);
}

/* A form of an effect's target that only deny and ask rules match, with the cwd and home for it. */
typedef struct strict_form {
    const char *path;
    ag_path_context context;
} strict_form;

/* The strict forms of one effect: its variable target and the ASCII foldings. */
typedef struct strict_forms {
    strict_form items[4];
    size_t count;
    bool folded_base;    /* the cwd or home has an ASCII folding (/home/uſer) */
} strict_forms;

/*
 * Adds the ASCII folding of `path` to `forms`, matched with the folded cwd
 * and home. Where those have a folding, `path` is added even without one of
 * its own. With the home /home/uſer, /home/user/.ssh is ~/.ssh on a file
 * system that ignores case, but it lies below the folded home only.
 */
static void add_folded_form(strict_forms *forms, const char *path, const char *folded_path,
                            const ag_path_context *folded_context, bool context_folds)
{
    if (path == NULL || (folded_path == NULL && !context_folds))
        return;
    const char *form = folded_path != NULL ? folded_path : path;
    forms->items[forms->count++] = (strict_form){form, *folded_context};
}

/* The request's cwd and home as ag_path_context_fold_ascii() folds them, once for all effects. */
typedef struct folded_context {
    ag_path_context context;
    bool folds;    /* the cwd or home has an ASCII folding */
} folded_context;

/*
 * Collects the forms of the effect's target that only deny and ask rules
 * read. The variable's value may differ at run time, and an ASCII folding
 * names the target only on a file system that ignores case. Foldings are
 * compared with the folded cwd and home, so that the folding of a path
 * below a cwd spelled with U+017F still lies below the cwd. Returns AG_OK
 * or AG_ERR_NOMEM.
 */
static ag_status collect_strict_forms(ag_arena *arena, const ag_effect *effect,
                                      const ag_path_context *context,
                                      const folded_context *base, strict_forms *forms)
{
    forms->count = 0;
    forms->folded_base = false;
    if (effect->kind == AG_EFFECT_NETWORK)
        return AG_OK;

    ag_path_context variable = *context;
    if (effect->variable_cwd != NULL)
        variable.cwd = effect->variable_cwd;
    ag_path_context folded_variable = variable;
    bool variable_folds = false;
    forms->folded_base = base->folds;
    /* Most effects have no variable target, and then its context is not used. */
    if (effect->variable_target != NULL
        && ag_path_context_fold_ascii(arena, &variable, &folded_variable, &variable_folds)
               != AG_OK)
        return AG_ERR_NOMEM;

    if (effect->variable_target != NULL)
        forms->items[forms->count++] = (strict_form){effect->variable_target, variable};
    add_folded_form(forms, effect->variable_target, effect->folded_variable_target,
                    &folded_variable, variable_folds);
    add_folded_form(forms, effect->target, effect->folded_target, &base->context, base->folds);
    add_folded_form(forms, effect->link_target, effect->folded_link_target, &base->context,
                    base->folds);
    return AG_OK;
}

/* Returns how a deny or ask rule bears on the strict forms of an effect's target. */
static ag_match match_strict_forms(ag_checker *checker, const ag_rule *rule,
                                   const ag_effect *effect, const strict_forms *forms)
{
    ag_match strictest = AG_MATCH_NO;
    for (size_t i = 0; i < forms->count; i++) {
        const strict_form *form = &forms->items[i];
        ag_match match = match_effect_at(checker, rule, effect, form->path, &form->context);
        if (match > strictest)
            strictest = match;
    }
    return strictest;
}

/*
 * Returns how `rule` bears on `effect`. When the target is a symbolic link,
 * a deny or ask rule applies if it matches the link or the file it leads to,
 * and an allow rule only if it matches both, as for the file tools.
 */
static ag_match match_effect(ag_checker *checker, const ag_rule *rule, const ag_effect *effect,
                             const char *link_target, const ag_path_context *context,
                             const strict_forms *forms)
{
    ag_match on_path = match_effect_at(checker, rule, effect, effect->target, context);
    if (effect->kind == AG_EFFECT_NETWORK)
        return on_path;

    if (rule->decision != AG_ALLOW) {
        ag_match on_strict = match_strict_forms(checker, rule, effect, forms);
        if (on_strict > on_path)
            on_path = on_strict;
    }
    if (link_target == NULL)
        return on_path;
    ag_match on_target = match_effect_at(checker, rule, effect, link_target, context);
    if (rule->decision == AG_ALLOW)
        return on_path == AG_MATCH_YES && on_target == AG_MATCH_YES ? AG_MATCH_YES : AG_MATCH_NO;
    return on_path > on_target ? on_path : on_target;
}

/*
 * Sets the ASCII foldings of the effect's target, variable target and link
 * target (ag_effect.folded_target). Most paths are ASCII, and for them this
 * is one scan of each. Returns AG_OK or AG_ERR_NOMEM.
 */
static ag_status fold_targets(ag_arena *arena, ag_effect *effect)
{
    if (effect->kind == AG_EFFECT_NETWORK)
        return AG_OK;
    if (ag_path_fold_ascii(arena, effect->target, &effect->folded_target) != AG_OK
        || ag_path_fold_ascii(arena, effect->variable_target, &effect->folded_variable_target)
               != AG_OK
        || ag_path_fold_ascii(arena, effect->link_target, &effect->folded_link_target) != AG_OK)
        return AG_ERR_NOMEM;
    return AG_OK;
}

/*
 * Returns where the path target of `effect` leads through symbolic links on
 * disk (ag_path_link_target(): unknown when the lookup fails), or NULL when
 * it leads nowhere else, the effect contacts a host, or nothing can use the
 * result (ag_effect_link_matters()). Skipping those lookups took a check of
 * the agent corpus from about 5.4 to 4.9 us when measured (bench/bench.c,
 * default policy, 2 cores).
 * A link that the same command line creates is not on disk yet: extraction
 * makes the paths under it unknown instead.
 */
static const char *link_target_of(ag_checker *checker, const ag_effect *effect)
{
    if (effect->kind == AG_EFFECT_NETWORK)
        return NULL;
    if (effect->new_link_target != NULL)
        return effect->new_link_target;
    if (!ag_effect_link_matters(checker, effect->kind))
        return NULL;
    return ag_path_link_target(&checker->arena, &checker->lookups, effect->target);
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

/*
 * Length up to which ag_quote_text() returns a text of printable bytes
 * unchanged. NOTE: it cuts texts longer than AG_REASON_QUOTE_MAX (80 bytes,
 * lib/eval/command.c), and test_quote_keeps_short_text checks this bound.
 */
enum { AG_QUOTE_UNCHANGED_MAX = 64 };

/*
 * Returns `text` as ag_quote_text() quotes it for a reason. Most targets are
 * short and printable, and those need no copy.
 */
static ag_text_part quoted_part(ag_arena *arena, const char *text)
{
    size_t length = strlen(text);
    if (length <= AG_QUOTE_UNCHANGED_MAX && ag_printable_prefix(text, length) == length)
        return (ag_text_part){text, length};
    return ag_text_part_of(ag_quote_text(arena, text, length));
}

/* Parts of a reason that name what an effect does: the verb, then the target quoted. */
enum { AG_EFFECT_PARTS = 13 };

/*
 * Stores in `parts` what the effect does as reasons show it: the verb, the
 * target quoted, and the file a link leads to. Returns how many parts.
 */
static size_t describe_effect(ag_arena *arena, const ag_effect *effect, const char *link_target,
                              ag_text_part *parts)
{
    parts[0] = ag_text_part_of(effect_verb(effect->kind));
    parts[1] = (ag_text_part){" ", 1};
    parts[2] = quoted_part(arena, effect->target);
    size_t count = 3;
    if (effect->variable_target != NULL && effect->variable_cwd == NULL) {
        parts[count++] = AG_TEXT_LITERAL(" (read as ");
        parts[count++] = quoted_part(arena, effect->variable_target);
        parts[count++] = AG_TEXT_LITERAL(" by deny and ask rules)");
    }
    if (effect->folded_target != NULL) {
        parts[count++] = AG_TEXT_LITERAL(" (read as ");
        parts[count++] = quoted_part(arena, effect->folded_target);
        parts[count++] = AG_TEXT_LITERAL(" on a file system that ignores case)");
    }
    if (effect->new_link_target != NULL && link_target == effect->new_link_target) {
        /* The new link is not on disk yet, so the place it leads to is unknown. */
        parts[count++] = ag_text_part_of(" (a command of this request may make a link on the way "
                                         "to it, which may lead anywhere)");
    } else if (link_target != NULL && ag_path_lookup_failed(link_target)) {
        parts[count++] = ag_text_part_of(" (" AG_LOOKUP_FAILED_NOTE ")");
    } else if (link_target != NULL) {
        parts[count++] = (ag_text_part){" (a link to ", 12};
        parts[count++] = quoted_part(arena, link_target);
        parts[count++] = (ag_text_part){")", 1};
    }
    if (effect->follows_links)
        parts[count++] = AG_TEXT_LITERAL(" and the files that the symbolic links below it lead to");
    return count;
}

/*
 * Returns why a rule only could match an effect, to end its reason, or NULL
 * for values only known when the command runs.
 */
static const char *unknown_cause(const ag_effect *effect)
{
    if (effect->unlisted && effect->kind == AG_EFFECT_READ)
        return ", because the program is not in the effects table, so it may read any file "
               "its arguments name";
    if (effect->unlisted)
        return ", because the program is not in the effects table, so it may write any file "
               "its arguments name";
    if (effect->possible && effect->kind == AG_EFFECT_READ)
        return ", because which program runs is only known when the command runs, and that "
               "program may read any file";
    if (effect->possible && effect->kind == AG_EFFECT_WRITE)
        return ", because which program runs is only known when the command runs, and that "
               "program may write any file";
    if (effect->possible)
        return ", because which program runs is only known when the command runs, and that "
               "program may contact any host";
    if (effect->unknown_cwd)
        return ", because the request gives no working directory and the path is relative "
               "to it";
    return NULL;
}

/* Joins `before`, the parts of `what` and `after` into one reason. */
static const char *effect_reason(ag_arena *arena, const char *before, const ag_text_part *what,
                                 size_t what_count, const char *after)
{
    ag_text_part parts[AG_EFFECT_PARTS + 2];
    parts[0] = ag_text_part_of(before);
    memcpy(parts + 1, what, what_count * sizeof(*what));
    parts[what_count + 1] = ag_text_part_of(after);
    return ag_arena_join(arena, parts, what_count + 2);
}

/*
 * Starts a cursor over the rules match_effect() can find applicable: those
 * naming the effect's tools exactly, and of the path rules only those the
 * rule index finds for the target, its link target and their ASCII
 * foldings. With 10,000 generated rules (bench/bench.c's shapes), a check of
 * the first 2,000 agent-corpus commands took 7.1x the instructions of the
 * 10-rule policy before and 1.07x after (callgrind).
 */
static void start_cursor(ag_rule_cursor *cursor, const ag_policy *policy,
                         const ag_effect *effect, const char *link_target,
                         const ag_path_context *context, const strict_forms *forms)
{
    static const char *const read_tools[] = {"Read"};
    static const char *const write_tools[] = {"Edit", "Read"};
    static const char *const network_tools[] = {"WebFetch"};
    /* Deny and ask rules match the foldings too, so the cursor must find their rules. */
    const char *paths[4] = {effect->target};
    size_t path_count = 1;
    if (link_target != NULL)
        paths[path_count++] = link_target;
    if (effect->folded_target != NULL)
        paths[path_count++] = effect->folded_target;
    if (effect->folded_link_target != NULL)
        paths[path_count++] = effect->folded_link_target;
    /*
     * Through a link, a walked tree may reach every file, so every rule of its
     * tools may match. The search cursor files rules by directories below the
     * cwd and home as given, so with a folded cwd or home it would miss the
     * rules that the folded forms meet.
     */
    bool every_rule = effect->follows_links || (effect->tree && forms->folded_base);
    if (every_rule && effect->kind == AG_EFFECT_READ) {
        ag_rule_cursor_for_tools(cursor, policy, read_tools, 1);
        return;
    }
    if (every_rule && effect->kind == AG_EFFECT_WRITE) {
        ag_rule_cursor_for_tools(cursor, policy, write_tools, 2);
        return;
    }
    switch (effect->kind) {
    case AG_EFFECT_READ:
        /* The search cursor also visits the rules on paths below a tree read's target. */
        if (effect->tree)
            ag_rule_cursor_for_search(cursor, policy, read_tools, 1, paths, path_count, context);
        else
            ag_rule_cursor_for_paths(cursor, policy, read_tools, 1, paths, path_count, context);
        break;
    case AG_EFFECT_WRITE:
        if (effect->tree)
            ag_rule_cursor_for_search(cursor, policy, write_tools, 2, paths, path_count, context);
        else
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

/*
 * Returns whether a cursor over the rules of `tool` yields any rule. That
 * cursor visits every rule naming the tool exactly and every rule whose tool
 * name is a glob, and every rule when the policy has no index.
 */
static bool tool_has_rules(const ag_policy *policy, const char *tool, ag_tool_rules_state *state)
{
    if (*state == AG_TOOL_RULES_UNKNOWN) {
        ag_rule_cursor cursor;
        ag_rule_cursor_for_tools(&cursor, policy, &tool, 1);
        *state = ag_rule_cursor_next(&cursor) != NULL ? AG_TOOL_RULES_SOME : AG_TOOL_RULES_NONE;
    }
    return *state == AG_TOOL_RULES_SOME;
}

/*
 * Returns whether some rule of the policy may bear on an effect of `kind`.
 * Only then does the effect need a rule cursor.
 */
static bool rules_may_apply(const ag_policy *policy, ag_effect_kind kind,
                            ag_effect_tool_rules *tools)
{
    switch (kind) {
    case AG_EFFECT_READ:
        return tool_has_rules(policy, "Read", &tools->read);
    case AG_EFFECT_WRITE:
        return tool_has_rules(policy, "Edit", &tools->edit)
               || tool_has_rules(policy, "Read", &tools->read);
    case AG_EFFECT_NETWORK:
        return tool_has_rules(policy, "WebFetch", &tools->web_fetch);
    default:
        return false;
    }
}

/*
 * A write's destination always bears on the request: it may lead out of the
 * working directories or to a protected path (mode.c). A read's or cd's
 * bears on it only through a rule, or in acceptEdits mode, which allows a
 * file command only when every effect of it stays inside the working
 * directories. Otherwise the link would only show in the reason of an
 * effect that allows, and such an effect never decides.
 */
bool ag_effect_link_matters(ag_checker *checker, ag_effect_kind kind)
{
    if (kind == AG_EFFECT_NETWORK)
        return false;
    return kind == AG_EFFECT_WRITE || checker->mode == AG_MODE_ACCEPT_EDITS
           || rules_may_apply(checker->policy, kind, &checker->effect_tools);
}

/* Returns whether a written target or a file it leads to may lie outside the workspace. */
static bool outside_workspace(ag_checker *checker, const ag_effect *effect,
                              const char *link_target, const ag_path_context *context)
{
    /* A link in a tree written through its links (chown -RL) may lead out of the workspace. */
    return effect->follows_links
           || !ag_checker_in_working_directories(checker, effect->target, context)
           || (link_target != NULL
               && !ag_checker_in_working_directories(checker, link_target, context));
}

/*
 * Notes in *findings when a deny rule could match only because the effect
 * walks the tree below a path it names in full (grep -r x src). The reason
 * then names that tree rather than run-time values. A target reached
 * through a link the request makes does not count.
 */
static void note_tree_cause(ag_rule_findings *findings, const ag_effect *effect)
{
    if (!effect->tree || effect->possible || effect->link_target != NULL
        || effect->target[0] != '/' || strchr(effect->target, AG_DYNAMIC_MARK) != NULL)
        return;
    findings->deny_maybe_below = true;
    findings->deny_maybe_links = effect->follows_links;
    findings->deny_maybe_archive = effect->archive;
}

static ag_status decide_effect(ag_checker *checker, ag_effect *effect,
                               const ag_path_context *context, const folded_context *base)
{
    ag_rule_findings findings = {0};
    const char *link_target = link_target_of(checker, effect);
    effect->link_target = link_target;    /* for the protected paths and the modes (mode.c) */
    strict_forms forms;
    if (fold_targets(&checker->arena, effect) != AG_OK
        || collect_strict_forms(&checker->arena, effect, context, base, &forms) != AG_OK)
        return AG_ERR_NOMEM;
    if (rules_may_apply(checker->policy, effect->kind, &checker->effect_tools)) {
        ag_rule_cursor cursor;
        start_cursor(&cursor, checker->policy, effect, link_target, context, &forms);
        const ag_rule *rule;
        bool write = effect->kind == AG_EFFECT_WRITE;
        while (!ag_findings_path_done(checker, &findings, write)
               && (rule = ag_rule_cursor_next(&cursor)) != NULL) {
            ag_match match = match_effect(checker, rule, effect, link_target, context, &forms);
            if (effect->possible && match == AG_MATCH_YES)
                match = AG_MATCH_MAYBE;
            ag_findings_note_path(checker, &findings, rule, match, effect->target, write);
        }
    }

    /* The reason is joined from these parts in one step, because most effects are allowed. */
    ag_text_part what[AG_EFFECT_PARTS];
    size_t what_count = describe_effect(&checker->arena, effect, link_target, what);
    ag_command_verdict result = {0};
    if (effect->runs_written && findings.deny == NULL) {
        result.decision = AG_ASK;
        result.reason = effect_reason(&checker->arena, "the command runs code from `", what + 2,
                                      1, "`, which another command of this request writes, so "
                                      "no rule has seen that code");
    } else if (findings.deny != NULL || findings.deny_maybe != NULL || findings.ask != NULL) {
        const char *text = ag_arena_join(&checker->arena, what, what_count);
        if (text == NULL)
            return AG_ERR_NOMEM;
        note_tree_cause(&findings, effect);
        ag_findings_decide_because(checker, &result, &findings, text, unknown_cause(effect));
    } else if (effect->kind == AG_EFFECT_WRITE && findings.allow == NULL && !effect->possible
               && outside_workspace(checker, effect, link_target, context)) {
        result.decision = AG_ASK;
        result.reason = effect_reason(&checker->arena, "`", what, what_count,
                                      "` is outside the working directory and the policy's "
                                      "additional directories, and no Edit allow rule covers it");
    } else {
        result.decision = AG_ALLOW;
        result.rule = findings.allow;
        result.reason = effect_reason(&checker->arena, "no rule restricts `", what, what_count,
                                      "`");
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
    folded_context base;
    if (ag_path_context_fold_ascii(&checker->arena, context, &base.context, &base.folds) != AG_OK)
        return AG_ERR_NOMEM;
    for (size_t i = 0; i < effects->count; i++) {
        checker->explain_sink = matches != NULL ? &matches[i] : NULL;
        ag_status status = decide_effect(checker, &effects->items[i], context, &base);
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
    ag_path_context context = {NULL, NULL, checker->cdpath, NULL};
    if (cwd != NULL && cwd[0] == '/'
        && (context.cwd = ag_checker_normalize(checker, &checker->cwd_cache, cwd)) == NULL)
        return AG_ERR_NOMEM;
    if (checker->home != NULL
        && (context.home = ag_checker_normalize(checker, &checker->home_cache, checker->home))
               == NULL)
        return AG_ERR_NOMEM;

    ag_status status = ag_effects_extract(arena, checker->policy->effects, commands, count,
                                          &context, input_length, &effects);
    /* Set after extraction, which moves the cwd with each cd and does not match rules. */
    if (status == AG_OK && context.cwd != NULL)
        status = ag_checker_set_real_cwd(checker, cwd, &context);
    if (status == AG_OK)
        status = ag_effects_decide(checker, &effects, &context);
    verdict->effects = effects.items;
    verdict->effect_count = status == AG_OK ? effects.count : 0;
    return status;
}
