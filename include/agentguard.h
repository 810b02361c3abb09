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
    AG_ERR_YAML = 4,           /* a policy is not well-formed YAML, or a .json settings
                                  file not well-formed JSON */
    AG_ERR_POLICY_KEY = 5,     /* an unknown key in a policy */
    AG_ERR_POLICY_VALUE = 6,   /* a policy value has the wrong type or value */
    AG_ERR_RULE = 7,           /* a rule is malformed */
    AG_ERR_PATTERN = 8,        /* a rule's pattern cannot be compiled */
    AG_ERR_REQUEST = 9,        /* a request (tool name or tool input) is malformed, or its
                                  command cannot be fully analysed: see ag_verdict_error() */
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
 * Returns the full message: "FILE:LINE:COLUMN: error[CODE]: TEXT" when the
 * error has a location, "FILE: error[CODE]: TEXT" when it names a file but no
 * line (a policy file that cannot be read), and "error[CODE]: TEXT"
 * otherwise. TEXT shows invisible and space-like characters outside ASCII
 * as \uXXXX (\UXXXXXXXX above U+FFFF) and control bytes as \xHH. Owned by
 * the error.
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
 * `name` is used in error messages and rule sources in place of a file name,
 * and NULL means "<string>".
 * On failure the builder is left as it was before the call.
 *
 * After a failed add (of any kind), ag_policy_builder_build() still succeeds
 * and builds the policy without that source, deny rules included. A host
 * that means to fail closed must not build after a failed add.
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

/*
 * Warnings of a policy: rules that load but probably do not do what their
 * author meant, such as a deny rule naming an unknown tool (a typo would
 * protect nothing) or an allow rule that can never match. Each message is
 * "FILE:LINE:COLUMN: warning: TEXT", with TEXT escaped as in
 * ag_error_message(), owned by the policy; NULL when `index` is out of
 * range. Hosts should show them to the user.
 */
AG_EXPORT size_t ag_policy_warning_count(const ag_policy *policy);
AG_EXPORT const char *ag_policy_warning(const ag_policy *policy, size_t index);

/*
 * Tests written in the policy's `tests:` key, in the order written, from every
 * source. Each test is a request (a tool name, its input as a JSON object
 * text, and an optional cwd and home), the expected decision and optionally
 * the expected deciding rule. Every string is owned by the policy. The
 * accessors return NULL (or AG_DENY for the decision) when `index` is out of
 * range. cwd, home and rule are NULL when the test does not give them.
 * `agentguard test` runs them; a host can run them with ag_check().
 */
AG_EXPORT size_t ag_policy_test_count(const ag_policy *policy);
AG_EXPORT const char *ag_policy_test_name(const ag_policy *policy, size_t index);
AG_EXPORT const char *ag_policy_test_tool_name(const ag_policy *policy, size_t index);
AG_EXPORT const char *ag_policy_test_tool_input_json(const ag_policy *policy, size_t index);
AG_EXPORT const char *ag_policy_test_cwd(const ag_policy *policy, size_t index);
AG_EXPORT const char *ag_policy_test_home(const ag_policy *policy, size_t index);
AG_EXPORT ag_decision ag_policy_test_expect(const ag_policy *policy, size_t index);
AG_EXPORT const char *ag_policy_test_rule(const ag_policy *policy, size_t index);
/* Returns where the test was written, "FILE:LINE:COLUMN". */
AG_EXPORT const char *ag_policy_test_source(const ag_policy *policy, size_t index);

/* --------------------------------------------------------------- checkers */

/* Checks requests against one policy. One checker per thread. */
typedef struct ag_checker ag_checker;

/*
 * Creates a checker for `policy`, which must outlive the checker. Returns NULL
 * with *error set when out of memory (AG_ERR_NOMEM) or when `policy` is NULL
 * (AG_ERR_ARGUMENT). Free it with ag_checker_free().
 */
