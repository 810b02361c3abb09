/*
 * Verdicts that depend on files on disk, through the public API: the cases
 * of the table given (cases/check-checkout-files.json for `git checkout
 * NAME`, cases/check-copy-files.json for copies into a directory), whose
 * "cwd" is relative to a temp dir that this test builds. A case may set
 * "mode". The repositories are written by hand as git 2.39 lays them out,
 * so the test needs no git program:
 *
 *   ROOT/home/, home/.local/
 *   ROOT/repo/.git/HEAD, objects/, refs/heads/main, refs/heads/feature,
 *       refs/tags/notes.txt, refs/stash, FETCH_HEAD, and packed-refs with
 *       refs/heads/packed.txt and refs/remotes/origin/remote.txt
 *   ROOT/repo/ a file for each of those names, pyproject.toml, src/a.py,
 *       src/dir/, .claude/settings.json, deadbeef, main~0, v1-gdeadbee
 *   ROOT/worktree/.git            a file, as in a linked work tree
 *   ROOT/worktree/a.py
 *   ROOT/reftable/.git/           HEAD, refs/heads as a file, reftable/
 *   ROOT/reftable/a.py
 *   ROOT/plain/a.py               no repository
 */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "agentguard.h"

static const char object[] = "1c6b3a5f0e2d4c8b9a7f6e5d4c3b2a1908f7e6d5";

static const char *cases_dir;
static char root[64];

typedef struct table_case {
    json_t *spec;
    char name[256];
} table_case;

static int make_dir(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    return mkdir(path, 0700);
}

static int make_file(const char *name, const char *content)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    FILE *file = fopen(path, "w");
    if (file == NULL)
        return -1;
    int written = fputs(content, file);
    return fclose(file) == 0 && written >= 0 ? 0 : -1;
}

/* Writes a loose ref, "OBJECT\n", at ROOT/repo/.git/NAME. */
static int make_ref(const char *name)
{
    char path[256], line[64];
    snprintf(path, sizeof(path), "repo/.git/%s", name);
    snprintf(line, sizeof(line), "%s\n", object);
    return make_file(path, line);
}

static int build_repositories(void)
{
    const char *dirs[] = {"home", "home/.local", "repo", "repo/.git", "repo/.git/objects", "repo/.git/refs",
                          "repo/.git/refs/heads", "repo/.git/refs/tags", "repo/src",
                          "repo/src/dir", "repo/.claude", "worktree", "reftable",
                          "reftable/.git", "reftable/.git/refs", "reftable/.git/reftable",
                          "plain"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        if (make_dir(dirs[i]) != 0)
            return -1;
    }

    char packed[512];
    snprintf(packed, sizeof(packed),
             "# pack-refs with: peeled fully-peeled sorted \n%s refs/heads/packed.txt\n"
             "%s refs/remotes/origin/remote.txt\n^%s\n", object, object, object);
    const char *files[][2] = {
        {"repo/.git/HEAD", "ref: refs/heads/main\n"},
        {"repo/.git/packed-refs", packed},
        {"repo/pyproject.toml", "x"}, {"repo/src/a.py", "x"}, {"repo/feature", "x"},
        {"repo/notes.txt", "x"}, {"repo/stash", "x"}, {"repo/FETCH_HEAD", "x"},
        {"repo/packed.txt", "x"}, {"repo/remote.txt", "x"}, {"repo/.claude/settings.json", "{}"},
        {"repo/deadbeef", "x"}, {"repo/main~0", "x"}, {"repo/v1-gdeadbee", "x"},
        {"worktree/.git", "gitdir: /nonexistent/.git/worktrees/w\n"}, {"worktree/a.py", "x"},
        {"reftable/.git/HEAD", "ref: refs/heads/.invalid\n"},
        {"reftable/.git/refs/heads", "this repository uses the reftable format\n"},
        {"reftable/a.py", "x"}, {"plain/a.py", "x"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        if (make_file(files[i][0], files[i][1]) != 0)
            return -1;
    }
    const char *refs[] = {"refs/heads/main", "refs/heads/feature", "refs/tags/notes.txt",
                          "refs/stash", "FETCH_HEAD"};
    for (size_t i = 0; i < sizeof(refs) / sizeof(*refs); i++) {
        if (make_ref(refs[i]) != 0)
            return -1;
    }
    return 0;
}

static void test_table_case(void **state)
{
    table_case *item = *state;
    char path[4096];
    snprintf(path, sizeof(path), "%s/policies/%s.yaml", cases_dir,
             json_string_value(json_object_get(item->spec, "policy")));
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_file(path, &error);
    if (policy == NULL)
        fail_msg("%s: cannot load %s: %s", item->name, path, ag_error_message(error));
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_non_null(checker);
    const char *mode_name = json_string_value(json_object_get(item->spec, "mode"));
    ag_mode mode;
    if (mode_name != NULL && !ag_mode_from_name(mode_name, &mode))
        fail_msg("%s: unknown mode %s", item->name, mode_name);
    if (mode_name != NULL)
        assert_int_equal(ag_checker_set_mode(checker, mode), AG_OK);

    char home[128], cwd[256];
    snprintf(home, sizeof(home), "%s/home", root);
    snprintf(cwd, sizeof(cwd), "%s/%s", root,
             json_string_value(json_object_get(item->spec, "cwd")));
    assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
    const char *command = json_string_value(json_object_get(item->spec, "command"));
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), cwd, NULL);
    assert_non_null(verdict);

    const char *expected = json_string_value(json_object_get(item->spec, "expect"));
    const char *actual = ag_decision_name(ag_verdict_decision(verdict));
    if (strcmp(expected, actual) != 0)
        fail_msg("%s: expected %s, got %s: %s", item->name, expected, actual,
                 ag_verdict_reason(verdict));
    ag_checker_free(checker);
    ag_policy_free(policy);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CASES_DIR TABLE.json\n", argv[0]);
        return 2;
    }
    cases_dir = argv[1];
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cases_dir, argv[2]);
    json_error_t json_error;
    json_t *table = json_load_file(path, 0, &json_error);
    json_t *cases = json_object_get(table, "cases");
    if (!json_is_array(cases)) {
        fprintf(stderr, "%s: no \"cases\" array: %s\n", path, json_error.text);
        return 2;
    }

    snprintf(root, sizeof(root), "/tmp/ag-checkout-XXXXXX");
    if (mkdtemp(root) == NULL || build_repositories() != 0) {
        fprintf(stderr, "cannot build the repositories in %s\n", root);
        return 2;
    }

    size_t count = json_array_size(cases);
    table_case *items = calloc(count, sizeof(*items));
    struct CMUnitTest *tests = calloc(count, sizeof(*tests));
    for (size_t i = 0; i < count; i++) {
        items[i].spec = json_array_get(cases, i);
        snprintf(items[i].name, sizeof(items[i].name), "case %zu [%s] %s", i,
                 json_string_value(json_object_get(items[i].spec, "cwd")),
                 json_string_value(json_object_get(items[i].spec, "command")));
        tests[i] = (struct CMUnitTest){items[i].name, test_table_case, NULL, NULL, &items[i]};
    }
    int failed = _cmocka_run_group_tests(argv[2], tests, count, NULL, NULL);

    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", root);
    int removed = system(command);
    free(tests);
    free(items);
    json_decref(table);
    return failed == 0 && removed == 0 ? 0 : 1;
}
