/*
 * Shared declarations of the fuzz harnesses. Each fuzz_<name>.c defines
 * LLVMFuzzerTestOneInput(); libFuzzer calls it in the fuzzing build, and
 * replay.c calls it on the committed seeds in the normal build.
 */
#ifndef AG_FUZZ_H
#define AG_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints where an invariant failed and aborts, so the fuzzer saves the input. */
_Noreturn void fuzz_fail(const char *file, int line, const char *condition);

#define FUZZ_ASSERT(condition) \
    do { \
        if (!(condition)) \
            fuzz_fail(__FILE__, __LINE__, #condition); \
    } while (0)

/* Aborts with the library's message unless `error` is an out-of-memory error. */
void fuzz_require_nomem(const ag_error *error, const char *operation);

/* Returns a NUL-terminated copy of `size` bytes, aborting when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * Parses `text` with jansson as ag_check() reads a tool input, so an integer
 * beyond 64 bits is read as a real. Returns a new reference, or NULL.
 */
struct json_t *fuzz_json_loads(const char *text);

/*
 * Returns whether a word the analysis calls dynamic shows it: it has an
 * AG_DYNAMIC_MARK byte, or (see the NOTE in common.c) a glob, extglob or tilde.
 */
bool fuzz_dynamic_word_marked(const char *text, size_t length);

/*
 * Checks the invariants every verdict must keep: a valid decision, never
 * allow when the request was not fully analysed, and a decision at least as
 * strict as each command's. Spans must lie inside the `input_length` bytes
 * of the Bash command `input`, which is NULL for other requests.
 */
void fuzz_check_verdict(const ag_verdict *verdict, const char *input, size_t input_length);

/*
 * Runs `command` through `checker` and returns its decision after checking
 * the verdict. Returns AG_DENY when the library ran out of memory.
 */
ag_decision fuzz_check_command(ag_checker *checker, const char *command, size_t length);

/*
 * Checks `command` alone and prefixed with `true && `, asserts that the
 * prefix never turns a decision stricter than allow into allow, and returns
 * the decision of the command alone.
 */
ag_decision fuzz_check_prefix_keeps_decision(ag_checker *checker, const char *command,
                                             size_t length);

/*
 * When `command` is denied and is one command of static words, checks that
 * the same words single-quoted are not allowed if the command's own words
 * were denied (a redirection's deny does not carry over). When the
 * single-quoted words are denied, no variant with the last byte of one word
 * replaced by an unquoted `?` or `*` glob is allowed either, because each of
 * those can run the denied command.
 */
void fuzz_check_glob_keeps_deny(ag_checker *checker, const char *command, size_t length);

/*
 * When `command` has a NUL byte, checks that it is not allowed if the text
 * before that byte is fully analysed and not allowed. A host that passes the
 * command on as a C string (execve, bash -c) runs only that text.
 */
void fuzz_check_nul_truncation(ag_checker *checker, const char *command, size_t length);

/* A growable, NUL-terminated text for building commands; aborts when memory runs out. */
struct text {
    char *data;
    size_t length;
    size_t capacity;
};

/* Appends `length` bytes of `data` to `text`. */
void text_add(struct text *text, const char *data, size_t length);

/* Returns a checker for the built-in default policy, created on the first call. */
ag_checker *fuzz_default_checker(void);

#endif