AG_EXPORT ag_checker *ag_checker_new(const ag_policy *policy, ag_error **error);

/* Frees a checker and its last verdict. Accepts NULL. */
AG_EXPORT void ag_checker_free(ag_checker *checker);

/*
 * Sets the home directory that "~" means in rules such as Read(~/.ssh/id_*) and
 * in request paths. The library never reads $HOME itself. With no home set,
 * "~/..." paths match only rules written with "~/". Any other path could be
 * under the unknown home, so a home-anchored deny or ask rule makes it ask,
 * and a home-anchored allow rule does not allow it. `home` must be absolute.
 * The checker keeps a normalized copy ("//", "." and ".." removed) that leads
 * through symbolic links on disk as the kernel does, so "/home/u/." and a
 * link to /home/u name the same home. NULL unsets it. Returns
 * AG_ERR_ARGUMENT for a NULL checker, a relative home or one whose ".."
 * cannot be applied (after /proc/self/cwd, a loop of links or a directory
 * the process may not search), and AG_ERR_NOMEM when the copy fails.
 */
AG_EXPORT ag_status ag_checker_set_home(ag_checker *checker, const char *home);

/*
 * Sets the CDPATH of the shell that runs the checked commands, a list of
 * directories separated by ':'. Bash's `cd NAME` and `pushd NAME` look for
 * NAME in each of them before ./NAME, unless NAME starts with "/", "./" or
 * "../" or is "." or "..". An empty entry is the current directory, and a
 * relative entry is taken from the directory the cd runs in. The library
 * never reads $CDPATH itself. Without it, `cd .ssh && cat id_rsa` is checked
 * as reading ./.ssh/id_rsa, though a shell with CDPATH=/home/u reads
 * /home/u/.ssh/id_rsa. `cdpath` is copied, and NULL or "" unsets it (the
 * default). Returns AG_ERR_ARGUMENT for a NULL checker, and AG_ERR_NOMEM when
 * the copy fails.
 */
AG_EXPORT ag_status ag_checker_set_cdpath(ag_checker *checker, const char *cdpath);

/*
 * Limits on the analysis of one Bash request. A field of 0 keeps the limit
 * the policy sets. Reaching a limit never skips the deny and ask rules for
 * what was analysed, and the request then gets at least ask.
 */
typedef struct ag_limits {
    size_t max_input_bytes;   /* maximum length of a command text, in bytes */
    unsigned max_depth;       /* maximum nesting depth of the syntax tree walked */
    size_t max_commands;      /* maximum number of commands per request, wrapped ones included */
    unsigned timeout_ms;      /* parse time budget, in milliseconds */
} ag_limits;

/*
 * Sets limits for the checks of this checker. Each limit takes the stricter
 * of `limits` and the policy's, so a checker can only tighten a policy.
 * Returns AG_ERR_ARGUMENT when an argument is NULL.
 */
AG_EXPORT ag_status ag_checker_set_limits(ag_checker *checker, const ag_limits *limits);

/*
 * Turns explain mode on or off. In explain mode each check records every rule
 * that matches or could match each command, effect and tool call, not only
 * the deciding one. ag_verdict_command_match() and the like read them.
 * Decisions are the same either way, but checks are slower, because the rule
 * loops no longer stop at the first deny. Returns AG_ERR_ARGUMENT for NULL.
 */
AG_EXPORT ag_status ag_checker_set_explain(ag_checker *checker, bool explain);

/* The outcome of one check. Owned by the checker. */
typedef struct ag_verdict ag_verdict;

