/* Permission modes and protected paths, applied after the rules decided (mode.c). */
#ifndef AG_EVAL_MODE_H
#define AG_EVAL_MODE_H

#include "eval/eval.h"

/*
 * Applies the checker's mode and the protected paths to a Bash request whose
 * verdict, commands and effects the rules have decided. `analysis` says
 * whether the analysis was complete; `cwd` is the request's, or NULL.
 * Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_mode_apply_command(ag_checker *checker, const ag_shell_analysis *analysis,
                                const char *cwd);

/*
 * Applies the checker's mode and the protected paths to a decided tool call.
 * `context` contains the normalized cwd and home of a file tool's request, or
 * is NULL for other tools.
 */
ag_status ag_mode_apply_tool(ag_checker *checker, const char *tool_name,
                             const ag_path_context *context);

#endif
