/*
 * Property test of the rule index: every request of the verdict tables
 * (cases/check*.json) gets the same decision and the same deciding rule
 * whether the policy's index is used or not (policy->index set to NULL makes
 * every check walk all rules in order). The policies are those of
 * cases/policies/, the built-in default, and policies generated from the
 * tables' command names so that many rules share, extend or cut a name.
 * Generated Read and Edit path rules meet file reads, writes and directory
 * searches, and generated WebFetch domain rules meet fetches of hosts in
 * other spellings.
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

enum { PATH_POLICIES = 8, PATH_RULES = 120, PATH_REQUESTS = 400, SEARCH_REQUESTS = 400 };

/* A directory with a policy subdirectory and a symbolic link, so file rules meet real links. */
static char scratch[64];

/* Path components that rules and requests share, so that generated rules often match. */
static const char *const components[] = {
    "src", "secrets", ".env", "home", "user", "repo", "id_rsa", ".ssh", "etc", "passwd",
    "tmp", "build", "a.key", "policydir", "real", "link", "x",
    /* Case variants, which deny and ask rules meet, and character prefixes of the names
     * above, which a directory search's partial match meets. */
    "SRC", ".SSH", "Secrets", "sec", "us", "rep", "ho", "s",
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
    /* The scratch directory, so that rules meet the targets of its link. */
    char scratch_anchor[128];
    snprintf(scratch_anchor, sizeof(scratch_anchor), "/%s/", scratch);
    const char *const anchors[] = {"", "", "./", "/", "~/", "//", "//repo/",
                                   "//home/user/", "//tmp/", scratch_anchor};
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
    char policy_directory[128], link[128], real[128];
    snprintf(policy_directory, sizeof(policy_directory), "%s/policydir/", scratch);
    snprintf(link, sizeof(link), "%s/link/", scratch);
    snprintf(real, sizeof(real), "%s/real/", scratch);
    const char *const prefixes[] = {"/repo/", "/home/user/", "~/", "", "./", "../", "/etc/",
                                    "/tmp/", "/", policy_directory, link, real, "/home/",
                                    "/REPO/", "/Home/User/", "~/SRC/"};
    const char *const whole[] = {"/", "~", ".", "/repo", "/home/user", "/home/us", "/re"};
    if (random_below(8) == 0) {
        snprintf(out, size, "%s", whole[random_below(sizeof(whole) / sizeof(*whole))]);
        return;
    }
    size_t length = (size_t)snprintf(out, size, "%s",
                                     prefixes[random_below(sizeof(prefixes) / sizeof(*prefixes))]);
    size_t parts = 1 + random_below(3);
    for (size_t i = 0; i < parts && length < size; i++)
        length += (size_t)snprintf(out + length, size - length, "%s%s", i > 0 ? "/" : "",
                                   random_component());
}

/*
 * Adds a request in a random cwd. The scratch link is a cwd given through a
 * link, so rules anchored at the cwd also match below scratch/real. Below
 * the scratch loop, where the cwd leads is unknown.
 */
static void add_path_request(char *command, char *tool, char *input)
{
    static char policy_directory[128], link[128], loop[128];
    snprintf(policy_directory, sizeof(policy_directory), "%s/policydir", scratch);
    snprintf(link, sizeof(link), "%s/link", scratch);
    snprintf(loop, sizeof(loop), "%s/loop/x", scratch);
    const char *const cwds[] = {"/repo", NULL, "/home/user", policy_directory, link, loop};
    const char *cwd = cwds[random_below(sizeof(cwds) / sizeof(*cwds))];
    requests = realloc(requests, (request_count + 1) * sizeof(*requests));
    requests[request_count++] = (request){command, tool, input, copy_or_null(cwd)};
}

/* Returns a random Glob pattern: in the directory, below a literal directory, or leaving it. */
static const char *random_glob_pattern(void)
{
    static const char *const patterns[] = {"*.c", "**/*.key", "src/*.c", "link/*",
                                           "secrets/**", "se*/a.key", "../x", "/etc/*", "x"};
    return patterns[random_below(sizeof(patterns) / sizeof(*patterns))];
}

