/*
 * Path normalization, Read/Edit path rules, WebFetch domain rules and
 * symbolic links, against real PCRE2 and a temporary directory.
 */
#define _XOPEN_SOURCE 700
/* syscall() for the readlink() counter. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "rules/paths.h"

#define M "\x01"

/* ------------------------------------------------------------ normalize */

static void test_normalize_table(void **state)
{
    (void)state;
    static const struct {
        const char *cwd, *home, *path, *expected;
    } cases[] = {
        {"/repo", NULL, "a.txt", "/repo/a.txt"},
        {"/repo", NULL, "./a.txt", "/repo/a.txt"},
        {"/repo", NULL, "a/./b", "/repo/a/b"},
        {"/repo", NULL, "a//b///c", "/repo/a/b/c"},
        {"/repo", NULL, "a/b/", "/repo/a/b"},
        {"/repo", NULL, "../x", "/x"},
        {"/repo", NULL, "../../../../x", "/x"},
        {"/repo", NULL, "..", "/"},
        {"/repo", NULL, ".", "/repo"},
        {"/repo/", NULL, "a", "/repo/a"},
        {"/repo", NULL, "/etc/passwd", "/etc/passwd"},
        {"/repo", NULL, "/", "/"},
        {"/repo", NULL, "//etc//passwd/", "/etc/passwd"},
        {"/repo", NULL, "/a/b/../../..", "/"},
        {"/repo", NULL, "/a/b/../c", "/a/c"},
        {NULL, NULL, "a/b", M "/a/b"},
        {NULL, NULL, "../etc", M "/etc"},
        {NULL, NULL, "/etc/../x", "/x"},
        /* A ".." below a per-process link goes where the agent's process, not the checker's, is. */
        {"/repo", NULL, "/proc/self/cwd/../x", M "/x"},
        {"/repo", NULL, "/proc/thread-self/cwd/../../home/.ssh", M "/home/.ssh"},
        {"/repo", NULL, "/proc/self/fd/0/../x", M "/x"},
        {"/repo", NULL, "/dev/stdin/../x", M "/x"},
        {"/repo", NULL, "/dev/fd/0/../x", M "/x"},
        {"/repo", NULL, "/proc/1/root/../etc", M "/etc"},
        {"/repo", "/home/u", "~", "/home/u"},
        {"/repo", "/home/u", "~/.ssh/id", "/home/u/.ssh/id"},
        {"/repo", "/home/u/", "~/.ssh/../x", "/home/u/x"},
        {"/repo", NULL, "~/.ssh/id", "~/.ssh/id"},
        {"/repo", NULL, "~", "~"},
        {"/repo", NULL, "~/../etc", M "/etc"},
        {"/repo", "/home/u", "~root/.ssh", M "/.ssh"},
        {"/repo", "/home/u", "a~/b", "/repo/a~/b"},
        {"/repo", NULL, "/safe/" M, M},
        {"/repo", NULL, "/safe/" M "/../../etc/passwd", M "/etc/passwd"},
        {"/repo", NULL, "/safe/" M "/x", M "/x"},
        {"/repo", NULL, "/safe/a" M "b/c", M "b/c"},
        {"/repo", NULL, M "/etc", M "/etc"},
        {"/repo", NULL, "/a/" M "/b/" M ".log", M ".log"},
        {"/repo", NULL, "/a/" M "/b/..", M},
        {"/repo", NULL, "/a/" M "/b/../..", M},
        {"/repo", NULL, "/a/b/c/../../d", "/a/d"},
        {"relative", NULL, "x", M "/x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_arena arena;
        ag_arena_init(&arena);
        ag_path_context context = {cases[i].cwd, cases[i].home, NULL, NULL};
        const char *got = ag_path_normalize(&arena, &context, cases[i].path,
                                            strlen(cases[i].path));
        assert_non_null(got);
        if (strcmp(got, cases[i].expected) != 0)
            fail_msg("case %zu: normalize(%s) = %s, expected %s", i, cases[i].path, got,
                     cases[i].expected);
        ag_arena_release(&arena);
    }
}

static void test_is_within_whole_components(void **state)
{
    (void)state;
    assert_true(ag_path_is_within("/srv/app", "/srv/app"));
    assert_true(ag_path_is_within("/srv/app/x", "/srv/app"));
    assert_true(ag_path_is_within("/srv/app/x", "/srv/app/"));
    assert_false(ag_path_is_within("/srv/app-old", "/srv/app"));
    assert_false(ag_path_is_within("/srv", "/srv/app"));
    assert_true(ag_path_is_within("/x", "/"));
    assert_false(ag_path_is_within(M "/x", "/"));
}

/* ---------------------------------------------------------- ASCII folding */

static void test_fold_ascii_table(void **state)
{
    (void)state;
    /* Each character that ag_path_fold_ascii() folds, and paths that it leaves alone (NULL). */
    static const struct {
        const char *path, *expected;
    } cases[] = {
        {"/h/.\xC3\x9F", "/h/.ss"},             /* U+00DF sharp s */
        {"/h/.g\xC4\xB1t", "/h/.git"},          /* U+0131 dotless i */
        {"/h/.\xC5\xBFsh/id", "/h/.ssh/id"},    /* U+017F long s */
        {"/h/a\xCD\xBE" "b", "/h/a;b"},         /* U+037E Greek question mark */
        {"/h/.\xE1\xBA\x9E", "/h/.ss"},         /* U+1E9E capital sharp s */
        {"/h/a\xE1\xBF\xAF" "b", "/h/a`b"},     /* U+1FEF Greek varia */
        {"/h/\xE2\x84\xAA" "ey", "/h/key"},     /* U+212A Kelvin sign */
        {"/h/\xEF\xAC\x80", "/h/ff"},           /* U+FB00..U+FB06 ligatures */
        {"/h/.con\xEF\xAC\x81g", "/h/.config"},
        {"/h/\xEF\xAC\x82", "/h/fl"},
        {"/h/\xEF\xAC\x83", "/h/ffi"},
        {"/h/\xEF\xAC\x84", "/h/ffl"},
        {"/h/\xEF\xAC\x85", "/h/st"},
        {"/h/\xEF\xAC\x86", "/h/st"},
        {"/h/\xC5\xBF\xC5\xBF/\xC3\xA9", "/h/ss/\xC3\xA9"},    /* two, and an e-acute kept */
        {"/h/.ssh/id_rsa", NULL},
        {"/h/\xC3\xA9.txt", NULL},              /* U+00E9 folds to nothing in ASCII */
        {"/h/\xC5", NULL},                      /* a cut sequence */
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_arena arena;
        ag_arena_init(&arena);
        const char *folded = "unset";
        assert_int_equal(ag_path_fold_ascii(&arena, cases[i].path, &folded), AG_OK);
        if (cases[i].expected == NULL && folded != NULL)
            fail_msg("case %zu: fold(%s) = %s, expected NULL", i, cases[i].path, folded);
        if (cases[i].expected != NULL && (folded == NULL || strcmp(folded, cases[i].expected) != 0))
            fail_msg("case %zu: fold(%s) = %s, expected %s", i, cases[i].path,
                     folded != NULL ? folded : "NULL", cases[i].expected);
        ag_arena_release(&arena);
    }
}

static void test_fold_ascii_null_path(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);
    const char *folded = "unset";
    assert_int_equal(ag_path_fold_ascii(&arena, NULL, &folded), AG_OK);
    assert_null(folded);
    ag_arena_release(&arena);
}

