/*
 * The rule index (see index.h). Keys are byte strings that point into the
 * policy's rules, which stay put for the policy's lifetime. The one copied
 * text is `below_text`, the keys that join a policy file's directory with a
 * rule's literal directory.
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

/* A directory search with keys below it in more buckets than this visits the whole table. */
enum { AG_BELOW_MAX_BUCKETS = 4 };

/* One key and the indices of the rules filed under it, ascending. */
typedef struct ag_rule_bucket {
    const char *key;
    size_t key_length;
    uint32_t *rules;
    size_t count;
    uint64_t digit;       /* key_digit() of the key's first 8 bytes, compared before the key */
} ag_rule_bucket;

/*
 * A sorted array of buckets, with a hash index for exact lookups. Each step
 * of a search by halves is a branch on the data, which the processor often
 * mispredicts, and each check looks up a few keys.
 */
typedef struct ag_bucket_table {
    ag_rule_bucket *buckets;
    size_t count;
    uint32_t *storage;    /* every bucket's `rules` points into this one array */
    uint32_t *slots;      /* a bucket's number plus 1 by key_hash(), or 0; NULL when empty */
    size_t slot_mask;     /* the slot count (a power of two) less 1 */
} ag_bucket_table;

/* A sorted array of rule indices. */
typedef struct ag_rule_list {
    uint32_t *rules;
    size_t count;
} ag_rule_list;

/*
 * Tables of path rules for directory searches, by what their keys are
 * relative to. A rule's key is its literal directory
 * (ag_path_rule_literal_directory()), which the absolute table joins with
 * the directory of the rule's anchor.
 */
enum {
    AG_BELOW_ABSOLUTE,    /* `//path` and `/path` of a policy file: absolute keys, "" for `/` */
    AG_BELOW_HOME,        /* `~/path`: keys relative to the home */
    AG_BELOW_CWD,         /* `path`, `./path`, and `/path` of a policy without a file */
    AG_BELOW_COUNT
};

/* Path rules whose keys share a base, for directory searches. */
typedef struct ag_directory_table {
    ag_bucket_table directories;  /* rules by key */
    ag_rule_list rules;           /* every rule in `directories` */
} ag_directory_table;

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
    ag_bucket_table tools_without_domains; /* `tools` less the domain rules */
    ag_bucket_table domains;               /* domain rules by ag_domain_rule_key() */
    ag_rule_list domain_unkeyed;           /* domain rules without a key */
    ag_rule_list domain_rules;             /* every domain rule */
    ag_directory_table below[AG_BELOW_COUNT];   /* path rules by the directory they lie in */
    ag_rule_list below_unkeyed;            /* path rules whose base no table describes */
    char *below_text;                      /* the keys of below[AG_BELOW_ABSOLUTE] */
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

/* ------------------------------------------------------------- sorting */

/*
 * Entries are sorted by a most-significant-digit radix sort on 8 folded key
 * bytes at a time, because qsort() with compare_entries() took about 80% of
 * the instructions of building the index of a 10,000-rule policy (callgrind,
 * glibc 2.36 merge sort). Each radix pass is stable and the entries come in
 * ascending rule order, so equal keys keep that order, as compare_entries()
 * orders them.
 */
enum {
    AG_SORT_SMALL = 24,          /* up to this many entries, insertion sort is cheaper */
    AG_SORT_MAX_OFFSET = 64      /* key bytes sorted by radix; longer shared prefixes use qsort() */
};

/* A digit of one entry, and where that entry was before the pass. */
typedef struct ag_sort_item {
    uint64_t digit;
    uint32_t position;
} ag_sort_item;

/* Work space with room for as many items and entries as the range being sorted. */
typedef struct ag_sort_work {
    ag_sort_item *items;
    ag_sort_item *scratch;
    ag_key_entry *entries;
} ag_sort_work;

/*
 * Returns 8 bytes of a key from `offset` on, folded as compare_keys() folds
 * them, as a number whose most significant byte comes first. Bytes past the
 * key's end count as 0, which sorts a key before its extensions because no
 * key contains a NUL byte.
 */
static uint64_t key_digit(const char *key, size_t length, size_t offset)
{
    size_t end = length < offset + 8 ? length : offset + 8;
    uint64_t digit = 0;
    for (size_t i = offset; i < end; i++)
        digit = digit << 8 | fold_case((unsigned char)key[i]);
    size_t padding = offset + 8 - (end > offset ? end : offset);
    return padding == 8 ? 0 : digit << (8 * padding);
}

