/*
 * Internal interface between the parts of the shell analysis: the analyzer
 * (analyze.c), the statement walk (walk.c), word building (word.c) and
 * redirections (redirect.c).
 */
#ifndef AG_SHELL_INTERNAL_H
#define AG_SHELL_INTERNAL_H

#include <tree_sitter/api.h>

#include "shell/shell.h"

/* Node kinds the walker handles; every other named node type is unknown. */
typedef enum ag_node_kind {
    AG_NODE_UNKNOWN = 0,
    AG_NODE_ANONYMOUS,
    AG_NODE_ERROR,
    AG_NODE_COMMENT,
    AG_NODE_PROGRAM,
    AG_NODE_LIST,
    AG_NODE_PIPELINE,
    AG_NODE_COMMAND,
    AG_NODE_COMMAND_NAME,
    AG_NODE_REDIRECTED_STATEMENT,
    AG_NODE_SUBSHELL,
    AG_NODE_COMPOUND_STATEMENT,
    AG_NODE_IF_STATEMENT,
    AG_NODE_ELIF_CLAUSE,
    AG_NODE_ELSE_CLAUSE,
    AG_NODE_WHILE_STATEMENT,
    AG_NODE_FOR_STATEMENT,
    AG_NODE_C_STYLE_FOR_STATEMENT,
    AG_NODE_CASE_STATEMENT,
    AG_NODE_CASE_ITEM,
    AG_NODE_DO_GROUP,
    AG_NODE_FUNCTION_DEFINITION,
    AG_NODE_NEGATED_COMMAND,
    AG_NODE_TEST_COMMAND,
    AG_NODE_DECLARATION_COMMAND,
    AG_NODE_UNSET_COMMAND,
    AG_NODE_VARIABLE_ASSIGNMENT,
    AG_NODE_VARIABLE_ASSIGNMENTS,
    AG_NODE_FILE_REDIRECT,
    AG_NODE_HEREDOC_REDIRECT,
    AG_NODE_HERESTRING_REDIRECT,
    AG_NODE_HEREDOC_BODY,
    AG_NODE_HEREDOC_START,
    AG_NODE_HEREDOC_END,
    AG_NODE_HEREDOC_CONTENT,
    AG_NODE_WORD,
    AG_NODE_STRING,
    AG_NODE_STRING_CONTENT,
    AG_NODE_RAW_STRING,
    AG_NODE_ANSI_C_STRING,
    AG_NODE_TRANSLATED_STRING,
    AG_NODE_CONCATENATION,
    AG_NODE_SIMPLE_EXPANSION,
    AG_NODE_EXPANSION,
    AG_NODE_COMMAND_SUBSTITUTION,
    AG_NODE_PROCESS_SUBSTITUTION,
    AG_NODE_ARITHMETIC_EXPANSION,
    AG_NODE_BRACE_EXPRESSION,
    AG_NODE_NUMBER,
    AG_NODE_ARRAY,
    AG_NODE_SUBSCRIPT,
    AG_NODE_BINARY_EXPRESSION,
    AG_NODE_UNARY_EXPRESSION,
    AG_NODE_TERNARY_EXPRESSION,
    AG_NODE_POSTFIX_EXPRESSION,
    AG_NODE_PARENTHESIZED_EXPRESSION,
    AG_NODE_VARIABLE_NAME,
    AG_NODE_SPECIAL_VARIABLE_NAME,
    AG_NODE_EXTGLOB_PATTERN,
    AG_NODE_REGEX,
    AG_NODE_TEST_OPERATOR,
    AG_NODE_FILE_DESCRIPTOR
} ag_node_kind;

/* An arena-backed growable array. Growing copies, so pointers into it move. */
typedef struct ag_vec {
    void *items;
    size_t count;
    size_t capacity;
} ag_vec;

/*
 * Word buffers kept by the analyzer between words and between analyses:
 * ag_word_begin() takes two from here and ag_word_release() puts them back
 * cleared, so a warm analyzer builds words without malloc or realloc.
 */
typedef struct ag_buffer_pool {
    ag_buffer *buffers;
    size_t count;
    size_t capacity;
} ag_buffer_pool;

bool ag_buffer_pool_init(ag_buffer_pool *pool);
void ag_buffer_pool_release(ag_buffer_pool *pool);

/* Index of a node in ag_walker.nodes. */
typedef uint32_t ag_node_id;
#define AG_NO_NODE UINT32_MAX

