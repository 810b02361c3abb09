/*
 * Symbolic links on disk, through the public API: writes through a link
 * into a protected path or out of the working directory, a ".." after a
 * link (which the kernel applies to where the link leads), and Glob
 * patterns that start at a link. Verdict tables cannot make links, so this
 * test builds a temp dir:
 *
 *   ROOT/home/.ssh/id_rsa        the home directory, with a key
 *   ROOT/repo/.git/hooks/        the working directory
 *   ROOT/repo/protected/sub/     denied to Edit
 *   ROOT/repo/gl  -> .git/hooks
 *   ROOT/repo/hl  -> ROOT/home
 *   ROOT/repo/lnk -> ROOT/home/.ssh
 *   ROOT/repo/src/l2 -> ROOT/repo/protected/sub
 *   ROOT/repo/loop -> loop       a link whose lookup fails (ELOOP)
 *   ROOT/repo/locked/in/         mode 000 once built: a directory not searchable
 *   ROOT/repo/dhook -> .git/hooks/pre-push        dangling links: the targets
 *   ROOT/repo/dchain -> dhook                      do not exist, so a write
 *   ROOT/repo/dbashrc -> ROOT/home/.bashrc         through the link creates
 *   ROOT/repo/dprot -> protected/sub/new           them
 *   ROOT/repo/dkey -> ROOT/home/.ssh/new_key
 *   ROOT/repo/pcwd -> /proc/self/cwd               per-process links
 *   ROOT/repo/dfd -> /dev/fd
 *   ROOT/homelink -> home        the home through a link
 *   ROOT/other/                  a second project
 *   ROOT/repolink -> repo        working directories given through a link
 *   ROOT/otherlink -> other
 *   ROOT/home/.ſsh/              with U+017F and U+0131, which a file system that
 *   ROOT/repo/.gıt/hooks/        ignores case reads as .ssh and .git
 *   ROOT/repo/fk -> ROOT/home/.ſsh
 *   ROOT/repo/fg -> .gıt/hooks
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
#include <unistd.h>

#include <cmocka.h>

#include "agentguard.h"

typedef struct fixture {
    char root[64];
    char repo[128];
    char home[128];
    ag_policy *policy;
    ag_checker *checker;
} fixture;

static int make_dir(const char *root, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    return mkdir(path, 0700);
}

static int make_link(const char *root, const char *name, const char *target)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    return symlink(target, path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->root, sizeof(f->root), "/tmp/ag-symlinks-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    snprintf(f->repo, sizeof(f->repo), "%s/repo", f->root);
    snprintf(f->home, sizeof(f->home), "%s/home", f->root);
    const char *dirs[] = {"home", "home/.ssh", "repo", "repo/.git", "repo/.git/hooks",
                          "repo/protected", "repo/protected/sub", "repo/src", "repo/locked",
                          "repo/locked/in", "other", "home/.ſsh", "repo/.gıt",
                          "repo/.gıt/hooks"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        if (make_dir(f->root, dirs[i]) != 0)
            return -1;
    }
    char target[256];
    snprintf(target, sizeof(target), "%s/.ssh/id_rsa", f->home);
    FILE *file = fopen(target, "w");
    if (file == NULL)
        return -1;
    fputs("k", file);
    fclose(file);

    char ssh[256], sub[256];
    snprintf(ssh, sizeof(ssh), "%s/.ssh", f->home);
    snprintf(sub, sizeof(sub), "%s/protected/sub", f->repo);
    if (make_link(f->root, "repo/gl", ".git/hooks") != 0
        || make_link(f->root, "repo/hl", f->home) != 0
        || make_link(f->root, "repo/lnk", ssh) != 0
        || make_link(f->root, "repo/src/l2", sub) != 0
        || make_link(f->root, "repo/loop", "loop") != 0)
        return -1;
    char bashrc[256], key[256];
    snprintf(bashrc, sizeof(bashrc), "%s/.bashrc", f->home);
    snprintf(key, sizeof(key), "%s/.ssh/new_key", f->home);
    if (make_link(f->root, "repo/dhook", ".git/hooks/pre-push") != 0
        || make_link(f->root, "repo/dchain", "dhook") != 0
        || make_link(f->root, "repo/dbashrc", bashrc) != 0
        || make_link(f->root, "repo/dprot", "protected/sub/new") != 0
        || make_link(f->root, "repo/dkey", key) != 0
        || make_link(f->root, "repo/pcwd", "/proc/self/cwd") != 0
        || make_link(f->root, "repo/dfd", "/dev/fd") != 0
        || make_link(f->root, "homelink", "home") != 0
        || make_link(f->root, "repolink", "repo") != 0
        || make_link(f->root, "otherlink", "other") != 0)
        return -1;
    char folded_ssh[256];
    snprintf(folded_ssh, sizeof(folded_ssh), "%s/.ſsh", f->home);
    if (make_link(f->root, "repo/fk", folded_ssh) != 0
        || make_link(f->root, "repo/fg", ".gıt/hooks") != 0)
        return -1;
    char locked[256];
    snprintf(locked, sizeof(locked), "%s/locked", f->repo);
    if (chmod(locked, 0) != 0)
        return -1;

    /* f->root starts with "/", so "Edit(/" + root is a `//` (file system root) rule. */
    char policy[1024];
    int length = snprintf(policy, sizeof(policy),
                          "default: ask\n"
                          "deny: [\"Read(~/.ssh/**)\", \"Edit(/%s/protected/**)\"]\n"
                          "allow: [\"Bash(cat *)\", \"Read\", \"Grep\", \"Glob\", "
                          "\"Edit(/%s/**)\"]\n", f->repo, f->repo);
    ag_error *error = NULL;
    f->policy = ag_policy_load_string("symlinks.yaml", policy, (size_t)length, &error);
    if (f->policy == NULL) {
        fprintf(stderr, "cannot load the test policy: %s\n", ag_error_message(error));
        ag_error_free(error);
        return -1;
    }
    f->checker = ag_checker_new(f->policy, &error);
    if (f->checker == NULL || ag_checker_set_home(f->checker, f->home) != AG_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ag_checker_free(f->checker);
    ag_policy_free(f->policy);
    char command[256];
    snprintf(command, sizeof(command), "chmod 700 '%s/locked' && rm -rf '%s'", f->repo, f->root);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

static ag_decision check_command(fixture *f, ag_mode mode, const char *command)
{
    assert_int_equal(ag_checker_set_mode(f->checker, mode), AG_OK);
    const ag_verdict *verdict = ag_check_command(f->checker, command, strlen(command), f->repo,
                                                 NULL);
    assert_non_null(verdict);
    return ag_verdict_decision(verdict);
}

/* `input` is a printf format whose one %s is the repo directory. */
static ag_decision check_tool(fixture *f, ag_mode mode, const char *tool, const char *input)
{
    char json[1024];
    snprintf(json, sizeof(json), input, f->repo);
    assert_int_equal(ag_checker_set_mode(f->checker, mode), AG_OK);
    const ag_verdict *verdict = ag_check(f->checker, tool, json, f->repo, NULL);
    assert_non_null(verdict);
    return ag_verdict_decision(verdict);
}

/* A shell write through a link into .git, or to ~/.bashrc, asks in every mode. */
static void test_protected_write_through_link(void **state)
{
    fixture *f = *state;
    const ag_mode modes[] = {AG_MODE_DEFAULT, AG_MODE_ACCEPT_EDITS,
                             AG_MODE_BYPASS_PERMISSIONS};
    for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
        assert_int_equal(check_command(f, modes[i], "cat a > gl/pre-commit"), AG_ASK);
        assert_int_equal(check_command(f, modes[i], "cat a > hl/.bashrc"), AG_ASK);
        assert_int_equal(check_command(f, modes[i], "cat a > src/x"), AG_ALLOW);
    }
    assert_int_equal(check_tool(f, AG_MODE_BYPASS_PERMISSIONS, "Write",
                                "{\"file_path\":\"%s/gl/pre-commit\",\"content\":\"x\"}"),
                     AG_ASK);
}

