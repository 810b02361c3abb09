/*
 * The analyzer: owns the tree-sitter parser, applies the limits around the
 * parse, and turns the walk's state into an ag_shell_analysis.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ts_alloc.h"
#include "shell/internal.h"

const TSLanguage *tree_sitter_bash(void);

/*
 * The walk recurses once per syntax tree level, so a depth limit of 0 (no
 * limit) or a very large one still stops here to keep the C stack bounded.
 */
enum { AG_SHELL_DEPTH_CAP = 1000 };

struct ag_shell_analyzer {
    TSParser *parser;
    ag_ts_pool *ts_pool;       /* every allocation of the parser, its trees and the cursor */
    uint8_t *kinds;
    uint32_t kind_count;
    /*
     * One tree cursor for every analysis, moved with ts_tree_cursor_reset():
     * it keeps its stack array, where ts_tree_cursor_new() allocates one per
     * call (5 of the 34 mallocs per check on the agent corpus).
     */
    TSTreeCursor cursor;
    bool has_cursor;
    ag_buffer_pool word_buffers;
    ag_field_ids fields;
    bool has_fields;
    ag_tree_observer observer;  /* see ag_shell_analyzer_observe_tree(), or NULL */
    void *observer_data;
};

static const struct {
    const char *name;
    ag_node_kind kind;
} ag_node_names[] = {
    {"ERROR", AG_NODE_ERROR},
    {"comment", AG_NODE_COMMENT},
    {"program", AG_NODE_PROGRAM},
    {"list", AG_NODE_LIST},
    {"pipeline", AG_NODE_PIPELINE},
    {"command", AG_NODE_COMMAND},
    {"command_name", AG_NODE_COMMAND_NAME},
    {"redirected_statement", AG_NODE_REDIRECTED_STATEMENT},
    {"subshell", AG_NODE_SUBSHELL},
    {"compound_statement", AG_NODE_COMPOUND_STATEMENT},
    {"if_statement", AG_NODE_IF_STATEMENT},
    {"elif_clause", AG_NODE_ELIF_CLAUSE},
    {"else_clause", AG_NODE_ELSE_CLAUSE},
    {"while_statement", AG_NODE_WHILE_STATEMENT},
    {"for_statement", AG_NODE_FOR_STATEMENT},
    {"c_style_for_statement", AG_NODE_C_STYLE_FOR_STATEMENT},
    {"case_statement", AG_NODE_CASE_STATEMENT},
    {"case_item", AG_NODE_CASE_ITEM},
    {"do_group", AG_NODE_DO_GROUP},
    {"function_definition", AG_NODE_FUNCTION_DEFINITION},
    {"negated_command", AG_NODE_NEGATED_COMMAND},
    {"test_command", AG_NODE_TEST_COMMAND},
    {"declaration_command", AG_NODE_DECLARATION_COMMAND},
    {"unset_command", AG_NODE_UNSET_COMMAND},
    {"variable_assignment", AG_NODE_VARIABLE_ASSIGNMENT},
    {"variable_assignments", AG_NODE_VARIABLE_ASSIGNMENTS},
    {"file_redirect", AG_NODE_FILE_REDIRECT},
    {"heredoc_redirect", AG_NODE_HEREDOC_REDIRECT},
    {"herestring_redirect", AG_NODE_HERESTRING_REDIRECT},
    {"heredoc_body", AG_NODE_HEREDOC_BODY},
    {"heredoc_start", AG_NODE_HEREDOC_START},
    {"heredoc_end", AG_NODE_HEREDOC_END},
    {"heredoc_content", AG_NODE_HEREDOC_CONTENT},
    {"word", AG_NODE_WORD},
    {"string", AG_NODE_STRING},
    {"string_content", AG_NODE_STRING_CONTENT},
    {"raw_string", AG_NODE_RAW_STRING},
    {"ansi_c_string", AG_NODE_ANSI_C_STRING},
    {"translated_string", AG_NODE_TRANSLATED_STRING},
    {"concatenation", AG_NODE_CONCATENATION},
    {"simple_expansion", AG_NODE_SIMPLE_EXPANSION},
    {"expansion", AG_NODE_EXPANSION},
    {"command_substitution", AG_NODE_COMMAND_SUBSTITUTION},
    {"process_substitution", AG_NODE_PROCESS_SUBSTITUTION},
    {"arithmetic_expansion", AG_NODE_ARITHMETIC_EXPANSION},
    {"brace_expression", AG_NODE_BRACE_EXPRESSION},
    {"number", AG_NODE_NUMBER},
    {"array", AG_NODE_ARRAY},
    {"subscript", AG_NODE_SUBSCRIPT},
    {"binary_expression", AG_NODE_BINARY_EXPRESSION},
    {"unary_expression", AG_NODE_UNARY_EXPRESSION},
    {"ternary_expression", AG_NODE_TERNARY_EXPRESSION},
    {"postfix_expression", AG_NODE_POSTFIX_EXPRESSION},
    {"parenthesized_expression", AG_NODE_PARENTHESIZED_EXPRESSION},
    {"variable_name", AG_NODE_VARIABLE_NAME},
    {"special_variable_name", AG_NODE_SPECIAL_VARIABLE_NAME},
    {"extglob_pattern", AG_NODE_EXTGLOB_PATTERN},
    {"regex", AG_NODE_REGEX},
    {"test_operator", AG_NODE_TEST_OPERATOR},
    {"file_descriptor", AG_NODE_FILE_DESCRIPTOR},
};

/* Maps every symbol of the grammar to a kind once, so the walk never compares names. */
static bool build_kind_table(ag_shell_analyzer *analyzer, const TSLanguage *language)
{
    uint32_t count = ts_language_symbol_count(language);
    analyzer->kinds = ag_calloc(count, 1);
    if (analyzer->kinds == NULL)
        return false;
    analyzer->kind_count = count;

    for (uint32_t symbol = 0; symbol < count; symbol++) {
        TSSymbolType type = ts_language_symbol_type(language, (TSSymbol)symbol);
        const char *name = ts_language_symbol_name(language, (TSSymbol)symbol);
        if (type != TSSymbolTypeRegular) {
            analyzer->kinds[symbol] = AG_NODE_ANONYMOUS;
            continue;
        }
        for (size_t i = 0; i < sizeof(ag_node_names) / sizeof(ag_node_names[0]); i++) {
            if (name != NULL && strcmp(name, ag_node_names[i].name) == 0)
                analyzer->kinds[symbol] = (uint8_t)ag_node_names[i].kind;
        }
    }
    return true;
}

/* Creates the parser in the analyzer's pool, which the caller has made current. */
static bool create_parser_in_pool(ag_shell_analyzer *analyzer)
{
    analyzer->parser = ts_parser_new();
    bool created = ts_parser_set_language(analyzer->parser, tree_sitter_bash());
    return created && !ag_ts_pool_failed(analyzer->ts_pool);
}

/* Creates the pool and the parser allocated from it. Returns false when memory ran out. */
static bool create_parser(ag_shell_analyzer *analyzer)
{
    analyzer->ts_pool = ag_ts_pool_new();
    if (analyzer->ts_pool == NULL)
        return false;

    ag_ts_pool *previous = ag_ts_pool_enter(analyzer->ts_pool);
    bool created = create_parser_in_pool(analyzer);
    ag_ts_pool_leave(previous);
    return created;
}

