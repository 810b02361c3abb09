/*
 * Word building: quote removal as Bash does it before passing argv, with one
 * AG_DYNAMIC_MARK per part only known at run time.
 *
 * Each text byte carries a `syntax` flag: 1 when it came from unquoted,
 * unescaped source text, so it may still act as a glob, brace or tilde. The
 * post-pass in ag_word_finish() uses those flags on the whole word, because
 * tree-sitter splits `{a,"b c"}` or `~/"x"` into several nodes.
 */
#include <ctype.h>
#include <string.h>

#include "shell/internal.h"

/*
 * Bounds on what the pool keeps, so one huge word (a long heredoc) or a deeply
 * nested command does not pin memory for the analyzer's lifetime: at most
 * 32 buffers of at most 16 KiB each. A larger buffer is freed on release.
 * Reusing the buffers removed 8.3 of the 25.9 mallocs per check on the first
 * 2,000 agent-commands.txt requests (counted with -Wl,--wrap=malloc).
 */
enum { AG_WORD_POOL_MAX_BUFFERS = 32, AG_WORD_POOL_MAX_BYTES = 16 * 1024 };

/* Allocates the pool's slots up front, so returning a buffer never allocates. */
bool ag_buffer_pool_init(ag_buffer_pool *pool)
{
    pool->buffers = ag_malloc(AG_WORD_POOL_MAX_BUFFERS * sizeof(*pool->buffers));
    pool->count = 0;
    pool->capacity = pool->buffers == NULL ? 0 : AG_WORD_POOL_MAX_BUFFERS;
    return pool->buffers != NULL;
}

static ag_buffer take_buffer(ag_buffer_pool *pool)
{
    ag_buffer buffer;
    if (pool != NULL && pool->count > 0)
        return pool->buffers[--pool->count];
    ag_buffer_init(&buffer);
    return buffer;
}

/* Keeps the buffer's memory in the pool when it fits, else frees it. */
static void return_buffer(ag_buffer_pool *pool, ag_buffer *buffer)
{
    if (pool == NULL || buffer->data == NULL || buffer->capacity > AG_WORD_POOL_MAX_BYTES
        || pool->count >= pool->capacity) {
        ag_buffer_release(buffer);
        return;
    }
    ag_buffer_clear(buffer);
    pool->buffers[pool->count++] = *buffer;
    ag_buffer_init(buffer);
}

void ag_buffer_pool_release(ag_buffer_pool *pool)
{
    for (size_t i = 0; i < pool->count; i++)
        ag_buffer_release(&pool->buffers[i]);
    ag_free(pool->buffers);
    *pool = (ag_buffer_pool){0};
}

void ag_word_begin(ag_walker *walker, ag_word_builder *builder, uint32_t start)
{
    builder->text = take_buffer(walker->word_buffers);
    builder->syntax = take_buffer(walker->word_buffers);
    builder->has_syntax = false;
    builder->dynamic = false;
    builder->splits = false;
    builder->field_splits = false;
    builder->quoted = 0;
    builder->empty = true;
    builder->pending_dollar = false;
    builder->first_variable = AG_WORD_VARIABLE_NONE;
    builder->value_start = 0;
    builder->assignment = false;
    builder->start = start;
    builder->end = start;
}

void ag_word_release(ag_walker *walker, ag_word_builder *builder)
{
    return_buffer(walker->word_buffers, &builder->text);
    return_buffer(walker->word_buffers, &builder->syntax);
}

/* Appends `length` syntax flags of one value, a block at a time. */
static void append_flags(ag_buffer *syntax, bool value, size_t length)
{
    static const char ones[64] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1,
    };
    static const char zeros[64];
    const char *block = value ? ones : zeros;
    while (length > 0) {
        size_t step = length < sizeof(ones) ? length : sizeof(ones);
        ag_buffer_append(syntax, block, step);
        length -= step;
    }
}

void ag_word_add_literal(ag_word_builder *builder, const char *text, size_t length, bool syntax)
{
    ag_buffer_append(&builder->text, text, length);
    append_flags(&builder->syntax, syntax, length);
    builder->has_syntax = builder->has_syntax || syntax;
}

void ag_word_add_mark(ag_word_builder *builder)
{
    char mark = AG_DYNAMIC_MARK;
    ag_word_add_literal(builder, &mark, 1, false);
    builder->dynamic = true;
    builder->splits = builder->splits || builder->quoted == 0;
    builder->field_splits = builder->field_splits || builder->quoted == 0;
}

static const char *node_text(const ag_walker *walker, ag_node_id node, size_t *length)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    if (end > walker->source_length)
        end = walker->source_length;
    if (start > end)
        start = end;
    *length = end - start;
    return walker->source + start;
}

/* True when `c` after an unquoted `$` starts an expansion. */
static bool starts_expansion(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (c != '\0' && strchr("{(@*#?$!-", c) != NULL);
}