/*
 * Deny rules and protected paths meet the ASCII folding of a link target:
 * fk leads to ROOT/home/.ſsh and fg to .gıt/hooks, which a file system that
 * ignores case reads as ~/.ssh and .git/hooks. Neither link's own path
 * folds to a denied or protected one.
 */
static void test_folded_link_target(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat fk/id_rsa"), AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read", "{\"file_path\":\"%s/fk/id_rsa\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Grep",
                                "{\"pattern\":\"k\",\"path\":\"%s/fk\"}"),
                     AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat a > fg/pre-commit"), AG_ASK);
    assert_int_equal(check_tool(f, AG_MODE_BYPASS_PERMISSIONS, "Write",
                                "{\"file_path\":\"%s/fg/pre-commit\",\"content\":\"x\"}"),
                     AG_ASK);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat src/x"), AG_ALLOW);
}

/* A ".." after a link leaves where the link leads, as in the kernel. */
static void test_dotdot_after_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat lnk/../.ssh/id_rsa"), AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat x > src/l2/../y"), AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat src/../src/x"), AG_ALLOW);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read",
                                "{\"file_path\":\"%s/lnk/../.ssh/id_rsa\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Edit",
                                "{\"file_path\":\"%s/src/l2/../y\",\"old_string\":\"a\","
                                "\"new_string\":\"b\"}"),
                     AG_DENY);
}