/*
 * Replaces a parser that an escape abandoned mid-parse: its memory, the
 * cursor's and the scanner's all lie in the pool, which is dropped whole.
 */
static void rebuild_parser(ag_shell_analyzer *analyzer)
{
    ag_ts_pool_discard(analyzer->ts_pool);
    analyzer->parser = NULL;
    analyzer->has_cursor = false;
    if (!create_parser_in_pool(analyzer))
        analyzer->parser = NULL;
}

void ag_shell_analyzer_observe_tree(ag_shell_analyzer *analyzer, ag_tree_observer observer,
                                    void *data)
{
    analyzer->observer = observer;
    analyzer->observer_data = data;
}

ag_shell_analyzer *ag_shell_analyzer_new(void)
{
    ag_shell_analyzer *analyzer = ag_calloc(1, sizeof(*analyzer));
    if (analyzer == NULL)
        return NULL;

    const TSLanguage *language = tree_sitter_bash();
    if (!create_parser(analyzer) || !build_kind_table(analyzer, language)
        || !ag_buffer_pool_init(&analyzer->word_buffers)) {
        ag_shell_analyzer_free(analyzer);
        return NULL;
    }
    return analyzer;
}

void ag_shell_analyzer_free(ag_shell_analyzer *analyzer)
{
    if (analyzer == NULL)
        return;

    /* tree-sitter frees into the pool, so the pool goes last. */
    ag_ts_pool *previous = ag_ts_pool_enter(analyzer->ts_pool);
    if (analyzer->parser != NULL)
        ts_parser_delete(analyzer->parser);
    if (analyzer->has_cursor)
        ts_tree_cursor_delete(&analyzer->cursor);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(analyzer->ts_pool);

    ag_buffer_pool_release(&analyzer->word_buffers);
    ag_free(analyzer->kinds);
    ag_free(analyzer);
}

static ag_node_kind kind_of_symbol(const ag_walker *walker, TSSymbol symbol, bool named,
                                   bool missing)
{
    if (missing)
        return AG_NODE_ERROR;
    if (!named)
        return AG_NODE_ANONYMOUS;
    if (symbol == (TSSymbol)-1)
        return AG_NODE_ERROR;
    if (symbol >= walker->kind_count)
        return AG_NODE_UNKNOWN;
    return (ag_node_kind)walker->kinds[symbol];
}

ag_node_kind ag_node_kind_of(const ag_walker *walker, TSNode node)
{
    return kind_of_symbol(walker, ts_node_symbol(node), ts_node_is_named(node),
                          ts_node_is_missing(node));
}

void ag_walker_nomem(ag_walker *walker)
{
    walker->incomplete |= AG_SHELL_NOMEM;
    walker->stopped = true;
    if (walker->problem == NULL)
        walker->problem = "Out of memory while analysing the command; the analysis is partial.";
}

static void record_problem(ag_walker *walker, unsigned bit, uint32_t start, uint32_t end,
                           const char *format, va_list args) AG_PRINTF(5, 0);

/* Records a problem; only the first one gets a sentence and a span. */
static void record_problem(ag_walker *walker, unsigned bit, uint32_t start, uint32_t end,
                           const char *format, va_list args)
{
    walker->incomplete |= bit;
    if (walker->problem != NULL)
        return;

    char message[256];
    vsnprintf(message, sizeof(message), format, args);
    walker->problem_start = start;
    walker->problem_end = end;
    walker->problem = ag_arena_strndup(walker->arena, message, strlen(message));
    if (walker->problem == NULL)
        ag_walker_nomem(walker);
}

void ag_walker_problem(ag_walker *walker, unsigned bit, ag_node_id node, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    const ag_node *at = ag_node_at(walker, node);
    record_problem(walker, bit, at->start, at->end, format, args);
    va_end(args);
}

void ag_walker_problem_at(ag_walker *walker, unsigned bit, uint32_t start, uint32_t end,
                          const char *format, ...)
{
    va_list args;
    va_start(args, format);
    record_problem(walker, bit, start, end, format, args);
    va_end(args);
}

bool ag_vec_grow(ag_walker *walker, ag_vec *vec, size_t item_size)
{
    size_t capacity = vec->capacity == 0 ? 8 : vec->capacity * 2;
    /* Each slot is zeroed when it is pushed, so the new array needs no zeroing. */
    void *items = capacity <= SIZE_MAX / item_size
        ? ag_arena_alloc(walker->arena, capacity * item_size) : NULL;
    if (items == NULL) {
        ag_walker_nomem(walker);
        return false;
    }
    if (vec->count > 0)
        memcpy(items, vec->items, vec->count * item_size);
    vec->items = items;
    vec->capacity = capacity;
    return true;
}

/* Returns the node's type name as ts_node_type() does. The name lives as long as the grammar. */
const char *ag_node_type(const ag_walker *walker, ag_node_id id)
{
    return ts_language_symbol_name(walker->language, ag_node_at(walker, id)->symbol);
}

/* Returns the first child with the field, like ts_node_child_by_field_id(), or AG_NO_NODE. */
ag_node_id ag_node_child_by_field(const ag_walker *walker, ag_node_id id, TSFieldId field)
{
    const ag_node *node = ag_node_at(walker, id);
    for (uint32_t i = 0; i < node->child_count; i++) {
        ag_node_id child = node->first_child + i;
        if (ag_field_is(ag_node_at(walker, child)->field, field))
            return child;
    }
    return AG_NO_NODE;
}

/* Returns whether the statements inside a node of `kind` can be parsed alone. */
static bool holds_statements(ag_node_kind kind)
{
    return kind == AG_NODE_COMMAND_SUBSTITUTION || kind == AG_NODE_PROCESS_SUBSTITUTION
           || kind == AG_NODE_SUBSHELL || kind == AG_NODE_COMPOUND_STATEMENT;
}

/*
 * Records, for ag_shell_analyze_limited(), the statements around `node`,
 * where the depth limit stopped the walk: those inside the innermost
 * substitution, subshell or { } group that contains the node. Their text
 * parses alone as the commands they are, while a word cut out of a command
 * would parse as a command of its own. A span inside the one that the
 * previous stop recorded is not recorded, because parsing that one again
 * reaches it.
 */
static void record_unwalked(ag_walker *walker, ag_node_id node)
{
    ag_node_id group = node;
    while (group != AG_NO_NODE && !holds_statements(ag_node_kind_at(walker, group)))
        group = ag_node_at(walker, group)->parent;
    if (group == AG_NO_NODE || walker->unwalked.count >= AG_SHELL_MAX_UNWALKED)
        return;

    uint32_t count;
    ag_node_id first = ag_node_children(walker, group, &count);
    ag_shell_span inner = {0, 0};
    for (ag_node_id child = first; child < first + count; child++) {
        if (!ag_node_is_named(walker, child))
            continue;
        if (inner.end == 0)
            inner.start = ag_node_at(walker, child)->start;
        inner.end = ag_node_at(walker, child)->end;
    }
    const ag_shell_span *spans = walker->unwalked.items;
    size_t recorded = walker->unwalked.count;
    bool repeated = recorded > 0 && spans[recorded - 1].start <= inner.start
                    && inner.end <= spans[recorded - 1].end;
    if (inner.end <= inner.start || repeated)
        return;
    ag_shell_span *span = ag_vec_push(walker, &walker->unwalked, sizeof(*span));
    if (span != NULL)
        *span = inner;
}

