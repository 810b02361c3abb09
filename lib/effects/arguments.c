/*
 * Reading a command's arguments against its table entry: which words are
 * options, their values and operands, and what each of them is.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "effects/internal.h"
#include "eval/ssh_options.h"

/* An option value or operand with the role it has. */
typedef struct argument {
    const ag_shell_word *word;
    const char *text;           /* the value: may be part of the word (-ofile, --output=file) */
    size_t length;
    ag_effect_role role;
    const ag_effect_option *option;  /* NULL for an operand */
} argument;

/* Arguments that ag_extract_arguments() keeps on the stack: most commands have fewer. */
enum { AG_LOCAL_ARGUMENTS = 16 };

/* What parsing found, before any effect is added. */
typedef struct parsed_arguments {
    argument *items;
    size_t count;
    bool script_given;
    bool writes_operands;
    bool reads_operands;
    bool index_only;            /* an index-only flag: operands read or write no file */
    bool writes_cwd;
    bool reads_stdin_names;     /* a reads-stdin-names flag: files named on stdin are read */
    bool recurse_names;         /* a recurse-names flag: operands name files in any directory below */
    bool operand_read;          /* set by add_effects(): an operand names a file read */
    bool hard_links;            /* a hard-links flag (cp -l): operands read are also written */
    bool symbolic;              /* a symbolic flag (ln -s): link-source operands have no effect */
    bool host_root;             /* a host-root flag (docker run --privileged) */
    bool forwards_agent;        /* a forwards-agent flag (ssh -A) */
    bool target_directory;      /* a target-directory option (cp -t DIR): no operand is the
                                   destination */
    bool no_target_directory;   /* a no-target-directory flag (cp -T) */
    bool parents;               /* a parents flag (cp --parents) */
    bool relative;              /* a relative flag (rsync -R) */
    bool dynamic_option;        /* a word known only at run time may expand to an option */
    /* A word may turn a reads-operands flag off: one known only at run time, or unzip --l. */
    bool reads_undone;
    bool unknown_subcommand;    /* a word known only at run time may name any subcommand */
    bool dash_dash;             /* a literal "--" ended the options */
    const ag_shell_word *unknown_option;  /* the first option word the entry does not list */
    size_t items_before_dash_dash;  /* the options and operands before that "--" */
    char flag_letters[64];      /* short flags seen, such as tar's modes */
    size_t short_flag_count;
    const ag_shell_word *subcommand_words;
    size_t subcommand_count;
    const ag_effect_spec *subcommand;
    /*
     * The subcommand came after operands (ag_effect_subcommand_search_passes()),
     * so the entry's own reading of every word counts too.
     */
    bool subcommand_after_operands;
} parsed_arguments;

/* Returns whether the NUL-terminated `option` is the `length` bytes at `name`. */
static bool option_is(const char *option, const char *name, size_t length)
{
    /* Stops at the first byte that differs, which is mostly the first or second one. */
    size_t i = 0;
    while (i < length && option[i] == name[i] && option[i] != '\0')
        i++;
    return i == length && option[i] == '\0';
}

const ag_effect_option *ag_effect_option_find(const ag_effect_spec *spec, const char *name,
                                              size_t length)
{
    for (size_t i = 0; i < spec->option_count; i++) {
        /*
         * Every option starts with '-' (parse_options() in table.c), so the
         * second and third bytes set them apart without the loop of
         * option_is(). The third is read only where the second is no NUL,
         * so it lies inside the option's name.
         */
        const char *option = spec->options[i].name;
        if (length >= 2 && option[1] != name[1])
            continue;
        if (length >= 3 && option[1] != '\0' && option[2] != name[2])
            continue;
        if (option_is(option, name, length))
            return &spec->options[i];
    }
    return NULL;
}

bool ag_effect_option_takes_value(const ag_effect_option *option)
{
    return option->kind == AG_OPTION_VALUE || option->kind == AG_OPTION_SCRIPT
           || option->kind == AG_OPTION_DATA || option->kind == AG_OPTION_FORM
           || option->kind == AG_OPTION_END
           || option->kind == AG_OPTION_COOKIE || option->kind == AG_OPTION_ARCHIVE
           || option->kind == AG_OPTION_WRITE_OUT
           || option->kind == AG_OPTION_TARGET_DIRECTORY;
}

static void push(parsed_arguments *parsed, const ag_shell_word *word, const char *text,
                 size_t length, ag_effect_role role, const ag_effect_option *option)
{
    parsed->items[parsed->count++] = (argument){word, text, length, role, option};
}

static void note_flag(parsed_arguments *parsed, const ag_effect_option *option, char letter)
{
    /* Listed flags are kept too, so that the tree keys can name them (has_option()). */
    if (letter != 0 && parsed->short_flag_count + 1 < sizeof(parsed->flag_letters))
        parsed->flag_letters[parsed->short_flag_count++] = letter;
    if (option == NULL)
        return;
    if (option->kind == AG_OPTION_WRITES_OPERANDS)
        parsed->writes_operands = true;
    else if (option->kind == AG_OPTION_READS_OPERANDS)
        parsed->reads_operands = true;
    else if (option->kind == AG_OPTION_NO_SCRIPT)
        parsed->script_given = true;
    else if (option->kind == AG_OPTION_INDEX_ONLY)
        parsed->index_only = true;
    else if (option->kind == AG_OPTION_WRITES_CWD)
        parsed->writes_cwd = true;
    else if (option->kind == AG_OPTION_READS_STDIN_NAMES)
        parsed->reads_stdin_names = true;
    else if (option->kind == AG_OPTION_RECURSE_NAMES)
        parsed->recurse_names = true;
    else if (option->kind == AG_OPTION_HARD_LINKS)
        parsed->hard_links = true;
    else if (option->kind == AG_OPTION_SYMBOLIC)
        parsed->symbolic = true;
    else if (option->kind == AG_OPTION_HOST_ROOT)
        parsed->host_root = true;
    else if (option->kind == AG_OPTION_FORWARDS_AGENT)
        parsed->forwards_agent = true;
    else if (option->kind == AG_OPTION_NO_TARGET_DIRECTORY)
        parsed->no_target_directory = true;
    else if (option->kind == AG_OPTION_PARENTS)
        parsed->parents = true;
    else if (option->kind == AG_OPTION_RELATIVE)
        parsed->relative = true;
    else if (option->kind == AG_OPTION_NO_RELATIVE)
        parsed->relative = false;
}

/*
 * Records an option that takes a value. Returns whether the value was the
 * next word, which the caller then skips, or sets *end for END options.
 */
static bool take_value(parsed_arguments *parsed, const ag_effect_option *option,
                       const ag_shell_word *words, size_t count, size_t index,
                       const char *attached, size_t attached_length, bool *end)
{
    if (option->kind == AG_OPTION_SCRIPT)
        parsed->script_given = true;
    if (option->kind == AG_OPTION_END)
        *end = true;
    if (option->kind == AG_OPTION_ARCHIVE)
        parsed->reads_operands = true;
    if (option->kind == AG_OPTION_TARGET_DIRECTORY)
        parsed->target_directory = true;

    bool uses_next = attached == NULL;
    const ag_shell_word *word = &words[index];
    if (uses_next) {
        if (index + 1 >= count)
            return false;
        word = &words[index + 1];
        attached = word->text;
        attached_length = word->length;
    }
    push(parsed, word, attached, attached_length, option->role, option);
    return uses_next;
}

/* Parses a cluster of short options such as -xzf; returns whether it used the next word. */
static bool parse_short(parsed_arguments *parsed, const ag_effect_spec *spec,
                        const ag_shell_word *words, size_t count, size_t index, size_t first,
                        bool *end)
{
    const ag_shell_word *word = &words[index];
    for (size_t j = first; j < word->length; j++) {
        char name[3] = {'-', word->text[j], '\0'};
        const ag_effect_option *option = ag_effect_option_find(spec, name, 2);
        if (option == NULL && parsed->unknown_option == NULL)
            parsed->unknown_option = word;
        /* make -Oline: the rest of the cluster is the value of -O, which has no effect. */
        if (option != NULL && option->kind == AG_OPTION_OPTIONAL_VALUE) {
            note_flag(parsed, option, word->text[j]);
            return false;
        }
        if (option == NULL || !ag_effect_option_takes_value(option)) {
            note_flag(parsed, option, word->text[j]);
            continue;
        }
        /* lha xw=DIR: the value is DIR. */
        size_t skip = spec->short_equals && word->text[j + 1] == '=' ? 1 : 0;
        bool rest = j + 1 + skip < word->length;
        return take_value(parsed, option, words, count, index,
                          rest ? word->text + j + 1 + skip : NULL,
                          rest ? word->length - j - 1 - skip : 0, end);
    }
    return false;
}

/*
 * Ranks an option by what its value may reach, so that an abbreviation of
 * several options takes the strictest: a file written, read or worked in,
 * then a host, then a value with no effect, then a flag.
 */
static int option_rank(const ag_effect_option *option)
{
    if (!ag_effect_option_takes_value(option))
        return option->kind == AG_OPTION_WRITES_OPERANDS ? 1 : 0;
    switch (option->role) {
    case AG_ROLE_WRITE:
    case AG_ROLE_UNPACK:
        return 6;
    case AG_ROLE_READ:
        return 5;
    case AG_ROLE_CHDIR:
        return 4;
    case AG_ROLE_VALUE:
        return 2;
    default:
        return 3;
    }
}

/*
 * Finds the listed option that `name`, a `--` word that names none exactly,
 * abbreviates: getopt_long() and argparse take any unambiguous prefix
 * (--out for --output). They reject an ambiguous one, but other parsers may
 * not, so of several candidates the one with the strictest value wins.
 * Returns NULL for entries with long_prefixes: false.
 */
static const ag_effect_option *find_abbreviated(const ag_effect_spec *spec, const char *name,
                                                size_t length)
{
    if (spec->exact_long_options || length < 3 || strncmp(name, "--", 2) != 0)
        return NULL;
    const ag_effect_option *best = NULL;
    for (size_t i = 0; i < spec->option_count; i++) {
        const ag_effect_option *option = &spec->options[i];
        if (strncmp(option->name, name, length) != 0 || option->name[length] == '\0')
            continue;
        if (best == NULL || option_rank(option) > option_rank(best))
            best = option;
    }
    return best;
}

/*
 * Parses tar's first word when it has no dash (tar xCf DIR a.tar): each
 * letter that takes a value takes the next word not yet taken, in order.
 * Returns the number of words taken after it.
 */
static size_t parse_tar_key(parsed_arguments *parsed, const ag_effect_spec *spec,
                            const ag_shell_word *words, size_t count, size_t index)
{
    const ag_shell_word *key = &words[index];
    size_t taken = 0;
    for (size_t j = 0; j < key->length; j++) {
        char name[3] = {'-', key->text[j], '\0'};
        const ag_effect_option *option = ag_effect_option_find(spec, name, 2);
        if (option == NULL || !ag_effect_option_takes_value(option)) {
            note_flag(parsed, option, key->text[j]);
            continue;
        }
        if (index + 1 + taken >= count)
            break;
        const ag_shell_word *value = &words[index + 1 + taken++];
        push(parsed, value, value->text, value->length, option->role, option);
    }
    return taken;
}

/* Finds the listed option that the long option `name` names exactly or abbreviates. */
static const ag_effect_option *find_long(const ag_effect_spec *spec, const char *name,
                                         size_t length)
{
    const ag_effect_option *option = ag_effect_option_find(spec, name, length);
    return option != NULL ? option : find_abbreviated(spec, name, length);
}

/*
 * Finds the listed option that `name` names after a prefix such as
 * "--expand-" or "--no-": the same name with "--" in place of the prefix.
 */
static const ag_effect_option *find_after_prefix(const ag_effect_spec *spec, const char *name,
                                                 size_t length, const char *prefix)
{
    size_t prefix_length = strlen(prefix);
    char plain[64];
    if (length <= prefix_length || length - prefix_length + 2 >= sizeof(plain)
        || strncmp(name, prefix, prefix_length) != 0)
        return NULL;
    plain[0] = '-';
    plain[1] = '-';
    memcpy(plain + 2, name + prefix_length, length - prefix_length);
    return find_long(spec, plain, length - prefix_length + 2);
}

/* Returns the first of two `c` bytes in a row in the `length` bytes at `text`, or NULL. */
static const char *find_doubled(const char *text, size_t length, char c)
{
    for (size_t i = 0; i + 1 < length; i++) {
        if (text[i] == c && text[i + 1] == c)
            return text + i;
    }
    return NULL;
}

/*
 * Replaces each curl variable `{{NAME}}` in the value just taken with an
 * unknown part, because --variable, a file or the environment sets it.
 * A `{{` without its `}}` makes the rest unknown.
 */
static ag_status expand_curl_variables(ag_arena *arena, parsed_arguments *parsed)
{
    argument *value = &parsed->items[parsed->count - 1];
    if (find_doubled(value->text, value->length, '{') == NULL)
        return AG_OK;
    char *text = ag_arena_alloc(arena, value->length + 1);
    if (text == NULL)
        return AG_ERR_NOMEM;
    size_t out = 0;
    for (size_t i = 0; i < value->length; i++) {
        if (i + 1 < value->length && value->text[i] == '{' && value->text[i + 1] == '{') {
            const char *close = find_doubled(value->text + i, value->length - i, '}');
            text[out++] = AG_DYNAMIC_MARK;
            i = close != NULL ? (size_t)(close - value->text) + 1 : value->length;
        } else {
            text[out++] = value->text[i];
        }
    }
    text[out] = '\0';
    value->text = text;
    value->length = out;
    return AG_OK;
}

/*
 * Parses --name, --name=value, or -name for single_dash_long entries.
 * curl 8.3 reads --expand-NAME as --NAME with its {{variables}} expanded.
 * An option that the entry does not list is noted for strict_options,
 * unless it is --no-NAME for a listed flag (curl and wget turn a flag off
 * that way). Returns whether the value was the next word.
 */
static bool parse_long(ag_arena *arena, parsed_arguments *parsed, const ag_effect_spec *spec,
                       const ag_shell_word *words, size_t count, size_t index, bool *end,
                       ag_status *status)
{
    const ag_shell_word *word = &words[index];
    const char *equals = memchr(word->text, '=', word->length);
    size_t name_length = equals != NULL ? (size_t)(equals - word->text) : word->length;
    const ag_effect_option *option = find_long(spec, word->text, name_length);
    bool expands = false;
    if (option == NULL && spec->handler == AG_HANDLER_CURL) {
        option = find_after_prefix(spec, word->text, name_length, "--expand-");
        expands = option != NULL;
    }
    if (option == NULL && parsed->unknown_option == NULL) {
        const ag_effect_option *negated = find_after_prefix(spec, word->text, name_length, "--no-");
        if (negated == NULL || ag_effect_option_takes_value(negated))
            parsed->unknown_option = word;
    }

    if (option == NULL || !ag_effect_option_takes_value(option)) {
        note_flag(parsed, option, 0);
        return false;
    }
    bool used_next = take_value(parsed, option, words, count, index,
                                equals != NULL ? equals + 1 : NULL,
                                equals != NULL ? word->length - name_length - 1 : 0, end);
    if (expands && (used_next || equals != NULL))
        *status = expand_curl_variables(arena, parsed);
    return used_next;
}

static bool is_option_word(const ag_shell_word *word)
{
    /* TODO(effects): a dynamic word such as "-$X" may be an option that takes the next word. */
    return word->length > 1 && word->text[0] == '-';
}

/*
 * Returns whether a word known only at run time may expand to an option:
 * its value or a file name its glob matches (a file named `-R`) may start
 * with '-'. A word that starts with another literal character cannot,
 * unless an unquoted expansion may split it (src/$X with X='a -o FILE').
 */
static bool may_be_option(const ag_shell_word *word)
{
    static const char starts[] = {'-', '*', '?', '[', '{', '@', '+', '!', AG_DYNAMIC_MARK, '\0'};
    return word->dynamic && word->text[0] != '\0'
           && (word->splits || strchr(starts, word->text[0]) != NULL);
}

/*
 * Returns whether `word` is the value that a listed option took as the next
 * word, and stays one word: `curl -u "$X"` cannot give curl a -O, but an
 * unquoted `-u $X` may expand to `-u a -O`. A value joined to its option
 * (`-u$X`) is left to may_be_option().
 */
static bool is_option_value(const parsed_arguments *parsed, const ag_shell_word *word)
{
    if (!word->single || word->text[0] == '-')
        return false;
    for (size_t i = 0; i < parsed->count; i++) {
        if (parsed->items[i].option != NULL && parsed->items[i].word == word)
            return true;
    }
    return false;
}

/*
 * Returns the first word before `--` that an unquoted expansion or "$@" may
 * split into several words, or NULL. A glob or a brace expansion gives words
 * that all start as the word does, which may_be_option() covers.
 */
static const ag_shell_word *find_splitting_word(const ag_shell_word *words, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            break;
        if (words[i].splits)
            return &words[i];
    }
    return NULL;
}

/* Returns whether `word` may expand to an option the command reads as one of its own. */
static bool may_be_free_option(const parsed_arguments *parsed, const ag_shell_word *word)
{
    return may_be_option(word) && !is_option_value(parsed, word);
}

/*
 * Returns whether `word` turns options off in an entry with minus_negates:
 * Info-ZIP unzip reads a '-' inside an option word (--l, -l-l) as "not",
 * so unzip -l --l extracts.
 */
static bool negates_options(const ag_effect_spec *spec, const ag_shell_word *word)
{
    if (!spec->minus_negates || word->dynamic || !is_option_word(word)
        || strcmp(word->text, "--") == 0)
        return false;
    return memchr(word->text + 1, '-', word->length - 1) != NULL;
}

