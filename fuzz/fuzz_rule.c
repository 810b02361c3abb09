/*
 * Fuzzes one permission rule. The first line of the input is the rule text,
 * parsed with each decision; every further line (at most MAX_SUBJECTS) is a
 * command subject to match it against, as words joined with single spaces
 * where the byte 0x01 stands for an unknown part of a dynamic word.
 *
 * Besides "no crash", the harness checks the two properties the evaluator's
 * safety rests on:
 * - a YES for a subject with unknown parts holds for any value of them, so
 *   replacing each mark with a concrete text must still give YES;
 * - a subject that matches keeps matching (YES or MAYBE) when part of one of
 *   its words becomes unknown, so a deny rule cannot be dodged with `$X`.
 * For a Read or Edit rule whose glob has no wildcard (matched without PCRE2),
 * the subjects also serve as paths, and every path matcher must give what
 * the JIT-compiled regex of the same glob gives. For other path rules, the
 * partial matches of PCRE2's interpreter must agree with JIT's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules/paths.h"
#include "rules/rules.h"

#define MAX_SUBJECTS 8
#define MAX_WORDS 8

static const char *const fixed_subjects[] = {
    "",
    "ls",
    "git status",
    "git push --force origin main",
    "rm -rf /",
    "npm publish --tag next",
    "ls \x01",
    "rm -rf \x01",
    "git \x01 origin",
    "\x01 -rf /",
};

static const size_t fixed_subject_count = sizeof(fixed_subjects) / sizeof(fixed_subjects[0]);

/* Values substituted for an unknown part: each is a value `$X` can take. */
static const char *const concrete_values[] = {"", "x", "a b", "-rf /", "*", ")"};

static pcre2_match_data *match_data;

static bool first_word_has_mark(const char *subject, size_t length)
{
    const char *space = memchr(subject, ' ', length);
    size_t first = space != NULL ? (size_t)(space - subject) : length;
    return memchr(subject, AG_DYNAMIC_MARK, first) != NULL;
}

static ag_match match(const ag_rule *rule, const char *subject, size_t length)
{
    ag_match result = ag_rule_match_command(rule, subject, length,
                                            first_word_has_mark(subject, length), match_data);
    FUZZ_ASSERT(result == AG_MATCH_NO || result == AG_MATCH_MAYBE || result == AG_MATCH_YES);
    return result;
}

/* Returns `subject` with bytes [start, end) replaced by `value`; the caller frees it. */
static char *splice(const char *subject, size_t length, size_t start, size_t end,
                    const char *value, size_t *out_length)
{
    size_t value_length = strlen(value);
    size_t total = length - (end - start) + value_length;
    char *result = malloc(total + 1);
    if (result == NULL)
        abort();
    memcpy(result, subject, start);
    memcpy(result + start, value, value_length);
    memcpy(result + start + value_length, subject + end, length - end);
    result[total] = '\0';
    *out_length = total;
    return result;
}

/* Replaces every mark of a YES subject with each concrete value: none may be a NO. */
static void check_concretes_match(const ag_rule *rule, const char *subject, size_t length)
{
    for (size_t v = 0; v < sizeof(concrete_values) / sizeof(concrete_values[0]); v++) {
        size_t concrete_length;
        char *concrete = splice(subject, length, 0, 0, "", &concrete_length);
        char *mark;
        while ((mark = memchr(concrete, AG_DYNAMIC_MARK, concrete_length)) != NULL) {
            size_t at = (size_t)(mark - concrete);
            char *next = splice(concrete, concrete_length, at, at + 1, concrete_values[v],
                                &concrete_length);
            free(concrete);
            concrete = next;
        }
        /* MAYBE is allowed: a rule with many stars can exhaust PCRE2's match
         * limit, and the matcher then answers MAYBE, which never allows. */
        FUZZ_ASSERT(match(rule, concrete, concrete_length) != AG_MATCH_NO);
        free(concrete);
    }
}

/* Makes the whole or the tail of each word after the first unknown: never NO. */
static void check_generalizations_match(const ag_rule *rule, const char *subject,
                                        size_t length)
{
    size_t start = 0;
    for (size_t word = 0; word < MAX_WORDS && start <= length; word++) {
        const char *space = memchr(subject + start, ' ', length - start);
        size_t end = space != NULL ? (size_t)(space - subject) : length;

        if (word > 0) {
            static const char mark[] = {AG_DYNAMIC_MARK, '\0'};
            size_t cuts[] = {start, start + (end - start) / 2};
            for (size_t c = 0; c < 2; c++) {
                size_t general_length;
                char *general = splice(subject, length, cuts[c], end, mark, &general_length);
                FUZZ_ASSERT(match(rule, general, general_length) != AG_MATCH_NO);
                free(general);
            }
        }
        if (space == NULL)
            break;
        start = end + 1;
    }
}

