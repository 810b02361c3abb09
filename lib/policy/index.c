/*
 * The rule index (see index.h). Keys are byte strings that point into the
 * policy's rules, which stay put for the policy's lifetime, so the index
 * copies no text.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "rules/paths.h"

/*
 * Anchor groups of path rules. A group's base is comparable with a path
 * (see comparable_base() in lib/rules/paths.c) for all its rules or for none,
 * so for a path that cannot be compared with it the cursor visits the whole group.
 */
enum {
    AG_PATH_GROUP_ROOT,      /* `//path` */
    AG_PATH_GROUP_HOME,      /* `~/path` */
    AG_PATH_GROUP_POLICY,    /* `/path` in a policy file, anchored at its absolute directory */
    AG_PATH_GROUP_CWD,       /* `path`, `./path`, and `/path` of a policy without a file */
    AG_PATH_GROUP_COUNT
};

/* At most this many literal components of one rule are weighed as its key. */
enum { AG_PATH_KEY_CANDIDATES = 8 };

/* One key and the indices of the rules filed under it, ascending. */
typedef struct ag_rule_bucket {
    const char *key;
    size_t key_length;
    uint32_t *rules;
    size_t count;
} ag_rule_bucket;

/* A sorted array of buckets. */
typedef struct ag_bucket_table {
    ag_rule_bucket *buckets;
    size_t count;
    uint32_t *storage;    /* every bucket's `rules` points into this one array */
} ag_bucket_table;

/* A sorted array of rule indices. */
typedef struct ag_rule_list {
    uint32_t *rules;
    size_t count;
} ag_rule_list;

struct ag_policy_index {
    ag_bucket_table tools;        /* rules by exact tool name */
    ag_rule_list tool_globs;      /* rules whose tool name is a glob */
    ag_rule_list bash;            /* every rule that applies to Bash */
    ag_bucket_table words;        /* Bash command rules by the literal first word of the pattern */
    ag_rule_list bash_unkeyed;    /* Bash rules with no literal first word */
    ag_bucket_table tools_without_paths;   /* `tools` less the path rules */
    ag_bucket_table path_components;       /* path rules by one literal component of the glob */
    ag_rule_list path_unkeyed;             /* path rules that no component can find */
    ag_rule_list path_groups[AG_PATH_GROUP_COUNT];   /* keyed path rules by anchor group */
    ag_rule_list paths;                    /* every path rule */
};

/* A key and a rule index, sorted by key and then by index to build a table. */
typedef struct ag_key_entry {
    const char *key;
    size_t key_length;
    uint32_t rule;
} ag_key_entry;