/* Sorts items by digit with stable least-significant-byte passes, skipping bytes all items share. */
static void radix_sort_items(ag_sort_item *items, ag_sort_item *scratch, size_t count)
{
    static const unsigned bytes = sizeof(uint64_t);
    uint32_t counts[sizeof(uint64_t)][256];
    memset(counts, 0, sizeof(counts));
    for (size_t i = 0; i < count; i++)
        for (unsigned b = 0; b < bytes; b++)
            counts[b][(items[i].digit >> (8 * b)) & 255]++;

    ag_sort_item *from = items;
    ag_sort_item *to = scratch;
    for (unsigned b = 0; b < bytes; b++) {
        if (counts[b][(from[0].digit >> (8 * b)) & 255] == count)
            continue;
        uint32_t offsets[256];
        uint32_t total = 0;
        for (unsigned v = 0; v < 256; v++) {
            offsets[v] = total;
            total += counts[b][v];
        }
        for (size_t i = 0; i < count; i++)
            to[offsets[(from[i].digit >> (8 * b)) & 255]++] = from[i];
        ag_sort_item *swap = from;
        from = to;
        to = swap;
    }
    if (from != items)
        memcpy(items, from, count * sizeof(*items));
}

static void insertion_sort(ag_key_entry *entries, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        ag_key_entry entry = entries[i];
        size_t j = i;
        for (; j > 0 && compare_entries(&entries[j - 1], &entry) > 0; j--)
            entries[j] = entries[j - 1];
        entries[j] = entry;
    }
}

/*
 * Sorts entries whose keys are equal before `offset`, by the bytes from
 * `offset` on. `work` has room for `count` entries; a run sorted further
 * uses only the part of it that lies beside the run.
 */
static void sort_range(ag_key_entry *entries, size_t count, size_t offset, ag_sort_work work)
{
    if (count <= AG_SORT_SMALL) {
        insertion_sort(entries, count);
        return;
    }
    if (offset >= AG_SORT_MAX_OFFSET) {
        qsort(entries, count, sizeof(*entries), compare_entries);
        return;
    }

    for (size_t i = 0; i < count; i++)
        work.items[i] = (ag_sort_item){key_digit(entries[i].key, entries[i].key_length, offset),
                                       (uint32_t)i};
    radix_sort_items(work.items, work.scratch, count);
    for (size_t i = 0; i < count; i++)
        work.entries[i] = entries[work.items[i].position];
    memcpy(entries, work.entries, count * sizeof(*entries));

    /* Runs that share these 8 bytes and go on past them are sorted by the next 8. */
    for (size_t run = 0; run < count;) {
        bool longer = entries[run].key_length > offset + 8;
        size_t end = run + 1;
        for (; end < count && work.items[end].digit == work.items[run].digit; end++)
            longer = longer || entries[end].key_length > offset + 8;
        ag_sort_work beside = {work.items + run, work.scratch + run, work.entries + run};
        if (end - run > 1 && longer)
            sort_range(entries + run, end - run, offset + 8, beside);
        run = end;
    }
}

/*
 * Sorts entries given in ascending rule order into the order of
 * compare_entries(). Without memory for the work space it uses qsort(),
 * which gives the same order.
 */
static void sort_entries(ag_key_entry *entries, size_t count)
{
    if (count <= AG_SORT_SMALL) {
        insertion_sort(entries, count);
        return;
    }
    ag_sort_work work = {ag_malloc(count * sizeof(ag_sort_item)),
                         ag_malloc(count * sizeof(ag_sort_item)),
                         ag_malloc(count * sizeof(ag_key_entry))};
    if (work.items != NULL && work.scratch != NULL && work.entries != NULL && count <= UINT32_MAX)
        sort_range(entries, count, 0, work);
    else
        qsort(entries, count, sizeof(*entries), compare_entries);
    ag_free(work.items);
    ag_free(work.scratch);
    ag_free(work.entries);
}

/* ------------------------------------------------------------ building */

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