static void check_subject(const ag_rule *rule, const char *subject, size_t length)
{
    ag_match result = match(rule, subject, length);
    bool has_mark = memchr(subject, AG_DYNAMIC_MARK, length) != NULL;

    if (rule->kind == AG_RULE_COMMAND && first_word_has_mark(subject, length))
        FUZZ_ASSERT(result != AG_MATCH_YES);
    if (result != AG_MATCH_YES)
        return;
    if (has_mark)
        check_concretes_match(rule, subject, length);
    else
        check_generalizations_match(rule, subject, length);
}

/* Makes subjects from the rule's own specifier, which reach its YES paths quickly. */
static void check_specifier_subjects(const ag_rule *rule)
{
    static const char *const star_values[] = {"", "x", "\x01", "a \x01"};
    const char *specifier = rule->specifier;
    size_t length = strlen(specifier);

    for (size_t v = 0; v < sizeof(star_values) / sizeof(star_values[0]); v++) {
        char *subject = strdup(specifier);
        size_t subject_length = length;
        if (subject == NULL)
            abort();
        /* A trailing ":*" is the prefix form: drop the colon so the prefix itself matches. */
        if (subject_length >= 2 && strcmp(subject + subject_length - 2, ":*") == 0) {
            subject[subject_length - 2] = '*';
            subject[--subject_length] = '\0';
        }
        char *star;
        size_t from = 0;
        while ((star = memchr(subject + from, '*', subject_length - from)) != NULL) {
            size_t at = (size_t)(star - subject);
            char *next = splice(subject, subject_length, at, at + 1, star_values[v],
                                &subject_length);
            free(subject);
            subject = next;
            from = at + strlen(star_values[v]);
        }
        check_subject(rule, subject, subject_length);
        free(subject);
    }
    if (rule->literal_prefix != NULL)
        check_subject(rule, rule->literal_prefix, strlen(rule->literal_prefix));
}

/*
 * Returns whether PCRE2 gives up on the subject (its match limit, memory).
 * The regex then gives MAYBE, which the byte matchers need not repeat: they
 * never backtrack.
 */
static bool regex_gives_up(const ag_rule *regex, const char *subject, size_t length)
{
    static const uint32_t options[] = {0, PCRE2_PARTIAL_HARD};
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        int rc = pcre2_match(regex->pattern, (PCRE2_SPTR)subject, length, 0, options[i],
                             match_data, NULL);
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL)
            return true;
    }
    return false;
}

/* A Bash rule matched without PCRE2 must match every subject as its JIT-compiled regex does. */
static void check_literal_command(const ag_rule *rule, ag_decision decision, const char *text,
                                  char **subjects, size_t *subject_lengths,
                                  size_t subject_count)
{
    if (rule->kind != AG_RULE_COMMAND || rule->literal_form == AG_LITERAL_NONE)
        return;

    ag_source_location location = {"fuzz.yaml", 1, 1};
    ag_rule regex;
    ag_error *error = NULL;
    FUZZ_ASSERT(ag_rule_parse_unjitted(text, decision, location, &regex, &error) == AG_OK);
    ag_status status = ag_rule_compile_command_regex(&regex, &error);
    /* A rule longer than PCRE2's pattern size limit has no regex to compare with. */
    FUZZ_ASSERT(status == AG_OK || status == AG_ERR_PATTERN || status == AG_ERR_NOMEM);
    ag_error_free(error);
    if (status == AG_OK)
        ag_rule_jit(&regex);

    for (size_t i = 0; status == AG_OK && i < subject_count + fixed_subject_count; i++) {
        bool fixed = i >= subject_count;
        const char *subject = fixed ? fixed_subjects[i - subject_count] : subjects[i];
        size_t length = fixed ? strlen(subject) : subject_lengths[i];
        bool dynamic = first_word_has_mark(subject, length);
        if (regex_gives_up(&regex, subject, length))
            continue;
        FUZZ_ASSERT(ag_rule_match_command(rule, subject, length, dynamic, match_data)
                    == ag_rule_match_command(&regex, subject, length, dynamic, match_data));
    }
    ag_rule_clear(&regex);
}