/*
 * True when text[i] starts code that Bash runs: a backtick, `$(`, or when
 * `unquoted`, `<(` or `>(`. The caller has skipped backslash escapes.
 */
static bool starts_code(const char *text, size_t length, size_t i, bool unquoted)
{
    char next = i + 1 < length ? text[i + 1] : '\0';
    if (text[i] == '`')
        return true;
    if (text[i] == '$')
        return next == '(';
    return unquoted && (text[i] == '<' || text[i] == '>') && next == '(';
}

/*
 * Keeps the text between the backtick at `offset` and its closing backtick
 * as a piece that the line analysis parses alone, so a deny rule still
 * meets the commands in it. The closing backtick is the next one that no
 * backslash escapes, as Bash finds it. A backtick before the end of the
 * last piece is that piece's closing one or was walked out of source order,
 * so it adds nothing: the request asks for it anyway.
 */
static void add_unparsed_piece(ag_walker *walker, uint32_t offset)
{
    if (offset < walker->unparsed_end)
        return;
    const char *source = walker->source;
    uint32_t close = offset + 1;
    while (close < walker->source_length && source[close] != '`')
        close += source[close] == '\\' ? 2 : 1;
    if (close >= walker->source_length)
        return;

    ag_shell_span *slot = ag_vec_push(walker, &walker->unparsed_pieces, sizeof(*slot));
    if (slot != NULL)
        *slot = (ag_shell_span){offset + 1, close};
    walker->unparsed_end = close + 1;
}

/*
 * Records code that tree-sitter-bash left as plain text, such as a backtick
 * in `${x:-`cmd`}` or in a heredoc body. The walk cannot list the commands
 * inside, so the analysis is incomplete, and the text of a backtick pair is
 * kept for the line analysis (add_unparsed_piece()). `text` points into
 * the source.
 */
static void report_unparsed_code(ag_walker *walker, const char *text)
{
    uint32_t offset = (uint32_t)(text - walker->source);
    if (text[0] == '`')
        add_unparsed_piece(walker, offset);
    ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, offset, offset + 1,
                         "Unparsed command or process substitution at byte %u: tree-sitter-bash "
                         "leaves it as text there, so the commands in it are not analysed "
                         "with the rest of the command.",
                         offset);
}

void ag_check_unparsed(ag_walker *walker, const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\\') {
            i++;
        } else if (starts_code(text, length, i, true)) {
            report_unparsed_code(walker, text + i);
            return;
        } else if (text[i] == '$' && i + 1 < length && text[i + 1] == '[') {
            /* `$[y]` is arithmetic, which evaluates subscripts in y's value. */
            uint32_t offset = (uint32_t)(text + i - walker->source);
            ag_walker_problem_at(walker, AG_SHELL_UNKNOWN_NODE, offset, offset + 2,
                                 "Unparsed arithmetic `$[` at byte %u: tree-sitter-bash leaves "
                                 "it as text there, and Bash evaluates array subscripts in the "
                                 "values it reads.", offset);
            return;
        }
    }
}

/*
 * Unquoted text: backslash escapes and line continuations. A `$` or backtick
 * that tree-sitter left inside a word still counts as an expansion, so a
 * grammar gap can only make a word more dynamic, never less, and one that
 * runs code makes the analysis incomplete.
 */
static void add_unquoted(ag_walker *walker, ag_word_builder *builder, const char *text,
                         size_t length)
{
    /* Bytes from `run` up to the current one are plain, added in one append. */
    size_t run = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c != '\\' && c != '$' && c != '`' && c != '<' && c != '>')
            continue;
        if (c == '\\' && i + 1 < length) {
            ag_word_add_literal(builder, text + run, i - run, true);
            if (text[i + 1] != '\n')
                ag_word_add_literal(builder, &text[i + 1], 1, false);
            i++;
            run = i + 1;
            continue;
        }
        if (starts_code(text, length, i, true))
            report_unparsed_code(walker, text + i);
        if ((c == '$' && i + 1 < length && starts_expansion(text[i + 1])) || c == '`') {
            ag_word_add_literal(builder, text + run, i - run, true);
            ag_word_add_mark(builder);
            run = i + 1;
        }
    }
    ag_word_add_literal(builder, text + run, length - run, true);
}

/*
 * Text inside double quotes or an expanding heredoc. A backslash only escapes
 * the characters in `escapable`. `strip_tabs` removes leading tabs of each
 * line (for <<-), with *line_start carried across segments.
 */
