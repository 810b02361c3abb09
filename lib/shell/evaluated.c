/*
 * Text that Bash evaluates again after expansion. Arithmetic evaluation
 * expands an array subscript found in a variable's value, so with
 * x='a[$(cmd)]' each of `$((x))`, `${a[x]}`, `${y:x}` and `[[ $x -eq 0 ]]`
 * runs cmd. Indirection (`${!x}`), prompt expansion (`${x@P}`) and builtins
 * that take a variable name (`test -v`, `printf -v`, `read`, `declare`, ...)
 * do the same, and so do the keys of `a=([x]=1)`, `let x` and every value
 * assigned to a `declare -i` variable. The value is unknown to the
 * analysis, so each of these makes the analysis incomplete, unless every
 * operand is a literal number or an expansion whose value is a number
 * (`$#`, `$?`, `${#name}`).
 *
 * NOTE: a variable assigned a literal number earlier in the same request
 * still counts as unknown, so `i=0; echo $((i))` gives ask.
 */
#include <ctype.h>
#include <stdint.h>
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

/* True when a leaf's source text is exactly `text`. */
static bool has_text(const ag_walker *walker, ag_node_id node, const char *text)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    size_t length = strlen(text);
    return end <= walker->source_length && end - start == length
        && memcmp(walker->source + start, text, length) == 0;
}

/*
 * True for expansions whose value is always a number or empty: `$#`, `$?`,
 * `$$`, `$!` and the length `${#name}` of a variable without a subscript.
 */
static bool is_number_expansion(const ag_walker *walker, ag_node_id node)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    if (ag_node_kind_at(walker, node) == AG_NODE_SIMPLE_EXPANSION) {
        ag_node_id name = first + count - 1;
        return count == 2 && ag_node_kind_at(walker, name) == AG_NODE_SPECIAL_VARIABLE_NAME
            && (has_text(walker, name, "#") || has_text(walker, name, "?")
                || has_text(walker, name, "$") || has_text(walker, name, "!"));
    }
    return count == 4 && has_text(walker, first + 1, "#")
        && (ag_node_kind_at(walker, first + 2) == AG_NODE_VARIABLE_NAME
            || ag_node_kind_at(walker, first + 2) == AG_NODE_SPECIAL_VARIABLE_NAME);
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
    case AG_NODE_SIMPLE_EXPANSION:
    case AG_NODE_EXPANSION:
        return is_number_expansion(walker, node);
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
        } else if (kind == AG_NODE_EXPANSION || kind == AG_NODE_ARITHMETIC_EXPANSION) {
            /* `${x:-${a[y]}}`: the word after the operator is expanded too. */
            if (ag_walker_enter(walker, child)) {
                if (kind == AG_NODE_EXPANSION)
                    ag_check_expansion(walker, child);
                else
                    ag_check_arithmetic(walker, child);
                ag_walker_leave(walker);
            }
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

/*
 * An assignment value Bash may evaluate later: `$(`, a backtick, `[` then
 * `$`, or `[` then an unknown part followed by `(`, which may be a `$` that
 * makes `$(` (d='$'; x="b[${d}(cmd)]").
 */
static bool is_risky_assignment(const char *text)
{
    const char *bracket = strchr(text, '[');
    if (has_code(text))
        return true;
    if (bracket == NULL)
        return false;
    return strchr(bracket, '$') != NULL || strstr(bracket, "\x01(") != NULL;
}

/* True for a subscript that names no variable: digits, arithmetic operators, `@` and `*`. */
static bool is_literal_subscript(const char *text, size_t length)
{
    if (length == 0)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (!isdigit((unsigned char)c) && (c == '\0' || strchr("+-*/%() @", c) == NULL))
            return false;
    }
    return true;
}

static bool is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

/*
 * True for NAME and NAME[SUBSCRIPT] with a literal subscript. Any other
 * name (a subscript that reads a variable, a glob, an unknown part) may make
 * Bash evaluate a subscript that the analysis does not know.
 */
static bool is_plain_variable_name(const char *text, size_t length)
{
    if (length == 0 || !is_name_start(text[0]))
        return false;
    size_t i = 1;
    while (i < length && (is_name_start(text[i]) || isdigit((unsigned char)text[i])))
        i++;
    if (i == length)
        return true;
    return length - i >= 2 && text[i] == '[' && text[length - 1] == ']'
        && is_literal_subscript(text + i + 1, length - i - 2);
}