/*
 * Bash's cd applies ".." to the text unless given -P, so `cd lnk/..` stays
 * in the repo, while the kernel's ".." leaves where lnk leads (the home).
 * Both places are checked: through the repo the write is denied.
 */
static void test_cd_dotdot_after_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cd lnk/.. && cat x > protected/y"),
                     AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cd lnk && cd .. && cat x > protected/y"),
                     AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cd lnk/.. && cat .ssh/id_rsa"),
                     AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cd src/.. && cat x > protected/y"),
                     AG_DENY);
}

/*
 * A file tool's ".." after a link is also checked as text, because a host
 * may normalize it that way before it opens the file (Node.js
 * path.resolve()): lnk/../protected/sub/y is repo/protected/sub/y as text
 * and home/protected/sub/y through the link. The stricter outcome wins.
 */
static void test_dotdot_after_link_as_text(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Edit",
                                "{\"file_path\":\"%s/lnk/../protected/sub/y\",\"old_string\":\"a\","
                                "\"new_string\":\"b\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_BYPASS_PERMISSIONS, "Write",
                                "{\"file_path\":\"%s/lnk/../.git/hooks/pre-commit\","
                                "\"content\":\"x\"}"),
                     AG_ASK);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read", "{\"file_path\":\"%s/lnk/../src/x\"}"),
                     AG_ALLOW);
}

/* Glob follows a link in the literal directory of its pattern. */
static void test_glob_through_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"lnk/*\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob",
                                "{\"pattern\":\"*\",\"path\":\"%s/lnk\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"src/*.c\"}"),
                     AG_ALLOW);
}

/*
 * A wildcard directory component lists names through a link that it
 * matches: the pattern `*` `/id_rsa` reads lnk/id_rsa, which is
 * ~/.ssh/id_rsa.
 */
static void test_glob_wildcard_through_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"*/id_rsa\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"ln?/id_rsa\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"**/id_rsa\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob",
                                "{\"pattern\":\"*/id_rsa\",\"path\":\"%s\"}"),
                     AG_DENY);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"x*/id_rsa\"}"),
                     AG_ALLOW);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"src/*/a.c\"}"),
                     AG_ALLOW);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Glob", "{\"pattern\":\"*\"}"),
                     AG_ALLOW);
}

/*
 * An allow rule allows a Glob only where it covers both a link and the
 * place it leads. Under a policy whose only rule allows reads below the
 * repo, the pattern `*` `/id_rsa` lists ~/.ssh/id_rsa through lnk, which
 * the rule does not cover, so it gets ask, as a pattern that names lnk does.
 */
static void test_glob_wildcard_link_allow_only(void **state)
{
    fixture *f = *state;
    static const char text[] = "default: ask\nallow: [\"Read(./**)\"]\n";
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("allow.yaml", text, strlen(text), &error);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, f->home), AG_OK);

    const char *patterns[] = {"{\"pattern\":\"*/id_rsa\"}", "{\"pattern\":\"ln[k]/id_rsa\"}",
                              "{\"pattern\":\"lnk/*\"}", "{\"pattern\":\"src/*/a.c\"}"};
    const ag_decision expected[] = {AG_ASK, AG_ASK, AG_ASK, AG_ALLOW};
    for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++) {
        const ag_verdict *verdict = ag_check(checker, "Glob", patterns[i], f->repo, NULL);
        assert_non_null(verdict);
        assert_int_equal(ag_verdict_decision(verdict), expected[i]);
    }
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/*
 * A path whose lookup fails leads to an unknown place: a loop of links, or
 * a directory the checker may not search (root searches every directory,
 * so that part runs only for other users). A deny rule that could match it
 * gives ask, where the path as written alone would be allowed.
 */
static void test_failed_lookup_asks(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat loop/x"), AG_ASK);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read", "{\"file_path\":\"%s/loop/x\"}"),
                     AG_ASK);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat src/x"), AG_ALLOW);

    const ag_verdict *verdict = ag_check_command(f->checker, "cat loop", 8, f->repo, NULL);
    assert_non_null(verdict);
    assert_non_null(strstr(ag_verdict_reason(verdict), "could not be looked up"));

    if (geteuid() == 0)
        return;
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat locked/in/x"), AG_ASK);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read",
                                "{\"file_path\":\"%s/locked/in/x\"}"),
                     AG_ASK);
}

