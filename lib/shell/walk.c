/*
 * The statement walk: visits every node of the syntax tree and lists each
 * simple command that could run, with the context it runs in.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "shell/internal.h"

/* A command's parts while they are collected; copied into the command at the end. */
typedef struct ag_command_parts {
    ag_word_list words;
    ag_vec assignments;          /* ag_shell_word */
    ag_vec redirects;            /* ag_shell_redirect */
    ag_vec trailing;             /* ag_node_id: statements that follow a heredoc operator */
    const char *keyword;
} ag_command_parts;

static void walk_sequence(ag_walker *walker, ag_node_id node, ag_walk_state state);
static void walk_redirected_body(ag_walker *walker, ag_node_id body, ag_node_id span,
                                 const ag_vec *redirects, ag_walk_state state);
static void walk_redirected_list(ag_walker *walker, ag_node_id list, const ag_vec *redirects,
                                 ag_walk_state state);
static void walk_pipeline(ag_walker *walker, ag_node_id node, const ag_vec *last_redirects,
                          ag_walk_state state);
static bool runs_in_background(const ag_walker *walker, ag_node_id child, ag_node_id first,
                               uint32_t count);

static bool is_statement_kind(ag_node_kind kind)
{
    switch (kind) {
    case AG_NODE_LIST:
    case AG_NODE_PIPELINE:
    case AG_NODE_COMMAND:
    case AG_NODE_REDIRECTED_STATEMENT:
    case AG_NODE_SUBSHELL:
    case AG_NODE_COMPOUND_STATEMENT:
    case AG_NODE_IF_STATEMENT:
    case AG_NODE_ELIF_CLAUSE:
    case AG_NODE_ELSE_CLAUSE:
    case AG_NODE_WHILE_STATEMENT:
    case AG_NODE_FOR_STATEMENT:
    case AG_NODE_C_STYLE_FOR_STATEMENT:
    case AG_NODE_CASE_STATEMENT:
    case AG_NODE_CASE_ITEM:
    case AG_NODE_DO_GROUP:
    case AG_NODE_FUNCTION_DEFINITION:
    case AG_NODE_NEGATED_COMMAND:
    case AG_NODE_TEST_COMMAND:
    case AG_NODE_DECLARATION_COMMAND:
    case AG_NODE_UNSET_COMMAND:
    case AG_NODE_VARIABLE_ASSIGNMENTS:
        return true;
    default:
        return false;
    }
}

static bool is_redirect_kind(ag_node_kind kind)
{
    return kind == AG_NODE_FILE_REDIRECT || kind == AG_NODE_HEREDOC_REDIRECT
        || kind == AG_NODE_HERESTRING_REDIRECT;
}

/* The type of a node's first child, or "" when it has none. */
static const char *first_child_type(const ag_walker *walker, ag_node_id node)
{
    const ag_node *at = ag_node_at(walker, node);
    return at->child_count == 0 ? "" : ag_node_type(walker, at->first_child);
}

static bool is_arithmetic_command(const ag_walker *walker, ag_node_id node)
{
    return strcmp(first_child_type(walker, node), "((") == 0;
}

ag_shell_command *ag_emit_command(ag_walker *walker, ag_node_id span, ag_walk_state state)
{
    if (walker->stopped)
        return NULL;
    if (walker->max_commands != 0 && walker->commands.count >= walker->max_commands) {
        ag_walker_problem(walker, AG_SHELL_LIMIT, span,
                          "The command line holds more than %zu commands (limit reached at "
                          "byte %u); raise max_commands or split the command.",
                          walker->max_commands, ag_node_at(walker, span)->start);
        walker->stopped = true;
        return NULL;
    }

    ag_shell_command *command = ag_vec_push(walker, &walker->commands, sizeof(*command));
    if (command == NULL)
        return NULL;
    command->start = ag_node_at(walker, span)->start;
    command->end = ag_node_at(walker, span)->end;
    command->context = state.context;
    command->depth = state.depth;
    command->requires = state.requires;
    if (state.pipeline == 0) {
        command->pipeline = walker->next_pipeline++;
        command->pipeline_position = 0;
    } else {
        command->pipeline = state.pipeline;
        command->pipeline_position = state.pipeline_position;
    }
    return command;
}

static void parts_init(ag_command_parts *parts)
{
    ag_word_list_init(&parts->words);
    parts->assignments = (ag_vec){0};
    parts->redirects = (ag_vec){0};
    parts->trailing = (ag_vec){0};
    parts->keyword = NULL;
}

static void add_redirects(ag_walker *walker, ag_command_parts *parts, const ag_vec *nodes,
                          ag_walk_state state)
{
    for (size_t i = 0; nodes != NULL && i < nodes->count; i++) {
        ag_word_list_break(walker, &parts->words);
        ag_redirect_add(walker, ((ag_node_id *)nodes->items)[i], state, &parts->redirects,
                        &parts->words, &parts->trailing);
    }
}

/*
 * Walks what follows a heredoc operator on its line. A `| cmd` there
 * continues the pipeline of the command that reads the heredoc.
 */
