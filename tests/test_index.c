/*
 * Property test of the rule index: every request of the verdict tables
 * (cases/check*.json) gets the same decision and the same deciding rule
 * whether the policy's index is used or not (policy->index set to NULL makes
 * every check walk all rules in order). The policies are those of
 * cases/policies/, the built-in default, and policies generated from the
 * tables' command names so that many rules share, extend or cut a name.
 *
 * Arguments: CASES_DIR and the table files to read from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>
#include <jansson.h>

#include "eval/eval.h"
#include "policy/policy.h"

enum { GENERATED_POLICIES = 12, GENERATED_RULES = 160, MAX_WORDS = 512 };

/* One request of a table: a Bash command, or a tool with its input as JSON text. */
typedef struct request {
    char *command;
    char *tool;
    char *input;
    char *cwd;
} request;

static const char *cases_dir;
static request *requests;
static size_t request_count;
static char *words[MAX_WORDS];
static size_t word_count;

static char *copy_or_null(const char *text)
{
    return text != NULL ? strdup(text) : NULL;
}

/* Remembers the first word of a command for the generated policies. */
static void note_word(const char *command)
{
    size_t length = strcspn(command, " \t\n;|&()<>$'\"`");
    if (length == 0 || word_count == MAX_WORDS)
        return;
    for (size_t i = 0; i < word_count; i++)
        if (strlen(words[i]) == length && strncmp(words[i], command, length) == 0)
            return;
    words[word_count++] = strndup(command, length);
}

static void add_request(json_t *spec)
{
    request entry = {0};
    json_t *cwd = json_object_get(spec, "cwd");
    entry.cwd = cwd == NULL ? strdup("/repo") : copy_or_null(json_string_value(cwd));
    const char *command = json_string_value(json_object_get(spec, "command"));
    if (command != NULL) {
        entry.command = strdup(command);
        note_word(command);
    } else {
        entry.tool = copy_or_null(json_string_value(json_object_get(spec, "tool")));
        json_t *text = json_object_get(spec, "input_text");
        entry.input = text != NULL ? copy_or_null(json_string_value(text))
                                   : json_dumps(json_object_get(spec, "input"), JSON_COMPACT);
        if (entry.tool == NULL || entry.input == NULL)
            return;
    }
    requests = realloc(requests, (request_count + 1) * sizeof(*requests));
    requests[request_count++] = entry;
}

static void load_table(const char *file)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cases_dir, file);
    json_error_t problem;
    json_t *table = json_load_file(path, 0, &problem);
    if (table == NULL) {
        fprintf(stderr, "cannot read %s: %s\n", path, problem.text);
        exit(1);
    }
    size_t i;
    json_t *spec;
    json_array_foreach(json_object_get(table, "cases"), i, spec)
        add_request(spec);
    json_decref(table);
}

/* Checks one request and returns the verdict's decision and deciding rule. */
static void check_one(ag_checker *checker, const request *entry, ag_decision *decision,
                      const ag_rule **rule)
{
    ag_error *error = NULL;
    const ag_verdict *verdict =
        entry->command != NULL
            ? ag_check_command(checker, entry->command, strlen(entry->command), entry->cwd, &error)
            : ag_check(checker, entry->tool, entry->input, entry->cwd, &error);
    ag_error_free(error);
    *decision = verdict != NULL ? verdict->decision : (ag_decision)-1;
    *rule = verdict != NULL ? verdict->rule : NULL;
}

/* Compares every request's verdict with and without the index of `policy`. */
static void compare_policy(ag_policy *policy, const char *name)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, "/home/user"), AG_OK);
    ag_policy_index *index = policy->index;
    assert_non_null(index);

    for (size_t i = 0; i < request_count; i++) {
        ag_decision indexed, scanned;
        const ag_rule *indexed_rule, *scanned_rule;
        policy->index = index;
        check_one(checker, &requests[i], &indexed, &indexed_rule);
        policy->index = NULL;
        check_one(checker, &requests[i], &scanned, &scanned_rule);
        if (indexed != scanned || indexed_rule != scanned_rule) {
            const request *entry = &requests[i];
            fail_msg("policy %s, request %s %s: indexed %d (%s), full scan %d (%s)", name,
                     entry->command != NULL ? "Bash" : entry->tool,
                     entry->command != NULL ? entry->command : entry->input, indexed,
                     indexed_rule != NULL ? indexed_rule->text : "no rule", scanned,
                     scanned_rule != NULL ? scanned_rule->text : "no rule");
        }
    }
    policy->index = index;
    ag_checker_free(checker);
}