/* Checks `command` in the repo in `mode` under the policy `text`, with a checker of its own. */
static ag_decision check_in_policy(fixture *f, const char *text, ag_mode mode, const char *command)
{
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_string("test.yaml", text, strlen(text), &error);
    assert_non_null(policy);
    ag_checker *checker = ag_checker_new(policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, f->home), AG_OK);
    assert_int_equal(ag_checker_set_mode(checker, mode), AG_OK);
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), f->repo, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    ag_policy_free(policy);
    return decision;
}

/* Checks `command` in the repo under a policy that allows every walking command by its Bash rule. */
static ag_decision check_walk(fixture *f, const char *command)
{
    static const char policy[] = "default: ask\n"
                                 "deny: [\"Read(~/.ssh/**)\"]\n"
                                 "allow: [\"Bash(grep *)\", \"Bash(cp *)\", \"Bash(zip *)\", "
                                 "\"Bash(tar *)\", \"Bash(rg *)\", \"Bash(rsync *)\", "
                                 "\"Bash(chown *)\", \"Bash(cd *)\", \"Bash(cat *)\", "
                                 "\"Bash(ln *)\", \"Bash(timeout *)\", \"Read(./**)\", "
                                 "\"Edit(./**)\"]\n";
    return check_in_policy(f, policy, AG_MODE_DEFAULT, command);
}

/*
 * The repo contains lnk -> ROOT/home/.ssh. A walk that follows the links below
 * its tree reaches the key through it, so it gives ask. The same walk that
 * keeps links as links stays allowed, and a walk started at the link itself
 * meets the deny rule where the link leads.
 */
static void test_tree_walk_through_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_walk(f, "grep -R k ."), AG_ASK);
    assert_int_equal(check_walk(f, "grep -r k ."), AG_ALLOW);
    assert_int_equal(check_walk(f, "cp -rL . d"), AG_ASK);
    assert_int_equal(check_walk(f, "cp -r . d"), AG_ALLOW);
    assert_int_equal(check_walk(f, "zip -r x.zip ."), AG_ASK);
    assert_int_equal(check_walk(f, "zip -ry x.zip ."), AG_ALLOW);
    assert_int_equal(check_walk(f, "tar chf x.tar ."), AG_ASK);
    assert_int_equal(check_walk(f, "tar cf x.tar ."), AG_ALLOW);
    assert_int_equal(check_walk(f, "rg -L k ."), AG_ASK);
    assert_int_equal(check_walk(f, "rg k ."), AG_ALLOW);
    assert_int_equal(check_walk(f, "rsync -rL ./ d/"), AG_ASK);
    assert_int_equal(check_walk(f, "chown -RL u ."), AG_ASK);
    assert_int_equal(check_walk(f, "chown -R u src"), AG_ALLOW);
    assert_int_equal(check_walk(f, "grep -r k lnk"), AG_DENY);
    assert_int_equal(check_walk(f, "grep -R k lnk"), AG_DENY);
}

/*
 * A search that names no path walks the working directory. The repo contains
 * lnk -> ROOT/home/.ssh, which grep -R and rg -L follow, and a search
 * started in the home directory or in .ssh meets the deny rule there.
 */
static void test_search_without_path(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_walk(f, "grep -R k"), AG_ASK);
    assert_int_equal(check_walk(f, "grep -r k"), AG_ALLOW);
    assert_int_equal(check_walk(f, "rg -L k"), AG_ASK);
    assert_int_equal(check_walk(f, "rg k"), AG_ALLOW);
    assert_int_equal(check_walk(f, "cd ../home && grep -r k"), AG_ASK);
    assert_int_equal(check_walk(f, "cd ../home/.ssh && grep -r k"), AG_DENY);
}

/*
 * A link that the request makes is not on disk when it is checked (the repo
 * has no nk), also when a wrapper puts its maker after the read in the
 * command list. A read that ends before the link is made stays allowed.
 */
static void test_new_link_behind_wrapper(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_walk(f, "timeout 5 ln -s ../home/.ssh nk; cat nk/id_rsa"), AG_ASK);
    assert_int_equal(check_walk(f, "ln -s ../home/.ssh nk; cat nk/id_rsa"), AG_ASK);
    assert_int_equal(check_walk(f, "cat nk/id_rsa && ln -s ../home/.ssh nk"), AG_ALLOW);
    assert_int_equal(check_walk(f, "cat lnk/id_rsa"), AG_DENY);
}

/*
 * A policy without Read rules needs no lookup for a read, except in
 * acceptEdits mode: it allows a file command only when every file the
 * command reads or writes stays inside the working directory, and
 * hl -> ROOT/home leads out of it.
 */