static void walk_trailing(ag_walker *walker, const ag_vec *trailing, ag_walk_state state,
                          uint32_t pipeline, uint32_t position)
{
    for (size_t i = 0; i < trailing->count; i++) {
        ag_node_id node = ((ag_node_id *)trailing->items)[i];
        if (ag_node_kind_at(walker, node) != AG_NODE_PIPELINE) {
            ag_walk_state fresh = state;
            fresh.pipeline = 0;
            ag_walk_statement(walker, node, fresh);
            continue;
        }

        /* NOTE: `cat <<EOF | a && b` parses as cat | (a && b), so b joins the pipeline too. */
        uint32_t count;
        ag_node_id first = ag_node_children(walker, node, &count);
        for (ag_node_id stage_node = first; stage_node < first + count; stage_node++) {
            if (!ag_node_is_named(walker, stage_node))
                continue;
            ag_walk_state stage = state;
            stage.pipeline = pipeline;
            stage.pipeline_position = ++position;
            ag_walk_statement(walker, stage_node, stage);
        }
    }
}

/* Emits the command and returns its index in walker->commands, or SIZE_MAX. */
static size_t emit_parts(ag_walker *walker, ag_command_parts *parts, ag_node_id span,
                         ag_walk_state state)
{
    ag_word_list_break(walker, &parts->words);
    ag_shell_command *command = ag_emit_command(walker, span, state);
    if (command == NULL)
        return SIZE_MAX;
    size_t index = walker->commands.count - 1;

    command->words = parts->words.words.items;
    command->word_count = parts->words.words.count;
    command->assignments = parts->assignments.items;
    command->assignment_count = parts->assignments.count;
    command->redirects = parts->redirects.items;
    command->redirect_count = parts->redirects.count;
    command->keyword = parts->keyword;
    ag_drop_misread_words(walker, command);
    ag_flag_misread_compound(walker, command);

    uint32_t pipeline = command->pipeline;
    uint32_t position = command->pipeline_position;
    if (parts->trailing.count > 0)
        walk_trailing(walker, &parts->trailing, state, pipeline, position);
    return index;
}

static void add_assignment(ag_walker *walker, ag_command_parts *parts, ag_node_id node,
                           ag_walk_state state)
{
    ag_shell_word word;
    ag_word_assignment(walker, node, state, &word);
    ag_shell_word *slot = ag_vec_push(walker, &parts->assignments, sizeof(*slot));
    if (slot != NULL)
        *slot = word;
}

/*
 * Emits a command with no words that assigns `name` an unknown value, for the
 * forms that assign without NAME=VALUE syntax: a for or select variable,
 * `${NAME:=VALUE}` and a `{NAME}>FILE` redirection. The environment check then
 * reads them as it reads `NAME=VALUE` alone, which changes later commands.
 * NOTE: the directory tracking still reads `~` and `cd` alone as the checker's
 * home after an assignment to HOME, so only the ask for HOME covers them.
 */
void ag_walk_implicit_assignment(ag_walker *walker, ag_node_id span, const char *name,
                                 size_t length, ag_walk_state state)
{
    ag_command_parts parts;
    parts_init(&parts);

    ag_word_builder builder;
    ag_word_begin(walker, &builder, ag_node_at(walker, span)->start);
    builder.assignment = true;
    ag_word_add_literal(&builder, name, length, false);
    ag_word_add_literal(&builder, "=", 1, false);
    builder.value_start = builder.text.length;
    ag_word_add_mark(&builder);
    builder.end = ag_node_at(walker, span)->end;

    ag_shell_word word;
    if (!ag_word_finish(walker, &builder, &word))
        return;
    ag_shell_word *slot = ag_vec_push(walker, &parts.assignments, sizeof(*slot));
    if (slot != NULL)
        *slot = word;
    emit_parts(walker, &parts, span, state);
}

/*
 * Emits the assignment of `${NAME:=VALUE}` and `${NAME=VALUE}` (also with
 * `NAME[KEY]`), which assign VALUE to NAME when it is unset or empty. The
 * other operators assign nothing.
 */
void ag_walk_expansion_assignment(ag_walker *walker, ag_node_id expansion, ag_walk_state state)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, expansion, &count);
    for (ag_node_id child = first; child + 1 < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind != AG_NODE_VARIABLE_NAME && kind != AG_NODE_SUBSCRIPT)
            continue;

        const char *operator = ag_node_type(walker, child + 1);
        if (strcmp(operator, ":=") != 0 && strcmp(operator, "=") != 0)
            return;
        ag_node_id name = child;
        if (kind == AG_NODE_SUBSCRIPT) {
            uint32_t part_count;
            name = ag_node_children(walker, child, &part_count);
            if (part_count == 0 || ag_node_kind_at(walker, name) != AG_NODE_VARIABLE_NAME)
                return;
        }
        const ag_node *node = ag_node_at(walker, name);
        ag_walk_implicit_assignment(walker, expansion, walker->source + node->start,
                                    node->end - node->start, state);
        return;
    }
}

/*
 * Checks a word that touches a redirection operator, as in `{fd}>file`:
 * Bash opens the file on a new descriptor and assigns its number to the
 * variable named in the braces, so the word is emitted as an assignment to
 * that variable. tree-sitter-bash 0.25.1 reads `{a[y]}` as
 * a word, but Bash evaluates the subscript y as arithmetic, so a subscript
 * other than digits makes the analysis incomplete, as in an assignment.
 */
