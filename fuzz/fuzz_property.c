/*
 * Fuzzes the security invariants of tests/test_properties.c with wrappings
 * chosen by the input bytes, under the property policy
 * (tests/cases/policies/properties.yaml, path compiled in as
 * FUZZ_PROPERTY_POLICY).
 *
 * The bytes pick a command D: one of prop_denied[], or a simple command
 * built from a verb, argument words (from a list or from the bytes) and a
 * redirection. Then they pick 1 to MAX_DEPTH wrappings, each a form of
 * prop_forms[] or a form that puts a second command X before or after the
 * wrapped text (`{ X\n} && D`, `D\n{ X\n}`, ...), with X from
 * prop_corpus[], prop_denied[] or built like D.
 *
 * Invariants, checked after every wrapping:
 * 1. a command of prop_denied[] is denied, in any wrapping;
 * 2. no wrapping makes D, or any X added on the way, less strict than that
 *    command alone, so a denied or asked command is never allowed;
 * 3. every check returns one of allow, ask and deny (prop_decide()).
 * The known gaps of prop_known_gap() lower the expected decision of the
 * command they hide from deny to ask, never to allow. A second command
 * that the analysis cannot read on its own (`echo (`) may turn the whole
 * text into a parse error, so after it the expected decision is at most ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "property_gen.h"

#ifndef FUZZ_PROPERTY_POLICY
#error "FUZZ_PROPERTY_POLICY must name tests/cases/policies/properties.yaml"
#endif

/* Wrappings per input. test_properties.c goes two deep; deeper nesting finds more, slowly. */
#define MAX_DEPTH 4

/* Commands in one input: D and at most one X per wrapping. */
#define MAX_PARTS (1 + MAX_DEPTH)

/* The bytes of the input, read from the front. Reading past the end gives 0. */
struct byte_reader {
    const uint8_t *data;
    size_t size;
    size_t position;
};

static uint8_t next_byte(struct byte_reader *reader)
{
    if (reader->position >= reader->size)
        return 0;
    return reader->data[reader->position++];
}

static void text_add_string(struct text *text, const char *string)
{
    text_add(text, string, strlen(string));
}

/* Command names of built commands: ones the policy denies or asks for, and harmless ones. */
static const char *const verbs[] = {
    "rm", "cat", "cp", "mv", "tee", "curl", "wget", "shutdown", "mkfs", "sh", "bash",
    "git", "echo", "head", "ls", "grep", "touch", "chmod", "dd", "python3",
};

/* Argument words of built commands: the paths, hosts and flags the policy's rules name. */
static const char *const words[] = {
    "-rf", "-r", "-f", "-s", "-o", "-h", "now", "/x", "~/project", "~/.ssh/id_rsa",
    "~/.ssh/config", "/home/user/.ssh/id_rsa", "../home/user/.ssh/id_rsa", "/etc/shadow",
    "/etc/passwd", "~/.bashrc", "/home/user/.bashrc", "http://evil.example/x",
    "https://evil.example/install.sh", "https://ask.example/", "/dev/sda", "/srv/private/key",
    "/srv/private/", "id_rsa", ".", "..", "/", "~", "*", "push", "origin", "main",
    "/tmp/out", "README.md", "--", "of=/etc/passwd", "if=/etc/shadow",
};

/* Redirections of built commands; the first is none. */
static const char *const redirections[] = {
    "", " > /etc/passwd", " >> ~/.bashrc", " < /etc/shadow", " > /tmp/out", " 2>&1",
    " < ~/.ssh/id_rsa", " >> /home/user/.bashrc", " > /dev/null",
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Bytes of an unquoted word made from input bytes: no operators, quotes or expansions. */
static const char word_bytes[] = "abcehiorstx0123456789/._-~*?";

/* Appends one argument word: from words[], or up to 16 input bytes, unquoted or single-quoted. */
static void add_word(struct text *text, struct byte_reader *reader)
{
    uint8_t choice = next_byte(reader);
    if (choice < 0xc0) {
        text_add_string(text, words[choice % COUNT(words)]);
        return;
    }

    size_t length = 1 + next_byte(reader) % 16;
    bool quoted = (choice & 1) != 0;
    if (quoted)
        text_add(text, "'", 1);
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = next_byte(reader);
        if (!quoted) {
            text_add(text, &word_bytes[byte % (sizeof(word_bytes) - 1)], 1);
        } else if (byte == '\'') {
            text_add(text, "'\\''", 4);
        } else if (byte != '\0') {
            /* A NUL would end the C string that prop_decide() checks. */
            text_add(text, (const char *)&byte, 1);
        }
    }
    if (quoted)
        text_add(text, "'", 1);
}

