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

/*
 * Sets the home directory that "~" means in rules such as Read(~/.ssh/id_*) and
 * in request paths. The library never reads $HOME itself: with no home set,
 * "~/..." paths match only rules written with "~/", and a home-anchored rule
 * could match any other path, so it makes deny and ask rules apply (at least
 * ask) and allow rules not apply. `home` must be absolute; it is copied, and
 * NULL unsets it. Returns AG_ERR_ARGUMENT for a NULL checker or a relative
 * home, and AG_ERR_NOMEM when the copy fails.
 */
AG_EXPORT ag_status ag_checker_set_home(ag_checker *checker, const char *home);

/*
 * Limits on the analysis of one Bash request. A field of 0 keeps the limit
 * the policy sets. Reaching a limit never skips the deny and ask rules for
 * what was analysed, and the request then gets at least ask.
 */
typedef struct ag_limits {
    size_t max_input_bytes;   /* longest command text analysed, in bytes */
    unsigned max_depth;       /* deepest nesting of the syntax tree walked */
    size_t max_commands;      /* most commands, wrapped ones included, per request */
    unsigned timeout_ms;      /* parse time budget, in milliseconds */
} ag_limits;

/*
 * Sets limits for the checks of this checker. Each limit takes the stricter
 * of `limits` and the policy's, so a checker can only tighten a policy.
 * Returns AG_ERR_ARGUMENT when an argument is NULL.
 */
AG_EXPORT ag_status ag_checker_set_limits(ag_checker *checker, const ag_limits *limits);

/* The outcome of one check. Owned by the checker. */
typedef struct ag_verdict ag_verdict;

/*
 * Checks one request: a tool call named `tool_name` whose input is the JSON
 * object `tool_input_json` (Claude Code's field names: "command" for Bash,
 * "file_path" for Read and Edit, "url" for WebFetch), run in the working
 * directory `cwd` (may be NULL when unknown).
 *
 * Returns a verdict that stays valid until the next check on this checker.
 * A malformed request is not an error: a request whose JSON or fields are
 * invalid gets deny, a command that cannot be fully analysed (a syntax error,
 * a limit reached) gets at least ask, and ag_verdict_error() says why.
 * Returns NULL with *error set only when memory runs out or an argument is
 * NULL, and the host must then treat the request as denied.
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

/* ---------------------------------------------------------------- effects */

/*
 * What a command does besides running: a file it reads, a file it writes or
 * deletes, a directory it changes into, or a host it contacts. Effects come
 * from the command's arguments (per a built-in table of common commands),
 * its redirections and `cd`. Read(...) rules apply to reads, Edit(...) rules
 * to writes, WebFetch rules to hosts, whatever the command is.
 */
typedef enum ag_effect_kind {
    AG_EFFECT_READ = 0,
    AG_EFFECT_WRITE = 1,
    AG_EFFECT_CHDIR = 2,
    AG_EFFECT_NETWORK = 3
} ag_effect_kind;

/* Returns "read", "write", "chdir" or "network", or "unknown" for another value. Never NULL. */
AG_EXPORT const char *ag_effect_kind_name(ag_effect_kind kind);

/*
 * Returns the number of effects found in a Bash request. The request's
 * decision is the strictest of its commands' and its effects' decisions.
 */
AG_EXPORT size_t ag_verdict_effect_count(const ag_verdict *verdict);

/* Returns the kind of effect `index`, or AG_EFFECT_READ when out of range. */
AG_EXPORT ag_effect_kind ag_verdict_effect_kind(const ag_verdict *verdict, size_t index);

/*
 * Returns the target of effect `index`: an absolute normalized path, or a
 * host name for AG_EFFECT_NETWORK. An unknown part shows as the byte 0x01,
 * and a path that starts with "~" means the home directory was not known.
 * NULL when out of range. Owned by the verdict.
 */
AG_EXPORT const char *ag_verdict_effect_target(const ag_verdict *verdict, size_t index);

/* Returns the decision effect `index` got, or AG_DENY when out of range. */
AG_EXPORT ag_decision ag_verdict_effect_decision(const ag_verdict *verdict, size_t index);

/* Returns the rule that decided effect `index`, or NULL when none did. */
AG_EXPORT const char *ag_verdict_effect_rule(const ag_verdict *verdict, size_t index);

/* Returns the deciding rule's "FILE:LINE:COLUMN" for effect `index`, or NULL. */
AG_EXPORT const char *ag_verdict_effect_source(const ag_verdict *verdict, size_t index);

/*
 * Stores the byte span of the word effect `index` came from and returns true,
 * or returns false when out of range.
 */
AG_EXPORT bool ag_verdict_effect_span(const ag_verdict *verdict, size_t index,
                                      size_t *start, size_t *end);

/*
 * Returns the index (into the verdict's commands) of the command that has
 * effect `index`, or SIZE_MAX when out of range.
 */
AG_EXPORT size_t ag_verdict_effect_command(const ag_verdict *verdict, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* AGENTGUARD_H */
