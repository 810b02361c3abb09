/*
 * Line-by-line analysis, the fallback for a request whose syntax tree has an
 * ERROR or MISSING node. tree-sitter-bash's error recovery can drop a whole
 * command from the tree: in `echo \`cat /etc/shadow\`` NEWLINE `echo '\`\r'`
 * the tree contains no `cat` at all. Each line parsed on its own still shows it,
 * so the checker can apply its deny and ask rules to it.
 */
#include <string.h>
#include <time.h>

#include "shell/internal.h"

/* A logical line: physical lines joined where a newline is escaped by a backslash. */
typedef struct ag_line {
    size_t start, end;   /* end excludes the newline and a carriage return before it */
    size_t next;         /* where the next line starts */
} ag_line;

/* Returns whether the newline at `newline` follows an odd number of backslashes. */
static bool newline_is_escaped(const char *input, size_t start, size_t newline)
{
    size_t backslashes = 0;
    while (newline - backslashes > start && input[newline - backslashes - 1] == '\\')
        backslashes++;
    return backslashes % 2 == 1;
}

/* Finds the logical line that starts at `start`, in time linear in its length. */
static ag_line next_line(const char *input, size_t length, size_t start)
{
    size_t at = start;
    for (;;) {
        const char *newline = memchr(input + at, '\n', length - at);
        if (newline == NULL)
            return (ag_line){start, length, length};
        size_t offset = (size_t)(newline - input);
        if (!newline_is_escaped(input, start, offset)) {
            size_t end = offset > start && input[offset - 1] == '\r' ? offset - 1 : offset;
            return (ag_line){start, end, offset + 1};
        }
        at = offset + 1;
    }
}