enum {
    AG_NODE_NAMED = 1u << 0,
    AG_NODE_MISSING = 1u << 1,      /* inserted by tree-sitter's error recovery */
    AG_NODE_IS_ERROR = 1u << 2,     /* an ERROR node */
    AG_NODE_HAS_ERROR = 1u << 3     /* an ERROR or MISSING node at or below this one */
};

/*
 * One visible node of the syntax tree, read from tree-sitter once before the
 * walk (see copy_tree() in analyze.c). Each tree-sitter navigation step walks
 * the hidden nodes between visible ones, so the walk and the checks read
 * these copies instead. The children of a node are contiguous in
 * ag_walker.nodes.
 */
typedef struct ag_node {
    uint32_t start, end;            /* byte span in the input */
    uint32_t first_child;           /* index of the first child when child_count > 0 */
    uint32_t child_count;           /* named and anonymous children */
    uint32_t named_child_count;
    ag_node_id parent;              /* AG_NO_NODE for the root */
    TSSymbol symbol;                /* ts_node_symbol(): the alias when the node is aliased */
    TSFieldId field;                /* field of the node in its parent; 0 when none, and
                                       always 0 under parents of a kind for which
                                       ag_node_kind_has_child_fields() is false */
    uint8_t kind;                   /* ag_node_kind */
    uint8_t flags;                  /* AG_NODE_* bits */
} ag_node;

/* Field ids of the grammar that the walk looks for. An id is 0 when the grammar lacks the field. */
typedef struct ag_field_ids {
    TSFieldId argument, body, condition, descriptor, index;
} ag_field_ids;

/* State of one analysis. */
typedef struct ag_walker {
    const char *source;
    uint32_t source_length;
    ag_arena *arena;
    const uint8_t *kinds;        /* ag_node_kind per tree-sitter symbol */
    TSTreeCursor *cursor;        /* the analyzer's cursor; each user resets it to its node */
    const TSLanguage *language;
    const ag_field_ids *fields;
    const ag_node *nodes;        /* the syntax tree, numbered by copy_tree(); [0] is the root */
    uint32_t node_count;         /* slots of `nodes`; a slot a node has not filled is zero */
    ag_buffer_pool *word_buffers; /* the analyzer's; see ag_word_begin() */
    uint32_t kind_count;
    unsigned max_depth;          /* already capped, never 0 */
    size_t max_commands;         /* 0 means no limit */
    unsigned depth;              /* current recursion depth of the walk */
    ag_vec commands;             /* ag_shell_command, in walk order */
    uint32_t next_pipeline;
    unsigned incomplete;
    const char *problem;
    uint32_t problem_start, problem_end;
    ag_vec unwalked;             /* ag_shell_span of nodes the depth limit kept the walk out of */
    bool stopped;                /* a limit or out-of-memory ended the walk */
    ag_vec unparsed_pieces;      /* ag_shell_span: text inside backticks that
                                    tree-sitter-bash left as text */
    uint32_t unparsed_end;       /* the byte after the last of unparsed_pieces' closing
                                    backticks */
} ag_walker;

static inline const ag_node *ag_node_at(const ag_walker *walker, ag_node_id id)
{
    return &walker->nodes[id];
}

static inline ag_node_kind ag_node_kind_at(const ag_walker *walker, ag_node_id id)
{
    return (ag_node_kind)walker->nodes[id].kind;
}

static inline bool ag_node_is_named(const ag_walker *walker, ag_node_id id)
{
    return (walker->nodes[id].flags & AG_NODE_NAMED) != 0;
}

/* Returns the first child of `id` and stores the number of its contiguous children in *count. */
static inline ag_node_id ag_node_children(const ag_walker *walker, ag_node_id id, uint32_t *count)
{
    if (id == AG_NO_NODE) {
        *count = 0;
        return AG_NO_NODE;
    }
    *count = walker->nodes[id].child_count;
    return walker->nodes[id].first_child;
}

static inline bool ag_field_is(TSFieldId field, TSFieldId expected)
{
    return expected != 0 && field == expected;
}

/* Where the walk is: the bits and numbers copied into each command found. */
typedef struct ag_walk_state {
    unsigned context;
    unsigned depth;
    uint32_t pipeline;           /* 0 while not inside a pipeline */
    uint32_t pipeline_position;
    uint32_t requires;           /* see ag_shell_command.requires */
} ag_walk_state;

