/* Helpers shared by the fuzz harnesses: invariant checks on verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"

_Noreturn void fuzz_fail(const char *file, int line, const char *condition)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, condition);
    abort();
}

void fuzz_require_nomem(const ag_error *error, const char *operation)
{
    if (error != NULL && ag_error_code(error) == AG_ERR_NOMEM)
        return;
    fprintf(stderr, "%s failed: %s\n", operation,
            error != NULL ? ag_error_message(error) : "no error was stored");
    abort();
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL)
        abort();
    if (size > 0)
        memcpy(copy, data, size);
    copy[size] = '\0';
    return copy;
}

json_t *fuzz_json_loads(const char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    if (root == NULL && json_error_code(&error) == json_error_numeric_overflow)
        root = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &error);
    return root;
}

bool fuzz_dynamic_word_marked(const char *text, size_t length)
{
    if (memchr(text, '\x01', length) != NULL)
        return true;
    /*
     * NOTE: shell.h promises one mark per unknown part, but the analysis
     * keeps an unquoted glob, extglob or tilde as its literal text (`*.c`,
     * `@(a|b)`, `~/x`) and only sets `dynamic`. Until the two agree, such a word passes here. The
     * check harness tests what matters, that a glob cannot dodge a deny rule.
     */
    for (size_t i = 0; i < length; i++) {
        if (strchr("*?[~(", text[i]) != NULL && text[i] != '\0')
            return true;
    }
    return false;
}

static bool is_decision(ag_decision decision)
{
    return decision == AG_ALLOW || decision == AG_ASK || decision == AG_DENY;
}

void fuzz_check_verdict(const ag_verdict *verdict, const char *input, size_t input_length)
{
    /* The public API gives words as C strings, which end early at a NUL byte of the input. */
    bool input_has_nul = input != NULL && memchr(input, '\0', input_length) != NULL;

    ag_decision decision = ag_verdict_decision(verdict);
    FUZZ_ASSERT(is_decision(decision));
    FUZZ_ASSERT(ag_verdict_reason(verdict) != NULL);
    FUZZ_ASSERT(ag_verdict_reason(verdict)[0] != '\0');

    /* Fail closed: a request that was malformed or not fully analysed is never allowed. */
    ag_status error = ag_verdict_error(verdict);
    FUZZ_ASSERT(error >= AG_OK && error <= AG_ERR_INTERNAL);
    if (error != AG_OK)
        FUZZ_ASSERT(decision != AG_ALLOW);

    /* A deciding rule always has a source, and the other way round. */
    FUZZ_ASSERT((ag_verdict_rule(verdict) == NULL) == (ag_verdict_source(verdict) == NULL));

    size_t start = 0, end = 0;
    if (ag_verdict_span(verdict, &start, &end)) {
        FUZZ_ASSERT(start <= end);
        if (input != NULL)
            FUZZ_ASSERT(end <= input_length);
    }

    size_t count = ag_verdict_command_count(verdict);
    for (size_t i = 0; i < count; i++) {
        ag_decision command_decision = ag_verdict_command_decision(verdict, i);
        FUZZ_ASSERT(is_decision(command_decision));
        /* The request's decision is the strictest of its commands'. */
        FUZZ_ASSERT(command_decision <= decision);
        FUZZ_ASSERT((ag_verdict_command_rule(verdict, i) == NULL)
                    == (ag_verdict_command_source(verdict, i) == NULL));

        FUZZ_ASSERT(ag_verdict_command_span(verdict, i, &start, &end));
        FUZZ_ASSERT(start <= end);
        if (input != NULL)
            FUZZ_ASSERT(end <= input_length);

        size_t argc = ag_verdict_command_argc(verdict, i);
        for (size_t word = 0; word < argc; word++) {
            bool dynamic = false;
            const char *text = ag_verdict_command_arg(verdict, i, word, &dynamic);
            FUZZ_ASSERT(text != NULL);
            if (dynamic && !input_has_nul)
                FUZZ_ASSERT(fuzz_dynamic_word_marked(text, strlen(text)));
        }
        FUZZ_ASSERT(ag_verdict_command_arg(verdict, i, argc, NULL) == NULL);
    }
    FUZZ_ASSERT(!ag_verdict_command_span(verdict, count, &start, &end));
}

ag_decision fuzz_check_command(ag_checker *checker, const char *command, size_t length)
{
    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check_command(checker, command, length, "/tmp", &error);
    if (verdict == NULL) {
        fuzz_require_nomem(error, "ag_check_command");
        ag_error_free(error);
        return AG_DENY;
    }
    FUZZ_ASSERT(error == NULL);
    fuzz_check_verdict(verdict, command, length);
    return ag_verdict_decision(verdict);
}

ag_decision fuzz_check_prefix_keeps_decision(ag_checker *checker, const char *command,
                                             size_t length)
{
    static const char prefix[] = "true && ";
    const size_t prefix_length = sizeof(prefix) - 1;

    ag_decision alone = fuzz_check_command(checker, command, length);

    char *prefixed = malloc(prefix_length + length + 1);
    if (prefixed == NULL)
        abort();
    memcpy(prefixed, prefix, prefix_length);
    if (length > 0)
        memcpy(prefixed + prefix_length, command, length);
    prefixed[prefix_length + length] = '\0';

    ag_decision with_prefix = fuzz_check_command(checker, prefixed, prefix_length + length);
    free(prefixed);

    /*
     * `true && X` runs X, so when X alone is denied or asked, the prefixed
     * command must not be allowed. NOTE: deny may become ask, for example
     * when the prefixed text no longer parses; only allow is a failure.
     */
    if (alone != AG_ALLOW)
        FUZZ_ASSERT(with_prefix != AG_ALLOW);
    return alone;
}