/* Groups entries sorted by sort_entries() into buckets that share a key. */
static ag_status fill_sorted_table(ag_bucket_table *table, const ag_key_entry *entries,
                                   size_t count)
{
    table->storage = ag_calloc(count, sizeof(*table->storage));
    table->buckets = ag_calloc(count, sizeof(*table->buckets));
    if (table->storage == NULL || table->buckets == NULL)
        return AG_ERR_NOMEM;

    for (size_t i = 0; i < count; i++) {
        ag_rule_bucket *last = table->count > 0 ? &table->buckets[table->count - 1] : NULL;
        if (last == NULL || last->key_length != entries[i].key_length
            || compare_keys(last->key, last->key_length, entries[i].key, entries[i].key_length) != 0) {
            last = &table->buckets[table->count++];
            *last = (ag_rule_bucket){entries[i].key, entries[i].key_length, table->storage + i, 0,
                                     key_digit(entries[i].key, entries[i].key_length, 0)};
        }
        last->rules[last->count++] = entries[i].rule;
    }
    return AG_OK;
}

/* FNV-1a over the key's bytes, folded as compare_keys() folds them. */
static uint32_t key_hash(const char *key, size_t length)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ fold_case((unsigned char)key[i])) * 16777619u;
    return hash;
}

/* Builds the hash index of a filled table, with at least twice as many slots as buckets. */
static ag_status hash_table(ag_bucket_table *table)
{
    if (table->count == 0)
        return AG_OK;
    size_t slots = 8;
    while (slots < 2 * table->count)
        slots *= 2;
    table->slots = ag_calloc(slots, sizeof(*table->slots));
    if (table->slots == NULL)
        return AG_ERR_NOMEM;
    table->slot_mask = slots - 1;

    for (size_t i = 0; i < table->count; i++) {
        const ag_rule_bucket *bucket = &table->buckets[i];
        size_t slot = key_hash(bucket->key, bucket->key_length) & table->slot_mask;
        while (table->slots[slot] != 0)
            slot = (slot + 1) & table->slot_mask;
        table->slots[slot] = (uint32_t)(i + 1);
    }
    return AG_OK;
}

/* Sorts entries, given in ascending rule order, and groups them into buckets. */
static ag_status fill_table(ag_bucket_table *table, ag_key_entry *entries, size_t count)
{
    sort_entries(entries, count);
    ag_status status = fill_sorted_table(table, entries, count);
    return status == AG_OK ? hash_table(table) : status;
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

/* The entries of the tables that build_tables() fills, one slot per rule each. */
typedef struct ag_table_entries {
    ag_key_entries tools;
    ag_key_entries words;
    ag_key_entries domains;
} ag_table_entries;

/* Files a domain rule under its key, or as unkeyed. */
static ag_status file_domain_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                                  ag_key_entries *domains)
{
    const ag_rule *rule = &policy->rules[i];
    ag_status status = list_append(&index->domain_rules, policy->rule_count, i);
    const char *key;
    size_t length = ag_domain_rule_key(rule, &key);
    if (status != AG_OK || length == 0)
        return status != AG_OK ? status : list_append(&index->domain_unkeyed, policy->rule_count, i);
    domains->items[domains->count++] = (ag_key_entry){key, length, (uint32_t)i};
    return AG_OK;
}

/*
 * Files one rule under its tool name, under its host key when it is a domain
 * rule, and, when it applies to Bash, under its first word.
 */
static ag_status file_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                           ag_table_entries *tables)
{
    const ag_rule *rule = &policy->rules[i];
    size_t capacity = policy->rule_count;
    if (rule->tool == NULL)
        return AG_OK;    /* ag_rule_tool_matches() never matches such a rule */

    ag_status status = AG_OK;
    if (tool_needs_glob_list(rule))
        status = list_append(&index->tool_globs, capacity, i);
    else
        tables->tools.items[tables->tools.count++] =
            (ag_key_entry){rule->tool, strlen(rule->tool), (uint32_t)i};
    if (status == AG_OK && ag_rule_is_domain(rule))
        status = file_domain_rule(index, policy, i, &tables->domains);
    if (status != AG_OK || !ag_rule_tool_matches(rule, "Bash"))
        return status;

    if ((status = list_append(&index->bash, capacity, i)) != AG_OK)
        return status;
    const char *word;
    size_t length;
    if (literal_first_word(rule, &word, &length))
        tables->words.items[tables->words.count++] = (ag_key_entry){word, length, (uint32_t)i};
    else
        status = list_append(&index->bash_unkeyed, capacity, i);
    return status;
}

