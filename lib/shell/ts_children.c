/*
 * Lists the visible children of a syntax node in one pass, with the runtime's
 * internal tree layout. ts_node_child() starts from the first child on every
 * call, so it descends the hidden nodes before the wanted child again. The
 * tree cursor pushes every hidden node it passes onto a stack. By callgrind,
 * both cost several hundred instructions per child of a shell command.
 *
 * This follows ts_node__child() of tree-sitter 0.25 (lib/src/node.c): a
 * child is listed when it is visible or aliased, and a hidden child stands
 * for its own visible children. Built only against the runtime this project
 * unpacks (AG_TS_INTERNALS); with any other runtime, the caller falls back
 * to ts_node_child(). tests/test_tree_copy.c compares both on every input.
 */
#include "shell/internal.h"

#ifdef AG_TS_INTERNALS

#include "language.h"
#include "subtree.h"
#include "tree.h"

/*
 * Maximum nesting of hidden nodes between a node and its visible children.
 * In tree-sitter-bash they nest a few levels deep, plus the depth of a
 * repetition's balanced tree (an estimate). Past it, the caller falls back.
 */
enum { AG_HIDDEN_DEPTH_MAX = 64 };

typedef struct ag_child_list {
    const TSTree *tree;
    TSNode *out;
    uint32_t count;
    uint32_t capacity;
    bool too_deep;
} ag_child_list;

static void list_children(ag_child_list *list, Subtree parent, Length position, unsigned depth)
{
    if (depth > AG_HIDDEN_DEPTH_MAX) {
        list->too_deep = true;
        return;
    }

    const TSSymbol *aliases = ts_language_alias_sequence(list->tree->language,
                                                         parent.ptr->production_id);
    const Subtree *children = ts_subtree_children(parent);
    uint32_t structural = 0;
    for (uint32_t i = 0; i < parent.ptr->child_count && list->count < list->capacity; i++) {
        const Subtree *child = &children[i];
        TSSymbol alias = 0;
        if (!ts_subtree_extra(*child)) {
            if (aliases != NULL)
                alias = aliases[structural];
            structural++;
        }
        if (i > 0)
            position = length_add(position, ts_subtree_padding(*child));

        if (ts_subtree_visible(*child) || alias != 0)
            list->out[list->count++] = ts_node_new(list->tree, child, position, alias);
        else if (ts_subtree_child_count(*child) > 0 && child->ptr->visible_child_count > 0)
            list_children(list, *child, position, depth + 1);
        position = length_add(position, ts_subtree_size(*child));
    }
}

bool ag_ts_visible_children(TSNode node, TSNode *out, uint32_t count)
{
    Subtree subtree = *(const Subtree *)node.id;
    if (ts_subtree_child_count(subtree) == 0)
        return count == 0;

    ag_child_list list = {.tree = node.tree, .out = out, .capacity = count};
    Length position = {ts_node_start_byte(node), ts_node_start_point(node)};
    list_children(&list, subtree, position, 0);
    return !list.too_deep && list.count == count;
}

/* Computes the facts as node.c of tree-sitter 0.25 does, without a call per fact. */
void ag_ts_node_facts_read(TSNode node, ag_ts_node_facts *facts)
{
    Subtree subtree = *(const Subtree *)node.id;
    TSSymbol alias = (TSSymbol)node.context[3];
    TSSymbol symbol = alias != 0 ? alias : ts_subtree_symbol(subtree);
    bool parent = ts_subtree_child_count(subtree) > 0;

    /* ts_language_public_symbol(), inline. */
    facts->symbol = symbol == ts_builtin_sym_error ? symbol
                                                   : node.tree->language->public_symbol_map[symbol];
    facts->end = ts_node_start_byte(node) + ts_subtree_size(subtree).bytes;
    facts->child_count = parent ? subtree.ptr->visible_child_count : 0;
    facts->named_child_count = parent ? subtree.ptr->named_child_count : 0;
}

#else

bool ag_ts_visible_children(TSNode node, TSNode *out, uint32_t count)
{
    return false;
}

void ag_ts_node_facts_read(TSNode node, ag_ts_node_facts *facts)
{
    facts->symbol = ts_node_symbol(node);
    facts->end = ts_node_end_byte(node);
    facts->child_count = ts_node_child_count(node);
    facts->named_child_count = ts_node_named_child_count(node);
}

#endif
