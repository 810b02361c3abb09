/* Deciding the effects of a Bash request's commands against the policy. */
#ifndef AG_EFFECTS_DECIDE_H
#define AG_EFFECTS_DECIDE_H

#include "effects/effects.h"
#include "eval/eval.h"

/* Sets the decision, rule and reason of each effect. `context` holds the request's cwd and home. */
ag_status ag_effects_decide(ag_checker *checker, ag_effect_list *effects,
                            const ag_path_context *context);

/*
 * Returns whether ag_effects_decide() follows a target of an effect of
 * `kind` through symbolic links on disk, because where it leads can change
 * the verdict of a request checked by `checker`.
 */
bool ag_effect_link_matters(ag_checker *checker, ag_effect_kind kind);

/*
 * Extracts and decides the effects of `commands` (the verdict's command list)
 * and stores them in checker->verdict. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_effects_evaluate(ag_checker *checker, const ag_shell_command *commands, size_t count,
                              const char *cwd, size_t input_length);

#endif