static void test_index_case_policies(void **state)
{
    (void)state;
    char directory[4096];
    snprintf(directory, sizeof(directory), "%s/policies", cases_dir);
    DIR *listing = opendir(directory);
    assert_non_null(listing);
    struct dirent *entry;
    size_t compared = 0;
    while ((entry = readdir(listing)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length < 6 || strcmp(entry->d_name + length - 5, ".yaml") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name);
        ag_error *error = NULL;
        ag_policy *policy = ag_policy_load_file(path, &error);
        ag_error_free(error);
        if (policy == NULL)
            continue;    /* policies that must fail to load are the policy test's concern */
        compare_policy(policy, entry->d_name);
        ag_policy_free(policy);
        compared++;
    }
    closedir(listing);
    assert_true(compared > 0);

    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_default(&error);
    assert_non_null(policy);
    compare_policy(policy, "default");
    ag_policy_free(policy);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t random_state = 0x9e3779b97f4a7c15u;

static size_t random_below(size_t bound)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (size_t)(random_state % bound);
}

/* Writes one random rule: a Bash pattern built on a command name, or a rule for another tool. */
static void write_rule(char *out, size_t size)
{
    static const char *const others[] = {
        "Read", "Edit", "WebFetch", "Read(~/.ssh/**)", "Read(/etc/**)", "Edit(/repo/**)",
        "Edit(//tmp/**)", "WebFetch(domain:*.example.com)", "WebFetch(domain:github.com)",
        "mcp__server", "mcp__server__tool", "mcp__*", "*", "Bash", "Bash(*)", "B*", "Web*",
        "Grep", "Glob(**/*.env)", "Task",
    };
    const char *word = word_count > 0 ? words[random_below(word_count)] : "ls";
    size_t length = strlen(word);
    size_t cut = length > 1 ? 1 + random_below(length - 1) : length;
    switch (random_below(10)) {
    case 0: snprintf(out, size, "Bash(%s *)", word); break;
    case 1: snprintf(out, size, "Bash(%s)", word); break;
    case 2: snprintf(out, size, "Bash(%s -%c *)", word, (char)('a' + random_below(26))); break;
    case 3: snprintf(out, size, "Bash(%.*s*)", (int)cut, word); break;
    case 4: snprintf(out, size, "Bash(*%s*)", word + cut - 1); break;
    case 5: snprintf(out, size, "Bash(%sdir *)", random_below(2) ? word : ""); break;
    case 6: snprintf(out, size, "Bash(%s:*)", word); break;
    case 7: snprintf(out, size, "Bash(/usr/bin/%s *)", word); break;
    default: snprintf(out, size, "%s", others[random_below(sizeof(others) / sizeof(*others))]);
    }
}

/* Builds a YAML policy of GENERATED_RULES random rules; rules that fail to parse are skipped. */
static ag_policy *generate_policy(void)
{
    static const char *const sections[] = {"allow", "ask", "deny"};
    static const char *const defaults[] = {"allow", "ask", "deny"};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    fprintf(out, "default: %s\n", defaults[random_below(3)]);
    for (size_t s = 0; s < 3; s++) {
        fprintf(out, "%s:\n", sections[s]);
        size_t count = s == 0 ? GENERATED_RULES / 2 : GENERATED_RULES / 4;
        for (size_t i = 0; i < count; i++) {
            char rule[256];
            write_rule(rule, sizeof(rule));
            ag_error *error = NULL;
            char single[512];
            snprintf(single, sizeof(single), "%s:\n  - '%s'\n", sections[s], rule);
            ag_policy *probe = ag_policy_load_string("probe", single, strlen(single), &error);
            ag_error_free(error);
            if (probe != NULL)
                fprintf(out, "  - '%s'\n", rule);
            ag_policy_free(probe);
        }
    }
    fclose(out);
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("generated", text, size, &error);
    if (policy == NULL)
        fail_msg("generated policy failed to load: %s\n%s", ag_error_message(error), text);
    free(text);
    return policy;
}

static void test_index_generated_policies(void **state)
{
    (void)state;
    for (int i = 0; i < GENERATED_POLICIES; i++) {
        ag_policy *policy = generate_policy();
        char name[32];
        snprintf(name, sizeof(name), "generated #%d", i);
        compare_policy(policy, name);
        ag_policy_free(policy);
    }
}

/*
 * Adds, for each command name of the tables, commands whose unknown parts sit
 * where the index must widen its lookup: right after the name (`rm $X` may
 * partially match `Bash(rmdir *)`), in a glob, and behind a directory.
 */
static void add_generated_requests(void)
{
    static const char *const forms[] = {"%s $X", "%s *.txt", "/usr/bin/%s $X", "./%s -f $X",
                                        "%s \"$1\" x", "%s${X} y", "\"%s\" a b"};
    size_t count = word_count;
    for (size_t i = 0; i < count; i++) {
        for (size_t f = 0; f < sizeof(forms) / sizeof(*forms); f++) {
            char command[512];
            snprintf(command, sizeof(command), forms[f], words[i]);
            requests = realloc(requests, (request_count + 1) * sizeof(*requests));
            requests[request_count++] = (request){strdup(command), NULL, NULL, strdup("/repo")};
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CASES_DIR TABLE.json...\n", argv[0]);
        return 2;
    }
    cases_dir = argv[1];
    for (int i = 2; i < argc; i++)
        load_table(argv[i]);
    add_generated_requests();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_case_policies),
        cmocka_unit_test(test_index_generated_policies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