static const char *const fixed_paths[] = {
    "/", "/repo", "/repo/.env", "/repo/a/.env/b", "/home/u/.ssh/id_rsa", "/etc/shadow",
    "~/.ssh", "\x01/x/.env", "/repo/\x01/y",
};

/* Compares the plain glob's matchers with the regex's on one path. */
static void compare_path(const ag_rule *plain, const ag_rule *regex, const char *path)
{
    static const ag_path_context contexts[] = {
        {"/repo", "/home/u", NULL, NULL},
        {"/repo/a", NULL, NULL, "/"},
    };
    for (size_t c = 0; c < sizeof(contexts) / sizeof(contexts[0]); c++) {
        FUZZ_ASSERT(ag_rule_match_path(plain, path, &contexts[c], match_data)
                    == ag_rule_match_path(regex, path, &contexts[c], match_data));
        FUZZ_ASSERT(ag_rule_match_path_below(plain, path, &contexts[c], match_data)
                    == ag_rule_match_path_below(regex, path, &contexts[c], match_data));
    }
    FUZZ_ASSERT(ag_rule_path_tail_fits(plain, path, match_data)
                == ag_rule_path_tail_fits(regex, path, match_data));
}

static void check_plain_path(const ag_rule *rule, ag_decision decision, const char *text,
                             char **subjects, size_t subject_count)
{
    if (rule->path_plain.text == NULL)
        return;
    FUZZ_ASSERT(rule->path_pattern == NULL);

    ag_source_location location = {"fuzz.yaml", 1, 1};
    ag_rule regex;
    ag_error *error = NULL;
    FUZZ_ASSERT(ag_rule_parse_unjitted(text, decision, location, &regex, &error) == AG_OK);
    ag_status status = ag_path_rule_compile_regex(&regex, &error);
    FUZZ_ASSERT(status == AG_OK || status == AG_ERR_NOMEM);
    ag_error_free(error);
    if (status != AG_OK) {
        ag_rule_clear(&regex);
        return;
    }
    ag_rule_jit(&regex);

    for (size_t i = 0; i < sizeof(fixed_paths) / sizeof(fixed_paths[0]); i++)
        compare_path(rule, &regex, fixed_paths[i]);
    for (size_t i = 0; i < subject_count; i++) {
        compare_path(rule, &regex, subjects[i]);
        size_t size = strlen(subjects[i]) + sizeof("/repo/");
        char *path = malloc(size);
        FUZZ_ASSERT(path != NULL);
        snprintf(path, size, "/repo/%s", subjects[i]);
        compare_path(rule, &regex, path);
        free(path);
    }
    ag_rule_clear(&regex);
}

/*
 * A path rule with a regex runs partial matches in PCRE2's interpreter; they
 * must agree with a twin JIT-compiled for partial matches too.
 */
static void check_partial_path(const ag_rule *rule, ag_decision decision, const char *text,
                               char **subjects, size_t subject_count)
{
    uint32_t jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
    if (rule->path_pattern == NULL || !jit)
        return;

    ag_source_location location = {"fuzz.yaml", 1, 1};
    ag_rule both;
    ag_error *error = NULL;
    FUZZ_ASSERT(ag_rule_parse_unjitted(text, decision, location, &both, &error) == AG_OK);
    FUZZ_ASSERT(both.path_pattern != NULL);
    if (pcre2_jit_compile(both.path_pattern, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) != 0) {
        ag_rule_clear(&both);
        return;
    }
    static const ag_path_context context = {"/repo", "/home/u", NULL, NULL};
    for (size_t i = 0; i < sizeof(fixed_paths) / sizeof(fixed_paths[0]) + subject_count; i++) {
        bool fixed = i < sizeof(fixed_paths) / sizeof(fixed_paths[0]);
        const char *path = fixed ? fixed_paths[i] : subjects[i - sizeof(fixed_paths)
                                                                 / sizeof(fixed_paths[0])];
        FUZZ_ASSERT(ag_rule_match_path_below(rule, path, &context, match_data)
                    == ag_rule_match_path_below(&both, path, &context, match_data));
    }
    ag_rule_clear(&both);
}

