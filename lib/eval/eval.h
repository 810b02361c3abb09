/*
 * Evaluation: turns a request into a verdict, using the shell analysis for
 * Bash commands and the policy's rules for everything.
 */
#ifndef AG_EVAL_EVAL_H
#define AG_EVAL_EVAL_H

#include <jansson.h>

#include "effects/effects.h"
#include "policy/policy.h"
#include "rules/rules.h"
#include "shell/shell.h"

/* A growable list of commands in the checker's arena. */
typedef struct ag_command_list {
    ag_shell_command *items;
    size_t count;
    size_t capacity;
} ag_command_list;

/* Appends a copy of *command; returns AG_ERR_NOMEM when the arena is exhausted. */
ag_status ag_command_list_append(ag_arena *arena, ag_command_list *list,
                                 const ag_shell_command *command);

/* The decision one command of a Bash request got on its own. */
typedef struct ag_command_verdict {
    const ag_shell_command *command;
    ag_decision decision;
    const ag_rule *rule;      /* the deciding rule, or NULL when the default or a check decided */
    const char *reason;       /* arena text */
} ag_command_verdict;

/* What the rules say about one command. */
typedef struct ag_rule_findings {
    const ag_rule *deny;        /* first deny rule that matches */
    const ag_rule *deny_maybe;  /* first deny rule that could match */
    const ag_rule *ask;         /* first ask rule that matches or could match */
    bool ask_is_maybe;
    const ag_rule *allow;       /* first allow rule that matches */
} ag_rule_findings;

/* Notes a rule's match in *findings; the first rule of each kind is kept. */
void ag_findings_record(ag_rule_findings *findings, const ag_rule *rule, ag_match match);

/* Sets result's decision, rule and reason from findings; `text` names what was checked. */
void ag_findings_decide(ag_checker *checker, ag_command_verdict *result,
                        const ag_rule_findings *findings, const char *text);

/* Copies text for a reason: at most 80 bytes, unknown parts shown as "$?". Never NULL. */
const char *ag_quote_text(ag_arena *arena, const char *text, size_t length);

struct ag_verdict {
    ag_decision decision;
    const char *reason;       /* arena text, never NULL once a check returns */
    const ag_rule *rule;
    ag_status error;
    bool has_span;
    size_t span_start, span_end;
    ag_command_verdict *commands;
    size_t command_count;
    ag_effect *effects;       /* files read and written, directories entered, hosts contacted */
    size_t effect_count;
};

struct ag_checker {
    const ag_policy *policy;
    ag_shell_analyzer *analyzer;
    ag_arena arena;                  /* every per-check allocation; reset at each check */
    pcre2_match_data *match_data;
    ag_buffer subjects[4];           /* spellings of the command being matched: see build_subjects() */
    size_t subject_count;
    ag_verdict verdict;
    char *home;                      /* absolute home directory for "~", or NULL */
    ag_shell_limits limits;          /* the policy's limits, tightened by ag_checker_set_limits() */
};

/* Evaluates a Bash command and fills checker->verdict. Returns AG_ERR_NOMEM or AG_OK. */
ag_status ag_eval_command(ag_checker *checker, const char *command, size_t length,
                          const char *cwd);

/*
 * Evaluates a request for a tool other than Bash and fills checker->verdict.
 * `input` is the parsed tool input (a JSON object); `cwd` may be NULL.
 */
ag_status ag_eval_tool(ag_checker *checker, const char *tool_name, json_t *input,
                       const char *cwd);

/* Sets checker->verdict to a deny for a malformed request, with `code` and a reason. */
ag_status ag_eval_reject(ag_checker *checker, ag_status code, const char *format, ...)
    AG_PRINTF(3, 4);

#endif