void ag_walk_descriptor_variable(ag_walker *walker, ag_node_id word, ag_walk_state state)
{
    const ag_node *node = ag_node_at(walker, word);
    const char *text = walker->source + node->start;
    size_t length = node->end - node->start;
    if (node->end >= walker->source_length || length < 3 || text[0] != '{'
        || text[length - 1] != '}')
        return;
    char next = walker->source[node->end];
    if (next != '<' && next != '>')
        return;

    size_t name = strspn(text + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789_");
    if (name > 0 && !isdigit((unsigned char)text[1])
        && (text[1 + name] == '}' || text[1 + name] == '['))
        ag_walk_implicit_assignment(walker, word, text + 1, name, state);
    if (text[length - 2] != ']')
        return;

    const char *open = memchr(text, '[', length);
    if (open == NULL)
        return;
    size_t subscript = (size_t)(text + length - 2 - (open + 1));
    if (strspn(open + 1, "0123456789") < subscript)
        ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, word,
                          "The descriptor variable at byte %u has an array subscript; Bash "
                          "evaluates it as arithmetic, which can run commands the analysis "
                          "cannot see.", node->start);
}

/*
 * Returns whether the source from `start` to `end`, the space between two
 * children of a command, ends a line: a newline that no backslash escapes,
 * or a comment, which runs to the end of its line.
 */
static bool ends_line(const ag_walker *walker, uint32_t start, uint32_t end)
{
    for (uint32_t i = start; i < end && i < walker->source_length; i++) {
        char c = walker->source[i];
        if (c == '\\' && i + 1 < end && walker->source[i + 1] == '\n') {
            i++;
            continue;
        }
        if (c == '\n' || c == '#')
            return true;
    }
    return false;
}

/* Sets the byte span of the command at `index`, a part of a split node. */
static void set_command_span(ag_walker *walker, size_t index, uint32_t start, uint32_t end)
{
    if (index >= walker->commands.count)
        return;
    ag_shell_command *command = (ag_shell_command *)walker->commands.items + index;
    command->start = start;
    command->end = end;
}

/*
 * A simple command, or (with `node` AG_NO_NODE) the redirects of a statement
 * as a command with no words.
 *
 * tree-sitter-bash 0.25.1 reads two or more assignments and the command on
 * a later line as one command (`A=1 B=2`, newline, `ls`), where Bash runs
 * the assignments on their own first. So a line end before the command name
 * splits the node, and what comes before it is emitted as its own command.
 */
static void walk_command(ag_walker *walker, ag_node_id node, ag_node_id span,
                         const ag_vec *redirects, ag_walk_state state)
{
    ag_command_parts parts;
    parts_init(&parts);

    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    bool before_name = true;
    uint32_t previous_end = 0;
    uint32_t command_start = ag_node_at(walker, span)->start;
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        uint32_t child_start = ag_node_at(walker, child)->start;

        if (before_name && kind != AG_NODE_COMMENT && parts.assignments.count > 0
            && ends_line(walker, previous_end, child_start)) {
            size_t index = emit_parts(walker, &parts, span, state);
            set_command_span(walker, index, command_start, previous_end);
            parts_init(&parts);
            command_start = child_start;
        }
        if (kind != AG_NODE_COMMENT)
            previous_end = ag_node_at(walker, child)->end;
        if (kind != AG_NODE_VARIABLE_ASSIGNMENT && kind != AG_NODE_COMMENT
            && !is_redirect_kind(kind))
            before_name = false;

        if (kind == AG_NODE_VARIABLE_ASSIGNMENT) {
            add_assignment(walker, &parts, child, state);
        } else if (kind == AG_NODE_COMMAND_NAME) {
            uint32_t name_count;
            ag_node_id name_first = ag_node_children(walker, child, &name_count);
            for (ag_node_id part = name_first; part < name_first + name_count; part++)
                ag_word_list_add(walker, &parts.words, part, state);
        } else if (is_redirect_kind(kind)) {
            ag_word_list_break(walker, &parts.words);
            ag_redirect_add(walker, child, state, &parts.redirects, &parts.words, &parts.trailing);
        } else if (kind == AG_NODE_SUBSHELL) {
            ag_node_id *slot = ag_vec_push(walker, &parts.trailing, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        } else if (kind != AG_NODE_COMMENT) {
            if (kind == AG_NODE_UNKNOWN)
                ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, child,
                                  "Unknown node `%s` in a command at byte %u.",
                                  ag_node_type(walker, child), ag_node_at(walker, child)->start);
            ag_walk_descriptor_variable(walker, child, state);
            ag_word_list_add(walker, &parts.words, child, state);
        }
    }

    add_redirects(walker, &parts, redirects, state);
    size_t index = emit_parts(walker, &parts, span, state);
    if (command_start != ag_node_at(walker, span)->start)
        set_command_span(walker, index, command_start, ag_node_at(walker, span)->end);
}

/*
 * Lists the tokens of a `[[ ]]`, `[ ]` or `(( ))` expression as words.
 * `arithmetic` is false for `[ ]`. The integer operators of Bash's `[`
 * take plain numbers and reject any other text, so they evaluate no array
 * subscript in a value (checked with Bash 5.2). `[[ ]]` evaluates the
 * operands as arithmetic.
 */