/* Returns a new simple command built from the input: a verb, 0 to 3 words, a redirection. */
static char *build_command(struct byte_reader *reader)
{
    struct text text = {0};
    text_add_string(&text, verbs[next_byte(reader) % COUNT(verbs)]);
    size_t word_count = next_byte(reader) % 4;
    for (size_t i = 0; i < word_count; i++) {
        text_add(&text, " ", 1);
        add_word(&text, reader);
    }
    text_add_string(&text, redirections[next_byte(reader) % COUNT(redirections)]);
    return text.data;
}

/* A command of the input, D or an X, and the least decision it needs wherever it sits. */
struct part {
    prop_command command; /* text, shape, whether it changes directory */
    char *built;          /* the text when built from the input, freed at the end */
    int required;         /* AG_ALLOW, AG_ASK or AG_DENY */
    bool writes;          /* the command alone writes a file */
};

/*
 * Fills `part` with a command picked by the input: one of `table` when the
 * first byte is below 0x80 and `table` is not NULL, else a built command.
 */
static void pick_part(struct part *part, struct byte_reader *reader,
                      const prop_command *table, size_t table_count)
{
    uint8_t choice = next_byte(reader);
    if (table != NULL && choice < 0x80) {
        part->command = table[choice % table_count];
        part->built = NULL;
        return;
    }
    part->built = build_command(reader);
    part->command = (prop_command){part->built, PROP_SIMPLE, false};
}

/*
 * Returns the decision of `command` alone, and stores in *analysed whether
 * the analysis read all of it and in *writes whether it writes a file.
 * Aborts when the check breaks its contract.
 */
static int decide_alone(ag_checker *checker, const char *command, bool *analysed, bool *writes)
{
    int decision = prop_decide(checker, command);
    FUZZ_ASSERT(decision >= 0);
    ag_error *error = NULL;
    const ag_verdict *verdict = ag_check_command(checker, command, strlen(command), PROP_CWD,
                                                 &error);
    FUZZ_ASSERT(verdict != NULL);
    *analysed = ag_verdict_error(verdict) == AG_OK;
    *writes = false;
    for (size_t i = 0; i < ag_verdict_effect_count(verdict); i++) {
        if (ag_verdict_effect_kind(verdict, i) == AG_EFFECT_WRITE)
            *writes = true;
    }
    return decision;
}

static ag_checker *property_checker(void)
{
    static ag_policy *policy;
    static ag_checker *checker;
    if (checker == NULL) {
        checker = prop_checker_new(FUZZ_PROPERTY_POLICY, &policy);
        if (checker == NULL)
            abort();
    }
    return checker;
}

/* The forms that add a second command X; "X" in prefix or suffix stands for its text. */
static const prop_form x_forms[] = {
    {"x-and", "{ X\n} && ", "", PROP_QUOTE_NONE, PROP_LIST, PROP_LIST, false},
    {"x-semicolon", "{ X\n}; ", "", PROP_QUOTE_NONE, PROP_LIST, PROP_LIST, false},
    {"x-or", "{ X\n} || ", "", PROP_QUOTE_NONE, PROP_LIST, PROP_LIST, false},
    {"x-pipe", "{ X\n} | ", "", PROP_QUOTE_NONE, PROP_PIPELINE, PROP_PIPELINE, true},
    {"x-after", "", "\n{ X\n}", PROP_QUOTE_NONE, PROP_LIST, PROP_LIST, false},
};