const ag_effect_spec *ag_effect_subcommand_find(const ag_effect_spec *spec,
                                                const ag_shell_word *word)
{
    for (size_t s = 0; s < spec->subcommand_count; s++) {
        if (strcmp(spec->subcommands[s].name, word->text) == 0)
            return &spec->subcommands[s];
    }
    return NULL;
}

bool ag_effect_option_may_take_next(const ag_effect_spec *spec, const ag_shell_word *word)
{
    if (memchr(word->text, '=', word->length) != NULL)
        return false;
    if (word->text[1] == '-' || spec->single_dash_long) {
        const ag_effect_option *option = find_long(spec, word->text, word->length);
        return option == NULL || option->kind == AG_OPTION_OPTIONAL_VALUE;
    }

    /* As parse_short() reads a cluster: the first letter with a value ends it. */
    const ag_effect_option *option = NULL;
    for (size_t j = 1; j < word->length; j++) {
        char name[3] = {'-', word->text[j], '\0'};
        option = ag_effect_option_find(spec, name, 2);
        if (option != NULL && ag_effect_option_takes_value(option))
            return false;
        if (option != NULL && option->kind == AG_OPTION_OPTIONAL_VALUE)
            return j + 1 == word->length;
    }
    return option == NULL;
}

bool ag_effect_subcommand_search_passes(const ag_effect_spec *spec, size_t operands,
                                        size_t possible_values)
{
    return spec->subcommand_count > 0
           && (operands == possible_values || spec->subcommands_anywhere);
}

/*
 * Reads `word`, an operand after `operands` others, as the subcommand it
 * names when the search for one passes the operands before it. The word
 * stays an operand of the entry too. A word known only at run time may
 * name any subcommand.
 */
static void note_later_subcommand(parsed_arguments *parsed, const ag_effect_spec *spec,
                                  const ag_shell_word *word, size_t rest, size_t operands,
                                  size_t possible_values)
{
    if (parsed->subcommand != NULL
        || !ag_effect_subcommand_search_passes(spec, operands, possible_values))
        return;

    parsed->unknown_subcommand |= word->dynamic;
    if (operands == 0 || (parsed->subcommand = ag_effect_subcommand_find(spec, word)) == NULL)
        return;
    parsed->subcommand_words = word + 1;
    parsed->subcommand_count = rest;
    parsed->subcommand_after_operands = true;
}

/*
 * Splits `words` into option values and operands, without adding any effect.
 * Up to AG_LOCAL_ARGUMENTS of them go into `local`, more into the arena.
 */
static ag_status parse_arguments(ag_arena *arena, const ag_effect_spec *spec,
                                 const ag_shell_word *words, size_t count, parsed_arguments *parsed,
                                 argument *local)
{
    memset(parsed, 0, sizeof(*parsed));
    parsed->items = count + 1 <= AG_LOCAL_ARGUMENTS
                        ? local
                        : ag_arena_alloc(arena, (count + 1) * sizeof(*parsed->items));
    if (parsed->items == NULL)
        return AG_ERR_NOMEM;

    ag_status status = AG_OK;
    bool options_done = false;
    bool saw_option = false;
    bool end = false;
    size_t operands = 0;
    size_t possible_values = 0;     /* operands that may be the value of the option before */
    bool value_may_follow = false;
    for (size_t i = 0; i < count && !end; i++) {
        const ag_shell_word *word = &words[i];
        bool may_be_value = value_may_follow;
        value_may_follow = false;
        /* tar's first word may be its options without the dash: tar xzf a.tgz. */
        bool tar_key = i == 0 && spec->handler == AG_HANDLER_TAR && !is_option_word(word)
                       && !word->dynamic;
        /* lha xw=DIR a.lzh, but lha a.lzh alone lists a.lzh. */
        bool dashless_key = i == 0 && count > 1 && spec->dashless_first
                            && !is_option_word(word) && !word->dynamic;
        bool dash_dash = word->text[0] == '-' && strcmp(word->text, "--") == 0;
        if (!options_done && (may_be_option(word) || negates_options(spec, word)))
            parsed->reads_undone = true;
        parsed->dynamic_option |= !options_done && may_be_option(word);
        if (!options_done && dash_dash && !word->dynamic) {
            options_done = true;
            parsed->dash_dash = true;
            parsed->items_before_dash_dash = parsed->count;
        } else if (!options_done && (is_option_word(word) || tar_key || dashless_key)) {
            saw_option = true;
            value_may_follow = spec->subcommand_count > 0 && !tar_key && !dashless_key
                             && ag_effect_option_may_take_next(spec, word);
            bool long_form = !tar_key && !dashless_key
                             && (word->text[1] == '-' || spec->single_dash_long);
            if (tar_key)
                i += parse_tar_key(parsed, spec, words, count, i);
            else if (dashless_key)
                i += parse_short(parsed, spec, words, count, i, 0, &end);
            else if (long_form ? parse_long(arena, parsed, spec, words, count, i, &end, &status)
                               : parse_short(parsed, spec, words, count, i, 1, &end))
                i++;
            if (status != AG_OK)
                return status;
        } else if (spec->stop_at_option && saw_option && operands > 0) {
            /* find -L DIR: options before the first operand (-H, -L, -P, -D) keep the operands. */
            continue;
        } else if (operands == 0
                   && (parsed->subcommand = ag_effect_subcommand_find(spec, word)) != NULL) {
            parsed->subcommand_words = words + i + 1;
            parsed->subcommand_count = count - i - 1;
            return AG_OK;
        } else {
            note_later_subcommand(parsed, spec, word, count - i - 1, operands, possible_values);
            push(parsed, word, word->text, word->length, AG_ROLE_NONE, NULL);
            operands++;
            possible_values += may_be_value;
            /*
             * ssh reads options again after its host, up to the remote command.
             * An operand that may be the value of the option before it leaves
             * the options open too, because the command may read more options
             * after that value (pip --use-feature x -q install).
             */
            bool host_first = spec->operand_count > 0 && spec->operands[0] == AG_ROLE_HOST;
            if (spec->options_first && (operands > 1 || !host_first) && !may_be_value)
                options_done = true;
        }
    }
    return AG_OK;
}

static bool has_scheme(const char *text, size_t length)
{
    for (size_t i = 0; i + 3 <= length; i++) {
        if (memcmp(text + i, "://", 3) == 0)
            return true;
    }
    return false;
}

/*
 * Splits `text` at ":" into at most `max` fields, keeping a bracketed IPv6
 * address whole. Returns the number of fields.
 */
static size_t split_colons(const char *text, size_t length, const char **fields,
                           size_t *lengths, size_t max)
{
    size_t count = 0, start = 0;
    bool bracket = false;
    for (size_t i = 0; i <= length && count < max; i++) {
        if (i < length && text[i] == '[')
            bracket = true;
        else if (i < length && text[i] == ']')
            bracket = false;
        if (i < length && (text[i] != ':' || bracket))
            continue;
        fields[count] = text + start;
        lengths[count++] = i - start;
        start = i + 1;
    }
    return count;
}

static bool starts_with_caseless(const char *text, size_t length, const char *prefix)
{
    size_t n = strlen(prefix);
    return length >= n && strncasecmp(text, prefix, n) == 0;
}

/*
 * Reads the next argument of an ssh -o value at *cursor into arena text
 * (*value), as ssh reads the arguments of a configuration line.
 */
static ag_status next_ssh_argument(ag_extractor *ex, const char **cursor, const char **value,
                                   size_t *length, ag_ssh_argument *found)
{
    *value = NULL;
    *found = AG_SSH_ARGUMENT_END;
    if (*cursor == NULL)
        return AG_OK;
    char *text = ag_arena_alloc(ex->arena, strlen(*cursor) + 1);
    if (text == NULL)
        return AG_ERR_NOMEM;
    *found = ag_ssh_option_next_argument(cursor, text, length);
    *value = text;
    return AG_OK;
}

/*
 * Adds the file that ssh opens for a file argument of an -o key. ssh
 * expands a leading `~` as ag_extractor_add_path() does, and replaces
 * %TOKENs (%d is the home directory, %h the host) and ${NAME} variables,
 * which become unknown parts here.
 */
static ag_status add_ssh_path(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word,
                              const char *name, size_t length)
{
    char *path = ag_arena_alloc(ex->arena, length + 1);
    if (path == NULL)
        return AG_ERR_NOMEM;
    size_t out = 0;
    for (size_t i = 0; i < length; i++) {
        if (name[i] == '%' && i + 1 < length && name[i + 1] == '%') {
            path[out++] = '%';
            i++;
        } else if (name[i] == '%') {
            path[out++] = AG_DYNAMIC_MARK;
            i++;
        } else if (name[i] == '$' && i + 1 < length && name[i + 1] == '{') {
            const char *close = memchr(name + i, '}', length - i);
            path[out++] = AG_DYNAMIC_MARK;
            i = close != NULL ? (size_t)(close - name) : length;
        } else {
            path[out++] = name[i];
        }
    }
    path[out] = '\0';

    ag_shell_word file = *word;
    file.text = path;
    file.length = out;
    file.first_variable = AG_WORD_VARIABLE_NONE;
    return ag_extractor_add_path(ex, kind, &file, path, out);
}

/*
 * Adds the files named by the arguments of an ssh -o key of kind
 * AG_SSH_OPTION_READ, _READ_WRITE or _AGENT. `none` names no file, and
 * IdentityAgent also takes SSH_AUTH_SOCK (the agent ssh uses anyway) and
 * $NAME (a socket path in an environment variable, unknown here).
 */
static ag_status add_ssh_files(ag_extractor *ex, const ag_shell_word *word, const char *rest,
                               ag_ssh_option_kind kind)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    for (;;) {
        const char *value;
        size_t length;
        ag_ssh_argument found;
        ag_status status = next_ssh_argument(ex, &rest, &value, &length, &found);
        if (status != AG_OK || found != AG_SSH_ARGUMENT_WORD)
            return status;
        if (strcmp(value, "none") == 0)
            continue;
        if (kind == AG_SSH_OPTION_AGENT && strcmp(value, "SSH_AUTH_SOCK") == 0)
            continue;

        if (kind == AG_SSH_OPTION_AGENT && value[0] == '$' && value[1] != '{')
            status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
        else
            status = add_ssh_path(ex, AG_EFFECT_READ, word, value, length);
        if (status == AG_OK && kind == AG_SSH_OPTION_READ_WRITE)
            status = add_ssh_path(ex, AG_EFFECT_WRITE, word, value, length);
        if (status != AG_OK)
            return status;
    }
}

/*
 * Adds the agent socket of ssh -o ForwardAgent, which the remote host may
 * then use to sign with every key the agent holds. `yes` and `true` forward
 * the socket that SSH_AUTH_SOCK names, and `no` and `false` none (readconf.c
 * of OpenSSH 9.2, in any case). Any other value is a socket path, expanded
 * as an IdentityAgent path is; SSH_AUTH_SOCK and $NAME count as unknown
 * sockets, as `yes` does.
 */
static ag_status add_ssh_agent_forward(ag_extractor *ex, const ag_shell_word *word,
                                       const char *rest)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    const char *value;
    size_t length;
    ag_ssh_argument found;
    ag_status status = next_ssh_argument(ex, &rest, &value, &length, &found);
    if (status != AG_OK || found != AG_SSH_ARGUMENT_WORD)
        return status;
    if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0)
        return AG_OK;

    bool from_environment = strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0
                            || strcmp(value, "SSH_AUTH_SOCK") == 0
                            || (value[0] == '$' && value[1] != '{');
    if (from_environment)
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
    return add_ssh_path(ex, AG_EFFECT_READ, word, value, length);
}

/*
 * Adds the hosts of ssh -o Hostname (which may contain %h tokens: unknown)
 * or ProxyJump (a list of hops). Both apply whatever host the operand
 * names, so the host operand stays contacted too.
 */
static ag_status add_ssh_hosts(ag_extractor *ex, const ag_shell_word *word, const char *rest,
                               ag_ssh_option_kind kind)
{
    const char *value;
    size_t length;
    ag_ssh_argument found;
    ag_status status = next_ssh_argument(ex, &rest, &value, &length, &found);
    if (status != AG_OK)
        return status;
    if (found != AG_SSH_ARGUMENT_WORD || length == 0 || memchr(value, '%', length) != NULL)
        return ag_extractor_add_unknown_host(ex, word);
    if (kind == AG_SSH_OPTION_HOST)
        return ag_extractor_add_host(ex, word, value, length);
    if (strcasecmp(value, "none") == 0)
        return AG_OK;

    for (size_t start = 0; start <= length && status == AG_OK;) {
        const char *comma = memchr(value + start, ',', length - start);
        size_t end = comma != NULL ? (size_t)(comma - value) : length;
        ag_shell_word hop = *word;
        hop.text = value + start;
        hop.length = end - start;
        status = ag_extractor_add_url(ex, &hop, true);
        start = end + 1;
    }
    return status;
}

static ag_status add_structured(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length, ag_effect_role role);

/*
 * Adds the Unix socket that ssh -L, -D, LocalForward or DynamicForward
 * listens on: the first field of the spec when it contains a `/`, read as
 * parse_fwd_field() in readconf.c of OpenSSH 9.2 reads it. A `[...]` field
 * is taken literally, and a `\` takes the next byte literally, so `a\/b`
 * is no path. ssh creates the socket, and with StreamLocalBindUnlink=yes
 * first deletes a file there, so the path is written. ssh expands %TOKENs
 * and ${NAME} in it but not `~`. A first field known only at run time may
 * be a path too.
 */
static ag_status add_listen_socket(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    char *field = ag_arena_alloc(ex->arena, length + 3);
    if (field == NULL)
        return AG_ERR_NOMEM;
    size_t out = 0;
    bool is_path = false;
    const char *close = length > 0 && text[0] == '[' ? memchr(text, ']', length) : NULL;
    if (close != NULL) {
        out = (size_t)(close - text) - 1;
        memcpy(field, text + 1, out);
        is_path = memchr(field, '/', out) != NULL;
    }
    for (size_t i = 0; close == NULL && i < length && text[i] != ':'; i++) {
        if (text[i] == '\\' && i + 1 < length)
            i++;
        else
            is_path |= text[i] == '/' || text[i] == AG_DYNAMIC_MARK;
        field[out++] = text[i];
    }
    if (!is_path)
        return AG_OK;

    /* `./` keeps a leading `~` a directory name, as ssh reads it. */
    if (field[0] == '~') {
        memmove(field + 2, field, out);
        memcpy(field, "./", 2);
        out += 2;
    }
    return add_ssh_path(ex, AG_EFFECT_WRITE, word, field, out);
}

/*
 * Adds the host of ssh -o LocalForward or RemoteForward, whose arguments
 * are [BIND:]PORT and HOST:HOSTPORT. ssh joins them with a `:` and reads
 * the result as -L and -R read their value (readconf.c), so they are read
 * the same way here. A RemoteForward with one argument is a SOCKS proxy
 * that names no host. The first argument of LocalForward and DynamicForward
 * (`local`) may be a socket that ssh creates.
 */
static ag_status add_ssh_forward(ag_extractor *ex, const ag_shell_word *word, const char *rest,
                                 bool local)
{
    const char *listen;
    const char *target;
    size_t listen_length;
    size_t target_length;
    ag_ssh_argument found;
    ag_status status = next_ssh_argument(ex, &rest, &listen, &listen_length, &found);
    if (status != AG_OK || found != AG_SSH_ARGUMENT_WORD)
        return status;
    if (local)
        status = add_listen_socket(ex, word, listen, listen_length);
    if (status == AG_OK)
        status = next_ssh_argument(ex, &rest, &target, &target_length, &found);
    if (status != AG_OK || found != AG_SSH_ARGUMENT_WORD)
        return status;

    const char *joined = ag_arena_printf(ex->arena, "%s:%s", listen, target);
    if (joined == NULL)
        return AG_ERR_NOMEM;
    return add_structured(ex, word, joined, strlen(joined), AG_ROLE_FORWARD);
}

/*
 * Adds the socket of ssh -S PATH, which is ControlPath: read, and written
 * when ssh is the master. ssh expands `~` and %TOKENs in it as in
 * -o ControlPath, and `none` names no socket.
 */
static ag_status add_ssh_control_path(ag_extractor *ex, const ag_shell_word *word,
                                      const char *text, size_t length)
{
    if (length == 4 && memcmp(text, "none", 4) == 0)
        return AG_OK;
    ag_status status = add_ssh_path(ex, AG_EFFECT_READ, word, text, length);
    if (status == AG_OK)
        status = add_ssh_path(ex, AG_EFFECT_WRITE, word, text, length);
    return status;
}

/* Returns the target of the last effect added since `before`, or NULL when none was. */
static const char *added_target(const ag_extractor *ex, size_t before)
{
    return ex->out->count > before ? ex->out->items[ex->out->count - 1].target : NULL;
}

/*
 * Adds the library or program of an ssh -o key of kind
 * AG_SSH_OPTION_PROGRAM as a run file, as for ssh -I LIB, so that a request
 * that writes it and then has ssh load it gets ask. `none` and `internal` (the
 * built-in security key support) name no file. ssh reads a SecurityKeyProvider
 * of the form $NAME from the environment (ssh.c), so that file is unknown here.
 * NOTE: a leading `~` is read as the home directory, as for IdentityFile.
 * OpenSSH 9 passes a PKCS11Provider path to dlopen() without expanding it.
 */
static ag_status add_ssh_program(ag_extractor *ex, const ag_shell_word *word, const char *rest)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    const char *value;
    size_t length;
    ag_ssh_argument found;
    ag_status status = next_ssh_argument(ex, &rest, &value, &length, &found);
    if (status != AG_OK || found != AG_SSH_ARGUMENT_WORD)
        return status;
    if (strcmp(value, "none") == 0 || strcmp(value, "internal") == 0)
        return AG_OK;

    size_t before = ex->out->count;
    if (value[0] == '$' && value[1] != '{')
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
    else
        status = add_ssh_path(ex, AG_EFFECT_READ, word, value, length);
    const char *path = added_target(ex, before);
    if (status != AG_OK || path == NULL)
        return status;
    return ag_extractor_note_program(ex, path) ? AG_OK : AG_ERR_NOMEM;
}