static void test_accept_edits_read_through_link(void **state)
{
    static const char policy[] = "default: ask\n";
    fixture *f = *state;
    assert_int_equal(check_in_policy(f, policy, AG_MODE_ACCEPT_EDITS, "cp hl/notes.txt copy.txt"),
                     AG_ASK);
    assert_int_equal(check_in_policy(f, policy, AG_MODE_ACCEPT_EDITS, "cp src/x copy.txt"),
                     AG_ALLOW);
    assert_int_equal(check_in_policy(f, policy, AG_MODE_ACCEPT_EDITS, "cp src/x hl/copy.txt"),
                     AG_ASK);
}

/* With a Read deny rule, a read through a link meets it where the link leads. */
static void test_read_rule_through_link(void **state)
{
    static const char policy[] = "default: allow\n"
                                 "deny: [\"Read(~/.ssh/**)\"]\n";
    fixture *f = *state;
    assert_int_equal(check_in_policy(f, policy, AG_MODE_DEFAULT, "cat lnk/id_rsa"), AG_DENY);
    assert_int_equal(check_in_policy(f, policy, AG_MODE_DEFAULT, "wc -l < hl/.ssh/id_rsa"),
                     AG_DENY);
    assert_int_equal(check_in_policy(f, policy, AG_MODE_DEFAULT, "cat src/x"), AG_ALLOW);
}

/* Checks an MCP read of `path` (a format whose %s is the repo) under a policy with path globs. */
static ag_decision check_mcp_read(fixture *f, const char *path)
{
    char policy[1024];
    int length = snprintf(policy, sizeof(policy),
                          "default: ask\n"
                          "primary_fields: {mcp__fs__read_file: path}\n"
                          "allow: [\"mcp__fs__read_file(%s/*)\"]\n"
                          "deny: [\"mcp__fs__read_file(%s/.ssh/*)\"]\n", f->repo, f->home);
    ag_error *error = NULL;
    ag_policy *loaded = ag_policy_load_string("mcp.yaml", policy, (size_t)length, &error);
    assert_non_null(loaded);
    ag_checker *checker = ag_checker_new(loaded, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, f->home), AG_OK);

    char full[512], json[1024];
    snprintf(full, sizeof(full), path, f->repo);
    snprintf(json, sizeof(json), "{\"path\":\"%s\"}", full);
    const ag_verdict *verdict = ag_check(checker, "mcp__fs__read_file", json, f->repo, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    ag_policy_free(loaded);
    return decision;
}

/* An MCP path glob follows links: an allow needs both ends, a deny meets either. */
static void test_mcp_path_through_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_mcp_read(f, "%s/src/x"), AG_ALLOW);
    assert_int_equal(check_mcp_read(f, "%s/lnk/id_rsa"), AG_DENY);
    assert_int_equal(check_mcp_read(f, "%s/hl/.ssh/id_rsa"), AG_DENY);
    assert_int_equal(check_mcp_read(f, "%s/hl/notes"), AG_ASK);
    assert_int_equal(check_mcp_read(f, "%s/loop/x"), AG_ASK);
    assert_int_equal(check_mcp_read(f, "%s/hl/../repo/src/x"), AG_ASK);
}

/*
 * A link whose target does not exist yet: the Write tool and `>` follow it
 * and create the target, so the target's deny rules and protected paths
 * apply in every mode, as for a direct write.
 */
static void test_write_through_dangling_link(void **state)
{
    fixture *f = *state;
    const ag_mode modes[] = {AG_MODE_DEFAULT, AG_MODE_ACCEPT_EDITS,
                             AG_MODE_BYPASS_PERMISSIONS};
    static const struct {
        const char *input;
        ag_decision expected;
    } writes[] = {
        {"{\"file_path\":\"%s/dhook\",\"content\":\"x\"}", AG_ASK},
        {"{\"file_path\":\"%s/dchain\",\"content\":\"x\"}", AG_ASK},
        {"{\"file_path\":\"%s/dbashrc\",\"content\":\"x\"}", AG_ASK},
        {"{\"file_path\":\"%s/dprot\",\"content\":\"x\"}", AG_DENY},
        {"{\"file_path\":\"%s/src/new\",\"content\":\"x\"}", AG_ALLOW},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
        ag_mode mode = modes[i];
        for (size_t w = 0; w < sizeof(writes) / sizeof(*writes); w++)
            assert_int_equal(check_tool(f, mode, "Write", writes[w].input), writes[w].expected);
        assert_int_equal(check_tool(f, mode, "Edit",
                                    "{\"file_path\":\"%s/dhook\",\"old_string\":\"a\","
                                    "\"new_string\":\"b\"}"),
                         AG_ASK);
        assert_int_equal(check_tool(f, mode, "NotebookEdit",
                                    "{\"notebook_path\":\"%s/dhook\",\"new_source\":\"x\"}"),
                         AG_ASK);
        assert_int_equal(check_command(f, mode, "cat a > dhook"), AG_ASK);
        assert_int_equal(check_command(f, mode, "cat a > dbashrc"), AG_ASK);
        assert_int_equal(check_command(f, mode, "cat a > dprot"), AG_DENY);
        assert_int_equal(check_command(f, mode, "cat a > src/new"), AG_ALLOW);
    }
    assert_int_equal(check_walk(f, "cp src/x dhook"), AG_ASK);
    assert_int_equal(check_walk(f, "cp src/x src/y"), AG_ALLOW);
    static const char tee_policy[] = "allow: [\"Bash(echo *)\", \"Bash(tee *)\", \"Edit(./**)\"]\n";
    assert_int_equal(check_in_policy(f, tee_policy, AG_MODE_DEFAULT, "echo x | tee dhook"), AG_ASK);
    assert_int_equal(check_in_policy(f, tee_policy, AG_MODE_DEFAULT, "echo x | tee src/y"),
                     AG_ALLOW);
    assert_int_equal(check_in_policy(f, "default: ask\n", AG_MODE_ACCEPT_EDITS,
                                     "cat src/x > dbashrc"),
                     AG_ASK);
}

