/* Placeholder so the tree builds; the shell analysis replaces it. */
#include "shell/shell.h"

ag_shell_analyzer *ag_shell_analyzer_new(void) { return NULL; }
void ag_shell_analyzer_free(ag_shell_analyzer *analyzer) { (void)analyzer; }
ag_status ag_shell_analyze(ag_shell_analyzer *analyzer, const char *input,
                           size_t length, const ag_shell_limits *limits,
                           ag_arena *arena, ag_shell_analysis *out)
{
    (void)analyzer; (void)input; (void)length; (void)limits; (void)arena;
    *out = (ag_shell_analysis){0};
    out->incomplete = AG_SHELL_UNKNOWN_NODE;
    return AG_OK;
}