/*
 * ssh -o KEY=VALUE, -o "KEY VALUE": the key is read as ssh reads it
 * (lib/eval/ssh_options.c). Keys that run something are flagged when the
 * command is unwrapped, and those that name files or hosts are effects.
 */
static ag_status add_ssh_option(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    const char *rest;
    ag_ssh_option_kind kind = ag_ssh_option_read(text, length, &rest);
    switch (kind) {
    case AG_SSH_OPTION_READ:
    case AG_SSH_OPTION_READ_WRITE:
    case AG_SSH_OPTION_AGENT:
        return add_ssh_files(ex, word, rest, kind);
    case AG_SSH_OPTION_FORWARD_AGENT:
        return add_ssh_agent_forward(ex, word, rest);
    case AG_SSH_OPTION_PROGRAM:
        return add_ssh_program(ex, word, rest);
    case AG_SSH_OPTION_HOST:
    case AG_SSH_OPTION_JUMP:
        return add_ssh_hosts(ex, word, rest, kind);
    case AG_SSH_OPTION_FORWARD:
    case AG_SSH_OPTION_LOCAL_FORWARD:
        return add_ssh_forward(ex, word, rest, kind == AG_SSH_OPTION_LOCAL_FORWARD);
    default:
        return AG_OK;
    }
}

/* git -c KEY=VALUE: a proxy names a host; a URL (url.BASE.insteadOf, remote.NAME.url) any host. */
static ag_status add_git_config(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    const char *equals = memchr(text, '=', length);
    size_t key = equals != NULL ? (size_t)(equals - text) : length;
    bool proxy = key >= 5 && strncasecmp(text + key - 5, "proxy", 5) == 0;
    if (proxy && equals != NULL) {
        ag_shell_word value = *word;
        value.text = equals + 1;
        value.length = length - key - 1;
        return ag_extractor_add_url(ex, &value, true);
    }
    if (proxy || starts_with_caseless(text, key, "url.") || starts_with_caseless(text, key, "remote.")
        || starts_with_caseless(text, key, "core.gitproxy")
        || starts_with_caseless(text, key, "core.sshcommand"))
        return ag_extractor_add_unknown_host(ex, word);
    return AG_OK;
}

/*
 * socat ADDRESS: TCP:host:port, OPENSSL:host:port, SOCKS4:proxy:host:port
 * and the like contact hosts; listening, files, programs and standard
 * streams do not. An address type not known to be local counts as
 * contacting its second field.
 */
/*
 * Adds the file that a socat address names, as a read and a write: an
 * address works in both directions unless -u or -U picks one, and CREATE
 * and OPEN write. These are FILE, OPEN, CREATE, GOPEN, PIPE and the UNIX
 * and LOCAL socket types with a path after the colon, and an address with
 * no keyword that contains a `/`, which socat opens as GOPEN. Returns
 * AG_OK with *handled false for any other address.
 */
static ag_status add_socat_file(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length, bool *handled)
{
    static const char *const file_types[] = {"FILE:", "OPEN:", "CREATE:", "GOPEN:", "PIPE:",
                                             "UNIX-", "UNIX:", "LOCAL:", NULL};
    const char *path = NULL;
    size_t path_length = 0;
    for (const char *const *type = file_types; *type != NULL && path == NULL; type++) {
        if (!starts_with_caseless(text, length, *type))
            continue;
        const char *colon = memchr(text, ':', length);
        path = colon != NULL ? colon + 1 : NULL;
    }
    if (path == NULL && memchr(text, ':', length) == NULL && memchr(text, '/', length) != NULL)
        path = text;
    *handled = path != NULL;
    if (path == NULL)
        return AG_OK;

    path_length = length - (size_t)(path - text);
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, path, path_length);
    return status == AG_OK ? ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, path, path_length)
                           : status;
}

static ag_status add_socat(ag_extractor *ex, const ag_shell_word *word, const char *text,
                           size_t length)
{
    static const char *const local[] = {"STDIO", "STDIN", "STDOUT", "STDERR", "FILE", "OPEN",
                                        "CREATE", "GOPEN", "EXEC", "SYSTEM", "SHELL", "PIPE",
                                        "UNIX", "ABSTRACT", "PTY", "FD", "READLINE", "TUN",
                                        "INTERFACE", NULL};
    const char *comma = memchr(text, ',', length);
    if (comma != NULL)
        length = (size_t)(comma - text);
    bool handled = false;
    ag_status file_status = add_socat_file(ex, word, text, length, &handled);
    if (file_status != AG_OK || handled)
        return file_status;

    const char *fields[4];
    size_t lengths[4];
    size_t count = split_colons(text, length, fields, lengths, 4);
    if (count < 2)
        return AG_OK;
    for (size_t i = 0; i + 6 <= lengths[0]; i++) {
        if (strncasecmp(text + i, "listen", 6) == 0 || strncasecmp(text + i, "recv", 4) == 0)
            return AG_OK;
    }
    for (const char *const *type = local; *type != NULL; type++) {
        if (starts_with_caseless(text, lengths[0], *type))
            return AG_OK;
    }
    ag_status status = ag_extractor_add_host(ex, word, fields[1], lengths[1]);
    if (status == AG_OK && count >= 4 && (starts_with_caseless(text, lengths[0], "SOCKS")
                                          || starts_with_caseless(text, lengths[0], "PROXY")))
        status = ag_extractor_add_host(ex, word, fields[2], lengths[2]);
    return status;
}

/* The roles whose value has a structure of its own: see ag_effect_role. */
static ag_status add_structured(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length, ag_effect_role role)
{
    ag_status status = AG_OK;
    if (role == AG_ROLE_LOCAL_FORWARD) {
        status = add_listen_socket(ex, word, text, length);
        role = AG_ROLE_FORWARD;
    }
    if (status != AG_OK)
        return status;
    if (word->dynamic)
        return ag_extractor_add_unknown_host(ex, word);
    const char *fields[8];
    size_t lengths[8];
    size_t count;
    switch (role) {
    case AG_ROLE_CONNECT_TO:
        count = split_colons(text, length, fields, lengths, 4);
        if (count < 3)
            return ag_extractor_add_unknown_host(ex, word);
        return ag_extractor_add_authority(ex, word, fields[2], lengths[2]);
    case AG_ROLE_RESOLVE:
        count = split_colons(text, length, fields, lengths, 3);
        if (count < 3)
            return ag_extractor_add_unknown_host(ex, word);
        for (const char *a = fields[2], *end = text + length; a < end && status == AG_OK;) {
            const char *comma = memchr(a, ',', (size_t)(end - a));
            const char *stop = comma != NULL ? comma : end;
            status = ag_extractor_add_host(ex, word, a, (size_t)(stop - a));
            a = stop + 1;
        }
        return status;
    case AG_ROLE_SSH_OPTION:
        return add_ssh_option(ex, word, text, length);
    case AG_ROLE_FORWARD:
        /* [BIND:]PORT:HOST:HOSTPORT; a spec of one or two fields (-R PORT, socket paths) has none. */
        count = split_colons(text, length, fields, lengths, 8);
        if (count < 3)
            return AG_OK;
        return ag_extractor_add_host(ex, word, fields[count - 2], lengths[count - 2]);
    case AG_ROLE_URL_FILE:
        if (!(length == 1 && text[0] == '-'))
            status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
        if (status == AG_OK)
            status = ag_extractor_add_unknown_host(ex, word);
        return status;
    case AG_ROLE_GIT_CONFIG:
        return add_git_config(ex, word, text, length);
    case AG_ROLE_SOCAT:
        return add_socat(ex, word, text, length);
    default:
        return AG_OK;
    }
}

/*
 * Adds a host path that a container or sandbox binds: it reads and, unless
 * bound read-only, writes every file below it.
 */
static ag_status add_bound_path(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length, bool read_only)
{
    size_t first = ex->out->count;
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    if (status == AG_OK && !read_only)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, text, length);
    for (size_t i = first; i < ex->out->count; i++)
        ex->out->items[i].tree = true;
    return status;
}

/* Returns whether a bind source is a host path: a name without '/' is a docker volume. */
static bool is_host_path(const ag_shell_word *word, const char *text, size_t length)
{
    return word->dynamic || memchr(text, '/', length) != NULL
           || (length > 0 && (text[0] == '.' || text[0] == '~'));
}

/* Returns whether the comma-separated `list` contains `item`. */
static bool list_has(const char *list, size_t length, const char *item)
{
    size_t item_length = strlen(item);
    for (size_t start = 0; start <= length;) {
        const char *comma = memchr(list + start, ',', length - start);
        size_t end = comma != NULL ? (size_t)(comma - list) : length;
        if (end - start == item_length && memcmp(list + start, item, item_length) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

/*
 * docker -v HOST:GUEST[:OPTIONS], proot -b HOST[:GUEST], bwrap --bind HOST
 * GUEST: HOST is bound, read-only with the option "ro". A lone path counts
 * as HOST too: proot binds it at the same place. docker makes an anonymous
 * volume there instead, which then gives ask needlessly.
 */
static ag_status add_volume(ag_extractor *ex, const ag_shell_word *word, const char *text,
                            size_t length)
{
    const char *fields[3];
    size_t lengths[3];
    size_t count = split_colons(text, length, fields, lengths, 3);
    if (count == 0 || !is_host_path(word, fields[0], lengths[0]))
        return AG_OK;
    bool read_only = count == 3 && (list_has(fields[2], lengths[2], "ro")
                                    || list_has(fields[2], lengths[2], "readonly"));
    return add_bound_path(ex, word, fields[0], lengths[0], read_only);
}

/*
 * docker run --pid=host, --ipc=host and the like: with the host's process
 * namespace the container reads every host file through /proc/PID/root, so
 * "host", or a value known only at run time, counts as a read-write bind of "/".
 */
static ag_status add_host_namespace(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                    size_t length)
{
    if (text[0] == '=') {
        text++;
        length--;
    }
    if (!word->dynamic && !(length == 4 && memcmp(text, "host", 4) == 0))
        return AG_OK;
    return add_bound_path(ex, word, "/", 1, false);
}

/*
 * git --pathspec-from-file=FILE reads FILE ("-" is standard input), and the
 * files it names are unknown here. They are read, or written with `kind`
 * AG_EFFECT_WRITE (git rm, git checkout).
 */
static ag_status add_names_file(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word,
                                const char *text, size_t length)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    ag_status status = AG_OK;
    if (!(length == 1 && text[0] == '-'))
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    if (status == AG_OK)
        status = ag_extractor_add_path(ex, kind, word, unknown, 1);
    return status;
}

/* Returns whether `length` bytes at `text` contain `word`. */
static bool find_text_in(const char *text, size_t length, const char *word)
{
    size_t word_length = strlen(word);
    for (size_t i = 0; i + word_length <= length; i++) {
        if (memcmp(text + i, word, word_length) == 0)
            return true;
    }
    return false;
}

/*
 * Returns whether the git command before its subcommand gives only -C and
 * options that change no repository, ref or pathspec (the pager ones).
 * --git-dir, --work-tree, --namespace, -c and the pathspec options may
 * change which repository and refs git reads or which files a path names.
 */
static bool has_plain_git_options(const ag_shell_command *command)
{
    static const char *const plain[] = {"--no-pager", "-P", "-p", "--paginate",
                                        "--no-optional-locks", NULL};
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic)
            return false;
        if (word->text[0] != '-')
            return true;
        if (strcmp(word->text, "-C") == 0) {
            i++;
            continue;
        }
        const char *const *name = plain;
        while (*name != NULL && strcmp(*name, word->text) != 0)
            name++;
        if (*name == NULL)
            return false;
    }
    return false;
}

/* Returns whether a git pathspec path has a character that git's wildmatch reads. */
static bool has_wildmatch_char(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (strchr("*?[\\", text[i]) != NULL)
            return true;
    }
    return false;
}

/*
 * Returns the length of the directory part of a git glob, or 0 when it has
 * none. The directory part ends at the last "/" before the first character
 * that git's wildmatch reads ("*", "?", "[" or "\"); for the root ("/x*")
 * it is 1.
 */
static size_t glob_directory_length(const char *text, size_t length)
{
    size_t end = 0;
    for (size_t i = 0; i < length && strchr("*?[\\", text[i]) == NULL; i++) {
        if (text[i] == '/')
            end = i;
    }
    return end == 0 && length > 0 && text[0] == '/' ? 1 : end;
}

/*
 * Returns whether git's top of the work tree is the working directory, as
 * the disk shows it now: git gets no option or variable that moves it, no
 * other command of the request may run first, and the directory contains
 * .git.
 */
static bool cwd_is_work_tree_top(ag_extractor *ex)
{
    return ex->command->assignment_count == 0 && has_plain_git_options(ex->command)
           && ag_extractor_runs_first(ex) && ag_git_is_work_tree_top(ex->context.cwd);
}

/*
 * Adds `length` bytes at `path` of a pathspec, relative to the working
 * directory, or to the top of the work tree with `top` magic. A top that
 * may be another directory also adds the path below an unknown directory.
 * `tree` makes each a tree, whatever the entry's tree key is.
 */
static ag_status add_pathspec_path(ag_extractor *ex, ag_effect_kind kind,
                                   const ag_shell_word *word, bool top, const char *path,
                                   size_t length, bool tree)
{
    size_t first = ex->out->count;
    ag_status status = length == 0 ? ag_extractor_add_path(ex, kind, word, ".", 1)
                                    : ag_extractor_add_path(ex, kind, word, path, length);
    if (status == AG_OK && top && !cwd_is_work_tree_top(ex)) {
        const char *below = ag_arena_printf(ex->arena, "%c/%.*s", AG_DYNAMIC_MARK, (int)length,
                                            path);
        status = below == NULL ? AG_ERR_NOMEM
                               : ag_extractor_add_path(ex, kind, word, below, strlen(below));
    }
    for (size_t i = first; tree && i < ex->out->count; i++)
        ex->out->items[i].tree = true;
    return status;
}

/*
 * Adds a git pathspec (gitglossary(7), git 2.39). A leading ":" starts its
 * magic: short magic ("/" top, "!" or "^" exclude, then an optional ":")
 * or long magic in "(...)". The path after it is relative to the working
 * directory, or with top magic to the top of the work tree. git matches
 * "*", "?" and "[" itself, where "*" also matches "/", so unless literal
 * magic is given a glob names unknown files below its directory part, which
 * is added as a tree. icase magic matches any case, so it names the tree
 * of the working directory (or the top), and so does an exclude-only
 * pathspec, which git reads from the working directory or the top,
 * depending on the subcommand. attr magic only narrows what the path
 * names. A plain path that is a regular file, restored from the index,
 * names just that file (restores_from_index()).
 */
static ag_status add_pathspec(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    const char *text = word->text;
    size_t length = word->length;
    bool top = false;
    bool exclude = false;
    bool literal = false;
    bool icase = false;
    bool magic = length > 0 && text[0] == ':';
    if (magic) {
        size_t i = 1;
        if (i < length && text[i] == '(') {
            const char *close = memchr(text + i, ')', length - i);
            if (close == NULL)
                return ag_extractor_add_path(ex, kind, word, unknown, 1);
            size_t magic_length = (size_t)(close - text) - i - 1;
            const char *names = text + i + 1;
            top = find_text_in(names, magic_length, "top");
            exclude = find_text_in(names, magic_length, "exclude");
            literal = find_text_in(names, magic_length, "literal");
            icase = find_text_in(names, magic_length, "icase");
            i = (size_t)(close - text) + 1;
        } else {
            while (i < length && strchr("/!^", text[i]) != NULL) {
                top |= text[i] == '/';
                exclude |= text[i] != '/';
                i++;
            }
            if (i < length && text[i] == ':')
                i++;
        }
        text += i;
        length -= i;
    }

    if (exclude)
        return add_pathspec_path(ex, kind, word, true, "", 0, true);
    if (icase)
        return add_pathspec_path(ex, kind, word, top, "", 0, true);
    if (!literal && has_wildmatch_char(text, length))
        return add_pathspec_path(ex, kind, word, top, text,
                                 glob_directory_length(text, length), true);

    size_t first = ex->out->count;
    ag_status status = add_pathspec_path(ex, kind, word, top, text, length, false);
    bool single_file = status == AG_OK && kind == AG_EFFECT_WRITE && !magic
                       && ex->restores_from_index
                       && ag_git_path_is_regular_file(ex->context.cwd, text, length);
    for (size_t i = first; single_file && i < ex->out->count; i++)
        ex->out->items[i].single_file = true;
    return status;
}

/* singularity -B SPEC[,SPEC...]: each comma-separated SPEC is a volume. */
static ag_status add_volume_list(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                 size_t length)
{
    ag_status status = AG_OK;
    for (size_t start = 0; start <= length && status == AG_OK;) {
        const char *comma = memchr(text + start, ',', length - start);
        size_t end = comma != NULL ? (size_t)(comma - text) : length;
        if (end > start)
            status = add_volume(ex, word, text + start, end - start);
        start = end + 1;
    }
    return status;
}

/*
 * Returns the length of the key of a mount field that names a host path,
 * or 0: source= and src= of a bind, and the device= of the local volume
 * driver (volume-opt=device=PATH in --mount, `volume create -o
 * device=PATH`), which binds PATH once the volume is used.
 */
static size_t host_path_key(const char *field, size_t length)
{
    static const char *const keys[] = {"source=", "src=", "device=", "volume-opt=device="};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (starts_with_caseless(field, length, keys[i]))
            return strlen(keys[i]);
    }
    return 0;
}

