/*
 * Redirections: file redirects, here-strings and heredocs, with their
 * operator, descriptor and quote-removed target.
 */
#include <stdlib.h>
#include <string.h>

#include "shell/internal.h"

static const struct {
    const char *op;
    ag_redirect_kind kind;
} ag_redirect_ops[] = {
    {"<", AG_REDIRECT_READ},
    {">", AG_REDIRECT_WRITE},
    {">|", AG_REDIRECT_WRITE},
    {"&>", AG_REDIRECT_WRITE},
    {">>", AG_REDIRECT_APPEND},
    {"&>>", AG_REDIRECT_APPEND},
    {"<>", AG_REDIRECT_READ_WRITE},
    {">&", AG_REDIRECT_DUPLICATE},
    {"<&", AG_REDIRECT_DUPLICATE},
    {">&-", AG_REDIRECT_DUPLICATE},
    {"<&-", AG_REDIRECT_DUPLICATE},
    {"<<", AG_REDIRECT_HEREDOC},
    {"<<-", AG_REDIRECT_HEREDOC},
    {"<<<", AG_REDIRECT_HERESTRING},
};

/* Finds the operator token among the anonymous children; NULL when it is not known. */
static const char *find_operator(ag_walker *walker, ag_node_id node, ag_redirect_kind *kind)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        if (ag_node_is_named(walker, child))
            continue;
        const char *type = ag_node_type(walker, child);
        for (size_t j = 0; j < sizeof(ag_redirect_ops) / sizeof(ag_redirect_ops[0]); j++) {
            if (strcmp(type, ag_redirect_ops[j].op) == 0) {
                *kind = ag_redirect_ops[j].kind;
                return ag_redirect_ops[j].op;
            }
        }
    }
    return NULL;
}

/* True for an ERROR node that contains only the one-byte token `token`. */
static bool is_error_token(ag_walker *walker, ag_node_id node, char token)
{
    const ag_node *at = ag_node_at(walker, node);
    return ag_node_kind_at(walker, node) == AG_NODE_ERROR && at->end == at->start + 1
        && at->end <= walker->source_length && walker->source[at->start] == token;
}

/*
 * tree-sitter-bash 0.25.1 has no `N<>FILE` operator: it reads `1<>f` as
 * an ERROR `<` before a `>` token, and `3<>f` as a `<` token before an
 * ERROR `>`. Returns whether `node` contains either pair with nothing between.
 * The parse error already makes the request ask, and reading the pair as
 * `<>` lets a deny rule meet the file that Bash opens for reading and writing.
 */
static bool has_split_read_write(ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child + 1 < first + count; child++) {
        ag_node_id next = child + 1;
        if (ag_node_at(walker, child)->end != ag_node_at(walker, next)->start)
            continue;
        const char *type = ag_node_type(walker, child);
        const char *next_type = ag_node_type(walker, next);
        if (is_error_token(walker, child, '<') && strcmp(next_type, ">") == 0)
            return true;
        if (strcmp(type, "<") == 0 && !ag_node_is_named(walker, child)
            && is_error_token(walker, next, '>'))
            return true;
    }
    return false;
}

static int parse_descriptor(ag_walker *walker, ag_node_id node)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    long value = 0;
    if (end <= start || end - start > 6)
        return -1;
    for (uint32_t i = start; i < end; i++) {
        char c = walker->source[i];
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return (int)value;
}

static bool is_descriptor_text(const ag_shell_word *word)
{
    if (word->dynamic || word->length == 0)
        return false;
    if (word->length == 1 && word->text[0] == '-')
        return true;
    for (size_t i = 0; i < word->length; i++) {
        char c = word->text[i];
        if (c < '0' || c > '9')
            return i > 0 && i + 1 == word->length && c == '-';
    }
    return true;
}

/*
 * `>&word` and `<&word` copy a descriptor only when word is a number or `-`.
 * Otherwise Bash opens the file, so a dynamic target counts as a file too.
 */
static void settle_duplicate(ag_shell_redirect *redirect)
{
    if (redirect->kind != AG_REDIRECT_DUPLICATE)
        return;
    if (strcmp(redirect->op, ">&-") == 0 || strcmp(redirect->op, "<&-") == 0) {
        redirect->target = (ag_shell_word){.text = "-", .length = 1,
                                           .start = redirect->target.start,
                                           .end = redirect->target.end};
        return;
    }
    if (!is_descriptor_text(&redirect->target))
        redirect->kind = redirect->op[0] == '>' ? AG_REDIRECT_WRITE : AG_REDIRECT_READ;
}

void ag_heredoc_parts_find(ag_walker *walker, ag_node_id node, ag_heredoc_parts *parts)
{
    *parts = (ag_heredoc_parts){.start = AG_NO_NODE, .body = AG_NO_NODE, .end = AG_NO_NODE};
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_HEREDOC_START && parts->start == AG_NO_NODE)
            parts->start = child;
        else if (kind == AG_NODE_HEREDOC_BODY && parts->body == AG_NO_NODE)
            parts->body = child;
        else if (kind == AG_NODE_HEREDOC_END && parts->end == AG_NO_NODE)
            parts->end = child;
    }

    if (parts->start != AG_NO_NODE)
        ag_word_delimiter(walker, parts->start, &parts->delimiter, &parts->quoted);
}

static bool is_heredoc_part(ag_node_kind kind)
{
    return kind == AG_NODE_HEREDOC_START || kind == AG_NODE_HEREDOC_BODY
           || kind == AG_NODE_HEREDOC_END;
}