/* Returns the length of the name in `NAME=value`, `NAME+=value` or `NAME[KEY]=value`. */
static size_t assignment_name_length(const char *text, size_t length)
{
    size_t depth = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '[')
            depth++;
        else if (text[i] == ']' && depth > 0)
            depth--;
        else if (text[i] == '=' && depth == 0)
            return i > 0 && text[i - 1] == '+' ? i - 1 : i;
    }
    return length;
}

/* Returns the value of an assignment word, or NULL when it has no `=`. */
static const char *assignment_value(const char *text, size_t length)
{
    size_t name = assignment_name_length(text, length);
    if (name == length)
        return NULL;
    return text + name + (text[name] == '+' ? 2 : 1);
}

/*
 * True when a compound array value `(... [KEY]=value ...)` has a KEY that is
 * not literal. An indexed array evaluates KEY as arithmetic, so
 * `a=([x]=1)` reads x and evaluates the subscripts in its value. Quoted
 * text of a value may look like a key too, which only makes this stricter.
 */
static bool has_variable_array_key(const char *value)
{
    if (value == NULL || value[0] != '(')
        return false;
    for (const char *at = value + 1; *at != '\0'; at++) {
        if (*at != '[' || (at[-1] != '(' && at[-1] != ' '))
            continue;
        const char *close = strchr(at, ']');
        bool key = close != NULL && (close[1] == '=' || (close[1] == '+' && close[2] == '='));
        if (key && !is_literal_subscript(at + 1, (size_t)(close - at - 1)))
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

/* Reports a word that names a variable unless it is a plain name; see is_plain_variable_name(). */
static void check_variable_name(ag_walker *walker, const ag_shell_word *word)
{
    if (!is_plain_variable_name(word->text, word->length))
        report_word(walker, word, "The variable name");
}

static bool is_option_word(const ag_shell_word *word)
{
    return word->text[0] == '-' && word->text[1] != '\0';
}

/* Bash 5.2's options; `unset -f` names functions, which is handled where it is read. */
static const ag_name_syntax name_syntaxes[] = {
    {"mapfile", "dnOsuCc", "", "t", true},
    {"printf", "", "v", "", false},
    {"read", "dinNptu", "a", "eErs", true},
    {"readarray", "dnOsuCc", "", "t", true},
    {"unset", "", "", "fvn", true},
    {"wait", "", "p", "nf", false},
};

const ag_name_syntax *ag_shell_find_name_syntax(const char *name)
{
    for (size_t i = 0; i < sizeof(name_syntaxes) / sizeof(name_syntaxes[0]); i++) {
        if (strcmp(name, name_syntaxes[i].name) == 0)
            return &name_syntaxes[i];
    }
    return NULL;
}

static bool has_letter(const char *set, char letter)
{
    return letter != '\0' && strchr(set, letter) != NULL;
}

ag_option_value ag_shell_read_option_cluster(const ag_shell_word *words, size_t count,
                                             size_t index, const char *values,
                                             const char *names, const char *flags)
{
    const ag_shell_word *word = &words[index];
    ag_option_value value = {0};
    for (size_t j = 1; j < word->length; j++) {
        value.letter = word->text[j];
        value.is_name = has_letter(names, value.letter);
        if (!value.is_name && !has_letter(values, value.letter)) {
            if (flags == NULL || has_letter(flags, value.letter))
                continue;
            value.unknown = true;
            return value;
        }

        if (word->text[j + 1] != '\0') {
            value.found = true;
            value.word = *word;
            value.word.text += j + 1;
            value.word.length -= j + 1;
        } else if (index + 1 < count) {
            value.found = true;
            value.word = words[index + 1];
            value.words_used = 1;
        }
        return value;
    }
    return (ag_option_value){0};
}

/*
 * Checks one option cluster such as `-ra NAME` or `-vNAME`. Returns the
 * number of following words used, or SIZE_MAX after reporting an unknown
 * letter (it may take a name as its value).
 */
static size_t check_option_cluster(ag_walker *walker, const ag_shell_word *words, size_t count,
                                   size_t index, const ag_name_syntax *syntax)
{
    const ag_shell_word *word = &words[index];
    ag_option_value value = ag_shell_read_option_cluster(words, count, index, syntax->values,
                                                         syntax->names, syntax->flags);
    if (value.unknown) {
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, word->start, word->end,
                             "The option `-%c` of `%s` at byte %u is unknown to the "
                             "analysis and may take a variable name, whose subscript Bash "
                             "evaluates.", value.letter, syntax->name, word->start);
        return SIZE_MAX;
    }
    if (value.found && value.is_name)
        check_variable_name(walker, &value.word);
    return value.words_used;
}

/*
 * Checks the names that read, mapfile, readarray, printf -v, unset and wait
 * -p assign or unset: Bash evaluates a subscript in each. An option known
 * only at run time may be one that takes a name, so it is reported too.
 */
static void check_assigned_names(ag_walker *walker, const ag_shell_word *words, size_t count,
                                 const ag_name_syntax *syntax)
{
    bool options = true;
    bool functions = false;
    for (size_t i = 1; i < count; i++) {
        const ag_shell_word *word = &words[i];
        if (options && strcmp(word->text, "--") == 0) {
            options = false;
        } else if (options && word->text[0] == AG_DYNAMIC_MARK) {
            report_word(walker, word, "The option or variable name");
            return;
        } else if (options && is_option_word(word)) {
            size_t used = check_option_cluster(walker, words, count, i, syntax);
            if (used == SIZE_MAX)
                return;
            functions |= strcmp(syntax->name, "unset") == 0 && strchr(word->text, 'f') != NULL;
            i += used;
        } else {
            options = false;
            if (!syntax->operand_names || functions)
                return;
            check_variable_name(walker, word);
        }
    }
}

/* Returns whether `name` is one of the space-separated names in `list`. */
static bool is_one_of(const char *name, const char *list)
{
    size_t length = strlen(name);
    if (length == 0)
        return false;
    for (const char *at = strstr(list, name); at != NULL; at = strstr(at + 1, name)) {
        if ((at == list || at[-1] == ' ') && (at[length] == ' ' || at[length] == '\0'))
            return true;
    }
    return false;
}

/* Attributes given by the options of a declaration: declare -A, -i, -n, -f and -F. */
typedef struct ag_declaration {
    bool associative, integer, reference, functions;
    size_t first_name;
} ag_declaration;

static ag_declaration read_declaration_options(const ag_shell_word *words, size_t count)
{
    /* export -n removes the export attribute; only these make a name reference. */
    bool references = is_one_of(words[0].text, "declare typeset local");
    ag_declaration declaration = {0};
    size_t i = 1;
    for (; i < count; i++) {
        const char *text = words[i].text;
        if (strcmp(text, "--") == 0) {
            i++;
            break;
        }
        /* An option known only at run time is checked as a name, which reports it. */
        if ((text[0] != '-' && text[0] != '+') || text[1] == '\0'
            || strchr(text, AG_DYNAMIC_MARK) != NULL)
            break;
        /* `+i` removes an attribute, which changes nothing the analysis needs. */
        if (text[0] == '+')
            continue;
        declaration.associative |= strchr(text, 'A') != NULL;
        declaration.integer |= strchr(text, 'i') != NULL;
        declaration.reference |= references && strchr(text, 'n') != NULL;
        declaration.functions |= strchr(text, 'f') != NULL || strchr(text, 'F') != NULL;
    }
    declaration.first_name = i;
    return declaration;
}

/* A subscript of an associative array is a string, but `$` or a backtick in it still expand. */
static bool is_plain_associative_name(const char *text, size_t length)
{
    size_t name = strcspn(text, "[");
    if (name >= length || !is_plain_variable_name(text, name))
        return is_plain_variable_name(text, length);
    for (size_t i = name; i < length; i++) {
        if (text[i] == '$' || text[i] == '`' || text[i] == AG_DYNAMIC_MARK)
            return false;
    }
    return text[length - 1] == ']';
}

/*
 * True when the source of a declaration word is not an unquoted `NAME=(`
 * or `NAME+=(`: declare then parses and expands a value in parentheses
 * again, so `declare -a "a=($v)"` runs the substitutions in v's value.
 */
static bool is_quoted_compound(const ag_walker *walker, const ag_shell_word *word,
                               const char *value)
{
    if (value == NULL || value[0] != '(' || memchr(value, AG_DYNAMIC_MARK, strlen(value)) == NULL)
        return false;
    const char *source = walker->source + word->start;
    size_t length = word->end - word->start;
    size_t name = 0;
    while (name < length && (is_name_start(source[name]) || isdigit((unsigned char)source[name])))
        name++;
    if (name < length && source[name] == '+')
        name++;
    return !(name + 1 < length && source[name] == '=' && source[name + 1] == '(');
}

static void check_declared_word(ag_walker *walker, const ag_shell_word *word,
                                const ag_declaration *declaration)
{
    size_t name = assignment_name_length(word->text, word->length);
    const char *value = assignment_value(word->text, word->length);
    bool plain = declaration->associative ? is_plain_associative_name(word->text, name)
                                          : is_plain_variable_name(word->text, name);
    if (!plain)
        report_word(walker, word, "The variable name");
    else if (declaration->reference && value != NULL && value[0] != '\0'
             && !is_plain_variable_name(value, strlen(value)))
        report_word(walker, word, "The name reference");
    else if (!declaration->associative && has_variable_array_key(value))
        report_word(walker, word, "The array key");
    else if (word->end <= walker->source_length && is_quoted_compound(walker, word, value))
        report_word(walker, word, "The quoted compound assignment");
}

/*
 * Checks declare, typeset, local, export and readonly. With -i every value
 * later assigned to the variable, by any command, is evaluated as
 * arithmetic, which the analysis cannot follow, so -i with a name reports.
 */
static void check_declaration(ag_walker *walker, const ag_shell_word *words, size_t count)
{
    ag_declaration declaration = read_declaration_options(words, count);
    if (declaration.functions || declaration.first_name >= count)
        return;
    if (declaration.integer) {
        ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, words[0].start, words[count - 1].end,
                             "The integer attribute (-i) at byte %u makes Bash evaluate every "
                             "value assigned to the variable as arithmetic, which can run "
                             "commands from array subscripts the analysis cannot see.",
                             words[0].start);
        return;
    }
    for (size_t i = declaration.first_name; i < count; i++) {
        /* `local -` saves the shell options. */
        if (strcmp(words[i].text, "-") != 0)
            check_declared_word(walker, &words[i], &declaration);
    }
}