static void flatten_test(ag_walker *walker, ag_command_parts *parts, ag_node_id node,
                         bool arithmetic, ag_walk_state state)
{
    if (!ag_walker_enter(walker, node))
        return;

    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        const char *type = ag_node_type(walker, child);

        if (kind == AG_NODE_ANONYMOUS && (strcmp(type, "[[") == 0 || strcmp(type, "]]") == 0
                                          || strcmp(type, "[") == 0 || strcmp(type, "]") == 0
                                          || strcmp(type, "((") == 0 || strcmp(type, "))") == 0)) {
            /* The brackets are words of their own even where they touch the expression. */
            ag_word_list_break(walker, &parts->words);
            ag_word_list_add(walker, &parts->words, child, state);
            ag_word_list_break(walker, &parts->words);
        } else if (kind == AG_NODE_BINARY_EXPRESSION || kind == AG_NODE_UNARY_EXPRESSION
                   || kind == AG_NODE_TERNARY_EXPRESSION || kind == AG_NODE_POSTFIX_EXPRESSION
                   || kind == AG_NODE_PARENTHESIZED_EXPRESSION
                   || kind == AG_NODE_VARIABLE_ASSIGNMENT) {
            if (kind == AG_NODE_BINARY_EXPRESSION && arithmetic)
                ag_check_test_expression(walker, child);
            flatten_test(walker, parts, child, arithmetic, state);
        } else if (is_redirect_kind(kind)) {
            ag_word_list_break(walker, &parts->words);
            ag_redirect_add(walker, child, state, &parts->redirects, &parts->words,
                            &parts->trailing);
        } else if (is_statement_kind(kind)) {
            ag_node_id *slot = ag_vec_push(walker, &parts->trailing, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        } else if (kind != AG_NODE_COMMENT) {
            if (kind == AG_NODE_UNKNOWN)
                ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, child,
                                  "Unknown node `%s` in a test at byte %u.", type,
                                  ag_node_at(walker, child)->start);
            ag_word_list_add(walker, &parts->words, child, state);
        }
    }
    ag_walker_leave(walker);
}

/* Test commands, arithmetic commands, declarations and unset: listed with their words. */
static void walk_builtin(ag_walker *walker, ag_node_id node, ag_node_id span,
                         const ag_vec *redirects, ag_walk_state state)
{
    ag_command_parts parts;
    parts_init(&parts);
    ag_node_kind kind = ag_node_kind_at(walker, node);
    const char *first = first_child_type(walker, node);

    if (kind == AG_NODE_TEST_COMMAND || kind == AG_NODE_COMPOUND_STATEMENT) {
        /* `[ ]` is an ordinary command named `[`, so it gets no keyword. */
        if (strcmp(first, "[[") == 0 || strcmp(first, "((") == 0)
            parts.keyword = first;
        if (strcmp(first, "((") == 0)
            ag_check_arithmetic(walker, node);
        flatten_test(walker, &parts, node, strcmp(first, "[") != 0, state);
    } else {
        parts.keyword = first;
        uint32_t count;
        ag_node_id first_child = ag_node_children(walker, node, &count);
        for (ag_node_id child = first_child; child < first_child + count; child++) {
            ag_node_kind child_kind = ag_node_kind_at(walker, child);
            if (child_kind == AG_NODE_VARIABLE_ASSIGNMENT) {
                ag_shell_word word;
                ag_word_assignment(walker, child, state, &word);
                ag_word_list_add_word(walker, &parts.words, &word);
            } else if (is_redirect_kind(child_kind)) {
                ag_word_list_break(walker, &parts.words);
                ag_redirect_add(walker, child, state, &parts.redirects, &parts.words,
                                &parts.trailing);
            } else if (child_kind != AG_NODE_COMMENT) {
                if (child_kind == AG_NODE_UNKNOWN)
                    ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, child,
                                      "Unknown node `%s` in `%s` at byte %u.",
                                      ag_node_type(walker, child), first,
                                      ag_node_at(walker, child)->start);
                ag_word_list_add(walker, &parts.words, child, state);
            }
        }
    }

    add_redirects(walker, &parts, redirects, state);
    emit_parts(walker, &parts, span, state);
}

static void walk_assignments(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    ag_command_parts parts;
    parts_init(&parts);

    if (ag_node_kind_at(walker, node) == AG_NODE_VARIABLE_ASSIGNMENT) {
        add_assignment(walker, &parts, node, state);
    } else {
        uint32_t count;
        ag_node_id first = ag_node_children(walker, node, &count);
        for (ag_node_id child = first; child < first + count; child++) {
            if (!ag_node_is_named(walker, child))
                continue;
            if (ag_node_kind_at(walker, child) == AG_NODE_VARIABLE_ASSIGNMENT)
                add_assignment(walker, &parts, child, state);
            else
                ag_walk_scan(walker, child, state);
        }
    }
    emit_parts(walker, &parts, node, state);
}

/*
 * A statement with redirects. A simple command takes them as its own. Any
 * other statement becomes a command with no words that carries them, so the
 * file effect is visible, and then its body is walked as usual.
 */
static void walk_redirected(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    ag_node_id body = AG_NO_NODE;
    ag_vec redirects = {0};
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (ag_field_is(ag_node_at(walker, child)->field, walker->fields->body)) {
            body = child;
        } else if (is_redirect_kind(kind)) {
            ag_node_id *slot = ag_vec_push(walker, &redirects, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        } else if (kind != AG_NODE_ANONYMOUS && kind != AG_NODE_COMMENT) {
            ag_walk_scan(walker, child, state);
        }
    }

    walk_redirected_body(walker, body, node, &redirects, state);
}