/* Adds file tool requests and Bash commands that read and write generated paths. */
static void add_path_requests(void)
{
    static const char *const tools[] = {"Read", "Edit", "Write", "NotebookRead",
                                        "Grep", "LS", "Glob", "Grep"};
    static const char *const forms[] = {"cat %s", "echo x > %s", "cp %s /repo/out",
                                        "rm -rf %s", "cat $X/%s", "cat %s/$X", "touch %s %s"};
    for (size_t i = 0; i < PATH_REQUESTS; i++) {
        char path[512], other[512], text[1200];
        write_path(path, sizeof(path));
        write_path(other, sizeof(other));
        if (random_below(2) == 0) {
            const char *tool = tools[random_below(sizeof(tools) / sizeof(*tools))];
            bool search = strcmp(tool, "Grep") == 0 || strcmp(tool, "LS") == 0
                          || strcmp(tool, "Glob") == 0;
            const char *pattern = strcmp(tool, "Glob") == 0 ? random_glob_pattern() : "x";
            snprintf(text, sizeof(text), "{\"%s\": \"%s\"", search ? "path" : "file_path", path);
            if (search)
                snprintf(text + strlen(text), sizeof(text) - strlen(text),
                         ", \"pattern\": \"%s\"", pattern);
            snprintf(text + strlen(text), sizeof(text) - strlen(text), "}");
            add_path_request(NULL, strdup(tool), strdup(text));
        } else {
            snprintf(text, sizeof(text), forms[random_below(sizeof(forms) / sizeof(*forms))], path,
                     other);
            add_path_request(strdup(text), NULL, NULL);
        }
    }
}

/*
 * Adds Grep, LS and Glob requests over generated directories, some without a
 * "path", which searches the cwd.
 */
static void add_search_requests(void)
{
    static const char *const tools[] = {"Grep", "LS", "Glob"};
    for (size_t i = 0; i < SEARCH_REQUESTS; i++) {
        char path[512], text[1200];
        write_path(path, sizeof(path));
        const char *tool = tools[random_below(sizeof(tools) / sizeof(*tools))];
        const char *pattern = strcmp(tool, "Glob") == 0 ? random_glob_pattern() : "TODO";
        if (random_below(6) == 0)
            snprintf(text, sizeof(text), "{\"pattern\": \"%s\"}", pattern);
        else
            snprintf(text, sizeof(text), "{\"path\": \"%s\", \"pattern\": \"%s\"}", path,
                     pattern);
        add_path_request(NULL, strdup(tool), strdup(text));
    }
}

/*
 * Creates the scratch directory: policydir/ for policy files, real/secrets/,
 * link -> real, and loop -> loop, whose lookup fails.
 */
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
    snprintf(path, sizeof(path), "%s/loop", scratch);
    assert_int_equal(symlink("loop", path), 0);
}