/* ------------------------------------------------------------ path rules */

static void parse_rule(const char *text, ag_decision decision, ag_rule *rule)
{
    ag_error *error = NULL;
    ag_source_location location = {"test.yaml", 1, 1};
    if (ag_rule_parse(text, decision, location, rule, &error) != AG_OK)
        fail_msg("cannot parse %s: %s", text, ag_error_message(error));
}

static void test_path_rule_table(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        ag_decision decision;
        const char *path;
        const char *cwd, *home;
        ag_match expected;
    } cases[] = {
        {"Read(//etc/**)", AG_DENY, "/etc/passwd", "/repo", NULL, AG_MATCH_YES},
        {"Read(//etc/**)", AG_ALLOW, "/etc", "/repo", NULL, AG_MATCH_YES},
        {"Read(//etc/**)", AG_DENY, "/etcetera", "/repo", NULL, AG_MATCH_NO},
        {"Read(//srv/app/**)", AG_ALLOW, "/srv/app-old/x", "/repo", NULL, AG_MATCH_NO},
        {"Read(//srv/app/**)", AG_ALLOW, "/srv/app/x/y", "/repo", NULL, AG_MATCH_YES},
        {"Read(~/.ssh/**)", AG_DENY, "/home/u/.ssh/id", "/repo", "/home/u", AG_MATCH_YES},
        {"Read(~/.ssh/**)", AG_DENY, "/home/v/.ssh/id", "/repo", "/home/u", AG_MATCH_NO},
        {"Read(~/.ssh/**)", AG_DENY, "~/.ssh/id", "/repo", NULL, AG_MATCH_YES},
        {"Read(~/.ssh/**)", AG_DENY, "/home/u/.ssh/id", "/repo", NULL, AG_MATCH_MAYBE},
        {"Read(.env)", AG_DENY, "/repo/.env", "/repo", NULL, AG_MATCH_YES},
        {"Read(.env)", AG_DENY, "/repo/a/b/.env", "/repo", NULL, AG_MATCH_YES},
        {"Read(.env)", AG_DENY, "/other/.env", "/repo", NULL, AG_MATCH_NO},
        {"Read(.env)", AG_DENY, "/repo/.env.local", "/repo", NULL, AG_MATCH_NO},
        {"Read(.env)", AG_DENY, "/repo/.env/inner", "/repo", NULL, AG_MATCH_YES},
        {"Read(.env)", AG_ALLOW, "/repo/.env/inner", "/repo", NULL, AG_MATCH_NO},
        {"Read(*.pem)", AG_DENY, "/repo/x/key.pem", "/repo", NULL, AG_MATCH_YES},
        {"Read(./*.pem)", AG_DENY, "/repo/x/key.pem", "/repo", NULL, AG_MATCH_NO},
        {"Read(src/*.c)", AG_ALLOW, "/repo/src/a.c", "/repo", NULL, AG_MATCH_YES},
        {"Read(src/*.c)", AG_ALLOW, "/repo/src/x/a.c", "/repo", NULL, AG_MATCH_NO},
        {"Read(src/**/*.c)", AG_ALLOW, "/repo/src/a.c", "/repo", NULL, AG_MATCH_YES},
        {"Read(src/**/*.c)", AG_ALLOW, "/repo/src/x/y/a.c", "/repo", NULL, AG_MATCH_YES},
        {"Read(src/?.c)", AG_ALLOW, "/repo/src/a.c", "/repo", NULL, AG_MATCH_YES},
        {"Read(src/?.c)", AG_ALLOW, "/repo/src/ab.c", "/repo", NULL, AG_MATCH_NO},
        {"Read(src/[ab].c)", AG_ALLOW, "/repo/src/b.c", "/repo", NULL, AG_MATCH_YES},
        {"Read(src/[!ab].c)", AG_ALLOW, "/repo/src/b.c", "/repo", NULL, AG_MATCH_NO},
        {"Edit(src/**)", AG_ALLOW, "/repo/src", "/repo", NULL, AG_MATCH_YES},
        {"Edit(src/**)", AG_ALLOW, "/repo/lib/src/x", "/repo", NULL, AG_MATCH_NO},
        {"Edit(src/**)", AG_DENY, "/repo/lib/src/x", "/repo", NULL, AG_MATCH_YES},
        {"Edit(build/)", AG_DENY, "/repo/build/out.o", "/repo", NULL, AG_MATCH_YES},
        {"Edit(build/)", AG_ALLOW, "/repo/build", "/repo", NULL, AG_MATCH_YES},
        {"Edit(/gen/**)", AG_DENY, "/repo/gen/a", "/repo", NULL, AG_MATCH_YES},
        {"Read(//**/.env)", AG_DENY, "/x/y/.env", "/repo", NULL, AG_MATCH_YES},
        {"Read(.env)", AG_DENY, "/repo/.env", NULL, NULL, AG_MATCH_MAYBE},
        {"Read(//etc/**)", AG_DENY, M "/passwd", "/repo", NULL, AG_MATCH_MAYBE},
        {"Read(//etc/**)", AG_ALLOW, M "/passwd", "/repo", NULL, AG_MATCH_MAYBE},
        {"Read(//etc/**)", AG_DENY, "~/x", "/repo", NULL, AG_MATCH_MAYBE},
        {"Read(a\\*b)", AG_ALLOW, "/repo/a*b", "/repo", NULL, AG_MATCH_YES},
        {"Read(a\\*b)", AG_ALLOW, "/repo/axb", "/repo", NULL, AG_MATCH_NO},
    };
    pcre2_match_data *data = ag_rule_match_data_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_rule rule;
        parse_rule(cases[i].rule, cases[i].decision, &rule);
        assert_true(ag_rule_is_path(&rule));
        ag_path_context context = {cases[i].cwd, cases[i].home, NULL, NULL};
        ag_match got = ag_rule_match_path(&rule, cases[i].path, &context, data);
        if (got != cases[i].expected)
            fail_msg("case %zu: %s on %s gave %d, expected %d", i, cases[i].rule,
                     cases[i].path, got, cases[i].expected);
        ag_rule_clear(&rule);
    }
    pcre2_match_data_free(data);
}

static void test_path_rule_below_directory(void **state)
{
    (void)state;
    pcre2_match_data *data = ag_rule_match_data_new();
    ag_path_context context = {"/repo", "/home/u", NULL, NULL};
    ag_rule rule;
    parse_rule("Read(~/.ssh/**)", AG_DENY, &rule);
    assert_int_equal(ag_rule_match_path_below(&rule, "/home", &context, data), AG_MATCH_MAYBE);
    assert_int_equal(ag_rule_match_path_below(&rule, "/repo", &context, data), AG_MATCH_NO);
    ag_rule_clear(&rule);
    parse_rule("Read(//etc/shadow)", AG_DENY, &rule);
    assert_int_equal(ag_rule_match_path_below(&rule, "/etc", &context, data), AG_MATCH_MAYBE);
    assert_int_equal(ag_rule_match_path_below(&rule, "/usr", &context, data), AG_MATCH_NO);
    ag_rule_clear(&rule);
    pcre2_match_data_free(data);
}

/*
 * A deny or ask rule anchored at the cwd matches below the cwd as written or
 * where it leads (real_cwd). An allow rule, and a rule with another anchor,
 * match below the written cwd only.
 */