/*
 * docker --mount type=bind,source=HOST,target=GUEST[,readonly]: HOST (also
 * src= and a volume's device=) is bound. docker reads the value as CSV,
 * where a quoted field may hide a comma, so a value with '"' binds an
 * unknown path.
 */
static ag_status add_mount(ag_extractor *ex, const ag_shell_word *word, const char *text,
                           size_t length)
{
    if (memchr(text, '"', length) != NULL)
        return add_bound_path(ex, word, "\x01", 1, false);
    bool read_only = list_has(text, length, "readonly") || list_has(text, length, "ro")
                     || list_has(text, length, "readonly=true") || list_has(text, length, "ro=true")
                     || list_has(text, length, "readonly=1") || list_has(text, length, "ro=1");
    ag_status status = AG_OK;
    for (size_t start = 0; start < length && status == AG_OK;) {
        const char *comma = memchr(text + start, ',', length - start);
        size_t end = comma != NULL ? (size_t)(comma - text) : length;
        const char *field = text + start;
        size_t key = host_path_key(field, end - start);
        if (key > 0 && is_host_path(word, field + key, end - start - key))
            status = add_bound_path(ex, word, field + key, end - start - key, read_only);
        start = end + 1;
    }
    return status;
}

/*
 * apt install ./x.deb: apt reads a word that starts with "/", "./" or
 * "../" as a package file, and any other word as a package name (bash,
 * bash/testing). The file is read, and its package's files may go
 * anywhere, so an unknown path is written. A word known only at run time,
 * or one that starts with "~", may be such a file.
 */
static ag_status add_package_file(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                  size_t length, bool *wrote)
{
    bool file = word->dynamic || (length > 0 && (text[0] == '/' || text[0] == '~'))
                || (length > 1 && memcmp(text, "./", 2) == 0)
                || (length > 2 && memcmp(text, "../", 3) == 0);
    if (!file)
        return AG_OK;
    *wrote = true;
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    if (status == AG_OK)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, "\x01", 1);
    return status;
}

/*
 * docker build --build-context NAME=PATH reads PATH. A value with a scheme
 * (docker-image://, https://) names an image or a remote context instead.
 */
static ag_status add_named_read(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length)
{
    const char *equals = memchr(text, '=', length);
    if (equals != NULL) {
        length -= (size_t)(equals - text) + 1;
        text = equals + 1;
    }
    if (has_scheme(text, length))
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
}

/*
 * docker build -o PATH, or the CSV -o type=local,dest=PATH (also type=tar):
 * the exporter writes the tree below PATH. "-" is standard output, and
 * other exporters (type=image, type=registry) write no file. A value with
 * '"' may hide a comma, so it writes an unknown path.
 */
static ag_status add_build_output(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                  size_t length)
{
    if (memchr(text, '"', length) != NULL)
        return add_bound_path(ex, word, "\x01", 1, false);
    if (memchr(text, '=', length) == NULL)
        return length == 1 && text[0] == '-' ? AG_OK : ag_extractor_add_unpack(ex, word, text, length);

    for (size_t start = 0; start < length;) {
        const char *comma = memchr(text + start, ',', length - start);
        size_t end = comma != NULL ? (size_t)(comma - text) : length;
        const char *field = text + start;
        size_t key = starts_with_caseless(field, end - start, "dest=") ? 5 : 0;
        bool stdout_dash = end - start == key + 1 && field[key] == '-';
        if (key > 0 && !stdout_dash)
            return ag_extractor_add_unpack(ex, word, field + key, end - start - key);
        start = end + 1;
    }
    return AG_OK;
}

/*
 * Adds the read of a file whose code the command runs, and notes it so that
 * a write of it by another command of the request gets ask (extract.c).
 */
static ag_status add_run_file(ag_extractor *ex, const ag_shell_word *word, const char *text,
                              size_t length)
{
    size_t before = ex->out->count;
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    const char *path = added_target(ex, before);
    if (status != AG_OK || path == NULL)
        return status;
    return ag_extractor_note_program(ex, path) ? AG_OK : AG_ERR_NOMEM;
}

/*
 * Notes the files that node tries for the script or module `path` after
 * the path itself, as require() resolves it (Node.js 18 to 22 "Modules"
 * documentation): PATH.js, .mjs, .cjs, .json and .node, and for a directory
 * its index.js or the `main` of its package.json, which may be any file
 * below it. tsx, ts-node and bun also try the TypeScript and JSX
 * extensions. Node does not, so for node they only make the check stricter.
 */
static bool note_node_candidates(ag_extractor *ex, const char *path)
{
    static const char *const extensions[] = {".js", ".mjs", ".cjs", ".json", ".node", ".ts",
                                             ".mts", ".cts", ".tsx", ".jsx"};
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        const char *file = ag_arena_printf(ex->arena, "%s%s", path, extensions[i]);
        if (file == NULL || !ag_extractor_note_program(ex, file))
            return false;
    }
    return ag_extractor_note_program_tree(ex, path);
}

/*
 * Adds the script of `node x` or the module of `node -r NAME` as a run
 * file, with the files node resolves it to and the package NAME may name
 * (lookup.c).
 */
static ag_status add_required_module(ag_extractor *ex, const ag_shell_word *word,
                                     const char *text, size_t length)
{
    size_t before = ex->out->count;
    ag_status status = add_run_file(ex, word, text, length);
    if (status != AG_OK || word->dynamic)
        return status;
    const char *path = added_target(ex, before);
    if (path != NULL && !note_node_candidates(ex, path))
        return AG_ERR_NOMEM;
    return ag_extractor_note_node_package(ex, text, length);
}

/*
 * Adds a Python module named by an operand or option (unittest NAME,
 * flask --app NAME:app, pydoc NAME). A word with '/' or ending in ".py" is
 * a file; any other word is a dotted module name, whose files in the working
 * directory come first on sys.path. Text from ':' or '(' on names an
 * attribute or a call (flask --app "x:create_app()").
 */
static ag_status add_python_module(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    size_t name_length = 0;
    while (name_length < length && text[name_length] != ':' && text[name_length] != '(')
        name_length++;
    bool file = memchr(text, '/', name_length) != NULL
                || (name_length > 3 && memcmp(text + name_length - 3, ".py", 3) == 0);
    if (file)
        return add_run_file(ex, word, text, name_length);
    return ag_extractor_note_module_files(ex, word, text, name_length);
}

/*
 * Returns whether a package operand names a local directory (npx ./tool, npm
 * install ../lib, pip install ./pkg): "." or "..", or a word that starts
 * with "./", "../" or "~/". An absolute path is left out, because it is
 * also the form of an API endpoint (gh api /user).
 */
static bool names_local_package(const char *text, size_t length)
{
    if ((length == 1 && text[0] == '.') || (length == 2 && memcmp(text, "..", 2) == 0))
        return true;
    return (length >= 2 && (memcmp(text, "./", 2) == 0 || memcmp(text, "~/", 2) == 0))
           || (length >= 3 && memcmp(text, "../", 3) == 0);
}

/*
 * Adds a local package directory, or the environment of conda run -p, as a
 * read, and notes the tree below it as code that the command runs. npx runs
 * its bin, and npm and pip install run its build and lifecycle scripts.
 * conda run puts the environment's bin first on PATH.
 */
static ag_status add_local_package(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    size_t before = ex->out->count;
    ag_status status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    const char *path = added_target(ex, before);
    if (status != AG_OK || path == NULL)
        return status;
    return ag_extractor_note_program_tree(ex, path) ? AG_OK : AG_ERR_NOMEM;
}

/*
 * Notes a tree at a place known only at run time as code that the command
 * runs, so every write by another command of the request counts (extract.c).
 */
static ag_status add_unknown_tree(ag_extractor *ex)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    return ag_extractor_note_program_tree(ex, unknown) ? AG_OK : AG_ERR_NOMEM;
}

/*
 * Adds the environment whose activation scripts (ENV/etc/conda/activate.d)
 * conda activate ENV runs. conda's activate.py reads a word with '/' or
 * '\\' as a prefix, whose tree counts as for conda run -p. Any other word
 * names an environment in one of conda's envs_dirs ("base" and "root" the
 * base environment), whose place the checker does not know, so every write
 * counts. A word known only at run time may be either.
 */
static ag_status add_environment(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                 size_t length)
{
    bool prefix = memchr(text, '/', length) != NULL || memchr(text, '\\', length) != NULL;
    if (word->dynamic || prefix) {
        ag_status status = add_local_package(ex, word, text, length);
        if (status != AG_OK || !word->dynamic)
            return status;
    }
    return add_unknown_tree(ex);
}

/* Returns whether `word` names a listed option, with a value only where the option takes one. */
static bool names_listed_option(const ag_effect_spec *spec, const ag_shell_word *word)
{
    const char *equals = memchr(word->text, '=', word->length);
    size_t name_length = equals != NULL ? (size_t)(equals - word->text) : word->length;
    const ag_effect_option *option = ag_effect_option_find(spec, word->text, name_length);
    if (option != NULL)
        return equals == NULL || ag_effect_option_takes_value(option);

    /* A short option with its value attached (-p./env). */
    option = word->length > 2 && word->text[1] != '-' ? ag_effect_option_find(spec, word->text, 2)
                                                      : NULL;
    return option != NULL && ag_effect_option_takes_value(option);
}

/*
 * Adds the environment that an option word of conda activate names. conda's
 * activate.py takes only --stack, --no-stack, --dev and the help flags and
 * reads any other word as the environment, so `conda activate -e` names
 * the environment "-e" and `conda activate --stack=./env` the prefix
 * "--stack=./env". A word that names an option the entry lists (micromamba's
 * -p and -n) keeps its meaning.
 */
static ag_status add_option_environments(ag_extractor *ex, const ag_effect_spec *spec,
                                         const ag_shell_word *words, size_t count)
{
    if (spec->operand_count == 0 || spec->operands[0] != AG_ROLE_ENVIRONMENT)
        return AG_OK;

    for (size_t i = 0; i < count; i++) {
        const ag_shell_word *word = &words[i];
        if (word->text[0] != '-' || names_listed_option(spec, word))
            continue;
        ag_status status = add_environment(ex, word, word->text, word->length);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/*
 * Adds the script of `python DIR/x.py` as a run file, and notes the *.py
 * files beside it, which shadow standard modules (lookup.c).
 */
static ag_status add_python_script(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    size_t before = ex->out->count;
    ag_status status = add_run_file(ex, word, text, length);
    const char *path = added_target(ex, before);
    if (status != AG_OK || path == NULL)
        return status;
    return ag_extractor_note_script_directory(ex, path) ? AG_OK : AG_ERR_NOMEM;
}

/*
 * git show REV:PATH and :[N:]PATH print PATH as a commit or the index has
 * it, so PATH is read. Git takes PATH from the top of the repository
 * unless it starts with ./ or ../, while it is resolved against the
 * working directory here, which is exact at the top of the repository.
 * :/TEXT names a commit by its message and reads nothing, and so does a
 * revision without ':'. A word with a part known only at run time before
 * its first literal ':' may hold that colon, so it is an unknown read.
 */
static ag_status add_rev_path(ag_extractor *ex, const ag_shell_word *word, const char *text,
                              size_t length)
{
    const char *colon = memchr(text, ':', length);
    size_t before = colon != NULL ? (size_t)(colon - text) : length;
    if (memchr(text, AG_DYNAMIC_MARK, before) != NULL)
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, text, length);
    if (colon == NULL)
        return AG_OK;

    const char *path = colon + 1;
    const char *end = text + length;
    if (colon == text && path < end && *path == '/')
        return AG_OK;
    if (colon == text && end - path >= 2 && path[0] >= '0' && path[0] <= '3' && path[1] == ':')
        path += 2;  /* :2:PATH, a stage of a conflicted merge */
    if (path == end)
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, ".", 1);  /* HEAD: lists the top */
    return ag_extractor_add_path(ex, AG_EFFECT_READ, word, path, (size_t)(end - path));
}

/* Returns whether a curl output name contains "#N", which curl replaces with a glob's text. */
static bool names_glob_match(const char *text, size_t length)
{
    for (size_t i = 0; i + 1 < length; i++) {
        if (text[i] == '#' && isdigit((unsigned char)text[i + 1]))
            return true;
    }
    return false;
}

/*
 * Returns whether `text`, the value of curl's `option`, is an upload file
 * name with a URL glob ({a,b} or [a-z]), which curl expands as it expands
 * one in a URL (curl 7.88).
 */
static bool names_upload_glob(const ag_effect_option *option, const char *text, size_t length)
{
    if (strcmp(option->name, "-T") != 0 && strcmp(option->name, "--upload-file") != 0)
        return false;
    return memchr(text, '{', length) != NULL || memchr(text, '[', length) != NULL;
}

/* Adds the effect of one argument whose role is known. */
static ag_status add_argument(ag_extractor *ex, const ag_effect_spec *spec, const argument *arg,
                              ag_effect_role role, bool *wrote, bool *contacted)
{
    const ag_shell_word *word = arg->word;
    bool whole_word = arg->text == word->text && arg->length == word->length;
    if (role == AG_ROLE_VOLUME || role == AG_ROLE_MOUNT || role == AG_ROLE_VOLUME_LIST) {
        *wrote = true;
        /* Go's flag parsers (docker, podman, singularity) drop the '=' of `-v=PATH`. */
        const char *text = arg->text;
        size_t length = arg->length;
        if (length > 0 && text[0] == '=') {
            text++;
            length--;
        }
        if (role == AG_ROLE_VOLUME_LIST)
            return add_volume_list(ex, word, text, length);
        return role == AG_ROLE_VOLUME ? add_volume(ex, word, text, length)
                                      : add_mount(ex, word, text, length);
    }
    if (role == AG_ROLE_PACKAGE_FILE)
        return add_package_file(ex, word, arg->text, arg->length, wrote);
    if (role == AG_ROLE_NAMED_READ)
        return add_named_read(ex, word, arg->text, arg->length);
    if (role == AG_ROLE_BUILD_OUTPUT) {
        *wrote = true;
        return add_build_output(ex, word, arg->text, arg->length);
    }
    if (role == AG_ROLE_UNPACK) {
        *wrote = true;
        return ag_extractor_add_unpack(ex, word, arg->text, arg->length);
    }
    if (role == AG_ROLE_HOST_NAMESPACE) {
        *wrote = true;
        return add_host_namespace(ex, word, arg->text, arg->length);
    }
    if (role == AG_ROLE_NAMES_FILE)
        return add_names_file(ex, AG_EFFECT_READ, word, arg->text, arg->length);
    if (role == AG_ROLE_REV_PATH)
        return add_rev_path(ex, word, arg->text, arg->length);
    if (role == AG_ROLE_SSH_CONTROL_PATH)
        return add_ssh_control_path(ex, word, arg->text, arg->length);
    if (role >= AG_ROLE_CONNECT_TO) {
        *contacted = true;
        return add_structured(ex, word, arg->text, arg->length, role);
    }
    bool stdin_dash = arg->length == 1 && arg->text[0] == '-' && !word->dynamic;
    if (stdin_dash)
        return AG_OK;

    /* curl -o "#1" puts the text a URL glob matched, which may hold a '/', into the name. */
    if (role == AG_ROLE_WRITE && spec->handler == AG_HANDLER_CURL && ex->url_globbing
        && names_glob_match(arg->text, arg->length)) {
        static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
        *wrote = true;
        return ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, unknown, 1);
    }

    /* curl -T '{a,.env}' and -T '.en[v-w]' upload each file that the glob names. */
    if (role == AG_ROLE_READ && spec->handler == AG_HANDLER_CURL && ex->url_globbing
        && arg->option != NULL && names_upload_glob(arg->option, arg->text, arg->length)) {
        static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, unknown, 1);
    }

    switch (role) {
    case AG_ROLE_RUN:
        return add_run_file(ex, word, arg->text, arg->length);
    case AG_ROLE_REQUIRE:
        return add_required_module(ex, word, arg->text, arg->length);
    case AG_ROLE_MODULE:
        return add_python_module(ex, word, arg->text, arg->length);
    case AG_ROLE_PYTHON_SCRIPT:
        return add_python_script(ex, word, arg->text, arg->length);
    case AG_ROLE_PACKAGE:
        if (!word->dynamic && names_local_package(arg->text, arg->length))
            return add_local_package(ex, word, arg->text, arg->length);
        break;
    case AG_ROLE_RUN_TREE:
        return add_local_package(ex, word, arg->text, arg->length);
    case AG_ROLE_ENV_NAME:
        return add_unknown_tree(ex);
    case AG_ROLE_ENVIRONMENT:
        return add_environment(ex, word, arg->text, arg->length);
    case AG_ROLE_READ:
    case AG_ROLE_WRITE:
        if (spec->remote_operands && whole_word && has_scheme(word->text, word->length)) {
            *contacted = true;     /* rsync://host/module, scp://host/path */
            return ag_extractor_add_url(ex, word, false);
        }
        if (spec->remote_operands && whole_word && ag_word_is_remote_path(word)) {
            *contacted = true;
            return ag_extractor_add_remote_path(ex, word);
        }
        *wrote |= role == AG_ROLE_WRITE;
        if (spec->pathspecs && whole_word && arg->option == NULL && !word->dynamic)
            return add_pathspec(ex, role == AG_ROLE_READ ? AG_EFFECT_READ : AG_EFFECT_WRITE,
                                word);
        return ag_extractor_add_path(ex, role == AG_ROLE_READ ? AG_EFFECT_READ : AG_EFFECT_WRITE,
                                     word, arg->text, arg->length);
    case AG_ROLE_CHDIR:
        return ag_extractor_add_path(ex, AG_EFFECT_CHDIR, word, arg->text, arg->length);
    case AG_ROLE_URL:
    case AG_ROLE_HOST:
    case AG_ROLE_REMOTE:
        break;
    default:
        return AG_OK;
    }

    /* The rest name hosts. An option value inside a word (--url=x) is parsed as a word of its own. */
    ag_shell_word value = *word;
    value.text = arg->text;
    value.length = arg->length;
    bool url = has_scheme(value.text, value.length);
    size_t before = ex->out->count;
    ag_status status = AG_OK;
    if (role == AG_ROLE_URL || (url && role != AG_ROLE_HOST)) {
        status = ag_extractor_add_url(ex, &value, true);
    } else if (role == AG_ROLE_HOST) {
        status = ag_extractor_add_url(ex, &value, true);
    } else if (role == AG_ROLE_REMOTE && ag_word_is_remote_path(&value)) {
        status = ag_extractor_add_remote_path(ex, &value);
    } else if (role == AG_ROLE_REMOTE && memchr(value.text, '/', value.length) != NULL) {
        return ag_extractor_add_path(ex, AG_EFFECT_READ, word, value.text, value.length);
    } else if (value.dynamic) {
        /* A word known only at run time may be a URL to any host. */
        status = ag_extractor_add_host(ex, word, "\x01", 1);
    }
    *contacted |= ex->out->count > before;
    return status;
}

