/* Deciding the effects of a Bash request's commands against the policy. */
#ifndef AG_EFFECTS_DECIDE_H
#define AG_EFFECTS_DECIDE_H

#include "effects/effects.h"
#include "eval/eval.h"

/* Sets the decision, rule and reason of each effect. `context` holds the request's cwd and home. */
ag_status ag_effects_decide(ag_checker *checker, ag_effect_list *effects,
                            const ag_path_context *context);

/*
 * Extracts and decides the effects of `commands` (the verdict's command list)
 * and stores them in checker->verdict. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_effects_evaluate(ag_checker *checker, const ag_shell_command *commands, size_t count,
                              const char *cwd, size_t input_length);

#endif
