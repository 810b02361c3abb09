/*
 * Fuzzes a full check: a generated policy and a generated command. The input
 * is split at its first "\n%%\n" into policy YAML and a Bash command; an
 * input without that separator is a command for the built-in default policy.
 *
 * Invariants: every verdict keeps the checks of fuzz_check_verdict(), and a
 * command that is denied or asked on its own is never allowed when prefixed
 * with `true && `, and a denied command stays denied or asked when its words
 * are requoted or one of them ends in a glob, and a command with a NUL byte is
 * not allowed when the text before the NUL is not (see fuzz.h).
 */
#include <string.h>

#include "fuzz.h"

static const char separator[] = "\n%%\n";

/* Returns the offset of the first separator in the input, or SIZE_MAX. */
static size_t find_separator(const uint8_t *data, size_t size)
{
    const size_t length = sizeof(separator) - 1;
    for (size_t i = 0; i + length <= size; i++) {
        if (memcmp(data + i, separator, length) == 0)
            return i;
    }
    return SIZE_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t split = find_separator(data, size);
    if (split == SIZE_MAX) {
        fuzz_check_prefix_keeps_decision(fuzz_default_checker(), (const char *)data, size);
        fuzz_check_glob_keeps_deny(fuzz_default_checker(), (const char *)data, size);
        fuzz_check_nul_truncation(fuzz_default_checker(), (const char *)data, size);
        return 0;
    }

    const char *command = (const char *)data + split + sizeof(separator) - 1;
    size_t command_length = size - split - (sizeof(separator) - 1);

    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("fuzz.yaml", (const char *)data, split, &error);
    if (policy == NULL) {
        FUZZ_ASSERT(error != NULL);
        ag_error_free(error);
        return 0;
    }

    ag_checker *checker = ag_checker_new(policy, &error);
    if (checker == NULL) {
        fuzz_require_nomem(error, "ag_checker_new");
        ag_error_free(error);
        ag_policy_free(policy);
        return 0;
    }

    fuzz_check_prefix_keeps_decision(checker, command, command_length);
    fuzz_check_glob_keeps_deny(checker, command, command_length);
    fuzz_check_nul_truncation(checker, command, command_length);

    ag_checker_free(checker);
    ag_policy_free(policy);
    return 0;
}