/*
 * curl -d @FILE, -F name=@FILE, -F name=<FILE, openssl -passin file:FILE:
 * the part after @, < or file: is a file read.
 */
/*
 * Returns where FILE starts in curl's NAME@FILE (--data-urlencode,
 * --variable), or 0. NAME is letters, digits, '_', '-' and '.'; text such
 * as an e-mail address reads as one too, which only adds a read.
 */
static size_t name_at_file(const char *text, size_t length)
{
    size_t name = strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
    return name > 0 && name + 1 < length && text[name] == '@' ? name + 1 : 0;
}

static ag_status add_data(ag_extractor *ex, const argument *arg)
{
    const char *text = arg->text;
    size_t length = arg->length;
    const char *equals = memchr(text, '=', length);
    size_t at = 0;
    if (length > 0 && (text[0] == '@' || text[0] == '<'))
        at = 1;
    else if (length > 5 && memcmp(text, "file:", 5) == 0)
        at = 5;
    else if (equals != NULL && (size_t)(equals - text) + 1 < length
             && (equals[1] == '@' || equals[1] == '<'))
        at = (size_t)(equals - text) + 2;
    else if (equals == NULL)
        at = name_at_file(text, length);
    if (at == 0)
        return AG_OK;

    /* The file name is the whole rest: curl -d '@x;/../.env' reads "x;/../.env". */
    if (length - at == 1 && text[at] == '-')
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_READ, arg->word, text + at, length - at);
}

static bool is_form_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * Reads one word of a curl -F value at text[*position] as get_param_word()
 * in tool_formparse.c of curl 7.88 reads it, and moves *position to the
 * ';', `stop` or end after it. Blanks before the word are skipped. A word
 * in double quotes ends at the closing quote, and inside it a backslash
 * escapes a backslash or a quote. Any other word ends at ';' or `stop`,
 * without its trailing blanks. Stores the word, unescaped, in `out`.
 */
static size_t read_form_word(const char *text, size_t length, size_t *position, char stop,
                             char *out)
{
    size_t i = *position;
    while (i < length && is_form_blank(text[i]))
        i++;

    size_t out_length = 0;
    if (i < length && text[i] == '"') {
        size_t j = i + 1;
        for (; j < length && text[j] != '"'; j++) {
            if (text[j] == '\\' && j + 1 < length && (text[j + 1] == '\\' || text[j + 1] == '"'))
                j++;
            out[out_length++] = text[j];
        }
        if (j < length) {
            while (j < length && text[j] != ';' && text[j] != stop)
                j++;
            *position = j;
            return out_length;
        }
        out_length = 0;     /* no closing quote: curl reads the word as unquoted */
    }

    while (i < length && text[i] != ';' && text[i] != stop)
        out[out_length++] = text[i++];
    *position = i;
    while (out_length > 0 && is_form_blank(out[out_length - 1]))
        out_length--;
    return out_length;
}

/* Adds a read of the file a curl -F word names; "-" is standard input. */
static ag_status add_form_file(ag_extractor *ex, const argument *arg, const char *name,
                               size_t length)
{
    if (length == 0 || (length == 1 && name[0] == '-'))
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_READ, arg->word, name, length);
}

/*
 * Adds the header files of the parameters in text[start, end): each
 * ";headers=@FILE" or ";headers=<FILE", with "headers" in any case. Every
 * ';' counts, also one inside a quoted parameter value, which can only add
 * a read.
 */
static ag_status add_form_header_files(ag_extractor *ex, const argument *arg, size_t start,
                                       size_t end, char stop, char *buffer)
{
    const char *text = arg->text;
    ag_status status = AG_OK;
    for (size_t i = start; i < end && status == AG_OK; i++) {
        if (text[i] != ';')
            continue;
        size_t p = i + 1;
        while (p < end && is_form_blank(text[p]))
            p++;
        if (end - p < 9 || strncasecmp(text + p, "headers=", 8) != 0
            || (text[p + 8] != '@' && text[p + 8] != '<'))
            continue;
        p += 9;
        size_t length = read_form_word(text, end, &p, stop, buffer);
        status = add_form_file(ex, arg, buffer, length);
    }
    return status;
}

/*
 * Adds the files that curl -F NAME=CONTENT reads, as tool_formparse.c of
 * curl 7.88 parses CONTENT (checked with curl 7.88.1 against a local
 * server). "@FILE,FILE;type=...,FILE" uploads each FILE of the
 * comma-separated list, "<FILE" sends the text of FILE, and any part may
 * read headers from ";headers=@FILE" or ";headers=<FILE". The file words
 * are read as read_form_word() reads them. A ',' inside a quoted parameter
 * value also starts a file here, which can only add a read.
 */
static ag_status add_form_files(ag_extractor *ex, const argument *arg)
{
    const char *text = arg->text;
    size_t length = arg->length;
    const char *equals = memchr(text, '=', length);
    if (equals == NULL)
        return AG_OK;     /* curl rejects a -F value without '=' */
    char *buffer = ag_arena_alloc(ex->arena, length + 1);
    if (buffer == NULL)
        return AG_ERR_NOMEM;

    size_t position = (size_t)(equals - text) + 1;
    char marker = position < length ? text[position] : '\0';
    char stop = marker == '@' ? ',' : '\0';
    if (marker != '@' && marker != '<')
        return add_form_header_files(ex, arg, position, length, stop, buffer);

    ag_status status = AG_OK;
    do {
        position++;     /* past the '@', '<' or ',' */
        size_t name_length = read_form_word(text, length, &position, stop, buffer);
        status = add_form_file(ex, arg, buffer, name_length);

        size_t part_end = position;
        while (part_end < length && text[part_end] != stop)
            part_end++;
        if (status == AG_OK)
            status = add_form_header_files(ex, arg, position, part_end, stop, buffer);
        position = part_end;
    } while (status == AG_OK && marker == '@' && position < length);
    return status;
}

/*
 * curl -b NAME=VALUE sends a cookie; a value without '=' names a cookie file
 * it reads, and an empty one only turns the cookie engine on.
 */
static ag_status add_cookie_file(ag_extractor *ex, const argument *arg)
{
    if (arg->length == 0 || memchr(arg->text, '=', arg->length) != NULL)
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_READ, arg->word, arg->text, arg->length);
}

/*
 * Adds the files of curl's --write-out FORMAT. Since curl 8.3,
 * %output{FILE} sends the rest of the output to FILE and %output{>>FILE}
 * appends to it, so the request writes FILE with text it chooses. A format
 * read from a file (@FILE, or @- for stdin) or known only at run time may
 * hold such a directive, so it writes an unknown path.
 */
static ag_status add_write_out(ag_extractor *ex, const argument *arg)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    static const char directive[] = "%output{";
    const size_t directive_length = sizeof(directive) - 1;
    const char *text = arg->text;
    size_t length = arg->length;
    ag_status status = AG_OK;
    if (length > 0 && text[0] == '@') {
        if (!(length == 2 && text[1] == '-'))
            status = ag_extractor_add_path(ex, AG_EFFECT_READ, arg->word, text + 1, length - 1);
        if (status == AG_OK)
            status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, arg->word, unknown, 1);
        return status;
    }
    if (memchr(text, AG_DYNAMIC_MARK, length) != NULL)
        return ag_extractor_add_path(ex, AG_EFFECT_WRITE, arg->word, unknown, 1);

    for (size_t i = 0; i < length && status == AG_OK; i++) {
        if (text[i] != '%')
            continue;
        if (i + 1 < length && text[i + 1] == '%') {
            i++;  /* "%%" is a literal '%' */
            continue;
        }
        if (length - i < directive_length || memcmp(text + i, directive, directive_length) != 0)
            continue;
        size_t start = i + directive_length;
        if (length - start >= 2 && text[start] == '>' && text[start + 1] == '>')
            start += 2;
        const char *close = memchr(text + start, '}', length - start);
        if (close == NULL)
            break;  /* curl prints the text as it is */
        size_t name_length = (size_t)(close - (text + start));
        if (name_length > 0)
            status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, arg->word, text + start,
                                           name_length);
        i = (size_t)(close - text);
    }
    return status;
}

/*
 * Returns whether an operand of `role` gets a second name that is a hard
 * link: a later command can then read or change the file through that name,
 * which no rule on the original path matches, so the operand counts as read
 * and written (ln SOURCE NAME, cp -l SOURCE NAME).
 */
static bool makes_hard_link(const parsed_arguments *parsed, ag_effect_role role)
{
    if (role == AG_ROLE_LINK_SOURCE)
        return !parsed->symbolic;
    return role == AG_ROLE_READ && parsed->hard_links;
}

/*
 * Returns whether the first operand names conda's activate script, which
 * `source activate ENV` and `. /opt/conda/bin/activate ENV` run: its last
 * component is "activate", or it is known only at run time.
 */
static bool sources_conda_activate(const parsed_arguments *parsed)
{
    for (size_t i = 0; i < parsed->count; i++) {
        const argument *arg = &parsed->items[i];
        if (arg->option != NULL)
            continue;
        if (memchr(arg->text, AG_DYNAMIC_MARK, arg->length) != NULL)
            return true;
        size_t start = arg->length;
        while (start > 0 && arg->text[start - 1] != '/')
            start--;
        return arg->length - start == 8 && memcmp(arg->text + start, "activate", 8) == 0;
    }
    return false;
}

/* Returns the role of operand `position` of `count`, per the entry. */
static ag_effect_role operand_role(const ag_effect_spec *spec, const parsed_arguments *parsed,
                                   size_t position, size_t count)
{
    /* cp -t DIR a b: DIR is the destination, so b is a source like a. */
    if (spec->has_last && count >= 2 && position == count - 1 && !parsed->target_directory)
        return spec->last;
    size_t slot = position;
    if (parsed->script_given && spec->operand_count > 0 && spec->operands[0] == AG_ROLE_SCRIPT)
        slot++;
    if (spec->operand_count == 0)
        return AG_ROLE_NONE;
    if (slot >= spec->operand_count)
        return spec->repeat_last ? spec->operands[spec->operand_count - 1] : AG_ROLE_NONE;
    return spec->operands[slot];
}

/*
 * 7z a -r x.7z src/foo.c adds every foo.c below src, so with a recurse-names
 * flag an operand read stands for the directory above it, whose tree the
 * entry's `tree` key then marks. An operand with a part known only at run
 * time is left whole, because it is unknown from that part on anyway.
 */
static void read_parent_directory(argument *arg)
{
    size_t slash = arg->length;
    while (slash > 0 && arg->text[slash - 1] != '/')
        slash--;
    if (slash == 0) {
        arg->text = ".";
        arg->length = 1;
    } else {
        arg->length = slash > 1 ? slash - 1 : 1;
    }
}

static ag_effect_role adjust_role(const parsed_arguments *parsed, ag_effect_role role)
{
    if (parsed->index_only && (role == AG_ROLE_READ || role == AG_ROLE_WRITE))
        return AG_ROLE_NONE;
    /* perl -i -e CODE FILE: with the code in an option, the first operand is a file too. */
    if (parsed->writes_operands
        && (role == AG_ROLE_READ || role == AG_ROLE_RUN || role == AG_ROLE_REQUIRE
            || role == AG_ROLE_PYTHON_SCRIPT))
        return AG_ROLE_WRITE;
    if (parsed->reads_operands && role == AG_ROLE_WRITE)
        return AG_ROLE_READ;
    return role;
}

/* dd if=FILE of=FILE: an operand KEY=VALUE whose KEY the entry lists. */
static bool assignment_role(const ag_effect_spec *spec, argument *arg)
{
    if (spec->assignment_count == 0)
        return false;
    const char *equals = memchr(arg->text, '=', arg->length);
    if (equals == NULL)
        return false;
    size_t key_length = (size_t)(equals - arg->text);
    for (size_t i = 0; i < spec->assignment_count; i++) {
        const char *key = spec->assignments[i].key;
        if (strlen(key) == key_length && memcmp(key, arg->text, key_length) == 0) {
            arg->role = spec->assignments[i].role;
            arg->text = equals + 1;
            arg->length -= key_length + 1;
            return true;
        }
    }
    return false;
}

/* Applies chdir option values first, so relative paths resolve against them (git -C DIR). */
static ag_status apply_chdir(ag_extractor *ex, const parsed_arguments *parsed)
{
    for (size_t i = 0; i < parsed->count; i++) {
        const argument *arg = &parsed->items[i];
        if (arg->option == NULL || arg->role != AG_ROLE_CHDIR)
            continue;
        const char *path = ag_extractor_normalize(ex, arg->word, arg->text, arg->length);
        ag_status status = ag_extractor_add(ex, AG_EFFECT_CHDIR, path, arg->word);
        if (status != AG_OK)
            return status;
        ex->context.cwd = path != NULL && path[0] == '/' ? path : NULL;
    }
    return AG_OK;
}

static const argument *option_value(const parsed_arguments *parsed, const char *short_name,
                                    const char *long_name)
{
    const argument *found = NULL;
    for (size_t i = 0; i < parsed->count; i++) {
        const ag_effect_option *option = parsed->items[i].option;
        if (option != NULL && (strcmp(option->name, short_name) == 0
                               || strcmp(option->name, long_name) == 0))
            found = &parsed->items[i];
    }
    return found;
}

static bool has_flag(const parsed_arguments *parsed, const char *letters)
{
    for (size_t i = 0; i < parsed->short_flag_count; i++) {
        if (strchr(letters, parsed->flag_letters[i]) != NULL)
            return true;
    }
    return false;
}

static bool has_long_flag(const ag_shell_word *words, size_t count, const char *const *names)
{
    for (size_t i = 0; i < count; i++) {
        for (const char *const *name = names; *name != NULL; name++) {
            if (strcmp(words[i].text, *name) == 0)
                return true;
        }
    }
    return false;
}

/*
 * Returns whether `word` is `name`, a long option, or an abbreviation of it
 * of at least one letter (--glob for --global), alone or with "=VALUE".
 * Stores the value, or NULL, in *value.
 */
static bool gives_long_option(const ag_shell_word *word, const char *name, const char **value)
{
    const char *equals = memchr(word->text, '=', word->length);
    size_t length = equals != NULL ? (size_t)(equals - word->text) : word->length;
    *value = equals != NULL ? equals + 1 : NULL;
    return length >= 3 && word->text[0] == '-' && word->text[1] == '-' && !word->dynamic
           && strncmp(word->text, name, length) == 0;
}

static bool is_tar_directory(const argument *arg)
{
    return arg->option != NULL
           && (strcmp(arg->option->name, "-C") == 0 || strcmp(arg->option->name, "--directory") == 0);
}

/* Returns whether `word` is a long option that starts one of `names` (--xf for --xform). */
static bool abbreviates_long(const ag_shell_word *word, const char *const *names)
{
    const char *equals = memchr(word->text, '=', word->length);
    size_t length = equals != NULL ? (size_t)(equals - word->text) : word->length;
    if (length < 3 || strncmp(word->text, "--", 2) != 0)
        return false;
    for (const char *const *name = names; *name != NULL; name++) {
        if (length <= strlen(*name) && strncmp(word->text, *name, length) == 0)
            return true;
    }
    return false;
}

/*
 * Returns whether the member operands of a tar extraction name the paths it
 * writes. Options that rename members (--transform, bsdtar -s,
 * --strip-components), match them anywhere in a name (--no-anchored) or add
 * members from a file (-T), and a word known only at run time, break that.
 */
static bool tar_members_name_paths(const parsed_arguments *parsed, const ag_shell_word *words,
                                   size_t count)
{
    static const char *const renaming[] = {"--transform", "--xform", "--strip-components",
                                           "--no-anchored", "--files-from", NULL};
    if (has_flag(parsed, "s") || option_value(parsed, "-T", "--files-from") != NULL)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (words[i].dynamic || abbreviates_long(&words[i], renaming))
            return false;
    }
    return true;
}

/*
 * Adds the write of a tar member named on the command line, below the
 * extraction directory (the context's cwd). tar drops a leading "/" unless
 * -P is given, and a member may be a directory, so the write is a tree.
 * tar matches a member with glob characters against the archive's names,
 * so those characters stand for unknown text.
 */
static ag_status add_tar_member(ag_extractor *ex, const argument *arg)
{
    size_t skip = 0;
    while (skip < arg->length && arg->text[skip] == '/')
        skip++;
    char *member = ag_arena_strndup(ex->arena, arg->text + skip, arg->length - skip);
    if (member == NULL)
        return AG_ERR_NOMEM;
    for (char *p = member; *p != '\0'; p++) {
        if (*p == '*' || *p == '?' || *p == '[')
            *p = AG_DYNAMIC_MARK;
    }
    size_t first = ex->out->count;
    ag_status status = member[0] == '\0'
                           ? ag_extractor_add_unpack(ex, arg->word, ".", 1)
                           : ag_extractor_add_path(ex, AG_EFFECT_WRITE, arg->word, member,
                                                   strlen(member));
    for (size_t i = first; i < ex->out->count; i++)
        ex->out->items[i].tree = true;
    return status;
}