/*
 * Checks one request: a tool call named `tool_name` whose input is the JSON
 * object `tool_input_json` (Claude Code's field names: "command" for Bash,
 * "file_path" for Read and Edit, "url" for WebFetch), run in the working
 * directory `cwd`: an absolute path, or NULL when unknown. With an unknown
 * cwd, a relative path without ".." and a rule anchored at the cwd
 * ("Read(./.env)") are taken from the same unknown directory. So such a deny
 * or ask rule applies to the path, unless a command of the request changes
 * directory, while such an allow rule does not.
 *
 * Returns a verdict that stays valid until the next check on this checker.
 * A malformed request is not an error: a request whose JSON or fields are
 * invalid gets deny, a command that cannot be fully analysed (a syntax error,
 * a limit reached) gets at least ask, and ag_verdict_error() says why.
 * Returns NULL with *error set only when memory runs out, an argument is
 * NULL or the cwd is not absolute (AG_ERR_ARGUMENT), and the host must then
 * treat the request as denied.
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
 * fully analysed, and AG_OK otherwise. AG_ERR_REQUEST covers two cases. A
 * malformed request (a tool input that is not valid JSON, a Bash "command"
 * that is not a string or contains a NUL byte) is denied. A well-formed
 * command that cannot be fully analysed (a syntax error, a construct the
 * analysis cannot see through) gets at least ask, and its
 * ag_verdict_error_message() starts with "the command cannot be fully
 * analysed: ". AG_ERR_LIMIT is a limit reached, which gets at least ask.
 */
AG_EXPORT ag_status ag_verdict_error(const ag_verdict *verdict);

/*
 * Returns a sentence that names the problem behind ag_verdict_error(), such as
 * "the Bash tool input's \"command\" is not a string", or NULL when the error
 * is AG_OK. The reason may name a deciding rule instead. Owned by the verdict.
 */
AG_EXPORT const char *ag_verdict_error_message(const ag_verdict *verdict);

/*
 * Commands of a verdict: every command found in a Bash request, in the order
 * they appear in the text, with the decision each got on its own. The
 * request's decision is the strictest of theirs. After a syntax error, the
 * commands found by parsing each line alone follow, in line order. Their
 * deny and ask raise the request's decision, but their allow lowers nothing.
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

/* ------------------------------------------------------- explain mode */

/*
 * Rules recorded in explain mode (ag_checker_set_explain()); every count is 0
 * when explain mode is off. Each accessor stores, in each output that is not
 * NULL, the rule's text, its "FILE:LINE:COLUMN", its decision, and whether it
 * matches for certain (true) or only could match for some value of the
 * dynamic words (false). It returns false when an index is out of range.
 * The strings are owned by the verdict's policy.
 *
 * ag_verdict_match*() lists the rules matched by the request as a whole: a
 * non-Bash tool call, or the Bash(param:value) rules of a Bash request.
 */
AG_EXPORT size_t ag_verdict_match_count(const ag_verdict *verdict);
AG_EXPORT bool ag_verdict_match(const ag_verdict *verdict, size_t index,
                                const char **rule_text, const char **source,
                                ag_decision *decision, bool *certain);

/* Rules that matched command `command` of a Bash request. */
AG_EXPORT size_t ag_verdict_command_match_count(const ag_verdict *verdict, size_t command);
AG_EXPORT bool ag_verdict_command_match(const ag_verdict *verdict, size_t command,
                                        size_t index, const char **rule_text,
                                        const char **source, ag_decision *decision,
                                        bool *certain);

/* Rules that matched effect `effect` of a Bash request. */
AG_EXPORT size_t ag_verdict_effect_match_count(const ag_verdict *verdict, size_t effect);
AG_EXPORT bool ag_verdict_effect_match(const ag_verdict *verdict, size_t effect, size_t index,
                                       const char **rule_text, const char **source,
                                       ag_decision *decision, bool *certain);

/* ------------------------------------------------------ decisions and audit */

