/*
 * Unwrapping: finding the commands that run behind a wrapper (sudo, env,
 * timeout, xargs, find -exec, bash -c, eval, ssh, ...) and marking commands
 * whose meaning depends on more than their words (interpreters fed code,
 * variable assignments that change what runs).
 */
#ifndef AG_EVAL_UNWRAP_H
#define AG_EVAL_UNWRAP_H

#include "eval/eval.h"

/*
 * Looks at list->items[index]: sets its AG_COMMAND_* flags, and appends to
 * `list` each command it runs through a wrapper, with AG_COMMAND_WRAPPED and
 * `wrapper` set and `depth` one more than the wrapper's. The caller calls this
 * for every item, including appended ones, so wrappers of wrappers unwrap too.
 * Appended commands keep the span of the text they came from (for bash -c
 * 'STRING', the span of STRING). Returns AG_OK, or AG_ERR_NOMEM.
 */
ag_status ag_unwrap(ag_checker *checker, ag_command_list *list, size_t index);

/*
 * Returns the name of the first prefix assignment of `command` that sets
 * AG_COMMAND_UNLISTED_ENVIRONMENT, with its length in *length, or NULL.
 * The name is not NUL-terminated.
 */
const char *ag_environment_unlisted_name(const ag_shell_command *command, size_t *length);

#endif