/*
 * Fills `table` with the sorted tool entries of the rules for which `skip`
 * returns false. Filtering keeps the order, so the tools are sorted once for
 * three tables.
 */
static ag_status fill_tool_subset(ag_bucket_table *table, const ag_policy *policy,
                                  const ag_key_entries *tools, bool (*skip)(const ag_rule *),
                                  ag_key_entry *buffer)
{
    size_t count = 0;
    for (size_t k = 0; k < tools->count; k++)
        if (!skip(&policy->rules[tools->items[k].rule]))
            buffer[count++] = tools->items[k];
    ag_status status = fill_sorted_table(table, buffer, count);
    return status == AG_OK ? hash_table(table) : status;
}

static ag_status build_tables(ag_policy_index *index, const ag_policy *policy)
{
    size_t count = policy->rule_count;
    ag_table_entries tables = {
        {ag_calloc(count, sizeof(ag_key_entry)), 0},
        {ag_calloc(count, sizeof(ag_key_entry)), 0},
        {ag_calloc(count, sizeof(ag_key_entry)), 0},
    };
    ag_key_entry *buffer = ag_calloc(count, sizeof(ag_key_entry));
    ag_status status = tables.tools.items != NULL && tables.words.items != NULL
                               && tables.domains.items != NULL && buffer != NULL
                           ? AG_OK
                           : AG_ERR_NOMEM;

    for (size_t i = 0; i < count && status == AG_OK; i++)
        status = file_rule(index, policy, i, &tables);
    if (status == AG_OK)
        status = fill_table(&index->tools, tables.tools.items, tables.tools.count);
    if (status == AG_OK)
        status = fill_tool_subset(&index->tools_without_paths, policy, &tables.tools,
                                  ag_rule_is_path, buffer);
    if (status == AG_OK)
        status = fill_tool_subset(&index->tools_without_domains, policy, &tables.tools,
                                  ag_rule_is_domain, buffer);
    if (status == AG_OK)
        status = fill_table(&index->words, tables.words.items, tables.words.count);
    if (status == AG_OK)
        status = fill_table(&index->domains, tables.domains.items, tables.domains.count);
    ag_free(tables.tools.items);
    ag_free(tables.words.items);
    ag_free(tables.domains.items);
    ag_free(buffer);
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
    sort_entries(entries, count);

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

/* ------------------------------------------------ directory search tables */

/* Returns the directory table of an anchor group, or AG_BELOW_COUNT for none. */
static int below_table_of(int group)
{
    switch (group) {
    case AG_PATH_GROUP_ROOT:
    case AG_PATH_GROUP_POLICY:
        return AG_BELOW_ABSOLUTE;
    case AG_PATH_GROUP_HOME:
        return AG_BELOW_HOME;
    case AG_PATH_GROUP_CWD:
        return AG_BELOW_CWD;
    default:
        return AG_BELOW_COUNT;
    }
}

/* Returns the length of `directory` without trailing slashes, keeping a lone "/". */
static size_t directory_length(const char *directory)
{
    size_t length = strlen(directory);
    while (length > 1 && directory[length - 1] == '/')
        length--;
    return length;
}

/*
 * Returns the length of the absolute directory a rule of AG_BELOW_ABSOLUTE is
 * anchored at, as its keys start with it: 0 for the root, whose keys start
 * with the '/' before the literal directory.
 */
static size_t absolute_base_length(const ag_rule *rule)
{
    if ((ag_path_anchor)rule->path_anchor == AG_PATH_ANCHOR_ROOT)
        return 0;
    size_t length = directory_length(rule->policy_directory);
    return length == 1 ? 0 : length;
}

/*
 * Writes the key of a rule of AG_BELOW_ABSOLUTE into `text`: its base joined
 * with its literal directory, so that keys compare with absolute paths as
 * they are ("" for the root itself). Returns the key's length.
 */
static size_t write_absolute_key(const ag_rule *rule, const char *directory, size_t length,
                                 char *text)
{
    size_t base = absolute_base_length(rule);
    memcpy(text, rule->policy_directory != NULL ? rule->policy_directory : "", base);
    if (length == 0)
        return base;
    text[base] = '/';
    memcpy(text + base + 1, directory, length);
    return base + 1 + length;
}

/* Files one path rule under its key in its directory table, or as unkeyed. */
static ag_status collect_below_rule(ag_policy_index *index, const ag_policy *policy, size_t i,
                                    ag_key_entries *tables, char **text)
{
    const ag_rule *rule = &policy->rules[i];
    int table = below_table_of(path_group_of(rule));
    if (table == AG_BELOW_COUNT)
        return list_append(&index->below_unkeyed, policy->rule_count, i);

    const char *directory;
    size_t length = ag_path_rule_literal_directory(rule, &directory);
    ag_key_entry entry = {directory, length, (uint32_t)i};
    if (table == AG_BELOW_ABSOLUTE) {
        entry.key = *text;
        entry.key_length = write_absolute_key(rule, directory, length, *text);
        *text += entry.key_length;
    }
    tables[table].items[tables[table].count++] = entry;
    return list_append(&index->below[table].rules, policy->rule_count, i);
}

/* Returns the room the keys of AG_BELOW_ABSOLUTE take. */
static size_t absolute_keys_size(const ag_policy *policy)
{
    size_t size = 0;
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *rule = &policy->rules[i];
        if (!ag_rule_is_path(rule) || below_table_of(path_group_of(rule)) != AG_BELOW_ABSOLUTE)
            continue;
        const char *directory;
        size += absolute_base_length(rule) + 1 + ag_path_rule_literal_directory(rule, &directory);
    }
    return size;
}

