/*
 * Unwrapping: for each command, sets the AG_COMMAND_* flags that depend on
 * its environment and on the code it is fed, and appends the commands that a
 * wrapper runs (sudo rm, xargs rm, find -exec rm, bash -c 'rm', ...).
 *
 * Inner commands are slices of the wrapper's words when the wrapper runs its
 * arguments as a command, or the result of a new shell analysis when it runs
 * them as a script (bash -c, eval, ssh, watch, parallel). Wherever the inner
 * command cannot be found for sure, the wrapper gets AG_COMMAND_OPAQUE, so
 * the request asks.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "eval/unwrap.h"
#include "eval/unwrap_internal.h"

/* Options of one wrapper that are remembered; a wrapper with more is opaque. */
enum { AG_SCAN_MAX_OPTIONS = 16 };

/* Times `env -S STRING` may appear in one env command before it counts as opaque. */
enum { AG_ENV_MAX_SPLITS = 4 };

/* One option read from a wrapper's words, with its value (NULL for a flag). */
typedef struct option_seen {
    char short_name;            /* the option letter, or 0 for a long option */
    const char *long_name;      /* not NUL-terminated; NULL for a short option */
    size_t long_length;
    const char *value;          /* NUL-terminated, or NULL */
    size_t value_length;
} option_seen;

/* Where the inner command of a wrapper starts, and the options found before it. */
typedef struct wrapper_scan {
    size_t command;             /* index of the inner command's name; the word count when none */
    bool no_command;            /* an option means nothing runs: command -v, sudo -l */
    bool opaque;                /* an unknown option or a dynamic word: the start is unknown */
    bool split;                 /* env -S: `split_text` is split into words, then `command` on */
    bool options_ended;         /* a `--` ended the options before the command */
    const char *split_text;
    size_t assignment_first;    /* NAME=value words before the command (env, sudo) */
    size_t assignment_count;
    option_seen options[AG_SCAN_MAX_OPTIONS];
    size_t option_count;
} wrapper_scan;

/* Where a command from a nested script comes from, for its flags and words. */
typedef enum script_mode {
    AG_SCRIPT_PLAIN,
    AG_SCRIPT_EXTRA_ARGUMENTS,  /* parallel: {} placeholders and appended arguments */
    AG_SCRIPT_CALLBACK          /* mapfile -C, compgen -C, fc -e: appended arguments only */
} script_mode;

static const ag_shell_word dynamic_argument = {"\x01", 1, true, 0, 0, AG_WORD_VARIABLE_NONE,
                                                   false, true};

static bool contains_char(const char *set, char c)
{
    return set != NULL && c != '\0' && strchr(set, c) != NULL;
}

static bool text_equals(const ag_shell_word *word, const char *text)
{
    return !word->dynamic && strcmp(word->text, text) == 0;
}

/* ------------------------------------------------------------ option scan */

static void record_option(const ag_wrapper *wrapper, wrapper_scan *scan, char short_name,
                          const char *long_name, size_t long_length, const char *value)
{
    if (scan->option_count == AG_SCAN_MAX_OPTIONS) {
        scan->opaque = true;
        return;
    }
    option_seen *option = &scan->options[scan->option_count++];
    option->short_name = short_name;
    option->long_name = long_name;
    option->long_length = long_length;
    option->value = value;
    option->value_length = value != NULL ? strlen(value) : 0;

    bool splits = short_name == 'S'
                  || (long_name != NULL && long_length == 12
                      && memcmp(long_name, "split-string", 12) == 0);
    if (wrapper->kind == AG_WRAPPER_ENV && splits && value != NULL) {
        scan->split = true;
        scan->split_text = value;
    }
}

/* Returns the last option seen with this letter or long name, or NULL. */
static const option_seen *find_option(const wrapper_scan *scan, char short_name,
                                      const char *long_name)
{
    const option_seen *found = NULL;
    for (size_t i = 0; i < scan->option_count; i++) {
        const option_seen *option = &scan->options[i];
        if (option->short_name != 0 && option->short_name == short_name)
            found = option;
        if (option->long_name != NULL && long_name != NULL
            && option->long_length == strlen(long_name)
            && memcmp(option->long_name, long_name, option->long_length) == 0)
            found = option;
    }
    return found;
}

/* Returns the next word as an option's value, or NULL (and marks opaque) when there is none. */
static const char *separate_value(const ag_shell_word *words, size_t count, size_t index,
                                  wrapper_scan *scan)
{
    if (index + 1 >= count || words[index + 1].dynamic) {
        scan->opaque = true;
        return NULL;
    }
    return words[index + 1].text;
}

static bool long_option_is_listed(const ag_wrapper *wrapper, const char *name, size_t length)
{
    return ag_list_contains(wrapper->long_no_command, name, length)
           || ag_list_contains(wrapper->long_values, name, length)
           || ag_list_contains(wrapper->long_flags, name, length)
           || ag_list_contains(wrapper->long_pairs, name, length);
}

/*
 * Finds the one listed long option that starts with the `length` bytes at
 * `prefix`, as getopt_long does for an abbreviation. Returns its name (not
 * NUL-terminated) and sets *full_length, or returns NULL when no option or
 * several different ones start with it.
 */
static const char *expand_long_prefix(const ag_wrapper *wrapper, const char *prefix,
                                      size_t length, size_t *full_length)
{
    const char *lists[] = {wrapper->long_no_command, wrapper->long_values, wrapper->long_flags};
    const char *found = NULL;
    size_t found_length = 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        for (const char *item = lists[i]; item != NULL && *item != '\0';) {
            size_t item_length = strcspn(item, " ");
            bool starts = item_length > length && memcmp(item, prefix, length) == 0;
            bool same = found != NULL && item_length == found_length
                        && memcmp(item, found, item_length) == 0;
            if (starts && found != NULL && !same)
                return NULL;  /* getopt_long rejects an ambiguous prefix */
            if (starts) {
                found = item;
                found_length = item_length;
            }
            item += item_length;
            while (*item == ' ')
                item++;
        }
    }
    *full_length = found_length;
    return found;
}

/* Reads `--name`, `--name=value` or `--name value`; returns the number of words used. */
static size_t scan_long_option(const ag_wrapper *wrapper, const ag_shell_word *words,
                               size_t count, size_t index, wrapper_scan *scan)
{
    const char *name = words[index].text + 2;
    size_t length = strcspn(name, "=");
    const char *attached = name[length] == '=' ? name + length + 1 : NULL;
    if (!long_option_is_listed(wrapper, name, length)) {
        /* Unknown, or an abbreviation that only a complete list can resolve. */
        if ((wrapper->features & AG_WRAPPER_LONG_PREFIXES) == 0 || length == 0
            || (name = expand_long_prefix(wrapper, name, length, &length)) == NULL) {
            scan->opaque = true;
            return 1;
        }
    }

    if (ag_list_contains(wrapper->long_no_command, name, length)) {
        scan->no_command = true;
        return 1;
    }
    if (attached != NULL) {
        if (!ag_list_contains(wrapper->long_values, name, length))
            scan->opaque = true;
        else
            record_option(wrapper, scan, 0, name, length, attached);
        return 1;
    }
    if (ag_list_contains(wrapper->long_flags, name, length)) {
        record_option(wrapper, scan, 0, name, length, NULL);
        return 1;
    }
    if (ag_list_contains(wrapper->long_pairs, name, length)) {
        const char *first = separate_value(words, count, index, scan);
        if (first != NULL && separate_value(words, count, index + 1, scan) != NULL)
            record_option(wrapper, scan, 0, name, length, first);
        return 3;
    }
    const char *value = separate_value(words, count, index, scan);
    if (value != NULL)
        record_option(wrapper, scan, 0, name, length, value);
    return 2;
}

/* Reads a cluster of short options such as `-nu root`; returns the number of words used. */
static size_t scan_short_options(const ag_wrapper *wrapper, const ag_shell_word *words,
                                 size_t count, size_t index, wrapper_scan *scan)
{
    const char *text = words[index].text;
    if ((wrapper->features & AG_WRAPPER_SINGLE_DASH_LONG) && text[1] != '\0' && text[2] != '\0') {
        scan->opaque = true;
        return 1;
    }

    for (size_t j = 1; text[j] != '\0'; j++) {
        char letter = text[j];
        if (contains_char(wrapper->short_no_command, letter)) {
            scan->no_command = true;
            return 1;
        }
        if (contains_char(wrapper->short_values, letter)) {
            if (text[j + 1] != '\0') {
                record_option(wrapper, scan, letter, NULL, 0, text + j + 1);
                return 1;
            }
            const char *value = separate_value(words, count, index, scan);
            if (value != NULL)
                record_option(wrapper, scan, letter, NULL, 0, value);
            return 2;
        }
        if (contains_char(wrapper->short_optional, letter)) {
            record_option(wrapper, scan, letter, NULL, 0, text + j + 1);
            return 1;
        }
        if (!contains_char(wrapper->short_flags, letter)) {
            scan->opaque = true;
            return 1;
        }
        record_option(wrapper, scan, letter, NULL, 0, NULL);
    }
    return 1;
}

/* coreutils nice reads `-N`, `--N` and `-+N` as the adjustment N. */
static bool is_number_option(const char *text)
{
    const char *number = text + 1;
    if (*number == '-' || *number == '+')
        number++;
    size_t digits = strspn(number, "0123456789");
    return digits > 0 && number[digits] == '\0';
}