/* Enters one level of the recursive walk; false when the walk must not go deeper. */
bool ag_walker_enter(ag_walker *walker, ag_node_id node)
{
    if (walker->stopped)
        return false;
    if (walker->depth >= walker->max_depth) {
        ag_walker_problem(walker, AG_SHELL_LIMIT, node,
                          "The command nests deeper than the depth limit of %u syntax levels "
                          "at byte %u; raise max_depth or simplify the command.",
                          walker->max_depth, ag_node_at(walker, node)->start);
        record_unwalked(walker, node);
        return false;
    }
    walker->depth++;
    return true;
}

void ag_walker_leave(ag_walker *walker)
{
    walker->depth--;
}

typedef struct ag_parse_clock {
    struct timespec deadline;
} ag_parse_clock;

static bool parse_timed_out(TSParseState *state)
{
    const ag_parse_clock *clock = state->payload;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec != clock->deadline.tv_sec)
        return now.tv_sec > clock->deadline.tv_sec;
    return now.tv_nsec > clock->deadline.tv_nsec;
}

static const char *read_input(void *payload, uint32_t byte, TSPoint position, uint32_t *bytes_read)
{
    const ag_walker *walker = payload;
    (void)position;
    if (byte >= walker->source_length) {
        *bytes_read = 0;
        return "";
    }
    *bytes_read = walker->source_length - byte;
    return walker->source + byte;
}

typedef struct ag_parse_watch {
    ag_parse_clock clock;
    bool has_deadline;
    const ag_ts_pool *pool;
} ag_parse_watch;

/*
 * Stops the parse at the time limit, or as soon as the pool served from its
 * reserve: the rest of the parse would only use up the reserve, and the
 * check fails with AG_ERR_NOMEM anyway. tree-sitter 0.25 calls this every
 * 100 parse operations.
 */
static bool stop_parse(TSParseState *state)
{
    const ag_parse_watch *watch = state->payload;
    if (ag_ts_pool_failed(watch->pool))
        return true;
    if (!watch->has_deadline)
        return false;

    TSParseState clock_state = *state;
    clock_state.payload = (void *)&watch->clock;
    return parse_timed_out(&clock_state);
}

/*
 * The memory one parse may hold: a base plus a multiple of the input. Large
 * valid inputs (1 MB of words, quotes, expansions or assignments) peaked at
 * 190 to 460 MB of resident memory in `agentguard eval`, under 500 bytes per
 * input byte. tree-sitter's error recovery on a 64 KB `echo a|a|a|...` took
 * 12 GB before its time limit, within single parse operations.
 */
enum { AG_PARSE_MEMORY_BASE = 64 * 1024 * 1024, AG_PARSE_MEMORY_PER_BYTE = 1024 };

static size_t parse_budget(const ag_walker *walker)
{
    return AG_PARSE_MEMORY_BASE + (size_t)walker->source_length * AG_PARSE_MEMORY_PER_BYTE;
}

/*
 * Runs the parse with the pool's escape armed. Returns 0, or the escape's
 * reason (AG_TS_ESCAPE_BUDGET, AG_TS_ESCAPE_NOMEM) after the parser was
 * abandoned and built again.
 */
static int parse_armed(ag_shell_analyzer *analyzer, const ag_walker *walker, TSInput input,
                       TSParseOptions options, TSTree **tree)
{
    jmp_buf escape;
    int reason = setjmp(escape);
    if (reason != 0) {
        rebuild_parser(analyzer);
        return reason;
    }

    ag_ts_pool_arm(analyzer->ts_pool, &escape, parse_budget(walker));
    *tree = ts_parser_parse_with_options(analyzer->parser, NULL, input, options);
    ag_ts_pool_disarm(analyzer->ts_pool);
    return 0;
}

/*
 * Parses with the analyzer's pool, which the caller has made current.
 * Returns NULL on timeout, when memory ran out (ag_ts_pool_failed()), or when
 * the parse needed more memory than its budget (*over_budget).
 */
static TSTree *parse(ag_shell_analyzer *analyzer, ag_walker *walker, uint64_t timeout_micros,
                     bool *over_budget)
{
    *over_budget = false;
    if (analyzer->parser == NULL || !ag_ts_pool_prepare(analyzer->ts_pool))
        return NULL;

    TSInput input = {
        .payload = walker,
        .read = read_input,
        .encoding = TSInputEncodingUTF8,
        .decode = NULL,
    };
    ag_parse_watch watch = {.has_deadline = timeout_micros != 0, .pool = analyzer->ts_pool};
    if (watch.has_deadline) {
        struct timespec *deadline = &watch.clock.deadline;
        clock_gettime(CLOCK_MONOTONIC, deadline);
        uint64_t nanoseconds = (uint64_t)deadline->tv_nsec + (timeout_micros % 1000000) * 1000;
        deadline->tv_sec += (time_t)(timeout_micros / 1000000 + nanoseconds / 1000000000);
        deadline->tv_nsec = (long)(nanoseconds % 1000000000);
    }

    TSParseOptions options = {.payload = &watch, .progress_callback = stop_parse};
    TSTree *tree = NULL;
    int reason = parse_armed(analyzer, walker, input, options, &tree);
    if (reason == AG_TS_ESCAPE_NOMEM)
        ag_ts_pool_mark_failed(analyzer->ts_pool);
    *over_budget = reason == AG_TS_ESCAPE_BUDGET;
    if (reason != 0)
        return NULL;
    if (tree == NULL)
        ts_parser_reset(analyzer->parser);
    return tree;
}

/* Fills `out` for a parse that gave no tree or ran out of memory, and deletes the tree. */
static ag_status report_failed_parse(ag_shell_analyzer *analyzer, TSTree *tree,
                                     uint64_t timeout_micros, bool over_budget,
                                     const ag_walker *walker, ag_shell_analysis *out)
{
    ts_tree_delete(tree);
    if (ag_ts_pool_failed(analyzer->ts_pool) || analyzer->parser == NULL) {
        out->incomplete = AG_SHELL_NOMEM;
        out->problem = "Out of memory while parsing the command; the command was not analysed.";
        return AG_ERR_NOMEM;
    }
    /* TODO(limits): after the memory budget stopped the parse, parsing the
     * prefix in chunks (ag_shell_analyze_limited()) left the warm checker
     * allocating with malloc (test_ts_alloc.c), so it is not done and such a
     * request only asks. */
    if (over_budget) {
        out->incomplete = AG_SHELL_LIMIT;
        out->problem = ag_arena_printf(walker->arena,
            "Parsing the command needed more than %zu MiB of memory; shorten the command.",
            parse_budget(walker) / (1024 * 1024));
        return out->problem == NULL ? AG_ERR_NOMEM : AG_OK;
    }

    out->incomplete = AG_SHELL_LIMIT;
    out->unparsed = true;
    out->problem = ag_arena_printf(walker->arena,
        "Parsing the command took longer than the time limit of %llu ms; "
        "raise the limit timeout_ms or shorten the command.",
        (unsigned long long)(timeout_micros / 1000));
    return out->problem == NULL ? AG_ERR_NOMEM : AG_OK;
}