static void test_path_rule_real_cwd(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        ag_decision decision;
        const char *path;
        ag_match expected;
    } cases[] = {
        {"Read(./secret)", AG_DENY, "/data/proj/secret", AG_MATCH_YES},
        {"Read(./secret)", AG_DENY, "/work/link/proj/secret", AG_MATCH_YES},
        {"Read(./secret)", AG_ASK, "/data/proj/secret", AG_MATCH_YES},
        {"Read(./secret)", AG_DENY, "/data/other/secret", AG_MATCH_NO},
        {"Read(./secret)", AG_ALLOW, "/data/proj/secret", AG_MATCH_NO},
        {"Read(./secret)", AG_ALLOW, "/work/link/proj/secret", AG_MATCH_YES},
        {"Edit(/gen/**)", AG_DENY, "/data/proj/gen/a", AG_MATCH_YES},
        {"Read(//data/proj/secret)", AG_ALLOW, "/data/proj/secret", AG_MATCH_YES},
        {"Read(~/secret)", AG_DENY, "/data/proj/secret", AG_MATCH_NO},
    };
    pcre2_match_data *data = ag_rule_match_data_new();
    ag_path_context context = {"/work/link/proj", "/home/u", NULL, "/data/proj"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_rule rule;
        parse_rule(cases[i].rule, cases[i].decision, &rule);
        ag_match got = ag_rule_match_path(&rule, cases[i].path, &context, data);
        if (got != cases[i].expected)
            fail_msg("case %zu: %s on %s gave %d, expected %d", i, cases[i].rule,
                     cases[i].path, got, cases[i].expected);
        ag_rule_clear(&rule);
    }

    ag_rule rule;
    parse_rule("Read(./secret)", AG_DENY, &rule);
    assert_int_equal(ag_rule_match_path_below(&rule, "/data", &context, data), AG_MATCH_MAYBE);
    assert_int_equal(ag_rule_match_path_below(&rule, "/data/proj/src", &context, data),
                     AG_MATCH_NO);
    ag_rule_clear(&rule);
    parse_rule("Read(./secret)", AG_ALLOW, &rule);
    assert_int_equal(ag_rule_match_path_below(&rule, "/data", &context, data), AG_MATCH_NO);
    ag_rule_clear(&rule);
    pcre2_match_data_free(data);
}

/* A real cwd whose lookup failed may be any directory above the path. */
static void test_path_rule_unknown_real_cwd(void **state)
{
    (void)state;
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    static const struct {
        const char *rule;
        ag_decision decision;
        const char *path;
        ag_match expected;
    } cases[] = {
        {"Read(./secret)", AG_DENY, "/x/y/secret", AG_MATCH_MAYBE},
        {"Read(./secret)", AG_DENY, "/secret", AG_MATCH_MAYBE},
        {"Read(./secret)", AG_DENY, "/etc/hosts", AG_MATCH_NO},
        {"Read(./secret)", AG_DENY, "/work/proj/secret", AG_MATCH_YES},
        {"Read(./notes/**)", AG_ASK, "/x/notes/a", AG_MATCH_MAYBE},
        {"Read(./notes/**)", AG_ASK, "/x/a", AG_MATCH_NO},
        {"Read(./**)", AG_DENY, "/x", AG_MATCH_MAYBE},
        {"Read(./secret)", AG_ALLOW, "/x/y/secret", AG_MATCH_NO},
        {"Read(//etc/**)", AG_DENY, "/x/etc/a", AG_MATCH_NO},
    };
    pcre2_match_data *data = ag_rule_match_data_new();
    ag_path_context context = {"/work/proj", "/home/u", NULL, unknown};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_rule rule;
        parse_rule(cases[i].rule, cases[i].decision, &rule);
        ag_match got = ag_rule_match_path(&rule, cases[i].path, &context, data);
        if (got != cases[i].expected)
            fail_msg("case %zu: %s on %s gave %d, expected %d", i, cases[i].rule,
                     cases[i].path, got, cases[i].expected);
        ag_rule_clear(&rule);
    }

    ag_rule rule;
    parse_rule("Read(./secret)", AG_DENY, &rule);
    assert_int_equal(ag_rule_match_path_below(&rule, "/etc", &context, data), AG_MATCH_MAYBE);
    ag_rule_clear(&rule);
    pcre2_match_data_free(data);
}

/* Parses a rule whose glob is plain, and the same rule with its JIT-compiled regex. */
static void parse_plain_and_regex(const char *text, ag_decision decision, ag_rule *plain,
                                  ag_rule *regex)
{
    parse_rule(text, decision, plain);
    if (plain->path_plain.text == NULL || plain->path_pattern != NULL)
        fail_msg("%s has no plain glob", text);
    parse_rule(text, decision, regex);
    ag_error *error = NULL;
    if (ag_path_rule_compile_regex(regex, &error) != AG_OK)
        fail_msg("cannot compile the regex of %s: %s", text, ag_error_message(error));
    ag_rule_jit(regex);
    assert_non_null(regex->path_pattern);
    assert_null(regex->path_plain.text);
}

static void expect_same_match(const char *what, const char *rule, ag_decision decision,
                              const char *path, ag_match plain, ag_match regex)
{
    if (plain != regex)
        fail_msg("%s: %s (%s) on \"%s\": the plain glob gives %d, the regex %d", what, rule,
                 decision == AG_ALLOW ? "allow" : "deny", path, (int)plain, (int)regex);
}

/*
 * Globs without wildcards or escapes match without PCRE2. Every matcher that
 * takes a rule must give what the JIT-compiled regex of the same glob gives:
 * full and partial (hard) matches, any-depth names, case folding of deny
 * rules, bytes above 0x7f, unknown bases and unknown path parts.
 */