ag_checker *fuzz_default_checker(void)
{
    static ag_policy *policy;
    static ag_checker *checker;

    if (checker != NULL)
        return checker;

    ag_error *error = NULL;
    policy = ag_policy_load_default(&error);
    if (policy == NULL) {
        fuzz_require_nomem(error, "ag_policy_load_default");
        abort();
    }
    checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        fuzz_require_nomem(error, "ag_checker_new");
        abort();
    }
    return checker;
}

/* A growable string for building commands. Appending aborts when out of memory. */
void text_add(struct text *text, const char *data, size_t length)
{
    if (text->length + length + 1 > text->capacity) {
        size_t capacity = (text->length + length + 1) * 2;
        char *grown = realloc(text->data, capacity);
        if (grown == NULL)
            abort();
        text->data = grown;
        text->capacity = capacity;
    }
    memcpy(text->data + text->length, data, length);
    text->length += length;
    text->data[text->length] = '\0';
}

/* Appends `word` in single quotes, so the shell reads it back unchanged. */
static void text_add_quoted(struct text *text, const char *word, size_t length)
{
    text_add(text, "'", 1);
    for (size_t i = 0; i < length; i++) {
        if (word[i] == '\'')
            text_add(text, "'\\''", 4);
        else
            text_add(text, &word[i], 1);
    }
    text_add(text, "'", 1);
}

/*
 * Returns the words of a verdict that has exactly one command, all of its
 * words static, as copies in *words (free each and the array), or 0 when the
 * verdict is not such a command.
 */
static size_t copy_static_words(const ag_verdict *verdict, char ***words)
{
    if (ag_verdict_command_count(verdict) != 1)
        return 0;
    size_t argc = ag_verdict_command_argc(verdict, 0);
    if (argc == 0)
        return 0;
    for (size_t i = 0; i < argc; i++) {
        bool dynamic = true;
        ag_verdict_command_arg(verdict, 0, i, &dynamic);
        if (dynamic)
            return 0;
    }
    *words = calloc(argc, sizeof(**words));
    if (*words == NULL)
        abort();
    for (size_t i = 0; i < argc; i++) {
        (*words)[i] = strdup(ag_verdict_command_arg(verdict, 0, i, NULL));
        if ((*words)[i] == NULL)
            abort();
    }
    return argc;
}

/* Returns the words single-quoted and joined by spaces; word `globbed`, if < argc, ends in `glob`. */
static struct text quote_words(char **words, size_t argc, size_t globbed, char glob)
{
    struct text text = {0};
    for (size_t i = 0; i < argc; i++) {
        size_t word_length = strlen(words[i]);
        if (i > 0)
            text_add(&text, " ", 1);
        if (i == globbed && word_length > 0 && words[i][word_length - 1] != '/') {
            text_add_quoted(&text, words[i], word_length - 1);
            text_add(&text, &glob, 1);
        } else {
            text_add_quoted(&text, words[i], word_length);
        }
    }
    return text;
}

void fuzz_check_glob_keeps_deny(ag_checker *checker, const char *command, size_t length)
{
    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check_command(checker, command, length, "/tmp", &error);
    if (verdict == NULL) {
        fuzz_require_nomem(error, "ag_check_command");
        ag_error_free(error);
        return;
    }
    if (ag_verdict_decision(verdict) != AG_DENY)
        return;

    char **words = NULL;
    size_t argc = copy_static_words(verdict, &words);
    if (argc == 0)
        return;

    /*
     * The requoted words keep a deny that came from the words, but drop one
     * that came from a redirection (`echo x > denied`).
     */
    bool words_denied = ag_verdict_command_decision(verdict, 0) == AG_DENY;
    struct text requoted = quote_words(words, argc, argc, '\0');
    ag_decision base = fuzz_check_command(checker, requoted.data, requoted.length);
    free(requoted.data);
    if (words_denied)
        FUZZ_ASSERT(base != AG_ALLOW);

    /* Each glob variant of a denied command can expand to it, so it must not be allowed. */
    for (size_t variant = 0; variant < argc && base == AG_DENY; variant++) {
        for (const char *glob = "?*"; *glob != '\0'; glob++) {
            struct text text = quote_words(words, argc, variant, *glob);
            FUZZ_ASSERT(fuzz_check_command(checker, text.data, text.length) != AG_ALLOW);
            free(text.data);
        }
    }

    for (size_t i = 0; i < argc; i++)
        free(words[i]);
    free(words);
}

void fuzz_check_nul_truncation(ag_checker *checker, const char *command, size_t length)
{
    const char *nul = memchr(command, '\0', length);
    if (nul == NULL)
        return;

    ag_error *error = NULL;
    const ag_verdict *truncated = ag_check_command(checker, command, (size_t)(nul - command),
                                                   "/tmp", &error);
    if (truncated == NULL) {
        fuzz_require_nomem(error, "ag_check_command");
        ag_error_free(error);
        return;
    }
    /*
     * Only a fully analysed prefix counts: a prefix that does not parse is
     * asked because of the cut, and bash runs nothing of it.
     */
    if (ag_verdict_decision(truncated) == AG_ALLOW || ag_verdict_error(truncated) != AG_OK)
        return;
    FUZZ_ASSERT(fuzz_check_command(checker, command, length) != AG_ALLOW);
}