static bool is_blank_line(const char *input, const ag_line *line)
{
    for (size_t i = line->start; i < line->end; i++) {
        char c = input[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\\' && c != '\n')
            return false;
    }
    return true;
}

static void shift_word(ag_shell_word *word, uint32_t offset)
{
    word->start += offset;
    word->end += offset;
}

/* Returns an arena copy of `count` items of `size` bytes at `items`, or NULL. */
static void *copy_items(ag_arena *arena, const void *items, size_t count, size_t size)
{
    void *copy = ag_arena_alloc(arena, count * size);
    if (copy != NULL)
        memcpy(copy, items, count * size);
    return copy;
}

/*
 * Gives a command arrays of its own before its spans move, because an
 * analysis may share one words array between two commands (the line
 * commands of check_word_lines() in analyze.c), which would move twice.
 */
static bool copy_arrays(ag_arena *arena, ag_shell_command *command)
{
    if (command->word_count > 0
        && (command->words = copy_items(arena, command->words, command->word_count,
                                        sizeof(*command->words))) == NULL)
        return false;
    if (command->assignment_count > 0
        && (command->assignments = copy_items(arena, command->assignments,
                                              command->assignment_count,
                                              sizeof(*command->assignments))) == NULL)
        return false;
    if (command->redirect_count > 0
        && (command->redirects = copy_items(arena, command->redirects, command->redirect_count,
                                            sizeof(*command->redirects))) == NULL)
        return false;
    return true;
}

/* Moves every span of a command parsed from a line to the same bytes of the whole input. */
static void shift_command(ag_shell_command *command, uint32_t offset)
{
    command->start += offset;
    command->end += offset;
    for (size_t i = 0; i < command->word_count; i++)
        shift_word(&command->words[i], offset);
    for (size_t i = 0; i < command->assignment_count; i++)
        shift_word(&command->assignments[i], offset);
    for (size_t i = 0; i < command->redirect_count; i++) {
        shift_word(&command->redirects[i].target, offset);
        shift_word(&command->redirects[i].body, offset);
    }
}

static uint64_t now_micros(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

/* The command and time budget that all lines of one request share. */
typedef struct ag_line_budget {
    ag_shell_limits limits;   /* of the whole request, resolved by the caller */
    uint64_t started;
    size_t used;
} ag_line_budget;

/* Fills `line_limits` with what is left; false when the commands or the time ran out. */
static bool budget_left(const ag_line_budget *budget, ag_shell_limits *line_limits)
{
    *line_limits = budget->limits;
    if (budget->limits.max_commands != 0) {
        if (budget->used >= budget->limits.max_commands)
            return false;
        line_limits->max_commands = budget->limits.max_commands - budget->used;
    }
    if (budget->limits.timeout_micros != 0) {
        uint64_t spent = now_micros() - budget->started;
        if (spent >= budget->limits.timeout_micros)
            return false;
        line_limits->timeout_micros = budget->limits.timeout_micros - spent;
    }
    return true;
}

/*
 * Appends the commands of one line's analysis to `found`, moved to the
 * line's offset. Each analysis numbers its pipelines from 1, so the numbers
 * move past those of the earlier lines (*pipelines): the directory tracker
 * takes a command that shares a pipeline with another for a child shell.
 */
static ag_status keep_line_commands(ag_arena *arena, const ag_shell_analysis *line_analysis,
                                    uint32_t offset, ag_vec *found, uint32_t *pipelines)
{
    if (line_analysis->command_count == 0)
        return AG_OK;
    size_t count = found->count + line_analysis->command_count;
    ag_shell_command *items = ag_arena_grow(arena, found->items, found->count, &found->capacity,
                                            count, sizeof(*items));
    if (items == NULL)
        return AG_ERR_NOMEM;
    found->items = items;

    uint32_t last_pipeline = 0;
    for (size_t i = 0; i < line_analysis->command_count; i++) {
        ag_shell_command *command = &items[found->count + i];
        *command = line_analysis->commands[i];
        if (!copy_arrays(arena, command))
            return AG_ERR_NOMEM;
        shift_command(command, offset);
        if (command->pipeline > last_pipeline)
            last_pipeline = command->pipeline;
        if (command->pipeline != 0)
            command->pipeline += *pipelines;
        if (command->requires != 0)
            command->requires += *pipelines;    /* it names a pipeline of the same line */
    }
    found->count = count;
    *pipelines += last_pipeline;
    return AG_OK;
}

/* Records that a limit ended the line-by-line analysis before the last line. */
static void stop_at_limit(ag_shell_analysis *out, size_t at)
{
    out->incomplete |= AG_SHELL_LIMIT;
    out->problem = "The command has a syntax error, and a limit on input bytes, commands or "
                   "parse time ended the check of its lines one by one before the last line.";
    out->problem_start = (uint32_t)at;
    out->problem_end = (uint32_t)at;
}

/* The state of one line-by-line analysis. */
typedef struct ag_line_run {
    ag_shell_analyzer *analyzer;
    const char *input;
    ag_arena *arena;
    ag_line_budget budget;
    ag_vec found;          /* ag_shell_command, spans in the whole input */
    uint32_t pipelines;    /* pipeline numbers used by the commands in `found` */
    ag_shell_analysis *out;
} ag_line_run;

/*
 * Analyses input[start..end) alone and keeps its commands, and when
 * `pieces` is not NULL also the pieces that its ERROR nodes split it into.
 * Returns false when a limit or an error ended the run: *status is AG_OK
 * after a limit and the error otherwise.
 */
static bool analyze_part(ag_line_run *run, size_t start, size_t end, ag_vec *pieces,
                         ag_status *status)
{
    ag_shell_limits limits;
    if (!budget_left(&run->budget, &limits)) {
        stop_at_limit(run->out, start);
        return false;
    }

    ag_shell_analysis analysis;
    *status = ag_shell_analyze_split(run->analyzer, run->input + start, end - start, &limits,
                                     run->arena, &analysis, pieces);
    if (*status == AG_OK && (analysis.incomplete & AG_SHELL_NOMEM))
        *status = AG_ERR_NOMEM;
    if (*status == AG_OK)
        *status = keep_line_commands(run->arena, &analysis, (uint32_t)start, &run->found,
                                     &run->pipelines);
    if (*status != AG_OK)
        return false;
    run->budget.used = run->found.count;

    /* A parse error of the part is expected here; only a limit leaves parts unread. */
    if (analysis.incomplete & AG_SHELL_LIMIT) {
        stop_at_limit(run->out, start);
        return false;
    }
    return true;
}

/*
 * Analyses one line, then each piece its ERROR nodes split it into: in
 * `echo \`cat /etc/shadow\` '\`\r'` the tree keeps no `cat`, but the piece
 * `cat /etc/shadow` between the two backticks parses. The line's unparsed
 * backtick text is a piece too. Pieces are not split again. ERROR pieces
 * never overlap each other, and neither do backtick pieces, so a line costs
 * at most three parses of its bytes.
 */
static bool analyze_line(ag_line_run *run, const ag_line *line, ag_status *status)
{
    ag_vec pieces = {0};
    if (!analyze_part(run, line->start, line->end, &pieces, status))
        return false;

    const ag_shell_span *spans = pieces.items;
    for (size_t i = 0; i < pieces.count; i++) {
        size_t start = line->start + spans[i].start;
        size_t end = line->start + spans[i].end;
        if (!analyze_part(run, start, end, NULL, status))
            return false;
    }
    return true;
}

/*
 * Analyses the pieces of `whole`, the analysis of the input of `run`, each
 * alone: its ERROR pieces and its unparsed backtick text. Returns false
 * when a limit or an error ended the run.
 */
static bool analyze_whole_pieces(ag_line_run *run, const ag_shell_analysis *whole,
                                 size_t length, ag_status *status)
{
    for (size_t i = 0; i < whole->error_piece_count; i++) {
        const ag_shell_span *span = &whole->error_pieces[i];
        if (span->start >= span->end || span->end > length)
            continue;
        if (!analyze_part(run, span->start, span->end, NULL, status))
            return false;
    }
    return true;
}

/* Checks the arguments of a line-by-line analysis, clears *out and starts the budget. */
static ag_status start_run(ag_line_run *run, ag_shell_analyzer *analyzer, const char *input,
                           size_t length, const ag_shell_limits *limits, ag_arena *arena,
                           ag_shell_analysis *out)
{
    if (out == NULL)
        return AG_ERR_ARGUMENT;
    *out = (ag_shell_analysis){0};
    if (analyzer == NULL || arena == NULL || (input == NULL && length > 0) || length > UINT32_MAX)
        return AG_ERR_ARGUMENT;

    *run = (ag_line_run){.analyzer = analyzer, .input = input, .arena = arena, .out = out};
    run->budget.started = now_micros();
    ag_shell_resolve_limits(limits, &run->budget.limits);
    return AG_OK;
}

ag_status ag_shell_analyze_lines(ag_shell_analyzer *analyzer, const char *input,
                                 size_t length, const ag_shell_limits *limits,
                                 ag_arena *arena, ag_shell_analysis *out)
{
    return ag_shell_analyze_lines_after(analyzer, input, length, limits, arena, NULL, out);
}

ag_status ag_shell_analyze_lines_after(ag_shell_analyzer *analyzer, const char *input,
                                       size_t length, const ag_shell_limits *limits,
                                       ag_arena *arena, const ag_shell_analysis *whole,
                                       ag_shell_analysis *out)
{
    ag_line_run run;
    ag_status status = start_run(&run, analyzer, input, length, limits, arena, out);
    if (status != AG_OK)
        return status;
    if (run.budget.limits.max_input_bytes != 0 && length > run.budget.limits.max_input_bytes) {
        stop_at_limit(out, 0);
        return AG_OK;
    }

    ag_line first = whole != NULL && length > 0 ? next_line(input, length, 0) : (ag_line){0};
    bool one_line = first.start == 0 && first.end == length && first.next >= length;
    if (whole != NULL && length > 0
        && (one_line || (whole->incomplete & AG_SHELL_PARSE_ERROR) == 0)) {
        /* The parse of these lines is `whole`, so only its pieces are new. */
        (void)analyze_whole_pieces(&run, whole, length, &status);
        if (status != AG_OK)
            return status;
        out->commands = run.found.items;
        out->command_count = run.found.count;
        return AG_OK;
    }
    for (size_t start = 0; start < length;) {
        ag_line line = next_line(input, length, start);
        start = line.next;
        if (!is_blank_line(input, &line) && !analyze_line(&run, &line, &status))
            break;
    }
    if (status != AG_OK)
        return status;

    out->commands = run.found.items;
    out->command_count = run.found.count;
    return AG_OK;
}

/* ------------------------------------------------- what a limit kept out */

static bool is_chunk_break(char c)
{
    return c == ';' || c == '&' || c == '|' || c == ' ' || c == '\t';
}

/*
 * Returns the end of the chunk that starts at `start` in a line that ends at
 * `end`: after the last ';', '&', '|' or blank within AG_SHELL_CHUNK_BYTES,
 * or at that many bytes when none is there.
 */
static size_t chunk_end(const char *input, size_t start, size_t end)
{
    if (end - start <= AG_SHELL_CHUNK_BYTES)
        return end;
    size_t limit = start + AG_SHELL_CHUNK_BYTES;
    for (size_t i = limit; i > start + 1; i--)
        if (is_chunk_break(input[i - 1]))
            return i;
    return limit;
}

/*
 * Returns the length of the prefix of the input to analyse: all of it when
 * it is within `max_bytes`, and otherwise the first `max_bytes` cut back
 * after a newline or a chunk break, so the last command is not cut in a word.
 */
static size_t prefix_length(const char *input, size_t length, size_t max_bytes)
{
    if (max_bytes == 0 || max_bytes > UINT32_MAX)
        max_bytes = UINT32_MAX;
    if (length <= max_bytes)
        return length;
    size_t floor = max_bytes > AG_SHELL_CHUNK_BYTES ? max_bytes - AG_SHELL_CHUNK_BYTES : 0;
    for (size_t i = max_bytes; i > floor; i--)
        if (input[i - 1] == '\n' || is_chunk_break(input[i - 1]))
            return i;
    return max_bytes;
}

/* Analyses the first `length` bytes of the input line by line, and long lines in chunks. */
static ag_status analyze_prefix(ag_line_run *run, size_t length)
{
    ag_status status = AG_OK;
    for (size_t start = 0; start < length;) {
        ag_line line = next_line(run->input, length, start);
        start = line.next;
        if (is_blank_line(run->input, &line))
            continue;
        for (size_t from = line.start; from < line.end;) {
            ag_line chunk = {from, chunk_end(run->input, from, line.end), 0};
            from = chunk.end;
            if (!analyze_line(run, &chunk, &status))
                return status;
        }
    }
    return status;
}

/*
 * Analyses the text of each node that the depth limit kept the walk out of,
 * and the nodes that stay too deep in that text, breadth first. Each parse
 * starts at depth 0 again, so it reaches max_depth levels further in.
 */
static ag_status analyze_unwalked(ag_line_run *run, const ag_shell_analysis *whole)
{
    ag_shell_span *queue = ag_arena_alloc(run->arena, AG_SHELL_MAX_REPARSES * sizeof(*queue));
    if (queue == NULL)
        return AG_ERR_NOMEM;
    size_t count = 0;
    for (size_t i = 0; i < whole->unwalked_count && count < AG_SHELL_MAX_REPARSES; i++)
        queue[count++] = whole->unwalked[i];

    for (size_t next = 0; next < count; next++) {
        ag_shell_span span = queue[next];
        ag_shell_limits limits;
        if (!budget_left(&run->budget, &limits)) {
            stop_at_limit(run->out, span.start);
            return AG_OK;
        }

        ag_shell_analysis analysis;
        ag_status status = ag_shell_analyze_split(run->analyzer, run->input + span.start,
                                                  span.end - span.start, &limits, run->arena,
                                                  &analysis, NULL);
        if (status == AG_OK && (analysis.incomplete & AG_SHELL_NOMEM))
            status = AG_ERR_NOMEM;
        if (status == AG_OK)
            status = keep_line_commands(run->arena, &analysis, span.start, &run->found,
                                        &run->pipelines);
        if (status != AG_OK)
            return status;
        run->budget.used = run->found.count;

        for (size_t i = 0; i < analysis.unwalked_count && count < AG_SHELL_MAX_REPARSES; i++) {
            queue[count].start = span.start + analysis.unwalked[i].start;
            queue[count].end = span.start + analysis.unwalked[i].end;
            count++;
        }
    }
    return AG_OK;
}

ag_status ag_shell_analyze_limited(ag_shell_analyzer *analyzer, const char *input,
                                   size_t length, const ag_shell_limits *limits,
                                   ag_arena *arena, const ag_shell_analysis *whole,
                                   ag_shell_analysis *out)
{
    /* Only the first max_input_bytes are read, and tree-sitter reads at most UINT32_MAX. */
    if (length > UINT32_MAX)
        length = UINT32_MAX;
    ag_line_run run;
    ag_status status = start_run(&run, analyzer, input, length, limits, arena, out);
    if (status != AG_OK || whole == NULL)
        return status != AG_OK ? status : AG_ERR_ARGUMENT;

    if (whole->unparsed) {
        status = analyze_prefix(&run, prefix_length(input, length,
                                                    run.budget.limits.max_input_bytes));
    } else if (whole->unwalked_count > 0) {
        status = analyze_unwalked(&run, whole);
    }
    if (status != AG_OK)
        return status;

    out->commands = run.found.items;
    out->command_count = run.found.count;
    return AG_OK;
}