/* Returns an ASCII letter in lowercase, any other byte unchanged (no locale). */
static unsigned char fold_case(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Orders keys with ASCII letters of either case equal. Deny and ask path
 * rules match caselessly (ag_path_rule_is_caseless()), so the key `.ssh` must
 * find the path component `.SSH`. For every other rule a caseless bucket is
 * only a superset of the exact one, and the rule's own test drops the rest.
 */
static int compare_keys(const char *a, size_t a_length, const char *b, size_t b_length)
{
    size_t common = a_length < b_length ? a_length : b_length;
    for (size_t i = 0; i < common; i++) {
        unsigned char left = fold_case((unsigned char)a[i]);
        unsigned char right = fold_case((unsigned char)b[i]);
        if (left != right)
            return left < right ? -1 : 1;
    }
    return (a_length > b_length) - (a_length < b_length);
}

static int compare_entries(const void *left, const void *right)
{
    const ag_key_entry *a = left;
    const ag_key_entry *b = right;
    int order = compare_keys(a->key, a->key_length, b->key, b->key_length);
    if (order != 0)
        return order;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

/* Returns whether the rule's tool name is a glob, which no key finds. */
static bool tool_needs_glob_list(const ag_rule *rule)
{
    return strchr(rule->tool, '*') != NULL;
}

/*
 * Returns the length of the server part `mcp__SERVER` of an MCP tool name
 * `mcp__SERVER__TOOL`, or 0 for other names. A rule naming the server alone
 * applies to each of its tools (ag_rule_tool_matches()), and it is filed
 * under that name.
 */
static size_t mcp_server_length(const char *tool)
{
    if (strncmp(tool, "mcp__", 5) != 0 || tool[5] == '\0')
        return 0;
    const char *separator = strstr(tool + 5, "__");
    return separator != NULL ? (size_t)(separator - tool) : 0;
}

/*
 * Finds the first word of a Bash command rule's pattern when it is wholly
 * literal: the normalized specifier up to its first space, with no `*` in it.
 * `ls -la *` gives `ls`; `ls*`, `*rm` and `Bash` alone give none.
 */
static bool literal_first_word(const ag_rule *rule, const char **word, size_t *length)
{
    if (rule->kind != AG_RULE_COMMAND || rule->specifier == NULL)
        return false;
    size_t end = strcspn(rule->specifier, " ");
    if (end == 0 || memchr(rule->specifier, '*', end) != NULL)
        return false;
    *word = rule->specifier;
    *length = end;
    return true;
}

/* Groups sorted entries into buckets that share a key. */
static ag_status fill_table(ag_bucket_table *table, ag_key_entry *entries, size_t count)
{
    if (count > 0)
        qsort(entries, count, sizeof(*entries), compare_entries);
    table->storage = ag_calloc(count, sizeof(*table->storage));
    table->buckets = ag_calloc(count, sizeof(*table->buckets));
    if (table->storage == NULL || table->buckets == NULL)
        return AG_ERR_NOMEM;

    for (size_t i = 0; i < count; i++) {
        ag_rule_bucket *last = table->count > 0 ? &table->buckets[table->count - 1] : NULL;
        if (last == NULL
            || compare_keys(last->key, last->key_length, entries[i].key, entries[i].key_length) != 0) {
            last = &table->buckets[table->count++];
            *last = (ag_rule_bucket){entries[i].key, entries[i].key_length, table->storage + i, 0};
        }
        last->rules[last->count++] = entries[i].rule;
    }
    return AG_OK;
}

static ag_status list_append(ag_rule_list *list, size_t capacity, size_t rule)
{
    if (list->rules == NULL && (list->rules = ag_calloc(capacity, sizeof(uint32_t))) == NULL)
        return AG_ERR_NOMEM;
    list->rules[list->count++] = (uint32_t)rule;
    return AG_OK;
}

/* Key entries being collected for one table. */
typedef struct ag_key_entries {
    ag_key_entry *items;
    size_t count;
} ag_key_entries;

/* Files one rule under its tool name and, when it applies to Bash, under its first word. */
static ag_status file_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                           ag_key_entries *tools, ag_key_entries *unpathed,
                           ag_key_entries *words)
{
    const ag_rule *rule = &policy->rules[i];
    size_t capacity = policy->rule_count;
    if (rule->tool == NULL)
        return AG_OK;    /* ag_rule_tool_matches() never matches such a rule */

    ag_status status = AG_OK;
    if (tool_needs_glob_list(rule)) {
        status = list_append(&index->tool_globs, capacity, i);
    } else {
        ag_key_entry entry = {rule->tool, strlen(rule->tool), (uint32_t)i};
        tools->items[tools->count++] = entry;
        if (!ag_rule_is_path(rule))
            unpathed->items[unpathed->count++] = entry;
    }
    if (status != AG_OK || !ag_rule_tool_matches(rule, "Bash"))
        return status;

    if ((status = list_append(&index->bash, capacity, i)) != AG_OK)
        return status;
    const char *word;
    size_t length;
    if (literal_first_word(rule, &word, &length))
        words->items[words->count++] = (ag_key_entry){word, length, (uint32_t)i};
    else
        status = list_append(&index->bash_unkeyed, capacity, i);
    return status;
}

static ag_status build_tables(ag_policy_index *index, const ag_policy *policy)
{
    size_t count = policy->rule_count;
    ag_key_entries tools = {ag_calloc(count, sizeof(ag_key_entry)), 0};
    ag_key_entries unpathed = {ag_calloc(count, sizeof(ag_key_entry)), 0};
    ag_key_entries words = {ag_calloc(count, sizeof(ag_key_entry)), 0};
    ag_status status = tools.items != NULL && unpathed.items != NULL && words.items != NULL
                           ? AG_OK
                           : AG_ERR_NOMEM;

    for (size_t i = 0; i < count && status == AG_OK; i++)
        status = file_rule(index, policy, i, &tools, &unpathed, &words);
    if (status == AG_OK)
        status = fill_table(&index->tools, tools.items, tools.count);
    if (status == AG_OK)
        status = fill_table(&index->tools_without_paths, unpathed.items, unpathed.count);
    if (status == AG_OK)
        status = fill_table(&index->words, words.items, words.count);
    ag_free(tools.items);
    ag_free(unpathed.items);
    ag_free(words.items);
    return status;
}

/* ---------------------------------------------------------- path rules */

/* Returns the anchor group of a path rule, or AG_PATH_GROUP_COUNT when none describes its base. */
static int path_group_of(const ag_rule *rule)
{
    switch ((ag_path_anchor)rule->path_anchor) {
    case AG_PATH_ANCHOR_ROOT:
        return AG_PATH_GROUP_ROOT;
    case AG_PATH_ANCHOR_HOME:
        return AG_PATH_GROUP_HOME;
    case AG_PATH_ANCHOR_POLICY:
        if (rule->policy_directory == NULL)
            return AG_PATH_GROUP_CWD;    /* anchor_base() falls back to the cwd */
        return rule->policy_directory[0] == '/' ? AG_PATH_GROUP_POLICY : AG_PATH_GROUP_COUNT;
    case AG_PATH_ANCHOR_CWD:
        return AG_PATH_GROUP_CWD;
    default:
        return AG_PATH_GROUP_COUNT;
    }
}

/* Adds a path rule's literal components to `candidates`, or files it as unkeyed. */
static ag_status collect_path_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                                   ag_key_entries *candidates, size_t *capacity)
{
    const ag_rule *rule = &policy->rules[i];
    ag_status status = list_append(&index->paths, policy->rule_count, i);
    ag_path_literal literals[AG_PATH_KEY_CANDIDATES];
    size_t found = ag_path_rule_literals(rule, literals, AG_PATH_KEY_CANDIDATES);
    int group = path_group_of(rule);
    if (status != AG_OK || found == 0 || group == AG_PATH_GROUP_COUNT)
        return status != AG_OK ? status : list_append(&index->path_unkeyed, policy->rule_count, i);
    if ((status = list_append(&index->path_groups[group], policy->rule_count, i)) != AG_OK)
        return status;

    if (candidates->count + found > *capacity) {
        size_t grown = (*capacity + found) * 2;
        ag_key_entry *items = ag_realloc(candidates->items, grown * sizeof(*items));
        if (items == NULL)
            return AG_ERR_NOMEM;
        candidates->items = items;
        *capacity = grown;
    }
    for (size_t k = 0; k < found; k++)
        candidates->items[candidates->count++] =
            (ag_key_entry){literals[k].text, literals[k].length, (uint32_t)i};
    return AG_OK;
}