static void add_quoted(ag_walker *walker, ag_word_builder *builder, const char *text,
                       size_t length, const char *escapable, bool expands, bool strip_tabs,
                       bool *line_start)
{
    /* Bytes from `run` up to the current one are literal, added in one append. */
    size_t run = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        /* *line_start is read only when stripping tabs, so other calls skip it. */
        if (strip_tabs) {
            if (*line_start && c == '\t') {
                ag_word_add_literal(builder, text + run, i - run, false);
                run = i + 1;
                continue;
            }
            *line_start = c == '\n';
        }

        if (!expands || (c != '\\' && c != '$' && c != '`'))
            continue;
        if (c == '\\' && i + 1 < length && strchr(escapable, text[i + 1]) != NULL) {
            ag_word_add_literal(builder, text + run, i - run, false);
            if (text[i + 1] != '\n')
                ag_word_add_literal(builder, &text[i + 1], 1, false);
            i++;
            run = i + 1;
        } else if ((c == '$' && i + 1 < length && starts_expansion(text[i + 1])) || c == '`') {
            if (starts_code(text, length, i, false))
                report_unparsed_code(walker, text + i);
            ag_word_add_literal(builder, text + run, i - run, false);
            ag_word_add_mark(builder);
            run = i + 1;
        }
    }
    ag_word_add_literal(builder, text + run, length - run, false);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void add_utf8(ag_word_builder *builder, uint32_t code)
{
    char bytes[4];
    size_t length;
    if (code < 0x80) {
        bytes[0] = (char)code;
        length = 1;
    } else if (code < 0x800) {
        bytes[0] = (char)(0xC0 | (code >> 6));
        bytes[1] = (char)(0x80 | (code & 0x3F));
        length = 2;
    } else if (code < 0x10000) {
        bytes[0] = (char)(0xE0 | (code >> 12));
        bytes[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (code & 0x3F));
        length = 3;
    } else {
        bytes[0] = (char)(0xF0 | ((code >> 18) & 0x07));
        bytes[1] = (char)(0x80 | ((code >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (code & 0x3F));
        length = 4;
    }
    ag_word_add_literal(builder, bytes, length, false);
}

/* Reads up to `max` digits of `base` at text[*i]; *i ends on the last digit read. */
static uint32_t read_number(const char *text, size_t length, size_t *i, int base, int max, int *digits)
{
    uint32_t value = 0;
    *digits = 0;
    while (*digits < max && *i + 1 < length) {
        int digit = hex_value(text[*i + 1]);
        if (digit < 0 || digit >= base)
            break;
        value = value * (uint32_t)base + (uint32_t)digit;
        (*i)++;
        (*digits)++;
    }
    return value;
}

static char ansi_c_simple_escape(char c)
{
    switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'e': case 'E': return '\x1b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    case '\\': return '\\';
    case '\'': return '\'';
    case '"': return '"';
    case '?': return '?';
    default: return 0;
    }
}

/*
 * Decodes the inside of $'...'. Bash ends the string at a decoded NUL
 * because argv strings cannot hold one, so the rest is dropped.
 */
static void add_ansi_c(ag_word_builder *builder, const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (text[i] != '\\' || i + 1 >= length) {
            ag_word_add_literal(builder, &text[i], 1, false);
            continue;
        }

        char escape = text[++i];
        char simple = ansi_c_simple_escape(escape);
        uint32_t code;
        int digits;
        if (simple != 0) {
            ag_word_add_literal(builder, &simple, 1, false);
            continue;
        }
        if (escape >= '0' && escape <= '7') {
            i--;
            code = read_number(text, length, &i, 8, 3, &digits) & 0xFF;
        } else if (escape == 'x') {
            code = read_number(text, length, &i, 16, 2, &digits);
        } else if (escape == 'u' || escape == 'U') {
            code = read_number(text, length, &i, 16, escape == 'u' ? 4 : 8, &digits);
            if (digits > 0 && code != 0) {
                add_utf8(builder, code > 0x10FFFF ? 0xFFFD : code);
                continue;
            }
        } else if (escape == 'c' && i + 1 < length) {
            code = (uint32_t)(text[++i] & 0x1F);
            digits = 1;
        } else {
            /* Bash keeps an unknown escape as written. */
            ag_word_add_literal(builder, &text[i - 1], 2, false);
            continue;
        }

        if (digits == 0) {
            ag_word_add_literal(builder, &text[i - 1], 2, false);
            continue;
        }
        if (code == 0)
            return;
        char byte = (char)code;
        ag_word_add_literal(builder, &byte, 1, false);
    }
}

static bool is_expansion_kind(ag_node_kind kind)
{
    return kind == AG_NODE_SIMPLE_EXPANSION || kind == AG_NODE_EXPANSION
        || kind == AG_NODE_COMMAND_SUBSTITUTION || kind == AG_NODE_ARITHMETIC_EXPANSION
        || kind == AG_NODE_PROCESS_SUBSTITUTION;
}

/*
 * Adds the parts of a node holding literal text between expansions: a
 * double-quoted string or a heredoc body. The text between the expansion
 * children is read from the source, because tree-sitter-bash does not cover
 * every byte with a content node (it folds spaces into the `$(` token).
 */