/* Returns the last named child that is not a comment, or AG_NO_NODE when none is. */
static ag_node_id last_statement(const ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first + count; child > first; child--) {
        if (ag_node_is_named(walker, child - 1)
            && ag_node_kind_at(walker, child - 1) != AG_NODE_COMMENT)
            return child - 1;
    }
    return AG_NO_NODE;
}

/* Walks the body of a redirected statement, giving `redirects` to the command that takes them. */
static void walk_redirected_body(ag_walker *walker, ag_node_id body, ag_node_id span,
                                 const ag_vec *redirects, ag_walk_state state)
{
    ag_node_kind body_kind = body == AG_NO_NODE ? AG_NODE_UNKNOWN : ag_node_kind_at(walker, body);
    if (body == AG_NO_NODE || body_kind == AG_NODE_COMMAND) {
        walk_command(walker, body, span, redirects, state);
    } else if (body_kind == AG_NODE_TEST_COMMAND || body_kind == AG_NODE_DECLARATION_COMMAND
               || body_kind == AG_NODE_UNSET_COMMAND
               || (body_kind == AG_NODE_COMPOUND_STATEMENT
                   && is_arithmetic_command(walker, body))) {
        walk_builtin(walker, body, span, redirects, state);
    } else if (body_kind == AG_NODE_PIPELINE) {
        walk_pipeline(walker, body, redirects, state);
    } else if (body_kind == AG_NODE_LIST) {
        walk_redirected_list(walker, body, redirects, state);
    } else {
        walk_command(walker, AG_NO_NODE, span, redirects, state);
        ag_walk_statement(walker, body, state);
    }
}

/*
 * Returns the pipeline whose success the statement `node` proves when it
 * succeeds, or `fallback`: a command proves itself, with or without a
 * redirect. The directory tracker needs it: in `cd d && cat f` the cat runs
 * only where the cd moved, while after `cd d; cat f` or `cd d || cat f` the
 * cat may run where the shell was. A pipeline, a negated command or a
 * compound statement proves nothing about a cd in it.
 */
static uint32_t proven_pipeline(const ag_walker *walker, ag_node_id node, size_t first_command,
                                ag_walk_state state, uint32_t fallback)
{
    ag_node_kind kind = ag_node_kind_at(walker, node);
    if (kind != AG_NODE_COMMAND && kind != AG_NODE_REDIRECTED_STATEMENT)
        return fallback;
    const ag_shell_command *commands = walker->commands.items;
    for (size_t i = first_command; i < walker->commands.count; i++) {
        if (commands[i].start == ag_node_at(walker, node)->start && commands[i].depth == state.depth
            && commands[i].pipeline_position == 0 && commands[i].requires == state.requires)
            return commands[i].pipeline;
    }
    return fallback;
}

/*
 * Walks an `&&` or `||` list and returns the pipeline its success proves
 * (proven_pipeline()). Each statement after `&&` requires the one before.
 * tree-sitter-bash attaches the redirects of `a && b > f x` to the whole
 * list, with `x` as a second destination word, but Bash applies the redirect
 * and the word `x` to the last command, `b`. So they go there: otherwise
 * `a && git push > f --force` would hide `--force` from the rules.
 */
static uint32_t walk_list(ag_walker *walker, ag_node_id list, const ag_vec *redirects,
                          ag_walk_state state)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, list, &count);
    ag_node_id last = redirects != NULL ? last_statement(walker, list) : AG_NO_NODE;
    uint32_t proven = state.requires;
    bool after_and = false;

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_ANONYMOUS)
            after_and = strcmp(ag_node_type(walker, child), "&&") == 0;
        if (!ag_node_is_named(walker, child) || kind == AG_NODE_COMMENT || is_redirect_kind(kind))
            continue;

        ag_walk_state child_state = state;
        child_state.requires = after_and ? proven : state.requires;
        if (runs_in_background(walker, child, first, count))
            child_state.context |= AG_CONTEXT_BACKGROUND;
        size_t before = walker->commands.count;
        if (child == last) {
            walk_redirected_body(walker, child, child, redirects, child_state);
            proven = proven_pipeline(walker, child, before, child_state, child_state.requires);
        } else if (kind == AG_NODE_LIST && ag_walker_enter(walker, child)) {
            proven = walk_list(walker, child, NULL, child_state);
            ag_walker_leave(walker);
        } else {
            if (is_statement_kind(kind) || kind == AG_NODE_VARIABLE_ASSIGNMENT
                || kind == AG_NODE_ERROR)
                ag_walk_statement(walker, child, child_state);
            else
                ag_walk_scan(walker, child, child_state);
            proven = proven_pipeline(walker, child, before, child_state, child_state.requires);
        }
    }
    /* After `a || b` succeeds, either may have failed. */
    return after_and ? proven : state.requires;
}

static void walk_redirected_list(ag_walker *walker, ag_node_id list, const ag_vec *redirects,
                                 ag_walk_state state)
{
    if (!ag_walker_enter(walker, list))
        return;
    walk_list(walker, list, redirects, state);
    ag_walker_leave(walker);
}

