/*
 * Fuzzes the shell analysis with arbitrary bytes as a Bash command, then the
 * public ag_check_command() with the built-in default policy. The analyzer's
 * copy of each syntax tree is compared with tree-sitter's own navigation.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "shell/internal.h"
#include "shell/shell.h"

/* Every AG_CONTEXT_* and AG_SHELL_* bit that shell.h defines. */
#define CONTEXT_BITS 0x1FFu
#define INCOMPLETE_BITS (AG_SHELL_PARSE_ERROR | AG_SHELL_UNKNOWN_NODE | AG_SHELL_LIMIT \
                         | AG_SHELL_NOMEM)

/* Whether the input has a literal AG_DYNAMIC_MARK byte, which a static word may then keep. */
static bool input_has_mark;

static void check_word(const ag_shell_word *word, size_t input_length)
{
    FUZZ_ASSERT(word->text != NULL);
    FUZZ_ASSERT(word->text[word->length] == '\0');
    /* A word may hold NUL bytes only if the input does; then strlen stops early. */
    FUZZ_ASSERT(strlen(word->text) <= word->length);
    FUZZ_ASSERT(word->start <= word->end);
    FUZZ_ASSERT(word->end <= input_length);

    if (word->dynamic)
        FUZZ_ASSERT(fuzz_dynamic_word_marked(word->text, word->length));
    else if (!input_has_mark)
        FUZZ_ASSERT(memchr(word->text, AG_DYNAMIC_MARK, word->length) == NULL);
}

static void check_redirect(const ag_shell_redirect *redirect, size_t input_length)
{
    FUZZ_ASSERT(redirect->kind >= AG_REDIRECT_READ && redirect->kind <= AG_REDIRECT_HERESTRING);
    FUZZ_ASSERT(redirect->fd >= -1);
    FUZZ_ASSERT(redirect->op != NULL);
    FUZZ_ASSERT(redirect->op[0] != '\0');
    check_word(&redirect->target, input_length);
    if (redirect->kind == AG_REDIRECT_HEREDOC) {
        /* An empty heredoc body may be stored as a NULL text. */
        if (redirect->body.text != NULL)
            check_word(&redirect->body, input_length);
    } else {
        FUZZ_ASSERT(!redirect->body_expands);
    }
}

static void check_analysis(const ag_shell_analysis *analysis, size_t input_length,
                           const ag_shell_limits *limits)
{
    FUZZ_ASSERT((analysis->incomplete & ~(unsigned)INCOMPLETE_BITS) == 0);
    if (analysis->incomplete != 0) {
        FUZZ_ASSERT(analysis->problem != NULL);
        FUZZ_ASSERT(analysis->problem_start <= analysis->problem_end);
        FUZZ_ASSERT(analysis->problem_end <= input_length);
    }
    if (limits->max_commands != 0)
        FUZZ_ASSERT(analysis->command_count <= limits->max_commands);
    if (limits->max_input_bytes != 0 && input_length > limits->max_input_bytes)
        FUZZ_ASSERT(analysis->incomplete & AG_SHELL_LIMIT);
    FUZZ_ASSERT(analysis->command_count == 0 || analysis->commands != NULL);

    for (size_t i = 0; i < analysis->command_count; i++) {
        const ag_shell_command *command = &analysis->commands[i];

        FUZZ_ASSERT(command->start <= command->end);
        FUZZ_ASSERT(command->end <= input_length);
        FUZZ_ASSERT((command->context & ~CONTEXT_BITS) == 0);
        /* Commands inside a substitution or subshell are nested. */
        if (command->context & (AG_CONTEXT_SUBSTITUTION | AG_CONTEXT_PROCESS_SUBSTITUTION
                                | AG_CONTEXT_SUBSHELL))
            FUZZ_ASSERT(command->depth > 0);

        FUZZ_ASSERT(command->word_count == 0 || command->words != NULL);
        for (size_t w = 0; w < command->word_count; w++)
            check_word(&command->words[w], input_length);

        FUZZ_ASSERT(command->assignment_count == 0 || command->assignments != NULL);
        /* NOTE: after a depth limit an assignment may be kept as marks only, with no '='. */
        for (size_t a = 0; a < command->assignment_count; a++) {
            check_word(&command->assignments[a], input_length);
            if (!(analysis->incomplete & AG_SHELL_LIMIT))
                FUZZ_ASSERT(memchr(command->assignments[a].text, '=',
                                   command->assignments[a].length) != NULL);
        }

        FUZZ_ASSERT(command->redirect_count == 0 || command->redirects != NULL);
        for (size_t r = 0; r < command->redirect_count; r++)
            check_redirect(&command->redirects[r], input_length);
    }
}