/*
 * Files each keyed path rule under the one of its literal components that
 * the fewest rules share, so a common directory name (`src`, `home`) does not
 * make every path that contains it visit many rules. `candidates` is sorted
 * and rewritten in place.
 */
static ag_status choose_path_keys(ag_policy_index *index, const ag_policy *policy,
                                  ag_key_entries *candidates)
{
    ag_key_entry *entries = candidates->items;
    size_t count = candidates->count;
    if (count > 0)    /* with no keyed path rule, entries is NULL, which qsort() must not see */
        qsort(entries, count, sizeof(*entries), compare_entries);

    /* best[r]: the candidate of rule r with the fewest sharers so far, and how many share it. */
    size_t *best = ag_calloc(policy->rule_count, sizeof(*best));
    size_t *weight = ag_calloc(policy->rule_count, sizeof(*weight));
    if (best == NULL || weight == NULL) {
        ag_free(best);
        ag_free(weight);
        return AG_ERR_NOMEM;
    }
    for (size_t run = 0; run < count;) {
        size_t end = run + 1;
        while (end < count && compare_keys(entries[run].key, entries[run].key_length,
                                           entries[end].key, entries[end].key_length) == 0)
            end++;
        for (size_t k = run; k < end; k++) {
            uint32_t rule = entries[k].rule;
            if (weight[rule] == 0 || end - run < weight[rule]) {
                weight[rule] = end - run;
                best[rule] = k;
            }
        }
        run = end;
    }

    size_t chosen = 0;
    for (size_t k = 0; k < count; k++)
        if (best[entries[k].rule] == k && weight[entries[k].rule] > 0)
            entries[chosen++] = entries[k];    /* chosen <= k, so no unread entry is overwritten */
    ag_free(best);
    ag_free(weight);
    return fill_table(&index->path_components, entries, chosen);
}

