/*
 * Property tests of the security invariants, over every combination of the
 * tables in property_gen.c, one and two forms deep:
 *
 * 1. a denied command D put in any form (`X && D`, `bash -c 'D'`, `sudo D`,
 *    ...) is denied: never allowed, and not merely asked, because the
 *    analysis sees D in each of these forms;
 * 2. a form never makes a command C less strict than C alone;
 * 3. every check returns exactly one of allow, ask and deny (prop_decide()).
 *
 * Each test runs every combination, prints every counterexample, and fails
 * at the end, so one run lists all of them. A counterexample, shrunk by
 * hand, becomes a case of cases/check-properties.json.
 *
 * Usage: test_properties POLICY  (tests/cases/policies/properties.yaml)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "property_gen.h"

static const char *policy_path;

typedef struct fixture {
    ag_policy *policy;
    ag_checker *checker;
    size_t checks;
    size_t failures;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    f->checker = prop_checker_new(policy_path, &f->policy);
    if (f->checker == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fprintf(stderr, "%zu checks, %zu counterexamples\n", f->checks, f->failures);
    ag_checker_free(f->checker);
    ag_policy_free(f->policy);
    free(f);
    return 0;
}

/* Checks `command` and counts a broken contract as a counterexample. */
static int decide(fixture *f, const char *command)
{
    f->checks++;
    int decision = prop_decide(f->checker, command);
    if (decision < 0)
        f->failures++;
    return decision;
}

static const char *name_of(int decision)
{
    return decision < 0 ? "no verdict" : ag_decision_name((ag_decision)decision);
}

/*
 * Records a counterexample when `command` gets less than `minimum`. The
 * label names the forms, so the output shows which wrapping broke it.
 */
static void expect_at_least(fixture *f, const char *label, const char *command,
                            int minimum)
{
    int decision = decide(f, command);
    if (decision < 0 || decision >= minimum)
        return;
    f->failures++;
    fprintf(stderr, "counterexample (%s): expected at least %s, got %s:\n%s\n---\n", label,
            name_of(minimum), name_of(decision), command);
}

/* The decision D must get in a form: deny, or at least ask where the analysis cannot see D. */
static int required_for_denied(bool hidden)
{
    return hidden ? AG_ASK : AG_DENY;
}

static void test_denied_alone(void **state)
{
    fixture *f = *state;
    for (size_t d = 0; d < prop_denied_count; d++)
        expect_at_least(f, "alone", prop_denied[d].text, AG_DENY);
    assert_int_equal(f->failures, 0);
}

static void test_denied_in_one_form(void **state)
{
    fixture *f = *state;
    for (size_t d = 0; d < prop_denied_count; d++) {
        const prop_command *denied = &prop_denied[d];
        for (size_t i = 0; i < prop_form_count; i++) {
            const prop_form *form = &prop_forms[i];
            if (!prop_form_applies(form, denied->shape))
                continue;
            char *command = prop_wrap(form, denied->text);
            expect_at_least(f, form->name, command,
                            required_for_denied(prop_known_gap(form, denied, denied->text)));
            free(command);
        }
    }
    assert_int_equal(f->failures, 0);
}

static void test_denied_in_two_forms(void **state)
{
    fixture *f = *state;
    for (size_t d = 0; d < prop_denied_count; d++) {
        const prop_command *denied = &prop_denied[d];
        for (size_t i = 0; i < prop_form_count; i++) {
            const prop_form *inner_form = &prop_forms[i];
            if (!prop_form_applies(inner_form, denied->shape))
                continue;
            char *inner = prop_wrap(inner_form, denied->text);
            bool hidden = prop_known_gap(inner_form, denied, denied->text);
            for (size_t o = 0; o < prop_form_count; o++) {
                const prop_form *outer_form = &prop_forms[o];
                if (!prop_forms_nest(outer_form, inner_form))
                    continue;
                char *command = prop_wrap(outer_form, inner);
                char label[96];
                snprintf(label, sizeof(label), "%s in %s", inner_form->name, outer_form->name);
                expect_at_least(f, label, command,
                                required_for_denied(hidden
                                                    || prop_known_gap(outer_form, denied, inner)));
                free(command);
            }
            free(inner);
        }
    }
    assert_int_equal(f->failures, 0);
}

/* Checks property 2 for `command` in every form and every pair of forms. */
static void check_forms_keep_strictness(fixture *f, const prop_command *base)
{
    int alone = decide(f, base->text);
    if (alone < 0)
        return;
    for (size_t i = 0; i < prop_form_count; i++) {
        const prop_form *inner_form = &prop_forms[i];
        if (!prop_form_applies(inner_form, base->shape))
            continue;
        char *inner = prop_wrap(inner_form, base->text);
        int inner_decision = decide(f, inner);
        int inner_minimum = alone;
        if (prop_known_gap(inner_form, base, base->text) && inner_minimum > AG_ASK)
            inner_minimum = AG_ASK;
        if (inner_decision >= 0 && inner_decision < inner_minimum) {
            f->failures++;
            fprintf(stderr, "counterexample (%s): `%s` alone is %s, wrapped is %s:\n%s\n---\n",
                    inner_form->name, base->text, name_of(alone), name_of(inner_decision), inner);
        }
        for (size_t o = 0; o < prop_form_count; o++) {
            const prop_form *outer_form = &prop_forms[o];
            if (!prop_forms_nest(outer_form, inner_form))
                continue;
            char *command = prop_wrap(outer_form, inner);
            char label[96];
            snprintf(label, sizeof(label), "%s in %s", inner_form->name, outer_form->name);
            int minimum = inner_decision < inner_minimum ? inner_minimum : inner_decision;
            if (prop_known_gap(outer_form, base, inner) && minimum > AG_ASK)
                minimum = AG_ASK;
            expect_at_least(f, label, command, minimum);
            free(command);
        }
        free(inner);
    }
}

static void test_forms_keep_strictness(void **state)
{
    fixture *f = *state;
    for (size_t c = 0; c < prop_corpus_count; c++)
        check_forms_keep_strictness(f, &prop_corpus[c]);
    for (size_t d = 0; d < prop_denied_count; d++)
        check_forms_keep_strictness(f, &prop_denied[d]);
    assert_int_equal(f->failures, 0);
}

/* Inputs at the edges of the parser: each still gets exactly one decision. */
static void test_edge_inputs_decided(void **state)
{
    fixture *f = *state;
    static const char *const inputs[] = {
        "", " ", "\n", ";", "&&", "|", "(", ")", "{", "}", "'", "\"", "`", "$(", "<(",
        "\\", "#", "!", "[[", "]]", "case", "esac", "fi", "done", "<<EOF", "\x01", "\xff\xfe",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        for (size_t d = 0; d < prop_denied_count; d++) {
            /* Glued to D, the token either breaks the parse (ask) or leaves D visible. */
            size_t length = strlen(inputs[i]) + strlen(prop_denied[d].text) + 2;
            char *command = malloc(length);
            assert_non_null(command);
            snprintf(command, length, "%s\n%s", inputs[i], prop_denied[d].text);
            int decision = decide(f, command);
            if (decision < 0)
                fprintf(stderr, "no decision for:\n%s\n---\n", command);
            free(command);
        }
        assert_true(decide(f, inputs[i]) >= 0);
    }
    assert_int_equal(f->failures, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s POLICY\n", argv[0]);
        return 2;
    }
    policy_path = argv[1];

    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_denied_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_denied_in_one_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_denied_in_two_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forms_keep_strictness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edge_inputs_decided, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