/* `test -v NAME`, `[ -v NAME ]` and `[[ -v NAME ]]` evaluate a subscript in NAME. */
static void check_test_names(ag_walker *walker, const ag_shell_word *words, size_t count)
{
    for (size_t i = 2; i < count; i++) {
        const char *text = words[i].text;
        if (strcmp(words[i - 1].text, "-v") == 0 && strcmp(text, "]") != 0
            && strcmp(text, "]]") != 0)
            check_variable_name(walker, &words[i]);
    }
}

/* True when `text` is arithmetic without a variable name: digits, operators and spaces. */
static bool is_literal_arithmetic_text(const char *text)
{
    for (const char *at = text; *at != '\0'; at++) {
        if (is_name_start(*at) || *at == '$' || *at == '`' || *at == AG_DYNAMIC_MARK)
            return false;
    }
    return true;
}

/*
 * Checks the builtins that evaluate the names or the arithmetic in their
 * arguments: `words` starts at the builtin's name.
 */
static void check_builtin_names(ag_walker *walker, const ag_shell_word *words, size_t count)
{
    const char *name = words[0].text;
    const ag_name_syntax *syntax = ag_shell_find_name_syntax(name);
    if (syntax != NULL) {
        check_assigned_names(walker, words, count, syntax);
    } else if (is_one_of(name, "declare typeset local export readonly")) {
        check_declaration(walker, words, count);
    } else if (is_one_of(name, "test [ [[")) {
        check_test_names(walker, words, count);
    } else if (strcmp(name, "getopts") == 0 && count > 2) {
        check_variable_name(walker, &words[2]);
    } else if (strcmp(name, "let") == 0) {
        for (size_t i = 1; i < count; i++) {
            if (!is_literal_arithmetic_text(words[i].text))
                report_word(walker, &words[i], "The arithmetic");
        }
    }
}

