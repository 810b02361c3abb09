/* Placeholder so the tree builds; the policy loader replaces it. */
#include "policy/policy.h"
