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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "eval/eval.h"
#include "policy/policy.h"

enum { GENERATED_POLICIES = 12, GENERATED_RULES = 160, MAX_WORDS = 512, MAX_EFFECTS = 64 };

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

/* What the comparison looks at: the decision and deciding rule of the verdict and of each effect. */
typedef struct outcome {
    ag_decision decision;
    const ag_rule *rule;
    size_t effect_count;
    ag_decision effect_decisions[MAX_EFFECTS];
    const ag_rule *effect_rules[MAX_EFFECTS];
} outcome;

/* Checks one request and stores what the comparison looks at. */
static void check_one(ag_checker *checker, const request *entry, outcome *result)
{
    ag_error *error = NULL;
    const ag_verdict *verdict =
        entry->command != NULL
            ? ag_check_command(checker, entry->command, strlen(entry->command), entry->cwd, &error)
            : ag_check(checker, entry->tool, entry->input, entry->cwd, &error);
    ag_error_free(error);
    memset(result, 0, sizeof(*result));
    result->decision = verdict != NULL ? verdict->decision : (ag_decision)-1;
    result->rule = verdict != NULL ? verdict->rule : NULL;
    if (verdict == NULL)
        return;
    result->effect_count = verdict->effect_count;
    for (size_t i = 0; i < verdict->effect_count && i < MAX_EFFECTS; i++) {
        result->effect_decisions[i] = verdict->effects[i].decision;
        result->effect_rules[i] = verdict->effects[i].rule;
    }
}

/* Returns the index of the first effect that differs, the effect count when none does. */
static size_t first_different_effect(const outcome *a, const outcome *b)
{
    size_t count = a->effect_count < MAX_EFFECTS ? a->effect_count : MAX_EFFECTS;
    for (size_t i = 0; i < count; i++)
        if (a->effect_decisions[i] != b->effect_decisions[i]
            || a->effect_rules[i] != b->effect_rules[i])
            return i;
    return a->effect_count;
}

static const char *rule_text(const ag_rule *rule)
{
    return rule != NULL ? rule->text : "no rule";
}

static void compare_request(ag_checker *checker, ag_policy *policy, ag_policy_index *index,
                            const request *entry, const char *name)
{
    outcome indexed, scanned;
    policy->index = index;
    check_one(checker, entry, &indexed);
    policy->index = NULL;
    check_one(checker, entry, &scanned);
    policy->index = index;

    const char *tool = entry->command != NULL ? "Bash" : entry->tool;
    const char *text = entry->command != NULL ? entry->command : entry->input;
    if (indexed.decision != scanned.decision || indexed.rule != scanned.rule)
        fail_msg("policy %s, request %s %s (cwd %s): indexed %d (%s), full scan %d (%s)", name,
                 tool, text, entry->cwd != NULL ? entry->cwd : "unknown", indexed.decision,
                 rule_text(indexed.rule), scanned.decision, rule_text(scanned.rule));
    if (indexed.effect_count != scanned.effect_count)
        fail_msg("policy %s, request %s %s: %zu effects indexed, %zu in a full scan", name, tool,
                 text, indexed.effect_count, scanned.effect_count);
    size_t effect = first_different_effect(&indexed, &scanned);
    if (effect < indexed.effect_count)
        fail_msg("policy %s, request %s %s (cwd %s), effect %zu: indexed %d (%s), full scan "
                 "%d (%s)", name, tool, text, entry->cwd != NULL ? entry->cwd : "unknown", effect,
                 indexed.effect_decisions[effect], rule_text(indexed.effect_rules[effect]),
                 scanned.effect_decisions[effect], rule_text(scanned.effect_rules[effect]));
}

/*
 * Compares every request's verdict with and without the index of `policy`,
 * for a checker whose home is `home` (NULL: the home is unknown).
 */