/* A read through a dangling link meets the deny rule where the link leads. */
static void test_read_through_dangling_link(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read", "{\"file_path\":\"%s/dkey\"}"),
                     AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat dkey"), AG_DENY);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat dhook"), AG_ALLOW);
}

/*
 * A link into /proc/self/cwd or /dev/fd leads where the agent's process,
 * not the checker's, has its cwd and descriptors: an unknown place.
 */
static void test_process_link_is_unknown(void **state)
{
    fixture *f = *state;
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read",
                                "{\"file_path\":\"%s/pcwd/.ssh/id_rsa\"}"),
                     AG_ASK);
    assert_int_equal(check_tool(f, AG_MODE_DEFAULT, "Read", "{\"file_path\":\"%s/dfd/3\"}"),
                     AG_ASK);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat pcwd/x"), AG_ASK);
    assert_int_equal(check_command(f, AG_MODE_DEFAULT, "cat src/x"), AG_ALLOW);
}

/* Checks a Write of ROOT/`name` in `cwd`, with the fixture's policy and `home`. */
static ag_decision check_home_write(fixture *f, const char *home, ag_mode mode, const char *cwd,
                                    const char *name)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(f->policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
    assert_int_equal(ag_checker_set_mode(checker, mode), AG_OK);
    char json[512];
    snprintf(json, sizeof(json), "{\"file_path\":\"%s/%s\",\"content\":\"x\"}", f->root,
             name);
    const ag_verdict *verdict = ag_check(checker, "Write", json, cwd, NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    return decision;
}

/* Checks `cat ROOT/name` in the repo, with the fixture's policy and `home`. */
static ag_decision check_home_read(fixture *f, const char *home, const char *name)
{
    ag_error *error = NULL;
    ag_checker *checker = ag_checker_new(f->policy, &error);
    assert_non_null(checker);
    assert_int_equal(ag_checker_set_home(checker, home), AG_OK);
    char command[512];
    snprintf(command, sizeof(command), "cat %s/%s", f->root, name);
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), f->repo,
                                                 NULL);
    assert_non_null(verdict);
    ag_decision decision = ag_verdict_decision(verdict);
    ag_checker_free(checker);
    return decision;
}

/*
 * A home given through a link (ROOT/homelink -> home) or in an untidy
 * spelling names the same home: the deny rule on ~/.ssh and the protected ~/.bashrc
 * hold whichever spelling the request uses.
 */
static void test_home_through_link(void **state)
{
    fixture *f = *state;
    char homes[4][192];
    snprintf(homes[0], sizeof(homes[0]), "%s/homelink", f->root);
    snprintf(homes[1], sizeof(homes[1]), "%s/homelink/", f->root);
    snprintf(homes[2], sizeof(homes[2]), "%s/home/.", f->root);
    snprintf(homes[3], sizeof(homes[3]), "%s//repo/../home//", f->root);
    for (size_t i = 0; i < sizeof(homes) / sizeof(*homes); i++) {
        const char *home = homes[i];
        assert_int_equal(check_home_read(f, home, "home/.ssh/id_rsa"), AG_DENY);
        assert_int_equal(check_home_read(f, home, "homelink/.ssh/id_rsa"), AG_DENY);
        assert_int_equal(check_home_read(f, home, "repo/src/x"), AG_ALLOW);
        assert_int_equal(check_home_write(f, home, AG_MODE_ACCEPT_EDITS, f->home, "home/.bashrc"),
                         AG_ASK);
        assert_int_equal(check_home_write(f, home, AG_MODE_ACCEPT_EDITS, f->home,
                                          "homelink/.bashrc"),
                         AG_ASK);
        assert_int_equal(check_home_write(f, home, AG_MODE_ACCEPT_EDITS, f->home, "home/notes"),
                         AG_ALLOW);
    }
}