static void find_field_ids(const TSLanguage *language, ag_field_ids *fields)
{
    fields->argument = ts_language_field_id_for_name(language, "argument", 8);
    fields->body = ts_language_field_id_for_name(language, "body", 4);
    fields->condition = ts_language_field_id_for_name(language, "condition", 9);
    fields->descriptor = ts_language_field_id_for_name(language, "descriptor", 10);
    fields->index = ts_language_field_id_for_name(language, "index", 5);
}

/* Only these kinds' children get a field, because only the cursor can tell it cheaply. */
bool ag_node_kind_has_child_fields(ag_node_kind kind)
{
    switch (kind) {
    case AG_NODE_REDIRECTED_STATEMENT:
    case AG_NODE_IF_STATEMENT:
    case AG_NODE_WHILE_STATEMENT:
    case AG_NODE_FUNCTION_DEFINITION:
    case AG_NODE_FILE_REDIRECT:
    case AG_NODE_HEREDOC_REDIRECT:
    case AG_NODE_HERESTRING_REDIRECT:
    case AG_NODE_C_STYLE_FOR_STATEMENT:
    case AG_NODE_COMPOUND_STATEMENT:
    case AG_NODE_TEST_COMMAND:
    case AG_NODE_ARITHMETIC_EXPANSION:
    case AG_NODE_BINARY_EXPRESSION:
    case AG_NODE_SUBSCRIPT:
        return true;
    default:
        return false;
    }
}

/* The tree being copied: tree-sitter handles of the nodes whose children are still to copy. */
typedef struct ag_tree_copy {
    ag_node *nodes;
    TSNode *handles;
    uint32_t used;
    uint32_t capacity;
    bool errors;             /* the tree has an ERROR or MISSING node */
} ag_tree_copy;

/*
 * Fills node `id` from `current`, reserving the next slots for its children.
 * It runs once per node, and as a call its register saves and restores were
 * almost a fifth of its instructions (callgrind), so it is inline.
 */
static inline void copy_node(const ag_walker *walker, ag_tree_copy *copy, ag_node_id id,
                             TSNode current, ag_node_id parent, TSFieldId field)
{
    ag_node *node = &copy->nodes[id];
    ag_ts_node_facts facts;
    ag_ts_node_facts_read(current, &facts);
    TSSymbol symbol = facts.symbol;
    /*
     * The kind table marks every symbol not of type TSSymbolTypeRegular as
     * anonymous. tree-sitter maps each symbol to a public symbol with the same
     * name and kind, so for a visible node this equals ts_node_is_named().
     * NOTE: checked for every symbol of tree-sitter-bash 0.25.1 against its
     * metadata, and by the differential corpus; a grammar update must keep it.
     */
    bool named = symbol < walker->kind_count ? walker->kinds[symbol] != AG_NODE_ANONYMOUS
                                             : ts_node_is_named(current);
    /* A MISSING node gives the tree an error cost, so a tree without errors has none. */
    bool missing = copy->errors && ts_node_is_missing(current);

    copy->handles[id] = current;
    node->start = ts_node_start_byte(current);
    node->end = facts.end;
    node->parent = parent;
    node->symbol = symbol;
    node->field = field;
    node->kind = (uint8_t)kind_of_symbol(walker, symbol, named, missing);
    node->flags = (uint8_t)((named ? AG_NODE_NAMED : 0) | (missing ? AG_NODE_MISSING : 0)
        | (symbol == (TSSymbol)-1 ? AG_NODE_IS_ERROR : 0)
        | (copy->errors && ts_node_has_error(current) ? AG_NODE_HAS_ERROR : 0));

    uint32_t count = facts.child_count;
    if (count > copy->capacity - copy->used)
        count = copy->capacity - copy->used;
    node->child_count = count;
    node->named_child_count = count == 0 ? 0 : facts.named_child_count;
    node->first_child = copy->used;
    copy->used += count;
}

/* Copies the children of `id` with the cursor, which also gives their fields. */
static void copy_children_with_cursor(ag_walker *walker, ag_tree_copy *copy, ag_node_id id)
{
    TSTreeCursor *cursor = walker->cursor;
    ag_node *node = &copy->nodes[id];
    bool fields = ag_node_kind_has_child_fields((ag_node_kind)node->kind);
    ts_tree_cursor_reset(cursor, copy->handles[id]);

    for (uint32_t i = 0; i < node->child_count; i++) {
        bool moved = i == 0 ? ts_tree_cursor_goto_first_child(cursor)
                            : ts_tree_cursor_goto_next_sibling(cursor);
        if (!moved) {
            /* A cursor that ends early leaves the remaining slots unused. */
            node->child_count = i;
            return;
        }
        TSFieldId field = fields ? ts_tree_cursor_current_field_id(cursor) : 0;
        copy_node(walker, copy, node->first_child + i, ts_tree_cursor_current_node(cursor), id,
                  field);
    }
}

/*
 * Copies the children of `id` listed in one pass (lib/shell/ts_children.c),
 * or with ts_node_child() when that list is not available.
 */
static void copy_children_listed(ag_walker *walker, ag_tree_copy *copy, ag_node_id id)
{
    ag_node *node = &copy->nodes[id];
    TSNode *children = &copy->handles[node->first_child];
    if (!ag_ts_visible_children(copy->handles[id], children, node->child_count)) {
        for (uint32_t i = 0; i < node->child_count; i++) {
            children[i] = ts_node_child(copy->handles[id], i);
            if (ts_node_is_null(children[i])) {
                node->child_count = i;
                break;
            }
        }
    }

    for (uint32_t i = 0; i < node->child_count; i++)
        copy_node(walker, copy, node->first_child + i, children[i], id, 0);
}

/*
 * Copies every visible node into walker->nodes, each read from tree-sitter
 * once. Nodes are numbered breadth first by parent, so the children of a
 * node are contiguous. Returns false when memory ran out.
 */
static bool copy_tree(ag_walker *walker, TSNode root)
{
    ag_tree_copy copy = {
        .capacity = ts_node_descendant_count(root),
        .used = 1,
        .errors = ts_node_has_error(root),
    };
    copy.nodes = ag_arena_calloc(walker->arena, copy.capacity, sizeof(*copy.nodes));
    /* copy_node() sets each handle before it is read, so they need no zeroing. */
    size_t handle_bytes = (size_t)copy.capacity * sizeof(*copy.handles);
    if (handle_bytes / sizeof(*copy.handles) == copy.capacity)
        copy.handles = ag_arena_alloc(walker->arena, handle_bytes);
    if (copy.nodes == NULL || copy.handles == NULL) {
        ag_walker_nomem(walker);
        return false;
    }

    copy_node(walker, &copy, 0, root, AG_NO_NODE, 0);
    for (ag_node_id id = 0; id < copy.used; id++) {
        const ag_node *node = &copy.nodes[id];
        if (node->child_count == 0)
            continue;
        if (ag_node_kind_has_child_fields((ag_node_kind)node->kind))
            copy_children_with_cursor(walker, &copy, id);
        else
            copy_children_listed(walker, &copy, id);
    }

    walker->nodes = copy.nodes;
    walker->node_count = copy.used;
    return true;
}