static void test_plain_globs_match_regex(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "Read(.env)", "Read(~/.ssh/**)", "Read(//etc/shadow)", "Edit(build/)",
        "Edit(src/lib)", "Read(./secrets/**)", "Read(/gen/**)", "Read(secrets/)",
        "Read(.git/hooks)", "Read(Ab.C)", "Read(//x\xc9y)", "Read(~/.aws)", "Read(~/.config/gh/)",
        "Edit(//repo/a/b/c/**)", "Read(a b)",
    };
    static const char *const paths[] = {
        "/repo/.env", "/repo/a/.ENV", "/repo/.env/x", "/repo/.envx", "/repo/x.env",
        "/home/u/.ssh/id", "/home/u/.SSH", "/home/u/.ssh", "/home/u/.sshx/y", "/home/u",
        "/etc/shadow", "/ETC/shadow", "/etc/shadow/x", "/etc/shadowx", "/etc", "/",
        "/repo/build", "/repo/build/x", "/repo/BUILD/x", "/repo/x/build/y", "/repo/builds",
        "/repo/src/lib", "/repo/src/lib/a", "/repo/src/li", "/repo/x/src/lib",
        "/repo/secrets/a", "/repo/x/secrets", "/repo/SECRETS/a", "/repo/x/secrets/y",
        "/repo/gen/a", "/repo/gen", "/repo/.git/hooks/pre-commit", "/repo/x/.git/hooks",
        "/repo/ab.c", "/repo/x/AB.c", "/repo/Ab.C", "/x\xc9y", "/x\xe9y", "/X\xc9Y/z",
        "/home/u/.aws/credentials", "/home/u/.AWS", "/home/u/.config/gh/hosts.yml",
        "/home/u/.config", "/repo/a/b/c", "/repo/a/b", "/repo/a/b/c/d", "/repo/A/B/C/d",
        "/repo", "/repo/a b", "/repo/x/a b/c", "/repox/.env", "~/.ssh/id", "~/.aws",
        M "/x/.env", M "/.ssh/id", M "/secrets/a", "/repo/" M "/build/x", M "/a b",
        "/repo/x/" M, "/repo/.git/" M "/hooks",
    };
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    static const ag_path_context contexts[] = {
        {"/repo", "/home/u", NULL, NULL},
        {"/repo", NULL, NULL, NULL},
        {NULL, "/home/u", NULL, NULL},
        {"/repo/x", "/home/u", NULL, "/repo"},
        {"/repo", "/home/u", NULL, unknown},
        {"/", "/home/u", NULL, NULL},
    };
    static const ag_decision decisions[] = {AG_ALLOW, AG_ASK, AG_DENY};
    pcre2_match_data *data = ag_rule_match_data_new();
    size_t outcomes[3] = {0, 0, 0};

    for (size_t r = 0; r < sizeof(rules) / sizeof(*rules); r++) {
        for (size_t d = 0; d < sizeof(decisions) / sizeof(*decisions); d++) {
            ag_rule plain, regex;
            parse_plain_and_regex(rules[r], decisions[d], &plain, &regex);
            for (size_t c = 0; c < sizeof(contexts) / sizeof(*contexts); c++) {
                for (size_t p = 0; p < sizeof(paths) / sizeof(*paths); p++) {
                    const ag_path_context *context = &contexts[c];
                    ag_match got = ag_rule_match_path(&plain, paths[p], context, data);
                    expect_same_match("path", rules[r], decisions[d], paths[p], got,
                                      ag_rule_match_path(&regex, paths[p], context, data));
                    outcomes[got]++;
                    expect_same_match("below", rules[r], decisions[d], paths[p],
                                      ag_rule_match_path_below(&plain, paths[p], context, data),
                                      ag_rule_match_path_below(&regex, paths[p], context, data));
                }
            }
            for (size_t p = 0; p < sizeof(paths) / sizeof(*paths); p++)
                expect_same_match("tail", rules[r], decisions[d], paths[p],
                                  ag_rule_path_tail_fits(&plain, paths[p], data),
                                  ag_rule_path_tail_fits(&regex, paths[p], data));
            ag_rule_clear(&plain);
            ag_rule_clear(&regex);
        }
    }
    pcre2_match_data_free(data);

    /* The table reaches every outcome, so the comparison above is not vacuous. */
    assert_true(outcomes[AG_MATCH_NO] > 0);
    assert_true(outcomes[AG_MATCH_MAYBE] > 0);
    assert_true(outcomes[AG_MATCH_YES] > 0);
}

/*
 * Path rules are JIT-compiled for full matches only, so their partial
 * matches (a tree below a directory) run in PCRE2's interpreter. They must
 * agree with the partial matches of a regex JIT-compiled for both modes.
 */
static void test_partial_matches_agree_with_jit(void **state)
{
    (void)state;
    uint32_t available = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &available);
    if (!available)
        skip();
    static const char *const rules[] = {
        "Read(*.pem)", "Read(src/**/*.c)", "Read(a\\*b)", "Read(src/?.c)", "Read(src/[ab].c)",
        "Read(~/**)", "Read(//**)", "Read(./**)", "Read(./**/x)", "Read(**/.git/**)",
        "Read(~/.ssh/id_*)", "Edit(//srv/app*/**/*.conf)", "Read(/x/[!a-c]*/y)", "Read(x*)",
        "Read(.e?v)", "Read(src/*/)", "Read(//etc/**/shadow)", "Read(**)",
    };
    static const char *const directories[] = {
        "/", "/repo", "/repo/src", "/repo/src/x", "/repo/src/a.c", "/repo/a", "/repo/x",
        "/home/u", "/home/u/.ssh", "/home/u/.ssh/id_rsa", "/srv", "/srv/app1", "/srv/other",
        "/etc", "/etc/a/b", "/repo/.git", "/repo/x/.git/hooks", "/x/d/y", "/x/a", "/etc/shadow",
        M "/a", "/repo/" M, "~/x", "/ETC", "/repo/.ENV",
    };
    static const ag_path_context contexts[] = {
        {"/repo", "/home/u", NULL, NULL},
        {"/repo", NULL, NULL, NULL},
        {"/repo/x", "/home/u", NULL, "/repo"},
        {"/", "/home/u", NULL, NULL},
    };
    static const ag_decision decisions[] = {AG_ALLOW, AG_DENY};
    pcre2_match_data *data = ag_rule_match_data_new();
    size_t outcomes[3] = {0, 0, 0};

    for (size_t r = 0; r < sizeof(rules) / sizeof(*rules); r++) {
        for (size_t d = 0; d < sizeof(decisions) / sizeof(*decisions); d++) {
            ag_rule rule, both;
            parse_rule(rules[r], decisions[d], &rule);
            parse_rule(rules[r], decisions[d], &both);
            if (both.path_pattern == NULL)
                fail_msg("%s has no regex", rules[r]);
            assert_int_equal(pcre2_jit_compile(both.path_pattern, PCRE2_JIT_COMPLETE
                                                                  | PCRE2_JIT_PARTIAL_HARD), 0);
            for (size_t c = 0; c < sizeof(contexts) / sizeof(*contexts); c++) {
                for (size_t p = 0; p < sizeof(directories) / sizeof(*directories); p++) {
                    const char *directory = directories[p];
                    ag_match got = ag_rule_match_path_below(&rule, directory, &contexts[c], data);
                    expect_same_match("below", rules[r], decisions[d], directory, got,
                                      ag_rule_match_path_below(&both, directory, &contexts[c],
                                                               data));
                    outcomes[got]++;
                }
            }
            ag_rule_clear(&rule);
            ag_rule_clear(&both);
        }
    }
    pcre2_match_data_free(data);
    assert_true(outcomes[AG_MATCH_NO] > 0);
    assert_true(outcomes[AG_MATCH_MAYBE] > 0);
    assert_true(outcomes[AG_MATCH_YES] > 0);
}

/* A glob with a wildcard, an escape or an empty body keeps its regex. */
static void test_globs_with_wildcards_keep_regex(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "Read(*.pem)", "Read(src/**/*.c)", "Read(a\\*b)", "Read(src/?.c)", "Read(src/[ab].c)",
        "Read(~/**)", "Read(//**)", "Read(./**)",
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
        ag_rule rule;
        parse_rule(rules[i], AG_DENY, &rule);
        if (rule.path_pattern == NULL || rule.path_plain.text != NULL)
            fail_msg("%s should keep its regex", rules[i]);
        ag_error *error = NULL;
        assert_int_equal(ag_path_rule_compile_regex(&rule, &error), AG_ERR_ARGUMENT);
        ag_error_free(error);
        ag_rule_clear(&rule);
    }
}

static void expect_rule_error(const char *text, ag_status code)
{
    ag_rule rule;
    ag_error *error = NULL;
    ag_source_location location = {"test.yaml", 3, 5};
    assert_int_equal(ag_rule_parse(text, AG_DENY, location, &rule, &error), code);
    assert_non_null(strstr(ag_error_message(error), "test.yaml:3:5"));
    ag_error_free(error);
}