/* Adds the write of a tar extraction's directory, `path` normalized, as a tree when `tree`. */
static ag_status add_tar_directory(ag_extractor *ex, const char *path, const ag_shell_word *word,
                                   bool tree)
{
    size_t first = ex->out->count;
    ag_status status = ag_extractor_add(ex, AG_EFFECT_WRITE, path, word);
    for (size_t i = first; i < ex->out->count; i++)
        ex->out->items[i].tree = tree;
    return status;
}

/*
 * tar -C DIR: each -C is relative to the one before it (tar -C ~ -C .ssh),
 * and create reads the operands after it there. An extraction writes each
 * directory that an operand follows and the last one, or the working
 * directory without -C. It unpacks the archive's unknown names there, so
 * those writes are trees, unless `unpacks` is false (--one-top-level) or
 * member operands name what it writes. Such members, with at most one -C,
 * are written below that directory (add_tar_member()). Leaves the
 * command's directory at the last -C.
 */
static ag_status apply_tar_directories(ag_extractor *ex, const parsed_arguments *parsed,
                                       bool extract, bool unpacks, bool create,
                                       bool members_fixed)
{
    size_t directories = 0, members = 0;
    for (size_t i = 0; i < parsed->count; i++) {
        directories += is_tar_directory(&parsed->items[i]);
        members += parsed->items[i].option == NULL;
    }
    bool by_member = extract && members_fixed && members > 0 && directories <= 1;
    bool tree = unpacks && !by_member;

    const char *pending = NULL;       /* the last -C, not yet written */
    const ag_shell_word *pending_word = &ex->command->words[0];
    ag_status status = AG_OK;
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        const argument *arg = &parsed->items[i];
        if (is_tar_directory(arg)) {
            const char *path = ag_extractor_normalize(ex, arg->word, arg->text, arg->length);
            if (path == NULL)
                return AG_ERR_NOMEM;
            ex->context.cwd = path[0] == '/' ? path : NULL;
            pending = path;
            pending_word = arg->word;
            continue;
        }
        if (arg->option == NULL && by_member)
            status = add_tar_member(ex, arg);
        if (status == AG_OK && arg->option == NULL && extract && pending != NULL) {
            status = add_tar_directory(ex, pending, pending_word, tree);
            pending = NULL;
        } else if (status == AG_OK && arg->option == NULL && create) {
            status = ag_extractor_add_path(ex, AG_EFFECT_READ, arg->word, arg->text, arg->length);
        }
    }
    if (status != AG_OK || !extract)
        return status;
    if (pending != NULL)
        return add_tar_directory(ex, pending, pending_word, tree);
    if (directories > 0)
        return AG_OK;
    size_t first = ex->out->count;
    status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, pending_word, ".", 1);
    for (size_t i = first; i < ex->out->count; i++)
        ex->out->items[i].tree = tree;
    return status;
}

/*
 * GNU tar --one-top-level=DIR extracts into DIR below the last -C. Unpacks
 * into each such DIR, and returns whether there was one.
 */
static bool apply_tar_top_level(ag_extractor *ex, const ag_shell_word *words, size_t count,
                                ag_status *status)
{
    bool given = false;
    for (size_t i = 0; i < count && *status == AG_OK; i++) {
        const char *value = NULL;
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            break;
        if (!gives_long_option(&words[i], "--one-top-level", &value) || value == NULL)
            continue;
        size_t length = words[i].length - (size_t)(value - words[i].text);
        if (ex != NULL)
            *status = ag_extractor_add_unpack(ex, &words[i], value, length);
        given = true;
    }
    return given;
}

/*
 * Adds the files that an entry's read and write options name. Entries with
 * a handler of their own (tar, git config) get them from here, because the
 * handler reads only the options it knows.
 */
static ag_status add_option_files(ag_extractor *ex, const parsed_arguments *parsed)
{
    ag_status status = AG_OK;
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        const argument *arg = &parsed->items[i];
        if (arg->option == NULL || arg->option->kind != AG_OPTION_VALUE)
            continue;
        ag_effect_role role = arg->option->role;
        if (role == AG_ROLE_READ || role == AG_ROLE_WRITE)
            status = ag_extractor_add_path(ex, role == AG_ROLE_READ ? AG_EFFECT_READ
                                                                    : AG_EFFECT_WRITE,
                                           arg->word, arg->text, arg->length);
    }
    return status;
}

/* A tar create with -T FILE also reads the paths listed in FILE, which are unknown here. */
static ag_status apply_tar_files_from(ag_extractor *ex, const parsed_arguments *parsed,
                                      bool create)
{
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    const argument *list = option_value(parsed, "-T", "--files-from");
    if (!create || list == NULL)
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_READ, list->word, unknown, 1);
}

/*
 * tar: the archive (-f) is read when extracting or listing and written when
 * creating; extraction writes into -C DIR or the working directory; the
 * operands of a create are read. Without a mode it is read and written.
 */
static ag_status apply_tar(ag_extractor *ex, const parsed_arguments *parsed,
                           const ag_shell_word *words, size_t count)
{
    static const char *const create_names[] = {"--create", "--append", "--update",
                                               "--concatenate", "--catenate", NULL};
    static const char *const extract_names[] = {"--extract", "--get", NULL};
    static const char *const list_names[] = {"--list", "--diff", "--compare", NULL};
    bool create = has_flag(parsed, "cruA") || has_long_flag(words, count, create_names);
    bool extract = has_flag(parsed, "x") || has_long_flag(words, count, extract_names);
    bool list = has_flag(parsed, "td") || has_long_flag(words, count, list_names);
    bool unknown = !create && !extract && !list;

    const argument *archive = option_value(parsed, "-f", "--file");
    ag_status status = apply_tar_files_from(ex, parsed, create || unknown);
    size_t first = ex->out->count;
    if (status == AG_OK && archive != NULL && (extract || list || unknown))
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, archive->word, archive->text,
                                       archive->length);
    /*
     * A listing reads only the archive's names. An extraction reads its
     * members, which count as the tree below the archive (tar xOf prints them).
     */
    static const char *const listing_names[] = {"--list", NULL};
    bool listing = (has_flag(parsed, "t") || has_long_flag(words, count, listing_names))
                   && !extract && !has_flag(parsed, "d");
    for (size_t i = first; status == AG_OK && i < ex->out->count; i++) {
        ex->out->items[i].single_file = listing;
        ex->out->items[i].archive = !ex->out->items[i].single_file;
    }
    if (status == AG_OK && archive != NULL && (create || unknown))
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, archive->word, archive->text,
                                       archive->length);
    if (status != AG_OK || !(extract || unknown || create))
        return status;

    /* With --one-top-level=DIR, tar unpacks into DIR, not into the -C directory itself. */
    bool top_level = apply_tar_top_level(NULL, words, count, &status);
    status = apply_tar_directories(ex, parsed, extract || unknown, !top_level, create,
                                   tar_members_name_paths(parsed, words, count));
    if (status == AG_OK && (extract || unknown))
        apply_tar_top_level(ex, words, count, &status);
    /*
     * -P (--absolute-names) keeps the leading "/" and the ".." of member
     * names, so an extraction writes, and may make links, anywhere.
     */
    static const char *const absolute_names[] = {"--absolute-names", NULL};
    if (status == AG_OK && (extract || unknown)
        && (has_flag(parsed, "P") || has_long_flag(words, count, absolute_names))) {
        static const char anywhere[] = {AG_DYNAMIC_MARK, '\0'};
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, &words[0], anywhere, 1);
    }
    return status;
}

/*
 * Returns whether a word that is a flag, not an operand or an option's value,
 * is one of the long options `names` or an abbreviation of one. With
 * `with_value`, a flag given a value (`--system=true`) counts too.
 */
static bool find_flag_word(const parsed_arguments *parsed, const ag_shell_word *words,
                           size_t count, const char *const *names, bool with_value)
{
    for (size_t i = 0; i < count; i++) {
        /* An operand, or an option's value taken from the next word, is the whole word. */
        bool argument_word = false;
        for (size_t j = 0; j < parsed->count && !argument_word; j++)
            argument_word = parsed->items[j].word == &words[i]
                            && parsed->items[j].text == words[i].text;
        const char *value = NULL;
        for (const char *const *name = names; !argument_word && *name != NULL; name++) {
            if (gives_long_option(&words[i], *name, &value) && (with_value || value == NULL))
                return true;
        }
    }
    return false;
}

static bool has_flag_word(const parsed_arguments *parsed, const ag_shell_word *words, size_t count,
                          const char *const *names)
{
    return find_flag_word(parsed, words, count, names, false);
}

/*
 * Returns whether a Go pflag boolean in `names` is given, also as
 * `--NAME=VALUE`. pflag reads `--system=true` as --system, so any value
 * counts, `false` included, which can only add files to the write.
 */
static bool has_pflag_bool(const parsed_arguments *parsed, const ag_shell_word *words,
                           size_t count, const char *const *names)
{
    return find_flag_word(parsed, words, count, names, true);
}

static const argument *first_operand(const parsed_arguments *parsed, size_t *count)
{
    const argument *first = NULL;
    *count = 0;
    for (size_t i = 0; i < parsed->count; i++) {
        if (parsed->items[i].option == NULL && (*count)++ == 0)
            first = &parsed->items[i];
    }
    return first;
}

/*
 * Returns whether `git config` only reads: a read action (--get, --list,
 * `git config get`), or the old form with at most one operand and no write
 * action. A word known only at run time could be any action, so it writes.
 */
static bool git_config_reads_only(const parsed_arguments *parsed, const ag_shell_word *words,
                                  size_t count)
{
    static const char *const read_actions[] = {
        "--get", "--get-all", "--get-regexp", "--get-urlmatch", "--get-color",
        "--get-colorbool", "--list", NULL};
    static const char *const write_actions[] = {
        "--add", "--replace-all", "--unset", "--unset-all", "--rename-section",
        "--remove-section", "--edit", NULL};
    for (size_t i = 0; i < count; i++) {
        if (words[i].dynamic)
            return false;
    }
    if (has_flag(parsed, "e") || has_flag_word(parsed, words, count, write_actions))
        return false;
    if (has_flag(parsed, "l") || has_flag_word(parsed, words, count, read_actions))
        return true;

    size_t operands = 0;
    const argument *first = first_operand(parsed, &operands);
    if (first != NULL && (strcmp(first->text, "get") == 0 || strcmp(first->text, "list") == 0))
        return true;    /* git 2.46 subcommands; set, unset, edit and the others write */
    bool subcommand = first != NULL && memchr(first->text, '.', first->length) == NULL;
    return !subcommand && operands <= 1;
}

/*
 * git config: a write changes the file its scope names. --global writes
 * ~/.gitconfig, or the XDG file when only that exists, so both count.
 * --worktree falls back to .git/config without extensions.worktreeConfig.
 * NOTE: .git/config is taken relative to the working directory (after -C);
 * from a subdirectory of the work tree the real file lies higher up, and
 * deny rules on .git, which match at any depth, still apply to it.
 */
static ag_status apply_git_config(ag_extractor *ex, const parsed_arguments *parsed,
                                  const ag_shell_word *words, size_t count)
{
    static const char *const global[] = {"--global", NULL};
    static const char *const system[] = {"--system", NULL};
    static const char *const worktree[] = {"--worktree", NULL};
    static const char *const blob[] = {"--blob", NULL};
    const argument *file = option_value(parsed, "-f", "--file");
    bool reads_only = git_config_reads_only(parsed, words, count);
    ag_effect_kind kind = reads_only ? AG_EFFECT_READ : AG_EFFECT_WRITE;
    if (file != NULL)
        return ag_extractor_add_path(ex, kind, file->word, file->text, file->length);
    if (reads_only || option_value(parsed, "--blob", "--blob") != NULL
        || has_flag_word(parsed, words, count, blob))
        return AG_OK;

    const char *targets[2] = {".git/config", NULL};
    if (has_flag_word(parsed, words, count, global)) {
        targets[0] = "~/.gitconfig";
        targets[1] = "~/.config/git/config";
    } else if (has_flag_word(parsed, words, count, system)) {
        targets[0] = "/etc/gitconfig";
    } else if (has_flag_word(parsed, words, count, worktree)) {
        targets[1] = ".git/config.worktree";
    }
    const ag_shell_word *name = &ex->command->words[0];
    ag_status status = AG_OK;
    for (size_t i = 0; i < 2 && targets[i] != NULL && status == AG_OK; i++)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, targets[i], strlen(targets[i]));
    return status;
}

/*
 * git init [DIR]: besides DIR (the table's operand), writes DIR/.git, where
 * a repeated init copies --template hooks into an existing repository.
 * With --bare, DIR is the git directory itself.
 */
static ag_status apply_git_init(ag_extractor *ex, const parsed_arguments *parsed,
                                const ag_shell_word *words, size_t count)
{
    static const char *const bare[] = {"--bare", NULL};
    if (has_flag_word(parsed, words, count, bare))
        return AG_OK;
    size_t operands = 0;
    const argument *directory = first_operand(parsed, &operands);
    const ag_shell_word *word = directory != NULL ? directory->word : &ex->command->words[0];
    const char *text = directory != NULL
                           ? ag_arena_printf(ex->arena, "%.*s/.git", (int)directory->length,
                                             directory->text)
                           : ".git";
    if (text == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, text, strlen(text));
}

/*
 * Adds the git configuration that git lfs install and uninstall change, by
 * the scope option of git-lfs 3 (commands/command_install.go). --system
 * writes /etc/gitconfig and --local (-l) .git/config. --worktree (-w)
 * writes .git/config.worktree, or .git/config when the repository has one
 * work tree. With no scope they write the global file, as `git config
 * --global` does. A word known only at run time may be any scope, so then
 * every file counts. The entry's writes add .git/hooks.
 */
static ag_status apply_git_lfs_install(ag_extractor *ex, const parsed_arguments *parsed,
                                       const ag_shell_word *words, size_t count)
{
    static const char *const system[] = {"--system", NULL};
    static const char *const local[] = {"--local", NULL};
    static const char *const worktree[] = {"--worktree", NULL};
    bool any = parsed->dynamic_option;
    bool to_system = any || has_pflag_bool(parsed, words, count, system);
    bool to_local = any || has_flag(parsed, "l") || has_pflag_bool(parsed, words, count, local);
    bool to_worktree = any || has_flag(parsed, "w")
                       || has_pflag_bool(parsed, words, count, worktree);
    bool to_global = any || (!to_system && !to_local && !to_worktree);

    const char *targets[5];
    size_t target_count = 0;
    if (to_global) {
        targets[target_count++] = "~/.gitconfig";
        targets[target_count++] = "~/.config/git/config";
    }
    if (to_system)
        targets[target_count++] = "/etc/gitconfig";
    if (to_local || to_worktree)
        targets[target_count++] = ".git/config";
    if (to_worktree)
        targets[target_count++] = ".git/config.worktree";

    const ag_shell_word *name = &ex->command->words[0];
    ag_status status = AG_OK;
    for (size_t i = 0; i < target_count && status == AG_OK; i++)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, targets[i], strlen(targets[i]));
    return status;
}

/* Returns the last `byte` of the `length` bytes at `text`, or NULL. */
static const char *find_last_byte(const char *text, size_t length, char byte)
{
    for (size_t i = length; i > 0; i--) {
        if (text[i - 1] == byte)
            return text + i - 1;
    }
    return NULL;
}

/* Adds a write of NAME.html in the working directory, NAME being `length` bytes. */
static ag_status add_html_page(ag_extractor *ex, const ag_shell_word *word, const char *name,
                               size_t length)
{
    const char *page = ag_arena_printf(ex->arena, "%.*s.html", (int)length, name);
    if (page == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, page, strlen(page));
}

/*
 * Adds the page that `pydoc -w NAME` writes into the working directory
 * (pydoc.cli() and writedoc() of Python 3.11). A NAME without "/" gives
 * NAME.html. A NAME with "/" that is a file gives the module name that
 * importfile() takes from its base name without the extension. One with
 * no extension may be a directory, which gets a page for each module in
 * it, so the name is unknown.
 */
static ag_status add_pydoc_page(ag_extractor *ex, const argument *operand)
{
    const char *slash = find_last_byte(operand->text, operand->length, '/');
    if (slash == NULL)
        return add_html_page(ex, operand->word, operand->text, operand->length);

    const char *base = slash + 1;
    size_t length = operand->length - (size_t)(base - operand->text);
    const char *dot = find_last_byte(base, length, '.');
    if (dot == NULL || dot == base) {
        static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
        return add_html_page(ex, operand->word, unknown, 1);
    }
    return add_html_page(ex, operand->word, base, (size_t)(dot - base));
}

/* Adds the pages of pydoc -w NAME...: a word known only at run time may be the -w. */
static ag_status apply_pydoc(ag_extractor *ex, const parsed_arguments *parsed)
{
    if (!has_flag(parsed, "w") && !parsed->dynamic_option)
        return AG_OK;
    ag_status status = AG_OK;
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        if (parsed->items[i].option == NULL)
            status = add_pydoc_page(ex, &parsed->items[i]);
    }
    return status;
}

/*
 * Returns whether git checkout moves to another commit, which rewrites the
 * whole work tree. An operand before "--" is a commit, and with no path
 * after the "--" (git checkout main --) the branch switches. Without "--",
 * one operand may be a branch (git checkout main) or a file (git checkout
 * a.c), which only the repository can distinguish, so it counts as a branch
 * here, and checkout_restores_file() looks at the disk.
 * Two or more are a commit and paths, or only paths, which are checked out
 * without moving HEAD. A word known only at run time may expand to no word
 * or to "--", so it leaves the choice open.
 */