/* Descends to the first ERROR or MISSING node without recursion. */
static void report_parse_error(ag_walker *walker)
{
    ag_node_id id = 0;
    for (;;) {
        const ag_node *node = ag_node_at(walker, id);
        if (node->flags & (AG_NODE_IS_ERROR | AG_NODE_MISSING))
            break;
        ag_node_id next = AG_NO_NODE;
        for (uint32_t i = 0; i < node->child_count && next == AG_NO_NODE; i++) {
            ag_node_id child = node->first_child + i;
            if (ag_node_at(walker, child)->flags & (AG_NODE_HAS_ERROR | AG_NODE_MISSING))
                next = child;
        }
        if (next == AG_NO_NODE)
            break;
        id = next;
    }

    uint32_t start = ag_node_at(walker, id)->start;
    if (ag_node_at(walker, id)->flags & AG_NODE_MISSING)
        ag_walker_problem(walker, AG_SHELL_PARSE_ERROR, id,
                          "Syntax error: tree-sitter-bash expects `%s` at byte %u. The command "
                          "is invalid Bash, or Bash that the grammar does not parse.",
                          ag_node_type(walker, id), start);
    else
        ag_walker_problem(walker, AG_SHELL_PARSE_ERROR, id,
                          "Syntax error at byte %u: tree-sitter-bash cannot parse the command "
                          "there. The command is invalid Bash, or Bash that the grammar does not "
                          "parse.", start);
}

static bool is_blank_gap(const char *text, uint32_t start, uint32_t end)
{
    for (uint32_t i = start; i < end; i++) {
        char c = text[i];
        if (c == '\\' && i + 1 < end && text[i + 1] == '\n')
            i++;
        else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return false;
    }
    return true;
}

/*
 * Checks that every byte outside blanks belongs to some token. tree-sitter-bash
 * 0.25.1 drops some text without an ERROR node, such as the `-` in
 * `python3 - <<EOF`, and a dropped word must not vanish from the analysis.
 * TODO(dropped-words): recover such words instead of failing closed.
 */
static void check_coverage(ag_walker *walker)
{
    uint32_t covered = 0;
    ag_node_id id = 0;

    for (;;) {
        const ag_node *node = ag_node_at(walker, id);
        bool opaque = node->child_count == 0 || node->kind == AG_NODE_HEREDOC_BODY
            || node->kind == AG_NODE_ERROR;
        if (opaque) {
            if (node->start > covered && !is_blank_gap(walker->source, covered, node->start))
                break;
            if (node->end > covered)
                covered = node->end;
        } else {
            id = node->first_child;
            continue;
        }

        /* Go to the next sibling, or up to the first ancestor that has one. */
        while (id != 0) {
            const ag_node *parent = ag_node_at(walker, node->parent);
            if (id + 1 < parent->first_child + parent->child_count)
                break;
            id = node->parent;
            node = parent;
        }
        if (id == 0) {
            covered = covered < walker->source_length && is_blank_gap(walker->source, covered,
                walker->source_length) ? walker->source_length : covered;
            break;
        }
        id++;
    }

    if (covered < walker->source_length) {
        uint32_t start = covered;
        while (start < walker->source_length && is_blank_gap(walker->source, start, start + 1))
            start++;
        walker->incomplete |= AG_SHELL_PARSE_ERROR;
        if (walker->problem == NULL) {
            walker->problem = ag_arena_printf(walker->arena,
                "The text at byte %u is missing from the syntax tree of tree-sitter-bash; "
                "the command cannot be analysed completely.", start);
            walker->problem_start = start;
            walker->problem_end = start + 1;
            if (walker->problem == NULL)
                ag_walker_nomem(walker);
        }
    }
}

/* True when a carriage return at this node is a literal character for Bash as well. */
static bool quotes_carriage_return(const ag_walker *walker, TSNode node)
{
    ag_node_kind kind = ag_node_kind_of(walker, node);
    return kind == AG_NODE_RAW_STRING || kind == AG_NODE_STRING || kind == AG_NODE_STRING_CONTENT
        || kind == AG_NODE_ANSI_C_STRING;
}

/*
 * Fails on a carriage return outside single or double quotes.
 * tree-sitter-bash 0.25.1 treats `\r` as a blank, so it reads `ls\r#; rm x`
 * as `ls` and a comment, but Bash reads the word `ls\r#` and then runs
 * `rm x`. A carriage return in a heredoc body fails too, because the two
 * may also disagree on where the body ends.
 */
static void check_carriage_returns(ag_walker *walker, TSNode root)
{
    const char *source = walker->source;
    const char *found = memchr(source, '\r', walker->source_length);
    while (found != NULL) {
        uint32_t offset = (uint32_t)(found - source);
        TSNode node = ts_node_descendant_for_byte_range(root, offset, offset + 1);
        if (!quotes_carriage_return(walker, node)) {
            ag_walker_problem_at(walker, AG_SHELL_PARSE_ERROR, offset, offset + 1,
                                 "Carriage return (\\r) outside quotes at byte %u: Bash reads it "
                                 "as part of a word, but tree-sitter-bash reads it as a blank; "
                                 "remove it or quote it.", offset);
            return;
        }
        found = memchr(found + 1, '\r', walker->source_length - offset - 1);
    }
}

static bool is_blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Returns whether the heredoc body `node` has a quoted delimiter, so Bash joins none of its lines. */
static bool in_quoted_heredoc(const ag_walker *walker, TSNode node)
{
    for (TSNode at = node; !ts_node_is_null(at); at = ts_node_parent(at)) {
        if (ag_node_kind_of(walker, at) != AG_NODE_HEREDOC_REDIRECT)
            continue;
        uint32_t count = ts_node_child_count(at);
        for (uint32_t i = 0; i < count; i++) {
            TSNode child = ts_node_child(at, i);
            if (ag_node_kind_of(walker, child) != AG_NODE_HEREDOC_START)
                continue;
            uint32_t start = ts_node_start_byte(child);
            uint32_t end = ts_node_end_byte(child);
            for (uint32_t b = start; b < end && b < walker->source_length; b++) {
                if (strchr("'\"\\", walker->source[b]) != NULL && walker->source[b] != '\0')
                    return true;
            }
        }
        return false;
    }
    return false;
}

/*
 * Returns whether the bytes at `before` and `after`, around a line
 * continuation, lie in argument words or strings, which the word builder
 * joins as Bash does (`echo a\<newline>b` is `echo ab`). Not in a command
 * name (`i\<newline>f` is `if`), before `=` or `#`, or after a `$`, where
 * Bash reads `$(`.
 */
static bool joined_in_one_token(const ag_walker *walker, TSNode root, uint32_t before,
                                uint32_t after)
{
    char next = walker->source[after];
    char previous = walker->source[before];
    if (next == '=' || next == '#' || previous == '$')
        return false;
    uint32_t ends[2] = {before, after};
    for (int side = 0; side < 2; side++) {
        TSNode token = ts_node_descendant_for_byte_range(root, ends[side], ends[side] + 1);
        ag_node_kind kind = ag_node_kind_of(walker, token);
        if (kind != AG_NODE_WORD && kind != AG_NODE_STRING && kind != AG_NODE_STRING_CONTENT)
            return false;
        TSNode parent = ts_node_parent(token);
        if (!ts_node_is_null(parent) && ag_node_kind_of(walker, parent) == AG_NODE_COMMAND_NAME)
            return false;
    }
    return true;
}

