/*
 * Shell options that change what later commands do. A `set` or `shopt`
 * command that turns on such an option, or turns off one the analysis
 * relies on, gets AG_COMMAND_UNSAFE_ENVIRONMENT, so the request asks. The
 * tables list every option of Bash 5.2 (`set -o` and `shopt`), and an
 * option they do not list counts as unsafe both ways.
 *
 * Most options are safe for the analysis because it already assumes the
 * worst: every command of every branch is checked, a glob word reaches
 * unknown files (so dotglob, globstar, nocaseglob, nullglob and
 * globskipdots do not matter), and an extglob pattern such as `@(x)` is a
 * parse error or a glob word.
 */
#include <string.h>

#include "eval/unwrap_internal.h"

enum {
    AG_OPTION_UNSAFE_ON = 1u << 0,  /* turning it on changes what later commands do */
    AG_OPTION_UNSAFE_OFF = 1u << 1  /* turning it off does */
};

typedef struct ag_shell_option {
    const char *name;
    char letter;     /* the single-letter form of `set`, or '\0' */
    unsigned unsafe; /* AG_OPTION_UNSAFE_ON and AG_OPTION_UNSAFE_OFF bits */
} ag_shell_option;

/* The `set -o` options, sorted by name in strcmp() order for ag_sorted_find(). */
static const ag_shell_option set_options[] = {
    /* Exports every later plain assignment, so `X=v; cmd` passes X to cmd. */
    {"allexport", 'a', AG_OPTION_UNSAFE_ON},
    /* The analysis expands `{a,b}`, but without brace expansion the word stays literal. */
    {"braceexpand", 'B', AG_OPTION_UNSAFE_OFF},
    {"emacs", '\0', 0},
    {"errexit", 'e', 0},
    {"errtrace", 'E', 0},
    {"functrace", 'T', 0},
    {"hashall", 'h', 0},
    /* With history on, `!$` and `!!` on later lines expand to earlier words. */
    {"histexpand", 'H', AG_OPTION_UNSAFE_ON},
    {"history", '\0', AG_OPTION_UNSAFE_ON},
    {"ignoreeof", '\0', 0},
    /* Without it an interactive shell reads `#` as part of a word. */
    {"interactive-comments", '\0', AG_OPTION_UNSAFE_OFF},
    /* Moves a NAME=VALUE argument anywhere on a command line into its environment. */
    {"keyword", 'k', AG_OPTION_UNSAFE_ON},
    {"monitor", 'm', 0},
    {"noclobber", 'C', 0},
    {"noexec", 'n', 0},
    {"noglob", 'f', 0},
    {"nolog", '\0', 0},
    {"notify", 'b', 0},
    {"nounset", 'u', 0},
    {"onecmd", 't', 0},
    /*
     * `cd` resolves links before `..`. The directory tracking checks the
     * physical target of `cd` too, so this stays safe.
     */
    {"physical", 'P', 0},
    {"pipefail", '\0', 0},
    /*
     * POSIX mode expands aliases in a non-interactive shell, but defining an
     * alias already asks. Its other changes make commands do less.
     */
    {"posix", '\0', 0},
    {"privileged", 'p', 0},
    {"verbose", 'v', 0},
    {"vi", '\0', 0},
    {"xtrace", 'x', 0},
};

/* The `shopt` options, sorted by name in strcmp() order for ag_sorted_find(). */
static const ag_shell_option shopt_options[] = {
    {"assoc_expand_once", '\0', 0},
    /* A directory name as a command runs `cd` to it (interactive shells only). */
    {"autocd", '\0', AG_OPTION_UNSAFE_ON},
    /* `cd NAME` goes to the value of the variable NAME. */
    {"cdable_vars", '\0', AG_OPTION_UNSAFE_ON},
    /* `cd` corrects a misspelt directory name (interactive shells only). */
    {"cdspell", '\0', AG_OPTION_UNSAFE_ON},
    {"checkhash", '\0', 0},
    {"checkjobs", '\0', 0},
    {"checkwinsize", '\0', 0},
    {"cmdhist", '\0', 0},
    /* The compatNN options bring back older quoting and expansion rules. */
    {"compat31", '\0', AG_OPTION_UNSAFE_ON},
    {"compat32", '\0', AG_OPTION_UNSAFE_ON},
    {"compat40", '\0', AG_OPTION_UNSAFE_ON},
    {"compat41", '\0', AG_OPTION_UNSAFE_ON},
    {"compat42", '\0', AG_OPTION_UNSAFE_ON},
    {"compat43", '\0', AG_OPTION_UNSAFE_ON},
    {"compat44", '\0', AG_OPTION_UNSAFE_ON},
    {"complete_fullquote", '\0', 0},
    {"direxpand", '\0', 0},
    {"dirspell", '\0', 0},
    {"dotglob", '\0', 0},
    {"execfail", '\0', 0},
    /* Aliases change what a later command name runs. */
    {"expand_aliases", '\0', AG_OPTION_UNSAFE_ON},
    /* A DEBUG trap can skip any later command, such as a `cd` the analysis applied. */
    {"extdebug", '\0', AG_OPTION_UNSAFE_ON},
    {"extglob", '\0', 0},
    /* Without it `$'...'` inside `"${...}"` is not decoded. */
    {"extquote", '\0', AG_OPTION_UNSAFE_OFF},
    {"failglob", '\0', 0},
    {"force_fignore", '\0', 0},
    {"globasciiranges", '\0', 0},
    {"globskipdots", '\0', 0},
    {"globstar", '\0', 0},
    {"gnu_errfmt", '\0', 0},
    {"histappend", '\0', 0},
    {"histreedit", '\0', 0},
    {"histverify", '\0', 0},
    {"hostcomplete", '\0', 0},
    {"huponexit", '\0', 0},
    {"inherit_errexit", '\0', 0},
    {"interactive_comments", '\0', AG_OPTION_UNSAFE_OFF},
    /* The last member of a pipeline runs in the current shell, so its `cd` stays. */
    {"lastpipe", '\0', AG_OPTION_UNSAFE_ON},
    {"lithist", '\0', 0},
    {"localvar_inherit", '\0', 0},
    {"localvar_unset", '\0', 0},
    {"login_shell", '\0', 0},
    {"mailwarn", '\0', 0},
    {"no_empty_cmd_completion", '\0', 0},
    {"nocaseglob", '\0', 0},
    {"nocasematch", '\0', 0},
    {"noexpand_translation", '\0', 0},
    {"nullglob", '\0', 0},
    {"patsub_replacement", '\0', 0},
    {"progcomp", '\0', 0},
    {"progcomp_alias", '\0', 0},
    {"promptvars", '\0', 0},
    {"restricted_shell", '\0', 0},
    {"shift_verbose", '\0', 0},
    {"sourcepath", '\0', 0},
    {"varredir_close", '\0', 0},
    {"xpg_echo", '\0', 0},
};