static void test_invalid_specifiers_rejected(void **state)
{
    (void)state;
    expect_rule_error("Read(~root/.ssh)", AG_ERR_RULE);
    expect_rule_error("Read(../x)", AG_ERR_RULE);
    expect_rule_error("Edit(a//b)", AG_ERR_RULE);
    expect_rule_error("Read(a\\)", AG_ERR_RULE);
    expect_rule_error("WebFetch(example.com)", AG_ERR_RULE);
    expect_rule_error("WebFetch(domain:)", AG_ERR_RULE);
    expect_rule_error("WebFetch(domain:a..b)", AG_ERR_RULE);
    expect_rule_error("WebFetch(domain:a/b)", AG_ERR_RULE);
}

/* ---------------------------------------------------------- domain rules */

static void test_domain_table(void **state)
{
    (void)state;
    static const struct {
        const char *rule, *host;
        ag_match expected;
    } cases[] = {
        {"WebFetch(domain:example.com)", "example.com", AG_MATCH_YES},
        {"WebFetch(domain:example.com)", "EXAMPLE.Com", AG_MATCH_YES},
        {"WebFetch(domain:example.com)", "example.com.", AG_MATCH_YES},
        {"WebFetch(domain:Example.com.)", "example.com", AG_MATCH_YES},
        {"WebFetch(domain:example.com)", "www.example.com", AG_MATCH_NO},
        {"WebFetch(domain:example.com)", "example.com.evil.net", AG_MATCH_NO},
        {"WebFetch(domain:example.com)", "badexample.com", AG_MATCH_NO},
        {"WebFetch(domain:*.example.com)", "example.com", AG_MATCH_NO},
        {"WebFetch(domain:*.example.com)", "a.example.com", AG_MATCH_YES},
        {"WebFetch(domain:*.example.com)", "a.b.c.example.com", AG_MATCH_YES},
        {"WebFetch(domain:*.example.com)", "aexample.com", AG_MATCH_NO},
        {"WebFetch(domain:*.example.com)", "A.EXAMPLE.COM.", AG_MATCH_YES},
        {"WebFetch(domain:example.*)", "example.org", AG_MATCH_YES},
        {"WebFetch(domain:example.*)", "example.evil.com", AG_MATCH_NO},
        {"WebFetch(domain:api-*.example.com)", "api-v1.example.com", AG_MATCH_YES},
        {"WebFetch(domain:api-*.example.com)", "api-v1.x.example.com", AG_MATCH_NO},
        {"WebFetch(domain:*)", "anything.at.all", AG_MATCH_YES},
        {"WebFetch(domain:*)", "localhost", AG_MATCH_YES},
        {"WebFetch(domain:localhost)", "localhost", AG_MATCH_YES},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ag_rule rule;
        parse_rule(cases[i].rule, AG_ALLOW, &rule);
        assert_true(ag_rule_is_domain(&rule));
        ag_match got = ag_rule_match_domain(&rule, cases[i].host);
        if (got != cases[i].expected)
            fail_msg("case %zu: %s on %s gave %d, expected %d", i, cases[i].rule,
                     cases[i].host, got, cases[i].expected);
        ag_rule_clear(&rule);
    }
}

/* -------------------------------------------------------------- symlinks */

/* A temp dir with secret/key, and a link repo/link -> secret. */
typedef struct fixture {
    char root[64];
    char policy[256];
} fixture;

static int make_fixture(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "/tmp/ag-paths-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    char path[512], target[512];
    snprintf(path, sizeof(path), "%s/secret", f->root);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/secret/key", f->root);
    FILE *file = fopen(path, "w");
    fputs("k", file);
    fclose(file);
    snprintf(path, sizeof(path), "%s/repo", f->root);
    mkdir(path, 0700);
    snprintf(target, sizeof(target), "%s/secret", f->root);
    snprintf(path, sizeof(path), "%s/repo/link", f->root);
    if (symlink(target, path) != 0)
        return -1;

    snprintf(f->policy, sizeof(f->policy), "%s/repo/policy.yaml", f->root);
    file = fopen(f->policy, "w");
    fprintf(file, "default: allow\nallow:\n  - \"Read(./**)\"\n  - \"Edit(/gen/**)\"\n"
                  "deny:\n  - \"Read(//%s/secret/**)\"\n", f->root + 1);
    fclose(file);
    *state = f;
    return 0;
}

static int remove_fixture(void **state)
{
    fixture *f = *state;
    char command[256];
    snprintf(command, sizeof(command), "rm -rf '%s'", f->root);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

static ag_decision check_tool(ag_checker *checker, const char *tool, const char *path,
                              const char *cwd)
{
    char input[1024];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s\"}", path);
    const ag_verdict *verdict = ag_check(checker, tool, input, cwd, NULL);
    assert_non_null(verdict);
    return ag_verdict_decision(verdict);
}