/*
 * Fails on a line continuation that joins two parts of one word. Bash
 * removes a backslash and newline before it reads words, keywords and
 * heredoc delimiter lines: `EO\<newline>F` ends a heredoc, `i\<newline>f`
 * is `if`, and `x\<newline>#` keeps the `#` in the word. tree-sitter-bash
 * 0.25.1 reads them apart. A continuation after a blank joins nothing, and
 * one in single quotes or in a quoted heredoc's body is text.
 */
static void check_line_continuations(ag_walker *walker, TSNode root)
{
    const char *source = walker->source;
    uint32_t length = walker->source_length;
    /* Most commands have no newline, so memchr() finds each candidate instead of a byte loop. */
    const char *newline = length > 1 ? memchr(source + 1, '\n', length - 1) : NULL;
    for (; newline != NULL;
         newline = memchr(newline + 1, '\n', (size_t)(source + length - newline - 1))) {
        uint32_t i = (uint32_t)(newline - source) - 1;
        if (source[i] != '\\')
            continue;
        uint32_t first = i;
        while (first > 0 && source[first - 1] == '\\')
            first--;
        bool escaped = (i - first) % 2 == 1;
        bool joins = first > 0 && !is_blank_byte(source[first - 1]) && i + 2 < length
                     && !is_blank_byte(source[i + 2]);
        if (escaped || !joins)
            continue;
        TSNode node = ts_node_descendant_for_byte_range(root, i, i + 1);
        if (ag_node_kind_of(walker, node) == AG_NODE_RAW_STRING || in_quoted_heredoc(walker, node)
            || joined_in_one_token(walker, root, first - 1, i + 2))
            continue;
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, i, i + 2,
                             "A line continuation at byte %u joins two parts of one word, which "
                             "Bash reads as one word and tree-sitter-bash as two; write the word "
                             "on one line.", i);
        return;
    }
}

/*
 * Fails on a comment that starts right after a word character: Bash starts
 * a comment only where a word starts, so in `x=()#;rm -rf ~` the `#` stays
 * in the word and `rm` runs, while tree-sitter-bash 0.25.1 reads a comment.
 */
static void check_comments(ag_walker *walker)
{
    for (uint32_t id = 0; id < walker->node_count; id++) {
        const ag_node *node = ag_node_at(walker, id);
        if ((ag_node_kind)node->kind != AG_NODE_COMMENT || node->start == 0
            || node->start > walker->source_length)
            continue;
        char before = walker->source[node->start - 1];
        if (is_blank_byte(before) || strchr(";&|(", before) != NULL)
            continue;
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, node->start, node->end,
                             "The `#` at byte %u follows `%c` without a blank, so Bash keeps it "
                             "in the word, but tree-sitter-bash reads a comment; put a blank "
                             "before it.", node->start, before);
        return;
    }
}

/* Returns the offset of the first newline in `text` that no backslash escapes, or `length`. */
static size_t unescaped_newline(const char *text, size_t length)
{
    size_t backslashes = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\n' && backslashes % 2 == 0)
            return i;
        backslashes = text[i] == '\\' ? backslashes + 1 : 0;
    }
    return length;
}

/*
 * Fails on a word that contains a newline no backslash escapes. Bash ends
 * the command there, but tree-sitter-bash 0.25.1 reads `true` NEWLINE `\rm
 * x` as one command `true` with the arguments `<newline>\rm` and `x`, so
 * the `rm x` that Bash runs was never checked.
 */
static void check_word_newlines(ag_walker *walker)
{
    /* Most commands are one line, and they need no walk over the nodes. */
    if (memchr(walker->source, '\n', walker->source_length) == NULL)
        return;

    for (uint32_t id = 0; id < walker->node_count; id++) {
        const ag_node *node = ag_node_at(walker, id);
        if ((ag_node_kind)node->kind != AG_NODE_WORD || node->child_count > 0
            || node->end > walker->source_length)
            continue;
        const char *text = walker->source + node->start;
        size_t length = node->end - node->start;
        size_t newline = unescaped_newline(text, length);
        if (newline == length)
            continue;
        ag_walker_problem_at(walker, AG_SHELL_PARSE_ERROR, node->start, node->end,
                             "tree-sitter-bash reads the newline at byte %u as part of a word, "
                             "where Bash ends the command; the command after it is not "
                             "analysed.", node->start + (uint32_t)newline);
        return;
    }
}

/*
 * Returns whether the raw string `id` sits in a parameter expansion inside
 * double quotes, with no command substitution between them.
 */
static bool in_quoted_expansion(const ag_walker *walker, ag_node_id id)
{
    bool expansion = false;
    for (ag_node_id up = ag_node_at(walker, id)->parent; up != AG_NO_NODE;
         up = ag_node_at(walker, up)->parent) {
        ag_node_kind kind = (ag_node_kind)ag_node_at(walker, up)->kind;
        if (kind == AG_NODE_COMMAND_SUBSTITUTION || kind == AG_NODE_PROCESS_SUBSTITUTION)
            return false;
        if (kind == AG_NODE_EXPANSION)
            expansion = true;
        else if (kind == AG_NODE_STRING && expansion)
            return true;
    }
    return false;
}

/*
 * Fails on single quotes in a parameter expansion inside double quotes that
 * hold `$` or a backquote. Bash 5.2 keeps such quotes as text there, so in
 * `echo "${x:-'$(rm x)'}"` it runs `rm x`, while tree-sitter-bash 0.25.1
 * reads a raw string whose text is not expanded.
 */
static void check_quoted_raw_strings(ag_walker *walker)
{
    if (memchr(walker->source, '\'', walker->source_length) == NULL)
        return;    /* no single quote: no raw string, and no node scan */
    for (uint32_t id = 0; id < walker->node_count; id++) {
        const ag_node *node = ag_node_at(walker, id);
        if ((ag_node_kind)node->kind != AG_NODE_RAW_STRING || node->end > walker->source_length)
            continue;
        const char *text = walker->source + node->start;
        size_t length = node->end - node->start;
        if (memchr(text, '$', length) == NULL && memchr(text, '`', length) == NULL)
            continue;
        if (!in_quoted_expansion(walker, id))
            continue;
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, node->start, node->end,
                             "The single quotes at byte %u are inside a parameter expansion in "
                             "double quotes, where Bash keeps them as text and expands the `$` "
                             "or backquote between them; tree-sitter-bash reads them as quoting.",
                             node->start);
        return;
    }
}

/*
 * Returns the start of the first line in [start, stop) that is `delimiter`,
 * after its leading tabs when `strip_tabs` (`<<-`), or UINT32_MAX. A line
 * starts at `start` only when a newline comes right before it.
 */
static uint32_t find_delimiter_line(const ag_walker *walker, uint32_t start, uint32_t stop,
                                    const ag_shell_word *delimiter, bool strip_tabs)
{
    const char *source = walker->source;
    uint32_t line = start;
    if (line > 0 && source[line - 1] != '\n') {
        const char *newline = memchr(source + line, '\n', stop - line);
        line = newline == NULL ? stop : (uint32_t)(newline - source) + 1;
    }

    while (line < stop) {
        const char *newline = memchr(source + line, '\n', walker->source_length - line);
        uint32_t end = newline == NULL ? walker->source_length : (uint32_t)(newline - source);
        uint32_t text = line;
        while (strip_tabs && text < end && source[text] == '\t')
            text++;
        if (end - text == delimiter->length && memcmp(source + text, delimiter->text, end - text) == 0)
            return line;
        line = end + 1;
    }
    return UINT32_MAX;
}