#define AG_COUNT(table) (sizeof(table) / sizeof((table)[0]))

bool ag_shell_option_tables_are_sorted(void)
{
    return ag_sorted_is_strict(set_options, AG_COUNT(set_options), sizeof(set_options[0]))
           && ag_sorted_is_strict(shopt_options, AG_COUNT(shopt_options),
                                  sizeof(shopt_options[0]));
}

static bool option_is_unsafe(const ag_shell_option *option, bool on)
{
    if (option == NULL)
        return true;
    return (option->unsafe & (on ? AG_OPTION_UNSAFE_ON : AG_OPTION_UNSAFE_OFF)) != 0;
}

/* Returns the `set` option whose single-letter form is `letter`, or NULL. */
static const ag_shell_option *find_letter(char letter)
{
    for (size_t i = 0; i < AG_COUNT(set_options); i++) {
        if (set_options[i].letter == letter)
            return &set_options[i];
    }
    return NULL;
}

bool ag_shell_option_letter_is_unsafe(char letter, bool on)
{
    return option_is_unsafe(find_letter(letter), on);
}

bool ag_shell_invocation_letter_is_unsafe(char letter, bool on)
{
    /* An interactive shell reads ~/.bashrc and expands aliases and history. */
    if (letter == 'i')
        return true;

    /*
     * Other letters that no `set` option has are harmless invocation options
     * (-c, -s, -l, -r, -D) or options of other shells, which bash rejects.
     */
    const ag_shell_option *option = find_letter(letter);
    return option != NULL && option_is_unsafe(option, on);
}

bool ag_shell_option_name_is_unsafe(const ag_shell_word *word, bool on, bool shopt)
{
    if (word->dynamic)
        return true;

    const ag_shell_option *option;
    if (shopt)
        option = ag_sorted_find(shopt_options, AG_COUNT(shopt_options), sizeof(shopt_options[0]),
                                word->text, word->length);
    else
        option = ag_sorted_find(set_options, AG_COUNT(set_options), sizeof(set_options[0]),
                                word->text, word->length);
    return option_is_unsafe(option, on);
}

/*
 * Reads `set` options: `-k`, `+B`, clusters such as `-euo pipefail` where
 * each `o` takes the next word as an option name, and `-o NAME`. The first
 * word that is not an option, `-` or `--` starts the positional parameters,
 * which are harmless.
 */
static bool set_is_unsafe(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic)
            return true;
        if ((word->text[0] != '-' && word->text[0] != '+') || word->length == 1
            || strcmp(word->text, "--") == 0)
            return false;

        bool on = word->text[0] == '-';
        size_t names = 0;   /* option names that `o` letters take from the next words */
        for (size_t j = 1; j < word->length; j++) {
            if (word->text[j] == 'o')
                names++;
            else if (ag_shell_option_letter_is_unsafe(word->text[j], on))
                return true;
        }
        for (; names > 0 && i + 1 < command->word_count; names--) {
            const ag_shell_word *name = &command->words[i + 1];
            /* `set -o` before another option word lists the options instead. */
            if (!name->dynamic && (name->text[0] == '-' || name->text[0] == '+'))
                break;
            i++;
            if (ag_shell_option_name_is_unsafe(name, on, false))
                return true;
        }
    }
    return false;
}

/*
 * Reads `shopt -s NAME...` and `shopt -u NAME...`. With `-o` the names are
 * `set -o` names. Without -s or -u, shopt only prints or queries options.
 */
static bool shopt_is_unsafe(const ag_shell_command *command)
{
    bool set_on = false;
    bool set_off = false;
    bool set_names = false;
    bool options = true;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic)
            return true;
        if (options && strcmp(word->text, "--") == 0) {
            options = false;
        } else if (options && word->text[0] == '-') {
            set_on |= strchr(word->text, 's') != NULL;
            set_off |= strchr(word->text, 'u') != NULL;
            set_names |= strchr(word->text, 'o') != NULL;
        }
    }
    if (!set_on && !set_off)
        return false;

    options = true;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (options && strcmp(word->text, "--") == 0) {
            options = false;
            continue;
        }
        if (options && word->text[0] == '-')
            continue;
        if ((set_on && ag_shell_option_name_is_unsafe(word, true, !set_names))
            || (set_off && ag_shell_option_name_is_unsafe(word, false, !set_names)))
            return true;
    }
    return false;
}

void ag_shell_options_mark(ag_shell_command *command, const char *name)
{
    bool unsafe = strcmp(name, "set") == 0 ? set_is_unsafe(command) : shopt_is_unsafe(command);
    if (unsafe)
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
}