/* A word under construction; see word.c for the post-pass that uses `syntax`. */
typedef struct ag_word_builder {
    ag_buffer text;
    ag_buffer syntax;            /* one byte per text byte: 1 when unquoted and unescaped */
    bool has_syntax;             /* a byte with flag 1 may have been added */
    bool dynamic;
    bool splits;                 /* an unquoted expansion, "$@" or a brace may make several words */
    bool field_splits;           /* an unquoted expansion or "$@" may make several words */
    unsigned quoted;             /* how deep in double quotes the next part is */
    bool empty;                  /* no part added yet */
    bool pending_dollar;         /* a lone `$` that may start a $"..." string */
    ag_word_variable first_variable; /* the expansion that made the first byte of text */
    size_t value_start;          /* for assignments: offset of the value in text */
    bool assignment;
    uint32_t start, end;
} ag_word_builder;

/* Words of one command, merging nodes that touch into one shell word. */
typedef struct ag_word_list {
    ag_vec words;                /* ag_shell_word */
    ag_word_builder open;
    bool has_open;
    bool has_plain;              /* a plain word at plain_start..plain_end, not built yet */
    uint32_t plain_start, plain_end;
} ag_word_list;

/* analyze.c */
/* A byte span of the analysed input. */

/*
 * Analyses like ag_shell_analyze(). When the syntax tree has an ERROR node
 * and `pieces` is not NULL, also appends to it (ag_shell_span items) the
 * pieces that the ERROR nodes split the input into, for
 * ag_shell_analyze_lines() to parse alone.
 */
ag_status ag_shell_analyze_split(ag_shell_analyzer *analyzer, const char *input,
                                 size_t length, const ag_shell_limits *limits,
                                 ag_arena *arena, ag_shell_analysis *out, ag_vec *pieces);

/* Copies `limits` (the defaults when NULL) to *out with the depth capped. */
void ag_shell_resolve_limits(const ag_shell_limits *limits, ag_shell_limits *out);
ag_node_kind ag_node_kind_of(const ag_walker *walker, TSNode node);
const char *ag_node_type(const ag_walker *walker, ag_node_id id);
ag_node_id ag_node_child_by_field(const ag_walker *walker, ag_node_id id, TSFieldId field);
void ag_walker_problem(ag_walker *walker, unsigned bit, ag_node_id node, const char *format, ...)
    AG_PRINTF(4, 5);
void ag_walker_problem_at(ag_walker *walker, unsigned bit, uint32_t start, uint32_t end,
                          const char *format, ...) AG_PRINTF(5, 6);
void ag_walker_nomem(ag_walker *walker);
/* Doubles the capacity of `vec`. Returns false, after ag_walker_nomem(), when memory ran out. */
bool ag_vec_grow(ag_walker *walker, ag_vec *vec, size_t item_size);

/*
 * Appends a zeroed item of `item_size` bytes and returns it, or NULL when
 * memory ran out. It is inline because the walk pushes several items per
 * command, and with a constant size the memset() compiles to a few stores.
 */
static inline void *ag_vec_push(ag_walker *walker, ag_vec *vec, size_t item_size)
{
    if (vec->count == vec->capacity && !ag_vec_grow(walker, vec, item_size))
        return NULL;
    void *slot = (char *)vec->items + vec->count * item_size;
    memset(slot, 0, item_size);
    vec->count++;
    return slot;
}
bool ag_walker_enter(ag_walker *walker, ag_node_id node);
void ag_walker_leave(ag_walker *walker);

/* walk.c */
void ag_walk_statement(ag_walker *walker, ag_node_id node, ag_walk_state state);
void ag_walk_substitution(ag_walker *walker, ag_node_id node, ag_walk_state state,
                          unsigned context);
void ag_walk_scan(ag_walker *walker, ag_node_id node, ag_walk_state state);
ag_shell_command *ag_emit_command(ag_walker *walker, ag_node_id span, ag_walk_state state);
void ag_walk_implicit_assignment(ag_walker *walker, ag_node_id span, const char *name,
                                 size_t length, ag_walk_state state);
void ag_walk_expansion_assignment(ag_walker *walker, ag_node_id expansion, ag_walk_state state);
void ag_walk_descriptor_variable(ag_walker *walker, ag_node_id word, ag_walk_state state);

/* word.c */
void ag_word_begin(ag_walker *walker, ag_word_builder *builder, uint32_t start);
void ag_word_release(ag_walker *walker, ag_word_builder *builder);
void ag_word_add(ag_walker *walker, ag_word_builder *builder, ag_node_id node, ag_walk_state state);
void ag_word_add_literal(ag_word_builder *builder, const char *text, size_t length, bool syntax);
void ag_word_add_mark(ag_word_builder *builder);
bool ag_word_finish(ag_walker *walker, ag_word_builder *builder, ag_shell_word *out);
void ag_word_assignment(ag_walker *walker, ag_node_id node, ag_walk_state state,
                        ag_shell_word *out);
