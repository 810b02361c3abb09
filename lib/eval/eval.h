/*
 * Evaluation: turns a request into a verdict, using the shell analysis for
 * Bash commands and the policy's rules for everything.
 */
#ifndef AG_EVAL_EVAL_H
#define AG_EVAL_EVAL_H

#include "policy/policy.h"
#include "rules/rules.h"
#include "shell/shell.h"

/* The decision one command of a Bash request got on its own. */
typedef struct ag_command_verdict {
    const ag_shell_command *command;
    ag_decision decision;
    const ag_rule *rule;      /* the deciding rule, or NULL when the default or a check decided */
    const char *reason;       /* arena text */
} ag_command_verdict;

struct ag_verdict {
    ag_decision decision;
    const char *reason;       /* arena text, never NULL once a check returns */
    const ag_rule *rule;
    ag_status error;
    bool has_span;
    size_t span_start, span_end;
    ag_command_verdict *commands;
    size_t command_count;
};

struct ag_checker {
    const ag_policy *policy;
    ag_shell_analyzer *analyzer;
    ag_arena arena;                  /* every per-check allocation; reset at each check */
    pcre2_match_data *match_data;
    ag_buffer subject;               /* the command being matched: words joined by spaces */
    ag_verdict verdict;
};

/* Evaluates a Bash command and fills checker->verdict. Returns AG_ERR_NOMEM or AG_OK. */
ag_status ag_eval_command(ag_checker *checker, const char *command, size_t length,
                          const char *cwd);

/* Evaluates a request for a tool other than Bash and fills checker->verdict. */
ag_status ag_eval_tool(ag_checker *checker, const char *tool_name);

/* Sets checker->verdict to a deny for a malformed request, with `code` and a reason. */
ag_status ag_eval_reject(ag_checker *checker, ag_status code, const char *format, ...)
    AG_PRINTF(3, 4);

#endif