/* Returns whether "<<" appears in the `length` bytes of `source`. */
static bool has_heredoc_operator(const char *source, size_t length)
{
    const char *end = source + length;
    for (const char *p = memchr(source, '<', length); p != NULL && p + 1 < end;
         p = memchr(p + 1, '<', (size_t)(end - p - 1))) {
        if (p[1] == '<')
            return true;
    }
    return false;
}

/*
 * Fails on a heredoc whose body, as tree-sitter-bash 0.25.1 reads it, contains
 * a line that is its delimiter. Bash 5.2 ends the body at the first such
 * line, even where the line sits inside a `$(...)` with a heredoc of its
 * own, and runs the lines after it as commands. In `cat <<EOF`, `$(cat <<X`,
 * `EOF`, `rm x`, `X`, `)`, `EOF` tree-sitter-bash reads `rm x` as heredoc
 * text, but Bash runs it.
 */
static void check_heredoc_ends(ag_walker *walker)
{
    if (!has_heredoc_operator(walker->source, walker->source_length))
        return;    /* most commands: no node scan */
    for (ag_node_id id = 0; id < walker->node_count; id++) {
        if (ag_node_kind_at(walker, id) != AG_NODE_HEREDOC_REDIRECT)
            continue;

        /* Without a body no line is hidden, and an empty delimiter would match any empty line. */
        ag_heredoc_parts parts;
        ag_heredoc_parts_find(walker, id, &parts);
        const ag_shell_word *delimiter = &parts.delimiter;
        if (parts.body == AG_NO_NODE || delimiter->text == NULL || delimiter->length == 0)
            continue;

        /* The operator is `<<-` when a `-` sits between `<<` and the delimiter. */
        uint32_t operator_start = ag_node_at(walker, id)->start;
        uint32_t delimiter_start = ag_node_at(walker, parts.start)->start;
        const char *dash = memchr(walker->source + operator_start, '-',
                                  delimiter_start - operator_start);
        uint32_t body_start = ag_node_at(walker, parts.body)->start;
        uint32_t stop = parts.end != AG_NO_NODE ? ag_node_at(walker, parts.end)->start
                                                : ag_node_at(walker, parts.body)->end;

        /* tree-sitter-bash starts the end node of `<<-` after the tabs of its line. */
        while (dash != NULL && stop > body_start && walker->source[stop - 1] == '\t')
            stop--;
        uint32_t line = find_delimiter_line(walker, body_start, stop,
                                            delimiter, dash != NULL);
        if (line == UINT32_MAX)
            continue;
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, line, line + delimiter->length,
                             "The heredoc delimiter `%s` at byte %u ends the heredoc for Bash, "
                             "but tree-sitter-bash reads the body on past it, so the lines after "
                             "it may run as commands; move the nested heredoc out of the body.",
                             delimiter->text, line);
        return;
    }
}

static int compare_commands(const void *left, const void *right)
{
    const ag_shell_command *a = left;
    const ag_shell_command *b = right;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    /* Outer commands come before the commands substituted inside them. */
    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    return 0;
}

/* Insertion sort keeps the walk order of equal keys; the input is nearly sorted. */
static void sort_commands(ag_shell_command *commands, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        ag_shell_command item = commands[i];
        size_t j = i;
        while (j > 0 && compare_commands(&commands[j - 1], &item) > 0) {
            commands[j] = commands[j - 1];
            j--;
        }
        commands[j] = item;
    }
}

void ag_shell_resolve_limits(const ag_shell_limits *limits, ag_shell_limits *out)
{
    if (limits == NULL) {
        out->max_input_bytes = AG_SHELL_DEFAULT_MAX_INPUT_BYTES;
        out->max_depth = AG_SHELL_DEFAULT_MAX_DEPTH;
        out->max_commands = AG_SHELL_DEFAULT_MAX_COMMANDS;
        out->timeout_micros = AG_SHELL_DEFAULT_TIMEOUT_MICROS;
    } else {
        *out = *limits;
    }
    if (out->max_depth == 0 || out->max_depth > AG_SHELL_DEPTH_CAP)
        out->max_depth = AG_SHELL_DEPTH_CAP;
}

/* Returns whether the bytes between two words hold a newline that ends a command. */
static bool gap_ends_command(const ag_walker *walker, uint32_t start, uint32_t end)
{
    if (start >= end || end > walker->source_length)
        return false;
    const char *newline = memchr(walker->source + start, '\n', end - start);
    return newline != NULL && !(newline > walker->source && newline[-1] == '\\');
}

/* Returns whether a word is a keyword that opens a group: `{`, `(` or `!`. */
static bool opens_group(const ag_shell_word *word)
{
    return word->length == 1 && (word->text[0] == '{' || word->text[0] == '(' || word->text[0] == '!');
}

/*
 * Adds the words from `first` to `last` (exclusive) of `command` as a
 * command of their own, without a leading group keyword. Redirections stay
 * with the command's last line, which is where the parser put them.
 */
static void add_line_command(ag_walker *walker, ag_shell_command command, size_t first,
                             size_t last, bool last_line)
{
    while (first < last && opens_group(&command.words[first]))
        first++;
    if (first == last)
        return;

    /* At the command limit the request asks anyway, as the joined command already makes it. */
    if (walker->max_commands != 0 && walker->commands.count >= walker->max_commands) {
        walker->incomplete |= AG_SHELL_LIMIT;
        return;
    }

    command.words += first;
    command.word_count = last - first;
    command.start = command.words[0].start;
    command.end = command.words[command.word_count - 1].end;
    if (!last_line)
        command.redirect_count = 0;
    /* A later line starts a pipeline of its own, so a cd on it moves the later commands. */
    if (first > 0) {
        command.assignment_count = 0;
        command.pipeline = walker->next_pipeline++;
        command.pipeline_position = 0;
    }
    ag_shell_command *slot = ag_vec_push(walker, &walker->commands, sizeof(*slot));
    if (slot != NULL)
        *slot = command;
}

/*
 * Bash ends a simple command at an unescaped newline, but tree-sitter-bash
 * 0.25.1 reads `false || a | b | c` NEWLINE `{ git -r > f` NEWLINE `}` as
 * one command `c { git -r`, which hid `git -r` from every rule. Such a
 * command fails the parse (ask), and each of its lines is also added as a
 * command, so that the deny rules that match a line still deny.
 */
static void check_word_lines(ag_walker *walker)
{
    /* Without a newline no gap ends a command, and most commands are one line. */
    if (memchr(walker->source, '\n', walker->source_length) == NULL)
        return;

    size_t count = walker->commands.count;
    bool joined = false;
    for (size_t c = 0; c < count; c++) {
        ag_shell_command command = ((const ag_shell_command *)walker->commands.items)[c];
        size_t first = 0;
        for (size_t i = 1; i < command.word_count; i++) {
            if (!gap_ends_command(walker, command.words[i - 1].end, command.words[i].start))
                continue;
            add_line_command(walker, command, first, i, false);
            first = i;
        }
        if (first == 0)
            continue;
        add_line_command(walker, command, first, command.word_count, true);
        if (!joined)
            ag_walker_problem_at(walker, AG_SHELL_PARSE_ERROR, command.start, command.end,
                                 "The parser joined two lines into one command at byte %u; "
                                 "the command is not analysed.", command.words[first].start);
        joined = true;
    }
}