static void compare_policy_at_home(ag_policy *policy, const char *name, const char *home)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(policy, &error);
    assert_non_null(checker);
    if (home != NULL)
        assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
    ag_policy_index *index = policy->index;
    assert_non_null(index);

    for (size_t i = 0; i < request_count; i++)
        compare_request(checker, policy, index, &requests[i], name);
    ag_checker_free(checker);
}

static void compare_policy(ag_policy *policy, const char *name)
{
    compare_policy_at_home(policy, name, "/home/user");
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

/* ------------------------------------------------------------ path rules */

enum { PATH_POLICIES = 8, PATH_RULES = 120, PATH_REQUESTS = 400 };

/* A directory with a policy subdirectory and a symbolic link, so file rules meet real links. */
static char scratch[64];

/* Path components that rules and requests share, so that generated rules often match. */
static const char *const components[] = {
    "src", "secrets", ".env", "home", "user", "repo", "id_rsa", ".ssh", "etc", "passwd",
    "tmp", "build", "a.key", "policydir", "real", "link", "x",
};

static const char *random_component(void)
{
    return components[random_below(sizeof(components) / sizeof(*components))];
}

/*
 * Writes one random Read or Edit path rule: bare names that match at any
 * depth, `**`, every anchor, trailing `/` and `/` `**`, and globs.
 */
static void write_path_rule(char *out, size_t size)
{
    static const char *const anchors[] = {"", "", "./", "/", "~/", "//", "//repo/",
                                          "//home/user/", "//tmp/"};
    static const char *const globs[] = {"*", "**", "**", "*.key", "se*ts", "[ab]c", ".e?v", "*rc"};
    static const char *const suffixes[] = {"", "", "/**", "/"};
    static const char *const others[] = {"Read", "Edit", "Write", "Write(src/**)", "WebFetch",
                                         "NotebookRead", "Read(//)", "Edit(~)", "Read(**)"};
    if (random_below(12) == 0) {
        snprintf(out, size, "%s", others[random_below(sizeof(others) / sizeof(*others))]);
        return;
    }
    size_t length = (size_t)snprintf(out, size, "%s(%s", random_below(2) ? "Read" : "Edit",
                                     anchors[random_below(sizeof(anchors) / sizeof(*anchors))]);
    size_t parts = 1 + random_below(3);
    for (size_t i = 0; i < parts && length < size; i++) {
        const char *part = random_below(3) == 0
                               ? globs[random_below(sizeof(globs) / sizeof(*globs))]
                               : random_component();
        length += (size_t)snprintf(out + length, size - length, "%s%s", i > 0 ? "/" : "", part);
    }
    if (length < size)
        snprintf(out + length, size - length, "%s)",
                 suffixes[random_below(sizeof(suffixes) / sizeof(*suffixes))]);
}

/* Writes a random path: absolute, under the home, relative, or under the scratch directory. */
static void write_path(char *out, size_t size)
{
    char policy_directory[128], link[128];
    snprintf(policy_directory, sizeof(policy_directory), "%s/policydir/", scratch);
    snprintf(link, sizeof(link), "%s/link/", scratch);
    const char *const prefixes[] = {"/repo/", "/home/user/", "~/", "", "./", "../", "/etc/",
                                    "/tmp/", "/", policy_directory, link};
    size_t length = (size_t)snprintf(out, size, "%s",
                                     prefixes[random_below(sizeof(prefixes) / sizeof(*prefixes))]);
    size_t parts = 1 + random_below(3);
    for (size_t i = 0; i < parts && length < size; i++)
        length += (size_t)snprintf(out + length, size - length, "%s%s", i > 0 ? "/" : "",
                                   random_component());
}

static void add_path_request(char *command, char *tool, char *input)
{
    const char *const cwds[] = {"/repo", NULL, "/home/user", scratch};
    const char *cwd = cwds[random_below(sizeof(cwds) / sizeof(*cwds))];
    if (cwd == scratch) {
        static char policy_directory[128];
        snprintf(policy_directory, sizeof(policy_directory), "%s/policydir", scratch);
        cwd = policy_directory;
    }
    requests = realloc(requests, (request_count + 1) * sizeof(*requests));
    requests[request_count++] = (request){command, tool, input, copy_or_null(cwd)};
}

/* Adds file tool requests and Bash commands that read and write generated paths. */
static void add_path_requests(void)
{
    static const char *const tools[] = {"Read", "Edit", "Write", "NotebookRead", "Grep", "LS"};
    static const char *const forms[] = {"cat %s", "echo x > %s", "cp %s /repo/out",
                                        "rm -rf %s", "cat $X/%s", "cat %s/$X", "touch %s %s"};
    for (size_t i = 0; i < PATH_REQUESTS; i++) {
        char path[512], other[512], text[1200];
        write_path(path, sizeof(path));
        write_path(other, sizeof(other));
        if (random_below(2) == 0) {
            const char *tool = tools[random_below(sizeof(tools) / sizeof(*tools))];
            bool search = strcmp(tool, "Grep") == 0 || strcmp(tool, "LS") == 0;
            snprintf(text, sizeof(text), "{\"%s\": \"%s\"%s}", search ? "path" : "file_path",
                     path, search ? ", \"pattern\": \"x\"" : "");
            add_path_request(NULL, strdup(tool), strdup(text));
        } else {
            snprintf(text, sizeof(text), forms[random_below(sizeof(forms) / sizeof(*forms))], path,
                     other);
            add_path_request(strdup(text), NULL, NULL);
        }
    }
}

/* Creates the scratch directory: policydir/ for policy files, real/secrets/, and link -> real. */
static void make_scratch(void)
{
    snprintf(scratch, sizeof(scratch), "/tmp/agentguard-index-XXXXXX");
    assert_non_null(mkdtemp(scratch));
    char path[256], target[256];
    snprintf(path, sizeof(path), "%s/policydir", scratch);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/real", scratch);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/real/secrets", scratch);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(target, sizeof(target), "%s/real", scratch);
    snprintf(path, sizeof(path), "%s/link", scratch);
    assert_int_equal(symlink(target, path), 0);
}