/*
 * Rules anchored at the cwd, for a cwd given through a link. The policy is
 * a string, so its rule on `/conf` has no file directory and is anchored at
 * the cwd too. Checks run on one checker, so they also cover its cache of where
 * the cwd leads.
 */
static const char cwd_policy[] =
    "default: ask\n"
    "deny: [\"Read(./secret)\", \"Edit(./.git/**)\", \"Read(/conf/**)\"]\n"
    "ask: [\"Read(./notes/**)\"]\n"
    "allow: [\"Bash(cat *)\", \"Bash(echo *)\", \"Bash(rm *)\", \"Read\", \"Grep\", "
    "\"Edit(./**)\"]\n";

typedef struct cwd_checker {
    ag_policy *policy;
    ag_checker *checker;
} cwd_checker;

static cwd_checker cwd_checker_new(fixture *f)
{
    cwd_checker c = {NULL, NULL};
    ag_error *error = NULL;
    c.policy = ag_policy_load_string("cwd.yaml", cwd_policy, strlen(cwd_policy), &error);
    assert_non_null(c.policy);
    c.checker = ag_checker_new(c.policy, &error);
    assert_non_null(c.checker);
    assert_int_equal(ag_checker_set_home(c.checker, f->home), AG_OK);
    return c;
}

static void cwd_checker_free(cwd_checker *c)
{
    ag_checker_free(c->checker);
    ag_policy_free(c->policy);
}

/* Checks `command`, in which every %s is ROOT, with the cwd ROOT/`cwd`. */
static ag_decision check_in(cwd_checker *c, fixture *f, ag_mode mode, const char *cwd,
                            const char *command)
{
    char directory[256], text[1024];
    snprintf(directory, sizeof(directory), "%s/%s", f->root, cwd);
    snprintf(text, sizeof(text), command, f->root, f->root, f->root);
    assert_int_equal(ag_checker_set_mode(c->checker, mode), AG_OK);
    const ag_verdict *verdict = ag_check_command(c->checker, text, strlen(text), directory,
                                                 NULL);
    assert_non_null(verdict);
    return ag_verdict_decision(verdict);
}

/* Checks a call of `tool`, whose input has one %s for ROOT, with the cwd ROOT/`cwd`. */
static ag_decision check_tool_in(cwd_checker *c, fixture *f, const char *cwd, const char *tool,
                                 const char *input)
{
    char directory[256], json[1024];
    snprintf(directory, sizeof(directory), "%s/%s", f->root, cwd);
    snprintf(json, sizeof(json), input, f->root);
    assert_int_equal(ag_checker_set_mode(c->checker, AG_MODE_DEFAULT), AG_OK);
    const ag_verdict *verdict = ag_check(c->checker, tool, json, directory, NULL);
    assert_non_null(verdict);
    return ag_verdict_decision(verdict);
}

/* A file named by its real path meets the deny rules anchored at a cwd given through a link. */
static void test_cwd_link_real_path(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/repo/secret"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat ../repo/secret"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/repo/conf/a"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/repo/notes/a"),
                     AG_ASK);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink",
                              "echo x > %s/repo/.git/config"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cd %s/repo && cat secret"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat secret"), AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/repo/src/a"),
                     AG_ALLOW);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat src/a"), AG_ALLOW);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/other/secret"),
                     AG_ALLOW);
    cwd_checker_free(&c);
}

/* The file tools meet the same rules, and a search of a tree that contains the file asks. */
static void test_cwd_link_file_tools(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Read",
                                   "{\"file_path\":\"%s/repo/secret\"}"),
                     AG_DENY);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Edit",
                                   "{\"file_path\":\"%s/repo/.git/config\",\"old_string\":"
                                   "\"a\",\"new_string\":\"b\"}"),
                     AG_DENY);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Grep",
                                   "{\"pattern\":\"x\",\"path\":\"%s/repo\"}"),
                     AG_ASK);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Read", "{\"file_path\":\"%s/repo/src/a\"}"),
                     AG_ALLOW);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Grep",
                                   "{\"pattern\":\"x\",\"path\":\"%s/repo/src\"}"),
                     AG_ALLOW);
    cwd_checker_free(&c);
}

