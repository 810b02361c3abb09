/*
 * libagentguard: a permission engine for AI coding agents.
 *
 * Before an agent runs a tool call (a shell command, a file read or edit, a
 * web fetch, an MCP tool), the host asks this library for a verdict: allow,
 * ask the user, or deny. Shell commands are parsed with tree-sitter-bash, and
 * every command that would run is checked against the rules of a policy.
 *
 * Objects and threads:
 * - ag_policy is a compiled policy. It is immutable once built and may be
 *   shared by any number of checkers on any number of threads.
 * - ag_checker owns a tree-sitter parser and scratch memory. Use one checker
 *   per thread; a checker must not be used by two threads at once.
 * - ag_verdict belongs to the checker that produced it and stays valid until
 *   the next check on that checker or until the checker is freed.
 * - ag_error is owned by the caller and freed with ag_error_free().
 *
 * Every _free function accepts NULL. The library never prints, never calls
 * exit() or abort() on bad input, and never reads the environment.
 *
 * Failing closed: input that cannot be fully analysed (a parse error, a
 * construct the analysis cannot see through, a limit reached) gets ask or
 * deny, never allow.
 */
#ifndef AGENTGUARD_H
#define AGENTGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AG_BUILDING_LIBRARY) && defined(__GNUC__)
#define AG_EXPORT __attribute__((visibility("default")))
#else
#define AG_EXPORT
#endif

/* Version of this header. ag_version_number() returns the library's. */
#define AG_VERSION_MAJOR 0
#define AG_VERSION_MINOR 1
#define AG_VERSION_PATCH 0
#define AG_VERSION_STRING "0.1.0"
#define AG_VERSION_NUMBER \
    (AG_VERSION_MAJOR * 10000 + AG_VERSION_MINOR * 100 + AG_VERSION_PATCH)

/* Returns the version of the linked library as "MAJOR.MINOR.PATCH". */
AG_EXPORT const char *ag_version(void);

/* Returns the version of the linked library as AG_VERSION_NUMBER computes it. */
AG_EXPORT int ag_version_number(void);

/* ---------------------------------------------------------------- errors */

/*
 * Error codes. The set is closed: a new code is added only with a new minor
 * version, and the numeric values never change.
 */
typedef enum ag_status {
    AG_OK = 0,
    AG_ERR_NOMEM = 1,          /* an allocation failed */
    AG_ERR_ARGUMENT = 2,       /* a NULL or otherwise invalid argument */
    AG_ERR_IO = 3,             /* a file could not be opened or read */
    AG_ERR_YAML = 4,           /* a policy is not well-formed YAML */
    AG_ERR_POLICY_KEY = 5,     /* an unknown key in a policy */
    AG_ERR_POLICY_VALUE = 6,   /* a policy value has the wrong type or value */
    AG_ERR_RULE = 7,           /* a rule is malformed */
    AG_ERR_PATTERN = 8,        /* a rule's pattern cannot be compiled */
    AG_ERR_REQUEST = 9,        /* a request (tool name or tool input) is malformed */
    AG_ERR_LIMIT = 10,         /* an input exceeds a configured limit */
    AG_ERR_INTERNAL = 11       /* a bug in the library */
} ag_status;

/* An error with a message and, when it concerns a file, its location. */
typedef struct ag_error ag_error;

/* Frees an error. Accepts NULL. */
AG_EXPORT void ag_error_free(ag_error *error);

/* Returns the error's code. */
AG_EXPORT ag_status ag_error_code(const ag_error *error);

/*
 * Returns the full message, "FILE:LINE:COLUMN: error[CODE]: TEXT" when the
 * error has a location and "error[CODE]: TEXT" otherwise. Owned by the error.
 */
AG_EXPORT const char *ag_error_message(const ag_error *error);

/* Returns the name of the file the error concerns, or NULL. Owned by the error. */
AG_EXPORT const char *ag_error_file(const ag_error *error);

/* Returns the 1-based line of the error, or 0 when it has no location. */
AG_EXPORT unsigned ag_error_line(const ag_error *error);

/* Returns the 1-based column (in bytes) of the error, or 0 when it has no location. */
AG_EXPORT unsigned ag_error_column(const ag_error *error);