static ag_status build_below_tables(ag_policy_index *index, const ag_policy *policy)
{
    size_t count = index->paths.count;
    ag_key_entries tables[AG_BELOW_COUNT] = {{NULL, 0}};
    for (int t = 0; t < AG_BELOW_COUNT; t++)
        tables[t].items = ag_calloc(count, sizeof(ag_key_entry));
    char *text = index->below_text = ag_malloc(absolute_keys_size(policy) + 1);
    ag_status status = text != NULL ? AG_OK : AG_ERR_NOMEM;
    for (int t = 0; t < AG_BELOW_COUNT; t++)
        status = tables[t].items == NULL ? AG_ERR_NOMEM : status;

    for (size_t k = 0; k < count && status == AG_OK; k++)
        status = collect_below_rule(index, policy, index->paths.rules[k], tables, &text);
    for (int t = 0; t < AG_BELOW_COUNT; t++) {
        if (status == AG_OK)
            status = fill_table(&index->below[t].directories, tables[t].items, tables[t].count);
        ag_free(tables[t].items);
    }
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
    if (status == AG_OK)
        status = build_below_tables(index, policy);
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
    ag_free(table->slots);
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
    free_table(&index->tools_without_domains);
    free_table(&index->domains);
    ag_free(index->domain_unkeyed.rules);
    ag_free(index->domain_rules.rules);
    for (size_t i = 0; i < AG_BELOW_COUNT; i++) {
        free_table(&index->below[i].directories);
        ag_free(index->below[i].rules.rules);
    }
    ag_free(index->below_unkeyed.rules);
    ag_free(index->below_text);
    ag_free(index);
}

/* ------------------------------------------------------------------ cursor */

/*
 * Compares a bucket's key with `key`, whose key_digit() at offset 0 is
 * `digit`, as compare_keys() does. Digits that differ order the keys as
 * compare_keys() would, because a byte past a key's end and a NUL byte both
 * count as 0 and sort before every other byte.
 */
static int compare_bucket(const ag_rule_bucket *bucket, const char *key, size_t length,
                          uint64_t digit)
{
    if (bucket->digit != digit)
        return bucket->digit < digit ? -1 : 1;
    return compare_keys(bucket->key, bucket->key_length, key, length);
}