static void add_with_expansions(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                                uint32_t start, uint32_t end, const char *escapable,
                                bool expands, bool strip_tabs, ag_walk_state state)
{
    bool line_start = true;
    uint32_t cursor = start;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);

    for (ag_node_id child = first; child < first + count && expands; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (!ag_node_is_named(walker, child) || kind == AG_NODE_STRING_CONTENT
            || kind == AG_NODE_HEREDOC_CONTENT)
            continue;

        uint32_t child_start = ag_node_at(walker, child)->start;
        while (child_start < end && isspace((unsigned char)walker->source[child_start]))
            child_start++;
        if (child_start < cursor || child_start > end)
            child_start = cursor;
        add_quoted(walker, builder, walker->source + cursor, child_start - cursor, escapable,
                   expands, strip_tabs, &line_start);

        if (!is_expansion_kind(kind) && kind != AG_NODE_ERROR)
            ag_walker_problem(walker, AG_SHELL_UNKNOWN_NODE, child,
                              "Unexpected `%s` inside quoted text at byte %u; the analysis "
                              "does not know its value.", ag_node_type(walker, child), child_start);
        ag_word_add(walker, builder, child, state);
        line_start = false;

        uint32_t child_end = ag_node_at(walker, child)->end;
        if (child_end > cursor)
            cursor = child_end > end ? end : child_end;
    }

    if (cursor < end)
        add_quoted(walker, builder, walker->source + cursor, end - cursor, escapable, expands,
                   strip_tabs, &line_start);
}

static void add_double_quoted(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                              ag_walk_state state)
{
    uint32_t start = ag_node_at(walker, node)->start;
    uint32_t end = ag_node_at(walker, node)->end;
    if (start < end && walker->source[start] == '"')
        start++;
    if (end > start && walker->source[end - 1] == '"')
        end--;
    builder->quoted++;
    add_with_expansions(walker, builder, node, start, end, "\"\\$`\n", true, false, state);
    builder->quoted--;
}

static void add_quoted_content(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                               size_t prefix, bool ansi_c)
{
    size_t length;
    const char *text = node_text(walker, node, &length);
    if (length >= prefix) {
        text += prefix;
        length -= prefix;
    }
    if (length > 0 && text[length - 1] == '\'')
        length--;
    if (ansi_c)
        add_ansi_c(builder, text, length);
    else
        ag_word_add_literal(builder, text, length, false);
}

/* Adds a part whose value is unknown, after listing the commands inside it. */
/* Returns the variable that the expansion `node` is exactly: $NAME or ${NAME}. */
static ag_word_variable expansion_variable(const ag_walker *walker, ag_node_id node)
{
    static const struct {
        const char *text;
        ag_word_variable variable;
    } forms[] = {{"$HOME", AG_WORD_VARIABLE_HOME}, {"${HOME}", AG_WORD_VARIABLE_HOME},
                 {"$PWD", AG_WORD_VARIABLE_PWD}, {"${PWD}", AG_WORD_VARIABLE_PWD}};
    size_t length;
    const char *text = node_text(walker, node, &length);
    for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
        if (length == strlen(forms[i].text) && memcmp(text, forms[i].text, length) == 0)
            return forms[i].variable;
    }
    return AG_WORD_VARIABLE_NONE;
}

static void add_dynamic(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                        ag_walk_state state)
{
    if (builder->text.length == 0 && !builder->pending_dollar)
        builder->first_variable = expansion_variable(walker, node);
    ag_word_add_mark(builder);
    /* "$@" and "${a[@]}" give one word per element even in double quotes. */
    size_t length;
    const char *text = node_text(walker, node, &length);
    bool each_element = memchr(text, '@', length) != NULL;
    builder->splits = builder->splits || each_element;
    builder->field_splits = builder->field_splits || each_element;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        if (ag_node_is_named(walker, child))
            ag_walk_scan(walker, child, state);
    }
}

static void add_array(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                      ag_walk_state state)
{
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    bool separate = false;
    ag_word_add_literal(builder, "(", 1, false);
    for (ag_node_id child = first; child < first + count; child++) {
        if (!ag_node_is_named(walker, child))
            continue;
        if (separate)
            ag_word_add_literal(builder, " ", 1, false);
        ag_word_add(walker, builder, child, state);
        separate = true;
    }
    ag_word_add_literal(builder, ")", 1, false);
}

static void flush_dollar(ag_walker *walker, ag_word_builder *builder, ag_node_id next,
                         ag_node_kind kind)
{
    if (!builder->pending_dollar)
        return;
    builder->pending_dollar = false;

    /* $"..." is a translated string: its value is the string's. */
    if (kind == AG_NODE_STRING
        && ag_nodes_touch(walker, builder->end, ag_node_at(walker, next)->start))
        return;
    ag_word_add_literal(builder, "$", 1, false);
}

