/*
 * Generator of the property tests of the security invariants, shared by
 * tests/test_properties.c (every combination, deterministic) and
 * fuzz/fuzz_property.c (combinations chosen by the fuzzer's bytes).
 *
 * A "form" puts a command C somewhere it still runs: `true && C`,
 * `bash -c 'C'`, `sudo C`, and so on. The property policy
 * (tests/cases/policies/properties.yaml) allows everything except what its
 * deny and ask rules name, so a form that hid C from the analysis would turn
 * a deny into an allow.
 */
#ifndef AG_PROPERTY_GEN_H
#define AG_PROPERTY_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "agentguard.h"

/* The home directory the property checks set, which "~" in rules and commands means. */
#define PROP_HOME "/home/user"

/* The working directory of the property checks. */
#define PROP_CWD "/repo"

/* How a form quotes the command it wraps. */
typedef enum prop_quoting {
    PROP_QUOTE_NONE,      /* C is pasted as it is */
    PROP_QUOTE_SINGLE,    /* C goes inside '...': each ' becomes '\'' */
    PROP_QUOTE_BACKTICK   /* C goes inside `...`: each \ and ` gets a backslash */
} prop_quoting;

/* What a command is to the shell grammar, from the most to the least tightly bound. */
typedef enum prop_shape {
    PROP_SIMPLE,     /* one simple command: `rm -rf /x` */
    PROP_PIPELINE,   /* a pipeline or a compound command: `a | b`, `( a; b )` */
    PROP_LIST        /* a list: `a && b`, `a; b`, `a &` */
} prop_shape;

typedef struct prop_form {
    const char *name;
    const char *prefix;
    const char *suffix;
    prop_quoting quoting;
    /*
     * The loosest shape C may have: sudo and xargs take the words of one
     * simple command, and `echo x | C` pipes into the first pipeline of a
     * list only.
     */
    prop_shape accepts;
    /* The shape of the result. */
    prop_shape gives;
    /* C runs in a child shell, so a cd in C does not change the directory of later commands. */
    bool child_shell;
} prop_form;

typedef struct prop_command {
    const char *text;
    prop_shape shape;
    /* C changes directory before it reaches what is denied: `cd ~/.ssh && cat id_rsa`. */
    bool changes_directory;
} prop_command;

extern const prop_form prop_forms[];
extern const size_t prop_form_count;

/* Commands the property policy denies, each in a different way (Bash rule, Read, Edit, WebFetch). */
extern const prop_command prop_denied[];
extern const size_t prop_denied_count;

/* Commands like the corpus: allowed, asked, denied and unanalysable ones. */
extern const prop_command prop_corpus[];
extern const size_t prop_corpus_count;

/* Returns whether `form` may wrap a command of shape `inner`. */
bool prop_form_applies(const prop_form *form, prop_shape inner);

/* Returns whether `outer` may wrap what `inner` produced (see prop_form_applies()). */
bool prop_forms_nest(const prop_form *outer, const prop_form *inner);

/*
 * Returns a new string, `inner` put in `form` (free it with free()). A suffix
 * that starts with ';' loses the ';' after an inner command that ends in '&',
 * because `{ C &; }` is a syntax error. Aborts when out of memory.
 */
char *prop_wrap(const prop_form *form, const char *inner);

/*
 * Returns whether putting `inner` (which is `base` or `base` already wrapped)
 * in `form` meets a known gap of the analysis, where a denied command only
 * gets ask (see the .c file).
 */
bool prop_known_gap(const prop_form *form, const prop_command *base, const char *inner);

/*
 * Loads the property policy from `path` and returns a checker for it with
 * PROP_HOME set, storing the policy in *policy. Returns NULL when loading
 * fails, with the message printed to stderr.
 */
ag_checker *prop_checker_new(const char *path, ag_policy **policy);

/*
 * Checks the Bash command `command` and returns its decision. Returns -1
 * when the check returned no verdict or the verdict broke the contract (a
 * decision outside allow, ask and deny, an error with allow), with the
 * problem printed to stderr.
 */
int prop_decide(ag_checker *checker, const char *command);

/* As prop_decide(), and stores the verdict, owned by the checker, in *verdict when not -1. */
int prop_decide_verdict(ag_checker *checker, const char *command, const ag_verdict **verdict);

#endif