static bool git_checkout_moves(const parsed_arguments *parsed, bool *no_operand)
{
    size_t before = 0, after = 0;
    bool dynamic_before = false, dynamic_after = false;
    for (size_t i = 0; i < parsed->count; i++) {
        const argument *arg = &parsed->items[i];
        if (arg->option != NULL)
            continue;
        bool leading = !parsed->dash_dash || i < parsed->items_before_dash_dash;
        if (leading) {
            before++;
            dynamic_before |= arg->word->dynamic;
        } else if (arg->word->dynamic) {
            dynamic_after = true;
        } else {
            after++;
        }
    }

    *no_operand = before == 0 && after == 0 && !dynamic_after;
    if (dynamic_before)
        return true;
    if (parsed->dash_dash)
        return before > 0 && after == 0;
    return before == 1;
}

/*
 * Returns whether `git checkout NAME`, with no other word, restores
 * the file NAME, so that it writes only NAME, as `git checkout -- NAME`
 * does (ag_git_checkout_restores_file()). Variables set for the command
 * (GIT_DIR) and git's own options may change the repository, so they keep
 * the branch switch, and so does another command that may run first, as
 * `git branch NAME X` or `rm NAME` may change what git finds.
 */
static bool checkout_restores_file(ag_extractor *ex, const parsed_arguments *parsed,
                                   const ag_shell_word *words, size_t count)
{
    const ag_shell_command *command = ex->command;
    if (parsed->dash_dash || parsed->count != 1 || parsed->items[0].option != NULL
        || count != 1 || command->assignment_count > 0
        || (command->flags & AG_COMMAND_UNKNOWN_DIRECTORY) != 0)
        return false;

    const argument *operand = &parsed->items[0];
    if (operand->word->dynamic || operand->text != operand->word->text
        || operand->length != operand->word->length)
        return false;
    if (!has_plain_git_options(command) || !ag_extractor_runs_first(ex))
        return false;
    return ag_git_checkout_restores_file(ex->context.cwd, operand->text, operand->length);
}

/*
 * Adds the work tree that git checkout and git switch rewrite when they
 * move to another commit (the entry's tree key makes it a tree). switch
 * takes no paths, so any operand is the commit it moves to. With no
 * operand, -b/-B (switch: -c/-C) only create a branch at HEAD and keep the
 * files, unless -f (--force, --discard-changes) resets them to HEAD.
 */
static ag_status apply_git_checkout(ag_extractor *ex, const ag_effect_spec *spec,
                                    const parsed_arguments *parsed, const ag_shell_word *words,
                                    size_t count)
{
    static const char *const discards[] = {"--force", "--discard-changes", NULL};
    bool checkout = spec->handler == AG_HANDLER_GIT_CHECKOUT;
    size_t operands = 0;
    const argument *first = first_operand(parsed, &operands);
    /* checkout . already wrote the work tree through its operand. */
    if (checkout && operands == 1 && first->length == 1 && first->text[0] == '.'
        && !first->word->dynamic)
        return AG_OK;

    bool no_operand = operands == 0;
    bool moves = checkout ? git_checkout_moves(parsed, &no_operand) : operands > 0;
    if (no_operand) {
        bool creates = checkout ? option_value(parsed, "-b", "-B") != NULL
                                : option_value(parsed, "-c", "--create") != NULL
                                      || option_value(parsed, "-C", "--force-create") != NULL;
        bool discards_changes = has_flag(parsed, "f")
                                || has_flag_word(parsed, words, count, discards);
        for (size_t i = 0; i < count; i++)
            discards_changes |= may_be_option(&words[i]);
        moves = !creates || discards_changes;
    }
    if (!moves || (checkout && checkout_restores_file(ex, parsed, words, count)))
        return AG_OK;
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, &ex->command->words[0], ".", 1);
}

/*
 * Returns the file name that curl -O and wget give a download: the URL's
 * last path segment, empty for a URL that ends in '/' or has no path.
 * Returns false when the name is not known here. That is so for a URL known
 * only at run time, a curl glob (whose text may contain a '/'), a query or a
 * fragment (wget 1.21 keeps them in the name), a '%' escape (wget decodes
 * it), a '\', and a last segment "." or "..".
 */
static bool url_file_name(const char *text, size_t length, bool globbing, const char **name,
                          size_t *name_length)
{
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == AG_DYNAMIC_MARK || c == '?' || c == '#' || c == '%' || c == '\\'
            || (globbing && (c == '{' || c == '[')))
            return false;
    }

    const char *end = text + length;
    const char *path = text;
    for (size_t i = 0; i + 3 <= length; i++) {
        if (memcmp(text + i, "://", 3) == 0) {
            path = text + i + 3;
            break;
        }
    }
    const char *last = memchr(path, '/', (size_t)(end - path));
    for (const char *p = last; p != NULL && p < end; p++) {
        if (*p == '/')
            last = p;
    }
    *name = last != NULL ? last + 1 : end;
    *name_length = (size_t)(end - *name);
    bool dots = (*name_length == 1 && (*name)[0] == '.')
                || (*name_length == 2 && memcmp(*name, "..", 2) == 0);
    return !dots;
}

/* Adds a write of the relative path `name` below `directory`. */
static ag_status add_write_below(ag_extractor *ex, const ag_shell_word *word,
                                 const char *directory, size_t directory_length,
                                 const char *name, size_t length)
{
    const char *path = ag_arena_printf(ex->arena, "%.*s/%.*s", (int)directory_length, directory,
                                       (int)length, name);
    if (path == NULL)
        return AG_ERR_NOMEM;
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, word, path, strlen(path));
}

/*
 * Adds the file that a download of `url` saves in `directory`. A name
 * that is unknown, or empty with no `empty_name` (wget: index.html), may
 * be any name in the directory, so the directory is written as a tree.
 */
static ag_status add_download(ag_extractor *ex, const argument *url, const char *directory,
                              size_t directory_length, const char *empty_name)
{
    const char *name = NULL;
    size_t length = 0;
    bool known = url_file_name(url->text, url->length, ex->url_globbing, &name, &length);
    if (known && length == 0 && empty_name != NULL) {
        name = empty_name;
        length = strlen(empty_name);
    }
    if (!known || length == 0)
        return ag_extractor_add_unpack(ex, url->word, directory, directory_length);
    return add_write_below(ex, url->word, directory, directory_length, name, length);
}

static bool is_option_named(const argument *arg, const char *short_name, const char *long_name)
{
    return arg->option != NULL
           && (strcmp(arg->option->name, short_name) == 0
               || strcmp(arg->option->name, long_name) == 0);
}

/*
 * Adds the files that curl writes beyond its -o names as typed. --output-dir
 * DIR puts each relative -o name below DIR, and -O (--remote-name,
 * --remote-name-all) saves each URL under its file name there or in the
 * working directory; with -J (--remote-header-name) the server picks that
 * name. A word known only at run time may be -O, so it counts as one, unless
 * it is the value of another option and stays one word (curl -u "$X"). A
 * config file (-K) may set any output, so it writes an unknown path.
 */
static ag_status apply_curl_outputs(ag_extractor *ex, const parsed_arguments *parsed,
                                    const ag_shell_word *words, size_t count)
{
    static const char *const remote_names[] = {"--remote-name", "--remote-name-all", NULL};
    static const char *const header_names[] = {"--remote-header-name", NULL};
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    bool remote = has_flag(parsed, "O") || has_flag_word(parsed, words, count, remote_names);
    for (size_t i = 0; i < count && !(!words[i].dynamic && strcmp(words[i].text, "--") == 0); i++)
        remote |= may_be_free_option(parsed, &words[i]);
    bool server_names = has_flag(parsed, "J") || has_flag_word(parsed, words, count, header_names);
    const argument *dir = option_value(parsed, "--output-dir", "--output-dir");
    const char *directory = dir != NULL ? dir->text : ".";
    size_t directory_length = dir != NULL ? dir->length : 1;

    ag_status status = AG_OK;
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        const argument *arg = &parsed->items[i];
        bool url = arg->option == NULL || is_option_named(arg, "--url", "--url");
        bool output = is_option_named(arg, "-o", "--output");
        if (url && remote && server_names)
            status = ag_extractor_add_unpack(ex, arg->word, directory, directory_length);
        else if (url && remote)
            status = add_download(ex, arg, directory, directory_length, NULL);
        else if (output && dir != NULL && arg->length > 0 && arg->text[0] != '/'
                 && !(arg->length == 1 && arg->text[0] == '-'))
            status = add_write_below(ex, arg->word, directory, directory_length, arg->text,
                                     arg->length);
    }

    if (status == AG_OK && option_value(parsed, "-K", "--config") != NULL)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, &ex->command->words[0], unknown, 1);
    return status;
}

/* Returns whether an option that the entry lists takes a file that the command writes. */
static bool has_write_option(const ag_effect_spec *spec)
{
    for (size_t i = 0; i < spec->option_count; i++) {
        if (spec->options[i].role == AG_ROLE_WRITE)
            return true;
    }
    return false;
}

static bool has_any_option(const ag_effect_spec *spec, const parsed_arguments *parsed,
                           const ag_shell_word *words, size_t count, const ag_word_list *options,
                           bool dynamic_counts);

/*
 * Adds the files that wget saves, unless -O names the one file it writes:
 * each URL's file name (index.html for a directory) in -P DIR or the
 * working directory. The directory is written as a tree instead where the
 * names are unknown: with -i (URLs from a file), --content-disposition and
 * --trust-server-names (names from the server), --default-page, and the
 * entry's tree options (-x, -r, -m, and -e, which may set any of these).
 */
static ag_status apply_wget_names(ag_extractor *ex, const ag_effect_spec *spec,
                                  const parsed_arguments *parsed, const ag_shell_word *words,
                                  size_t count)
{
    static const char *const server_names[] = {"--content-disposition", "--trust-server-names",
                                               NULL};
    if (option_value(parsed, "-O", "--output-document") != NULL)
        return AG_OK;
    const argument *dir = option_value(parsed, "-P", "--directory-prefix");
    const char *directory = dir != NULL ? dir->text : ".";
    size_t directory_length = dir != NULL ? dir->length : 1;

    bool unknown = option_value(parsed, "-i", "--input-file") != NULL
                   || option_value(parsed, "--default-page", "--default-page") != NULL
                   || has_flag_word(parsed, words, count, server_names)
                   || has_any_option(spec, parsed, words, count, &spec->tree_options, true);
    if (unknown)
        return ag_extractor_add_unpack(ex, &ex->command->words[0], directory, directory_length);

    ag_status status = AG_OK;
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        if (parsed->items[i].option == NULL)
            status = add_download(ex, &parsed->items[i], directory, directory_length,
                                  "index.html");
    }
    return status;
}

/* Adds the paths of the entry's writes key, which the command writes whatever its arguments. */
static ag_status apply_fixed_writes(ag_extractor *ex, const ag_effect_spec *spec)
{
    ag_status status = AG_OK;
    for (size_t i = 0; i < spec->writes.count && status == AG_OK; i++)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, &ex->command->words[0],
                                       spec->writes.items[i], strlen(spec->writes.items[i]));
    return status;
}

static ag_status apply_defaults(ag_extractor *ex, const ag_effect_spec *spec,
                                const parsed_arguments *parsed, bool wrote, bool read,
                                bool contacted)
{
    const ag_shell_word *name = &ex->command->words[0];
    ag_status status = AG_OK;
    if (parsed->writes_cwd)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, ".", 1);
    if (status == AG_OK && parsed->host_root)
        status = add_bound_path(ex, name, "/", 1, false);
    /* The names come from stdin, so the files read are unknown: deny rules give ask. */
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    if (status == AG_OK && parsed->reads_stdin_names)
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, name, unknown, 1);
    /* The agent socket is the one SSH_AUTH_SOCK names when ssh runs. */
    if (status == AG_OK && parsed->forwards_agent)
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, name, unknown, 1);
    /* git stash $X may be stash pop: any subcommand may read and write any path. */
    if (status == AG_OK && parsed->unknown_subcommand)
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, name, unknown, 1);
    if (status == AG_OK && parsed->unknown_subcommand)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, unknown, 1);
    /*
     * A command that only lists or tests its input (unzip -l) writes no
     * default, unless a later word may undo that option (unzip --l, or a
     * word known only at run time). Nor does one whose subcommand's entry
     * reads the rest of the words (git stash list).
     */
    bool writes_default = !wrote && (!parsed->reads_operands || parsed->reads_undone)
                          && (parsed->subcommand == NULL || parsed->subcommand_after_operands);
    bool wrote_cwd = parsed->writes_cwd && spec->default_write != NULL
                     && strcmp(spec->default_write, ".") == 0;
    if (status == AG_OK && writes_default && !wrote_cwd && spec->default_write != NULL)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, spec->default_write,
                                       strlen(spec->default_write));
    if (status == AG_OK && writes_default && spec->default_unpack != NULL)
        status = ag_extractor_add_unpack(ex, name, spec->default_unpack,
                                         strlen(spec->default_unpack));
    if (status == AG_OK && !contacted && spec->default_network != NULL)
        status = ag_extractor_add_host(ex, name, spec->default_network,
                                       strlen(spec->default_network));
    return status;
}

/*
 * GNU parallel reads its argument lists from the files after `::::` and
 * `::::+`, up to the next `:::` or `:::+`, which start lists given as words.
 */
static ag_status apply_parallel_files(ag_extractor *ex, const ag_shell_word *words, size_t count)
{
    bool files = false;
    ag_status status = AG_OK;
    for (size_t i = 0; i < count && status == AG_OK; i++) {
        const ag_shell_word *word = &words[i];
        bool lists = !word->dynamic
                     && (strcmp(word->text, ":::") == 0 || strcmp(word->text, ":::+") == 0);
        bool file_lists = !word->dynamic
                          && (strcmp(word->text, "::::") == 0 || strcmp(word->text, "::::+") == 0);
        if (lists || file_lists)
            files = file_lists;
        else if (files)
            status = ag_extractor_add_path(ex, AG_EFFECT_READ, word, word->text, word->length);
    }
    return status;
}

/*
 * Returns whether item `i` is an operand before "--" of an entry with
 * revisions_before_dash_dash: a commit (git checkout REV -- PATH), not a
 * path. A word known only at run time may expand to "--" and paths, so it
 * keeps its role.
 */
static bool names_revision(const ag_effect_spec *spec, const parsed_arguments *parsed, size_t i)
{
    const argument *arg = &parsed->items[i];
    return spec->revisions_before_dash_dash && parsed->dash_dash
           && i < parsed->items_before_dash_dash && arg->option == NULL && !arg->word->dynamic;
}

/*
 * Returns whether the git pathspecs of the command restore files from the
 * index, so that one naming a regular file writes just that file. So the
 * entry writes trees and reads none (stash push resets its paths to HEAD,
 * a commit), and no option takes a value (restore -s REV). No commit may
 * come before the paths (checkout REV -- PATH, or two operands without
 * "--"), and nothing may change the repository or the disk before it runs.
 * NOTE: an index that has entries below FILE while the work tree has the
 * file FILE (the directory was replaced and not staged) is not looked at.
 */
static bool restores_from_index(ag_extractor *ex, const ag_effect_spec *spec,
                                const parsed_arguments *parsed)
{
    if (spec->tree != AG_TREE_WRITE)
        return false;

    size_t operands = 0;
    /*
     * TODO(git): a named commit may hold a directory where the disk has the
     * file, so `git checkout REV -- FILE` stays a tree write. Telling them
     * apart needs REV's tree from the object database (zlib-compressed
     * loose objects and delta-compressed packs).
     */
    for (size_t i = 0; i < parsed->count; i++) {
        const argument *arg = &parsed->items[i];
        if (arg->option != NULL || arg->word->dynamic || names_revision(spec, parsed, i))
            return false;
        operands++;
    }
    if (spec->revisions_before_dash_dash && !parsed->dash_dash && operands != 1)
        return false;
    return ex->command->assignment_count == 0 && has_plain_git_options(ex->command)
           && ag_extractor_runs_first(ex);
}

/*
 * Gathers the sources and the destination of a command that copies, moves
 * or links into a directory, for ag_extractor_add_copy_names(): the
 * operands, of which the last is the destination unless a target-directory
 * option names it. install -d (a writes-operands flag) creates its
 * operands as directories and copies nothing.
 */
static ag_status apply_copy_names(ag_extractor *ex, const ag_effect_spec *spec,
                                  const parsed_arguments *parsed)
{
    if (parsed->writes_operands)
        return AG_OK;
    ag_copy_operand *operands = ag_arena_alloc(ex->arena, (parsed->count + 1) * sizeof(*operands));
    if (operands == NULL)
        return AG_ERR_NOMEM;

    ag_copy copy = {.sources = operands,
                    .target_directory = parsed->target_directory,
                    .no_target_directory = parsed->no_target_directory,
                    .parents = parsed->parents,
                    .relative = parsed->relative,
                    .dynamic_option = parsed->dynamic_option};
    for (size_t i = 0; i < parsed->count; i++) {
        const argument *arg = &parsed->items[i];
        ag_copy_operand operand = {arg->word, arg->text, arg->length};
        if (arg->option != NULL && arg->option->kind == AG_OPTION_TARGET_DIRECTORY)
            copy.destination = operand;
        else if (arg->option == NULL)
            operands[copy.source_count++] = operand;
    }
    if (!copy.target_directory && copy.source_count >= 2)
        copy.destination = operands[--copy.source_count];
    return ag_extractor_add_copy_names(ex, spec, &copy);
}

/*
 * Adds the write of the only operand of an entry with a written last
 * operand (cp, install, rsync, scp, ln) when Bash may expand that word to
 * several words: a brace (cp a{,.bak}), a glob (cp a/?) or an expansion
 * (cp $FILES). The last of them is the destination, so the word counts as
 * written, as every operand of mv does. A tilde alone gives one word.
 * TODO(effects): expand braces as Bash does and write only the last word.
 */