static void add_by_kind(ag_walker *walker, ag_word_builder *builder, ag_node_id node,
                        ag_node_kind kind, ag_walk_state state)
{
    size_t length;
    const char *text = node_text(walker, node, &length);
    uint32_t count;
    ag_node_id first;

    switch (kind) {
    case AG_NODE_ANONYMOUS:
        if (length == 1 && text[0] == '$')
            builder->pending_dollar = true;
        else
            ag_word_add_literal(builder, text, length, false);
        break;
    case AG_NODE_WORD:
    case AG_NODE_EXTGLOB_PATTERN:
        add_unquoted(walker, builder, text, length);
        break;
    case AG_NODE_NUMBER:
        if (ag_node_at(walker, node)->named_child_count > 0)
            add_dynamic(walker, builder, node, state);
        else
            add_unquoted(walker, builder, text, length);
        break;
    case AG_NODE_STRING:
        add_double_quoted(walker, builder, node, state);
        break;
    case AG_NODE_RAW_STRING:
        add_quoted_content(walker, builder, node, 1, false);
        break;
    case AG_NODE_ANSI_C_STRING:
        add_quoted_content(walker, builder, node, 2, true);
        break;
    case AG_NODE_TRANSLATED_STRING:
    case AG_NODE_CONCATENATION:
        first = ag_node_children(walker, node, &count);
        for (ag_node_id child = first; child < first + count; child++)
            ag_word_add(walker, builder, child, state);
        break;
    case AG_NODE_COMMAND_SUBSTITUTION:
        ag_word_add_mark(builder);
        ag_walk_substitution(walker, node, state, AG_CONTEXT_SUBSTITUTION);
        break;
    case AG_NODE_PROCESS_SUBSTITUTION:
        ag_word_add_mark(builder);
        ag_walk_substitution(walker, node, state, AG_CONTEXT_PROCESS_SUBSTITUTION);
        break;
    case AG_NODE_ARRAY:
        add_array(walker, builder, node, state);
        break;
    case AG_NODE_REGEX:
        /*
         * tree-sitter-bash 0.25.1 also reads `[[ x =~ $(rm x) ]]` after a
         * command name (`echo [[ ...`) as a test with a regex leaf, while
         * Bash reads plain words and runs the substitution.
         */
        ag_check_unparsed(walker, text, length);
        ag_word_add_literal(builder, text, length, false);
        break;
    case AG_NODE_VARIABLE_NAME:
    case AG_NODE_SPECIAL_VARIABLE_NAME:
    case AG_NODE_TEST_OPERATOR:
    case AG_NODE_FILE_DESCRIPTOR:
        ag_word_add_literal(builder, text, length, false);
        break;
    case AG_NODE_EXPANSION:
        ag_check_expansion(walker, node);
        ag_walk_expansion_assignment(walker, node, state);
        add_dynamic(walker, builder, node, state);
        break;
    case AG_NODE_ARITHMETIC_EXPANSION:
        ag_check_arithmetic(walker, node);
        add_dynamic(walker, builder, node, state);
        break;
    case AG_NODE_SIMPLE_EXPANSION:
    case AG_NODE_BRACE_EXPRESSION:
    case AG_NODE_BINARY_EXPRESSION:
    case AG_NODE_UNARY_EXPRESSION:
    case AG_NODE_TERNARY_EXPRESSION:
    case AG_NODE_POSTFIX_EXPRESSION:
    case AG_NODE_PARENTHESIZED_EXPRESSION:
    case AG_NODE_SUBSCRIPT:
    case AG_NODE_VARIABLE_ASSIGNMENT:
    case AG_NODE_ERROR:
        add_dynamic(walker, builder, node, state);
        break;
    default:
        /* A statement or an unknown type where a word was expected. */
        ag_word_add_mark(builder);
        ag_walk_scan(walker, node, state);
        break;
    }
}

void ag_word_add(ag_walker *walker, ag_word_builder *builder, ag_node_id node, ag_walk_state state)
{
    if (!ag_walker_enter(walker, node)) {
        ag_word_add_mark(builder);
        return;
    }

    ag_node_kind kind = ag_node_kind_at(walker, node);
    flush_dollar(walker, builder, node, kind);
    add_by_kind(walker, builder, node, kind, state);

    uint32_t end = ag_node_at(walker, node)->end;
    if (builder->empty || end > builder->end)
        builder->end = end;
    builder->empty = false;
    ag_walker_leave(walker);
}

/*
 * Finds, for every unquoted `{`, the index of the unquoted `}` that closes
 * it (0 when none does) and whether the brace expands: an unquoted `,` or
 * `..` directly inside it, not inside a nested brace. One pass with a stack
 * keeps a word of many braces linear. Returns false when memory runs out.
 */