static void test_symlink_into_denied_directory(void **state)
{
    fixture *f = *state;
    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_file(f->policy, &error);
    if (policy == NULL)
        fail_msg("%s", ag_error_message(error));
    ag_checker *checker = ag_checker_new(policy, NULL);
    char cwd[256], path[512];
    snprintf(cwd, sizeof(cwd), "%s/repo", f->root);

    snprintf(path, sizeof(path), "%s/repo/link/key", f->root);
    assert_int_equal(check_tool(checker, "Read", path, cwd), AG_DENY);
    assert_int_equal(check_tool(checker, "Read", "link/key", cwd), AG_DENY);
    /* A new file under the link resolves through its existing parent. */
    assert_int_equal(check_tool(checker, "Read", "link/new-file", cwd), AG_DENY);
    snprintf(path, sizeof(path), "%s/secret/key", f->root);
    assert_int_equal(check_tool(checker, "Read", path, cwd), AG_DENY);
    assert_int_equal(check_tool(checker, "Read", "policy.yaml", cwd), AG_ALLOW);

    /* Edit(/gen/...) is anchored at the policy file's directory, not at the cwd. */
    const ag_verdict *verdict = ag_check(checker, "Edit", "{\"file_path\": \"gen/a.c\"}",
                                         "/elsewhere", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);
    assert_null(ag_verdict_rule(verdict));
    snprintf(path, sizeof(path), "%s/repo/gen/a.c", f->root);
    char input[1024];
    snprintf(input, sizeof(input), "{\"file_path\": \"%s\"}", path);
    verdict = ag_check(checker, "Edit", input, "/elsewhere", NULL);
    assert_int_equal(ag_verdict_decision(verdict), AG_ALLOW);
    assert_string_equal(ag_verdict_rule(verdict), "Edit(/gen/**)");

    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* ------------------------------------------------------- link resolution */

/*
 * The realpath()-based ag_path_resolve() that the one-pass resolver
 * replaced, kept as the reference: ag_path_resolve() must return the same,
 * NULL included, on every path of the scratch tree below, except paths
 * through a dangling link (test_resolve_dangling_links() checks those).
 */
/* What reference_resolve() returns for a path through a dangling link, which it does not model. */
static const char through_dangling_link[] = "(through a dangling link)";

static const char *reference_resolve(ag_arena *arena, const char *path)
{
    if (path == NULL || path[0] != '/' || strchr(path, AG_DYNAMIC_MARK) != NULL)
        return NULL;

    /* Walk up to the nearest ancestor that exists, so a new file under a link resolves too. */
    size_t length = strlen(path);
    char *prefix = ag_arena_strndup(arena, path, length);
    if (prefix == NULL)
        return NULL;
    size_t cut = length;
    /* A stack buffer, because realpath() with NULL would malloc on every check. */
    char resolved[PATH_MAX];
    for (;;) {
        if (realpath(cut > 0 ? prefix : "/", resolved) != NULL) {
            const char *rest = path + cut;
            bool root = strcmp(resolved, "/") == 0;
            return ag_arena_printf(arena, "%s%s", root && rest[0] == '/' ? "" : resolved, rest);
        }
        if (errno != ENOENT && errno != ENOTDIR)
            return NULL;

        /* ag_path_resolve() follows a dangling link, which realpath() does not. */
        struct stat status;
        if (lstat(cut > 0 ? prefix : "/", &status) == 0 && S_ISLNK(status.st_mode))
            return through_dangling_link;
        while (cut > 0 && prefix[cut - 1] != '/')
            cut--;
        if (cut == 0)
            return NULL;
        cut--;
        prefix[cut] = '\0';
    }
}

/* Number of readlink() calls since the counter was last reset; see readlink() below. */
static size_t readlink_calls;

/*
 * Counts the library's readlink() calls: this definition takes the place
 * of the C library's for the library objects linked into this test.
 * realpath() calls the C library's internal readlink, so the reference
 * above is not counted.
 */
ssize_t readlink(const char *restrict path, char *restrict buffer, size_t size)
{
    readlink_calls++;
    return syscall(SYS_readlinkat, AT_FDCWD, path, buffer, size);
}

/* A scratch directory with files, directories and links of every kind (make_link_tree()). */
typedef struct link_tree {
    char root[64];
    bool locked;   /* "locked" has mode 0, so its contents cannot be reached */
} link_tree;

static int make_link_tree(void **state)
{
    link_tree *tree = calloc(1, sizeof(*tree));
    if (tree == NULL)
        return -1;
    snprintf(tree->root, sizeof(tree->root), "/tmp/ag-resolve-XXXXXX");
    if (mkdtemp(tree->root) == NULL)
        return -1;
    char absolute_d[128], absolute_missing[128], absolute_dotdot[128], absolute_file[128];
    snprintf(absolute_d, sizeof(absolute_d), "=%s/d", tree->root);
    snprintf(absolute_missing, sizeof(absolute_missing), "=%s/missing/y", tree->root);
    snprintf(absolute_dotdot, sizeof(absolute_dotdot), "=%s/d/../f", tree->root);
    snprintf(absolute_file, sizeof(absolute_file), "=%s/d/f", tree->root);
    /* Each entry is a name and "" for a directory, "file" for a file or "=TEXT" for a link. */
    const char *entries[][2] = {
        {"d", ""}, {"d/sub", ""}, {"d/sub/deep", ""}, {"locked", ""}, {"locked/in", ""},
        {"f", "file"}, {"d/f", "file"}, {"d/sub/g", "file"},
        {"rel", "=d"}, {"abs", absolute_d}, {"chain", "=rel2"}, {"rel2", "=rel"},
        {"dangle", "=nowhere/x"}, {"dangle_abs", absolute_missing},
        {"toroot", "=/"}, {"rootdots", "=/../.."}, {"up", "=d/.."}, {"upf", "=f/.."},
        {"dotty", "=./d/./sub/"}, {"fslash", "=f/"}, {"fdot", "=f/."}, {"dslash", "=d//"},
        {"loop1", "=loop2"}, {"loop2", "=loop1"}, {"self", "=self"},
        {"d/back", "=../f"}, {"d/sub/deep2", "=../../abs"}, {"parent", "=.."}, {"dot", "=."},
        {"tofile", "=f"}, {"tofile_abs", absolute_file}, {"absdotdot", absolute_dotdot},
        {"dl", "=d/sub/../sub/deep"}, {"dangle_dotdot", "=nowhere/../d"},
        {"tolocked", "=locked/in"}, {"sublink", "=d/sub/deep2/sub"},
        {"todangle", "=dangle"}, {"pcwd", "=/proc/self/cwd"}, {"dfd", "=/dev/fd"},
        {"dstdin", "=/dev/stdin"}, {"topcwd", "=pcwd"},
    };
    char path[256];
    for (size_t i = 0; i < sizeof(entries) / sizeof(*entries); i++) {
        snprintf(path, sizeof(path), "%s/%s", tree->root, entries[i][0]);
        const char *kind = entries[i][1];
        int rc = 0;
        if (kind[0] == '\0') {
            rc = mkdir(path, 0700);
        } else if (kind[0] == '=') {
            rc = symlink(kind + 1, path);
        } else {
            FILE *file = fopen(path, "w");
            rc = file != NULL ? fclose(file) : -1;
        }
        if (rc != 0)
            return -1;
    }

    /* A chain of 41 links: c0 -> c1 -> ... -> c40 -> d, one more than the kernel follows. */
    for (int i = 0; i <= 40; i++) {
        char target[16];
        snprintf(path, sizeof(path), "%s/c%d", tree->root, i);
        snprintf(target, sizeof(target), i < 40 ? "c%d" : "d", i + 1);
        if (symlink(target, path) != 0)
            return -1;
    }

    /*
     * Nested links whose texts together pass PATH_MAX bytes, though each
     * fits: nest -> nestb/./././... and nestb -> ./././.../d.
     */
    char outer[3100] = "nestb", inner[3100] = ".";
    for (int i = 0; i < 1500; i++) {
        strcat(outer, "/.");
        strcat(inner, "/.");
    }
    strcat(inner, "/d");
    snprintf(path, sizeof(path), "%s/nest", tree->root);
    if (symlink(outer, path) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/nestb", tree->root);
    if (symlink(inner, path) != 0)
        return -1;

    /* Root may read every directory, so the locked directory tests something only for others. */
    snprintf(path, sizeof(path), "%s/locked", tree->root);
    tree->locked = geteuid() != 0 && chmod(path, 0) == 0;
    *state = tree;
    return 0;
}

static int remove_link_tree(void **state)
{
    link_tree *tree = *state;
    char command[256];
    snprintf(command, sizeof(command), "chmod -R u+rwx '%s' && rm -rf '%s'", tree->root,
             tree->root);
    int rc = system(command);
    free(tree);
    return rc == 0 ? 0 : -1;
}

/* Component names for generated paths: every entry of the tree, a missing name and /tmp's name. */
static const char *const tree_names[] = {
    "d", "sub", "deep", "f", "g", "missing", "rel", "abs", "chain", "dangle", "dangle_abs",
    "toroot", "rootdots", "up", "upf", "dotty", "fslash", "fdot", "dslash", "loop1", "self",
    "back", "deep2", "parent", "dot", "tofile", "tofile_abs", "absdotdot", "dl",
    "dangle_dotdot", "c0", "c1", "locked", "in", "tolocked", "sublink", "nest", "tmp",
};

#define TREE_NAME_COUNT (sizeof(tree_names) / sizeof(*tree_names))

/* Fails unless `got` equals `expected`, both NULL or both the same text. */
static void expect_resolution(const char *path, const char *got, const char *expected,
                              const char *how)
{
    if (expected == NULL) {
        if (got != NULL)
            fail_msg("%s resolved to %s %s, expected NULL", path, got, how);
        return;
    }
    if (got == NULL || strcmp(got, expected) != 0)
        fail_msg("%s resolved to %s %s, expected %s", path, got != NULL ? got : "NULL", how,
                 expected);
}

/*
 * Compares ag_path_resolve() with the reference on `path`, once without a
 * lookup cache and once with `cache`, which holds the lookups of the paths
 * compared before it. Returns whether the reference resolved it.
 */
static bool expect_same_resolution(ag_arena *arena, ag_lookup_cache *cache, const char *path)
{
    const char *expected = reference_resolve(arena, path);
    if (expected == through_dangling_link)
        return true;
    expect_resolution(path, ag_path_resolve(arena, NULL, path), expected, "without a cache");
    expect_resolution(path, ag_path_resolve(arena, cache, path), expected, "with a cache");
    return expected != NULL;
}

/*
 * Empties the arena, and the cache whose strings it holds, after every
 * `period` paths, so that each cache serves a run of paths that share
 * their first names.
 */
static void reset_every(ag_arena *arena, ag_lookup_cache *cache, size_t compared, size_t period)
{
    if (compared % period != 0)
        return;
    ag_arena_reset(arena);
    ag_lookup_cache_clear(cache);
}

/*
 * Compares with the reference on every normalized path of up to three
 * names below the tree, which reaches files, directories, missing names
 * at each depth, and links of every kind in the tree at each position.
 */
static void test_resolve_matches_reference(void **state)
{
    link_tree *tree = *state;
    ag_arena arena;
    ag_arena_init(&arena);
    ag_lookup_cache cache;
    ag_lookup_cache_clear(&cache);
    size_t compared = 0, resolved = 0;
    char path[512];
    for (size_t a = 0; a < TREE_NAME_COUNT; a++) {
        for (size_t b = 0; b <= TREE_NAME_COUNT; b++) {
            for (size_t c = 0; c <= (b < TREE_NAME_COUNT ? TREE_NAME_COUNT : 0); c++) {
                int length = snprintf(path, sizeof(path), "%s/%s", tree->root, tree_names[a]);
                if (b < TREE_NAME_COUNT)
                    length += snprintf(path + length, sizeof(path) - (size_t)length, "/%s",
                                       tree_names[b]);
                if (c < TREE_NAME_COUNT)
                    snprintf(path + length, sizeof(path) - (size_t)length, "/%s",
                             tree_names[c]);
                resolved += expect_same_resolution(&arena, &cache, path);
                compared++;
                reset_every(&arena, &cache, compared, 30);
            }
        }
    }
    ag_arena_release(&arena);
    assert_true(compared > 40000);
    assert_true(resolved > compared / 2);
}

/*
 * Paths that callers do not pass but the function accepts: repeated and
 * trailing slashes, "." and "..", and the root itself.
 */
static void test_resolve_unnormalized_matches_reference(void **state)
{
    link_tree *tree = *state;
    static const char *const suffixes[] = {"", "/", "//", "/.", "/..", "/./x", "/../x", "//x",
                                           "///x/", "/x/..", "/x/."};
    ag_arena arena;
    ag_arena_init(&arena);
    ag_lookup_cache cache;
    ag_lookup_cache_clear(&cache);
    size_t compared = 0;
    char path[512];
    for (size_t a = 0; a < TREE_NAME_COUNT; a++) {
        for (size_t b = 0; b <= TREE_NAME_COUNT; b++) {
            for (size_t s = 0; s < sizeof(suffixes) / sizeof(*suffixes); s++) {
                snprintf(path, sizeof(path), "%s//%s%s%s%s", tree->root, tree_names[a],
                         b < TREE_NAME_COUNT ? "/./" : "",
                         b < TREE_NAME_COUNT ? tree_names[b] : "", suffixes[s]);
                expect_same_resolution(&arena, &cache, path);
                reset_every(&arena, &cache, ++compared, 20);
            }
        }
    }
    const char *const rooted[] = {"/", "//", "/.", "/..", "/../..", "//tmp//", "/tmp/..",
                                  "/ag-missing-dir", "//ag-missing-dir/x", "/tmp/./ag-missing"};
    for (size_t i = 0; i < sizeof(rooted) / sizeof(*rooted); i++)
        expect_same_resolution(&arena, &cache, rooted[i]);
    ag_arena_release(&arena);
}

/*
 * A link whose target is missing leads to the target, because open(O_CREAT)
 * creates it there, and a link into a per-process place leads nowhere known.
 */
static void test_resolve_dangling_links(void **state)
{
    link_tree *tree = *state;
    ag_arena arena;
    ag_arena_init(&arena);
    const char *const cases[][2] = {
        {"dangle", "nowhere/x"},
        {"dangle/y", "nowhere/x/y"},
        {"todangle", "nowhere/x"},
        {"dangle_abs", "missing/y"},
        {"dangle_abs/z", "missing/y/z"},
        {"dangle_dotdot", NULL},
        {"dangle_dotdot/x", NULL},
        {"pcwd", NULL},
        {"pcwd/x", NULL},
        {"topcwd/x", NULL},
        {"dfd/3", NULL},
        {"dstdin", NULL},
    };
    char path[512], expected[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        snprintf(path, sizeof(path), "%s/%s", tree->root, cases[i][0]);
        const char *got = ag_path_resolve(&arena, NULL, path);
        if (cases[i][1] == NULL) {
            expect_resolution(path, got, NULL, "through a link");
            continue;
        }
        snprintf(expected, sizeof(expected), "%s/%s", tree->root, cases[i][1]);
        expect_resolution(path, got, expected, "through a dangling link");
    }
    ag_arena_release(&arena);
}

/* Results that do not depend on the reference: loops, the link limit, unknown parts. */
static void test_resolve_errors(void **state)
{
    link_tree *tree = *state;
    ag_arena arena;
    ag_arena_init(&arena);
    char path[512];

    const char *const failing[] = {"loop1", "self", "c0", "c0/x", "loop1/x"};
    for (size_t i = 0; i < sizeof(failing) / sizeof(*failing); i++) {
        snprintf(path, sizeof(path), "%s/%s", tree->root, failing[i]);
        if (ag_path_resolve(&arena, NULL, path) != NULL)
            fail_msg("%s resolved, expected NULL", path);
    }

    /* c1 follows exactly 40 links. */
    snprintf(path, sizeof(path), "%s/c1/sub", tree->root);
    const char *resolved = ag_path_resolve(&arena, NULL, path);
    char expected[512];
    snprintf(expected, sizeof(expected), "%s/d/sub", tree->root);
    assert_non_null(resolved);
    assert_string_equal(resolved, expected);

    snprintf(path, sizeof(path), "%s/nest/sub", tree->root);
    resolved = ag_path_resolve(&arena, NULL, path);
    assert_non_null(resolved);
    assert_string_equal(resolved, expected);

    if (tree->locked) {
        snprintf(path, sizeof(path), "%s/tolocked/x", tree->root);
        assert_null(ag_path_resolve(&arena, NULL, path));
    }

    assert_null(ag_path_resolve(&arena, NULL, "relative/path"));
    assert_null(ag_path_resolve(&arena, NULL, M "/x"));
    assert_null(ag_path_resolve(&arena, NULL, "/tmp/" M));
    assert_null(ag_path_resolve(&arena, NULL, NULL));
    ag_arena_release(&arena);
}

/* A path longer than PATH_MAX resolves only while its existing part fits. */
static void test_resolve_path_max(void **state)
{
    link_tree *tree = *state;
    ag_arena arena;
    ag_arena_init(&arena);
    size_t length = 2 * PATH_MAX;
    char *path = malloc(length + 1);
    assert_non_null(path);

    /* The missing first name ends the lookup, as in the kernel, so the rest may be long. */
    int used = snprintf(path, length + 1, "%s/missing", tree->root);
    for (size_t i = (size_t)used; i < length; i++)
        path[i] = i % 8 == 0 ? '/' : 'x';
    path[length] = '\0';
    const char *resolved = ag_path_resolve(&arena, NULL, path);
    assert_non_null(resolved);
    assert_string_equal(resolved, path);

    /* Through "dot" the existing part grows without end, past PATH_MAX. */
    used = snprintf(path, length + 1, "%s", tree->root);
    while ((size_t)used + 5 <= length)
        used += snprintf(path + used, length + 1 - (size_t)used, "/dot");
    assert_null(ag_path_resolve(&arena, NULL, path));
    assert_null(reference_resolve(&arena, path));

    free(path);
    ag_arena_release(&arena);
}

/*
 * A missing first name, as in `python3 /repo/x.py` where /repo does not
 * exist: one readlink() decides it, where the realpath() version retried
 * on every shorter prefix.
 */
static void test_resolve_one_readlink_when_missing(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);

    readlink_calls = 0;
    const char *resolved = ag_path_resolve(&arena, NULL, "/ag-missing-repo/tests/x.py");
    assert_non_null(resolved);
    assert_string_equal(resolved, "/ag-missing-repo/tests/x.py");
    assert_int_equal(readlink_calls, 1);

    readlink_calls = 0;
    assert_string_equal(ag_path_resolve(&arena, NULL, "/"), "/");
    assert_int_equal(readlink_calls, 0);
    ag_arena_release(&arena);
}

/*
 * Paths of one check share their lookups: `cat lnk/a lnk/b` reads the
 * names up to the link once, and a cleared cache reads them again.
 */
static void test_resolve_cache_shares_lookups(void **state)
{
    link_tree *tree = *state;
    ag_arena arena;
    ag_arena_init(&arena);
    ag_lookup_cache cache;
    ag_lookup_cache_clear(&cache);
    char first[512], second[512];
    snprintf(first, sizeof(first), "%s/rel/sub", tree->root);
    snprintf(second, sizeof(second), "%s/rel/f", tree->root);

    readlink_calls = 0;
    assert_non_null(ag_path_resolve(&arena, &cache, first));
    size_t alone = readlink_calls;
    assert_non_null(ag_path_resolve(&arena, &cache, second));
    /* Only the last name of the second path is new. */
    assert_int_equal(readlink_calls, alone + 1);

    ag_lookup_cache_clear(&cache);
    readlink_calls = 0;
    assert_non_null(ag_path_resolve(&arena, &cache, first));
    assert_int_equal(readlink_calls, alone);
    ag_arena_release(&arena);
}

/* More lookups than the cache has slots reuse the oldest slot and still resolve. */
static void test_resolve_cache_overflow(void **state)
{
    (void)state;
    ag_arena arena;
    ag_arena_init(&arena);
    ag_lookup_cache cache;
    ag_lookup_cache_clear(&cache);
    char path[64];

    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3 * AG_LOOKUP_SLOTS; i++) {
            snprintf(path, sizeof(path), "/ag-missing-%d/x", i);
            assert_string_equal(ag_path_resolve(&arena, &cache, path), path);
        }
    }
    assert_int_equal(cache.count, AG_LOOKUP_SLOTS);
    ag_arena_release(&arena);
}

