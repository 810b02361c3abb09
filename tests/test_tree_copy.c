/*
 * The analyzer's copy of the syntax tree against tree-sitter's own
 * navigation. The walk reads only the copy (ag_node, made by copy_tree() in
 * lib/shell/analyze.c). That copy lists a node's children in one pass over
 * the runtime's internal layout (lib/shell/ts_children.c), and reads the
 * children of the nodes whose fields the walk reads with the tree cursor.
 * Each copied node must equal what ts_node_child() and its siblings return:
 * span, symbol, flags, children in order, and the field of every child
 * whose parent's kind the walk reads fields of.
 *
 * Inputs: the "input" of every case in the shell table (argv[1]), every
 * seed of the shell fuzz corpus (argv[2]), and the wide and broken inputs
 * built below.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "shell/internal.h"

/* What the observer compared over all inputs. */
typedef struct comparison {
    const char *input;          /* the input being analysed, for messages */
    size_t trees;
    size_t nodes;
    size_t fields;              /* children whose field was compared with a non-empty name */
    size_t errors;              /* trees with an ERROR or MISSING node */
} comparison;

static const char *field_name(TSNode parent, const ag_node *child)
{
    if (child->field == 0)
        return NULL;
    return ts_language_field_name_for_id(ts_tree_language(parent.tree), child->field);
}

/* Compares node `id` and its subtree with `expected`. Returns the number of nodes compared. */
static size_t compare_node(comparison *run, TSNode expected, const ag_node *nodes, uint32_t count,
                           ag_node_id id, bool errors)
{
    assert_true(id < count);
    const ag_node *node = &nodes[id];
    if (node->start != ts_node_start_byte(expected) || node->end != ts_node_end_byte(expected)
        || node->symbol != ts_node_symbol(expected))
        fail_msg("node %u of `%s`: span %u-%u symbol %u, expected %u-%u symbol %u", id,
                 run->input, node->start, node->end, node->symbol,
                 ts_node_start_byte(expected), ts_node_end_byte(expected),
                 ts_node_symbol(expected));
    assert_int_equal((node->flags & AG_NODE_NAMED) != 0, ts_node_is_named(expected));
    assert_int_equal((node->flags & AG_NODE_MISSING) != 0, ts_node_is_missing(expected));
    assert_int_equal((node->flags & AG_NODE_IS_ERROR) != 0, ts_node_is_error(expected));
    assert_int_equal((node->flags & AG_NODE_HAS_ERROR) != 0, errors && ts_node_has_error(expected));
    assert_int_equal(node->child_count, ts_node_child_count(expected));
    assert_int_equal(node->named_child_count, ts_node_named_child_count(expected));

    size_t compared = 1;
    bool fields = ag_node_kind_has_child_fields((ag_node_kind)node->kind);
    for (uint32_t i = 0; i < node->child_count; i++) {
        ag_node_id child_id = node->first_child + i;
        assert_true(child_id < count);
        const ag_node *child = &nodes[child_id];
        assert_int_equal(child->parent, id);

        const char *expected_field = fields ? ts_node_field_name_for_child(expected, i) : NULL;
        const char *field = field_name(expected, child);
        if ((expected_field == NULL) != (field == NULL)
            || (field != NULL && strcmp(field, expected_field) != 0))
            fail_msg("child %u of node %u of `%s`: field %s, expected %s", i, id, run->input,
                     field != NULL ? field : "none",
                     expected_field != NULL ? expected_field : "none");
        run->fields += field != NULL;
        compared += compare_node(run, ts_node_child(expected, i), nodes, count, child_id, errors);
    }
    return compared;
}

static void observe(void *data, TSNode root, const ag_node *nodes, uint32_t count)
{
    comparison *run = data;
    bool errors = ts_node_has_error(root);
    size_t compared = compare_node(run, root, nodes, count, 0, errors);
    /* The copy reserves one slot per descendant, so every slot contains a node. */
    assert_int_equal(compared, count);
    assert_int_equal(count, ts_node_descendant_count(root));
    run->trees++;
    run->nodes += compared;
    run->errors += errors;
}

static void analyze(ag_shell_analyzer *analyzer, comparison *run, const char *input,
                    size_t length)
{
    ag_arena arena;
    ag_arena_init(&arena);
    ag_shell_analysis analysis;
    run->input = input;
    ag_shell_analyze(analyzer, input, length, NULL, &arena, &analysis);
    ag_arena_release(&arena);
}