/*
 * tree-sitter-bash attaches the redirects of `a | b > f` to the whole
 * pipeline, but Bash applies them to the last stage only, so they go there.
 */
static void walk_pipeline(ag_walker *walker, ag_node_id node, const ag_vec *last_redirects,
                          ag_walk_state state)
{
    uint32_t pipeline = walker->next_pipeline++;
    uint32_t position = 0;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    ag_node_id last = last_statement(walker, node);

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (!ag_node_is_named(walker, child) || kind == AG_NODE_COMMENT)
            continue;
        ag_walk_state stage = state;
        stage.pipeline = pipeline;
        stage.pipeline_position = position++;
        if (child != last || last_redirects == NULL) {
            ag_walk_statement(walker, child, stage);
        } else if (kind == AG_NODE_COMMAND) {
            walk_command(walker, child, child, last_redirects, stage);
        } else {
            walk_command(walker, AG_NO_NODE, child, last_redirects, stage);
            ag_walk_statement(walker, child, stage);
        }
    }
}

/*
 * Returns whether the sibling after `child` (among the `count` children
 * from `first`) is `&`, which runs `child` as a background job: in a list,
 * an if or elif body or condition, a loop body and a case item alike.
 */
static bool runs_in_background(const ag_walker *walker, ag_node_id child, ag_node_id first,
                               uint32_t count)
{
    ag_node_id next = child + 1;
    return next < first + count && !ag_node_is_named(walker, next)
           && strcmp(ag_node_type(walker, next), "&") == 0;
}

/*
 * Returns whether a child of kind `kind` of `parent` is an assignment
 * statement without a command, as in `if true; then PATH=/x; fi` and `case
 * a in a) PS4='$(rm x)';; esac`. It sets a shell variable, so it is checked
 * as a command. The initializer of `for ((i=0; ...))` is arithmetic, which
 * ag_check_arithmetic() checks.
 */
static bool is_assignment_statement(const ag_walker *walker, ag_node_id parent, ag_node_kind kind)
{
    return kind == AG_NODE_VARIABLE_ASSIGNMENT
           && ag_node_kind_at(walker, parent) != AG_NODE_C_STYLE_FOR_STATEMENT;
}

/* Walks the children of `node`, giving `bits` to those before the first `until` token. */
static void walk_children(ag_walker *walker, ag_node_id node, ag_walk_state state,
                          TSFieldId field, unsigned field_bits, const char *until,
                          unsigned until_bits)
{
    bool before = until != NULL;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_ANONYMOUS) {
            if (until != NULL && strcmp(ag_node_type(walker, child), until) == 0)
                before = false;
            continue;
        }
        if (kind == AG_NODE_COMMENT)
            continue;

        ag_walk_state child_state = state;
        if (ag_field_is(ag_node_at(walker, child)->field, field))
            child_state.context |= field_bits;
        if (before)
            child_state.context |= until_bits;
        if (runs_in_background(walker, child, first, count))
            child_state.context |= AG_CONTEXT_BACKGROUND;
        if (is_statement_kind(kind) || kind == AG_NODE_ERROR
            || is_assignment_statement(walker, node, kind))
            ag_walk_statement(walker, child, child_state);
        else
            ag_walk_scan(walker, child, child_state);
    }
}

static void emit_loop_variable(ag_walker *walker, ag_node_id *variable, ag_walk_state state)
{
    if (*variable == AG_NO_NODE)
        return;
    const ag_node *name = ag_node_at(walker, *variable);
    ag_walk_implicit_assignment(walker, *variable, walker->source + name->start,
                                name->end - name->start, state);
    *variable = AG_NO_NODE;
}

/*
 * Walks a for or select loop, a case statement or a case item. Bash
 * expands the loop's list, the case word and the patterns as it expands
 * command words. So they go through the word builder, which checks their
 * expansions and arithmetic and walks their substitutions, and the words it
 * builds are dropped. Statements are walked as by walk_children().
 */
static void walk_expanded_children(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    ag_word_list words;
    ag_word_list_init(&words);
    /* `for NAME` and `select NAME` assign NAME in the current shell, after the list. */
    ag_node_id variable = AG_NO_NODE;

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_ANONYMOUS || kind == AG_NODE_COMMENT)
            continue;
        if (is_statement_kind(kind) || kind == AG_NODE_ERROR
            || is_assignment_statement(walker, node, kind)) {
            ag_walk_state child_state = state;
            if (runs_in_background(walker, child, first, count))
                child_state.context |= AG_CONTEXT_BACKGROUND;
            ag_word_list_break(walker, &words);
            emit_loop_variable(walker, &variable, state);
            ag_walk_statement(walker, child, child_state);
        } else {
            if (kind == AG_NODE_VARIABLE_NAME && variable == AG_NO_NODE
                && ag_node_kind_at(walker, node) == AG_NODE_FOR_STATEMENT)
                variable = child;
            ag_word_list_add(walker, &words, child, state);
        }
    }
    /* Finishing the last word returns its buffer to the analyzer's pool. */
    ag_word_list_break(walker, &words);
    emit_loop_variable(walker, &variable, state);
}