static void store_result(ag_walker *walker, ag_shell_analysis *out)
{
    out->commands = walker->commands.items;
    out->command_count = walker->commands.count;
    sort_commands(out->commands, out->command_count);
    out->incomplete = walker->incomplete;
    out->problem = walker->problem;
    out->problem_start = walker->problem_start;
    out->problem_end = walker->problem_end;
    out->unwalked = walker->unwalked.items;
    out->unwalked_count = walker->unwalked.count;
}

/* Appends to `pieces` the runs of named children of the ERROR node `id`, split at its tokens. */
static void add_error_pieces(ag_walker *walker, ag_node_id id, ag_vec *pieces)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, id, &count);
    ag_shell_span run = {0, 0};
    bool open = false;
    for (ag_node_id child = first; child <= first + count; child++) {
        bool named = child < first + count && ag_node_is_named(walker, child);
        if (named) {
            if (!open)
                run.start = ag_node_at(walker, child)->start;
            run.end = ag_node_at(walker, child)->end;
            open = true;
            continue;
        }
        if (!open)
            continue;
        open = false;
        bool whole = run.start == 0 && run.end == walker->source_length;
        ag_shell_span *slot = whole ? NULL : ag_vec_push(walker, pieces, sizeof(*slot));
        if (slot != NULL)
            *slot = run;
    }
}

/*
 * Lists the pieces that the ERROR nodes of the tree split the input into:
 * each run of named children of an ERROR node between two of its tokens.
 * ERROR nodes inside another are part of its pieces, so the pieces never
 * overlap and add up to at most the input's length.
 */
static void collect_error_pieces(ag_walker *walker, ag_vec *pieces)
{
    bool *inside = ag_arena_calloc(walker->arena, walker->node_count, sizeof(*inside));
    if (inside == NULL) {
        ag_walker_nomem(walker);
        return;
    }

    /* A parent always has a lower index than its children (copy_tree()). */
    for (ag_node_id id = 0; id < walker->node_count; id++) {
        const ag_node *node = ag_node_at(walker, id);
        bool parent_inside = node->parent != AG_NO_NODE && inside[node->parent];
        inside[id] = parent_inside || (node->flags & AG_NODE_IS_ERROR) != 0;
        if (!parent_inside && (node->flags & AG_NODE_IS_ERROR))
            add_error_pieces(walker, id, pieces);
    }
}

ag_status ag_shell_analyze(ag_shell_analyzer *analyzer, const char *input,
                           size_t length, const ag_shell_limits *limits,
                           ag_arena *arena, ag_shell_analysis *out)
{
    return ag_shell_analyze_split(analyzer, input, length, limits, arena, out, NULL);
}

ag_status ag_shell_analyze_split(ag_shell_analyzer *analyzer, const char *input,
                                 size_t length, const ag_shell_limits *limits,
                                 ag_arena *arena, ag_shell_analysis *out, ag_vec *pieces)
{
    if (out == NULL)
        return AG_ERR_ARGUMENT;
    *out = (ag_shell_analysis){0};
    if (analyzer == NULL || arena == NULL || (input == NULL && length > 0)) {
        out->incomplete = AG_SHELL_UNKNOWN_NODE;
        out->problem = "The shell analysis was called without an analyzer, arena or input.";
        return AG_ERR_ARGUMENT;
    }

    ag_vec own_pieces = {0};    /* the ERROR pieces when the caller keeps none */
    ag_shell_limits resolved;
    ag_shell_resolve_limits(limits, &resolved);
    ag_walker walker = {
        .source = input == NULL ? "" : input,
        .source_length = (uint32_t)length,
        .arena = arena,
        .kinds = analyzer->kinds,
        .kind_count = analyzer->kind_count,
        .word_buffers = &analyzer->word_buffers,
        .max_depth = resolved.max_depth,
        .max_commands = resolved.max_commands,
        .next_pipeline = 1,
    };

    /* tree-sitter addresses bytes with uint32_t, so longer input is never parsed. */
    if ((resolved.max_input_bytes != 0 && length > resolved.max_input_bytes) || length > UINT32_MAX) {
        out->incomplete = AG_SHELL_LIMIT;
        out->unparsed = true;
        out->problem = ag_arena_printf(arena,
            "The command is %zu bytes long, over the input limit of %zu bytes; "
            "raise max_input_bytes or shorten the command.", length,
            resolved.max_input_bytes != 0 ? resolved.max_input_bytes : (size_t)UINT32_MAX);
        out->problem_end = (uint32_t)(length > UINT32_MAX ? UINT32_MAX : length);
        return out->problem == NULL ? AG_ERR_NOMEM : AG_OK;
    }

    /* tree-sitter allocates from the analyzer's pool until the tree is deleted. */
    ag_ts_pool *previous_pool = ag_ts_pool_enter(analyzer->ts_pool);
    bool over_budget;
    TSTree *tree = parse(analyzer, &walker, resolved.timeout_micros, &over_budget);
    if (tree == NULL || ag_ts_pool_failed(analyzer->ts_pool)) {
        ag_status status = report_failed_parse(analyzer, tree, resolved.timeout_micros,
                                               over_budget, &walker, out);
        ag_ts_pool_leave(previous_pool);
        return status;
    }

    TSNode root = ts_tree_root_node(tree);
    if (!analyzer->has_cursor) {
        analyzer->cursor = ts_tree_cursor_new(root);
        analyzer->has_cursor = true;
    }
    if (!analyzer->has_fields) {
        find_field_ids(ts_tree_language(tree), &analyzer->fields);
        analyzer->has_fields = true;
    }
    walker.cursor = &analyzer->cursor;
    walker.language = ts_tree_language(tree);
    walker.fields = &analyzer->fields;
    if (copy_tree(&walker, root)) {
        if (analyzer->observer != NULL)
            analyzer->observer(analyzer->observer_data, root, walker.nodes, walker.node_count);
        if (ts_node_has_error(root))
            report_parse_error(&walker);
        else
            check_coverage(&walker);
        check_carriage_returns(&walker, root);
        check_line_continuations(&walker, root);
        check_comments(&walker);
        check_word_newlines(&walker);
        check_quoted_raw_strings(&walker);
        check_heredoc_ends(&walker);
        ag_walk_statement(&walker, 0, (ag_walk_state){0});
        if (ts_node_has_error(root))
            collect_error_pieces(&walker, pieces != NULL ? pieces : &own_pieces);
    }
    ts_tree_delete(tree);
    if (ag_ts_pool_failed(analyzer->ts_pool))
        ag_walker_nomem(&walker);
    ag_ts_pool_leave(previous_pool);
    ag_check_evaluated_words(&walker);
    check_word_lines(&walker);

    ag_vec *found = pieces != NULL ? pieces : &own_pieces;
    const ag_shell_span *unparsed = walker.unparsed_pieces.items;
    for (size_t i = 0; i < walker.unparsed_pieces.count; i++) {
        ag_shell_span *slot = ag_vec_push(&walker, found, sizeof(*slot));
        if (slot != NULL)
            *slot = unparsed[i];
    }

    store_result(&walker, out);
    out->error_pieces = found->items;
    out->error_piece_count = found->count;
    if ((walker.incomplete & AG_SHELL_NOMEM) && walker.commands.count == 0)
        return AG_ERR_NOMEM;
    return AG_OK;
}