/*
 * Checks the copy of the tree (copy_tree() in lib/shell/analyze.c, which lists
 * children with the runtime's internal layout) against ts_node_child(): the
 * span, symbol and child count of every node. A parent's number is below its
 * children's, so one pass in number order reaches each node after its parent.
 * tests/test_tree_copy.c also compares flags and fields on fixed inputs.
 */
static void compare_tree_copy(void *data, TSNode root, const ag_node *nodes, uint32_t count)
{
    FUZZ_ASSERT(count == ts_node_descendant_count(root));
    TSNode *handles = malloc((size_t)count * sizeof(*handles));
    FUZZ_ASSERT(handles != NULL);
    handles[0] = root;

    for (uint32_t id = 0; id < count; id++) {
        const ag_node *node = &nodes[id];
        TSNode expected = handles[id];
        FUZZ_ASSERT(node->start == ts_node_start_byte(expected));
        FUZZ_ASSERT(node->end == ts_node_end_byte(expected));
        FUZZ_ASSERT(node->symbol == ts_node_symbol(expected));
        FUZZ_ASSERT(node->child_count == ts_node_child_count(expected));
        FUZZ_ASSERT(node->child_count == 0 || node->first_child > id);
        for (uint32_t i = 0; i < node->child_count; i++) {
            FUZZ_ASSERT(node->first_child + i < count);
            FUZZ_ASSERT(nodes[node->first_child + i].parent == id);
            handles[node->first_child + i] = ts_node_child(expected, i);
        }
    }
    free(handles);
}

static void analyze(ag_shell_analyzer *analyzer, ag_arena *arena, const char *input,
                    size_t length, const ag_shell_limits *limits, ag_shell_analysis *out)
{
    ag_arena_reset(arena);
    ag_status status = ag_shell_analyze(analyzer, input, length, limits, arena, out);
    FUZZ_ASSERT(status == AG_OK || status == AG_ERR_NOMEM);
    if (status == AG_OK)
        check_analysis(out, length, limits);
}

/* Checks the line-by-line analysis as ag_shell_analyze(): spans, bits and limits. */
static void analyze_lines(ag_shell_analyzer *analyzer, ag_arena *arena, const char *input,
                          size_t length, const ag_shell_limits *limits)
{
    ag_shell_analysis lines;
    ag_status status = ag_shell_analyze_lines(analyzer, input, length, limits, arena, &lines);
    FUZZ_ASSERT(status == AG_OK || status == AG_ERR_NOMEM);
    if (status == AG_OK)
        check_analysis(&lines, length, limits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ag_shell_analyzer *analyzer;
    static ag_arena arena;
    static const ag_shell_limits default_limits = {
        .max_input_bytes = AG_SHELL_DEFAULT_MAX_INPUT_BYTES,
        .max_depth = AG_SHELL_DEFAULT_MAX_DEPTH,
        .max_commands = AG_SHELL_DEFAULT_MAX_COMMANDS,
        .timeout_micros = AG_SHELL_DEFAULT_TIMEOUT_MICROS,
    };
    /* Small limits reach the limit paths with inputs of a few bytes. */
    static const ag_shell_limits small_limits = {
        .max_input_bytes = 64,
        .max_depth = 6,
        .max_commands = 3,
        .timeout_micros = AG_SHELL_DEFAULT_TIMEOUT_MICROS,
    };

    if (analyzer == NULL) {
        analyzer = ag_shell_analyzer_new();
        FUZZ_ASSERT(analyzer != NULL);
        ag_shell_analyzer_observe_tree(analyzer, compare_tree_copy, NULL);
        ag_arena_init(&arena);
    }

    const char *input = (const char *)data;
    input_has_mark = memchr(data, AG_DYNAMIC_MARK, size) != NULL;

    ag_shell_analysis analysis;
    analyze(analyzer, &arena, input, size, &small_limits, &analysis);
    analyze(analyzer, &arena, input, size, &default_limits, &analysis);
    unsigned incomplete = analysis.incomplete;

    /* The checker parses each line alone after a parse error. */
    if (incomplete & AG_SHELL_PARSE_ERROR) {
        analyze_lines(analyzer, &arena, input, size, &small_limits);
        analyze_lines(analyzer, &arena, input, size, &default_limits);
    }

    /*
     * The public API with the built-in default policy. A parse error or an
     * unknown node does not depend on limits, so the checker sees it too and
     * must not allow the command.
     */
    ag_decision decision = fuzz_check_prefix_keeps_decision(fuzz_default_checker(), input, size);
    if (incomplete & (AG_SHELL_PARSE_ERROR | AG_SHELL_UNKNOWN_NODE))
        FUZZ_ASSERT(decision != AG_ALLOW);
    fuzz_check_glob_keeps_deny(fuzz_default_checker(), input, size);
    fuzz_check_nul_truncation(fuzz_default_checker(), input, size);

    ag_arena_reset(&arena);
    return 0;
}