static void remove_scratch(void)
{
    const char *const paths[] = {"policydir/policy.yaml", "policydir", "real/secrets", "real",
                                 "link", "loop"};
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

/*
 * Directory searches that the index must not narrow too far. They include a
 * partial match below the directory (`/repo/src/x` for a `*.key` rule in
 * `src`) and a directory that is only a character prefix of a rule's
 * directory (`/repo/sr`, `/data/sec`). Case variants and searches of a
 * rule's parents and of the root follow. Each case also names the rule that
 * decides it in a full scan, so that the case keeps meeting that rule.
 */
static void test_index_search_edges(void **state)
{
    (void)state;
    static const char policy_text[] =
        "default: allow\n"
        "deny:\n"
        "  - Read(src/*.key)\n"
        "  - Read(//data/secrets/**)\n"
        "  - Read(~/.ssh/**)\n"
        "ask:\n"
        "  - Read(//opt/tools/bin)\n"
        "  - Read(docs/*/private)\n"
        "  - Read(./build/out/**)\n";
    static const struct {
        const char *tool;
        const char *input;
        const char *rule;    /* deciding rule of a full scan, NULL for none */
    } cases[] = {
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/repo/src/x\"}", "Read(src/*.key)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/repo/sr\"}", "Read(src/*.key)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/data/sec\"}", "Read(//data/secrets/**)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/data/SECRETS/x\"}", "Read(//data/secrets/**)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/data\"}", "Read(//data/secrets/**)"},
        {"LS", "{\"path\":\"/home/user\"}", "Read(~/.ssh/**)"},
        {"LS", "{\"path\":\"/HOME/user/.SSH/keys\"}", "Read(~/.ssh/**)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/\"}", "Read(src/*.key)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/opt\"}", "Read(//opt/tools/bin)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/opt/tools/bin/x\"}", "Read(//opt/tools/bin)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/repo/docs/a\"}", "Read(docs/*/private)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/repo/docsx\"}", NULL},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/repo/Build/o\"}", "Read(./build/out/**)"},
        {"Grep", "{\"pattern\":\"x\",\"path\":\"/elsewhere\"}", NULL},
        {"Glob", "{\"pattern\":\"src/*.c\",\"path\":\"/repo\"}", "Read(src/*.key)"},
    };
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("edges", policy_text, strlen(policy_text), &error);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, "/home/user"), AG_OK);
    ag_policy_index *index = policy->index;

    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        request entry = {NULL, (char *)cases[i].tool, (char *)cases[i].input, "/repo"};
        compare_request(checker, policy, index, &entry, "search edges");
        policy->index = NULL;
        outcome scanned;
        check_one(checker, &entry, &scanned);
        policy->index = index;
        if (cases[i].rule == NULL && scanned.rule != NULL)
            fail_msg("%s %s: decided by %s, expected no rule", cases[i].tool, cases[i].input,
                     scanned.rule->text);
        if (cases[i].rule != NULL
            && (scanned.rule == NULL || strcmp(scanned.rule->text, cases[i].rule) != 0))
            fail_msg("%s %s: decided by %s, expected %s", cases[i].tool, cases[i].input,
                     rule_text(scanned.rule), cases[i].rule);
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* ---------------------------------------------------------- domain rules */

enum { DOMAIN_POLICIES = 8, DOMAIN_RULES = 120, DOMAIN_REQUESTS = 300 };

/* Hosts that rules and requests share, so that generated rules often match. */
static const char *const hosts[] = {
    "example.com", "example.org", "github.com", "python.org", "evil.example", "localhost",
    "co.uk", "x", "127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]",
};

/* Labels put before a host, so that wildcard rules and label suffixes meet. */
static const char *const labels[] = {"www", "api", "docs", "a", "api-1", "0"};

/* Changes the case of some ASCII letters of `text`. */
static void mix_case(char *text)
{
    for (char *p = text; *p != '\0'; p++)
        if (*p >= 'a' && *p <= 'z' && random_below(3) == 0)
            *p = (char)(*p - 'a' + 'A');
}

/* Writes a host name: a shared host with up to two labels before it, in mixed case. */
static void write_host(char *out, size_t size)
{
    size_t length = 0;
    for (size_t i = random_below(3); i > 0; i--)
        length += (size_t)snprintf(out + length, size - length, "%s.",
                                   labels[random_below(sizeof(labels) / sizeof(*labels))]);
    snprintf(out + length, size - length, "%s", hosts[random_below(sizeof(hosts) / sizeof(*hosts))]);
    if (random_below(4) == 0)
        mix_case(out);
}

/*
 * Writes one WebFetch rule: an exact or wildcard domain, one with a trailing
 * dot, an IP address in another spelling, a pattern no key can find, or
 * another kind of rule that applies to WebFetch.
 */