/*
 * A function the checker calls once for each ag_check() or
 * ag_check_command() that returns a verdict, after the verdict is final, on
 * the thread that made the check. It is not called when the check returns
 * NULL. Exactly one of two inputs is set:
 * - for ag_check(), `tool_input_json` is the JSON text as passed, and
 *   `command` is NULL with `command_length` 0;
 * - for ag_check_command(), `tool_input_json` is NULL, and `command` and
 *   `command_length` are the command text as passed (not NUL-terminated, and
 *   not necessarily valid UTF-8). `tool_name` is then "Bash".
 * `cwd` is the cwd argument of the check and may be NULL. Every pointer is
 * valid only during the call. The callback must not free the checker, and a
 * check it makes on the same checker returns NULL with AG_ERR_ARGUMENT,
 * because that check would overwrite the verdict being reported.
 */
typedef void (*ag_decision_callback)(const ag_verdict *verdict,
                                     const char *tool_name,
                                     const char *tool_input_json,
                                     const char *command,
                                     size_t command_length,
                                     const char *cwd,
                                     void *user_data);

/*
 * Sets the decision callback of `checker` and the `user_data` passed to it;
 * a NULL callback removes it. The checker does not own `user_data`. Returns
 * AG_ERR_ARGUMENT for a NULL checker.
 */
AG_EXPORT ag_status ag_checker_set_callback(ag_checker *checker,
                                            ag_decision_callback callback,
                                            void *user_data);

/*
 * Returns the policy's digest: 64 lowercase hex digits of the SHA-256 of its
 * sources in the order they were added, each fed as the netstring of its name
 * then the netstring of its text ("LENGTH:BYTES," with the length in
 * decimal). A policy file's name is its path as given, so the same file
 * loaded by another path has another digest. A policy built with no source
 * hashes the built-in default as the one source named "<default>". Computed
 * when the policy is built; owned by the policy. NULL for a NULL policy.
 */
AG_EXPORT const char *ag_policy_digest(const ag_policy *policy);

/*
 * Writes the SHA-256 of `length` bytes at `data` into `hex` as 64 lowercase
 * hex digits and a NUL. Returns AG_ERR_ARGUMENT when `hex` is NULL or `data`
 * is NULL with a non-zero length. Thread-safe.
 */
AG_EXPORT ag_status ag_sha256_hex(const void *data, size_t length, char hex[65]);

/* ----------------------------------------------------------------- layers */

/*
 * Where a policy source comes from, from the most to the least authoritative.
 * Every rule of every layer is checked, so a deny or ask rule in any layer
 * beats an allow rule in any other. The layer decides which `mode:` wins (the
 * most authoritative layer that sets one, but the project and local_project
 * layers cannot set bypassPermissions or lock a mode, and a user-layer lock
 * beats their mode; see docs/policy-model.md), and a managed source with
 * `allow_managed_rules_only: true` makes the allow rules of every other layer
 * ignored (their deny and ask rules still apply).
 */
typedef enum ag_layer {
    AG_LAYER_MANAGED = 0,        /* set by an administrator, e.g. managed-settings.json */
    AG_LAYER_COMMAND_LINE = 1,   /* given to this run; ag_policy_builder_add_file() uses it */
    AG_LAYER_LOCAL_PROJECT = 2,  /* the project's own, not shared: .claude/settings.local.json */
    AG_LAYER_PROJECT = 3,        /* the project's shared settings: .claude/settings.json */
    AG_LAYER_USER = 4            /* the user's settings for every project */
} ag_layer;

/*
 * Returns "managed", "command_line", "local_project", "project" or "user", or
 * "unknown" for another value. Never NULL.
 */
AG_EXPORT const char *ag_layer_name(ag_layer layer);

/*
 * Stores the layer named `name` (as ag_layer_name() spells it) in *layer and
 * returns true, or returns false: for another name, or when `name` or
 * `layer` is NULL.
 */
AG_EXPORT bool ag_layer_from_name(const char *name, ag_layer *layer);