/* coreutils timeout reads its duration with strtod, which takes `inf` and `infinity`. */
static bool is_infinite_duration(const char *text)
{
    static const char *const names[] = {"inf", "infinity"};
    static const char units[] = "smhd";
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        size_t length = strlen(names[n]);
        if (strncasecmp(text, names[n], length) != 0)
            continue;
        if (text[length] == '\0' || (strchr(units, text[length]) != NULL && text[length + 1] == '\0'))
            return true;
    }
    return false;
}

/* Returns whether an operand looks like a duration, a priority, a CPU mask or a CPU list. */
static bool looks_numeric(const char *text)
{
    return text[0] != '\0' && strspn(text, "0123456789abcdefABCDEFxX.,-:smhd") == strlen(text)
           && strchr("0123456789.", text[0]) != NULL;
}

/*
 * Returns whether a wrapper reads `word` as NAME=VALUE for the command's
 * environment. env and sudo take every word with a `=` before the command
 * as one, whatever NAME is (`a-b=1`, `=x`, `BASH_FUNC_ls%%=...`), so such a
 * word must not be taken for the command.
 */
static bool is_assignment_word(const ag_shell_word *word)
{
    return word->text[0] != '-' && strchr(word->text, '=') != NULL;
}

/*
 * Reads a wrapper's options and operands from words[start], stopping at the
 * inner command. Any dynamic word before the inner command makes the scan
 * opaque: unquoted, it could expand to several words and move the command.
 */
static void scan_wrapper(const ag_wrapper *wrapper, const ag_shell_word *words, size_t count,
                         size_t start, wrapper_scan *scan)
{
    memset(scan, 0, sizeof(*scan));
    scan->command = count;
    bool options = true;
    unsigned operands = 0;

    bool double_dash = (wrapper->features & AG_WRAPPER_AFTER_DOUBLE_DASH) != 0;
    for (size_t i = start; i < count; i++) {
        const ag_shell_word *word = &words[i];
        const char *text = word->text;
        if (word->dynamic) {
            scan->opaque = true;
            return;
        }
        if (double_dash
            && (strcmp(text, "--") == 0
                || ag_list_contains(wrapper->command_options, text, word->length))) {
            scan->command = i + 1;
            return;
        }
        if (double_dash && (text[0] != '-' || text[1] == '\0')) {
            operands++;
            continue;
        }
        if (options && text[0] == '-' && text[1] != '\0') {
            size_t used = 1;
            if (strcmp(text, "--") == 0) {
                options = false;
                scan->options_ended = true;
            } else if ((wrapper->features & AG_WRAPPER_NUMERIC_OPTION) && is_number_option(text))
                used = 1;
            else if (text[1] == '-')
                used = scan_long_option(wrapper, words, count, i, scan);
            else
                used = scan_short_options(wrapper, words, count, i, scan);
            if (scan->opaque || scan->no_command)
                return;
            i += used - 1;
            if (scan->split) {
                scan->command = i + 1;
                return;
            }
            continue;
        }
        if (options && (wrapper->features & AG_WRAPPER_DASH_OPTION) && strcmp(text, "-") == 0)
            continue;
        if ((wrapper->features & AG_WRAPPER_ASSIGNMENTS) && operands == 0
            && is_assignment_word(word)) {
            if (scan->assignment_count++ == 0)
                scan->assignment_first = i;
            options = false;
            continue;
        }
        if (operands < wrapper->operands) {
            bool infinite = (wrapper->features & AG_WRAPPER_INFINITE_DURATION)
                            && is_infinite_duration(text);
            if ((wrapper->features & AG_WRAPPER_NUMERIC_OPERANDS) && !looks_numeric(text)
                && !infinite) {
                scan->opaque = true;
                return;
            }
            operands++;
            options = false;
            continue;
        }
        scan->command = i;
        return;
    }
    /* Operands with no `--` after them: which of them starts the command is unknown. */
    if (double_dash && operands > 0)
        scan->opaque = true;
}

/* ------------------------------------------------------- building commands */

/* Returns a command that inherits the wrapper's position, redirections and depth. */
static ag_shell_command inner_command(const ag_shell_command *outer, const char *wrapper_name)
{
    ag_shell_command inner = {0};
    inner.redirects = outer->redirects;
    inner.redirect_count = outer->redirect_count;
    inner.start = outer->start;
    inner.end = outer->end;
    inner.context = outer->context;
    inner.depth = outer->depth + 1;
    inner.pipeline = outer->pipeline;
    inner.pipeline_position = outer->pipeline_position;
    inner.flags = AG_COMMAND_WRAPPED | (outer->flags & AG_COMMAND_UNKNOWN_DIRECTORY);
    inner.wrapper = wrapper_name;
    return inner;
}

static ag_shell_word *copy_words(ag_arena *arena, const ag_shell_word *words, size_t count,
                                 size_t extra)
{
    ag_shell_word *copy = ag_arena_calloc(arena, count + extra + 1, sizeof(*copy));
    if (copy != NULL && count > 0)
        memcpy(copy, words, count * sizeof(*copy));
    return copy;
}

/*
 * Makes a word dynamic where it contains `token` (xargs -I, find {}): each
 * occurrence becomes one AG_DYNAMIC_MARK. Returns false when out of memory.
 */
static bool replace_token(ag_arena *arena, ag_shell_word *word, const char *token)
{
    size_t token_length = strlen(token);
    if (token_length == 0 || strstr(word->text, token) == NULL)
        return true;

    char *text = ag_arena_alloc(arena, word->length + 1);
    if (text == NULL)
        return false;
    size_t length = 0;
    for (const char *at = word->text; *at != '\0';) {
        if (strncmp(at, token, token_length) == 0) {
            text[length++] = AG_DYNAMIC_MARK;
            at += token_length;
        } else {
            text[length++] = *at++;
        }
    }
    text[length] = '\0';
    word->text = text;
    word->length = length;
    word->dynamic = true;
    return true;
}

/* Returns the length of a GNU parallel replacement string at `at` ({}, {.}, {1}, {/.}), or 0. */
static size_t parallel_placeholder_length(const char *at)
{
    if (at[0] != '{')
        return 0;
    size_t inside = strspn(at + 1, "./#%0123456789");
    return at[1 + inside] == '}' ? inside + 2 : 0;
}

static bool replace_parallel_placeholders(ag_arena *arena, ag_shell_word *word)
{
    char *text = NULL;
    size_t length = 0;
    for (size_t i = 0; i < word->length;) {
        size_t placeholder = parallel_placeholder_length(word->text + i);
        if (placeholder > 0 && text == NULL) {
            if ((text = ag_arena_alloc(arena, word->length + 1)) == NULL)
                return false;
            memcpy(text, word->text, i);
            length = i;
        }
        if (placeholder > 0) {
            text[length++] = AG_DYNAMIC_MARK;
            i += placeholder;
        } else {
            if (text != NULL)
                text[length++] = word->text[i];
            i++;
        }
    }
    if (text != NULL) {
        text[length] = '\0';
        word->text = text;
        word->length = length;
        word->dynamic = true;
    }
    return true;
}

/* Sets the span of an inner command from its words, which lie inside the wrapper's span. */
static void span_from_words(ag_shell_command *inner)
{
    if (inner->word_count == 0)
        return;
    uint32_t start = inner->words[0].start, end = inner->words[0].end;
    for (size_t i = 1; i < inner->word_count; i++) {
        if (inner->words[i].end > end)
            end = inner->words[i].end;
    }
    if (start >= inner->start && end <= inner->end && start < end) {
        inner->start = start;
        inner->end = end;
    }
}

/*
 * Appends the inner command words[first..count) of list->items[index], with
 * `extra` trailing dynamic words for arguments that only exist at run time.
 * The words are copied when `extra` or `replace` ask for changes.
 */
static ag_status append_words(ag_checker *checker, ag_command_list *list, size_t index,
                              const char *wrapper_name, const ag_shell_word *words, size_t count,
                              size_t extra, const char *replace)
{
    ag_shell_command outer = list->items[index];
    ag_shell_command inner = inner_command(&outer, wrapper_name);
    inner.word_count = count;
    inner.words = (ag_shell_word *)words;
    span_from_words(&inner);

    if (extra > 0 || replace != NULL) {
        inner.words = copy_words(&checker->arena, words, count, extra);
        if (inner.words == NULL)
            return AG_ERR_NOMEM;
        for (size_t i = 0; replace != NULL && i < count; i++) {
            if (!replace_token(&checker->arena, &inner.words[i], replace))
                return AG_ERR_NOMEM;
        }
        for (size_t i = 0; i < extra; i++) {
            inner.words[count + i] = dynamic_argument;
            inner.words[count + i].start = inner.end;
            inner.words[count + i].end = inner.end;
        }
        inner.word_count = count + extra;
        if (extra > 0)
            inner.flags |= AG_COMMAND_EXTRA_ARGUMENTS;
    }
    return ag_command_list_append(&checker->arena, list, &inner);
}

/* Moves every span of a command from a nested script to the span of the text it came from. */
static void move_spans(ag_shell_command *command, uint32_t start, uint32_t end)
{
    command->start = start;
    command->end = end;
    for (size_t i = 0; i < command->word_count; i++) {
        command->words[i].start = start;
        command->words[i].end = end;
    }
    for (size_t i = 0; i < command->assignment_count; i++) {
        command->assignments[i].start = start;
        command->assignments[i].end = end;
    }
    for (size_t i = 0; i < command->redirect_count; i++) {
        ag_shell_redirect *redirect = &command->redirects[i];
        redirect->target.start = redirect->body.start = start;
        redirect->target.end = redirect->body.end = end;
    }
}

/*
 * Gives a command from a parallel script its placeholders and run-time
 * arguments, or only the arguments when `placeholders` is false.
 */