/*
 * `jobs -x [--] COMMAND` runs COMMAND; jobs with other options runs nothing.
 * Out of line for the reason that read_prefix_options() gives.
 */
AG_NOINLINE static ag_prefix read_jobs_prefix(const ag_shell_word *words, size_t count,
                                             size_t *index)
{
    size_t i = *index + 1;
    if (i < count && strcmp(words[i].text, "-x") == 0) {
        i++;
        if (i < count && strcmp(words[i].text, "--") == 0)
            i++;
        *index = i;
        return i < count && is_option_word(&words[i]) ? AG_PREFIX_UNSURE : AG_PREFIX_RUNS;
    }
    for (; i < count && is_option_word(&words[i]); i++) {
        if (strchr(words[i].text, 'x') != NULL) {
            *index = i + 1;
            return AG_PREFIX_UNSURE;
        }
    }
    return AG_PREFIX_NONE;
}

/*
 * Reads the options after `command`, `builtin` or `time` at words[*index],
 * for ag_shell_read_prefix(). Every command name goes through that function
 * and nearly all return at its first letter, which inlined loops would make
 * save and restore registers first.
 */
AG_NOINLINE static ag_prefix read_prefix_options(const ag_shell_word *words, size_t count,
                                                size_t *index)
{
    const char *name = words[*index].text;
    bool command = name[0] == 'c';
    const char *letters = name[0] == 'b' ? "" : "p";
    ag_prefix prefix = AG_PREFIX_RUNS;
    size_t i = *index + 1;
    for (; i < count && is_option_word(&words[i]); i++) {
        const char *text = words[i].text;
        if (strcmp(text, "--") == 0) {
            i++;
            break;
        }
        if (command && strpbrk(text + 1, "vV") != NULL)
            prefix = AG_PREFIX_NOTHING;
        else if (prefix == AG_PREFIX_RUNS && strspn(text + 1, letters) != strlen(text + 1))
            prefix = AG_PREFIX_UNSURE;
    }
    *index = i;
    return prefix;
}