/* Returns the stable name of a code, such as "AG_ERR_RULE". Never NULL. */
AG_EXPORT const char *ag_status_name(ag_status code);

/* -------------------------------------------------------------- decisions */

/* A decision, ordered from the least to the most strict. */
typedef enum ag_decision {
    AG_ALLOW = 0,
    AG_ASK = 1,
    AG_DENY = 2
} ag_decision;

/* Returns "allow", "ask" or "deny". Never NULL. */
AG_EXPORT const char *ag_decision_name(ag_decision decision);

/* --------------------------------------------------------------- policies */

/* A compiled policy: immutable, safe to share between threads. */
typedef struct ag_policy ag_policy;

/*
 * Builds a policy from one or more policy sources. A builder is used by one
 * thread and freed with ag_policy_builder_free() after ag_policy_builder_build().
 */
typedef struct ag_policy_builder ag_policy_builder;

/* Creates an empty builder, or returns NULL when out of memory. Free it with ag_policy_builder_free(). */
AG_EXPORT ag_policy_builder *ag_policy_builder_new(void);

/* Frees a builder. Accepts NULL. */
AG_EXPORT void ag_policy_builder_free(ag_policy_builder *builder);

/*
 * Parses the YAML policy file at `path` and adds its rules to the builder.
 * On failure returns the error code, stores an error in *error when `error` is
 * not NULL, and leaves the builder as it was before the call.
 */
AG_EXPORT ag_status ag_policy_builder_add_file(ag_policy_builder *builder,
                                               const char *path,
                                               ag_error **error);

/*
 * Parses `length` bytes of YAML policy text and adds its rules to the builder.
 * `name` is used in error messages and rule sources in place of a file name.
 * On failure the builder is left as it was before the call.
 */
AG_EXPORT ag_status ag_policy_builder_add_string(ag_policy_builder *builder,
                                                 const char *name,
                                                 const char *text,
                                                 size_t length,
                                                 ag_error **error);

/*
 * Compiles everything added so far into a new policy. With no source added,
 * the policy is the built-in default policy. Several sources combine: their
 * rules are all checked, and the policy's default decision is the strictest
 * `default:` any of them sets (ask when none sets one).
 *
 * Returns a policy to free with ag_policy_free(), or NULL with *error set.
 * The builder may be freed right after.
 */
AG_EXPORT ag_policy *ag_policy_builder_build(ag_policy_builder *builder,
                                             ag_error **error);

/* Loads one policy file. Same as a builder with one ag_policy_builder_add_file(). */
AG_EXPORT ag_policy *ag_policy_load_file(const char *path, ag_error **error);

/* Loads a policy from YAML text. `name` stands for the file name in locations. */
AG_EXPORT ag_policy *ag_policy_load_string(const char *name,
                                           const char *text,
                                           size_t length,
                                           ag_error **error);

/* Loads the built-in default policy. */
AG_EXPORT ag_policy *ag_policy_load_default(ag_error **error);

/* Returns the YAML text of the built-in default policy. Static storage. */
AG_EXPORT const char *ag_default_policy_text(void);

/* Frees a policy. Accepts NULL. Every checker made from it must be freed first. */
AG_EXPORT void ag_policy_free(ag_policy *policy);

/* Returns the number of rules in a policy. */
AG_EXPORT size_t ag_policy_rule_count(const ag_policy *policy);

/* --------------------------------------------------------------- checkers */

/* Checks requests against one policy. One checker per thread. */
typedef struct ag_checker ag_checker;

/*
 * Creates a checker for `policy`, which must outlive the checker. Returns NULL
 * with *error set when out of memory. Free it with ag_checker_free().
 */
AG_EXPORT ag_checker *ag_checker_new(const ag_policy *policy, ag_error **error);

/* Frees a checker and its last verdict. Accepts NULL. */
AG_EXPORT void ag_checker_free(ag_checker *checker);

/* The outcome of one check. Owned by the checker. */
typedef struct ag_verdict ag_verdict;