/*
 * Same as ag_policy_builder_add_file(), with the source in `layer`. A file
 * whose name ends in ".json" is read as a Claude Code settings file
 * (.claude/settings.json, managed-settings.json): its "permissions" object
 * gives the rules and the mode, and its other top-level keys are ignored.
 * In the project and local_project layers, `/path` rules of a settings file
 * in a `.claude` directory start at the project root, the parent of that
 * directory, as in Claude Code. Elsewhere they start at the file's directory.
 * Returns AG_ERR_ARGUMENT for a layer outside the enum, before the file is
 * read.
 */
AG_EXPORT ag_status ag_policy_builder_add_file_in_layer(ag_policy_builder *builder,
                                                        const char *path,
                                                        ag_layer layer,
                                                        ag_error **error);

/*
 * Same as ag_policy_builder_add_string(), with the source in `layer`. A
 * `name` ending in ".json" makes the text a settings file.
 */
AG_EXPORT ag_status ag_policy_builder_add_string_in_layer(ag_policy_builder *builder,
                                                          const char *name,
                                                          const char *text,
                                                          size_t length,
                                                          ag_layer layer,
                                                          ag_error **error);

/*
 * Stores the layer of the rule that decided the verdict in *layer and returns
 * true, or returns false when no rule decided.
 */
AG_EXPORT bool ag_verdict_layer(const ag_verdict *verdict, ag_layer *layer);

/* ------------------------------------------------------------------ modes */

/*
 * Permission modes, as Claude Code names them. A mode adjusts the decision
 * the rules made. In no mode does a write to a protected path (.git, shell
 * startup files, ~/.ssh, the policy's own files and others) get allow
 * without an Edit allow rule that names the path. See docs/policy-model.md.
 */
typedef enum ag_mode {
    AG_MODE_DEFAULT = 0,             /* the rules decide */
    AG_MODE_ACCEPT_EDITS = 1,        /* file edits inside the working directories are allowed */
    AG_MODE_PLAN = 2,                /* read-only: every write is denied */
    AG_MODE_DONT_ASK = 3,            /* every ask becomes deny, for runs with nobody to ask */
    AG_MODE_BYPASS_PERMISSIONS = 4   /* what no rule decides is allowed */
} ag_mode;

/*
 * Returns "default", "acceptEdits", "plan", "dontAsk" or "bypassPermissions",
 * or "unknown" for another value. Never NULL.
 */
AG_EXPORT const char *ag_mode_name(ag_mode mode);

/*
 * Stores the mode named `name` (as ag_mode_name() spells it) in *mode and
 * returns true, or returns false: for another name, or when `name` or `mode`
 * is NULL.
 */
AG_EXPORT bool ag_mode_from_name(const char *name, ag_mode *mode);

/*
 * Returns the mode the policy sets (the `mode:` of its most authoritative
 * layer that has one, with the exceptions for the project layers that
 * ag_layer describes), or AG_MODE_DEFAULT.
 */
AG_EXPORT ag_mode ag_policy_mode(const ag_policy *policy);

/* Returns whether the policy locks its mode (`mode_locked: true`), so ag_checker_set_mode() cannot change it. */
AG_EXPORT bool ag_policy_mode_locked(const ag_policy *policy);

/*
 * Sets the mode of this checker's next checks. A new checker has the
 * policy's mode. When the policy locks its mode, the request is ignored and
 * AG_OK is returned. A host passes on the mode its user picked (a hook's
 * "permission_mode"), and a policy locks its mode so that this choice cannot
 * loosen it, so keeping the locked mode is the expected outcome, not a
 * failure. ag_checker_mode() returns the mode in force. Returns
 * AG_ERR_ARGUMENT for a NULL checker or a mode outside the enum.
 */
AG_EXPORT ag_status ag_checker_set_mode(ag_checker *checker, ag_mode mode);

/* Returns the mode of the checker's next checks, or AG_MODE_DEFAULT for a NULL checker. */
AG_EXPORT ag_mode ag_checker_mode(const ag_checker *checker);

#ifdef __cplusplus
}
#endif

#endif /* AGENTGUARD_H */