static ag_status build_path_tables(ag_policy_index *index, const ag_policy *policy)
{
    ag_key_entries candidates = {NULL, 0};
    size_t capacity = 0;
    ag_status status = AG_OK;
    for (size_t i = 0; i < policy->rule_count && status == AG_OK; i++)
        if (ag_rule_is_path(&policy->rules[i]))
            status = collect_path_rule(index, policy, i, &candidates, &capacity);
    if (status == AG_OK)
        status = choose_path_keys(index, policy, &candidates);
    ag_free(candidates.items);
    return status;
}

ag_status ag_policy_index_build(ag_policy *policy)
{
    ag_policy_index_free(policy->index);
    policy->index = NULL;
    if (policy->rule_count > UINT32_MAX)
        return AG_ERR_LIMIT;

    ag_policy_index *index = ag_calloc(1, sizeof(*index));
    if (index == NULL)
        return AG_ERR_NOMEM;
    ag_status status = build_tables(index, policy);
    if (status == AG_OK)
        status = build_path_tables(index, policy);
    if (status != AG_OK) {
        ag_policy_index_free(index);
        return status;
    }
    policy->index = index;
    return AG_OK;
}

static void free_table(ag_bucket_table *table)
{
    ag_free(table->buckets);
    ag_free(table->storage);
}

void ag_policy_index_free(ag_policy_index *index)
{
    if (index == NULL)
        return;
    free_table(&index->tools);
    free_table(&index->words);
    free_table(&index->tools_without_paths);
    free_table(&index->path_components);
    ag_free(index->tool_globs.rules);
    ag_free(index->bash.rules);
    ag_free(index->bash_unkeyed.rules);
    ag_free(index->path_unkeyed.rules);
    ag_free(index->paths.rules);
    for (size_t i = 0; i < AG_PATH_GROUP_COUNT; i++)
        ag_free(index->path_groups[i].rules);
    ag_free(index);
}

/* ------------------------------------------------------------------ cursor */