/*
 * A cwd given by its real path meets a file named through the link, because
 * the path is also checked where it leads. Allow rules keep the cwd as
 * written: the Edit allow rule on the whole cwd ROOT/repolink does not cover
 * ROOT/repo/src/a, so that write asks as it did before.
 */
static void test_cwd_link_reverse_and_allow(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo", "cat %s/repolink/secret"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo", "echo x > %s/repolink/.git/a"),
                     AG_DENY);
    assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo", "echo x > src/a"), AG_ALLOW);
    assert_int_equal(check_tool_in(&c, f, "repolink", "Write",
                                   "{\"file_path\":\"%s/repo/src/a\",\"content\":\"x\"}"),
                     AG_ASK);
    cwd_checker_free(&c);
}

/*
 * Each cwd gets its own destination: the cache of the last cwd follows the
 * request. A cwd with ".." is looked up each time, since it is not cached.
 */
static void test_cwd_link_changes(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "otherlink", "cat %s/other/secret"),
                         AG_DENY);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "otherlink", "cat %s/repo/secret"),
                         AG_ALLOW);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/other/secret"),
                         AG_ALLOW);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink", "cat %s/repo/secret"),
                         AG_DENY);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repolink/../repolink",
                                  "cat %s/repo/secret"),
                         AG_DENY);
    }
    cwd_checker_free(&c);
}

/*
 * A tree write that contains where the cwd leads may remove the project's .git,
 * so it asks even in bypassPermissions mode, which waives the ask for a
 * write outside the working directory. The tree of the project's src does not.
 */
static void test_cwd_link_protected_tree(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    assert_int_equal(check_in(&c, f, AG_MODE_BYPASS_PERMISSIONS, "repolink", "rm -rf .."),
                     AG_ASK);
    assert_int_equal(check_in(&c, f, AG_MODE_BYPASS_PERMISSIONS, "repolink", "rm -rf %s/repo"),
                     AG_ASK);
    assert_int_equal(check_in(&c, f, AG_MODE_BYPASS_PERMISSIONS, "repolink",
                              "rm -rf %s/repo/src"),
                     AG_ALLOW);
    cwd_checker_free(&c);
}

/*
 * A cwd whose lookup fails (ROOT/repo/loop is a loop of links) leads to an
 * unknown directory, which may be above any path. So a rule anchored at the
 * cwd asks wherever the path below some directory matches it, and a tree
 * write anywhere may hold the project's protected paths.
 */
static void test_cwd_failed_lookup_asks(void **state)
{
    fixture *f = *state;
    cwd_checker c = cwd_checker_new(f);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo/loop", "cat %s/other/secret"),
                         AG_ASK);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo/loop", "cat %s/other/notes/a"),
                         AG_ASK);
        assert_int_equal(check_in(&c, f, AG_MODE_DEFAULT, "repo/loop", "cat %s/other/readme"),
                         AG_ALLOW);
        assert_int_equal(check_tool_in(&c, f, "repo/loop", "Read",
                                       "{\"file_path\":\"%s/other/secret\"}"),
                         AG_ASK);
        assert_int_equal(check_in(&c, f, AG_MODE_BYPASS_PERMISSIONS, "repo/loop",
                                  "rm -rf %s/other"),
                         AG_ASK);
    }
    cwd_checker_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protected_write_through_link),
        cmocka_unit_test(test_folded_link_target),
        cmocka_unit_test(test_dotdot_after_link),
        cmocka_unit_test(test_cd_dotdot_after_link),
        cmocka_unit_test(test_dotdot_after_link_as_text),
        cmocka_unit_test(test_glob_through_link),
        cmocka_unit_test(test_glob_wildcard_through_link),
        cmocka_unit_test(test_glob_wildcard_link_allow_only),
        cmocka_unit_test(test_failed_lookup_asks),
        cmocka_unit_test(test_tree_walk_through_link),
        cmocka_unit_test(test_search_without_path),
        cmocka_unit_test(test_new_link_behind_wrapper),
        cmocka_unit_test(test_accept_edits_read_through_link),
        cmocka_unit_test(test_read_rule_through_link),
        cmocka_unit_test(test_mcp_path_through_link),
        cmocka_unit_test(test_write_through_dangling_link),
        cmocka_unit_test(test_read_through_dangling_link),
        cmocka_unit_test(test_process_link_is_unknown),
        cmocka_unit_test(test_home_through_link),
        cmocka_unit_test(test_cwd_link_real_path),
        cmocka_unit_test(test_cwd_link_file_tools),
        cmocka_unit_test(test_cwd_link_reverse_and_allow),
        cmocka_unit_test(test_cwd_link_changes),
        cmocka_unit_test(test_cwd_link_protected_tree),
        cmocka_unit_test(test_cwd_failed_lookup_asks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