/*
 * Bash builtins whose meaning the analysis relies on, or that a script may
 * rely on to stop: a function of that name replaces the builtin for every
 * later call, so `cd() { :; }; cd /tmp && cat .env` reads ./.env where the
 * directory tracking would see /tmp/.env.
 */
static const char shadowed_builtins[] =
    " cd chdir pushd popd dirs command builtin jobs exec eval source . set shopt enable alias "
    "unalias export declare typeset local readonly unset read mapfile readarray printf echo hash "
    "type trap exit return test [ true false : kill wait umask ulimit let shift getopts fc "
    "history bind complete compgen ";

/* A function named after a builtin (shadowed_builtins) makes the analysis incomplete. */
static void check_function_name(ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        if (ag_node_kind_at(walker, child) != AG_NODE_WORD)
            continue;
        const ag_node *name = ag_node_at(walker, child);
        const char *text = walker->source + name->start;
        int length = (int)(name->end - name->start);

        /* Quotes and backslashes do not hide the name: `\cd() { :; }` defines cd. */
        char key[16] = " ";
        size_t used = 1;
        for (int i = 0; i < length && used + 2 < sizeof(key); i++) {
            if (strchr("'\"\\", text[i]) == NULL)
                key[used++] = text[i];
        }
        key[used++] = ' ';
        key[used] = '\0';
        if (used < sizeof(key) - 1 && strstr(shadowed_builtins, key) != NULL)
            ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, child,
                              "The function at byte %u is named `%.*s`, as a Bash builtin: it "
                              "changes what every later call of that name does, which the "
                              "analysis does not follow.",
                              name->start, length, text);
        return;
    }
}

static void walk_function(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    ag_vec redirects = {0};
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    state.context |= AG_CONTEXT_FUNCTION;
    check_function_name(walker, node);

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (ag_field_is(ag_node_at(walker, child)->field, walker->fields->body)) {
            ag_walk_statement(walker, child, state);
        } else if (is_redirect_kind(kind)) {
            ag_node_id *slot = ag_vec_push(walker, &redirects, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        } else if (kind == AG_NODE_UNKNOWN || kind == AG_NODE_ERROR) {
            ag_walk_scan(walker, child, state);
        }
    }

    /* Redirects written after the body apply each time the function runs. */
    if (redirects.count > 0)
        walk_command(walker, AG_NO_NODE, node, &redirects, state);
}

void ag_walk_substitution(ag_walker *walker, ag_node_id node, ag_walk_state state, unsigned context)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    const char *source = walker->source;

    /*
     * Inside backticks Bash removes one level of \\, \` and \$ and parses the
     * result again, so `a \`b\`` runs b. tree-sitter-bash does not.
     * TODO(backticks): parse the unescaped text again instead of giving up.
     */
    while (start < end && source[start] == ' ')
        start++;
    if (start < end && source[start] == '`') {
        for (uint32_t i = start + 1; i + 1 < end; i++) {
            if (source[i] == '\\' && strchr("\\`$", source[i + 1]) != NULL) {
                ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                                  "Backslash escape inside backticks at byte %u: the analysis "
                                  "does not parse the nested command; use $(...) instead.", i);
                break;
            }
        }
    }

    /*
     * Inside `${x:-...}` tree-sitter-bash 0.25.1 reads `$((y))` as a command
     * substitution of a subshell running `y`, where Bash evaluates the
     * arithmetic y, and with it any subscript in y's value.
     */
    if (end - start >= 3 && memcmp(source + start, "$((", 3) == 0)
        ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                          "`$((` at byte %u reads as a command substitution to tree-sitter-bash "
                          "but as arithmetic to Bash, which evaluates array subscripts in "
                          "variables' values; write `$( (` for a subshell.", start);

    state.context |= context;
    state.depth++;
    state.pipeline = 0;
    state.pipeline_position = 0;

    /* `$(< file)` reads the file: show it as a command with no words. */
    ag_vec redirects = {0};
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        if (ag_node_is_named(walker, child) && is_redirect_kind(ag_node_kind_at(walker, child))) {
            ag_node_id *slot = ag_vec_push(walker, &redirects, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        }
    }
    if (redirects.count > 0)
        walk_command(walker, AG_NO_NODE, node, &redirects, state);

    walk_sequence(walker, node, state);
}

/* Walks the statements of a list-like node; a statement followed by `&` runs in the background. */
static void walk_sequence(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_ANONYMOUS || kind == AG_NODE_COMMENT || is_redirect_kind(kind))
            continue;

        ag_walk_state child_state = state;
        if (runs_in_background(walker, child, first, count))
            child_state.context |= AG_CONTEXT_BACKGROUND;
        if (is_statement_kind(kind) || kind == AG_NODE_VARIABLE_ASSIGNMENT
            || kind == AG_NODE_ERROR)
            ag_walk_statement(walker, child, child_state);
        else
            ag_walk_scan(walker, child, child_state);
    }
}