ag_prefix ag_shell_read_prefix(const ag_shell_word *words, size_t count, size_t *index)
{
    const char *name = words[*index].text;
    /* The first letter leaves one name to compare, and most command names have none. */
    switch (name[0]) {
    case 'c':
        if (strcmp(name, "command") != 0)
            return AG_PREFIX_NONE;
        break;
    case 'b':
        if (strcmp(name, "builtin") != 0)
            return AG_PREFIX_NONE;
        break;
    case 't':
        if (*index != 0 || strcmp(name, "time") != 0)
            return AG_PREFIX_NONE;
        break;
    case 'j':
        return strcmp(name, "jobs") == 0 ? read_jobs_prefix(words, count, index) : AG_PREFIX_NONE;
    default:
        return AG_PREFIX_NONE;
    }
    return read_prefix_options(words, count, index);
}

/*
 * Returns the number of words that a reserved word at words[i] takes when
 * tree-sitter-bash 0.25.1 reads it as a command word, or 0. After `time`,
 * `!` or `coproc` it reads a compound command as plain commands, so `time
 * for i in 1; do read 'a[$(rm x)]'; done` gives a command `do read ...`,
 * and `coproc printf -v 'a[$(rm x)]' z` keeps `coproc` as the name.
 */
static size_t misread_reserved_words(const ag_shell_word *words, size_t count, size_t i)
{
    static const char reserved[] = "! { then do else elif if while until";
    const char *name = words[i].text;
    /* Every command goes through here, and the first letter rules out most names. */
    if (words[i].dynamic || name[0] == '\0' || strchr("!{tdeiwuc", name[0]) == NULL)
        return 0;
    if (is_one_of(name, reserved))
        return 1;
    /* ag_shell_read_prefix() reads `time` only as the first word. */
    if (i > 0 && strcmp(name, "time") == 0) {
        size_t used = 1;
        while (i + used < count
               && (strcmp(words[i + used].text, "-p") == 0 || strcmp(words[i + used].text, "--") == 0))
            used++;
        return used;
    }
    if (strcmp(name, "coproc") != 0)
        return 0;
    /* Bash reads a NAME only before a compound command. */
    bool named = i + 2 < count && !words[i + 2].dynamic
                 && is_one_of(words[i + 2].text, "{ if while until for case select [[ ((");
    return named ? 2 : 1;
}