static bool match_braces(ag_arena *arena, const char *text, const char *syntax, size_t length,
                         size_t *close, bool *expands)
{
    size_t *open = ag_arena_alloc(arena, length * sizeof(*open));
    if (open == NULL)
        return false;

    size_t depth = 0;
    for (size_t i = 0; i < length; i++) {
        close[i] = 0;
        expands[i] = false;
        if (!syntax[i])
            continue;
        if (text[i] == '{') {
            open[depth++] = i;
        } else if (text[i] == '}' && depth > 0) {
            close[open[--depth]] = i;
        } else if (depth > 0 && text[i] == ',') {
            expands[open[depth - 1]] = true;
        } else if (depth > 0 && text[i] == '.' && i + 1 < length && text[i + 1] == '.'
                   && syntax[i + 1]) {
            expands[open[depth - 1]] = true;
        }
    }
    return true;
}

/* Returns the index of the first unquoted `{` that starts an expansion, or `length`. */
static size_t first_expanding_brace(const char *syntax, size_t length, const size_t *close,
                                    const bool *expands)
{
    for (size_t i = 0; i < length; i++) {
        if (syntax[i] && close[i] != 0 && expands[i])
            return i;
    }
    return length;
}

/* Appends bytes `from` to `to` of a word with their own syntax flags. */
static void copy_run(ag_word_builder *result, const char *text, const char *syntax, size_t from,
                     size_t to)
{
    ag_buffer_append(&result->text, text + from, to - from);
    ag_buffer_append(&result->syntax, syntax + from, to - from);
}

/* Replaces each brace expansion by one mark: its words are not one argv entry. */
static void collapse_braces(ag_walker *walker, ag_word_builder *builder)
{
    const char *text = builder->text.data;
    const char *syntax = builder->syntax.data;
    size_t length = builder->text.length;
    /* After a failed append the syntax flags may be missing or shorter than the text. */
    if (builder->text.failed || builder->syntax.failed || syntax == NULL)
        return;
    if (text == NULL || memchr(text, '{', length) == NULL)
        return;

    size_t *close = ag_arena_alloc(walker->arena, length * sizeof(*close));
    bool *expands = ag_arena_alloc(walker->arena, length * sizeof(*expands));
    if (close == NULL || expands == NULL
        || !match_braces(walker->arena, text, syntax, length, close, expands)) {
        builder->text.failed = true;
        return;
    }
    size_t first = first_expanding_brace(syntax, length, close, expands);
    if (first == length)
        return;

    ag_word_builder result;
    ag_word_begin(walker, &result, builder->start);
    size_t run = 0;
    for (size_t i = first; i < length; i++) {
        if (!syntax[i] || close[i] == 0 || !expands[i])
            continue;
        copy_run(&result, text, syntax, run, i);
        ag_word_add_mark(&result);
        i = close[i];
        run = i + 1;
    }
    copy_run(&result, text, syntax, run, length);

    if (result.text.failed || result.syntax.failed) {
        builder->text.failed = true;
        ag_word_release(walker, &result);
        return;
    }
    ag_word_release(walker, builder);
    builder->text = result.text;
    builder->syntax = result.syntax;
    builder->dynamic = builder->dynamic || result.dynamic;
    builder->splits = builder->splits || result.splits;
}

/*
 * A `[` starts a glob only when an unquoted `]` follows somewhere. Comparing
 * with the last unquoted `]` keeps a word of many `[` linear.
 */
static bool has_glob(const char *text, const char *syntax, size_t length)
{
    size_t last_close = 0;
    bool closes = false;
    for (size_t i = 0; i < length; i++) {
        if (syntax[i] && text[i] == ']') {
            last_close = i;
            closes = true;
        }
    }

    for (size_t i = 0; i < length; i++) {
        if (!syntax[i])
            continue;
        if (text[i] == '*' || text[i] == '?')
            return true;
        if ((text[i] == '+' || text[i] == '@' || text[i] == '!') && i + 1 < length
            && text[i + 1] == '(')
            return true;
        if (text[i] == '[' && closes && last_close > i)
            return true;
    }
    return false;
}

/* Bash expands a leading `~`, and in assignments also one after `=` or `:`. */
static bool has_tilde(const ag_word_builder *builder, const char *text, const char *syntax,
                      size_t length)
{
    if (!builder->assignment)
        return length > 0 && syntax[0] && text[0] == '~';

    for (size_t i = builder->value_start; i < length; i++) {
        bool after_separator = i == builder->value_start || (syntax[i - 1] && text[i - 1] == ':');
        if (syntax[i] && text[i] == '~' && after_separator)
            return true;
    }
    return false;
}