/* Returns the first bucket whose key is not less than `key`. */
static size_t lower_bound(const ag_bucket_table *table, const char *key, size_t length)
{
    size_t low = 0;
    size_t high = table->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const ag_rule_bucket *bucket = &table->buckets[middle];
        if (compare_keys(bucket->key, bucket->key_length, key, length) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static void add_list(ag_rule_cursor *cursor, const uint32_t *rules, size_t count)
{
    if (count == 0 || cursor->scan_all || cursor->overflow)
        return;
    if (cursor->list_count == AG_RULE_CURSOR_MAX_LISTS) {
        cursor->overflow = true;
        return;
    }
    cursor->lists[cursor->list_count] = rules;
    cursor->lengths[cursor->list_count] = count;
    cursor->positions[cursor->list_count] = 0;
    cursor->list_count++;
}

static void add_bucket(ag_rule_cursor *cursor, const ag_bucket_table *table, const char *key,
                       size_t length)
{
    size_t i = lower_bound(table, key, length);
    if (i < table->count
        && compare_keys(table->buckets[i].key, table->buckets[i].key_length, key, length) == 0)
        add_list(cursor, table->buckets[i].rules, table->buckets[i].count);
}

static void start(ag_rule_cursor *cursor, const ag_policy *policy)
{
    memset(cursor, 0, sizeof(*cursor));
    cursor->policy = policy;
    cursor->scan_all = policy->index == NULL;
}

/* Adds the rules of `table` filed under one of the tools or its MCP server, and the tool globs. */
static void add_tools(ag_rule_cursor *cursor, const ag_bucket_table *table,
                      const char *const *tools, size_t count)
{
    const ag_policy_index *index = cursor->policy->index;
    add_list(cursor, index->tool_globs.rules, index->tool_globs.count);
    for (size_t i = 0; i < count; i++) {
        add_bucket(cursor, table, tools[i], strlen(tools[i]));
        size_t server = mcp_server_length(tools[i]);
        if (server > 0)
            add_bucket(cursor, table, tools[i], server);
    }
}

void ag_rule_cursor_for_tools(ag_rule_cursor *cursor, const ag_policy *policy,
                              const char *const *tools, size_t count)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    add_tools(cursor, &policy->index->tools, tools, count);

    /* Too many tools for one cursor: walking every rule is always a superset. */
    if (cursor->overflow)
        cursor->scan_all = true;
}

/*
 * Returns whether the rules of an anchor group can be compared with a path
 * without unknown parts, mirroring comparable_base() in lib/rules/paths.c: a
 * path under an unknown home ("~/x") compares only with a home anchor whose
 * home is unknown too, and a cwd anchor needs a known cwd.
 */
static bool group_comparable(int group, const char *path, const ag_path_context *context)
{
    bool path_in_unknown_home = path[0] == '~';
    const char *home = context != NULL ? context->home : NULL;
    const char *cwd = context != NULL ? context->cwd : NULL;
    switch (group) {
    case AG_PATH_GROUP_HOME:
        return (home == NULL || home[0] != '/') == path_in_unknown_home;
    case AG_PATH_GROUP_CWD:
        return cwd != NULL && cwd[0] == '/' && !path_in_unknown_home;
    default:
        return !path_in_unknown_home;
    }
}

/* Adds the path rules filed under any component of `path`. */
static void add_components(ag_rule_cursor *cursor, const ag_bucket_table *table, const char *path)
{
    size_t start_of_component = 0;
    for (size_t i = 0;; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        if (i > start_of_component)
            add_bucket(cursor, table, path + start_of_component, i - start_of_component);
        if (path[i] == '\0')
            return;
        start_of_component = i + 1;
    }
}

void ag_rule_cursor_for_paths(ag_rule_cursor *cursor, const ag_policy *policy,
                              const char *const *tools, size_t tool_count,
                              const char *const *paths, size_t path_count,
                              const ag_path_context *context)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    const ag_policy_index *index = policy->index;
    add_tools(cursor, &index->tools_without_paths, tools, tool_count);

    /* A path with an unknown part may compare with any rule's base: it sees every path rule. */
    bool unknown = false;
    for (size_t i = 0; i < path_count; i++)
        unknown = unknown || paths[i] == NULL || strchr(paths[i], AG_DYNAMIC_MARK) != NULL;
    if (unknown) {
        add_list(cursor, index->paths.rules, index->paths.count);
    } else {
        add_list(cursor, index->path_unkeyed.rules, index->path_unkeyed.count);
        bool whole_group[AG_PATH_GROUP_COUNT] = {false};
        for (size_t i = 0; i < path_count; i++) {
            for (int group = 0; group < AG_PATH_GROUP_COUNT; group++) {
                if (whole_group[group] || group_comparable(group, paths[i], context))
                    continue;
                whole_group[group] = true;
                add_list(cursor, index->path_groups[group].rules, index->path_groups[group].count);
            }
            add_components(cursor, &index->path_components, paths[i]);
        }
    }

    if (cursor->overflow)
        cursor->scan_all = true;
}

void ag_rule_cursor_for_bash(ag_rule_cursor *cursor, const ag_policy *policy,
                             bool every_bash_rule)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    const ag_policy_index *index = policy->index;
    cursor->fallback = index->bash.rules;
    cursor->fallback_length = index->bash.count;
    if (every_bash_rule)
        cursor->overflow = true;
    add_list(cursor, index->bash_unkeyed.rules, index->bash_unkeyed.count);
}

