/* Placeholder so the tree builds; the policy loader replaces it. */
#include "policy/policy.h"
const char *ag_default_policy_text(void) { return "default: ask\n"; }