/*
 * Sets the delimiter and body of a heredoc redirect, and walks what follows
 * the delimiter on its line: a variable that names the descriptor, nested
 * redirects and the rest of the statement.
 */
static void add_heredoc_parts(ag_walker *walker, ag_node_id node, ag_walk_state state,
                              ag_shell_redirect *redirect, ag_vec *redirects,
                              ag_word_list *extra_words, ag_vec *trailing)
{
    ag_heredoc_parts parts;
    ag_heredoc_parts_find(walker, node, &parts);
    if (parts.start != AG_NO_NODE)
        redirect->target = parts.delimiter;

    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);

        if (kind == AG_NODE_ANONYMOUS || kind == AG_NODE_FILE_DESCRIPTOR || is_heredoc_part(kind)) {
            continue;
        } else if (ag_field_is(ag_node_at(walker, child)->field, walker->fields->argument)) {
            ag_walk_descriptor_variable(walker, child, state);
            ag_word_list_add(walker, extra_words, child, state);
        } else if (kind == AG_NODE_FILE_REDIRECT || kind == AG_NODE_HERESTRING_REDIRECT) {
            ag_redirect_add(walker, child, state, redirects, extra_words, trailing);
        } else {
            /* `cat <<EOF | grep x` or `cat <<EOF && y`: the rest of the line is a statement. */
            ag_node_id *slot = ag_vec_push(walker, trailing, sizeof(*slot));
            if (slot != NULL)
                *slot = child;
        }
    }

    redirect->body_expands = !parts.quoted;
    if (parts.body == AG_NO_NODE) {
        redirect->body = (ag_shell_word){.text = "", .start = redirect->target.end,
                                         .end = redirect->target.end};
        return;
    }
    ag_word_heredoc_body(walker, node, parts.body, parts.end, !parts.quoted,
                         strcmp(redirect->op, "<<-") == 0, state, &redirect->body);
}

static void add_target_parts(ag_walker *walker, ag_node_id node, ag_walk_state state,
                             ag_shell_redirect *redirect, ag_word_list *extra_words)
{
    bool split_operator = strcmp(redirect->op, "<>") == 0;
    ag_word_builder target;
    bool open = false;
    bool done = false;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);

    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_ANONYMOUS || kind == AG_NODE_FILE_DESCRIPTOR)
            continue;
        if (split_operator && (is_error_token(walker, child, '<')
                               || is_error_token(walker, child, '>')))
            continue;

        uint32_t start = ag_node_at(walker, child)->start;
        if (open && !ag_nodes_touch(walker, target.end, start)) {
            ag_word_finish(walker, &target, &redirect->target);
            open = false;
            done = true;
        }
        if (done) {
            /* `cmd > file arg`: words after the target are arguments of the command. */
            ag_walk_descriptor_variable(walker, child, state);
            ag_word_list_add(walker, extra_words, child, state);
            continue;
        }
        if (!open) {
            ag_word_begin(walker, &target, start);
            open = true;
        }
        ag_word_add(walker, &target, child, state);
    }

    if (open)
        ag_word_finish(walker, &target, &redirect->target);
}

void ag_redirect_add(ag_walker *walker, ag_node_id node, ag_walk_state state, ag_vec *redirects,
                     ag_word_list *extra_words, ag_vec *trailing)
{
    ag_node_kind node_kind = ag_node_kind_at(walker, node);
    if (node_kind != AG_NODE_FILE_REDIRECT && node_kind != AG_NODE_HEREDOC_REDIRECT
        && node_kind != AG_NODE_HERESTRING_REDIRECT) {
        ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                          "Unexpected `%s` where a redirection was expected at byte %u.",
                          ag_node_type(walker, node), ag_node_at(walker, node)->start);
        ag_walk_scan(walker, node, state);
        return;
    }

    ag_shell_redirect *redirect = ag_vec_push(walker, redirects, sizeof(*redirect));
    if (redirect == NULL)
        return;
    size_t index = redirects->count - 1;
    redirect->fd = -1;
    redirect->target = (ag_shell_word){.text = "", .start = ag_node_at(walker, node)->end,
                                       .end = ag_node_at(walker, node)->end};
    redirect->body = (ag_shell_word){.text = ""};

    ag_redirect_kind kind = AG_REDIRECT_WRITE;
    const char *op = find_operator(walker, node, &kind);
    if (node_kind == AG_NODE_FILE_REDIRECT && has_split_read_write(walker, node)) {
        op = "<>";
        kind = AG_REDIRECT_READ_WRITE;
    }
    if (op == NULL) {
        op = "?";
        ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                          "Unknown redirection operator at byte %u; the analysis cannot tell "
                          "which file it touches.", ag_node_at(walker, node)->start);
    }
    redirect->op = op;
    redirect->kind = kind;

    ag_node_id descriptor = ag_node_child_by_field(walker, node, walker->fields->descriptor);
    if (descriptor != AG_NO_NODE)
        redirect->fd = parse_descriptor(walker, descriptor);

    /* Nested redirects and substitutions may grow `redirects`, so write through an index. */
    ag_shell_redirect local = *redirect;
    if (node_kind == AG_NODE_HEREDOC_REDIRECT)
        add_heredoc_parts(walker, node, state, &local, redirects, extra_words, trailing);
    else
        add_target_parts(walker, node, state, &local, extra_words);
    settle_duplicate(&local);
    ((ag_shell_redirect *)redirects->items)[index] = local;
}