/*
 * Returns the index of the word that names the builtin that runs, after the
 * prefixes of ag_shell_read_prefix() and the misread reserved words of
 * misread_reserved_words(), or `count` when none does. After a prefix with
 * an unknown option the operand is checked as if it ran.
 */
static size_t builtin_word(const ag_shell_word *words, size_t count)
{
    size_t i = 0;
    while (i < count) {
        size_t reserved = misread_reserved_words(words, count, i);
        if (reserved > 0) {
            i += reserved;
            continue;
        }

        size_t next = i;
        ag_prefix prefix = ag_shell_read_prefix(words, count, &next);
        if (prefix == AG_PREFIX_NONE)
            return i;
        if (prefix == AG_PREFIX_NOTHING)
            return count;
        i = next;
    }
    return count;
}

/*
 * Builtins that take variable names and evaluate subscripts in them. Every
 * command's name is looked up here, so the first letter picks the few names
 * to compare.
 */
static bool takes_variable_names(const char *name)
{
    switch (name[0]) {
    case 't':
        return is_one_of(name, "test typeset");
    case '[':
        return is_one_of(name, "[ [[");
    case 'p':
        return strcmp(name, "printf") == 0;
    case 'r':
        return is_one_of(name, "read readonly readarray");
    case 'd':
        return strcmp(name, "declare") == 0;
    case 'l':
        return is_one_of(name, "local let");
    case 'e':
        return strcmp(name, "export") == 0;
    case 'u':
        return strcmp(name, "unset") == 0;
    case 'm':
        return strcmp(name, "mapfile") == 0;
    case 'g':
        return strcmp(name, "getopts") == 0;
    case 'w':
        return strcmp(name, "wait") == 0;
    case '(':
        return strcmp(name, "((") == 0;
    default:
        return false;
    }
}

/*
 * Returns whether an assignment gives one of Bash's integer variables a
 * value that is not plain digits. RANDOM, SRANDOM, SECONDS, LINENO and
 * HISTCMD have the integer attribute, so Bash evaluates the value as
 * arithmetic, with the subscripts in the values of the names it reads.
 */
static bool assigns_integer_variable(const ag_shell_word *assignment)
{
    static const char *const names[] = {"RANDOM", "SRANDOM", "SECONDS", "LINENO", "HISTCMD"};
    size_t name_length = assignment_name_length(assignment->text, assignment->length);
    const char *value = assignment_value(assignment->text, assignment->length);
    if (value == NULL)
        return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strlen(names[i]) == name_length
            && memcmp(assignment->text, names[i], name_length) == 0)
            return assignment->dynamic || strspn(value, "0123456789") != strlen(value);
    }
    return false;
}

static void check_command_words(ag_walker *walker, const ag_shell_command *command)
{
    for (size_t i = 0; i < command->assignment_count; i++) {
        const ag_shell_word *assignment = &command->assignments[i];
        if (is_risky_assignment(assignment->text))
            report_word(walker, assignment, "The assignment");
        else if (has_variable_array_key(assignment_value(assignment->text, assignment->length)))
            report_word(walker, assignment, "The array key");
        else if (assigns_integer_variable(assignment))
            report_word(walker, assignment, "The integer variable's value");
    }
    size_t first = builtin_word(command->words, command->word_count);
    if (first >= command->word_count || !takes_variable_names(command->words[first].text))
        return;

    const ag_shell_word *words = command->words + first;
    size_t count = command->word_count - first;
    bool declaration = is_one_of(words[0].text, "declare typeset local export readonly");
    for (size_t i = 1; i < count; i++) {
        const ag_shell_word *word = &words[i];
        const ag_shell_word *previous = &words[i - 1];
        bool names_dynamic = word->dynamic && strcmp(previous->text, "-v") == 0;
        if ((strchr(word->text, '[') != NULL && has_code(word->text)) || names_dynamic
            || (declaration && strchr(word->text, '=') != NULL
                && (is_risky_assignment(word->text) || assigns_integer_variable(word))))
            report_word(walker, word, "The argument");
    }
    check_builtin_names(walker, words, count);
}

void ag_check_evaluated_words(ag_walker *walker)
{
    const ag_shell_command *commands = walker->commands.items;
    for (size_t i = 0; i < walker->commands.count; i++)
        check_command_words(walker, &commands[i]);
}
