/*
 * Text that Bash evaluates again after expansion. Arithmetic evaluation
 * expands an array subscript found in a variable's value, so with
 * x='a[$(cmd)]' each of `$((x))`, `${a[x]}`, `${y:x}` and `[[ $x -eq 0 ]]`
 * runs cmd. Indirection (`${!x}`), prompt expansion (`${x@P}`) and builtins
 * that take a variable name (`test -v`, `printf -v`, `read`, `declare`, ...)
 * do the same. The value is unknown to the analysis, so each of these makes
 * the analysis incomplete, unless every operand is a literal number.
 *
 * NOTE: a variable assigned a literal number earlier in the same request
 * still counts as unknown, so `i=0; echo $((i))` asks. `let` and
 * `declare -i` arithmetic is not checked, only their words for a literal
 * subscript with a command substitution in it.
 */
#include <ctype.h>
#include <string.h>

#include "shell/internal.h"

/* True when a leaf's source text is a decimal number, `@` or `*`. */
static bool is_literal_text(const ag_walker *walker, ag_node_id node)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    if (start >= end || end > walker->source_length)
        return false;
    const char *text = walker->source + start;
    if (end - start == 1 && (text[0] == '@' || text[0] == '*'))
        return true;
    for (uint32_t i = 0; i < end - start; i++) {
        if (!isdigit((unsigned char)text[i]))
            return false;
    }
    return true;
}

/* True when an arithmetic operand holds only numbers and operators. */
static bool is_literal_arithmetic(ag_walker *walker, ag_node_id node)
{
    if (!ag_node_is_named(walker, node))
        return true;

    ag_node_kind kind = ag_node_kind_at(walker, node);
    switch (kind) {
    case AG_NODE_NUMBER:
    case AG_NODE_WORD:
        return ag_node_at(walker, node)->named_child_count == 0 && is_literal_text(walker, node);
    case AG_NODE_BINARY_EXPRESSION:
    case AG_NODE_UNARY_EXPRESSION:
    case AG_NODE_TERNARY_EXPRESSION:
    case AG_NODE_PARENTHESIZED_EXPRESSION:
    case AG_NODE_TEST_OPERATOR:
    case AG_NODE_COMMENT:
        break;
    default:
        return false;
    }

    if (!ag_walker_enter(walker, node))
        return false;
    bool literal = true;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count && literal; child++) {
        if (ag_node_is_named(walker, child))
            literal = is_literal_arithmetic(walker, child);
    }
    ag_walker_leave(walker);
    return literal;
}

static void report_arithmetic(ag_walker *walker, ag_node_id node)
{
    ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                      "Arithmetic at byte %u reads a variable or an expansion; Bash evaluates "
                      "array subscripts in that value, which can run commands the analysis "
                      "cannot see.", ag_node_at(walker, node)->start);
}

void ag_check_arithmetic(ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        /* The body of `for ((...))` is walked as statements. */
        if (!ag_node_is_named(walker, child)
            || ag_field_is(ag_node_at(walker, child)->field, walker->fields->body))
            continue;
        if (!is_literal_arithmetic(walker, child)) {
            report_arithmetic(walker, child);
            return;
        }
    }
}

/* Operators of `[[ ]]` that evaluate both operands as arithmetic. */
static bool is_arithmetic_test(const char *text, size_t length)
{
    static const char *const operators[] = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge"};
    for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
        if (length == 3 && memcmp(text, operators[i], 3) == 0)
            return true;
    }
    return false;
}

void ag_check_test_expression(ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    bool arithmetic = false;
    for (ag_node_id child = first; child < first + count; child++) {
        uint32_t start = ag_node_at(walker, child)->start;
        uint32_t end = ag_node_at(walker, child)->end;
        if (ag_node_is_named(walker, child)
            && ag_node_kind_at(walker, child) == AG_NODE_TEST_OPERATOR
            && end <= walker->source_length
            && is_arithmetic_test(walker->source + start, end - start))
            arithmetic = true;
    }
    if (arithmetic)
        ag_check_arithmetic(walker, node);
}

/* The index of `a[index]` when it is not a literal number, `@` or `*`. */
void ag_check_subscript(ag_walker *walker, ag_node_id subscript)
{
    ag_node_id index = ag_node_child_by_field(walker, subscript, walker->fields->index);
    if (index != AG_NO_NODE && !is_literal_arithmetic(walker, index))
        report_arithmetic(walker, index);
}