bool ag_word_finish(ag_walker *walker, ag_word_builder *builder, ag_shell_word *out)
{
    if (builder->pending_dollar) {
        builder->pending_dollar = false;
        ag_word_add_literal(builder, "$", 1, false);
    }
    /* An empty word ("" or '') still needs a NUL-terminated buffer. */
    ag_buffer_append(&builder->text, "", 0);
    ag_buffer_append(&builder->syntax, "", 0);
    /* Braces, globs and tildes act only where a syntax flag is 1, so a quoted word skips them. */
    if (builder->has_syntax)
        collapse_braces(walker, builder);

    const char *text = builder->text.data;
    const char *syntax = builder->syntax.data;
    size_t length = builder->text.length;
    bool failed = builder->text.failed || builder->syntax.failed;
    bool glob = !failed && builder->has_syntax && has_glob(text, syntax, length);
    if (glob || (!failed && builder->has_syntax && has_tilde(builder, text, syntax, length)))
        builder->dynamic = true;
    /* A literal 0x01 byte (`$'\1'`) looks like an unknown part to the rules,
     * so the word must say it is dynamic: that keeps both readings strict. */
    if (!failed && memchr(text, AG_DYNAMIC_MARK, length) != NULL)
        builder->dynamic = true;

    *out = (ag_shell_word){.start = builder->start, .end = builder->end, .dynamic = true};
    if (!failed && length > 0 && text[0] == AG_DYNAMIC_MARK)
        out->first_variable = builder->first_variable;
    char *copy = failed ? NULL : ag_arena_strndup(walker->arena, text, length);
    ag_word_release(walker, builder);
    if (copy == NULL) {
        ag_walker_nomem(walker);
        out->text = "";
        return false;
    }
    out->text = copy;
    out->length = length;
    out->dynamic = builder->dynamic;
    out->single = !builder->splits && !glob;
    out->splits = builder->field_splits;
    return true;
}

/* Builds "NAME=value" (or "NAME[index]+=value") from a variable_assignment. */
void ag_word_assignment(ag_walker *walker, ag_node_id node, ag_walk_state state, ag_shell_word *out)
{
    ag_word_builder builder;
    ag_word_begin(walker, &builder, ag_node_at(walker, node)->start);
    builder.assignment = true;

    bool in_value = false;
    uint32_t count;
    ag_node_id first = ag_node_children(walker, node, &count);
    for (ag_node_id child = first; child < first + count; child++) {
        ag_node_kind kind = ag_node_kind_at(walker, child);
        if (!in_value && kind == AG_NODE_SUBSCRIPT) {
            /* The name, the brackets and a literal index stay as written. */
            ag_check_subscript(walker, child);
            uint32_t part_count;
            ag_node_id part_first = ag_node_children(walker, child, &part_count);
            for (ag_node_id part = part_first; part < part_first + part_count; part++)
                ag_word_add(walker, &builder, part, state);
            continue;
        }
        ag_word_add(walker, &builder, child, state);
        if (!in_value && kind == AG_NODE_ANONYMOUS) {
            in_value = true;
            builder.value_start = builder.text.length;
        }
    }

    builder.end = ag_node_at(walker, node)->end;
    ag_word_finish(walker, &builder, out);
}

void ag_word_heredoc_body(ag_walker *walker, ag_node_id redirect, ag_node_id body, ag_node_id end,
                          bool expands, bool strip_tabs, ag_walk_state state,
                          ag_shell_word *out)
{
    const char *source = walker->source;
    uint32_t start = ag_node_at(walker, body)->start;
    uint32_t stop = end == AG_NO_NODE ? ag_node_at(walker, body)->end
                                      : ag_node_at(walker, end)->start;
    if (stop < start)
        stop = start;

    /* tree-sitter-bash leaves the tabs of the first line and the end line on the wrong side. */
    if (strip_tabs) {
        while (start > 0 && source[start - 1] == '\t')
            start--;
        while (stop > start && source[stop - 1] == '\t')
            stop--;
    }

    ag_word_builder builder;
    ag_word_begin(walker, &builder, start);
    state.context |= AG_CONTEXT_HEREDOC;
    add_with_expansions(walker, &builder, body, start, stop, "\\$`\n", expands, strip_tabs, state);
    builder.end = stop;
    builder.empty = false;
    ag_word_finish(walker, &builder, out);
    (void)redirect;
}

/* Removes the quotes of a heredoc delimiter; any quote turns expansion of the body off. */
void ag_word_delimiter(ag_walker *walker, ag_node_id start, ag_shell_word *out, bool *quoted)
{
    size_t length;
    const char *text = node_text(walker, start, &length);
    ag_word_builder builder;
    ag_word_begin(walker, &builder, ag_node_at(walker, start)->start);
    *quoted = false;

    char quote = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (quote != 0 && c == quote) {
            quote = 0;
        } else if (quote == 0 && (c == '\'' || c == '"')) {
            quote = c;
            *quoted = true;
        } else if (quote != '\'' && c == '\\' && i + 1 < length) {
            *quoted = true;
            ag_word_add_literal(&builder, &text[++i], 1, false);
        } else {
            ag_word_add_literal(&builder, &c, 1, false);
        }
    }

    builder.end = ag_node_at(walker, start)->end;
    ag_word_finish(walker, &builder, out);
}