/* Returns the first bucket whose key is not less than `key`. */
static size_t lower_bound(const ag_bucket_table *table, const char *key, size_t length)
{
    if (table->count == 0)
        return 0;
    uint64_t digit = key_digit(key, length, 0);
    size_t low = 0;
    size_t high = table->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (compare_bucket(&table->buckets[middle], key, length, digit) < 0)
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

/* Returns the bucket whose key equals `key` as compare_keys() compares them, or NULL. */
static const ag_rule_bucket *find_bucket(const ag_bucket_table *table, const char *key,
                                         size_t length)
{
    if (table->slots == NULL) {
        size_t i = lower_bound(table, key, length);
        bool found = i < table->count
                     && compare_keys(table->buckets[i].key, table->buckets[i].key_length, key,
                                     length) == 0;
        return found ? &table->buckets[i] : NULL;
    }

    size_t slot = key_hash(key, length) & table->slot_mask;
    for (; table->slots[slot] != 0; slot = (slot + 1) & table->slot_mask) {
        const ag_rule_bucket *bucket = &table->buckets[table->slots[slot] - 1];
        if (compare_keys(bucket->key, bucket->key_length, key, length) == 0)
            return bucket;
    }
    return NULL;
}

static void add_bucket(ag_rule_cursor *cursor, const ag_bucket_table *table, const char *key,
                       size_t length)
{
    const ag_rule_bucket *bucket = find_bucket(table, key, length);
    if (bucket != NULL)
        add_list(cursor, bucket->rules, bucket->count);
}

/*
 * Empties the cursor. The list arrays are read only below list_count, and
 * add_list() fills each entry, so they stay unset: zeroing them cost more
 * than the rest of a cursor's start.
 */
static void start(ag_rule_cursor *cursor, const ag_policy *policy)
{
    cursor->policy = policy;
    cursor->list_count = 0;
    cursor->overflow = false;
    cursor->fallback = NULL;
    cursor->fallback_length = 0;
    cursor->scan_all = policy->index == NULL;
    cursor->next = 0;
    cursor->last = 0;
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

/*
 * Adds the buckets whose key starts with `prefix`, or `whole` when there are
 * more than AG_BELOW_MAX_BUCKETS of them, as one list merges cheaper than many.
 */
static void add_prefixed(ag_rule_cursor *cursor, const ag_bucket_table *table, const char *prefix,
                         size_t length, const ag_rule_list *whole)
{
    size_t first = lower_bound(table, prefix, length);
    size_t end = first;
    while (end < table->count && table->buckets[end].key_length >= length
           && compare_keys(table->buckets[end].key, length, prefix, length) == 0)
        end++;
    if (end - first > AG_BELOW_MAX_BUCKETS) {
        add_list(cursor, whole->rules, whole->count);
        return;
    }
    for (size_t i = first; i < end; i++)
        add_list(cursor, table->buckets[i].rules, table->buckets[i].count);
}

/*
 * Adds the rules of a directory table that can match `relative` (a directory
 * given as the keys are, absolute or below the table's base) or a path below
 * it. Those are the rules under `relative` or one of its parents, the empty
 * key included, and the rules under keys that start with `relative`. A key
 * that only starts with it counts too, because ag_rule_match_path_below()
 * matches with PCRE2_PARTIAL_HARD, so `/repo/sr` can match the key `/repo/src`.
 */
static void add_directory(ag_rule_cursor *cursor, const ag_directory_table *table,
                          const char *relative)
{
    if (table->rules.count == 0)
        return;
    size_t length = strlen(relative);
    add_bucket(cursor, &table->directories, "", 0);
    for (size_t i = 1; i < length; i++)
        if (relative[i] == '/')
            add_bucket(cursor, &table->directories, relative, i);
    add_prefixed(cursor, &table->directories, relative, length, &table->rules);
}

/*
 * Adds the rules of a directory table whose keys are below `base` (the home
 * or the cwd) and that can match `directory` or a path below it. Comparisons
 * ignore case, as deny and ask rules do, which only adds rules.
 */
static void add_directory_below(ag_rule_cursor *cursor, const ag_directory_table *table,
                                const char *directory, const char *base)
{
    if (table->rules.count == 0)
        return;
    if (ag_path_is_within_caseless(base, directory)) {
        add_list(cursor, table->rules.rules, table->rules.count);    /* the whole base is below it */
        return;
    }
    if (!ag_path_is_within_caseless(directory, base))
        return;
    size_t length = directory_length(base);
    const char *relative = directory + length;
    if (length == 1 && base[0] == '/')
        relative = directory + 1;
    else if (relative[0] == '/')
        relative++;
    add_directory(cursor, table, relative);
}

/* Adds the path rules that can match `directory` (normalized, known) or a path below it. */
static void add_search(ag_rule_cursor *cursor, const char *directory,
                       const ag_path_context *context)
{
    const ag_policy_index *index = cursor->policy->index;
    const char *home = context != NULL ? context->home : NULL;
    const char *cwd = context != NULL ? context->cwd : NULL;

    const ag_directory_table *absolute = &index->below[AG_BELOW_ABSOLUTE];
    if (!group_comparable(AG_PATH_GROUP_ROOT, directory, context))
        add_list(cursor, absolute->rules.rules, absolute->rules.count);
    else
        add_directory(cursor, absolute, strcmp(directory, "/") == 0 ? "" : directory);

    const ag_directory_table *home_table = &index->below[AG_BELOW_HOME];
    if (!group_comparable(AG_PATH_GROUP_HOME, directory, context))
        add_list(cursor, home_table->rules.rules, home_table->rules.count);
    else
        add_directory_below(cursor, home_table, directory,
                            home != NULL && home[0] == '/' ? home : "~");

    const ag_directory_table *cwd_table = &index->below[AG_BELOW_CWD];
    if (!group_comparable(AG_PATH_GROUP_CWD, directory, context)) {
        add_list(cursor, cwd_table->rules.rules, cwd_table->rules.count);
        return;
    }
    add_directory_below(cursor, cwd_table, directory, cwd);

    /* Deny and ask rules anchored at the cwd also match below where it leads, which may be unknown. */
    const char *real_cwd = context->real_cwd;
    if (real_cwd != NULL && ag_path_lookup_failed(real_cwd))
        add_list(cursor, cwd_table->rules.rules, cwd_table->rules.count);
    else if (real_cwd != NULL)
        add_directory_below(cursor, cwd_table, directory, real_cwd);
}

void ag_rule_cursor_for_search(ag_rule_cursor *cursor, const ag_policy *policy,
                               const char *const *tools, size_t tool_count,
                               const char *const *directories, size_t directory_count,
                               const ag_path_context *context)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    const ag_policy_index *index = policy->index;
    add_tools(cursor, &index->tools_without_paths, tools, tool_count);

    /* A directory with an unknown part may compare with any rule's base, so it visits every path rule. */
    bool unknown = false;
    for (size_t i = 0; i < directory_count; i++)
        unknown = unknown || directories[i] == NULL
                  || (directories[i][0] != '/' && directories[i][0] != '~')
                  || strchr(directories[i], AG_DYNAMIC_MARK) != NULL;
    if (unknown) {
        add_list(cursor, index->paths.rules, index->paths.count);
    } else {
        add_list(cursor, index->below_unkeyed.rules, index->below_unkeyed.count);
        for (size_t i = 0; i < directory_count; i++)
            add_search(cursor, directories[i], context);
    }

    if (cursor->overflow)
        cursor->scan_all = true;
}

/*
 * Adds the domain rules that can match `host`. The cursor visits every domain
 * rule when ag_host_match_form() gives no plain lowercase ASCII text for the
 * host: an invalid address, an empty host, or one with bytes that tolower()
 * could map in the current locale, which labels_match() applies.
 */
static void add_host(ag_rule_cursor *cursor, const char *host)
{
    const ag_policy_index *index = cursor->policy->index;
    if (index->domain_rules.count == 0)
        return;
    char address[AG_HOST_ADDRESS_MAX];
    const char *text = NULL;
    size_t length = 0;
    bool plain = host != NULL
                 && ag_host_match_form(host, address, &text, &length) != AG_HOST_BAD_ADDRESS
                 && length > 0;
    for (size_t i = 0; plain && i < length; i++)
        plain = (unsigned char)text[i] < 0x80 && !(text[i] >= 'A' && text[i] <= 'Z');
    if (!plain) {
        add_list(cursor, index->domain_rules.rules, index->domain_rules.count);
        return;
    }

    add_list(cursor, index->domain_unkeyed.rules, index->domain_unkeyed.count);
    add_bucket(cursor, &index->domains, text, length);
    for (size_t i = 0; i < length; i++)
        if (text[i] == '.')
            add_bucket(cursor, &index->domains, text + i + 1, length - i - 1);
}

void ag_rule_cursor_for_domain(ag_rule_cursor *cursor, const ag_policy *policy,
                               const char *tool, const char *host)
{
    start(cursor, policy);
    if (cursor->scan_all)
        return;
    add_tools(cursor, &policy->index->tools_without_domains, &tool, 1);
    add_host(cursor, host);

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