/* True for `${!name}` and `${!name[i]}`, false for `${!name[@]}` and `${!prefix*}`. */
static bool is_indirection(ag_walker *walker, ag_node_id first, uint32_t count)
{
    if (count < 3 || strcmp(ag_node_type(walker, first + 1), "!") != 0)
        return false;
    ag_node_id name = first + 2;
    if (ag_node_kind_at(walker, name) == AG_NODE_SUBSCRIPT) {
        ag_node_id index = ag_node_child_by_field(walker, name, walker->fields->index);
        return index == AG_NO_NODE || !is_literal_text(walker, index)
            || isdigit((unsigned char)walker->source[ag_node_at(walker, index)->start]);
    }
    if (count > 3) {
        const char *next = ag_node_type(walker, first + 3);
        if (strcmp(next, "*") == 0 || strcmp(next, "@") == 0)
            return false;
    }
    return true;
}

/*
 * Checks a `${...}` expansion: indirection, the `@P` operator, a subscript
 * and the offset and length of `${name:offset:length}`.
 */
void ag_check_expansion(ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    if (is_indirection(walker, first, count)) {
        ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                          "Indirect expansion `${!name}` at byte %u: the analysis does not know "
                          "which variable it reads, and Bash evaluates a subscript in its "
                          "value, which can run commands.", ag_node_at(walker, node)->start);
        return;
    }

    bool substring = false;
    for (ag_node_id child = first; child < first + count; child++) {
        const char *type = ag_node_type(walker, child);
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (kind == AG_NODE_SUBSCRIPT) {
            ag_check_subscript(walker, child);
        } else if (kind == AG_NODE_ANONYMOUS && strcmp(type, "@") == 0 && child + 1 < first + count
                   && strcmp(ag_node_type(walker, child + 1), "P") == 0) {
            ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, node,
                              "Prompt expansion `${name@P}` at byte %u runs the command "
                              "substitutions in a value the analysis does not know.",
                              ag_node_at(walker, node)->start);
            return;
        } else if (kind == AG_NODE_ANONYMOUS && strcmp(type, ":") == 0) {
            substring = true;
        } else if (substring && kind != AG_NODE_ANONYMOUS
                   && !is_literal_arithmetic(walker, child)) {
            report_arithmetic(walker, child);
            return;
        }
    }
}

/* True when `text` contains `$(` or a backtick, which Bash runs if it evaluates the text. */
static bool has_code(const char *text)
{
    return strstr(text, "$(") != NULL || strchr(text, '`') != NULL;
}

/* An assignment value Bash may evaluate later: `$(`, a backtick, or `[` then `$`. */
static bool is_risky_assignment(const char *text)
{
    const char *bracket = strchr(text, '[');
    return has_code(text) || (bracket != NULL && strchr(bracket, '$') != NULL);
}

/* Builtins that take variable names and evaluate subscripts in them. */
static bool takes_variable_names(const char *name)
{
    static const char *const builtins[] = {
        "test", "[", "[[", "printf", "read", "declare", "typeset", "local", "export",
        "readonly", "unset", "let", "mapfile", "readarray", "getopts", "wait", "((",
    };
    /* Comparing the first byte first skips most calls to strcmp(). */
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (name[0] == builtins[i][0] && strcmp(name, builtins[i]) == 0)
            return true;
    }
    return false;
}

static void report_word(ag_walker *walker, const ag_shell_word *word, const char *what)
{
    ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                         "%s at byte %u may hold an array subscript with a command "
                         "substitution, which Bash evaluates and the analysis cannot see.",
                         what, word->start);
}

static void check_command_words(ag_walker *walker, const ag_shell_command *command)
{
    for (size_t i = 0; i < command->assignment_count; i++) {
        if (is_risky_assignment(command->assignments[i].text))
            report_word(walker, &command->assignments[i], "The assignment");
    }
    if (command->word_count == 0 || !takes_variable_names(command->words[0].text))
        return;

    bool declaration = command->keyword != NULL && strcmp(command->keyword, "[[") != 0
        && strcmp(command->keyword, "((") != 0;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const ag_shell_word *previous = &command->words[i - 1];
        bool names_dynamic = word->dynamic && strcmp(previous->text, "-v") == 0;
        if ((strchr(word->text, '[') != NULL && has_code(word->text)) || names_dynamic
            || (declaration && strchr(word->text, '=') != NULL && is_risky_assignment(word->text)))
            report_word(walker, word, "The argument");
    }
}

void ag_check_evaluated_words(ag_walker *walker)
{
    const ag_shell_command *commands = walker->commands.items;
    for (size_t i = 0; i < walker->commands.count; i++)
        check_command_words(walker, &commands[i]);
}
