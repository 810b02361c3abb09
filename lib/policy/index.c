/*
 * The rule index (see index.h). Keys are byte strings that point into the
 * policy's rules, which stay put for the policy's lifetime, so the index
 * copies no text.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

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
};

/* A key and a rule index, sorted by key and then by index to build a table. */
typedef struct ag_key_entry {
    const char *key;
    size_t key_length;
    uint32_t rule;
} ag_key_entry;

static int compare_keys(const char *a, size_t a_length, const char *b, size_t b_length)
{
    size_t common = a_length < b_length ? a_length : b_length;
    int order = memcmp(a, b, common);
    if (order != 0)
        return order;
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

/* Files one rule under its tool name and, when it applies to Bash, under its first word. */
static ag_status file_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                           ag_key_entry *tool_entries, size_t *tool_count,
                           ag_key_entry *word_entries, size_t *word_count)
{
    const ag_rule *rule = &policy->rules[i];
    size_t capacity = policy->rule_count;
    if (rule->tool == NULL)
        return AG_OK;    /* ag_rule_tool_matches() never matches such a rule */

    ag_status status = AG_OK;
    if (tool_needs_glob_list(rule))
        status = list_append(&index->tool_globs, capacity, i);
    else
        tool_entries[(*tool_count)++] = (ag_key_entry){rule->tool, strlen(rule->tool), (uint32_t)i};
    if (status != AG_OK || !ag_rule_tool_matches(rule, "Bash"))
        return status;

    if ((status = list_append(&index->bash, capacity, i)) != AG_OK)
        return status;
    const char *word;
    size_t length;
    if (literal_first_word(rule, &word, &length))
        word_entries[(*word_count)++] = (ag_key_entry){word, length, (uint32_t)i};
    else
        status = list_append(&index->bash_unkeyed, capacity, i);
    return status;
}

static ag_status build_tables(ag_policy_index *index, const ag_policy *policy)
{
    size_t count = policy->rule_count;
    ag_key_entry *tool_entries = ag_calloc(count, sizeof(*tool_entries));
    ag_key_entry *word_entries = ag_calloc(count, sizeof(*word_entries));
    size_t tool_count = 0;
    size_t word_count = 0;
    ag_status status = tool_entries != NULL && word_entries != NULL ? AG_OK : AG_ERR_NOMEM;

    for (size_t i = 0; i < count && status == AG_OK; i++)
        status = file_rule(index, policy, i, tool_entries, &tool_count, word_entries, &word_count);
    if (status == AG_OK)
        status = fill_table(&index->tools, tool_entries, tool_count);
    if (status == AG_OK)
        status = fill_table(&index->words, word_entries, word_count);
    ag_free(tool_entries);
    ag_free(word_entries);
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
    ag_free(index->tool_globs.rules);
    ag_free(index->bash.rules);
    ag_free(index->bash_unkeyed.rules);
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

void ag_rule_cursor_for_tools(ag_rule_cursor *cursor, const ag_policy *policy,
                              const char *const *tools, size_t count)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    const ag_policy_index *index = policy->index;
    add_list(cursor, index->tool_globs.rules, index->tool_globs.count);
    for (size_t i = 0; i < count; i++) {
        add_bucket(cursor, &index->tools, tools[i], strlen(tools[i]));
        size_t server = mcp_server_length(tools[i]);
        if (server > 0)
            add_bucket(cursor, &index->tools, tools[i], server);
    }

    /* Too many tools for one cursor: walking every rule is always a superset. */
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
        if (bucket->key_length < length || memcmp(bucket->key, prefix, length) != 0)
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