/*
 * Checks one request: a tool call named `tool_name` whose input is the JSON
 * object `tool_input_json` (Claude Code's field names: "command" for Bash,
 * "file_path" for Read and Edit, "url" for WebFetch), run in the working
 * directory `cwd` (may be NULL when unknown).
 *
 * Returns a verdict that stays valid until the next check on this checker.
 * A malformed request is not an error: its verdict is deny, and
 * ag_verdict_error() says what is wrong. Returns NULL with *error set only when
 * memory runs out or an argument is NULL; the host must then treat the
 * request as denied.
 */
AG_EXPORT const ag_verdict *ag_check(ag_checker *checker,
                                     const char *tool_name,
                                     const char *tool_input_json,
                                     const char *cwd,
                                     ag_error **error);

/*
 * Checks one Bash command of `length` bytes, the same as ag_check() with the
 * tool "Bash" and {"command": COMMAND}. The command need not be
 * NUL-terminated. Byte spans in the verdict are offsets into this text.
 */
AG_EXPORT const ag_verdict *ag_check_command(ag_checker *checker,
                                             const char *command,
                                             size_t length,
                                             const char *cwd,
                                             ag_error **error);

/* --------------------------------------------------------------- verdicts */

/* Returns the decision of a verdict. */
AG_EXPORT ag_decision ag_verdict_decision(const ag_verdict *verdict);

/* Returns a sentence that explains the decision. Owned by the verdict. */
AG_EXPORT const char *ag_verdict_reason(const ag_verdict *verdict);

/*
 * Returns the text of the rule that decided, as written in the policy, or NULL
 * when no rule did (the policy's default decided, or the request was
 * malformed). Owned by the verdict's policy.
 */
AG_EXPORT const char *ag_verdict_rule(const ag_verdict *verdict);

/*
 * Returns where the deciding rule was written, as "FILE:LINE:COLUMN", or NULL
 * when no rule decided. Owned by the verdict's policy.
 */
AG_EXPORT const char *ag_verdict_source(const ag_verdict *verdict);

/*
 * Stores the byte span [*start, *end) of the part of the input that decided
 * and returns true, or returns false when the verdict has no span (for
 * example a request that is not a shell command). For Bash requests the
 * offsets are into the command text.
 */
AG_EXPORT bool ag_verdict_span(const ag_verdict *verdict, size_t *start, size_t *end);

/*
 * Returns the error code when the request itself was malformed or could not be
 * analysed within the limits, and AG_OK otherwise.
 */
AG_EXPORT ag_status ag_verdict_error(const ag_verdict *verdict);

/*
 * Commands of a verdict: every command found in a Bash request, in the order
 * they appear in the text, with the decision each got on its own. The
 * request's decision is the strictest of theirs.
 */
AG_EXPORT size_t ag_verdict_command_count(const ag_verdict *verdict);

/* Returns the number of words (argv) of command `index`, or 0 when out of range. */
AG_EXPORT size_t ag_verdict_command_argc(const ag_verdict *verdict, size_t index);

/*
 * Returns word `word` of command `index` after quote removal, or NULL when out
 * of range. A dynamic word (its value is only known at run time) keeps its
 * literal parts and shows each unknown part as the byte 0x01. Owned by the
 * verdict. *dynamic, when not NULL, is set to whether the word is dynamic.
 */
AG_EXPORT const char *ag_verdict_command_arg(const ag_verdict *verdict,
                                             size_t index,
                                             size_t word,
                                             bool *dynamic);

/* Returns the decision command `index` got on its own. */
AG_EXPORT ag_decision ag_verdict_command_decision(const ag_verdict *verdict, size_t index);

/* Returns the rule that decided command `index`, or NULL when the default did. */
AG_EXPORT const char *ag_verdict_command_rule(const ag_verdict *verdict, size_t index);

/* Returns the deciding rule's "FILE:LINE:COLUMN" for command `index`, or NULL. */
AG_EXPORT const char *ag_verdict_command_source(const ag_verdict *verdict, size_t index);

/* Stores the byte span of command `index` in the input and returns true, or returns false when out of range. */
AG_EXPORT bool ag_verdict_command_span(const ag_verdict *verdict, size_t index,
                                       size_t *start, size_t *end);

#ifdef __cplusplus
}
#endif

#endif /* AGENTGUARD_H */