/* True when nothing but line continuations separates two nodes, so they form one word. */
bool ag_nodes_touch(const ag_walker *walker, uint32_t end, uint32_t start)
{
    if (start <= end)
        return true;
    for (uint32_t i = end; i < start; i += 2) {
        if (i + 1 >= start || walker->source[i] != '\\' || walker->source[i + 1] != '\n')
            return false;
    }
    return true;
}

void ag_word_list_init(ag_word_list *list)
{
    list->words = (ag_vec){0};
    list->has_open = false;
    list->has_plain = false;
}

/* The bytes that keep a word token off the plain path of is_plain_word(). */
static const bool ag_word_special_bytes[256] = {
    ['\\'] = true, ['$'] = true, ['`'] = true, ['<'] = true, ['>'] = true, ['{'] = true,
    ['*'] = true, ['?'] = true, ['['] = true, ['('] = true, [AG_DYNAMIC_MARK] = true,
};

/*
 * True when the general path would copy the node's text unchanged into a
 * word that is not dynamic. That takes a word token without escapes,
 * expansions, globs, braces, a leading tilde, `<(`, `>(` or an
 * AG_DYNAMIC_MARK byte. tree-sitter-bash 0.25.1 puts no `[` or `(` in a word
 * token, but they are excluded anyway for the `[...]`, `+(`, `@(` and `!(`
 * globs.
 */
static bool is_plain_word(const ag_walker *walker, ag_node_id node)
{
    const ag_node *at = ag_node_at(walker, node);
    if (at->kind != AG_NODE_WORD || at->child_count > 0 || at->end > walker->source_length
        || at->start >= at->end)
        return false;
    /* ag_word_add() would add a mark instead where the depth limit stops it. */
    if (walker->stopped || walker->depth >= walker->max_depth)
        return false;

    const unsigned char *text = (const unsigned char *)walker->source + at->start;
    if (text[0] == '~')
        return false;
    for (uint32_t i = 0; i < at->end - at->start; i++) {
        if (ag_word_special_bytes[text[i]])
            return false;
    }
    return true;
}

/* Starts a builder holding the plain word, as if ag_word_add() had added its node. */
static void open_plain(ag_walker *walker, ag_word_list *list)
{
    list->has_plain = false;
    ag_word_begin(walker, &list->open, list->plain_start);
    ag_word_add_literal(&list->open, walker->source + list->plain_start,
                        list->plain_end - list->plain_start, true);
    list->open.end = list->plain_end;
    list->open.empty = false;
    list->has_open = true;
}

/* Stores the plain word as ag_word_finish() would: its text as written, not dynamic. */
static void store_plain(ag_walker *walker, ag_word_list *list)
{
    list->has_plain = false;
    uint32_t length = list->plain_end - list->plain_start;
    char *copy = ag_arena_strndup(walker->arena, walker->source + list->plain_start, length);
    if (copy == NULL) {
        ag_walker_nomem(walker);
        return;
    }
    ag_shell_word *slot = ag_vec_push(walker, &list->words, sizeof(*slot));
    if (slot != NULL)
        *slot = (ag_shell_word){.text = copy, .length = length, .dynamic = false,
                                .start = list->plain_start, .end = list->plain_end};
}

void ag_word_list_break(ag_walker *walker, ag_word_list *list)
{
    if (list->has_plain)
        store_plain(walker, list);
    if (!list->has_open)
        return;
    list->has_open = false;

    ag_shell_word word;
    bool stored = ag_word_finish(walker, &list->open, &word);
    ag_shell_word *slot = stored ? ag_vec_push(walker, &list->words, sizeof(*slot)) : NULL;
    if (slot != NULL)
        *slot = word;
}

/*
 * Adds a node to the open word when they touch, else starts a new word. A
 * plain word waits as a byte range until the next node shows whether it
 * continues the word, so most words never need a builder.
 */
void ag_word_list_add(ag_walker *walker, ag_word_list *list, ag_node_id node, ag_walk_state state)
{
    uint32_t start = ag_node_at(walker, node)->start;
    if (list->has_plain && ag_nodes_touch(walker, list->plain_end, start))
        open_plain(walker, list);
    if ((list->has_plain || list->has_open)
        && !ag_nodes_touch(walker, list->has_plain ? list->plain_end : list->open.end, start))
        ag_word_list_break(walker, list);

    if (!list->has_open && is_plain_word(walker, node)) {
        list->has_plain = true;
        list->plain_start = start;
        list->plain_end = ag_node_at(walker, node)->end;
        return;
    }
    if (!list->has_open) {
        ag_word_begin(walker, &list->open, start);
        list->has_open = true;
    }
    ag_word_add(walker, &list->open, node, state);
}

void ag_word_list_add_word(ag_walker *walker, ag_word_list *list, const ag_shell_word *word)
{
    ag_word_list_break(walker, list);
    ag_shell_word *slot = ag_vec_push(walker, &list->words, sizeof(*slot));
    if (slot != NULL)
        *slot = *word;
}