static void analyze_table(ag_shell_analyzer *analyzer, comparison *run, const char *path)
{
    json_error_t error;
    json_t *table = json_load_file(path, JSON_ALLOW_NUL, &error);
    if (table == NULL)
        fail_msg("%s:%d: %s", path, error.line, error.text);
    json_t *cases = json_object_get(table, "cases");
    assert_true(json_is_array(cases));
    size_t index;
    json_t *entry;
    json_array_foreach(cases, index, entry) {
        json_t *input = json_object_get(entry, "input");
        if (json_is_string(input))
            analyze(analyzer, run, json_string_value(input), json_string_length(input));
    }
    json_decref(table);
}

static char *read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *text = NULL;
    size_t capacity = 0;
    *length = 0;
    for (;;) {
        if (*length + 4096 + 1 > capacity) {
            capacity = 2 * (*length + 4096 + 1);
            text = realloc(text, capacity);
            assert_non_null(text);
        }
        size_t got = fread(text + *length, 1, 4096, file);
        *length += got;
        if (got < 4096)
            break;
    }
    fclose(file);
    text[*length] = '\0';
    return text;
}

static size_t analyze_seeds(ag_shell_analyzer *analyzer, comparison *run, const char *directory)
{
    DIR *dir = opendir(directory);
    if (dir == NULL)
        fail_msg("cannot open %s", directory);
    size_t seeds = 0;
    struct dirent *entry;
    char path[4096];
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name);
        size_t length;
        char *text = read_file(path, &length);
        if (text == NULL)
            continue;
        /* The name is the message's only clue when the seed is binary. */
        run->input = entry->d_name;
        ag_arena arena;
        ag_arena_init(&arena);
        ag_shell_analysis analysis;
        ag_shell_analyze(analyzer, text, length, NULL, &arena, &analysis);
        ag_arena_release(&arena);
        free(text);
        seeds++;
    }
    closedir(dir);
    return seeds;
}

/* Returns `count` copies of `piece` followed by `tail`, in malloc'd memory. */
static char *repeat(const char *piece, size_t count, const char *tail)
{
    size_t length = strlen(piece) * count + strlen(tail);
    char *text = malloc(length + 1);
    assert_non_null(text);
    text[0] = '\0';
    for (size_t i = 0; i < count; i++)
        strcat(text, piece);
    strcat(text, tail);
    return text;
}

/* Wide nodes, deep nesting, fields of every kind the walk reads, and broken input. */
static void analyze_built(ag_shell_analyzer *analyzer, comparison *run)
{
    static const char *const inputs[] = {
        "if [[ -f a && $b == c ]]; then x > o 2>&1; elif y; then :; else z; fi",
        "while read -r l; do echo \"$l\"; done < f",
        "for ((i = 0; i < 3; i++)); do echo $((i * 2)); done",
        "f() { g; } > out; cat <<EOF\n$x\nEOF\ncat <<< \"$y\"",
        "a[$i]=1 b=(1 2 3) echo ${a[@]:1} ${#b[@]} ${c:-d}",
        "case $x in a|b) y;; *) z;; esac",
        "echo $(( (a + b) * c )) `d` $(e) <(f) >(g)",
        "((((((((((", "echo 'unterminated", "if then fi done", "a | | b && && c",
        "{ a; b; } 2> e | c",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
        analyze(analyzer, run, inputs[i], strlen(inputs[i]));

    /* One command of 300 words: ts_node_child() on it once cost quadratic time. */
    char *wide = repeat("word ", 300, "end");
    analyze(analyzer, run, wide, strlen(wide));
    free(wide);
    char *list = repeat("a && ", 200, "b");
    analyze(analyzer, run, list, strlen(list));
    free(list);
    char *deep = repeat("$(", 60, "x");
    analyze(analyzer, run, deep, strlen(deep));
    free(deep);
    char *broken = repeat("( ] ", 100, "");
    analyze(analyzer, run, broken, strlen(broken));
    free(broken);
}

static const char *table_path;
static const char *seed_directory;

static void test_copy_matches_tree_sitter(void **state)
{
    (void)state;
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    assert_non_null(analyzer);
    comparison run = {0};
    ag_shell_analyzer_observe_tree(analyzer, observe, &run);

    analyze_table(analyzer, &run, table_path);
    size_t seeds = analyze_seeds(analyzer, &run, seed_directory);
    analyze_built(analyzer, &run);
    ag_shell_analyzer_free(analyzer);
    printf("compared %zu trees (%zu with errors), %zu nodes, %zu fields, %zu seeds\n", run.trees,
           run.errors, run.nodes, run.fields, seeds);

    /* Guards against a run that compared nothing, such as an empty corpus. */
    assert_true(seeds > 100);
    assert_true(run.trees > 400);
    assert_true(run.nodes > 8000);
    assert_true(run.fields > 400);
    assert_true(run.errors > 20);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SHELL_TABLE SEED_DIRECTORY\n", argv[0]);
        return 2;
    }
    table_path = argv[1];
    seed_directory = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_matches_tree_sitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