void ag_word_heredoc_body(ag_walker *walker, ag_node_id redirect, ag_node_id body, ag_node_id end,
                          bool expands, bool strip_tabs, ag_walk_state state,
                          ag_shell_word *out);
void ag_word_delimiter(ag_walker *walker, ag_node_id start, ag_shell_word *out, bool *quoted);
bool ag_nodes_touch(const ag_walker *walker, uint32_t end, uint32_t start);
void ag_check_unparsed(ag_walker *walker, const char *text, size_t length);

void ag_word_list_init(ag_word_list *list);
void ag_word_list_add(ag_walker *walker, ag_word_list *list, ag_node_id node, ag_walk_state state);
void ag_word_list_add_word(ag_walker *walker, ag_word_list *list, const ag_shell_word *word);
void ag_word_list_break(ag_walker *walker, ag_word_list *list);

/* evaluated.c */
void ag_check_arithmetic(ag_walker *walker, ag_node_id node);
void ag_check_test_expression(ag_walker *walker, ag_node_id node);
void ag_check_subscript(ag_walker *walker, ag_node_id subscript);
void ag_check_expansion(ag_walker *walker, ag_node_id node);
void ag_check_evaluated_words(ag_walker *walker);

/* misread.c */
void ag_drop_misread_words(ag_walker *walker, ag_shell_command *command);
void ag_flag_misread_compound(ag_walker *walker, const ag_shell_command *command);

/* redirect.c */
void ag_redirect_add(ag_walker *walker, ag_node_id node, ag_walk_state state, ag_vec *redirects,
                     ag_word_list *extra_words, ag_vec *trailing);

/* The children of a heredoc_redirect node that make the heredoc, or AG_NO_NODE where missing. */
typedef struct ag_heredoc_parts {
    ag_node_id start;           /* heredoc_start: the delimiter as written */
    ag_node_id body;            /* heredoc_body */
    ag_node_id end;             /* heredoc_end: the line that ends the body */
    ag_shell_word delimiter;    /* the delimiter without quotes; its text is NULL without a start */
    bool quoted;                /* a quote in the delimiter turns expansion of the body off */
} ag_heredoc_parts;

/*
 * Finds the parts of the heredoc_redirect `node`. tree-sitter-bash 0.25.1
 * gives it one of each, and of any more the first counts.
 */
void ag_heredoc_parts_find(ag_walker *walker, ag_node_id node, ag_heredoc_parts *parts);

/* analyze.c */

/*
 * Returns whether the walk reads the fields of the children of a node of
 * `kind` (through ag_field_is() and ag_node_child_by_field()). Only such
 * children get a field in their ag_node.
 */
bool ag_node_kind_has_child_fields(ag_node_kind kind);

/*
 * Stores the `count` visible children of `node` in `out`, the ones
 * ts_node_child() returns for 0 to count - 1, in one pass. Returns false
 * with `out` unspecified when it cannot: with a runtime other than the
 * unpacked one, hidden nodes nested too deep, or a count that differs.
 */
bool ag_ts_visible_children(TSNode node, TSNode *out, uint32_t count);

/* What the tree copy reads of a node, each as the named ts_node_*() function returns it. */
typedef struct ag_ts_node_facts {
    TSSymbol symbol;                /* ts_node_symbol() */
    uint32_t end;                   /* ts_node_end_byte() */
    uint32_t child_count;           /* ts_node_child_count() */
    uint32_t named_child_count;     /* ts_node_named_child_count() */
} ag_ts_node_facts;

/* Reads the facts of a node in one call, from the runtime's internal layout when it can. */
void ag_ts_node_facts_read(TSNode node, ag_ts_node_facts *facts);

/*
 * Receives the syntax tree of each analysis right after copy_tree(): the
 * tree-sitter root and the copy of its `count` node slots. The tree and the
 * copy live only for the call.
 */
typedef void (*ag_tree_observer)(void *data, TSNode root, const ag_node *nodes, uint32_t count);

/*
 * Makes `analyzer` call `observer` (NULL to stop) with `data` on each tree
 * it copies. Tests compare the copy with tree-sitter's own navigation.
 */
void ag_shell_analyzer_observe_tree(ag_shell_analyzer *analyzer, ag_tree_observer observer,
                                    void *data);

#endif