static void write_domain_rule(char *out, size_t size)
{
    static const char *const odd[] = {
        "*", "api-*.example.com", "*.*.com", "example.*", "*ex*.com", "ex*ample.com",
        "*.example.c*", "*github*", "127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "::1",
        "[::ffff:127.0.0.1]", "0x0a.1", "1.2.3.999", "*.0.0.1", "[::1]", "*.co.uk", "co.*",
    };
    static const char *const others[] = {"WebFetch", "WebFetch(prompt:*password*)", "Web*",
                                         "*", "Read(**)", "WebFetch(*)", "mcp__x"};
    char host[256];
    write_host(host, sizeof(host));
    switch (random_below(8)) {
    case 0:
    case 1: snprintf(out, size, "WebFetch(domain:%s)", host); break;
    case 2: snprintf(out, size, "WebFetch(domain:*.%s)", host); break;
    case 3: snprintf(out, size, "WebFetch(domain:%s.)", host); break;
    case 4:
    case 5:
        snprintf(out, size, "WebFetch(domain:%s)", odd[random_below(sizeof(odd) / sizeof(*odd))]);
        break;
    default: snprintf(out, size, "%s", others[random_below(sizeof(others) / sizeof(*others))]);
    }
}

/* Builds a YAML policy of DOMAIN_RULES random WebFetch rules, skipping those that fail to parse. */
static ag_policy *generate_domain_policy(void)
{
    static const char *const sections[] = {"allow", "ask", "deny"};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    fprintf(out, "default: %s\n", sections[random_below(3)]);
    for (size_t s = 0; s < 3; s++) {
        fprintf(out, "%s:\n", sections[s]);
        for (size_t i = 0; i < DOMAIN_RULES / 3; i++) {
            char rule[512];
            write_domain_rule(rule, sizeof(rule));
            ag_error *error = NULL;
            char single[1024];
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
        fail_msg("generated domain policy failed to load: %s\n%s", ag_error_message(error), text);
    free(text);
    return policy;
}

/*
 * Adds WebFetch requests: shared hosts with a port, userinfo or trailing dot,
 * in mixed case, IP addresses in other spellings, invalid addresses, and a
 * host with more labels than a cursor merges lists.
 */
static void add_domain_requests(void)
{
    static const char *const spelled[] = {
        "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "[::ffff:7f00:1]", "[0:0::1]",
        "0x0a.1", "10.1", "1.2.3.999", "[::ffff:a00:1]", "0xA9.254.169.254",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.example.com", "www.example.com.",
    };
    for (size_t i = 0; i < DOMAIN_REQUESTS; i++) {
        char host[256], input[600];
        if (random_below(4) == 0)
            snprintf(host, sizeof(host), "%s", spelled[random_below(sizeof(spelled) / sizeof(*spelled))]);
        else
            write_host(host, sizeof(host));
        static const char *const forms[] = {"https://%s/path", "http://%s:8080/", "https://u@%s",
                                            "https://%s./x", "HTTPS://%s?q"};
        char url[400];
        snprintf(url, sizeof(url), forms[random_below(sizeof(forms) / sizeof(*forms))], host);
        snprintf(input, sizeof(input), "{\"url\": \"%s\", \"prompt\": \"%s\"}", url,
                 random_below(4) == 0 ? "the password" : "x");
        requests = realloc(requests, (request_count + 1) * sizeof(*requests));
        requests[request_count++] = (request){NULL, strdup("WebFetch"), strdup(input),
                                              strdup("/repo")};
    }
}

static void test_index_domain_policies(void **state)
{
    (void)state;
    for (int i = 0; i < DOMAIN_POLICIES; i++) {
        ag_policy *policy = generate_domain_policy();
        char name[32];
        snprintf(name, sizeof(name), "domain policy #%d", i);
        compare_policy(policy, name);
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
    add_search_requests();
    add_domain_requests();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_case_policies),
        cmocka_unit_test(test_index_generated_policies),
        cmocka_unit_test(test_index_path_policies),
        cmocka_unit_test(test_index_search_edges),
        cmocka_unit_test(test_index_domain_policies),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);
    remove_scratch();
    return failures;
}