static void test_set_home_contract(void **state)
{
    (void)state;
    ag_policy *policy = ag_policy_load_default(NULL);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_home(NULL, "/h"), AG_ERR_ARGUMENT);
    assert_int_equal(ag_checker_set_home(checker, "relative"), AG_ERR_ARGUMENT);
    assert_int_equal(ag_checker_set_home(checker, "/home/u"), AG_OK);
    assert_int_equal(ag_checker_set_home(checker, NULL), AG_OK);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_set_cdpath_contract(void **state)
{
    (void)state;
    ag_policy *policy = ag_policy_load_default(NULL);
    ag_checker *checker = ag_checker_new(policy, NULL);
    assert_int_equal(ag_checker_set_cdpath(NULL, "/h"), AG_ERR_ARGUMENT);
    assert_int_equal(ag_checker_set_cdpath(NULL, NULL), AG_ERR_ARGUMENT);
    assert_int_equal(ag_checker_set_cdpath(checker, ":/home/u:src"), AG_OK);
    assert_int_equal(ag_checker_set_cdpath(checker, "/srv"), AG_OK);    /* replaces, no leak */
    assert_int_equal(ag_checker_set_cdpath(checker, ""), AG_OK);
    assert_int_equal(ag_checker_set_cdpath(checker, NULL), AG_OK);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

static void test_additional_directories_type_errors(void **state)
{
    (void)state;
    const char *bad[] = {"additional_directories: x\n", "additional_directories: [[a]]\n",
                         "additional_directories: [\"\"]\n",
                         "additional_directories: [\"~bob/x\"]\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        ag_error *error = NULL;
        ag_policy *policy = ag_policy_load_string("p.yaml", bad[i], strlen(bad[i]), &error);
        assert_null(policy);
        assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
        assert_int_equal(ag_error_line(error), 1);
        ag_error_free(error);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_table),
        cmocka_unit_test(test_is_within_whole_components),
        cmocka_unit_test(test_fold_ascii_table),
        cmocka_unit_test(test_fold_ascii_null_path),
        cmocka_unit_test(test_path_rule_table),
        cmocka_unit_test(test_path_rule_below_directory),
        cmocka_unit_test(test_path_rule_real_cwd),
        cmocka_unit_test(test_path_rule_unknown_real_cwd),
        cmocka_unit_test(test_plain_globs_match_regex),
        cmocka_unit_test(test_globs_with_wildcards_keep_regex),
        cmocka_unit_test(test_partial_matches_agree_with_jit),
        cmocka_unit_test(test_invalid_specifiers_rejected),
        cmocka_unit_test(test_domain_table),
        cmocka_unit_test_setup_teardown(test_symlink_into_denied_directory, make_fixture,
                                        remove_fixture),
        cmocka_unit_test_setup_teardown(test_resolve_matches_reference, make_link_tree,
                                        remove_link_tree),
        cmocka_unit_test_setup_teardown(test_resolve_dangling_links, make_link_tree,
                                        remove_link_tree),
        cmocka_unit_test_setup_teardown(test_resolve_unnormalized_matches_reference,
                                        make_link_tree, remove_link_tree),
        cmocka_unit_test_setup_teardown(test_resolve_errors, make_link_tree, remove_link_tree),
        cmocka_unit_test_setup_teardown(test_resolve_path_max, make_link_tree, remove_link_tree),
        cmocka_unit_test(test_resolve_one_readlink_when_missing),
        cmocka_unit_test_setup_teardown(test_resolve_cache_shares_lookups, make_link_tree,
                                        remove_link_tree),
        cmocka_unit_test(test_resolve_cache_overflow),
        cmocka_unit_test(test_set_home_contract),
        cmocka_unit_test(test_set_cdpath_contract),
        cmocka_unit_test(test_additional_directories_type_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