static ag_status add_expanded_destination(ag_extractor *ex, const ag_effect_spec *spec,
                                          const parsed_arguments *parsed, size_t operand_count,
                                          bool *wrote, bool *contacted)
{
    if (!spec->has_last || operand_count != 1 || parsed->target_directory)
        return AG_OK;

    const argument *operand = NULL;
    for (size_t i = 0; i < parsed->count && operand == NULL; i++) {
        if (parsed->items[i].option == NULL)
            operand = &parsed->items[i];
    }
    if (operand == NULL || !operand->word->dynamic)
        return AG_OK;

    const char *marked = ag_extractor_mark_globs(ex, operand->word, operand->text,
                                                 operand->length);
    if (marked == NULL)
        return AG_ERR_NOMEM;
    if (memchr(marked, AG_DYNAMIC_MARK, operand->length) == NULL)
        return AG_OK;
    return add_argument(ex, spec, operand, spec->last, wrote, contacted);
}

/* Adds the effects of the options and operands that parse_arguments() found. */
static ag_status add_effects(ag_extractor *ex, const ag_effect_spec *spec,
                             parsed_arguments *parsed, const ag_shell_word *words, size_t count)
{
    if (spec->handler == AG_HANDLER_TAR || spec->handler == AG_HANDLER_GIT_CONFIG) {
        ag_status status = add_option_files(ex, parsed);
        if (status != AG_OK)
            return status;
        return spec->handler == AG_HANDLER_TAR ? apply_tar(ex, parsed, words, count)
                                               : apply_git_config(ex, parsed, words, count);
    }

    size_t operand_count = 0;
    for (size_t i = 0; i < parsed->count; i++)
        operand_count += parsed->items[i].option == NULL;

    static const char *const globoff[] = {"--globoff", NULL};
    bool globbing = ex->url_globbing;
    if (spec->handler == AG_HANDLER_CURL)
        ex->url_globbing = !has_flag(parsed, "g") && !has_flag_word(parsed, words, count, globoff);

    ag_status status = AG_OK;
    bool wrote = false;
    bool read = false;
    bool contacted = false;
    size_t position = 0;
    ex->restores_from_index = spec->pathspecs && restores_from_index(ex, spec, parsed);
    for (size_t i = 0; i < parsed->count && status == AG_OK; i++) {
        argument arg = parsed->items[i];
        if (arg.option != NULL && arg.option->kind == AG_OPTION_DATA) {
            status = add_data(ex, &arg);
            continue;
        }
        if (arg.option != NULL && arg.option->kind == AG_OPTION_FORM) {
            status = add_form_files(ex, &arg);
            continue;
        }
        if (arg.option != NULL && arg.option->kind == AG_OPTION_COOKIE) {
            status = add_cookie_file(ex, &arg);
            continue;
        }
        if (arg.option != NULL && arg.option->kind == AG_OPTION_WRITE_OUT) {
            status = add_write_out(ex, &arg);
            continue;
        }
        /* The names of a pathspec file are operands, so they are written where operands are. */
        if (arg.option != NULL && arg.role == AG_ROLE_NAMES_FILE && spec->operand_count > 0
            && adjust_role(parsed, spec->operands[0]) == AG_ROLE_WRITE) {
            wrote = true;
            status = add_names_file(ex, AG_EFFECT_WRITE, arg.word, arg.text, arg.length);
            continue;
        }
        if (arg.option == NULL && !assignment_role(spec, &arg))
            arg.role = adjust_role(parsed, operand_role(spec, parsed, position, operand_count));
        if (arg.role == AG_ROLE_ACTIVATE_ENV)
            arg.role = sources_conda_activate(parsed) ? AG_ROLE_ENVIRONMENT : AG_ROLE_NONE;
        if (names_revision(spec, parsed, i))
            arg.role = AG_ROLE_NONE;
        if (arg.option == NULL && arg.role == AG_ROLE_READ)
            parsed->operand_read = true;
        if (arg.option == NULL && arg.role == AG_ROLE_READ && parsed->recurse_names
            && memchr(arg.text, AG_DYNAMIC_MARK, arg.length) == NULL)
            read_parent_directory(&arg);
        position += arg.option == NULL;
        if (arg.option == NULL && arg.role == AG_ROLE_DATA) {
            status = add_data(ex, &arg);
            continue;
        }
        /* A hard-linked or read-write operand is added as read, then as written. */
        bool also_written = (arg.option == NULL && makes_hard_link(parsed, arg.role))
                            || (arg.role == AG_ROLE_READ_WRITE && !parsed->reads_operands);
        if (arg.role == AG_ROLE_LINK_SOURCE)
            arg.role = also_written ? AG_ROLE_READ : AG_ROLE_NONE;
        else if (arg.role == AG_ROLE_READ_WRITE)
            arg.role = AG_ROLE_READ;
        read |= arg.role == AG_ROLE_READ || arg.role == AG_ROLE_RUN || arg.role == AG_ROLE_REQUIRE
                || arg.role == AG_ROLE_PYTHON_SCRIPT;
        if (arg.role != AG_ROLE_CHDIR || arg.option == NULL)
            status = add_argument(ex, spec, &arg, arg.role, &wrote, &contacted);
        if (status == AG_OK && also_written)
            status = add_argument(ex, spec, &arg, AG_ROLE_WRITE, &wrote, &contacted);
    }

    if (status == AG_OK)
        status = add_expanded_destination(ex, spec, parsed, operand_count, &wrote, &contacted);
    if (status == AG_OK && spec->copies_into != AG_COPIES_NONE)
        status = apply_copy_names(ex, spec, parsed);
    if (status == AG_OK && spec->handler == AG_HANDLER_CURL)
        status = apply_curl_outputs(ex, parsed, words, count);
    /*
     * An option missing from the table may be one that writes a file, and so
     * may the words that an unquoted expansion splits into
     * (curl https://a.example/$P with P='x -o ~/.bashrc').
     */
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    const ag_shell_word *opener = parsed->unknown_option;
    if (opener == NULL && spec->strict_options)
        opener = find_splitting_word(words, count);
    if (status == AG_OK && spec->strict_options && opener != NULL)
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, opener, unknown, 1);
    /* A word that may be an option may be one that writes (git log $X, X='--output=F'). */
    if (status == AG_OK && !spec->strict_options && parsed->dynamic_option
        && has_write_option(spec))
        status = ag_extractor_add_path(ex, AG_EFFECT_WRITE, &ex->command->words[0], unknown, 1);
    ex->url_globbing = globbing;
    if (status == AG_OK)
        status = apply_defaults(ex, spec, parsed, wrote, read, contacted);
    if (status == AG_OK && spec->handler == AG_HANDLER_WGET)
        status = apply_wget_names(ex, spec, parsed, words, count);
    if (status == AG_OK && spec->handler == AG_HANDLER_GIT_INIT)
        status = apply_git_init(ex, parsed, words, count);
    if (status == AG_OK && spec->handler == AG_HANDLER_GIT_LFS_INSTALL)
        status = apply_git_lfs_install(ex, parsed, words, count);
    if (status == AG_OK && spec->handler == AG_HANDLER_PYDOC)
        status = apply_pydoc(ex, parsed);
    if (status == AG_OK && spec->handler == AG_HANDLER_PARALLEL)
        status = apply_parallel_files(ex, words, count);
    if (status == AG_OK
        && (spec->handler == AG_HANDLER_GIT_CHECKOUT || spec->handler == AG_HANDLER_GIT_SWITCH))
        status = apply_git_checkout(ex, spec, parsed, words, count);
    if (status == AG_OK)
        status = apply_fixed_writes(ex, spec);
    return status;
}

/* Returns whether a word that no option or operand took is `option`, alone or with "=VALUE". */
static bool has_option_word(const parsed_arguments *parsed, const ag_shell_word *words,
                            size_t count, const char *option)
{
    size_t length = strlen(option);
    for (size_t i = 0; i < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            return false;
        if (strncmp(words[i].text, option, length) != 0
            || (words[i].text[length] != '\0' && words[i].text[length] != '='))
            continue;
        bool argument_word = false;
        for (size_t j = 0; j < parsed->count && !argument_word; j++)
            argument_word = parsed->items[j].word == &words[i]
                            && parsed->items[j].text == words[i].text;
        if (!argument_word)
            return true;
    }
    return false;
}

/*
 * Returns whether the command gives `option`: as a flag (a short one also
 * inside a cluster, and in tar's first word), as an option that took a
 * value, or as a word of its own. When `dynamic_counts`, a word that may
 * expand to an option counts as every option, wherever it is.
 */
static bool has_option(const ag_effect_spec *spec, const parsed_arguments *parsed,
                       const ag_shell_word *words, size_t count, const char *option,
                       bool dynamic_counts)
{
    for (size_t i = 0; dynamic_counts && i < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            break;
        if (may_be_free_option(parsed, &words[i]))
            return true;
    }
    for (size_t i = 0; i < parsed->count; i++) {
        if (parsed->items[i].option != NULL && strcmp(parsed->items[i].option->name, option) == 0)
            return true;
    }
    bool short_flag = option[1] != '-' && option[2] == '\0' && !spec->single_dash_long;
    if (short_flag && memchr(parsed->flag_letters, option[1], parsed->short_flag_count) != NULL)
        return true;
    return has_option_word(parsed, words, count, option);
}

/* Options a command gives, gathered once so that each listed option is compared with few. */
enum { AG_GIVEN_OPTIONS_MAX = 16 };
typedef struct given_options {
    const char *names[AG_GIVEN_OPTIONS_MAX];    /* option names, or words that start with '-' */
    bool is_word[AG_GIVEN_OPTIONS_MAX];         /* a word: "NAME" or "NAME=VALUE" */
    size_t count;
    bool dynamic;                               /* a word may expand to any option */
} given_options;

static bool add_given(given_options *given, const char *name, bool is_word)
{
    if (given->count == AG_GIVEN_OPTIONS_MAX)
        return false;
    given->names[given->count] = name;
    given->is_word[given->count++] = is_word;
    return true;
}

static bool is_argument_word(const parsed_arguments *parsed, const ag_shell_word *word)
{
    for (size_t j = 0; j < parsed->count; j++) {
        if (parsed->items[j].word == word && parsed->items[j].text == word->text)
            return true;
    }
    return false;
}

/*
 * Gathers what has_option() compares: the options that took a value, and
 * the words before "--" that start with '-' and are no option's value.
 * Returns false when there are more than AG_GIVEN_OPTIONS_MAX of them.
 */
static bool gather_given(const parsed_arguments *parsed, const ag_shell_word *words,
                         size_t count, bool dynamic_counts, given_options *given)
{
    given->count = 0;
    given->dynamic = false;
    for (size_t i = 0; i < parsed->count; i++) {
        if (parsed->items[i].option != NULL && !add_given(given, parsed->items[i].option->name,
                                                          false))
            return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (!words[i].dynamic && strcmp(words[i].text, "--") == 0)
            break;
        if (dynamic_counts && may_be_free_option(parsed, &words[i]))
            given->dynamic = true;
        if (words[i].text[0] == '-' && !is_argument_word(parsed, &words[i])
            && !add_given(given, words[i].text, true))
            return false;
    }
    return true;
}

/* Returns has_option() from what gather_given() found. */
static bool given_has(const ag_effect_spec *spec, const parsed_arguments *parsed,
                      const given_options *given, const char *option)
{
    bool short_flag = option[1] != '-' && option[2] == '\0' && !spec->single_dash_long;
    if (short_flag && memchr(parsed->flag_letters, option[1], parsed->short_flag_count) != NULL)
        return true;

    for (size_t i = 0; i < given->count; i++) {
        const char *name = given->names[i];
        /* A quick test first: the lists hold every abbreviation of their long options. */
        if (option[1] == '-' && (name[1] != '-' || name[2] != option[2]))
            continue;
        size_t length = strlen(option);
        if (!given->is_word[i] ? strcmp(name, option) == 0
                               : strncmp(name, option, length) == 0
                                     && (name[length] == '\0' || name[length] == '='))
            return true;
    }
    return false;
}

static bool has_any_option(const ag_effect_spec *spec, const parsed_arguments *parsed,
                           const ag_shell_word *words, size_t count, const ag_word_list *options,
                           bool dynamic_counts)
{
    if (options->count == 0)
        return false;

    /* Option lists grow with their abbreviations, so the command's few options are gathered once. */
    given_options given;
    if (!gather_given(parsed, words, count, dynamic_counts, &given)) {
        for (size_t i = 0; i < options->count; i++) {
            if (has_option(spec, parsed, words, count, options->items[i], dynamic_counts))
                return true;
        }
        return false;
    }
    if (given.dynamic)
        return true;
    if (given.count == 0 && parsed->short_flag_count == 0)
        return false;

    /*
     * given_has() matches a long option only with a name that starts with
     * "--" and the same third byte, so these bytes skip most abbreviations.
     */
    uint64_t long_thirds[4] = {0};
    for (size_t i = 0; i < given.count; i++) {
        const unsigned char *name = (const unsigned char *)given.names[i];
        if (name[1] == '-')
            long_thirds[name[2] >> 6] |= UINT64_C(1) << (name[2] & 63);
    }
    for (size_t i = 0; i < options->count; i++) {
        const unsigned char *option = (const unsigned char *)options->items[i];
        if (option[1] == '-' && !(long_thirds[option[2] >> 6] & (UINT64_C(1) << (option[2] & 63))))
            continue;
        if (given_has(spec, parsed, &given, options->items[i]))
            return true;
    }
    return false;
}

/*
 * Marks the effects from `first` on that are whole trees, as the entry's
 * `tree` keys set them, and whether the walk follows the links in them.
 * A word known only at run time may turn a walk or link following on, but
 * never off (zip -y).
 */
static void mark_trees(ag_extractor *ex, const ag_effect_spec *spec,
                       const parsed_arguments *parsed, const ag_shell_word *words, size_t count,
                       size_t first)
{
    if (spec->tree == AG_TREE_NONE)
        return;
    if (spec->tree_options.count > 0
        && !has_any_option(spec, parsed, words, count, &spec->tree_options, true))
        return;

    bool follows = spec->follows_links
                   && (spec->follow_options.count == 0
                       || has_any_option(spec, parsed, words, count, &spec->follow_options, true))
                   && !has_any_option(spec, parsed, words, count, &spec->no_follow_options, false);
    bool reads = spec->tree == AG_TREE_READ || spec->tree == AG_TREE_READ_WRITE;
    bool writes = spec->tree == AG_TREE_WRITE || spec->tree == AG_TREE_READ_WRITE;
    for (size_t i = first; i < ex->out->count; i++) {
        ag_effect *effect = &ex->out->items[i];
        if ((!(effect->kind == AG_EFFECT_READ && reads)
             && !(effect->kind == AG_EFFECT_WRITE && writes))
            || effect->single_file)
            continue;
        effect->tree = true;
        effect->follows_links = follows;
    }
}

/*
 * Adds the effects that the entry's keys imply beyond its arguments: the
 * default_read when no operand is read, and an unknown write for
 * writes_anywhere. A word known only at run time may turn either on, but
 * never off (cpio --no-absolute-filenames).
 */
static ag_status add_implied_effects(ag_extractor *ex, const ag_effect_spec *spec,
                                     const parsed_arguments *parsed, const ag_shell_word *words,
                                     size_t count)
{
    const ag_shell_word *name = &ex->command->words[0];
    ag_status status = AG_OK;
    if (spec->default_read != NULL && !parsed->operand_read
        && (spec->default_read_options.count == 0
            || has_any_option(spec, parsed, words, count, &spec->default_read_options, true)))
        status = ag_extractor_add_path(ex, AG_EFFECT_READ, name, spec->default_read,
                                       strlen(spec->default_read));
    if (status != AG_OK || !spec->writes_anywhere)
        return status;

    if (spec->anywhere_options.count > 0
        && !has_any_option(spec, parsed, words, count, &spec->anywhere_options, true))
        return AG_OK;
    if (has_any_option(spec, parsed, words, count, &spec->no_anywhere_options, false))
        return AG_OK;
    static const char unknown[] = {AG_DYNAMIC_MARK, '\0'};
    return ag_extractor_add_path(ex, AG_EFFECT_WRITE, name, unknown, 1);
}

ag_status ag_extract_arguments(ag_extractor *ex, const ag_effect_spec *spec,
                               const ag_shell_word *words, size_t count)
{
    parsed_arguments parsed;
    argument local[AG_LOCAL_ARGUMENTS];
    size_t first = ex->out->count;
    ag_status status = parse_arguments(ex->arena, spec, words, count, &parsed, local);
    if (status == AG_OK)
        status = apply_chdir(ex, &parsed);
    if (status == AG_OK)
        status = add_effects(ex, spec, &parsed, words, count);
    if (status == AG_OK)
        status = add_implied_effects(ex, spec, &parsed, words, count);
    if (status == AG_OK)
        status = add_option_environments(ex, spec, words, count);
    if (status != AG_OK)
        return status;

    mark_trees(ex, spec, &parsed, words, count, first);
    for (size_t i = first; spec->writes_no_code && i < ex->out->count; i++)
        ex->out->items[i].no_code = true;
    if (spec->runs_files.count > 0 && !ag_extractor_note_runner(ex, spec))
        return AG_ERR_NOMEM;
    if (spec->loads_node_modules && ag_extractor_note_node_modules(ex) != AG_OK)
        return AG_ERR_NOMEM;
    if (spec->loads_site_packages && !ag_extractor_note_site_packages(ex, ex->context.cwd))
        return AG_ERR_NOMEM;
    if (parsed.subcommand != NULL)
        status = ag_extract_arguments(ex, parsed.subcommand, parsed.subcommand_words,
                                      parsed.subcommand_count);
    return status;
}