static ag_status add_run_time_arguments(ag_arena *arena, ag_shell_command *command,
                                        bool placeholders)
{
    if (command->word_count == 0)
        return AG_OK;
    ag_shell_word *words = copy_words(arena, command->words, command->word_count, 1);
    if (words == NULL)
        return AG_ERR_NOMEM;
    for (size_t i = 0; placeholders && i < command->word_count; i++) {
        if (!replace_parallel_placeholders(arena, &words[i]))
            return AG_ERR_NOMEM;
    }
    words[command->word_count] = dynamic_argument;
    words[command->word_count].start = command->end;
    words[command->word_count].end = command->end;
    command->words = words;
    command->word_count++;
    command->flags |= AG_COMMAND_EXTRA_ARGUMENTS;
    return AG_OK;
}

/* The command that runs a script, and how. */
typedef struct script_origin {
    ag_shell_command outer;
    const char *wrapper_name;
    uint32_t start, end;     /* span of the script's text in the request */
    script_mode mode;
} script_origin;

/* Appends the commands of a script's analysis to `list` as commands run by `origin`. */
static ag_status append_script_commands(ag_checker *checker, ag_shell_analysis *analysis,
                                        const script_origin *origin, ag_command_list *list)
{
    for (size_t i = 0; i < analysis->command_count; i++) {
        ag_shell_command *command = &analysis->commands[i];
        move_spans(command, origin->start, origin->end);
        command->depth += origin->outer.depth + 1;
        command->context |= origin->outer.context;
        command->flags |= AG_COMMAND_WRAPPED
                          | (origin->outer.flags & AG_COMMAND_UNKNOWN_DIRECTORY);
        command->wrapper = origin->wrapper_name;
        ag_status status = AG_OK;
        if (origin->mode != AG_SCRIPT_PLAIN)
            status = add_run_time_arguments(&checker->arena, command,
                                            origin->mode == AG_SCRIPT_EXTRA_ARGUMENTS);
        if (status == AG_OK)
            status = ag_command_list_append(&checker->arena, list, command);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static uint64_t now_micros(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

/* Lowers `limit` (0 for none) by `used`. Returns false when nothing of it is left. */
static bool lower_limit(uint64_t *limit, uint64_t used)
{
    if (*limit == 0)
        return true;
    if (used >= *limit)
        return false;
    *limit -= used;
    return true;
}

/*
 * Fills `limits` for the parse of one wrapped script: the checker's limits
 * with the time left of the budget that all scripts of the request share.
 * Returns false when that budget is spent. The budget is shared because one
 * per script let a 1 MB request of 70 `bash -c` scripts, each needing 0.8 s
 * of tree-sitter-bash's error recovery, take 61 s.
 */
static bool script_limits(const ag_checker *checker, ag_shell_limits *limits)
{
    *limits = checker->limits;
    return lower_limit(&limits->timeout_micros, checker->script_parse_micros);
}

/*
 * Fills `limits` for parsing the lines of one wrapped script alone, as
 * script_limits() does, with the commands left of the max_commands that
 * the lines of all scripts of the request share. Returns false when the
 * time or the commands ran out. Without the shared count, 400 nested
 * `bash <<N` heredocs (5 KB) gave 13,359 line commands.
 */
static bool script_line_limits(const ag_checker *checker, ag_shell_limits *limits)
{
    if (!script_limits(checker, limits))
        return false;
    uint64_t commands = limits->max_commands;
    bool left = lower_limit(&commands, checker->script_line_commands);
    limits->max_commands = (size_t)commands;
    return left;
}

/* Marks a wrapper whose script, or the lines of it, a limit left unread. */
static void skip_script(ag_checker *checker, ag_shell_command *wrapper)
{
    wrapper->flags |= AG_COMMAND_OPAQUE;
    if (checker->verdict.error != AG_OK)
        return;
    checker->verdict.error = AG_ERR_LIMIT;
    checker->verdict.error_message = "the time or command limit for the command's wrapped "
                                     "scripts ran out, so a script was not read";
}

/*
 * Parses `text` as a shell script run by list->items[index] and appends its
 * commands, each with the span start..end of the text in the request. A
 * dynamic text, an incomplete analysis or a spent time budget makes the
 * wrapper opaque. After a parse error the commands of each line parsed
 * alone go to checker->line_commands.
 */
static ag_status append_script(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *wrapper_name, const char *text, size_t length,
                               uint32_t start, uint32_t end, script_mode mode)
{
    /* TODO(wrappers): parse the script and keep its unknown parts dynamic, so
     * `bash -c "rm -rf $D"` denies instead of asking. */
    if (memchr(text, AG_DYNAMIC_MARK, length) != NULL) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    ag_shell_limits limits;
    if (!script_limits(checker, &limits)) {
        skip_script(checker, &list->items[index]);
        return AG_OK;
    }
    ag_shell_analysis analysis;
    uint64_t started = now_micros();
    ag_status status = ag_shell_analyze(checker->analyzer, text, length, &limits,
                                        &checker->arena, &analysis);
    checker->script_parse_micros += now_micros() - started;
    if (status != AG_OK)
        return status;
    if (analysis.incomplete & AG_SHELL_NOMEM)
        return AG_ERR_NOMEM;
    if (analysis.incomplete != 0)
        list->items[index].flags |= AG_COMMAND_OPAQUE;

    script_origin origin = {list->items[index], wrapper_name, start, end, mode};
    if ((status = append_script_commands(checker, &analysis, &origin, list)) != AG_OK)
        return status;
    if ((analysis.incomplete & AG_SHELL_PARSE_ERROR) == 0 && analysis.error_piece_count == 0)
        return AG_OK;

    /* The opaque wrapper already asks; see check_lines_alone() in command.c. */
    if (!script_line_limits(checker, &limits)) {
        skip_script(checker, &list->items[index]);
        return AG_OK;
    }
    ag_shell_analysis whole = analysis;
    started = now_micros();
    status = ag_shell_analyze_lines_after(checker->analyzer, text, length, &limits,
                                          &checker->arena, &whole, &analysis);
    checker->script_parse_micros += now_micros() - started;
    if (status != AG_OK)
        return status;
    checker->script_line_commands += analysis.command_count;
    if (analysis.incomplete & AG_SHELL_LIMIT)
        skip_script(checker, &list->items[index]);
    return append_script_commands(checker, &analysis, &origin, &checker->line_commands);
}

/* Joins words with single spaces, as eval, ssh and watch do, into arena text. */
static const char *join_words(ag_arena *arena, const ag_shell_word *words, size_t count,
                              size_t *length)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += words[i].length + 1;
    char *text = ag_arena_alloc(arena, total + 1);
    if (text == NULL)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            text[at++] = ' ';
        memcpy(text + at, words[i].text, words[i].length);
        at += words[i].length;
    }
    text[at] = '\0';
    *length = at;
    return text;
}

/* Parses words[first..count) joined with spaces as a script; see append_script(). */
static ag_status append_joined_script(ag_checker *checker, ag_command_list *list, size_t index,
                                      const char *wrapper_name, size_t first, script_mode mode,
                                      size_t count)
{
    const ag_shell_word *words = list->items[index].words;
    if (first >= count)
        return AG_OK;
    size_t length = 0;
    const char *text = join_words(&checker->arena, words + first, count - first, &length);
    if (text == NULL)
        return AG_ERR_NOMEM;
    return append_script(checker, list, index, wrapper_name, text, length, words[first].start,
                         words[count - 1].end, mode);
}

static ag_status append_word_script(ag_checker *checker, ag_command_list *list, size_t index,
                                    const char *wrapper_name, const ag_shell_word *word)
{
    return append_script(checker, list, index, wrapper_name, word->text, word->length,
                         word->start, word->end, AG_SCRIPT_PLAIN);
}

/* ------------------------------------------------------------ the wrappers */

/* sudo -s and sudo -i with no command start an interactive shell that reads stdin. */
static bool starts_shell(const wrapper_scan *scan)
{
    return find_option(scan, 's', "shell") != NULL || find_option(scan, 'i', "login") != NULL;
}

/* strace -o '|COMMAND' (or '!COMMAND') writes its trace to a shell command. */
static bool pipes_output(const wrapper_scan *scan)
{
    for (size_t i = 0; i < scan->option_count; i++) {
        const option_seen *option = &scan->options[i];
        bool output = option->short_name == 'o'
                      || (option->long_name != NULL && option->long_length == 6
                          && memcmp(option->long_name, "output", 6) == 0);
        if (output && option->value != NULL
            && (option->value[0] == '|' || option->value[0] == '!'))
            return true;
    }
    return false;
}

/*
 * Reads the options of the wrapper list->items[index] into *scan. Returns
 * false, with the command marked opaque, when the inner command cannot be
 * found because an option is unknown or dynamic.
 */
static bool scan_or_mark_opaque(const ag_wrapper *wrapper, ag_command_list *list, size_t index,
                                wrapper_scan *scan)
{
    const ag_shell_command *outer = &list->items[index];
    size_t start = 1;    /* after the name, `uv run` or `docker container run` */
    for (const char *space = strchr(wrapper->name, ' '); space != NULL;
         space = strchr(space + 1, ' '))
        start++;
    scan_wrapper(wrapper, outer->words, outer->word_count, start, scan);
    if (!scan->opaque)
        return true;
    list->items[index].flags |= AG_COMMAND_OPAQUE;
    return false;
}

/* Returns whether the scan saw one of the wrapper's moves_short or moves_long options. */
static bool moves_directory(const ag_wrapper *wrapper, const wrapper_scan *scan)
{
    for (const char *letter = wrapper->moves_short; letter != NULL && *letter != '\0'; letter++) {
        if (find_option(scan, *letter, NULL) != NULL)
            return true;
    }
    for (const char *names = wrapper->moves_long; names != NULL && *names != '\0';) {
        size_t length = strcspn(names, " ");
        for (size_t i = 0; i < scan->option_count; i++) {
            const option_seen *option = &scan->options[i];
            if (option->long_name != NULL && option->long_length == length
                && memcmp(option->long_name, names, length) == 0)
                return true;
        }
        names += length + (names[length] == ' ');
    }
    return false;
}

/* Parses an option's value as a script. The value has no span, so it gets the command's. */
static ag_status append_option_script(ag_checker *checker, ag_command_list *list, size_t index,
                                      const char *name, const option_seen *option)
{
    const ag_shell_command outer = list->items[index];
    return append_script(checker, list, index, name, option->value, option->value_length,
                         outer.start, outer.end, AG_SCRIPT_PLAIN);
}

static bool is_script_option(const ag_wrapper *wrapper, const option_seen *option)
{
    if (option->short_name != 0)
        return contains_char(wrapper->scripts_short, option->short_name);
    return ag_list_contains(wrapper->scripts_long, option->long_name, option->long_length);
}

/* Parses the value of each scripts_short or scripts_long option seen (hyperfine --prepare). */
static ag_status append_option_scripts(ag_checker *checker, ag_command_list *list, size_t index,
                                       const ag_wrapper *wrapper, const char *name,
                                       const wrapper_scan *scan)
{
    for (size_t i = 0; i < scan->option_count; i++) {
        const option_seen *option = &scan->options[i];
        if (option->value == NULL || !is_script_option(wrapper, option))
            continue;
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        ag_status status = append_option_script(checker, list, index, name, option);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static bool ends_with(const ag_shell_word *word, const char *suffix)
{
    size_t length = strlen(suffix);
    return word->length > length && strcmp(word->text + word->length - length, suffix) == 0;
}

/* Returns whether uv run takes this command word as a Python script: FILE.py, `-` or a URL. */
static bool runs_python_script(const ag_shell_word *word)
{
    return text_equals(word, "-") || strstr(word->text, "://") != NULL || ends_with(word, ".py")
           || ends_with(word, ".pyw");
}

/*
 * Appends `python SCRIPT ARGS...` for uv run SCRIPT ARGS, so the script is
 * read as python's. A script from stdin or from a URL is code that no rule
 * sees, so uv run is opaque then.
 */
static ag_status append_python_script(ag_checker *checker, ag_command_list *list, size_t index,
                                      const char *name, size_t first)
{
    static const ag_shell_word python = {"python", 6, false, 0, 0, AG_WORD_VARIABLE_NONE, true,
                                         false};
    const ag_shell_command outer = list->items[index];
    const ag_shell_word *script = &outer.words[first];
    if (text_equals(script, "-") || strstr(script->text, "://") != NULL) {
        list->items[index].flags |= AG_COMMAND_OPAQUE | AG_COMMAND_RUNS_CODE;
        return AG_OK;
    }

    size_t count = outer.word_count - first;
    ag_shell_word *words = copy_words(&checker->arena, &python, 1, count);
    if (words == NULL)
        return AG_ERR_NOMEM;
    memcpy(words + 1, script, count * sizeof(*words));
    words[0].start = script->start;
    words[0].end = script->start;
    return append_words(checker, list, index, name, words, count + 1, 0, NULL);
}

/*
 * Moves scan->command past the `--` that ends the options of a tool with
 * AG_WRAPPER_OPTIONS_ANYWHERE. Without a `--` before or at the command, the
 * tool takes a later word that starts with `-` as its own option, so the
 * command is not known exactly.
 */
static void skip_options_anywhere(const ag_wrapper *wrapper, ag_command_list *list, size_t index,
                                  wrapper_scan *scan)
{
    const ag_shell_command *outer = &list->items[index];
    if ((wrapper->features & AG_WRAPPER_OPTIONS_ANYWHERE) == 0 || scan->options_ended
        || scan->command >= outer->word_count)
        return;
    if (text_equals(&outer->words[scan->command], "--")) {
        scan->command++;
        return;
    }
    for (size_t i = scan->command; i < outer->word_count; i++) {
        if (outer->words[i].dynamic || outer->words[i].text[0] == '-')
            list->items[index].flags |= AG_COMMAND_OPAQUE;
    }
}

/* Returns the entrypoint_long option seen by the scan (docker run --entrypoint), or NULL. */
static const option_seen *find_entrypoint(const ag_wrapper *wrapper, const wrapper_scan *scan)
{
    if (wrapper->entrypoint_long == NULL)
        return NULL;
    const option_seen *option = find_option(scan, 0, wrapper->entrypoint_long);
    return option != NULL && option->value != NULL ? option : NULL;
}

/*
 * Appends PROGRAM ARGS for docker run --entrypoint PROGRAM IMAGE ARGS, where
 * ARGS are the words from `first` on. Docker passes PROGRAM as one argv
 * word, and an empty PROGRAM clears the image's entrypoint, so ARGS alone
 * are the command then. Podman also reads a JSON array there, so a PROGRAM
 * with a `[` or a blank makes the wrapper opaque.
 */
static ag_status append_entrypoint(ag_checker *checker, ag_command_list *list, size_t index,
                                   const char *name, const option_seen *entrypoint,
                                   size_t first)
{
    const ag_shell_command outer = list->items[index];
    size_t count = outer.word_count - first;
    if (entrypoint->value_length == 0)
        return count == 0 ? AG_OK
                          : append_words(checker, list, index, name, outer.words + first, count,
                                         0, NULL);
    if (strpbrk(entrypoint->value, "[ \t\n") != NULL) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    /* The program word is a copy of the option's word, cut down to its value. */
    const ag_shell_word *holder = NULL;
    for (size_t i = 1; i < first && holder == NULL; i++) {
        const ag_shell_word *word = &outer.words[i];
        if (entrypoint->value >= word->text && entrypoint->value <= word->text + word->length)
            holder = word;
    }
    if (holder == NULL) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    ag_shell_word *words = copy_words(&checker->arena, holder, 1, count);
    if (words == NULL)
        return AG_ERR_NOMEM;
    words[0].text = entrypoint->value;
    words[0].length = entrypoint->value_length;

    /* `--entrypoint=rm` written without quotes: the span starts at `rm`. */
    size_t offset = (size_t)(entrypoint->value - holder->text);
    if (holder->end - holder->start == holder->length)
        words[0].start = holder->start + (uint32_t)offset;
    memcpy(words + 1, outer.words + first, count * sizeof(*words));
    return append_words(checker, list, index, name, words, count + 1, 0, NULL);
}

static ag_status unwrap_plain(ag_checker *checker, ag_command_list *list, size_t index,
                              const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    if (!scan_or_mark_opaque(wrapper, list, index, &scan))
        return AG_OK;
    skip_options_anywhere(wrapper, list, index, &scan);
    /* The command is still unwrapped, so a deny rule on it keeps denying. */
    if ((wrapper->features & AG_WRAPPER_NEW_ROOT) || moves_directory(wrapper, &scan))
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    /* The inner commands inherit this, so their relative paths meet deny rules as unknown. */
    if (wrapper->features & AG_WRAPPER_NEW_ROOT)
        list->items[index].flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
    if (scan.no_command)
        return AG_OK;
    ag_status scripts = append_option_scripts(checker, list, index, wrapper, name, &scan);
    if (scripts != AG_OK)
        return scripts;
    const option_seen *entrypoint = find_entrypoint(wrapper, &scan);
    if (entrypoint != NULL)
        return append_entrypoint(checker, list, index, name, entrypoint, scan.command);
    if (scan.command >= outer.word_count) {
        if (starts_shell(&scan) || (wrapper->features & AG_WRAPPER_DEFAULT_SHELL))
            list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        return AG_OK;
    }
    if ((wrapper->features & AG_WRAPPER_OUTPUT_PIPE) && pipes_output(&scan)) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    if (wrapper->features & AG_WRAPPER_SHELL_STRING)
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    if (wrapper->features & AG_WRAPPER_JOINED_SCRIPT)
        return append_joined_script(checker, list, index, name, scan.command, AG_SCRIPT_PLAIN,
                                    outer.word_count);
    if ((wrapper->features & AG_WRAPPER_PYTHON_SCRIPTS)
        && runs_python_script(&outer.words[scan.command]))
        return append_python_script(checker, list, index, name, scan.command);

    size_t before = list->count;
    ag_status status = append_words(checker, list, index, name, outer.words + scan.command,
                                    outer.word_count - scan.command, 0, NULL);
    if (status == AG_OK && scan.assignment_count > 0) {
        list->items[before].assignments = outer.words + scan.assignment_first;
        list->items[before].assignment_count = scan.assignment_count;
    }
    return status;
}

/*
 * Splits the string of `env -S` into words. Quotes group words; escapes,
 * ${VAR} and comments, which env -S also handles, make the command opaque.
 */
static ag_shell_word *split_env_string(ag_arena *arena, const char *text, uint32_t start,
                                       uint32_t end, size_t *count, bool *opaque)
{
    *count = 0;
    if (strpbrk(text, "\\$#\x01") != NULL) {
        *opaque = true;
        return NULL;
    }
    size_t length = strlen(text);
    ag_shell_word *words = ag_arena_calloc(arena, length / 2 + 2, sizeof(*words));
    char *buffer = ag_arena_alloc(arena, length + 1);
    if (words == NULL || buffer == NULL)
        return NULL;

    const char *at = text;
    while (*at != '\0') {
        while (*at == ' ' || *at == '\t' || *at == '\n')
            at++;
        if (*at == '\0')
            break;
        char *word = buffer;
        char quote = 0;
        while (*at != '\0' && (quote != 0 || (*at != ' ' && *at != '\t' && *at != '\n'))) {
            if (quote == 0 && (*at == '\'' || *at == '"'))
                quote = *at;
            else if (quote != 0 && *at == quote)
                quote = 0;
            else
                *buffer++ = *at;
            at++;
        }
        if (quote != 0) {
            *opaque = true;
            return NULL;
        }
        *buffer++ = '\0';
        words[*count] = (ag_shell_word){word, (size_t)(buffer - word - 1), false, start, end,
                                        AG_WORD_VARIABLE_NONE, true, false};
        (*count)++;
    }
    return words;
}

/* env: NAME=value words become the inner command's assignments; -S STRING is split. */
static ag_status unwrap_env(ag_checker *checker, ag_command_list *list, size_t index,
                            const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    const ag_shell_word *words = outer.words;
    size_t count = outer.word_count;
    size_t start = 1;
    wrapper_scan scan;

    bool moved = false;
    for (unsigned splits = 0;; splits++) {
        scan_wrapper(wrapper, words, count, start, &scan);
        moved |= moves_directory(wrapper, &scan);
        if (!scan.split)
            break;
        bool opaque = splits == AG_ENV_MAX_SPLITS;
        size_t split_count = 0;
        const ag_shell_word *value = &words[scan.command - 1];
        ag_shell_word *split = opaque ? NULL
                                      : split_env_string(&checker->arena, scan.split_text,
                                                         value->start, value->end, &split_count,
                                                         &opaque);
        if (opaque) {
            list->items[index].flags |= AG_COMMAND_OPAQUE;
            return AG_OK;
        }
        if (split == NULL)
            return AG_ERR_NOMEM;
        ag_shell_word *joined = copy_words(&checker->arena, split, split_count,
                                           count - scan.command);
        if (joined == NULL)
            return AG_ERR_NOMEM;
        memcpy(joined + split_count, words + scan.command,
               (count - scan.command) * sizeof(*joined));
        count = split_count + count - scan.command;
        words = joined;
        start = 0;
    }

    if (scan.opaque) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    /* env -C DIR runs the command in DIR: still unwrapped, so a deny on it keeps denying. */
    if (moved)
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    if (scan.no_command || scan.command >= count)
        return AG_OK;

    size_t before = list->count;
    ag_status status = append_words(checker, list, index, name, words + scan.command,
                                    count - scan.command, 0, NULL);
    if (status == AG_OK && scan.assignment_count > 0) {
        list->items[before].assignments = (ag_shell_word *)words + scan.assignment_first;
        list->items[before].assignment_count = scan.assignment_count;
    }
    return status;
}

/* watch joins its arguments and runs them with sh -c, unless -x (--exec) runs them as they are. */
static ag_status unwrap_watch(ag_checker *checker, ag_command_list *list, size_t index,
                              const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    if (!scan_or_mark_opaque(wrapper, list, index, &scan))
        return AG_OK;
    if (scan.no_command || scan.command >= outer.word_count)
        return AG_OK;
    if (find_option(&scan, 'x', "exec") != NULL)
        return append_words(checker, list, index, name, outer.words + scan.command,
                            outer.word_count - scan.command, 0, NULL);
    return append_joined_script(checker, list, index, name, scan.command, AG_SCRIPT_PLAIN,
                                outer.word_count);
}

/* flock FILE COMMAND..., or flock FILE -c STRING, which runs STRING with sh -c. */
static ag_status unwrap_flock(ag_checker *checker, ag_command_list *list, size_t index,
                              const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    if (!scan_or_mark_opaque(wrapper, list, index, &scan))
        return AG_OK;
    if (scan.no_command || scan.command >= outer.word_count)
        return AG_OK;

    const ag_shell_word *first = &outer.words[scan.command];
    if (text_equals(first, "-c") || text_equals(first, "--command")) {
        if (scan.command + 1 >= outer.word_count)
            return AG_OK;
        return append_word_script(checker, list, index, name, &outer.words[scan.command + 1]);
    }
    return append_words(checker, list, index, name, first, outer.word_count - scan.command, 0,
                        NULL);
}

/* xargs runs its command (echo by default) with arguments read from stdin. */
static ag_status unwrap_xargs(ag_checker *checker, ag_command_list *list, size_t index,
                              const ag_wrapper *wrapper, const char *name)
{
    static const ag_shell_word echo = {"echo", 4, false, 0, 0, AG_WORD_VARIABLE_NONE, true,
                                       false};
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    if (!scan_or_mark_opaque(wrapper, list, index, &scan))
        return AG_OK;
    if (scan.no_command)
        return AG_OK;

    const char *replace = NULL;
    const option_seen *option = find_option(&scan, 'I', "replace");
    const option_seen *old_option = find_option(&scan, 'i', NULL);
    if (option == NULL)
        option = old_option;
    if (option != NULL)
        replace = option->value != NULL && option->value[0] != '\0' ? option->value : "{}";

    if (scan.command >= outer.word_count) {
        ag_shell_word *words = copy_words(&checker->arena, &echo, 1, 0);
        if (words == NULL)
            return AG_ERR_NOMEM;
        words[0].start = words[0].end = outer.end;
        return append_words(checker, list, index, name, words, 1, 1, NULL);
    }
    return append_words(checker, list, index, name, outer.words + scan.command,
                        outer.word_count - scan.command, 1, replace);
}

static bool is_parallel_separator(const ag_shell_word *word)
{
    return text_equals(word, ":::") || text_equals(word, "::::") || text_equals(word, ":::+")
           || text_equals(word, "::::+");
}

/*
 * parallel COMMAND ::: ARGS: the command words are joined and run by a shell
 * with each argument, unless -q (--quote) runs them as they are. With no
 * command, the commands come from stdin.
 */
static ag_status unwrap_parallel(ag_checker *checker, ag_command_list *list, size_t index,
                                 const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    scan_wrapper(wrapper, outer.words, outer.word_count, 1, &scan);
    if (scan.no_command && !scan.opaque)
        return AG_OK;
    size_t end = scan.command;
    while (end < outer.word_count && !is_parallel_separator(&outer.words[end]))
        end++;
    if (scan.opaque || end == scan.command) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    if (find_option(&scan, 'q', "quote") != NULL) {
        size_t before = list->count;
        ag_status status = append_words(checker, list, index, name, outer.words + scan.command,
                                        end - scan.command, 0, NULL);
        if (status != AG_OK)
            return status;
        return add_run_time_arguments(&checker->arena, &list->items[before], true);
    }
    return append_joined_script(checker, list, index, name, scan.command,
                                AG_SCRIPT_EXTRA_ARGUMENTS, end);
}

static bool is_find_exec(const ag_shell_word *word)
{
    return text_equals(word, "-exec") || text_equals(word, "-execdir") || text_equals(word, "-ok")
           || text_equals(word, "-okdir");
}

/* find actions other than -exec that change files. */
static bool is_find_write(const ag_shell_word *word)
{
    return text_equals(word, "-delete") || text_equals(word, "-fprint")
           || text_equals(word, "-fprint0") || text_equals(word, "-fprintf")
           || text_equals(word, "-fls");
}

static bool is_fd_exec(const ag_shell_word *word)
{
    return text_equals(word, "-x") || text_equals(word, "--exec") || text_equals(word, "-X")
           || text_equals(word, "--exec-batch");
}

/* fd options that run a command, also inside a cluster (-Hx) or as --exec=CMD. */
static bool is_fd_running_option(const ag_shell_word *word)
{
    const char *text = word->text;
    if (word->dynamic || text[0] != '-')
        return false;
    if (text[1] == '-')
        return strncmp(text, "--exec", 6) == 0;
    return strpbrk(text + 1, "xX") != NULL;
}

/* How a tool that runs commands per result (find -exec, fd -x) writes them. */
typedef struct exec_syntax {
    bool (*starts)(const ag_shell_word *word);    /* a word after which a command follows */
    bool (*runs_code)(const ag_shell_word *word); /* a word that makes the tool run code */
    unsigned dynamic_flags;     /* for a word known only at run time that may be an option */
    bool needs_end;             /* the command must end at `;` or `{} +` (find) */
} exec_syntax;

/*
 * Finds where the command after words[first] ends: at a `;` word, after
 * `{} +` (then *many is set), or at the end of the words when `needs_end`
 * is false. Returns `first` when there is no command, or the word count
 * when a required end is missing.
 */
static size_t exec_command_end(const ag_shell_command *outer, size_t first, bool needs_end,
                               bool *many)
{
    size_t end = first;
    *many = false;
    while (end < outer->word_count && !text_equals(&outer->words[end], ";")) {
        if (needs_end && text_equals(&outer->words[end], "+") && end > first
            && text_equals(&outer->words[end - 1], "{}")) {
            *many = true;
            return end;
        }
        end++;
    }
    return end;
}

/*
 * Unwraps each command that `syntax` marks in the words of a find or fd:
 * {} becomes dynamic, and a command given many names at once gets
 * AG_COMMAND_EXTRA_ARGUMENTS. A command with no words, or one that does not
 * end where it must, makes the tool opaque.
 */
static ag_status unwrap_exec(ag_checker *checker, ag_command_list *list, size_t index,
                             const char *name, const exec_syntax *syntax)
{
    const ag_shell_command outer = list->items[index];
    unsigned flags = 0;
    for (size_t i = 1; i < outer.word_count; i++) {
        const ag_shell_word *word = &outer.words[i];
        if (word->dynamic && (word->text[0] == AG_DYNAMIC_MARK || word->text[0] == '-'))
            flags |= syntax->dynamic_flags;
        if (syntax->runs_code(word))
            flags |= AG_COMMAND_RUNS_CODE;
        if (!syntax->starts(word))
            continue;

        bool many;
        size_t first = i + 1;
        size_t end = exec_command_end(&outer, first, syntax->needs_end, &many);
        if (end == first || (syntax->needs_end && end >= outer.word_count)) {
            flags |= AG_COMMAND_OPAQUE;
            break;
        }
        size_t before = list->count;
        ag_status status = append_words(checker, list, index, name, outer.words + first,
                                        end - first, 0, "{}");
        if (status != AG_OK)
            return status;
        if (many)
            list->items[before].flags |= AG_COMMAND_EXTRA_ARGUMENTS;
        /* -execdir and -okdir run the command in the directory of each file found. */
        if (text_equals(word, "-execdir") || text_equals(word, "-okdir"))
            list->items[before].flags |= AG_COMMAND_UNKNOWN_DIRECTORY;
        i = end;
    }
    list->items[index].flags |= flags;
    return AG_OK;
}

/* find actions that run, delete or write: -exec and the like, and is_find_write(). */
static bool is_find_action(const ag_shell_word *word)
{
    return is_find_exec(word) || is_find_write(word);
}

/*
 * find -exec COMMAND ; runs COMMAND once per file with {} replaced by its
 * name, and -exec COMMAND {} + runs it with many names. A find that
 * executes, deletes or writes gets AG_COMMAND_RUNS_CODE, and so does one
 * with a dynamic word that could be such an action.
 */
static ag_status unwrap_find(ag_checker *checker, ag_command_list *list, size_t index,
                             const char *name)
{
    static const exec_syntax find = {is_find_exec, is_find_action, AG_COMMAND_RUNS_CODE, true};
    return unwrap_exec(checker, list, index, name, &find);
}

/*
 * fd -x COMMAND... runs COMMAND for each result, and -X COMMAND... once with
 * all of them. The command takes the rest of the words, or the words up to
 * a `;`, after which fd reads its own arguments again. Such an fd runs
 * code, and a dynamic word that could be -x makes it opaque.
 * TODO(wrappers): `--exec=CMD` and `-xCMD` are not read as commands.
 */
static ag_status unwrap_fd(ag_checker *checker, ag_command_list *list, size_t index,
                           const char *name)
{
    static const exec_syntax fd = {is_fd_exec, is_fd_running_option, AG_COMMAND_OPAQUE, false};
    return unwrap_exec(checker, list, index, name, &fd);
}

/* How a shell was told to get its program. */
typedef struct shell_options {
    size_t operand;     /* index of the first operand: STRING with -c, else the script */
    bool command_string; /* -c */
    bool from_stdin;    /* -s */
    bool opaque;
    bool unsafe_options; /* -i, -k, -o history, -O lastpipe, ...: see shell_options.c */
} shell_options;

/* Returns whether the option name after `-o` (or `-O` when `shopt`) is unsafe; a missing one is not. */
static bool invocation_name_is_unsafe(const ag_shell_command *command, size_t index, bool on,
                                      bool shopt)
{
    if (index >= command->word_count)
        return false;
    return ag_shell_option_name_is_unsafe(&command->words[index], on, shopt);
}

static void scan_shell_options(const ag_shell_command *command, shell_options *options)
{
    memset(options, 0, sizeof(*options));
    size_t i = 1;
    for (; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic) {
            options->opaque = true;
            break;
        }
        if (strcmp(text, "--") == 0 || strcmp(text, "-") == 0) {
            i++;
            break;
        }
        if (text[0] == '-' && text[1] == '-') {
            if (ag_list_contains("rcfile init-file", text + 2, word->length - 2))
                i++;
            else if (strcmp(text, "--debugger") == 0)
                options->unsafe_options = true;  /* turns on extdebug */
            else if (!ag_list_contains("norc noprofile login posix restricted verbose debugger "
                                       "noediting help version dump-strings dump-po-strings "
                                       "pretty-print",
                                       text + 2, word->length - 2))
                options->opaque = true;
            continue;
        }
        if ((text[0] != '-' && text[0] != '+') || text[1] == '\0')
            break;
        bool on = text[0] == '-';
        for (size_t j = 1; text[j] != '\0'; j++) {
            char letter = text[j];
            if (letter == 'c')
                options->command_string = true;
            else if (letter == 's')
                options->from_stdin = true;
            else if (letter == 'o' || letter == 'O')
                /* -o pipefail: the option name is the next word */
                options->unsafe_options |= invocation_name_is_unsafe(command, ++i, on,
                                                                     letter == 'O');
            else if (!((letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z')))
                options->opaque = true;
            else
                options->unsafe_options |= ag_shell_invocation_letter_is_unsafe(letter, on);
        }
    }
    options->operand = i;
}

/* Returns the heredoc or here-string that feeds a command's stdin, or NULL. */
static const ag_shell_word *stdin_document(const ag_shell_command *command)
{
    const ag_shell_word *document = NULL;
    for (size_t i = 0; i < command->redirect_count; i++) {
        const ag_shell_redirect *redirect = &command->redirects[i];
        if (redirect->fd > 0)
            continue;
        if (redirect->kind == AG_REDIRECT_HEREDOC)
            document = &redirect->body;
        else if (redirect->kind == AG_REDIRECT_HERESTRING)
            document = &redirect->target;
        else if (redirect->kind == AG_REDIRECT_READ || redirect->kind == AG_REDIRECT_READ_WRITE
                 || redirect->kind == AG_REDIRECT_DUPLICATE)
            document = NULL;  /* a later redirection of stdin replaces an earlier one */
    }
    return document;
}

/*
 * sh -c STRING parses STRING; a shell reading its program from a heredoc or
 * here-string parses that text; a shell reading a script file or a pipe runs
 * code this check cannot see.
 */
static ag_status unwrap_shell(ag_checker *checker, ag_command_list *list, size_t index,
                              const char *name)
{
    const ag_shell_command outer = list->items[index];
    /* bash --version prints and exits; dash rejects it and exits too. */
    if (ag_words_only_print_info(&outer, "--version --help"))
        return AG_OK;

    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    shell_options options;
    scan_shell_options(&outer, &options);
    if (options.opaque) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    if (options.unsafe_options)
        list->items[index].flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
    if (options.command_string) {
        if (options.operand >= outer.word_count)
            return AG_OK;
        return append_word_script(checker, list, index, name, &outer.words[options.operand]);
    }
    if (options.from_stdin || options.operand >= outer.word_count) {
        list->items[index].flags |= AG_COMMAND_STDIN_CODE;
        const ag_shell_word *document = stdin_document(&outer);
        if (document != NULL)
            return append_word_script(checker, list, index, name, document);
    }
    return AG_OK;
}

/* su [options] [-] [USER] with -c STRING runs STRING with the user's shell. */
static ag_status unwrap_su(ag_checker *checker, ag_command_list *list, size_t index,
                           const char *name)
{
    const ag_shell_command outer = list->items[index];
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    const ag_shell_word *script = NULL;
    size_t operands = 0;
    bool login = false;
    for (size_t i = 1; i < outer.word_count; i++) {
        const ag_shell_word *word = &outer.words[i];
        const char *text = word->text;
        bool takes_script = text_equals(word, "-c") || text_equals(word, "--command")
                            || text_equals(word, "--session-command");
        if (takes_script && i + 1 < outer.word_count) {
            script = &outer.words[++i];
        } else if (!word->dynamic && strcmp(text, "-") != 0 && text[0] == '-') {
            bool value = ag_list_contains("-g -G -s -w --group --supp-group --shell "
                                          "--whitelist-environment", text, word->length);
            bool flag = ag_list_contains("-l -m -p -f -P --login --preserve-environment "
                                         "--pty --fast", text, word->length);
            if (!value && !flag) {
                list->items[index].flags |= AG_COMMAND_OPAQUE;
                return AG_OK;
            }
            login |= text_equals(word, "-l") || text_equals(word, "--login");
            i += value ? 1 : 0;
        } else if (word->dynamic || strcmp(text, "-") != 0) {
            operands++;
        } else {
            login = true;
        }
    }
    /*
     * A login shell starts in the user's home directory, so the script's
     * relative paths name other files than the checked ones. The script is
     * still parsed, so a deny rule on its commands keeps denying.
     */
    if (login)
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    /* Words after the user name are arguments of the shell: a script or its options. */
    if (operands > 1) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    if (script == NULL)
        return AG_OK;
    return append_word_script(checker, list, index, name, script);
}

/*
 * Applies the -o options of ssh and marks it opaque for -F, because a
 * configuration file can set ProxyCommand and LocalCommand. -I names a
 * PKCS#11 library that ssh loads, so its code runs here.
 */
static ag_status apply_ssh_scan(ag_checker *checker, ag_command_list *list, size_t index,
                                const wrapper_scan *scan, const char *name)
{
    if (scan->opaque)
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    for (size_t i = 0; i < scan->option_count; i++) {
        const option_seen *option = &scan->options[i];
        if (option->short_name == 'F')
            list->items[index].flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
        if (option->short_name == 'I')
            list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        if (option->short_name != 'o' || option->value == NULL)
            continue;
        ag_status status = ag_unwrap_ssh_option(checker, list, index, name, option->value,
                                                option->value_length);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/*
 * ssh [options] HOST [options] COMMAND...: the remote shell runs the command
 * words joined with spaces, so they are parsed as a script, and so is the
 * command of -o RemoteCommand. The commands of -o ProxyCommand, LocalCommand
 * and KnownHostsCommand run locally and are parsed too.
 */
static ag_status unwrap_ssh(ag_checker *checker, ag_command_list *list, size_t index,
                            const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    scan_wrapper(wrapper, outer.words, outer.word_count, 1, &scan);
    ag_status status = apply_ssh_scan(checker, list, index, &scan, name);
    if (status != AG_OK || scan.opaque)
        return status;
    if (scan.no_command || scan.command >= outer.word_count)
        return AG_OK;

    /* OpenSSH reads options again after the host name. */
    size_t host = scan.command;
    scan_wrapper(wrapper, outer.words, outer.word_count, host + 1, &scan);
    status = apply_ssh_scan(checker, list, index, &scan, name);
    if (status != AG_OK || scan.opaque)
        return status;
    if (scan.no_command || scan.command >= outer.word_count)
        return AG_OK;
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    return append_joined_script(checker, list, index, name, scan.command, AG_SCRIPT_PLAIN,
                                outer.word_count);
}

/* ------------------------------------------------- builtins and late wrappers */

/* Marks a wrapper opaque; returns AG_OK so callers can return it. */
static ag_status mark_opaque(ag_command_list *list, size_t index)
{
    list->items[index].flags |= AG_COMMAND_OPAQUE;
    return AG_OK;
}

/*
 * coproc COMMAND runs COMMAND. tree-sitter-bash 0.25 reads `coproc NAME {
 * LIST; }` as words, so the words after `{` (up to the first `;`) are the
 * first command of LIST; the others are separate commands already.
 */
/* Returns whether `word` starts a compound command where Bash expects a command. */
static bool is_compound_start(const ag_shell_word *word)
{
    static const char *const starts[] = {"{", "(", "((", "[[", "if", "while", "until", "for",
                                         "case", "select", "function"};
    for (size_t i = 0; i < sizeof(starts) / sizeof(*starts); i++) {
        if (text_equals(word, starts[i]))
            return true;
    }
    return false;
}

/*
 * coproc COMMAND, or coproc [NAME] COMPOUND. tree-sitter-bash 0.25.1 reads
 * a compound body (`{ a; b; }`, `if ...; then ...; fi`) as words up to the
 * first `;` and the rest as commands of the outer list. The commands after
 * the first then look as if they ran in the current shell, although a `cd`
 * there moves nothing. The first command is still checked, and the coproc is
 * opaque, so the request gives at least ask.
 */
static ag_status unwrap_coproc(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *name)
{
    const ag_shell_command outer = list->items[index];
    size_t first = 1;
    bool compound = false;
    for (size_t i = 1; i < outer.word_count && i <= 2; i++) {
        if (outer.words[i].dynamic)
            return mark_opaque(list, index);
        if (is_compound_start(&outer.words[i])) {
            compound = true;
            first = text_equals(&outer.words[i], "{") || text_equals(&outer.words[i], "(")
                        ? i + 1 : i;
            break;
        }
    }
    if (compound)
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    if (first >= outer.word_count)
        return AG_OK;
    return append_words(checker, list, index, name, outer.words + first,
                        outer.word_count - first, 0, NULL);
}

/*
 * trap CODE SIGNAL... runs CODE later, so CODE is parsed like eval. One
 * operand, or `-` as CODE, resets the signals instead.
 */
static ag_status unwrap_trap(ag_checker *checker, ag_command_list *list, size_t index,
                             const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    scan_wrapper(wrapper, outer.words, outer.word_count, 1, &scan);
    if (scan.opaque)
        return mark_opaque(list, index);
    if (scan.no_command || scan.command + 1 >= outer.word_count
        || text_equals(&outer.words[scan.command], "-"))
        return AG_OK;
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    return append_word_script(checker, list, index, name, &outer.words[scan.command]);
}

/*
 * source FILE runs the code in FILE, which this check cannot read. When stdin
 * is a heredoc or here-string (`. /dev/stdin <<< CODE`), its text is parsed
 * too, since FILE may be stdin.
 */
static ag_status unwrap_source(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *name)
{
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    const ag_shell_word *document = stdin_document(&list->items[index]);
    if (document == NULL)
        return AG_OK;
    return append_word_script(checker, list, index, name, document);
}

/*
 * alias NAME=VALUE makes later commands named NAME run VALUE; environment.c
 * marks the definition unsafe, and VALUE is parsed here so deny rules see it.
 */
static ag_status unwrap_alias(ag_checker *checker, ag_command_list *list, size_t index,
                              const char *name)
{
    const ag_shell_command outer = list->items[index];
    for (size_t i = 1; i < outer.word_count; i++) {
        const ag_shell_word *word = &outer.words[i];
        const char *equals = memchr(word->text, '=', word->length);
        if (word->text[0] == '-' || equals == NULL)
            continue;
        size_t offset = (size_t)(equals + 1 - word->text);
        ag_status status = append_script(checker, list, index, name, equals + 1,
                                         word->length - offset, word->start, word->end,
                                         AG_SCRIPT_PLAIN);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/*
 * script [FILE] -c STRING runs STRING with $SHELL -c; without -c it starts an
 * interactive shell. Options may follow FILE, as getopt permutes them.
 */
static ag_status unwrap_script(ag_checker *checker, ag_command_list *list, size_t index,
                               const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    option_seen command = {0};
    size_t operands = 0;
    for (size_t start = 1; start < outer.word_count; start = scan.command + 1) {
        scan_wrapper(wrapper, outer.words, outer.word_count, start, &scan);
        if (scan.opaque || operands > 1)
            return mark_opaque(list, index);
        if (scan.no_command)
            return AG_OK;
        const option_seen *found = find_option(&scan, 'c', "command");
        if (found != NULL)
            command = *found;
        if (scan.command < outer.word_count)
            operands++;
    }
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    if (operands > 1)
        return mark_opaque(list, index);
    if (command.value == NULL)
        return AG_OK;
    return append_option_script(checker, list, index, name, &command);
}

/* sg GROUP [-c] STRING runs STRING with /bin/sh -c; with no STRING, a shell reads stdin. */
static ag_status unwrap_sg(ag_checker *checker, ag_command_list *list, size_t index,
                           const char *name)
{
    const ag_shell_command outer = list->items[index];
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    size_t at = 1;
    if (at < outer.word_count && text_equals(&outer.words[at], "-"))
        at++;
    if (at < outer.word_count && (outer.words[at].dynamic || outer.words[at].text[0] == '-'))
        return mark_opaque(list, index);
    at++;  /* the group */
    if (at < outer.word_count && text_equals(&outer.words[at], "-c"))
        at++;
    if (at >= outer.word_count)
        return AG_OK;
    if (at + 1 != outer.word_count)
        return mark_opaque(list, index);
    return append_word_script(checker, list, index, name, &outer.words[at]);
}

/*
 * runuser -u USER [--] COMMAND runs COMMAND as it is; without -u, runuser
 * reads su's options and runs -c STRING with a shell.
 */
static ag_status unwrap_runuser(ag_checker *checker, ag_command_list *list, size_t index,
                                const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    wrapper_scan scan;
    scan_wrapper(wrapper, outer.words, outer.word_count, 1, &scan);
    if (scan.opaque || find_option(&scan, 'u', "user") == NULL)
        return unwrap_su(checker, list, index, name);
    if (scan.no_command)
        return AG_OK;
    if (scan.command >= outer.word_count)
        return mark_opaque(list, index);
    return append_words(checker, list, index, name, outer.words + scan.command,
                        outer.word_count - scan.command, 0, NULL);
}

/*
 * gdb runs code from -ex, -x, .gdbinit and its own prompt, so it always
 * counts as running code. gdb [OPTIONS] --args PROGRAM ARGS also runs PROGRAM.
 */
static ag_status unwrap_gdb(ag_checker *checker, ag_command_list *list, size_t index,
                            const char *name)
{
    const ag_shell_command outer = list->items[index];
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    for (size_t i = 1; i < outer.word_count; i++) {
        if (outer.words[i].dynamic)
            return mark_opaque(list, index);
        if (!text_equals(&outer.words[i], "--args") && !text_equals(&outer.words[i], "-args"))
            continue;
        if (i + 1 >= outer.word_count)
            return AG_OK;
        return append_words(checker, list, index, name, outer.words + i + 1,
                            outer.word_count - i - 1, 0, NULL);
    }
    return AG_OK;
}

/*
 * hyperfine runs each operand as shell code, and the values of its
 * scripts_short and scripts_long options (--prepare, --setup, ...) too. Its
 * options may also follow the operands, so every word is read.
 */
static ag_status unwrap_scripts(ag_checker *checker, ag_command_list *list, size_t index,
                                const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    wrapper_scan scan;
    memset(&scan, 0, sizeof(scan));
    bool options = true;

    for (size_t i = 1; i < outer.word_count; i++) {
        const ag_shell_word *word = &outer.words[i];
        if (word->dynamic)
            return mark_opaque(list, index);
        if (options && text_equals(word, "--")) {
            options = false;
            continue;
        }
        if (options && word->text[0] == '-' && word->text[1] != '\0') {
            size_t used = word->text[1] == '-'
                              ? scan_long_option(wrapper, outer.words, outer.word_count, i, &scan)
                              : scan_short_options(wrapper, outer.words, outer.word_count, i,
                                                   &scan);
            if (scan.opaque)
                return mark_opaque(list, index);
            if (scan.no_command)
                return AG_OK;
            i += used - 1;
            continue;
        }
        ag_status status = append_word_script(checker, list, index, name, word);
        if (status != AG_OK)
            return status;
    }
    return append_option_scripts(checker, list, index, wrapper, name, &scan);
}

/* Returns whether `word` is one of the wrapper's script options, written without a value. */
static bool names_script_option(const ag_wrapper *wrapper, const ag_shell_word *word)
{
    const char *text = word->text;
    if (text[0] != '-')
        return false;
    if (text[1] == '-')
        return ag_list_contains(wrapper->scripts_long, text + 2, word->length - 2);
    return text[1] != '\0' && text[2] == '\0' && contains_char(wrapper->scripts_short, text[1]);
}

/*
 * nix-shell and nodemon always run code (a shellHook and an interactive
 * shell, a script), and the value of a script option (nix-shell --run CODE,
 * nodemon --exec CODE) is parsed too. Their other words are not read, since
 * nix-shell -p takes any number of names. A dynamic word, or a script option
 * with its value attached (`--run=CODE`, `-xCODE`), makes the command opaque.
 */
static ag_status unwrap_code_options(ag_checker *checker, ag_command_list *list, size_t index,
                                     const ag_wrapper *wrapper, const char *name)
{
    const ag_shell_command outer = list->items[index];
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    for (size_t i = 1; i < outer.word_count; i++) {
        const ag_shell_word *word = &outer.words[i];
        if (word->dynamic)
            return mark_opaque(list, index);
        if (strncmp(word->text, "--", 2) == 0 && strchr(word->text, '=') != NULL
            && ag_list_contains(wrapper->scripts_long, word->text + 2,
                                strcspn(word->text + 2, "=")))
            return mark_opaque(list, index);
        if (word->text[0] == '-' && word->text[1] != '-' && word->text[1] != '\0'
            && word->text[2] != '\0' && contains_char(wrapper->scripts_short, word->text[1]))
            return mark_opaque(list, index);    /* -xCODE, with the value attached */
        if (!names_script_option(wrapper, word) || i + 1 >= outer.word_count)
            continue;
        i++;
        ag_status status = append_word_script(checker, list, index, name, &outer.words[i]);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static ag_status unwrap_wrapper(ag_checker *checker, ag_command_list *list, size_t index,
                                const ag_wrapper *wrapper, const char *name)
{
    switch (wrapper->kind) {
    case AG_WRAPPER_PLAIN:
        return unwrap_plain(checker, list, index, wrapper, name);
    case AG_WRAPPER_ENV:
        return unwrap_env(checker, list, index, wrapper, name);
    case AG_WRAPPER_WATCH:
        return unwrap_watch(checker, list, index, wrapper, name);
    case AG_WRAPPER_FLOCK:
        return unwrap_flock(checker, list, index, wrapper, name);
    case AG_WRAPPER_XARGS:
        return unwrap_xargs(checker, list, index, wrapper, name);
    case AG_WRAPPER_PARALLEL:
        return unwrap_parallel(checker, list, index, wrapper, name);
    case AG_WRAPPER_FIND:
        return unwrap_find(checker, list, index, name);
    case AG_WRAPPER_FD:
        return unwrap_fd(checker, list, index, name);
    case AG_WRAPPER_SHELL:
        return unwrap_shell(checker, list, index, name);
    case AG_WRAPPER_SU:
        return unwrap_su(checker, list, index, name);
    case AG_WRAPPER_EVAL:
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        return append_joined_script(checker, list, index, name, 1, AG_SCRIPT_PLAIN,
                                    list->items[index].word_count);
    case AG_WRAPPER_SSH:
        return unwrap_ssh(checker, list, index, wrapper, name);
    case AG_WRAPPER_FOREIGN_SHELL:
        list->items[index].flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
        return AG_OK;
    case AG_WRAPPER_COPROC:
        return unwrap_coproc(checker, list, index, name);
    case AG_WRAPPER_TRAP:
        return unwrap_trap(checker, list, index, wrapper, name);
    case AG_WRAPPER_SOURCE:
        return unwrap_source(checker, list, index, name);
    case AG_WRAPPER_ALIAS:
        return unwrap_alias(checker, list, index, name);
    case AG_WRAPPER_SCRIPT:
        return unwrap_script(checker, list, index, wrapper, name);
    case AG_WRAPPER_SG:
        return unwrap_sg(checker, list, index, name);
    case AG_WRAPPER_RUNUSER:
        return unwrap_runuser(checker, list, index, wrapper, name);
    case AG_WRAPPER_GDB:
        return unwrap_gdb(checker, list, index, name);
    case AG_WRAPPER_SCRIPTS:
        return unwrap_scripts(checker, list, index, wrapper, name);
    case AG_WRAPPER_CODE_OPTIONS:
        return unwrap_code_options(checker, list, index, wrapper, name);
    }
    return AG_OK;
}

ag_status ag_unwrap_append_words(ag_checker *checker, ag_command_list *list, size_t index,
                                 const char *wrapper_name, const ag_shell_word *words,
                                 size_t count)
{
    if (count == 0)
        return AG_OK;
    return append_words(checker, list, index, wrapper_name, words, count, 0, NULL);
}

ag_status ag_unwrap_append_script(ag_checker *checker, ag_command_list *list, size_t index,
                                  const char *wrapper_name, const ag_shell_word *word)
{
    return append_word_script(checker, list, index, wrapper_name, word);
}

ag_status ag_unwrap_append_joined_script(ag_checker *checker, ag_command_list *list,
                                         size_t index, const char *wrapper_name, size_t first)
{
    return append_joined_script(checker, list, index, wrapper_name, first, AG_SCRIPT_PLAIN,
                                list->items[index].word_count);
}

ag_status ag_unwrap_append_callback(ag_checker *checker, ag_command_list *list, size_t index,
                                    const char *wrapper_name, const char *text, size_t length,
                                    bool arguments)
{
    const ag_shell_command outer = list->items[index];
    return append_script(checker, list, index, wrapper_name, text, length, outer.start,
                         outer.end, arguments ? AG_SCRIPT_CALLBACK : AG_SCRIPT_PLAIN);
}

/*
 * Returns whether the wrapper `name` of `command` only changes how long, how
 * nicely or with which buffers its command runs. Claude Code strips these
 * before it matches allow rules, so `Bash(npm test *)` allows
 * `timeout 30 npm test`; xargs only without options, since its options
 * change the command line. The command they run is checked on its own.
 */
static bool is_transparent(const ag_shell_command *command, const char *name, size_t length)
{
    static const char *const names[] = {"timeout", "time", "nice", "nohup", "stdbuf",
                                        "command", "builtin", "xargs"};
    if (command->flags & AG_COMMAND_OPAQUE)
        return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strlen(names[i]) != length || memcmp(names[i], name, length) != 0)
            continue;
        return i + 1 < sizeof(names) / sizeof(*names)
               || (command->word_count > 1 && command->words[1].text[0] != '-');
    }
    return false;
}

/*
 * Returns the subcommand runner (`uv run`) that the command's first argument
 * names, or NULL. When an option or a dynamic word comes first and a later
 * word could be such a subcommand (`uv --quiet run rm`), the options of the
 * tool itself are not known, so the command is marked opaque. Listed global
 * options (`kubectl -n x exec`) are the exception: globals.c appends the
 * command without them, whose runner is then unwrapped.
 */
static const ag_wrapper *find_subcommand_runner(ag_shell_command *command, const char *name,
                                                size_t length)
{
    if (command->word_count < 2 || !ag_wrapper_may_have_subcommands(name, length))
        return NULL;
    const ag_shell_word *first = &command->words[1];
    const ag_wrapper *wrapper = ag_wrapper_find_subcommand(name, length, first);
    if (wrapper == NULL && command->word_count >= 3)
        wrapper = ag_wrapper_find_group_subcommand(name, length, first, &command->words[2]);
    if (wrapper != NULL || (!first->dynamic && first->text[0] != '-')
        || !ag_wrapper_has_subcommands(name, length))
        return wrapper;

    size_t global = ag_global_subcommand(command);
    for (size_t i = 1; i < command->word_count; i++) {
        if (command->words[i].dynamic
            || ag_wrapper_find_subcommand(name, length, &command->words[i]) != NULL) {
            if (i != global)
                command->flags |= AG_COMMAND_OPAQUE;
            break;
        }
    }
    return NULL;
}

ag_status ag_unwrap(ag_checker *checker, ag_command_list *list, size_t index)
{
    ag_shell_command *command = &list->items[index];
    ag_environment_mark(command);
    ag_interpreter_mark(command);

    size_t length = 0;
    const char *name = ag_command_base_name(command, &length);
    if (name != NULL && length == 3 && memcmp(name, "git", 3) == 0 && command->depth < AG_UNWRAP_MAX_DEPTH)
        return ag_unwrap_git(checker, list, index);
    const ag_wrapper *wrapper = name != NULL ? ag_wrapper_find(name, length) : NULL;
    if (wrapper == NULL && name != NULL)
        wrapper = find_subcommand_runner(command, name, length);
    if (wrapper == NULL) {
        ag_status status = ag_unwrap_code_builtin(checker, list, index);
        /* Before globals.c copies the command, so the copy inherits its directory flag. */
        if (status == AG_OK)
            status = ag_unwrap_package_manager(checker, list, index, name, length);
        if (status == AG_OK)
            status = ag_unwrap_global_options(checker, list, index, name, length);
        return status != AG_OK ? status : ag_unwrap_tool(checker, list, index);
    }
    if (command->depth >= AG_UNWRAP_MAX_DEPTH) {
        command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    size_t count = list->count;
    ag_status status = unwrap_wrapper(checker, list, index, wrapper, name);
    if (status == AG_OK && list->count > count && is_transparent(&list->items[index], name, length))
        list->items[index].flags |= AG_COMMAND_TRANSPARENT;
    return status;
}