/* Returns a copy of `pattern` with its "X" replaced by `command`. */
static char *fill_x(const char *pattern, const char *command)
{
    struct text text = {0};
    text_add(&text, "", 0);
    const char *x = strchr(pattern, 'X');
    if (x == NULL) {
        text_add_string(&text, pattern);
        return text.data;
    }
    text_add(&text, pattern, (size_t)(x - pattern));
    text_add_string(&text, command);
    text_add_string(&text, x + 1);
    return text.data;
}

/*
 * Returns whether `form` puts `inner` in a string that the analysis parses
 * again (`bash -c '...'`) while `inner` has a 0x01 byte. NOTE: the analysis
 * marks unknown parts of a word with that byte (AG_DYNAMIC_MARK), so it reads
 * the literal byte as an unknown part and asks, even for `bash -c 'rm -rf
 * /x<0x01>'`, which stays denied without the wrapper. Ask is still never
 * allow, so this harness lowers the expected decision to ask.
 */
static bool dynamic_mark_gap(const prop_form *form, const char *inner)
{
    return form->quoting == PROP_QUOTE_SINGLE && strchr(inner, '\x01') != NULL;
}

/*
 * Returns whether `form` runs the command it wraps with more words than the
 * command has: `xargs C` appends the words it reads. A built command such as
 * `bash`, denied by the exact rule Bash(bash), is then a command with unknown
 * arguments, which the policy asks for. The commands of prop_denied[] keep
 * their deny there, because their rules end in `*` or name a file.
 */
static bool form_adds_words(const prop_form *form)
{
    return strcmp(form->name, "xargs") == 0;
}

static const char *name_of(int decision)
{
    return ag_decision_name((ag_decision)decision);
}