static void remove_scratch(void)
{
    const char *const paths[] = {"policydir/policy.yaml", "policydir", "real/secrets", "real",
                                 "link"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", scratch, paths[i]);
        remove(path);
    }
    rmdir(scratch);
}

/*
 * Writes a policy of PATH_RULES random path rules into the scratch policy
 * directory and loads it from there, so `/path` rules are anchored at it.
 */
static ag_policy *generate_path_policy(void)
{
    static const char *const sections[] = {"allow", "ask", "deny"};
    char file[256];
    snprintf(file, sizeof(file), "%s/policydir/policy.yaml", scratch);
    FILE *out = fopen(file, "w");
    assert_non_null(out);
    fprintf(out, "default: allow\n");
    for (size_t s = 0; s < 3; s++) {
        fprintf(out, "%s:\n", sections[s]);
        for (size_t i = 0; i < PATH_RULES / 3; i++) {
            char rule[256];
            write_path_rule(rule, sizeof(rule));
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
    ag_policy *policy = ag_policy_load_file(file, &error);
    if (policy == NULL)
        fail_msg("generated path policy failed to load: %s", ag_error_message(error));
    return policy;
}

static void test_index_path_policies(void **state)
{
    (void)state;
    for (int i = 0; i < PATH_POLICIES; i++) {
        ag_policy *policy = generate_path_policy();
        char name[32];
        snprintf(name, sizeof(name), "path policy #%d", i);
        compare_policy_at_home(policy, name, "/home/user");
        compare_policy_at_home(policy, name, NULL);
        ag_policy_free(policy);
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
    make_scratch();
    add_path_requests();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_case_policies),
        cmocka_unit_test(test_index_generated_policies),
        cmocka_unit_test(test_index_path_policies),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);
    remove_scratch();
    return failures;
}