static void walk_by_kind(ag_walker *walker, ag_node_id node, ag_node_kind kind, ag_walk_state state)
{
    switch (kind) {
    case AG_NODE_LIST:
        walk_list(walker, node, NULL, state);
        break;
    case AG_NODE_PROGRAM:
    case AG_NODE_DO_GROUP:
    case AG_NODE_ELSE_CLAUSE:
    case AG_NODE_ERROR:
        walk_sequence(walker, node, state);
        break;
    case AG_NODE_COMPOUND_STATEMENT:
        if (is_arithmetic_command(walker, node))
            walk_builtin(walker, node, node, NULL, state);
        else
            walk_sequence(walker, node, state);
        break;
    case AG_NODE_PIPELINE:
        walk_pipeline(walker, node, NULL, state);
        break;
    case AG_NODE_COMMAND:
        walk_command(walker, node, node, NULL, state);
        break;
    case AG_NODE_REDIRECTED_STATEMENT:
        walk_redirected(walker, node, state);
        break;
    case AG_NODE_SUBSHELL:
        state.context |= AG_CONTEXT_SUBSHELL;
        state.depth++;
        walk_sequence(walker, node, state);
        break;
    case AG_NODE_IF_STATEMENT:
        walk_children(walker, node, state, walker->fields->condition, AG_CONTEXT_CONDITION,
                      NULL, 0);
        break;
    case AG_NODE_ELIF_CLAUSE:
        walk_children(walker, node, state, 0, 0, "then", AG_CONTEXT_CONDITION);
        break;
    case AG_NODE_WHILE_STATEMENT:
        /* The condition of while and until runs again before each pass, as the body does. */
        walk_children(walker, node, state, walker->fields->condition,
                      AG_CONTEXT_CONDITION | AG_CONTEXT_LOOP, NULL, 0);
        break;
    case AG_NODE_C_STYLE_FOR_STATEMENT:
        ag_check_arithmetic(walker, node);
        walk_children(walker, node, state, 0, 0, NULL, 0);
        break;
    case AG_NODE_FOR_STATEMENT:
    case AG_NODE_CASE_STATEMENT:
    case AG_NODE_CASE_ITEM:
        walk_expanded_children(walker, node, state);
        break;
    case AG_NODE_NEGATED_COMMAND:
        state.context |= AG_CONTEXT_NEGATED;
        walk_children(walker, node, state, 0, 0, NULL, 0);
        break;
    case AG_NODE_FUNCTION_DEFINITION:
        walk_function(walker, node, state);
        break;
    case AG_NODE_TEST_COMMAND:
    case AG_NODE_DECLARATION_COMMAND:
    case AG_NODE_UNSET_COMMAND:
        walk_builtin(walker, node, node, NULL, state);
        break;
    case AG_NODE_VARIABLE_ASSIGNMENT:
    case AG_NODE_VARIABLE_ASSIGNMENTS:
        walk_assignments(walker, node, state);
        break;
    case AG_NODE_COMMENT:
        break;
    default:
        ag_walk_scan(walker, node, state);
        break;
    }
}

void ag_walk_statement(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    if (!ag_walker_enter(walker, node))
        return;

    ag_node_kind kind = ag_node_kind_at(walker, node);
    /* The body of a loop gets the loop bit; the do_group node marks it. */
    if (kind == AG_NODE_DO_GROUP)
        state.context |= AG_CONTEXT_LOOP;
    walk_by_kind(walker, node, kind, state);
    ag_walker_leave(walker);
}

static bool is_text_kind(ag_node_kind kind)
{
    return kind == AG_NODE_WORD || kind == AG_NODE_REGEX || kind == AG_NODE_EXTGLOB_PATTERN
        || kind == AG_NODE_STRING_CONTENT || kind == AG_NODE_NUMBER;
}

/*
 * Checks the text of a leaf that the walk reaches without building a word
 * from it, such as the operand of `${x:-word}`. tree-sitter-bash 0.25.1 does
 * not parse backticks or `<(` there, but Bash runs them.
 */
static void check_leaf_text(ag_walker *walker, ag_node_id node, ag_node_kind kind)
{
    if (!is_text_kind(kind) || ag_node_at(walker, node)->child_count > 0)
        return;
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    if (end > walker->source_length || start > end)
        return;
    ag_check_unparsed(walker, walker->source + start, end - start);
}

/* Finds and walks the commands inside a node that is not a statement. */
void ag_walk_scan(ag_walker *walker, ag_node_id node, ag_walk_state state)
{
    if (!ag_walker_enter(walker, node))
        return;

    ag_node_kind kind = ag_node_kind_at(walker, node);
    check_leaf_text(walker, node, kind);
    if (kind == AG_NODE_COMMAND_SUBSTITUTION) {
        ag_walk_substitution(walker, node, state, AG_CONTEXT_SUBSTITUTION);
    } else if (kind == AG_NODE_PROCESS_SUBSTITUTION) {
        ag_walk_substitution(walker, node, state, AG_CONTEXT_PROCESS_SUBSTITUTION);
    } else if (is_statement_kind(kind)) {
        ag_walk_statement(walker, node, state);
    } else {
        if (kind == AG_NODE_EXPANSION)
            ag_walk_expansion_assignment(walker, node, state);
        if (kind == AG_NODE_UNKNOWN)
            ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                              "Unknown node `%s` at byte %u; the analysis does not handle it.",
                              ag_node_type(walker, node), ag_node_at(walker, node)->start);
        uint32_t count;
        ag_node_id first = ag_node_children(walker, node, &count);
        for (ag_node_id child = first; child < first + count; child++) {
            if (ag_node_is_named(walker, child))
                ag_walk_scan(walker, child, state);
        }
    }
    ag_walker_leave(walker);
}