void ag_rule_cursor_add_word(ag_rule_cursor *cursor, const char *word, size_t length)
{
    if (cursor->scan_all || cursor->overflow)
        return;
    add_bucket(cursor, &cursor->policy->index->words, word, length);
}

void ag_rule_cursor_add_prefix(ag_rule_cursor *cursor, const char *prefix, size_t length)
{
    if (cursor->scan_all || cursor->overflow)
        return;
    const ag_bucket_table *table = &cursor->policy->index->words;
    for (size_t i = lower_bound(table, prefix, length); i < table->count; i++) {
        const ag_rule_bucket *bucket = &table->buckets[i];
        /* Caseless, as compare_keys() sorted the table. */
        if (bucket->key_length < length
            || compare_keys(bucket->key, length, prefix, length) != 0)
            break;
        add_list(cursor, bucket->rules, bucket->count);
    }
}

/*
 * Adds the rules one subject can reach. Only a rule whose literal first word
 * is the subject's first word can match it in full. When the subject has an
 * unknown part, ag_rule_match_command() also tries a partial match of the
 * text before it (less a space right before it): if that text ends with the
 * first word, any rule whose first word starts with it can match partially
 * (`rm $X` could match `Bash(rmdir *)`), and if it ends inside the first word,
 * any rule can.
 */
static void add_subject(ag_rule_cursor *cursor, const ag_buffer *subject)
{
    const char *text = subject->data != NULL ? subject->data : "";
    size_t length = subject->data != NULL ? subject->length : 0;
    const char *space = memchr(text, ' ', length);
    size_t word = space != NULL ? (size_t)(space - text) : length;

    const char *mark = memchr(text, AG_DYNAMIC_MARK, length);
    if (mark == NULL) {
        ag_rule_cursor_add_word(cursor, text, word);
        return;
    }
    size_t cut = (size_t)(mark - text);
    if (cut > 0 && text[cut - 1] == ' ')
        cut--;
    if (cut > word)
        ag_rule_cursor_add_word(cursor, text, word);
    else if (cut == word)
        ag_rule_cursor_add_prefix(cursor, text, word);
    else
        ag_rule_cursor_add_prefix(cursor, "", 0);
}

void ag_rule_cursor_for_command(ag_rule_cursor *cursor, const ag_policy *policy,
                                const ag_buffer *subjects, size_t count, bool name_dynamic)
{
    ag_rule_cursor_for_bash(cursor, policy, name_dynamic);
    for (size_t i = 0; i < count; i++)
        add_subject(cursor, &subjects[i]);
}

/* Returns the smallest head of the merged lists, or SIZE_MAX when all are spent. */
static size_t next_merged(ag_rule_cursor *cursor)
{
    size_t best = SIZE_MAX;
    size_t best_list = 0;
    for (size_t i = 0; i < cursor->list_count; i++) {
        if (cursor->positions[i] < cursor->lengths[i]
            && cursor->lists[i][cursor->positions[i]] < best) {
            best = cursor->lists[i][cursor->positions[i]];
            best_list = i;
        }
    }
    if (best != SIZE_MAX)
        cursor->positions[best_list]++;
    return best;
}

const ag_rule *ag_rule_cursor_next(ag_rule_cursor *cursor)
{
    const ag_policy *policy = cursor->policy;
    if (cursor->scan_all)
        return cursor->next < policy->rule_count ? &policy->rules[cursor->next++] : NULL;
    if (cursor->overflow) {
        return cursor->next < cursor->fallback_length
                   ? &policy->rules[cursor->fallback[cursor->next++]]
                   : NULL;
    }

    /* A rule filed under two keys (a name and its base name) is returned once. */
    size_t rule;
    do {
        rule = next_merged(cursor);
    } while (rule != SIZE_MAX && rule + 1 <= cursor->last);
    if (rule == SIZE_MAX)
        return NULL;
    cursor->last = rule + 1;
    return &policy->rules[rule];
}