static void check_rule(const ag_rule *rule, ag_decision decision, const char *text,
                       char **subjects, size_t *subject_lengths, size_t subject_count)
{
    FUZZ_ASSERT(rule->decision == decision);
    FUZZ_ASSERT(rule->kind == AG_RULE_TOOL || rule->kind == AG_RULE_COMMAND
                || rule->kind == AG_RULE_SPECIFIER || rule->kind == AG_RULE_PARAM);
    /* Parameter rules exist only as deny and ask rules: an allow is a load error. */
    FUZZ_ASSERT(rule->kind != AG_RULE_PARAM || decision != AG_ALLOW);
    FUZZ_ASSERT(rule->text != NULL);
    FUZZ_ASSERT(rule->source != NULL);
    FUZZ_ASSERT(rule->tool != NULL);
    FUZZ_ASSERT(rule->tool[0] != '\0');
    /* A rule may never hold the dynamic mark, or a literal could match an unknown part. */
    FUZZ_ASSERT(strchr(rule->text, AG_DYNAMIC_MARK) == NULL);
    FUZZ_ASSERT(strchr(text, AG_DYNAMIC_MARK) == NULL);
    FUZZ_ASSERT(strcmp(rule->tool, "Bash") != 0 || rule->kind != AG_RULE_SPECIFIER);
    if (rule->kind == AG_RULE_COMMAND) {
        FUZZ_ASSERT(strcmp(rule->tool, "Bash") == 0);
        FUZZ_ASSERT(rule->specifier != NULL);
        FUZZ_ASSERT((rule->pattern != NULL) == (rule->literal_form == AG_LITERAL_NONE));
        FUZZ_ASSERT(strchr(rule->specifier, AG_DYNAMIC_MARK) == NULL);
    }
    if (rule->kind == AG_RULE_SPECIFIER)
        FUZZ_ASSERT(rule->specifier != NULL);

    FUZZ_ASSERT(ag_rule_tool_matches(rule, rule->tool) || strchr(rule->tool, '*') != NULL);
    check_plain_path(rule, decision, text, subjects, subject_count);
    check_partial_path(rule, decision, text, subjects, subject_count);
    check_literal_command(rule, decision, text, subjects, subject_lengths, subject_count);

    bool matches_bash = rule->kind == AG_RULE_COMMAND
                     || (rule->kind == AG_RULE_TOOL && ag_rule_tool_matches(rule, "Bash"));
    if (!matches_bash)
        return;

    for (size_t i = 0; i < sizeof(fixed_subjects) / sizeof(fixed_subjects[0]); i++)
        check_subject(rule, fixed_subjects[i], strlen(fixed_subjects[i]));
    for (size_t i = 0; i < subject_count; i++)
        check_subject(rule, subjects[i], subject_lengths[i]);
    if (rule->kind == AG_RULE_COMMAND)
        check_specifier_subjects(rule);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (match_data == NULL) {
        match_data = ag_rule_match_data_new();
        FUZZ_ASSERT(match_data != NULL);
    }

    const char *input = (const char *)data;
    const char *newline = memchr(input, '\n', size);
    size_t text_length = newline != NULL ? (size_t)(newline - input) : size;
    char *text = fuzz_strndup(data, text_length);

    /* The subjects are the following lines, without NUL bytes, as the evaluator builds them. */
    char *subjects[MAX_SUBJECTS];
    size_t subject_lengths[MAX_SUBJECTS];
    size_t subject_count = 0;
    size_t start = text_length + 1;
    while (start <= size && newline != NULL && subject_count < MAX_SUBJECTS) {
        const char *next = memchr(input + start, '\n', size - start);
        size_t end = next != NULL ? (size_t)(next - input) : size;
        char *subject = fuzz_strndup(data + start, end - start);
        subjects[subject_count] = subject;
        subject_lengths[subject_count] = strlen(subject);
        subject_count++;
        if (next == NULL)
            break;
        start = end + 1;
    }

    static const ag_decision decisions[] = {AG_ALLOW, AG_ASK, AG_DENY};
    for (size_t d = 0; d < 3; d++) {
        ag_source_location location = {"fuzz.yaml", 1, 1};
        ag_rule rule;
        ag_error *error = NULL;
        memset(&rule, 0, sizeof(rule));

        ag_status status = ag_rule_parse(text, decisions[d], location, &rule, &error);
        if (status == AG_OK) {
            check_rule(&rule, decisions[d], text, subjects, subject_lengths, subject_count);
            ag_rule_clear(&rule);
        } else {
            FUZZ_ASSERT(status == AG_ERR_RULE || status == AG_ERR_PATTERN
                        || status == AG_ERR_NOMEM);
            FUZZ_ASSERT(error != NULL);
            FUZZ_ASSERT(ag_error_code(error) == status);
            FUZZ_ASSERT(ag_error_message(error)[0] != '\0');
        }
        ag_error_free(error);
    }

    for (size_t i = 0; i < subject_count; i++)
        free(subjects[i]);
    free(text);
    return 0;
}