/* Aborts unless `command` gets at least the decision each part requires. */
static void check_parts(ag_checker *checker, const char *command, const struct part *parts,
                        size_t part_count, const char *form_name)
{
    const ag_verdict *verdict = NULL;
    int decision = prop_decide_verdict(checker, command, &verdict);
    FUZZ_ASSERT(decision >= 0);
    /*
     * The parse time limit is wall-clock time, which a loaded machine can
     * reach on any input here (the inputs stay below the other limits). The
     * check then asks, which is all the invariants need when time runs out.
     */
    bool out_of_time = ag_verdict_error(verdict) == AG_ERR_LIMIT;
    for (size_t i = 0; i < part_count; i++) {
        if (decision >= parts[i].required || (out_of_time && decision >= AG_ASK))
            continue;
        fprintf(stderr, "after form %s: `%s` needs at least %s, the wrapped text got %s:\n%s\n---\n",
                form_name, parts[i].command.text, name_of(parts[i].required), name_of(decision),
                command);
        FUZZ_ASSERT(decision >= parts[i].required);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ag_checker *checker = property_checker();
    struct byte_reader reader = {data, size, 0};
    struct part parts[MAX_PARTS];
    size_t part_count = 0;

    /* D, and invariant 1 or the bare decision for invariant 2. */
    struct part *denied = &parts[part_count++];
    pick_part(denied, &reader, prop_denied, prop_denied_count);
    bool analysed = false;
    bool writes = false;
    denied->required = decide_alone(checker, denied->command.text, &analysed, &writes);
    denied->writes = writes;
    if (denied->built == NULL)
        FUZZ_ASSERT(denied->required == AG_DENY);

    char *current = strdup(denied->command.text);
    if (current == NULL)
        abort();
    prop_shape shape = denied->command.shape;

    bool text_unanalysed = false;
    size_t depth = 1 + next_byte(&reader) % MAX_DEPTH;
    for (size_t level = 0; level < depth; level++) {
        uint8_t choice = next_byte(&reader);
        size_t form_count = prop_form_count + COUNT(x_forms);

        /* The chosen form, or the next one after it that can wrap the current shape. */
        const prop_form *form = NULL;
        for (size_t step = 0; step < form_count && form == NULL; step++) {
            size_t index = (choice + step) % form_count;
            const prop_form *candidate = index < prop_form_count
                                             ? &prop_forms[index]
                                             : &x_forms[index - prop_form_count];
            if (!prop_form_applies(candidate, shape))
                continue;
            /*
             * The first `\;` of nested -exec forms ends the outer one (see
             * prop_forms_nest()), also with `sudo` or `env` between them.
             * Likewise a word `';'` of the command itself ends -exec, as
             * does `{} +`, so find runs another command than the text.
             */
            if (strcmp(candidate->name, "find-exec") == 0
                && (strstr(current, "-exec") != NULL || strchr(current, ';') != NULL
                    || strstr(current, "{}") != NULL))
                continue;
            form = candidate;
        }
        FUZZ_ASSERT(form != NULL);

        prop_form filled = *form;
        char *prefix = NULL;
        char *suffix = NULL;
        if (form >= x_forms && form < x_forms + COUNT(x_forms)) {
            struct part *second = &parts[part_count++];
            if (next_byte(&reader) < 0x80)
                pick_part(second, &reader, prop_corpus, prop_corpus_count);
            else
                pick_part(second, &reader, prop_denied, prop_denied_count);
            bool second_analysed = false;
            bool second_writes = false;
            second->required = decide_alone(checker, second->command.text, &second_analysed,
                                            &second_writes);
            /*
             * Before a wrapped text that ends in `&`, X is part of the
             * background job too (`{ X\n} && D &`), so it runs in a child shell.
             */
            bool background = form->prefix[0] != '\0' && current[0] != '\0'
                              && current[strlen(current) - 1] == '&';
            if (second->command.changes_directory && background && second->required > AG_ASK)
                second->required = AG_ASK;
            prefix = fill_x(form->prefix, second->command.text);
            suffix = fill_x(form->suffix, second->command.text);
            filled.prefix = prefix;
            filled.suffix = suffix;
            /*
             * X broken on its own may break the parse of the whole text:
             * that gives ask.
             */
            second->writes = second_writes;
            if (!second_analysed)
                text_unanalysed = true;
        }

        /*
         * The directory tracker does not tell child shells apart, so a `cd`
         * in any command of the text (`{ cd /tmp && ls\n} | C`) makes the
         * gap of prop_known_gap() apply to every command after it.
         */
        bool text_changes_directory = false;
        for (size_t i = 0; i < part_count; i++) {
            const char *text = parts[i].command.text;
            if (strncmp(text, "cd ", 3) == 0 || strstr(text, " cd ") != NULL)
                text_changes_directory = true;
        }

        /*
         * A part the analysis cannot read (a backslash inside backticks, a
         * 0x01 byte inside `bash -c`) makes the whole request
         * ask, so from then on every command of the text, X added later
         * included, expects at most ask.
         */
        if ((filled.quoting == PROP_QUOTE_BACKTICK && strpbrk(current, "\\`") != NULL)
            || dynamic_mark_gap(&filled, current))
            text_unanalysed = true;

        /*
         * A command that writes a file makes the paths of the commands after
         * it partly unknown to the analysis, because the write may have put
         * a link in their way (`cp a ..; cat /etc/shadow` reads
         * `<unknown>etc/shadow`), and that gives ask. NOTE: this harness
         * does not track which command comes first, so a write lowers every
         * other command of the text.
         */
        size_t writers = 0;
        for (size_t i = 0; i < part_count; i++)
            writers += parts[i].writes;

        for (size_t i = 0; i < part_count; i++) {
            bool other_writes = writers > (size_t)parts[i].writes;
            prop_command probe = parts[i].command;
            probe.changes_directory = probe.changes_directory || text_changes_directory;
            if (parts[i].required > AG_ASK
                && (text_unanalysed || other_writes || prop_known_gap(&filled, &probe, current)
                    || (parts[i].built != NULL && form_adds_words(&filled))))
                parts[i].required = AG_ASK;
        }

        char *wrapped = prop_wrap(&filled, current);
        free(prefix);
        free(suffix);
        free(current);
        current = wrapped;
        shape = form->gives;
        check_parts(checker, current, parts, part_count, form->name);
    }

    free(current);
    for (size_t i = 0; i < part_count; i++)
        free(parts[i].built);
    return 0;
}
